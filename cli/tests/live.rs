//! `bandmate live` on hand-made performances: the response is written beside the input, the
//! bass follows held chords from the next 16th, an answer starts on the phrase boundary in key,
//! and the same input and seed give the same bytes.

use bandmate_engine::clip::{Clip, Note, Part, PartKind};
use bandmate_engine::{import, smf, Key, Meter, PitchClass};
use std::path::PathBuf;
use std::process::Command;

const BAR: u32 = 1920;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bandmate-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

fn performance(notes: Vec<Note>, bars: u32) -> PathBuf {
    let clip = Clip {
        tempo_bpm: 120.0,
        meter: Meter::COMMON,
        key: "C major".parse().expect("key"),
        bars,
        chords: Vec::new(),
        parts: vec![Part::new(PartKind::Keys, notes)],
        provenance: Default::default(),
        sections: Vec::new(),
    };
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = tmp(&format!("performance-{n}.mid"));
    std::fs::write(&path, smf::write(&clip).expect("smf")).expect("write");
    path
}

fn live(input: &PathBuf, args: &[&str], out: &PathBuf) -> Clip {
    let o = Command::new(env!("CARGO_BIN_EXE_bandmate"))
        .arg("live")
        .arg("--input")
        .arg(input)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run bandmate");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    import::import(&std::fs::read(out).expect("read")).expect("import")
}

fn track<'a>(clip: &'a Clip, name: &str) -> &'a Part {
    clip.parts
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name} track in {:?}", names(clip)))
}

fn names(clip: &Clip) -> Vec<&str> {
    clip.parts.iter().map(|p| p.name.as_str()).collect()
}

fn chord(start: u32, len: u32, pitches: &[i32]) -> Vec<Note> {
    pitches
        .iter()
        .map(|&p| Note::new(start, len, p, 90))
        .collect()
}

#[test]
fn follow_plays_the_root_of_each_held_chord_from_the_next_sixteenth() {
    // C, Am/C (an inversion) on beat 3 plus a bit, F, G7 without its fifth.
    let held = [
        (0, BAR, vec![48, 52, 55, 60], 0u8),
        (BAR + 33, BAR / 2, vec![48, 57, 64, 69], 9),
        (BAR * 3 / 2 + 200, BAR, vec![41, 57, 60, 65], 5),
        (3 * BAR, BAR, vec![43, 53, 59, 71], 7),
    ];
    let notes: Vec<Note> = held
        .iter()
        .flat_map(|(s, l, p, _)| chord(*s, *l, p))
        .collect();
    let input = performance(notes, 4);
    let out = tmp("follow.mid");
    let clip = live(&input, &["--mode", "follow", "--delay-ms", "20"], &out);
    let again = tmp("follow-again.mid");
    live(&input, &["--mode", "follow", "--delay-ms", "20"], &again);
    assert_eq!(
        std::fs::read(&out).expect("read"),
        std::fs::read(&again).expect("read"),
        "same input and seed, same bytes"
    );
    // The input stays, the response comes on tracks of its own.
    assert!(names(&clip).contains(&"keys"), "{:?}", names(&clip));
    let bass = track(&clip, "live bass");
    track(&clip, "live keys");
    track(&clip, "live drums");
    // 20 ms at 120 bpm = 20 ticks, below the 24-tick settle time: decided 24 ticks after the
    // chord, played from the next 16th (120 ticks).
    for (start, _, _, root) in &held {
        let at = (start + 24).div_ceil(120) * 120;
        let n = bass
            .notes
            .iter()
            .find(|n| n.start == at)
            .unwrap_or_else(|| panic!("no bass note at {at}"));
        assert_eq!(n.pitch.as_int() % 12, *root, "bass at {at}");
        assert!(bass.notes.iter().all(|m| m.start >= at || m.end() <= at));
    }
    assert!(bass.notes.iter().all(|n| n.start >= 120));
}

#[test]
fn an_answer_starts_on_the_boundary_and_stays_in_key() {
    // A one-bar phrase in E minor, then a bar of rest.
    let line = [64, 66, 67, 71, 69, 67, 66, 64];
    let notes: Vec<Note> = line
        .iter()
        .enumerate()
        .map(|(i, &p)| Note::new(i as u32 * 240, 200, p, 80))
        .collect();
    let input = performance(notes, 2);
    let out = tmp("answer.mid");
    let rules = ["--mode", "answer", "--phrase-bars", "1", "--rules"];
    let clip = live(&input, &rules, &out);
    let melody = track(&clip, "live melody");
    let key: Key = "E minor".parse().expect("key");
    assert_eq!(melody.notes.first().map(|n| n.start), Some(BAR));
    for n in &melody.notes {
        assert!(n.start >= BAR && n.end() <= 2 * BAR, "{n:?}");
        assert!(key.contains(PitchClass::new(i32::from(n.pitch.as_int()))));
    }
    // The answer is written a beat before the boundary, on the notes heard until then: the
    // phrase's rhythm without its last beat.
    let starts = |p: &Part| p.notes.iter().map(|n| n.start).collect::<Vec<_>>();
    let want: Vec<u32> = (0..6).map(|i| BAR + i * 240).collect();
    assert_eq!(starts(melody), want, "the phrase's rhythm");
    // Another seed may answer differently, but in the same rhythm.
    let other = live(
        &input,
        &[
            "--mode",
            "answer",
            "--phrase-bars",
            "1",
            "--rules",
            "--seed",
            "5",
        ],
        &tmp("answer-5.mid"),
    );
    assert_eq!(starts(track(&other, "live melody")), starts(melody));
}

#[test]
fn the_model_answers_on_the_boundary_in_key_and_a_held_note_makes_the_band_keep_listening() {
    // A one-bar call in A minor; the second performance holds a last note across the boundary.
    let line = [69, 72, 76, 74, 72, 71];
    let call: Vec<Note> = line
        .iter()
        .enumerate()
        .map(|(i, &p)| Note::new(i as u32 * 240, 200, p, 80))
        .collect();
    let mut going = call.clone();
    going.push(Note::new(BAR - 60, 400, 69, 80));
    let args = ["--mode", "answer", "--phrase-bars", "1"];
    let a = tmp("model-answer.mid");
    let clip = live(&performance(call, 2), &args, &a);
    let again = tmp("model-answer-again.mid");
    let input = performance(
        line.iter()
            .enumerate()
            .map(|(i, &p)| Note::new(i as u32 * 240, 200, p, 80))
            .collect(),
        2,
    );
    live(&input, &args, &again);
    assert_eq!(
        std::fs::read(&a).expect("read"),
        std::fs::read(&again).expect("read"),
        "same input and seed, same bytes (model)"
    );
    // The provenance (a text event in the file) names the model.
    let bytes = std::fs::read(&a).expect("read");
    assert!(
        bytes.windows(11).any(|w| w == b"live(model("),
        "the answer is the model's"
    );
    let melody = track(&clip, "live melody");
    let key: Key = "A minor".parse().expect("key");
    assert_eq!(melody.notes.first().map(|n| n.start), Some(BAR));
    for n in &melody.notes {
        assert!(n.start >= BAR && n.end() <= 2 * BAR, "{n:?}");
        assert!(key.contains(PitchClass::new(i32::from(n.pitch.as_int()))));
    }
    // Still playing at the boundary: the band keeps listening (no answer in bar 2).
    let held = live(&performance(going, 2), &args, &tmp("model-going.mid"));
    assert!(
        held.parts.iter().all(|p| p.name != "live melody"),
        "{:?}",
        names(&held)
    );
}

#[test]
fn an_arpeggiated_chord_is_followed_by_its_root() {
    // Am then D, each as eighth-note arpeggios (no note overlapping the next).
    let mut notes = Vec::new();
    for (at, pitches) in [(0u32, [45, 48, 52]), (BAR, [50, 54, 57])] {
        for (i, p) in pitches.iter().cycle().take(6).enumerate() {
            notes.push(Note::new(at + i as u32 * 240, 200, *p, 90));
        }
    }
    let input = performance(notes, 2);
    let clip = live(&input, &["--mode", "follow"], &tmp("arpeggio.mid"));
    let bass = track(&clip, "live bass");
    for (at, root) in [(0u32, 9u8), (BAR, 2)] {
        // Heard with the third note (two eighths in), played from the next 16th.
        let want = (at + 480 + 24).div_ceil(120) * 120;
        let n = bass
            .notes
            .iter()
            .find(|n| n.start == want)
            .unwrap_or_else(|| panic!("no bass note at {want}: {:?}", bass.notes));
        assert_eq!(n.pitch.as_int() % 12, root, "bass at {want}");
    }
}

#[test]
fn bad_arguments_are_refused() {
    let input = performance(chord(0, BAR, &[60, 64, 67]), 1);
    for args in [
        ["--phrase-bars", "3"],
        ["--mode", "jam"],
        ["--delay-ms", "-1"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_bandmate"))
            .arg("live")
            .arg("--input")
            .arg(&input)
            .args(args)
            .arg("--out")
            .arg(tmp("bad.mid"))
            .output()
            .expect("run bandmate");
        assert!(!o.status.success(), "{args:?} accepted");
    }
}
