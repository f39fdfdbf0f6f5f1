//! Chord vocabulary v2: the nearest-quality rule agrees with the Python readers (same examples
//! from models/vocab-v2.json), and every vocabulary chord survives parse -> voice -> play ->
//! recognise and symbol -> parse.

use bandmate_engine::chord::{Chord, Quality};
use bandmate_engine::clip::{ChordEvent, TICKS_PER_QUARTER};
use bandmate_engine::model::vocab2::{vocab2, vocab2_hash, Vocab2, VOCAB2_JSON};
use bandmate_engine::parts::{bass, chords, PartContext};
use bandmate_engine::recognize::recognize;
use bandmate_engine::theory::{Key, Meter};

fn v() -> &'static Vocab2 {
    vocab2().expect("vocab-v2.json parses")
}

#[test]
fn embedded_file_is_the_one_on_disk() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/vocab-v2.json");
    assert_eq!(std::fs::read_to_string(p).expect("file"), VOCAB2_JSON);
    assert_eq!(vocab2_hash().len(), 64);
}

#[test]
fn nearest_rule_matches_the_shared_examples() {
    assert!(v().examples.len() >= 10);
    for (ivs, want) in &v().examples {
        let (i, _) = v().nearest(ivs);
        assert_eq!(&v().names[i], want, "{ivs:?}");
    }
}

#[test]
fn every_vocabulary_quality_is_exact_and_required_ones_exist() {
    for (i, q) in v().qualities.iter().enumerate() {
        assert_eq!(v().nearest(q.intervals()), (i, true), "{}", v().names[i]);
    }
    for name in [
        "maj", "min", "dim", "aug", "sus2", "sus4", "5", "6", "m6", "7", "maj7", "m7", "m7b5",
        "dim7", "mmaj7", "9", "maj9", "m9", "11", "13", "7b9", "7#9", "add9",
    ] {
        assert!(v().names.iter().any(|n| n == name), "{name} missing");
    }
    assert!(v().qualities.contains(&Quality::Power));
}

#[test]
fn tokens_round_trip_in_every_key() {
    for tonic in 0..12 {
        let key = Key::new(
            bandmate_engine::theory::PitchClass::new(tonic),
            bandmate_engine::theory::Mode::Major,
        );
        for name in &v().names {
            for root in 0..12u8 {
                for bass in [None, Some(4u8), Some(7u8)] {
                    let tok = match bass {
                        Some(b) => format!("{root}:{name}/{b}"),
                        None => format!("{root}:{name}"),
                    };
                    let chord = v().chord(&tok, key).expect("token").expect("chord");
                    assert_eq!(v().token(chord, key), tok);
                    let sym = chord.symbol(false);
                    assert_eq!(sym.parse::<Chord>().expect("symbol parses"), chord, "{sym}");
                }
            }
        }
    }
    assert!(v()
        .chord("3:wobble", "C major".parse::<Key>().expect("key"))
        .is_err());
    assert!(v()
        .chord("12:maj", "C major".parse::<Key>().expect("key"))
        .is_err());
}

/// Each vocabulary chord (root C, root position and first inversion) played by the chord and bass
/// parts and recognised from the sounding notes gives the same pitch classes and bass. Chords of
/// up to four tones are played with four voices (complexity 0), larger ones with five.
#[test]
fn every_vocabulary_chord_is_voiced_played_and_recognised() {
    play_and_recognise(|n| n <= 4, 0.0);
    play_and_recognise(|n| n > 4, 1.0);
}

fn play_and_recognise(size: fn(usize) -> bool, complexity: f32) {
    let key: Key = "C major".parse().expect("key");
    let meter = Meter::COMMON;
    let bar = meter.bar_ticks(TICKS_PER_QUARTER);
    let mut track = Vec::new();
    let mut n = 0u32;
    for (name, q) in v().names.iter().zip(&v().qualities) {
        if !size(q.intervals().len()) {
            continue;
        }
        let inversion = format!("/{}", q.intervals()[1] % 12);
        for bass in ["", inversion.as_str()] {
            let chord = v()
                .chord(&format!("0:{name}{bass}"), key)
                .expect("token")
                .expect("chord");
            track.push(ChordEvent {
                start: n * bar,
                duration: bar,
                chord,
                roman: None,
            });
            n += 1;
        }
    }
    let ctx = |style| PartContext {
        key,
        meter,
        bars: track.len() as u32,
        chords: &track,
        style,
        density: 0.5,
        complexity,
        octave: 0,
        seed: 7,
    };
    let upper = chords::generate(&ctx("close")).expect("chord part");
    let low = bass::generate(&ctx("root")).expect("bass part");
    for ev in &track {
        let sounding: Vec<u8> = upper
            .iter()
            .chain(&low)
            .filter(|n| n.start >= ev.start && n.start < ev.end())
            .map(|n| u8::from(n.pitch))
            .collect();
        let bass_note = low
            .iter()
            .filter(|n| n.start == ev.start)
            .map(|n| u8::from(n.pitch))
            .min()
            .expect("bass note on the chord");
        assert_eq!(bass_note % 12, ev.chord.bass_pc().index(), "{}", ev.chord);
        let got = recognize(&sounding).expect("recognised").chord;
        let sounding_mask = sounding.iter().fold(0u16, |m, p| m | 1 << (p % 12));
        // Five voices leave out the fifth of six-note chords: the recognised chord must hold
        // every sounding note and name the same bass.
        assert_eq!(
            got.mask() & sounding_mask,
            sounding_mask,
            "{} -> {got}",
            ev.chord
        );
        assert_eq!(got.bass_pc(), ev.chord.bass_pc(), "{} -> {got}", ev.chord);
        if ev.chord.quality.intervals().len() <= 5 {
            assert_eq!(got.mask(), ev.chord.mask(), "{} -> {got}", ev.chord);
        }
    }
}

#[test]
fn old_style_names_still_resolve() {
    for old in ["pop", "folk", "chorale"] {
        assert!(v().style(old).is_some(), "{old}");
    }
    assert_eq!(v().style("jazz-swing"), Some("jazz-swing"));
    assert_eq!(v().style("no-such-style"), None);
}
