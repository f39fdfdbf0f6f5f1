//! Models on native ONNX Runtime, loaded at run time from ORT_DYLIB_PATH or, failing that, the
//! training venv's pip wheel (models/train/.venv). Skipped with a printed reason when neither exists.

#[path = "model_common.rs"]
mod common;

use bandmate_engine::model::{self, BackendKind, BackendPref, ModelKind};
use std::path::PathBuf;

fn find_lib() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ORT_DYLIB_PATH") {
        if !p.is_empty() && std::path::Path::new(&p).exists() {
            return Some(p.into());
        }
    }
    let lib = common::models_dir().join("train").join(".venv").join("lib");
    for py in std::fs::read_dir(&lib).ok()?.flatten() {
        let capi = py
            .path()
            .join("site-packages")
            .join("onnxruntime")
            .join("capi");
        if let Ok(rd) = std::fs::read_dir(&capi) {
            let mut libs: Vec<PathBuf> = rd
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
    }
    None
}

fn native() -> bool {
    let Some(lib) = find_lib() else {
        println!("SKIPPED native backend: no libonnxruntime (set ORT_DYLIB_PATH or `pip install onnxruntime` into models/train/.venv)");
        return false;
    };
    match model::init_backend(BackendPref::Native(Some(lib.clone()))) {
        Ok(BackendKind::Native) => true,
        Ok(k) => panic!("asked for native, got {k:?}"),
        Err(e) => panic!("native backend failed to start from {}: {e}", lib.display()),
    }
}

#[test]
fn native_parity_chords() {
    if native() {
        common::parity(ModelKind::Chords);
    }
}

#[test]
fn native_parity_melody() {
    if native() {
        common::parity(ModelKind::Melody);
    }
}

#[test]
fn native_generation_valid_every_key_mode_meter() {
    if native() {
        common::generation_valid();
    }
}

#[test]
fn native_same_seed_same_output() {
    if native() {
        common::determinism();
    }
}

#[test]
fn native_timing() {
    if native() {
        common::timing();
    }
}
