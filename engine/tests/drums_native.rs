//! The drum model on native ONNX Runtime (ORT_DYLIB_PATH or the training venv's wheel); skipped
//! with a printed reason when neither exists.

#[path = "drums_common.rs"]
mod common;

use bandmate_engine::model::{self, BackendKind, BackendPref};
use std::path::PathBuf;

fn find_lib() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ORT_DYLIB_PATH") {
        if !p.is_empty() && std::path::Path::new(&p).exists() {
            return Some(p.into());
        }
    }
    let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/train/.venv/lib");
    for py in std::fs::read_dir(&lib).ok()?.flatten() {
        let capi = py.path().join("site-packages/onnxruntime/capi");
        let mut libs: Vec<PathBuf> = std::fs::read_dir(&capi)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so.1"))
            })
            .collect();
        libs.sort();
        if let Some(l) = libs.pop() {
            return Some(l);
        }
    }
    None
}

fn native() -> bool {
    let Some(lib) = find_lib() else {
        println!("SKIPPED native backend: no libonnxruntime (set ORT_DYLIB_PATH)");
        return false;
    };
    match model::init_backend(BackendPref::Native(Some(lib.clone()))) {
        Ok(BackendKind::Native) => true,
        Ok(k) => panic!("asked for native, got {k:?}"),
        Err(e) => panic!("native backend failed to start from {}: {e}", lib.display()),
    }
}

#[test]
fn native_drum_parity() {
    if native() {
        common::parity();
    }
}

#[test]
fn native_drum_parts_valid() {
    if native() {
        common::parts_valid();
    }
}

#[test]
fn native_drum_timing() {
    if native() {
        common::timing();
    }
}
