//! Chord model v2 on native ONNX Runtime (ORT_DYLIB_PATH or the training venv's wheel); skipped
//! with a printed reason when neither exists.

#[path = "chords2_common.rs"]
mod common;
#[path = "native_backend.rs"]
mod native_backend;

#[test]
fn native_chords2_parity() {
    if native_backend::native() {
        common::parity();
    }
}
