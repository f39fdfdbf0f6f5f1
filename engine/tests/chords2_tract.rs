//! Chord model v2 on tract (pure Rust, feature `tract`): parity with Python onnxruntime.

#![cfg(feature = "tract")]

#[path = "chords2_common.rs"]
mod common;

use bandmate_engine::model::{self, BackendKind, BackendPref};

fn tract() {
    assert_eq!(
        model::init_backend(BackendPref::Tract).expect("tract backend"),
        BackendKind::Tract
    );
}

#[test]
fn tract_chords2_parity() {
    tract();
    common::parity();
}

#[test]
fn tract_v2_tracks_valid() {
    tract();
    common::v2_tracks_valid();
}

#[test]
fn tract_v2_determinism() {
    tract();
    common::v2_determinism();
}
