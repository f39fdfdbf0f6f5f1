//! The real `xtask` binary refuses what it cannot bundle with a usage line, and (being an
//! integration test) makes `cargo test` build the binary that `.ci/run` then calls directly.

use std::process::Command;

#[test]
fn bundle_refuses_other_packages_with_usage() {
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bundle", "bandmate-cli", "--no-build"])
        .output()
        .expect("run xtask");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("usage: cargo xtask bundle bandmate"), "{err}");
}
