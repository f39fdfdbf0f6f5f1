//! Models on native ONNX Runtime (started by native_backend.rs), loaded from ORT_DYLIB_PATH or the
//! training venv's pip wheel (models/train/.venv). Skipped with a printed reason when neither exists.

#[path = "model_common.rs"]
mod common;
#[path = "native_backend.rs"]
mod native_backend;

use native_backend::native;

use bandmate_engine::model::ModelKind;

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

#[test]
fn native_melody_sits_in_the_middle_of_its_range() {
    if native() {
        common::melody_centered();
    }
}

#[test]
fn native_originality_guard_resamples_copies() {
    if native() {
        common::originality_guard();
    }
}
