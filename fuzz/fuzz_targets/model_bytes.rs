//! Arbitrary bytes as a model file through the engine's model loading path (`model::verify`,
//! which every model passes before the backend sees it: config.json checks and the sha256 of the
//! ONNX bytes). The first byte picks what is fuzzed:
//! - 0: the ONNX bytes, with the shipped config (must be rejected unless they are the shipped model);
//! - 1: the config text, with the shipped model bytes;
//! - else: both (config text up to the first NUL, model bytes after it).
//! What happens when bytes reach the ONNX backend itself is the `model_backend` target.
#![no_main]

use bandmate_engine::model::{self, ModelKind};
use libfuzzer_sys::fuzz_target;

const CHORDS_CONFIG: &str = include_str!("../../models/chords/config.json");
const CHORDS_ONNX: &[u8] = include_bytes!("../../models/chords/bandmate-chords.onnx");
const MELODY_CONFIG: &str = include_str!("../../models/melody/config.json");

fuzz_target!(|data: &[u8]| {
    let Some((&stage, rest)) = data.split_first() else { return };
    match stage {
        0 => {
            let ok = model::verify(ModelKind::Chords, CHORDS_CONFIG, rest).is_ok();
            assert_eq!(ok, rest == CHORDS_ONNX, "only the shipped bytes pass the checksum");
            assert!(model::verify(ModelKind::Melody, MELODY_CONFIG, rest).is_err() || rest != CHORDS_ONNX);
        }
        1 => {
            let _ = model::verify(ModelKind::Chords, &String::from_utf8_lossy(rest), CHORDS_ONNX);
            let _ = model::verify(ModelKind::Melody, &String::from_utf8_lossy(rest), CHORDS_ONNX);
        }
        _ => {
            let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let (cfg, onnx) = rest.split_at(split);
            let _ = model::verify(ModelKind::Chords, &String::from_utf8_lossy(cfg), onnx);
        }
    }
});
