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

#[test]
fn native_v2_tracks_valid() {
    if native_backend::native() {
        common::v2_tracks_valid();
    }
}

#[test]
fn native_v2_determinism() {
    if native_backend::native() {
        common::v2_determinism();
    }
}

#[test]
fn native_v2_harmonic_rhythm_changes_output() {
    if native_backend::native() {
        common::v2_harmonic_rhythm_changes_output();
    }
}

#[test]
fn native_v2_style_and_section_change_output() {
    if native_backend::native() {
        common::v2_style_and_section_change_output();
    }
}

#[test]
fn native_v2_old_style_names_load() {
    if native_backend::native() {
        common::v2_old_style_names_load();
    }
}
