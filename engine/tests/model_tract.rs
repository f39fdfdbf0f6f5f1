//! Models on the pure-Rust tract backend (feature `tract`, opt-in): parity with Python onnxruntime,
//! valid output for every key/mode/meter, determinism, config checks, timing.

#![cfg(feature = "tract")]

#[path = "model_common.rs"]
mod common;

use bandmate_engine::model::{self, BackendKind, BackendPref, ModelError, ModelKind};

fn tract() {
    assert_eq!(
        model::init_backend(BackendPref::Tract).expect("tract backend"),
        BackendKind::Tract
    );
}

#[test]
fn tract_parity_chords() {
    tract();
    common::parity(ModelKind::Chords);
}

#[test]
fn tract_parity_melody() {
    tract();
    common::parity(ModelKind::Melody);
}

#[test]
fn tract_generation_valid_every_key_mode_meter() {
    tract();
    common::generation_valid();
}

#[test]
fn tract_same_seed_same_output() {
    tract();
    common::determinism();
}

#[test]
fn tract_timing() {
    tract();
    common::timing();
}

#[test]
fn config_checks_report_what_is_incompatible() {
    for (kind, dir, file) in [
        (ModelKind::Chords, "chords", "bandmate-chords.onnx"),
        (ModelKind::Melody, "melody", "bandmate-melody.onnx"),
    ] {
        let d = common::models_dir().join(dir);
        let cfg = std::fs::read_to_string(d.join("config.json")).expect("config");
        let bytes = std::fs::read(d.join(file)).expect("onnx");
        assert!(model::verify(kind, &cfg, &bytes).is_ok());
        let sha = std::fs::read_to_string(d.join(format!("{file}.sha256"))).expect("sha file");
        let cfg_v: serde_json::Value = serde_json::from_str(&cfg).expect("json");
        assert!(sha.starts_with(cfg_v["sha256"].as_str().expect("sha")));
        // Tampered bytes.
        let mut bad = bytes.clone();
        let n = bad.len() - 1;
        bad[n] ^= 1;
        assert!(matches!(
            model::verify(kind, &cfg, &bad),
            Err(ModelError::Checksum { .. })
        ));
        // Wrong id, vocab hash, opset, names.
        let edit = |k: &str, v: serde_json::Value| {
            let mut c = cfg_v.clone();
            c[k] = v;
            model::verify(kind, &c.to_string(), &bytes)
        };
        assert!(matches!(
            edit("id", "other@9".into()),
            Err(ModelError::Incompatible { field: "id", .. })
        ));
        assert!(matches!(
            edit("vocab_hash", "00".into()),
            Err(ModelError::Incompatible {
                field: "vocab_hash",
                ..
            })
        ));
        assert!(matches!(
            edit("opset", 18.into()),
            Err(ModelError::Incompatible { field: "opset", .. })
        ));
        let mut c = cfg_v.clone();
        c["outputs"][0]["name"] = "logits".into();
        assert!(matches!(
            model::verify(kind, &c.to_string(), &bytes),
            Err(ModelError::Incompatible {
                field: "outputs",
                ..
            })
        ));
        let e = edit("id", "other@9".into()).expect_err("error");
        assert!(e.to_string().contains("other@9"), "{e}");
        assert!(matches!(
            model::verify(kind, "{", &bytes),
            Err(ModelError::Config { .. })
        ));
    }
}

#[test]
fn tract_sample_output_printed() {
    use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
    tract();
    for style in ["chorale", "folk", "pop"] {
        let req = common::chord_req(
            Key::new(PitchClass::new(0), Mode::Major),
            Meter::COMMON,
            8,
            style,
            0.5,
            3,
        );
        let chords = model::generate_chords(&req).expect("chords");
        let line: Vec<String> = chords
            .iter()
            .map(|c| {
                format!(
                    "{}({})",
                    c.roman.map(|r| r.to_string()).unwrap_or_default(),
                    c.duration / 480
                )
            })
            .collect();
        println!("SAMPLE {style} C major 4/4: {}", line.join(" "));
        let mreq = model::MelodyRequest {
            key: req.key,
            meter: req.meter,
            bars: 4,
            chords: &chords,
            low: midly::num::u7::new(60),
            high: midly::num::u7::new(81),
            temperature: 1.0,
            top_p: 0.95,
            seed: 3,
            prime: &[],
        };
        let notes = model::generate_melody(&mreq).expect("melody");
        let names = [
            "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
        ];
        let line: Vec<String> = notes
            .iter()
            .map(|n| {
                let p = n.pitch.as_int() as usize;
                format!(
                    "{}{}@{}/{}",
                    names[p % 12],
                    p / 12 - 1,
                    n.start / 120,
                    n.duration / 120
                )
            })
            .collect();
        println!(
            "SAMPLE melody over it (note@16th/len16): {}",
            line.join(" ")
        );
    }
}

#[test]
fn tract_melody_sits_in_the_middle_of_its_range() {
    tract();
    common::melody_centered();
}

#[test]
fn tract_originality_guard_resamples_copies() {
    tract();
    common::originality_guard();
}
