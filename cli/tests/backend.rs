//! The real `bandmate` binary picks native ONNX Runtime from each place Bandmate installs it
//! (beside the binary, ~/.clap/Bandmate, the set-up's venv, ORT_DYLIB_PATH), says which and why,
//! and refuses a runtime of the wrong version with a clear message, falling back to tract (when
//! compiled in) or to the rule-based generators.
//! Needs the ONNX Runtime that `.ci/deps` installs in target/ort-venv (or ORT_DYLIB_PATH).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The real libonnxruntime: ORT_DYLIB_PATH, else the venv `.ci/deps` makes.
fn real_lib() -> PathBuf {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from) {
        if p.is_file() {
            return p;
        }
    }
    let lib = root().join("target/ort-venv/lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|rd| {
        rd.flatten().find_map(|py| {
            let capi = py.path().join("site-packages/onnxruntime/capi");
            std::fs::read_dir(capi).ok()?.flatten().find_map(|f| {
                let n = f.file_name();
                n.to_str()?
                    .starts_with("libonnxruntime.so.1")
                    .then(|| f.path())
            })
        })
    });
    found.unwrap_or_else(|| {
        panic!(
            "no ONNX Runtime in {} and ORT_DYLIB_PATH is unset: run `bash .ci/deps` first",
            lib.display()
        )
    })
}

/// A fresh scratch folder for one case.
fn scratch(case: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bandmate-cli-backend")
        .join(case);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// The CLI binary placed at `dir/bandmate` (hard link, or a copy across file systems), so that
/// "beside the executable" and "above the executable" mean `dir`.
fn exe_in(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("exe dir");
    let dst = dir.join("bandmate");
    let src = Path::new(env!("CARGO_BIN_EXE_bandmate"));
    if std::fs::hard_link(src, &dst).is_err() {
        std::fs::copy(src, &dst).expect("copy the CLI");
    }
    dst
}

fn link(target: &Path, at: &Path) {
    std::fs::create_dir_all(at.parent().expect("parent")).expect("dir");
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

/// Runs `exe generate` (chords from the model) with a controlled environment; returns stdout.
fn generate(exe: &Path, home: &Path, ort_dylib_path: Option<&Path>) -> String {
    let out = home.join("clip.mid");
    let mut cmd = Command::new(exe);
    cmd.args(["generate", "--parts", "chords", "--bars", "2", "--out"])
        .arg(&out)
        .env("HOME", home)
        .env_remove("BANDMATE_MODEL_BACKEND")
        .env_remove("ORT_DYLIB_PATH");
    if let Some(p) = ort_dylib_path {
        cmd.env("ORT_DYLIB_PATH", p);
    }
    let o = cmd.output().expect("run bandmate");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "bandmate failed: {stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.is_file(), "no clip written");
    stdout
}

fn backend_line(stdout: &str) -> String {
    let i = stdout
        .find("backend: ")
        .unwrap_or_else(|| panic!("no backend line in:\n{stdout}"));
    stdout[i..].to_string()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_string()
}

#[test]
fn picks_native_beside_the_binary() {
    let lib = real_lib();
    let d = scratch("beside");
    let exe = exe_in(&d.join("bin"));
    let placed = d.join("bin").join(file_name(&lib));
    link(&lib, &placed);
    let line = backend_line(&generate(&exe, &d, None));
    assert!(line.contains("(native) from "), "{line}");
    assert!(line.contains(&placed.display().to_string()), "{line}");
    assert!(line.contains("beside the executable"), "{line}");
}

#[test]
fn picks_native_from_the_installed_plugins_runtime_folder() {
    let lib = real_lib();
    let d = scratch("installed");
    let exe = exe_in(&d.join("bin"));
    let placed = d.join("home/.clap/Bandmate").join(file_name(&lib));
    link(&lib, &placed);
    let line = backend_line(&generate(&exe, &d.join("home"), None));
    assert!(line.contains("(native) from "), "{line}");
    assert!(line.contains(&placed.display().to_string()), "{line}");
    assert!(line.contains("installed plugin's runtime folder"), "{line}");
}

#[test]
fn picks_native_from_the_setup_venv() {
    let lib = real_lib();
    let d = scratch("venv");
    // The layout of target/: the binary in target/<profile>/, the venv in target/ort-venv.
    let exe = exe_in(&d.join("target/release"));
    let placed = d
        .join("target/ort-venv/lib/python3.11/site-packages/onnxruntime/capi")
        .join(file_name(&lib));
    link(&lib, &placed);
    let line = backend_line(&generate(&exe, &d, None));
    assert!(line.contains(&placed.display().to_string()), "{line}");
    assert!(line.contains("set-up's venv"), "{line}");
}

#[test]
fn picks_native_from_ort_dylib_path() {
    let lib = real_lib();
    let d = scratch("env");
    let exe = exe_in(&d.join("bin"));
    let line = backend_line(&generate(&exe, &d, Some(&lib)));
    assert!(line.contains("(native) from "), "{line}");
    assert!(line.contains("ORT_DYLIB_PATH"), "{line}");
}

/// What the backend line starts with when no ONNX Runtime loads: tract when compiled in, else
/// none (the rule-based generators take over).
fn fallback_prefix() -> &'static str {
    if cfg!(feature = "tract") {
        "backend: tract (pure Rust)"
    } else {
        "backend: none ("
    }
}

#[test]
fn with_no_runtime_anywhere_it_says_so_and_falls_back() {
    let d = scratch("none");
    let exe = exe_in(&d.join("bin"));
    let stdout = generate(&exe, &d, None);
    let line = backend_line(&stdout);
    assert!(line.starts_with(fallback_prefix()), "{line}");
    assert!(line.contains("no ONNX Runtime found"), "{line}");
    if !cfg!(feature = "tract") {
        assert!(line.contains("no tract fallback"), "{line}");
        assert!(stdout.contains("progression=rules"), "{stdout}");
    }
}

/// A library that answers like ONNX Runtime 1.16.3 (too old for the ORT API this build needs).
fn fake_old_runtime(dir: &Path) -> PathBuf {
    let src = dir.join("fake_ort.c");
    std::fs::write(
        &src,
        r#"
typedef struct {
    const void* (*GetApi)(unsigned int version);
    const char* (*GetVersionString)(void);
} OrtApiBase;
static const void* get_api(unsigned int version) { (void)version; return 0; }
static const char* version(void) { return "1.16.3"; }
static const OrtApiBase base = { get_api, version };
const OrtApiBase* OrtGetApiBase(void) { return &base; }
"#,
    )
    .expect("write C source");
    let lib = dir.join("libonnxruntime.so.1.16.3");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let st = Command::new(&cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc:?}: {e}"));
    assert!(st.success(), "building the fake runtime failed");
    lib
}

#[test]
fn refuses_a_runtime_of_the_wrong_version_and_falls_back() {
    let d = scratch("old");
    let fake = fake_old_runtime(&d);
    let exe = exe_in(&d.join("bin"));
    let stdout = generate(&exe, &d, Some(&fake));
    let line = backend_line(&stdout);
    assert!(line.starts_with(fallback_prefix()), "{line}");
    assert!(
        line.contains(&format!("refused {}", fake.display()))
            && line.contains("ONNX Runtime 1.16.3 is too old: Bandmate needs 1.24 or newer"),
        "{line}"
    );
    assert!(stdout.contains("engine: "), "{stdout}");
}

#[test]
fn a_wrong_version_beside_the_binary_is_skipped_for_a_good_one_further_on() {
    let lib = real_lib();
    let d = scratch("old-then-good");
    let fake = fake_old_runtime(&d);
    let exe = exe_in(&d.join("bin"));
    link(&fake, &d.join("bin/libonnxruntime.so.1.16.3"));
    let line = backend_line(&generate(&exe, &d, Some(&lib)));
    assert!(line.contains("(native) from "), "{line}");
    assert!(line.contains("ORT_DYLIB_PATH"), "{line}");
    assert!(line.contains("too old"), "{line}");
}
