//! Personal styles with the real chord and melody models on native ONNX Runtime (started by
//! native_backend.rs; skipped with a printed reason without it): "like" 0 is the base output byte
//! for byte, the n-gram prior lowers the likelihood cost of the songs it learned, and a learned
//! jazz vocabulary shows up in generated chords.

#[path = "native_backend.rs"]
mod native_backend;

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::chord::Chord;
use bandmate_engine::clip::{Clip, Note, Part, PartKind, Provenance};
use bandmate_engine::model::{self, ChordRequest, ScoredChord};
use bandmate_engine::personal::{self, Personal, PersonalStyle};
use bandmate_engine::theory::{Key, Meter};
use bandmate_engine::{smf, tokens};
use native_backend::native;
use std::sync::atomic::AtomicBool;

/// ii7-V7-Imaj7-VI7 turnarounds in several keys as block chords, one chord per bar.
/// A new folder per call: the tests of this file run in parallel.
fn jazz_folder() -> std::path::PathBuf {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!(
        "bandmate-personal-native-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    for (i, key) in ["C", "F", "Bb", "Eb", "G", "D"].iter().enumerate() {
        let k: Key = format!("{key} major").parse().expect("key");
        let names = ["Dm7", "G7", "Cmaj7", "A7"];
        let mut notes = Vec::new();
        let mut chords = Vec::new();
        for bar in 0..16u32 {
            let c: Chord = names[bar as usize % 4].parse().expect("chord");
            let c = Chord::new(c.root.transpose(k.tonic.index() as i32), c.quality);
            for (j, pc) in c.pitch_classes().iter().enumerate() {
                let p = 48 + pc.index() as i32 + if j == 0 { -12 } else { 0 };
                notes.push(Note::new(bar * 1920, 1920, p, 80));
            }
            chords.push(c);
        }
        let clip = Clip {
            tempo_bpm: 140.0,
            meter: Meter::COMMON,
            key: k,
            bars: 16,
            chords: Vec::new(),
            parts: vec![Part::new(PartKind::Keys, notes)],
            provenance: Provenance::default(),
            sections: Vec::new(),
        };
        std::fs::write(
            d.join(format!("tune{i}.mid")),
            smf::write(&clip).expect("write"),
        )
        .expect("write");
    }
    d
}

fn style() -> PersonalStyle {
    let l = personal::learn(
        &jazz_folder(),
        "jazz",
        &AtomicBool::new(false),
        |_, _, _| {},
    )
    .expect("learn");
    PersonalStyle::new(l.profile).expect("style")
}

fn all_parts() -> Settings {
    let mut s = Settings {
        source: Source::Model,
        bars: 8,
        seed: 21,
        complexity: 1.0,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    s
}

/// 16 bars of 4/4, style pop, complexity 1 (all qualities), temperature 1.
fn jazz_request(key: Key, seed: u64) -> ChordRequest {
    ChordRequest {
        key,
        meter: Meter::COMMON,
        bars: 16,
        style: "pop".into(),
        complexity: 1.0,
        temperature: 1.0,
        top_p: 0.95,
        seed,
    }
}

#[test]
fn like_zero_is_byte_for_byte_the_base_models() {
    if !native() {
        return;
    }
    let st = style();
    let s = all_parts();
    let base = arrange::generate(&s).expect("base");
    assert!(base.notices.is_empty(), "{:?}", base.notices);
    let zero = arrange::generate_with(
        &s,
        Some(Personal {
            style: &st,
            like: 0.0,
        }),
    )
    .expect("0");
    assert_eq!(
        smf::write(&zero.clip).expect("w"),
        smf::write(&base.clip).expect("w")
    );
    let p = Some(Personal {
        style: &st,
        like: 0.8,
    });
    let a = arrange::generate_with(&s, p).expect("0.8").clip;
    let b = arrange::generate_with(&s, p).expect("0.8").clip;
    assert_eq!(smf::write(&a).expect("w"), smf::write(&b).expect("w"));
    assert!(
        a.provenance.engine.contains("+personal(jazz@"),
        "{}",
        a.provenance.engine
    );
    assert_ne!(a.chords, base.clip.chords);
}

#[test]
fn the_prior_lowers_the_cost_of_learned_songs_and_brings_their_chords() {
    if !native() {
        return;
    }
    let st = style();
    let v = tokens::vocab().expect("vocab");
    let key: Key = "C major".parse().expect("key");
    let req = jazz_request(key, 3);
    let events: Vec<ScoredChord> = (0..16)
        .map(|i| {
            let c: Chord = ["Dm7", "G7", "Cmaj7", "A7"][i % 4].parse().expect("chord");
            ScoredChord {
                token: v.token_for_chord(&c, key),
                duration: 15,
            }
        })
        .collect();
    let nll = |p: Option<f32>| -> f64 {
        let prior = p.map(|a| st.chord_prior(a));
        let r = match &prior {
            Some(pr) => model::score_chords(&req, &events, Some(pr)),
            None => model::score_chords(&req, &events, None),
        };
        r.expect("score").iter().sum::<f64>() / events.len() as f64
    };
    let (base, half, zero) = (nll(None), nll(Some(0.5)), nll(Some(0.0)));
    assert_eq!(zero, base);
    assert!(
        half < 0.7 * base,
        "adapted {half:.3} vs base {base:.3} nats/event"
    );
    // At full amount nearly every generated chord is one of the learned four (transposed to C).
    let prior = st.chord_prior(1.0);
    let chords = model::generate_chords_with(&req, Some(&prior)).expect("chords");
    let learned = ["Dm7", "G7", "Cmaj7", "A7"];
    let hits = chords
        .iter()
        .filter(|c| learned.contains(&c.chord.to_string().as_str()))
        .count();
    assert!(
        hits * 10 >= chords.len() * 8,
        "{:?}",
        chords
            .iter()
            .map(|c| c.chord.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn chord_model_v2_takes_the_learned_chords_through_the_mapped_prior() {
    if !native() {
        return;
    }
    use bandmate_engine::model::chords2::sample::{self, Chords2Request};
    use bandmate_engine::progression::HarmonicRhythm;
    let st = style();
    let key: Key = "C major".parse().expect("key");
    let req = jazz_request(key, 3);
    let req2 = Chords2Request {
        base: &req,
        section: sample::LOOP_SECTION,
        harmonic_rhythm: HarmonicRhythm::Bar,
    };
    let base = sample::generate(&req2).expect("base");
    let zero = sample::generate_with(&req2, Some(&st.chord_prior(0.0))).expect("0");
    assert_eq!(zero, base, "amount 0 is the base model exactly");
    // At full amount nearly every chord is one of the learned four, heard the v1 way (a Dm9
    // counts as the learned Dm7).
    let v1 = tokens::vocab().expect("vocab v1");
    let learned: Vec<usize> = ["Dm7", "G7", "Cmaj7", "A7"]
        .iter()
        .map(|n| v1.token_for_chord(&n.parse::<Chord>().expect("chord"), key))
        .collect();
    let heard = |c: &bandmate_engine::clip::ChordEvent| {
        learned.contains(&v1.token_for_chord(&c.chord, key))
    };
    let mut all = Vec::new();
    for seed in 0..6 {
        let r = jazz_request(key, seed);
        let r2 = Chords2Request { base: &r, ..req2 };
        all.extend(sample::generate_with(&r2, Some(&st.chord_prior(1.0))).expect("1"));
    }
    let hits = all.iter().filter(|c| heard(c)).count();
    let base_hits = base.iter().filter(|c| heard(c)).count();
    assert!(
        hits * 10 >= all.len() * 8,
        "{hits} of {}: {:?}",
        all.len(),
        all.iter().map(|c| c.chord.to_string()).collect::<Vec<_>>()
    );
    assert!(
        base_hits * 10 < base.len() * 8,
        "the base model alone already plays the learned chords: the test would not show the prior"
    );
}
