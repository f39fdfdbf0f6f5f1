//! Drum parts fall back to the patterns, with the reason shown, when the drum model is damaged
//! or cannot play the meter; pattern-only styles and the rules source never ask the model. Runs
//! on whichever backend loads.

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::drums::{self, catalog};
use bandmate_engine::model::{drums as dm, ModelError};
use bandmate_engine::parts::PartContext;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};

fn ctx(style: &str) -> PartContext<'_> {
    PartContext {
        key: Key::new(PitchClass::C, Mode::Major),
        meter: Meter::COMMON,
        bars: 4,
        chords: &[],
        style,
        density: 0.5,
        complexity: 0.5,
        octave: 0,
        seed: 3,
    }
}

#[test]
fn damaged_model_falls_back_to_the_pattern_with_the_reason() {
    let (cfg, bytes) = dm::embedded();
    assert!(dm::verify(cfg, bytes).is_ok());
    let mut bad = bytes.to_vec();
    let n = bad.len() / 2;
    bad[n] ^= 0x5a;
    let err = dm::DrumModel::load(cfg, &bad)
        .err()
        .expect("damaged bytes are refused");
    assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
    let mu = catalog::ModelUse {
        tempo_bpm: 100.0,
        temperature: 1.0,
        top_p: 0.95,
    };
    let c = ctx("funk");
    let part = catalog::part_with(&c, 4, Some(mu), || {
        dm::DrumModel::load(cfg, &bad).map(Box::new)
    })
    .expect("fallback part");
    let notice = part.notice.expect("the fallback is reported").to_string();
    assert!(
        notice.contains("drum model unavailable") && notice.contains("sha256"),
        "{notice}"
    );
    assert!(notice.contains("funk pattern"), "{notice}");
    assert_eq!(part.engine, "rules(drums:funk)");
    assert_eq!(part.notes, drums::generate(&c, 4).expect("pattern"));
    // A config the engine cannot read is named too.
    let mut v: serde_json::Value = serde_json::from_str(cfg).expect("json");
    v["classes"][0] = "bass_drum".into();
    let e = dm::verify(&v.to_string(), bytes).expect_err("classes differ");
    assert!(
        matches!(
            e,
            ModelError::Incompatible {
                field: "classes",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn odd_meters_and_rules_source_play_patterns() {
    let mut s = Settings {
        meter: Meter::new(7, 8).expect("7/8"),
        bars: 4,
        source: Source::Model,
        ..Settings::default()
    };
    s.enable_only(&[PartKind::Drums]);
    if let Some(p) = s.part_mut(PartKind::Drums) {
        p.style = "funk".into();
    }
    let a = arrange::generate(&s).expect("7/8");
    assert!(
        a.notices
            .iter()
            .any(|n| n.to_string().contains("7/8") && n.to_string().contains("funk pattern")),
        "{:?}",
        a.notices
    );
    assert!(a.clip.provenance.engine.contains("drums=rules(drums:funk)"));
    s.meter = Meter::COMMON;
    s.source = Source::Rules;
    let a = arrange::generate(&s).expect("rules");
    assert!(a.notices.is_empty());
    assert!(a.clip.provenance.engine.contains("drums=rules(drums:funk)"));
    // Pattern-only styles never ask the model.
    s.source = Source::Model;
    if let Some(p) = s.part_mut(PartKind::Drums) {
        p.style = "dnb".into();
    }
    let a = arrange::generate(&s).expect("dnb");
    assert!(a.notices.is_empty());
    assert!(a.clip.provenance.engine.contains("drums=rules(drums:dnb)"));
}
