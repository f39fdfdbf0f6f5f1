//! Starts the native ONNX Runtime backend for the `*_native.rs` tests (included with `#[path]`):
//! the library from ORT_DYLIB_PATH, else the training venv's pip wheel; `false` (with a printed
//! reason) when neither exists. Compiled alone it has no tests.
#![allow(dead_code)]

use bandmate_engine::model::{self, BackendKind, BackendPref};
use std::path::PathBuf;

fn find_lib() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ORT_DYLIB_PATH") {
        if !p.is_empty() && std::path::Path::new(&p).exists() {
            return Some(p.into());
        }
    }
    let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../models")
        .join("train")
        .join(".venv")
        .join("lib");
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

pub fn native() -> bool {
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
