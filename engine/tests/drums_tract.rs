//! The drum model on tract (pure Rust, feature `tract`): parity with Python onnxruntime, valid
//! and deterministic parts, hits inside their bars.

#![cfg(feature = "tract")]

#[path = "drums_common.rs"]
mod common;

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::drums::{self, catalog};
use bandmate_engine::model::{self, drums as dm, BackendKind, BackendPref, ModelError};
use bandmate_engine::parts::PartContext;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};

fn tract() {
    assert_eq!(
        model::init_backend(BackendPref::Tract).expect("tract backend"),
        BackendKind::Tract
    );
}

#[test]
fn tract_drum_parity() {
    tract();
    common::parity();
}

#[test]
fn tract_drum_parts_valid() {
    tract();
    common::parts_valid();
}

#[test]
fn tract_hits_stay_in_bars() {
    tract();
    common::hits_stay_in_bars();
}

#[test]
fn tract_drum_timing() {
    tract();
    common::timing();
}
