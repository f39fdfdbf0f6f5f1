//! Melody model v2 without a backend: Rust features equal Python's on a held-out sequence
//! (models/melody/golden.json), chord context, register placement, config and index checks.

use bandmate_engine::chord::{Chord, Quality};
use bandmate_engine::model::melody::{self, ChordCtx, Cond};
use bandmate_engine::model::{self, ModelKind};
use bandmate_engine::originality::{self, Index, Track};
use bandmate_engine::theory::{Key, Mode, PitchClass};

fn models() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("models")
        .join("melody")
}

fn json(name: &str) -> serde_json::Value {
    let p = models().join(name);
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).expect("json")
}

fn int(v: &serde_json::Value) -> i64 {
    v.as_i64().expect("int")
}

#[test]
fn rust_features_match_python_on_a_held_out_sequence() {
    let tk = melody::melody_tokens().expect("tokens");
    let g = json("golden.json");
    let q = &g["sequence"];
    let bar16 = int(&q["bar16"]) as u32;
    let bars = int(&q["bars"]) as u32;
    let idx = |list: &[String], v: &serde_json::Value| {
        list.iter()
            .position(|x| v == x.as_str())
            .unwrap_or_else(|| panic!("{v} not in tokens.json"))
    };
    let notes: Vec<(u32, u32, Option<i32>)> = q["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| {
            (
                int(&n[0]) as u32,
                int(&n[1]) as u32,
                n[2].as_i64().map(|r| r as i32),
            )
        })
        .collect();
    let rels: Vec<i32> = notes.iter().filter_map(|n| n.2).collect();
    let (shift, register) = melody::register_of(&rels).expect("notes");
    assert_eq!(i64::from(shift), int(&q["register_shift"]));
    let c = Cond {
        mode: idx(&tk.modes, &q["mode"]),
        meter: idx(&tk.meters, &q["meter"]),
        style: tk.style_index(q["style"].as_str().expect("style")),
        section: tk.section_index(q["section"].as_str().expect("section")),
        register,
    };
    let chords = q["chords"].as_array().expect("chords");
    let chord_at = |t: u32| {
        chords
            .iter()
            .find(|c| int(&c[0]) as u32 <= t && t < (int(&c[0]) + int(&c[1])) as u32)
            .map(|c| ChordCtx {
                root: c[2].as_i64().map(|r| r as u8),
                mask: int(&c[3]) as u16,
                bass: c[4].as_i64().map(|b| b as u8),
            })
            .unwrap_or_default()
    };
    let xs = q["x"].as_array().expect("x");
    let mut prev = None;
    let mut i = 0;
    for (st, du, rel) in notes {
        let (mut t, mut left) = (st, du);
        while left > 0 {
            let d = left.min(tk.nb() as u32);
            let x = tk.features(prev, t % bar16, bars - 1 - t / bar16, chord_at(t), c);
            let want: Vec<i64> = xs[i].as_array().expect("row").iter().map(int).collect();
            assert_eq!(x.to_vec(), want, "step {i}");
            let tok = rel.map_or(tk.rest(), |r| tk.pitch_token(r + shift));
            prev = Some((tok, d as usize - 1));
            t += d;
            left -= d;
            i += 1;
        }
    }
    assert_eq!(i, xs.len(), "every step compared");
}

#[test]
fn chord_context_is_key_relative() {
    // A7 with C# in the bass in D major: root 7, tones 7/11/2/5, bass 11.
    let key = Key::new(PitchClass::new(2), Mode::Major);
    let mut a7 = Chord::new(PitchClass::new(9), Quality::Dominant7);
    a7.bass = Some(PitchClass::new(1));
    let c = ChordCtx::of(&a7, key);
    assert_eq!(c.root, Some(7));
    assert_eq!(c.mask, (1 << 7) | (1 << 11) | (1 << 2) | (1 << 5));
    assert_eq!(c.bass, Some(11));
    // The same chord in another key gives another context; a bass on the root is no bass.
    let mut d = Chord::new(PitchClass::new(2), Quality::Major);
    d.bass = Some(PitchClass::new(2));
    let c = ChordCtx::of(&d, key);
    assert_eq!((c.root, c.mask, c.bass), (Some(0), 0b1001_0001, None));
}

#[test]
fn placement_puts_the_register_at_the_middle_of_the_range() {
    for t in 0..12 {
        let key = Key::new(PitchClass::new(t), Mode::NaturalMinor);
        for center in [50, 60, 67, 72, 81] {
            let (base, reg) = melody::placement(key, center);
            assert_eq!(base + reg as i32, center);
            assert!(reg < 12);
            assert_eq!((base - t).rem_euclid(12), 0, "base is a tonic");
        }
    }
}

#[test]
fn config_names_the_tokens_and_indexes_it_ships_with() {
    let cfg = json("config.json");
    assert_eq!(cfg["id"], model::model_id(ModelKind::Melody));
    assert_eq!(cfg["id"], "bandmate-melody@2");
    assert_eq!(cfg["vocab_hash"], melody::tokens_hash().as_str());
    let bytes = std::fs::read(models().join("bandmate-melody.onnx")).expect("onnx");
    let text = std::fs::read_to_string(models().join("config.json")).expect("config");
    model::verify(ModelKind::Melody, &text, &bytes).expect("config verifies");
    // Style names of the tokens reach the engine's style index.
    let tk = melody::melody_tokens().expect("tokens");
    for (i, s) in tk.styles.iter().enumerate() {
        assert_eq!(tk.style_index(s), i);
    }
    assert_eq!(tk.style_index("R&B"), tk.style_index("soul"));
    assert_eq!(tk.style_index("no such style"), tk.style_index("pop"));
    for t in [Track::Melody, Track::Chords] {
        let ix = originality::shipped(t).expect("index checks out");
        assert!(ix.len() > 1000, "{t:?} index has {} entries", ix.len());
    }
}

#[test]
fn copied_events_are_counted_and_unrelated_ones_are_not() {
    use bandmate_engine::clip::Note;
    let tune: Vec<Note> = [60, 62, 64, 65, 67, 65, 64, 62, 60, 59, 60, 67, 72, 71]
        .iter()
        .enumerate()
        .map(|(i, &p)| Note::new(i as u32 * 240, 240 + 120 * (i as u32 % 3), p, 90))
        .collect();
    let ix = Index::build(4, &[originality::melody_events(&tune)]);
    // The tune moved up a fourth is still the same 13 events.
    let moved: Vec<Note> = tune
        .iter()
        .map(|n| Note::new(n.start, n.duration, i32::from(n.pitch.as_int()) + 5, 90))
        .collect();
    assert_eq!(ix.longest_run(&originality::melody_events(&moved)), 13);
    // Same pitches, other rhythm: nothing shared.
    let other: Vec<Note> = tune
        .iter()
        .map(|n| Note::new(n.start * 2, 480, i32::from(n.pitch.as_int()), 90))
        .collect();
    assert_eq!(ix.longest_run(&originality::melody_events(&other)), 0);
}
