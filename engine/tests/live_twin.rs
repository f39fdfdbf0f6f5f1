//! Live mode through the offline twin (`live::offline::respond`) on hand-made performances:
//! candidates at a boundary (the same material is prepared before it, and what the player does
//! in the last moments before it picks the candidate that plays), and arpeggiated chords.

use bandmate_engine::clip::{Clip, Note, Part, PartKind};
use bandmate_engine::live::{offline, LiveMode, LiveSettings};
use bandmate_engine::Meter;

const BAR: u32 = 1920;

fn clip(notes: Vec<Note>, bars: u32) -> Clip {
    Clip {
        tempo_bpm: 120.0,
        meter: Meter::COMMON,
        key: "C major".parse().expect("key"),
        bars,
        chords: Vec::new(),
        parts: vec![Part::new(PartKind::Keys, notes)],
        provenance: Default::default(),
        sections: Vec::new(),
    }
}

fn live_melody(c: &Clip, from: u32, to: u32) -> Vec<Note> {
    c.parts
        .iter()
        .filter(|p| p.name == "live melody")
        .flat_map(|p| p.notes.iter().copied())
        .filter(|n| n.start >= from && n.start < to)
        .collect()
}

/// A one-bar call in C major (eighths over the first three beats), optionally with a note
/// held from the last 16th across the boundary into the next bar.
fn call(still_playing: bool) -> Vec<Note> {
    let mut v: Vec<Note> = [60, 62, 64, 67, 65, 64]
        .iter()
        .enumerate()
        .map(|(i, &p)| Note::new(i as u32 * 240, 200, p, 90))
        .collect();
    if still_playing {
        v.push(Note::new(BAR - 60, 400, 72, 90));
    }
    v
}

fn answer(bars: u32) -> LiveSettings {
    LiveSettings {
        mode: LiveMode::Answer,
        phrase_bars: bars,
        delay_ticks: 20,
        ..LiveSettings::default()
    }
}

#[test]
fn answer_or_keep_listening_is_chosen_by_whether_the_player_still_plays_at_the_boundary() {
    let (done, _) = offline::respond(&clip(call(false), 2), answer(1)).expect("respond");
    let (going, e) = offline::respond(&clip(call(true), 2), answer(1)).expect("respond");
    assert_eq!(e.phrases()[0].chosen, Some(1), "{:?}", e.phrases());
    let answered = live_melody(&done, BAR, 2 * BAR);
    assert_eq!(answered.first().map(|n| n.start), Some(BAR), "{answered:?}");
    assert!(
        live_melody(&going, 0, 3 * BAR).is_empty(),
        "the player went on: the band keeps listening"
    );
}

#[test]
fn the_same_candidates_are_ready_before_the_boundary_either_way() {
    use bandmate_engine::live::LiveEngine;
    let mut firsts = Vec::new();
    for still in [false, true] {
        let mut e = LiveEngine::new(answer(1)).expect("settings");
        for x in offline::events(&clip(call(still), 2)) {
            if x.tick >= BAR - 480 {
                break;
            }
            e.push(x);
        }
        e.advance_to(BAR - 400);
        let c = e.choice().expect("candidates");
        assert_eq!(c.at, BAR);
        firsts.push(c.candidates.clone());
    }
    assert_eq!(
        firsts[0], firsts[1],
        "prepared before the difference was heard"
    );
}

/// A held D major chord, then in the last beat before the boundary nothing (calm) or a run of
/// 16ths (busy); everything before the last beat is the same.
fn continue_performance(busy: bool) -> Vec<Note> {
    let mut v: Vec<Note> = [50, 54, 57, 62]
        .iter()
        .map(|&p| Note::new(0, BAR - 600, p, 90))
        .collect();
    if busy {
        for (i, p) in [74, 76, 78, 79].into_iter().enumerate() {
            v.push(Note::new(BAR - 470 + i as u32 * 120, 100, p, 100));
        }
    }
    v
}

#[test]
fn continue_plays_the_busier_candidate_after_a_busy_last_beat() {
    let s = |seed| LiveSettings {
        mode: LiveMode::Continue,
        phrase_bars: 1,
        key: "D major".parse().expect("key"),
        seed,
        ..LiveSettings::default()
    };
    let (mut calm_notes, mut busy_notes) = (0, 0);
    for seed in 1..=8 {
        let (calm, ec) =
            offline::respond(&clip(continue_performance(false), 2), s(seed)).expect("respond");
        let (busy, eb) =
            offline::respond(&clip(continue_performance(true), 2), s(seed)).expect("respond");
        assert_eq!(ec.phrases()[0].at, BAR);
        assert_eq!(ec.phrases()[0].chosen, Some(0), "seed {seed}");
        assert_eq!(eb.phrases()[0].chosen, Some(1), "seed {seed}");
        let a = live_melody(&calm, BAR, 2 * BAR);
        let b = live_melody(&busy, BAR, 2 * BAR);
        assert!(!a.is_empty() && !b.is_empty());
        calm_notes += a.len();
        busy_notes += b.len();
    }
    assert!(
        busy_notes > calm_notes,
        "busier: {busy_notes} notes, calmer: {calm_notes}"
    );
}

#[test]
fn an_arpeggiated_chord_is_followed_by_its_root_from_the_next_sixteenth() {
    // C major, then F major over A, then G7: each played one note after another in eighths,
    // every note released before the next.
    let arps: [(u32, [i32; 3], u8); 3] = [
        (0, [48, 52, 55], 0),
        (BAR, [45, 53, 60], 5),
        (2 * BAR, [43, 53, 59], 7),
    ];
    let mut notes = Vec::new();
    for (at, pitches, _) in arps {
        for rep in 0..2u32 {
            for (i, p) in pitches.iter().enumerate() {
                notes.push(Note::new(at + (rep * 3 + i as u32) * 240, 200, *p, 90));
            }
        }
    }
    let s = LiveSettings {
        delay_ticks: 20,
        ..LiveSettings::default()
    };
    let (out, e) = offline::respond(&clip(notes, 3), s).expect("respond");
    let roots: Vec<u8> = e.switches().iter().map(|w| w.chord.root.index()).collect();
    assert_eq!(roots, [0, 5, 7], "{:?}", e.switches());
    let bass = out
        .parts
        .iter()
        .find(|p| p.name == "live bass")
        .expect("a live bass track");
    for (w, (at, _, root)) in e.switches().iter().zip(arps) {
        // Heard with the third note of the arpeggio, switched on the next 16th after the settle.
        assert_eq!(w.heard, at + 480);
        let want = (w.heard + 24).div_ceil(120) * 120;
        assert_eq!(w.at, want);
        let n = bass
            .notes
            .iter()
            .find(|n| n.start == want)
            .unwrap_or_else(|| panic!("no bass note at {want}"));
        assert_eq!(n.pitch.as_int() % 12, root, "bass at {want}");
        assert!(bass
            .notes
            .iter()
            .all(|m| m.start >= want || m.end() <= want));
    }
}
