//! A song (song form on, from a saved state) through CLAP on the bundled plugin: the host's bar
//! position runs through every section of the song, not a loop of its first bars, and a seek
//! lands in the section at that bar.

use bandmate_tests::*;
use serde_json::{json, Value};

/// A session whose saved state asks for `form` (no clip yet: the plugin makes the song when it
/// activates).
fn song_session(form: &str) -> Session {
    let mut s = Session::new(48_000.0, 512);
    let mut st = s.state();
    let mut field = saved_field(&st, "clip");
    field["clip"] = Value::Null;
    field["settings"]["song"] = json!({ "form": form });
    st["fields"]["clip"] = Value::String(field.to_string());
    s.deactivate();
    s.load_state(&st);
    s.activate();
    s
}

#[test]
fn a_song_plays_through_every_section_and_a_seek_lands_in_its_section() {
    let mut s = song_session("verse:4 chorus:4 bridge:4");
    let clip = s.clip();
    assert_eq!(clip.bars, 12, "the form sets the length");
    let labels: Vec<&str> = clip.sections.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(labels, vec!["Verse 1", "Chorus 1", "Bridge 1"]);
    let bar = clip.bar_ticks();
    let chords_in = |from: u32, to: u32| -> Vec<String> {
        clip.chords
            .iter()
            .filter(|c| c.start >= from * bar && c.start < to * bar)
            .map(|c| c.chord.symbol(false))
            .collect()
    };
    assert_ne!(
        chords_in(0, 4),
        chords_in(4, 8),
        "the chorus is not the verse again"
    );

    // 12 bars at 120 bpm = 24 s: every section's notes, sample-accurately.
    let got = s.play(24.0, 512, 120.0, (4, 4), 0.0);
    let end = s.now;
    assert_eq!(
        sorted(got.clone()),
        expected(&clip, 120.0, 48_000.0, 0, end)
    );
    let bridge_start = 8 * 2 * 48_000; // bar 9 at 2 s per bar
    assert!(
        got.iter().any(|e| e.on && e.time == bridge_start),
        "the bridge's first chord plays at bar 9"
    );

    // Stop, then start at bar 5 (beat 16): the chorus's first chord sounds at once.
    let stop = s.block(512, Some(Tp::at(false, 120.0, 48.0, (4, 4))), &[]);
    let mut all = got;
    all.extend(stop);
    assert!(check_balance(&all).is_empty(), "stop releases every note");
    let t0 = s.now;
    let after = s.play(0.5, 512, 120.0, (4, 4), 16.0);
    let mut heard: Vec<u8> = after
        .iter()
        .filter(|e| e.on && e.time == t0)
        .map(|e| e.key)
        .collect();
    heard.sort_unstable();
    let mut want: Vec<u8> = clip
        .parts
        .iter()
        .flat_map(|p| p.notes.iter())
        .filter(|n| n.start == 4 * bar)
        .map(|n| n.pitch.as_int())
        .collect();
    want.sort_unstable();
    assert!(!want.is_empty());
    assert_eq!(heard, want, "the chorus's first chord, not the verse's");
}
