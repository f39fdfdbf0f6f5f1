//! The drum model on native ONNX Runtime (ORT_DYLIB_PATH or the training venv's wheel); skipped
//! with a printed reason when neither exists.

#[path = "drums_common.rs"]
mod common;
#[path = "native_backend.rs"]
mod native_backend;

use native_backend::native;

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
