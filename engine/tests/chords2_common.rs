//! Shared checks for the chord model v2 tests (included by chords2_native.rs and
//! chords2_tract.rs with `#[path]`; compiled alone it has no tests).
#![allow(dead_code)]

use bandmate_engine::model::chords2;

fn golden() -> serde_json::Value {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/chords/v2/golden.json");
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).expect("golden.json parses")
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Rust logits (active backend) match Python onnxruntime's golden logits within 1e-4, step by
/// step through the recurrent state.
pub fn parity() {
    let g = golden();
    let steps = g["steps"].as_array().expect("steps");
    assert!(steps.len() >= 3);
    let xs: Vec<Vec<i64>> = steps
        .iter()
        .map(|s| {
            s["x"]
                .as_array()
                .expect("x")
                .iter()
                .map(|v| v.as_i64().expect("int"))
                .collect()
        })
        .collect();
    let outs = chords2::run_steps(&xs).expect("run_steps");
    let nb = chords2::shared()
        .expect("model")
        .lock()
        .expect("lock")
        .config
        .durations
        .len();
    let mut worst = 0.0f64;
    for (s, o) in steps.iter().zip(&outs) {
        let want_a = floats(&s["logits_a"]);
        assert_eq!(want_a.len(), o.logits_a.len());
        for (a, b) in want_a.iter().zip(&o.logits_a) {
            worst = worst.max((a - *b as f64).abs());
        }
        let row = s["row"].as_u64().expect("row") as usize;
        let want_b = floats(&s["logits_b_row"]);
        for (a, b) in want_b.iter().zip(&o.logits_b[row * nb..(row + 1) * nb]) {
            worst = worst.max((a - *b as f64).abs());
        }
        let sum: f64 = o.logits_b.iter().map(|&v| v as f64).sum();
        let want = s["logits_b_sum"].as_f64().expect("sum");
        assert!(
            (sum - want).abs() < 0.05 + want.abs() * 1e-5,
            "{sum} vs {want}"
        );
    }
    assert!(worst < 1e-4, "max |diff| {worst}");
}

use bandmate_engine::arrange::{self, Settings};
use bandmate_engine::clip::ChordEvent;
use bandmate_engine::model::chords2::sample::{self as gen2, Chords2Request};
use bandmate_engine::model::ChordRequest;
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};

fn req(key: Key, meter: Meter, bars: u32, style: &str, complexity: f32, seed: u64) -> ChordRequest {
    ChordRequest {
        key,
        meter,
        bars,
        style: style.into(),
        complexity,
        temperature: 1.0,
        top_p: 0.95,
        seed,
    }
}

fn gen(base: &ChordRequest, section: &str, rhythm: HarmonicRhythm) -> Vec<ChordEvent> {
    gen2::generate(&Chords2Request {
        base,
        section,
        harmonic_rhythm: rhythm,
    })
    .expect("v2 chords")
}

const TRIADS: [&str; 7] = ["maj", "min", "dim", "aug", "sus2", "sus4", "5"];

/// Every style, meter and complexity: chords tile the clip, none crosses a barline, qualities stay
/// in the complexity tier, slash basses sit on chord tones at the triad tier.
pub fn v2_tracks_valid() {
    let styles = chords2::styles().expect("styles");
    let v = bandmate_engine::model::vocab2::vocab2().expect("vocab2");
    let m = |n, d| Meter::new(n, d).expect("meter");
    let meters = [Meter::COMMON, m(3, 4), m(6, 8), m(5, 4)];
    for (i, style) in styles.iter().enumerate() {
        let meter = meters[i % meters.len()];
        let key = Key::new(
            PitchClass::new(i as i32 * 5),
            [Mode::Major, Mode::NaturalMinor][i % 2],
        );
        for cx in [0.1f32, 0.5, 0.9] {
            let r = req(key, meter, 4, style, cx, i as u64);
            let track = gen(&r, "chorus", HarmonicRhythm::Mixed);
            let bar = meter.bar_ticks(bandmate_engine::clip::TICKS_PER_QUARTER);
            let mut t = 0;
            for c in &track {
                assert_eq!(c.start, t, "{style}: contiguous");
                assert!(c.duration > 0);
                assert_eq!(
                    c.start / bar,
                    (c.end() - 1) / bar,
                    "{style}: crosses a barline"
                );
                let tok = v.token(c.chord, key);
                let name = tok
                    .split(':')
                    .nth(1)
                    .and_then(|q| q.split('/').next())
                    .unwrap_or("");
                if cx < 1.0 / 3.0 {
                    assert!(TRIADS.contains(&name), "{style}: {tok} at triads");
                    if let Some(b) = c.chord.bass {
                        assert!(c.chord.mask() & (1 << b.index()) != 0, "bass off the chord");
                    }
                }
                t = c.end();
            }
            assert_eq!(t, bar * 4, "{style}: covers the clip");
        }
    }
}

/// Same request and seed, same events; other seeds give other tracks.
pub fn v2_determinism() {
    let key = Key::new(PitchClass::new(2), Mode::Major);
    let r = req(key, Meter::COMMON, 8, "soul", 0.7, 42);
    let a = gen(&r, "verse", HarmonicRhythm::Bar);
    assert_eq!(a, gen(&r, "verse", HarmonicRhythm::Bar));
    assert!((43..48).any(|s| {
        gen(
            &req(key, Meter::COMMON, 8, "soul", 0.7, s),
            "verse",
            HarmonicRhythm::Bar,
        ) != a
    }));
}

fn mean_len(rhythm: HarmonicRhythm, style: &str) -> f64 {
    let key = Key::new(PitchClass::new(0), Mode::Major);
    let (mut n, mut ticks) = (0usize, 0u64);
    for seed in 0..24 {
        let t = gen(
            &req(key, Meter::COMMON, 8, style, 0.5, seed),
            "verse",
            rhythm,
        );
        n += t.len();
        ticks += t.iter().map(|c| u64::from(c.duration)).sum::<u64>();
    }
    ticks as f64 / n as f64
}

/// The harmonic-rhythm setting changes the output: over 24 seeds, half-bar changes give clearly
/// shorter chords than two-bar changes.
pub fn v2_harmonic_rhythm_changes_output() {
    for style in ["pop", "jazz-swing"] {
        let fast = mean_len(HarmonicRhythm::HalfBar, style);
        let slow = mean_len(HarmonicRhythm::TwoBars, style);
        assert!(
            slow > 1.3 * fast,
            "{style}: slow {slow} vs fast {fast} ticks per chord"
        );
    }
}

/// Style and section reach the model: tracks differ between styles and between sections.
pub fn v2_style_and_section_change_output() {
    let key = Key::new(PitchClass::new(7), Mode::Major);
    let differs = |f: &dyn Fn(u64) -> (Vec<ChordEvent>, Vec<ChordEvent>)| {
        (0..6)
            .filter(|s| {
                let (a, b) = f(*s);
                a != b
            })
            .count()
    };
    let by_style = differs(&|s| {
        (
            gen(
                &req(key, Meter::COMMON, 8, "pop", 0.9, s),
                "verse",
                HarmonicRhythm::Bar,
            ),
            gen(
                &req(key, Meter::COMMON, 8, "jazz-swing", 0.9, s),
                "verse",
                HarmonicRhythm::Bar,
            ),
        )
    });
    let by_section = differs(&|s| {
        (
            gen(
                &req(key, Meter::COMMON, 8, "rock", 0.5, s),
                "verse",
                HarmonicRhythm::Bar,
            ),
            gen(
                &req(key, Meter::COMMON, 8, "rock", 0.5, s),
                "chorus",
                HarmonicRhythm::Bar,
            ),
        )
    });
    assert!(
        by_style >= 3 && by_section >= 3,
        "style {by_style}/6, section {by_section}/6"
    );
}

/// A project saved with an old style name (settings as stored by the plugin and CLI) still
/// loads and plays that style on the v2 model; provenance names bandmate-chords@2.
pub fn v2_old_style_names_load() {
    for (saved, v2) in [
        ("chorale", "chorale"),
        ("folk", "folk"),
        ("pop", "pop"),
        ("bach", "chorale"),
        ("celtic", "folk"),
    ] {
        let json = format!(
            r#"{{"key":{key},"meter":{meter},"bars":4,"seed":9,"style":"{saved}","complexity":0.5}}"#,
            key = serde_json::to_string(&Key::new(PitchClass::new(9), Mode::NaturalMinor))
                .expect("key"),
            meter = serde_json::to_string(&Meter::COMMON).expect("meter"),
        );
        let old: Settings = serde_json::from_str(&json).expect("old settings load");
        assert_eq!(
            gen2::resolve_style(&old.style).as_deref(),
            Some(v2),
            "{saved}"
        );
        let mut now = old.clone();
        now.style = v2.into();
        let a = arrange::generate(&old).expect("old");
        let b = arrange::generate(&now).expect("now");
        assert_eq!(a.clip.chords, b.clip.chords, "{saved} plays as {v2}");
        assert!(
            a.clip.provenance.engine.contains(chords2::CHORDS2_MODEL_ID),
            "{}",
            a.clip.provenance.engine
        );
    }
}
