//! The plugin library cargo builds (before bundling) exports a working CLAP entry whose factory
//! lists Bandmate. Being an integration test of this package, it also makes `cargo test --no-run`
//! build the cdylib (in target/<profile>/deps/) that `cargo xtask bundle --no-build` bundles.

use clack_host::prelude::PluginEntry;
use std::path::PathBuf;

/// target/<profile>/deps/, where this test binary and the plugin's cdylib are built.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent().expect("target/<profile>/deps").to_path_buf()
}

#[test]
fn the_built_library_exports_the_clap_entry_and_lists_bandmate() {
    let lib = deps_dir().join(format!(
        "{}bandmate{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(lib.is_file(), "{} was not built", lib.display());
    // SAFETY: loading Bandmate's own plugin library runs its initializers.
    let entry = unsafe { PluginEntry::load(&lib) }.expect("clap_entry loads");
    let factory = entry.get_plugin_factory().expect("plugin factory");
    let found: Vec<(String, String)> = factory
        .plugin_descriptors()
        .map(|d| {
            let s = |c: Option<&std::ffi::CStr>| {
                c.map(|c| c.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            (s(d.id()), s(d.name()))
        })
        .collect();
    assert_eq!(
        found,
        vec![("org.bandmate.bandmate".to_string(), "Bandmate".to_string())]
    );
}
