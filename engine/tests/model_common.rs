//! Shared checks for the model tests (included by model_tract.rs and model_native.rs with
//! `#[path]`; compiled alone it has no tests).
#![allow(dead_code)]

use bandmate_engine::chord::Quality;
use bandmate_engine::clip::{ChordEvent, Note, TICKS_PER_QUARTER};
use bandmate_engine::model::{self, ChordRequest, MelodyRequest, ModelKind};
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use midly::num::u7;
use std::time::Instant;

pub fn models_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("models")
}

fn golden(kind: ModelKind) -> serde_json::Value {
    let name = match kind {
        ModelKind::Chords => "chords",
        ModelKind::Melody => "melody",
    };
    let p = models_dir().join(name).join("golden.json");
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

/// Logits from Rust (active backend) match Python onnxruntime's golden logits within 1e-4.
pub fn parity(kind: ModelKind) {
    let g = golden(kind);
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
    let outs = model::run_steps(kind, &xs).expect("run_steps");
    let mut worst = 0.0f64;
    for (s, o) in steps.iter().zip(&outs) {
        let la = floats(&s["logits_a"]);
        assert_eq!(la.len(), o.logits_a.len());
        for (a, b) in la.iter().zip(&o.logits_a) {
            worst = worst.max((a - *b as f64).abs());
        }
        let row = s["row"].as_u64().expect("row") as usize;
        let lb = floats(&s["logits_b_row"]);
        let nb = lb.len();
        for (a, b) in lb.iter().zip(&o.logits_b[row * nb..(row + 1) * nb]) {
            worst = worst.max((a - *b as f64).abs());
        }
        let sum: f64 = o.logits_b.iter().map(|x| *x as f64).sum();
        let gs = s["logits_b_sum"].as_f64().expect("sum");
        assert!(
            (sum - gs).abs() <= 1e-3 * gs.abs().max(1.0),
            "logits_b sum {sum} vs golden {gs}"
        );
    }
    println!(
        "{kind:?} on {}: max |logit diff| vs Python onnxruntime = {worst:.2e}",
        model::backend_name()
    );
    assert!(worst <= 1e-4, "max |diff| {worst}");
}

pub const METERS: [(u8, u8); 9] = [
    (4, 4),
    (3, 4),
    (2, 4),
    (6, 8),
    (2, 2),
    (3, 8),
    (12, 8),
    (5, 4),
    (7, 8),
];

pub fn cases() -> Vec<(Key, Meter)> {
    let mut v = Vec::new();
    for t in 0..12 {
        for (mi, mode) in Mode::ALL.iter().enumerate() {
            let (n, d) = METERS[(t + mi) % METERS.len()];
            v.push((
                Key::new(PitchClass::new(t as i32), *mode),
                Meter::new(n, d).expect("meter"),
            ));
        }
    }
    v
}

pub fn chord_req(
    key: Key,
    meter: Meter,
    bars: u32,
    style: &str,
    complexity: f32,
    seed: u64,
) -> ChordRequest {
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

pub fn check_chords(req: &ChordRequest, chords: &[ChordEvent]) {
    let bar = req.meter.bar_ticks(TICKS_PER_QUARTER);
    assert!(!chords.is_empty());
    assert_eq!(chords[0].start, 0);
    for w in chords.windows(2) {
        assert_eq!(w[0].start + w[0].duration, w[1].start, "contiguous");
    }
    let last = chords.last().expect("last");
    assert_eq!(
        last.start + last.duration,
        bar * req.bars,
        "covers the clip"
    );
    for c in chords {
        assert!(c.duration > 0);
        assert_eq!(
            c.start / bar,
            (c.start + c.duration - 1) / bar,
            "no chord crosses a barline"
        );
        let allowed = model::allowed_qualities(req.complexity);
        let name = match c.chord.quality {
            Quality::Major => "maj",
            Quality::Minor => "min",
            Quality::Diminished => "dim",
            Quality::Augmented => "aug",
            Quality::Sus4 => "sus4",
            Quality::Dominant7 => "dom7",
            Quality::Major7 => "maj7",
            Quality::Minor7 => "min7",
            Quality::HalfDiminished7 => "hdim7",
            Quality::Diminished7 => "dim7",
            q => panic!("unexpected quality {q:?}"),
        };
        assert!(
            allowed.contains(&name),
            "{name} not allowed at complexity {}",
            req.complexity
        );
        assert!(c.roman.is_some());
    }
}

pub fn check_melody(
    key: Key,
    meter: Meter,
    bars: u32,
    chords: &[ChordEvent],
    low: u8,
    high: u8,
    notes: &[Note],
) {
    let total = meter.bar_ticks(TICKS_PER_QUARTER) * bars;
    assert!(!notes.is_empty(), "some notes");
    for w in notes.windows(2) {
        assert!(
            w[0].start + w[0].duration <= w[1].start,
            "sorted and non-overlapping"
        );
    }
    for n in notes {
        assert!(
            n.duration > 0 && n.start + n.duration <= total,
            "inside the clip"
        );
        let p = n.pitch.as_int();
        assert!(
            (low..=high).contains(&p),
            "pitch {p} outside {low}..={high}"
        );
        let pc = PitchClass::new(p as i32);
        let chord = chords
            .iter()
            .find(|c| c.start <= n.start && n.start < c.start + c.duration);
        let ok = key.contains(pc) || chord.is_some_and(|c| c.chord.mask() & (1 << pc.index()) != 0);
        assert!(ok, "pitch {p} neither in {key:?} nor in the chord");
    }
}

/// Every key, mode and meter (each key x mode once, meters cycling): valid chord tracks and melodies.
pub fn generation_valid() {
    for (i, (key, meter)) in cases().into_iter().enumerate() {
        let style = ["chorale", "folk", "pop"][i % 3];
        let complexity = [0.1, 0.5, 0.9][i % 3];
        let bars = [2, 4, 3][i % 3];
        let req = chord_req(key, meter, bars, style, complexity, i as u64);
        let chords = model::generate_chords(&req).expect("chords");
        check_chords(&req, &chords);
        let (low, high) = ([55u8, 60, 48][i % 3], [79u8, 84, 67][i % 3]);
        let mreq = MelodyRequest {
            key,
            meter,
            bars,
            chords: &chords,
            low: u7::new(low),
            high: u7::new(high),
            temperature: 1.0,
            top_p: 0.95,
            seed: i as u64,
            prime: &[],
        };
        let notes = model::generate_melody(&mreq).expect("melody");
        check_melody(key, meter, bars, &chords, low, high, &notes);
    }
}

/// Same seed, same output; other seeds give other output.
pub fn determinism() {
    let key = Key::new(PitchClass::new(2), Mode::Major);
    let meter = Meter::COMMON;
    let a = model::generate_chords(&chord_req(key, meter, 8, "pop", 0.5, 42)).expect("a");
    let b = model::generate_chords(&chord_req(key, meter, 8, "pop", 0.5, 42)).expect("b");
    assert_eq!(a, b);
    let differs = (43..48)
        .any(|s| model::generate_chords(&chord_req(key, meter, 8, "pop", 0.5, s)).expect("c") != a);
    assert!(
        differs,
        "different seeds should give different progressions"
    );
    let prime = [Note::new(0, 480, 62, 90), Note::new(480, 480, 66, 90)];
    let mk = |seed| MelodyRequest {
        key,
        meter,
        bars: 8,
        chords: &a,
        low: u7::new(60),
        high: u7::new(79),
        temperature: 0.9,
        top_p: 0.9,
        seed,
        prime: &prime,
    };
    let m1 = model::generate_melody(&mk(7)).expect("m1");
    let m2 = model::generate_melody(&mk(7)).expect("m2");
    assert_eq!(m1, m2);
    assert_eq!(&m1[..2], &prime, "prime notes are kept and continued");
    check_melody(key, meter, 8, &a, 60, 79, &m1[2..]);
}

/// Per-step latency (printed; numbers go into the model cards).
pub fn timing() {
    for kind in [ModelKind::Chords, ModelKind::Melody] {
        let g = golden(kind);
        let x: Vec<i64> = g["steps"][0]["x"]
            .as_array()
            .expect("x")
            .iter()
            .map(|v| v.as_i64().expect("i"))
            .collect();
        let xs: Vec<Vec<i64>> = (0..200).map(|_| x.clone()).collect();
        model::run_steps(kind, &xs[..5]).expect("warm-up");
        let t = Instant::now();
        model::run_steps(kind, &xs).expect("steps");
        let ms = t.elapsed().as_secs_f64() * 1000.0 / xs.len() as f64;
        println!("TIMING {kind:?} {}: {ms:.3} ms/step", model::backend_name());
    }
    let key = Key::new(PitchClass::new(0), Mode::Major);
    let t = Instant::now();
    let chords =
        model::generate_chords(&chord_req(key, Meter::COMMON, 8, "pop", 0.5, 1)).expect("chords");
    let tc = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let mreq = MelodyRequest {
        key,
        meter: Meter::COMMON,
        bars: 8,
        chords: &chords,
        low: u7::new(60),
        high: u7::new(79),
        temperature: 1.0,
        top_p: 0.95,
        seed: 1,
        prime: &[],
    };
    let notes = model::generate_melody(&mreq).expect("melody");
    let tm = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "TIMING 8 bars 4/4 on {}: chords {} events in {tc:.1} ms, melody {} notes in {tm:.1} ms",
        model::backend_name(),
        chords.len(),
        notes.len()
    );
}

/// A fixed I-V-vi-IV track, one chord a bar (independent of the chord model).
pub fn pop_track(key: Key, bars: u32) -> Vec<ChordEvent> {
    use bandmate_engine::chord::Chord;
    let bar = Meter::COMMON.bar_ticks(TICKS_PER_QUARTER);
    let t = key.tonic.index() as i32;
    let prog = [
        (0, Quality::Major),
        (7, Quality::Major),
        (9, Quality::Minor),
        (5, Quality::Major),
    ];
    (0..bars)
        .map(|b| {
            let (r, q) = prog[b as usize % 4];
            ChordEvent {
                start: b * bar,
                duration: bar,
                chord: Chord::new(PitchClass::new(t + r), q),
                roman: None,
            }
        })
        .collect()
}

fn melody_req<'a>(
    key: Key,
    chords: &'a [ChordEvent],
    low: u8,
    high: u8,
    seed: u64,
) -> MelodyRequest<'a> {
    MelodyRequest {
        key,
        meter: Meter::COMMON,
        bars: 8,
        chords,
        low: u7::new(low),
        high: u7::new(high),
        temperature: 1.0,
        top_p: 0.95,
        seed,
        prime: &[],
    }
}

/// The median pitch of the melodies lies within 3 semitones of the middle of the range, for
/// ranges from low to high registers, in several keys and styles.
pub fn melody_centered() {
    use bandmate_engine::model::melody::{self, MelodyCond};
    for (i, (low, high)) in [(48u8, 67u8), (55, 79), (60, 79), (62, 86), (67, 88)]
        .into_iter()
        .enumerate()
    {
        let mut pitches = Vec::new();
        for seed in 0..6u64 {
            let key = Key::new(
                PitchClass::new((seed as i32 * 5 + i as i32) % 12),
                Mode::Major,
            );
            let chords = pop_track(key, 8);
            let style = ["pop", "rock", "soul", "cpop-ballad", "folk", "funk"][seed as usize];
            let cond = MelodyCond {
                style,
                section: "chorus",
            };
            let notes = melody::generate(&melody_req(key, &chords, low, high, seed), cond, None)
                .expect("melody");
            check_melody(key, Meter::COMMON, 8, &chords, low, high, &notes);
            pitches.extend(notes.iter().map(|n| n.pitch.as_int() as i32));
        }
        pitches.sort_unstable();
        let median = pitches[pitches.len() / 2];
        let middle = (low as i32 + high as i32) / 2;
        println!("range {low}..{high}: median {median}, middle {middle}");
        assert!(
            (median - middle).abs() <= 3,
            "range {low}..{high}: median {median} far from the middle {middle}"
        );
    }
}

/// A melody copied from an indexed song is detected and sampled again; one unrelated to the
/// indexed songs passes on the first try.
pub fn originality_guard() {
    use bandmate_engine::model::{guard, melody::MelodyCond};
    use bandmate_engine::originality::{self, Index};
    let key = Key::new(PitchClass::new(7), Mode::Major);
    let chords = pop_track(key, 8);
    let req = melody_req(key, &chords, 60, 81, 11);
    let cond = MelodyCond::default();
    let plain = guard::generate(&req, cond, None, None, 8).expect("melody");
    assert_eq!(plain.run, None);
    let events = originality::melody_events(&plain.notes);
    assert!(events.len() > 12, "a melody long enough to copy");
    // An index holding this very melody (as if it were a training song).
    let copied = Index::build(4, &[vec![1, 2, 3, 4, 5], events.clone()]);
    assert_eq!(copied.longest_run(&events), events.len(), "copy detected");
    let g = guard::generate(&req, cond, None, Some(&copied), 8).expect("guarded");
    assert!(g.tries >= 2, "resampled");
    assert!(g.within_limit && g.run.is_some_and(|r| r <= 8), "{g:?}");
    assert_ne!(g.notes, plain.notes);
    let again = guard::generate(&req, cond, None, Some(&copied), 8).expect("guarded");
    assert_eq!(again, g, "same seed, same resampling");
    // An index of unrelated material: the first melody passes unchanged.
    let fresh = Index::build(4, &[(0..40).map(|i| (7u32 << 8) | (i % 5 + 1)).collect()]);
    let f = guard::generate(&req, cond, None, Some(&fresh), 8).expect("guarded");
    assert_eq!((f.tries, f.within_limit), (1, true));
    assert_eq!(f.notes, plain.notes);
    // A limit nothing can meet: bounded tries, the least-copied melody, flagged.
    let all = Index::build(1, std::slice::from_ref(&events));
    let h = guard::generate(&req, cond, None, Some(&all), 0).expect("guarded");
    assert_eq!(h.tries, 1 + guard::RETRIES);
    assert!(!h.within_limit);
}
