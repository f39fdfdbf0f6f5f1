//! Chord model v2 on tract (pure Rust, feature `tract`): parity with Python onnxruntime.

#![cfg(feature = "tract")]

#[path = "chords2_common.rs"]
mod common;

use bandmate_engine::model::{self, BackendKind, BackendPref};

#[test]
fn tract_chords2_parity() {
    assert_eq!(
        model::init_backend(BackendPref::Tract).expect("tract backend"),
        BackendKind::Tract
    );
    common::parity();
}
