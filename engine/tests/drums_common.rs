//! Shared checks for the drum model tests (included by drums_tract.rs and drums_native.rs with
//! `#[path]`; compiled alone it has no tests).
#![allow(dead_code)]

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::{PartKind, TICKS_PER_QUARTER};
use bandmate_engine::drums::grid;
use bandmate_engine::model::{self, drums as dm};
use bandmate_engine::smf;
use bandmate_engine::theory::Meter;
use std::time::Instant;

fn golden() -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/drums/golden.json");
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

/// Rust logits (active backend) match Python onnxruntime's golden logits within 1e-4.
pub fn parity() {
    let g = golden();
    let steps = g["steps"].as_array().expect("steps");
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
    let outs = dm::run_steps(&xs).expect("run_steps");
    assert_eq!(outs.len(), steps.len());
    let mut worst = 0.0f64;
    for (s, o) in steps.iter().zip(&outs) {
        for (name, got) in [
            ("hits_slot0", &o.hits[..512]),
            ("hits_slot6", &o.hits[6 * 512..7 * 512]),
            ("vel", &o.vel[..]),
            ("off", &o.off[..]),
        ] {
            let want = floats(&s[name]);
            assert_eq!(want.len(), got.len(), "{name}");
            for (a, b) in want.iter().zip(got) {
                worst = worst.max((a - *b as f64).abs());
            }
        }
        let sum: f64 = o.hits.iter().map(|&v| v as f64).sum();
        let want = s["hits_sum"].as_f64().expect("sum");
        assert!(
            (sum - want).abs() < 0.05 + want.abs() * 1e-5,
            "hits sum {sum} vs {want}"
        );
    }
    println!(
        "drum parity on {}: max |diff| {worst:e}",
        model::backend_name()
    );
    assert!(worst < 1e-4, "max |diff| {worst}");
}

fn settings(style: &str, meter: Meter, bars: u32, seed: u64) -> Settings {
    let mut s = Settings {
        meter,
        bars,
        seed,
        source: Source::Model,
        ..Settings::default()
    };
    s.enable_only(&[PartKind::Drums, PartKind::Bass]);
    if let Some(p) = s.part_mut(PartKind::Drums) {
        p.style = style.into();
    }
    s
}

/// Model drum parts: channel 10, every hit inside the clip with its note-off, fills and crashes
/// from the model, the provenance names the model and its data; same seed same bytes.
pub fn parts_valid() {
    for style in ["funk", "rock", "jazz", "bossa", "boom-bap", "soul"] {
        for meter in [Meter::COMMON, Meter::new(3, 4).expect("3/4")] {
            let s = settings(style, meter, 8, 11);
            let a = arrange::generate(&s).expect("generate");
            assert!(a.notices.is_empty(), "{style}: {:?}", a.notices);
            assert!(
                a.clip
                    .provenance
                    .engine
                    .contains("drums=model(bandmate-drums@1, Groove MIDI Dataset"),
                "{}",
                a.clip.provenance.engine
            );
            let d = a.clip.part(PartKind::Drums).expect("drums");
            assert_eq!(d.channel.as_int(), 9, "GM channel 10");
            assert!(
                d.notes.len() > 8 * 4,
                "{style} {meter}: {} hits",
                d.notes.len()
            );
            let len = a.clip.length_ticks();
            for n in &d.notes {
                assert!(n.start < len && n.end() <= len && n.duration > 0, "{n:?}");
                assert!(grid::class_of(n.pitch.as_int()).is_some(), "{n:?}");
            }
            let bytes = smf::write(&a.clip).expect("smf");
            let again = smf::write(&arrange::generate(&s).expect("again").clip).expect("smf");
            assert_eq!(bytes, again, "same seed, same bytes");
            // Every note-on has its note-off on channel 10 in the written file.
            let on = grid::read_onsets(&bytes).expect("parse back");
            assert!(on.len() >= d.notes.len());
            let other = arrange::generate(&settings(style, meter, 8, 12)).expect("seed 12");
            assert_ne!(
                other.clip.part(PartKind::Drums).map(|p| &p.notes),
                Some(&d.notes),
                "another seed, another part"
            );
        }
    }
}

/// Generated hits never leave their bar and never start before 0; fills come on phrase ends.
pub fn hits_stay_in_bars() {
    let m = dm::shared().expect("drum model");
    let mut m = m.lock().expect("lock");
    let mut fills_busier = 0;
    for (style, seed) in [("funk", 1), ("jazz", 2), ("rock", 3), ("latin", 4)] {
        let req = dm::DrumRequest {
            style,
            meter: Meter::COMMON,
            bars: 8,
            tempo_bpm: 100.0,
            density: 0.5,
            fill_every: 4,
            temperature: 1.0,
            top_p: 0.95,
            seed,
        };
        let bars = dm::generate(&mut m, &req).expect("generate");
        assert_eq!(bars.len(), 8);
        let notes = grid::render(&bars, 4);
        let mut i = 0;
        for (b, bar) in bars.iter().enumerate() {
            for h in bar {
                assert!((h.slot as usize) < 24 && (h.class as usize) < grid::NCLASS);
                assert!(h.offset.abs() <= 80);
            }
            let start = b as u32 * 4 * TICKS_PER_QUARTER;
            for n in &notes[i..i + bar.len()] {
                assert!(
                    n.start >= start && n.end() <= start + 4 * TICKS_PER_QUARTER,
                    "{n:?} bar {b}"
                );
            }
            i += bar.len();
        }
        let toms = |bar: &[grid::Hit]| {
            bar.iter()
                .filter(|h| (1..=6).contains(&h.class) && h.class != 2 && h.class != 3)
                .count()
        };
        if toms(&bars[3]) + toms(&bars[7]) > toms(&bars[1]) + toms(&bars[5]) {
            fills_busier += 1;
        }
    }
    assert!(
        fills_busier >= 3,
        "fill bars carry more snare/tom hits in most styles"
    );
}

/// Time of an 8-bar drum part (printed; targets live in `cargo xtask eval drums`).
pub fn timing() {
    let m = dm::shared().expect("drum model");
    let mut m = m.lock().expect("lock");
    let req = dm::DrumRequest {
        style: "funk",
        meter: Meter::COMMON,
        bars: 8,
        tempo_bpm: 100.0,
        density: 0.5,
        fill_every: 4,
        temperature: 1.0,
        top_p: 0.95,
        seed: 5,
    };
    dm::generate(&mut m, &req).expect("warm-up");
    let x = dm::features(0, false, 0, 2, 2, 0, grid::Feel::Straight, &[]);
    let mut h = vec![0.0f32; m.state_len()];
    let t = Instant::now();
    for _ in 0..40 {
        m.step(&x, &mut h).expect("step");
    }
    println!(
        "TIMING drums {}: {:.3} ms per model call",
        model::backend_name(),
        t.elapsed().as_secs_f64() * 1000.0 / 40.0
    );
    let t = Instant::now();
    for _ in 0..10 {
        dm::generate(&mut m, &req).expect("generate");
    }
    println!(
        "TIMING drums {}: {:.3} ms per 8-bar part",
        model::backend_name(),
        t.elapsed().as_secs_f64() * 100.0
    );
}
