//! The bundled plugin loads ONNX Runtime from its private runtime folder (`Bandmate/` beside
//! `Bandmate.clap`) and never from a loose library in the folder it shares with other plugins.
//! Each case loads its own copy of the .clap (a separate library with its own backend choice)
//! with ORT_DYLIB_PATH removed, and reads which backend made the default clip's chords.

use bandmate_tests::*;
use std::path::{Path, PathBuf};

fn real_runtime() -> PathBuf {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from) {
        if p.is_file() {
            return p;
        }
    }
    let capi = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/ort-venv/lib/python3.11/site-packages/onnxruntime/capi");
    std::fs::read_dir(&capi)
        .ok()
        .and_then(|rd| {
            rd.flatten().map(|e| e.path()).find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so.1"))
            })
        })
        .unwrap_or_else(|| panic!("no ONNX Runtime in {}: run `bash .ci/deps`", capi.display()))
}

/// A copy of the bundled .clap in `dir` (a copy, not a link: the loader would share a linked one).
fn plugin_copy(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("dir");
    let dst = dir.join("Bandmate.clap");
    std::fs::copy(bundle_path(), &dst).expect("copy the .clap");
    dst
}

/// The engine text of the default clip the plugin at `clap` generates.
fn default_clip_engine(clap: &Path) -> String {
    let entry = load_entry(clap).expect("load the copy");
    let mut s = Session::from_entry(&entry, 48_000.0, 512).expect("instance");
    let clip = s.wait_for_clip(Tp::at(false, 120.0, 0.0, (4, 4)), |c| c.note_count() > 0);
    clip.provenance.engine
}

#[test]
fn the_plugin_uses_its_private_runtime_folder_and_ignores_loose_libraries() {
    let runtime = real_runtime();
    let name = runtime.file_name().expect("name").to_owned();
    // The only test in this binary: nothing else reads the environment concurrently.
    std::env::remove_var("ORT_DYLIB_PATH");
    std::env::remove_var("BANDMATE_MODEL_BACKEND");
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bandmate-clap-runtime");

    let private = plugin_copy(&base.join("private"));
    std::fs::create_dir_all(base.join("private/Bandmate")).expect("runtime dir");
    std::os::unix::fs::symlink(&runtime, base.join("private/Bandmate").join(&name))
        .expect("link the runtime");
    let engine = default_clip_engine(&private);
    assert!(
        engine.contains("progression=model(onnxruntime") && engine.contains("(native)"),
        "with the runtime in Bandmate/ the chords come from native ONNX Runtime: {engine}"
    );

    let loose = plugin_copy(&base.join("loose"));
    std::os::unix::fs::symlink(&runtime, base.join("loose").join(&name)).expect("link");
    std::os::unix::fs::symlink(&runtime, base.join("loose/libonnxruntime.so")).expect("link");
    let engine = default_clip_engine(&loose);
    assert!(
        !engine.contains("(native)"),
        "a loose runtime beside the .clap must not be loaded: {engine}"
    );
}
