use super::*;
use crate::theory::PitchClass;

const BAR: u32 = 1920;

fn ev(tick: u32, on: bool, key: u8) -> LiveEvent {
    LiveEvent {
        tick,
        on,
        key,
        velocity: 96,
    }
}

/// Events of `chords`: (pitches, on tick, off tick), merged in time order.
fn events(chords: &[(&[u8], u32, u32)]) -> Vec<LiveEvent> {
    let mut out = Vec::new();
    for (pitches, on, off) in chords {
        for (i, p) in pitches.iter().enumerate() {
            // A hand strikes a chord over a few ticks.
            out.push(ev(on + i as u32 * 3, true, *p));
            out.push(ev(*off, false, *p));
        }
    }
    out.sort_by_key(|e| (e.tick, e.on));
    out
}

fn run(s: LiveSettings, evs: &[LiveEvent], end: u32) -> LiveEngine {
    let mut e = LiveEngine::new(s).expect("settings");
    for x in evs {
        e.push(*x);
    }
    e.finish(end);
    e
}

fn follow(delay: u32) -> LiveSettings {
    LiveSettings {
        delay_ticks: delay,
        ..LiveSettings::default()
    }
}

const C: &[u8] = &[48, 52, 55, 60];
const F_OVER_A: &[u8] = &[45, 53, 60, 65];
const G7: &[u8] = &[43, 53, 59, 62];
const AM: &[u8] = &[45, 52, 57, 60];

fn song() -> Vec<LiveEvent> {
    // C on 1, F/A slightly late in bar 2, G7 on the "and" of beat 2 in bar 3, Am in bar 4.
    events(&[
        (C, 0, BAR - 10),
        (F_OVER_A, BAR + 37, 2 * BAR - 5),
        (G7, 2 * BAR + 720, 3 * BAR),
        (AM, 3 * BAR + 250, 4 * BAR),
    ])
}

#[test]
fn bass_plays_the_root_of_each_held_chord_from_the_next_sixteenth() {
    for delay in [0, 30, 130] {
        let e = run(follow(delay), &song(), 5 * BAR);
        let roots = [0u8, 5, 7, 9];
        assert_eq!(e.switches().len(), 4, "delay {delay}: {:?}", e.switches());
        for (sw, root) in e.switches().iter().zip(roots) {
            assert_eq!(sw.chord.root, PitchClass::new(i32::from(root)));
            assert_eq!(sw.at % SIXTEENTH, 0);
            let d = e.settings().decision_ticks();
            assert!(sw.at >= sw.heard + d && sw.at < sw.heard + d + SIXTEENTH);
            let bass: Vec<&ResponseNote> = e
                .response()
                .iter()
                .filter(|n| n.part == PartKind::Bass && n.note.start == sw.at)
                .collect();
            assert_eq!(bass.len(), 1, "one bass note at {}", sw.at);
            assert_eq!(bass[0].note.pitch.as_int() % 12, root, "at {}", sw.at);
            // Nothing of the previous chord's bass sounds past the switch.
            assert!(e.response().iter().all(|n| n.part != PartKind::Bass
                || n.note.start >= sw.at
                || n.note.end() <= sw.at));
        }
        // The band plays keys and drums too, and nothing before the first chord was heard.
        for kind in [PartKind::Keys, PartKind::Drums] {
            assert!(e.response().iter().any(|n| n.part == kind), "{kind:?}");
        }
        let first = e.switches()[0].at;
        assert!(e.response().iter().all(|n| n.note.start >= first));
        assert!(e.response().iter().all(|n| n.note.end() <= 5 * BAR));
    }
}

#[test]
fn the_same_performance_and_seed_give_the_same_response() {
    let a = run(follow(40), &song(), 6 * BAR);
    let b = run(follow(40), &song(), 6 * BAR);
    assert_eq!(a.response(), b.response());
    let other = LiveSettings {
        seed: 9,
        ..follow(40)
    };
    let c = run(other, &song(), 6 * BAR);
    assert_ne!(a.response(), c.response(), "the seed changes the backing");
}

#[test]
fn material_is_prepared_a_phrase_ahead_and_a_held_chord_is_kept_in_silence() {
    let mut e = LiveEngine::new(follow(0)).expect("settings");
    for x in events(&[(C, 0, 100)]) {
        e.push(x);
    }
    e.advance_to(BAR);
    assert!(e.prepared_until() >= BAR + e.settings().phrase_ticks());
    assert!(e
        .response_between(BAR * 2, BAR * 3)
        .any(|n| n.part == PartKind::Bass));
    // Hold: still C long after the player stopped.
    e.advance_to(8 * BAR);
    assert_eq!(
        e.harmony_at(8 * BAR).map(|c| c.root),
        Some(PitchClass::new(0))
    );
}

#[test]
fn silence_brings_back_the_bands_own_progression_on_a_bar_line() {
    let s = LiveSettings {
        on_silence: OnSilence::Own,
        key: "A minor".parse().expect("key"),
        ..follow(0)
    };
    let e = run(s.clone(), &events(&[(G7, 0, BAR / 2)]), 8 * BAR);
    // Silence from BAR/2: the own progression starts on the first bar line a bar later.
    let own = material::own_progression(&s, e.key());
    assert_eq!(e.harmony_at(BAR), Some(e.switches()[0].chord));
    for bar in 2..8 {
        let want = own[(bar % 4) as usize];
        assert_eq!(e.harmony_at(bar * BAR), Some(want), "bar {bar}");
    }
    // The backing follows: the bass plays each bar's chord on its downbeat.
    for bar in 2..8 {
        let chord = own[(bar % 4) as usize];
        let n = e
            .response()
            .iter()
            .find(|n| n.part == PartKind::Bass && n.note.start == bar * BAR)
            .expect("a bass note on the downbeat");
        let pc = PitchClass::new(i32::from(n.note.pitch.as_int()));
        assert_eq!(pc, chord.bass_pc(), "bar {bar}: {n:?} under {chord}");
    }
}

fn answer_settings(bars: u32) -> LiveSettings {
    LiveSettings {
        mode: LiveMode::Answer,
        phrase_bars: bars,
        delay_ticks: 50,
        ..LiveSettings::default()
    }
}

/// A melody in G major over the first `bars` bars: eighths and quarters.
fn g_major_phrase(bars: u32) -> Vec<LiveEvent> {
    let keys = [67u8, 71, 74, 72, 71, 69, 67, 66, 67, 74];
    let mut out = Vec::new();
    let mut t = 0;
    let mut i = 0;
    while t < bars * BAR - 480 {
        let d = if i % 3 == 2 { 480 } else { 240 };
        out.push(ev(t + 7, true, keys[i % keys.len()]));
        out.push(ev(t + d - 20, false, keys[i % keys.len()]));
        t += d;
        i += 1;
    }
    out
}

#[test]
fn the_answer_starts_on_the_boundary_and_stays_in_key() {
    let g: Key = "G major".parse().expect("key");
    for bars in PHRASE_BARS {
        let p = bars * BAR;
        let s = LiveSettings {
            key: g,
            ..answer_settings(bars)
        };
        let e = run(s, &g_major_phrase(bars), 3 * p);
        assert_eq!(e.phrases().len(), 1, "{bars} bars: {:?}", e.phrases());
        let w = e.phrases()[0];
        assert_eq!(w.at, p);
        assert!(w.decided < p);
        let melody: Vec<&ResponseNote> = e.response().iter().collect();
        assert!(!melody.is_empty());
        assert!(melody.iter().all(|n| n.part == PartKind::Melody));
        assert_eq!(melody[0].note.start, p, "{bars} bars");
        for n in &melody {
            assert!(n.note.start >= p && n.note.end() <= 2 * p, "{n:?}");
            let pc = PitchClass::new(i32::from(n.note.pitch.as_int()));
            assert!(g.contains(pc), "{n:?} out of G major");
        }
        // Related rhythm: the answer's onsets are the phrase's, on the 16th grid.
        assert!(melody.iter().all(|n| n.note.start % SIXTEENTH == 0));
        assert!(melody.len() >= g_major_phrase(bars).len() / 2 / 2);
    }
}

#[test]
fn continue_writes_a_phrase_at_every_boundary_in_the_heard_key() {
    let d: Key = "D major".parse().expect("key");
    let s = LiveSettings {
        mode: LiveMode::Continue,
        phrase_bars: 1,
        key: d,
        ..LiveSettings::default()
    };
    let e = run(s, &events(&[(&[50, 54, 57, 62], 0, BAR)]), 5 * BAR);
    let starts: Vec<u32> = e.phrases().iter().map(|p| p.at).collect();
    assert_eq!(starts, vec![BAR, 2 * BAR, 3 * BAR, 4 * BAR, 5 * BAR]);
    let melody: Vec<&ResponseNote> = e.response().iter().collect();
    assert!(melody.len() > 4);
    assert!(melody.iter().all(|n| n.note.end() <= 5 * BAR));
    let key = e.key();
    assert_eq!(key.tonic, d.tonic, "heard {key}");
    for n in &melody {
        let pc = PitchClass::new(i32::from(n.note.pitch.as_int()));
        assert!(key.contains(pc), "{n:?} out of {key}");
    }
}

#[test]
fn stop_and_seek_mid_phrase_leave_no_hanging_note() {
    let mut e = LiveEngine::new(follow(20)).expect("settings");
    for x in events(&[(C, 0, 3 * BAR)]) {
        e.push(x);
    }
    e.advance_to(BAR + 700);
    assert!(e
        .response()
        .iter()
        .any(|n| n.note.start < BAR + 700 && n.note.end() > BAR + 700));
    e.stop(BAR + 700);
    assert!(e.response().iter().all(|n| n.note.end() <= BAR + 700));
    // Seek on: nothing plays until the player plays again, then from there.
    e.seek(20 * BAR + 300);
    e.advance_to(21 * BAR);
    assert!(e.response().iter().all(|n| n.note.end() <= BAR + 700));
    for x in events(&[(AM, 21 * BAR, 22 * BAR)]) {
        e.push(x);
    }
    e.finish(23 * BAR);
    let late: Vec<&ResponseNote> = e
        .response()
        .iter()
        .filter(|n| n.note.end() > BAR + 700)
        .collect();
    assert!(!late.is_empty());
    assert!(late.iter().all(|n| n.note.start >= 21 * BAR));

    // An answer cut mid-phrase by a stop ends there too.
    let mut a = LiveEngine::new(answer_settings(1)).expect("settings");
    for x in g_major_phrase(1) {
        a.push(x);
    }
    a.advance_to(BAR + 500);
    a.stop(BAR + 500);
    assert!(!a.response().is_empty());
    assert!(a.response().iter().all(|n| n.note.end() <= BAR + 500));
}

#[test]
fn settings_are_checked() {
    assert_eq!(LiveMode::parse(" Answer "), Ok(LiveMode::Answer));
    assert!(LiveMode::parse("jam").is_err());
    let bad = LiveSettings {
        phrase_bars: 3,
        ..LiveSettings::default()
    };
    assert_eq!(LiveEngine::new(bad).err(), Some(LiveError::PhraseBars(3)));
}

#[test]
fn with_a_lead_a_chord_switches_on_the_first_sixteenth_the_audio_thread_can_still_take() {
    // The worker learns of the F chord late (at `present`), so it cannot switch at the
    // 16th after the settle time; with a lead it picks the first 16th at least `lead` later.
    let lead = 40;
    let s = LiveSettings {
        lead_ticks: lead,
        ..follow(0)
    };
    let mut e = LiveEngine::new(s).expect("settings");
    let present = BAR + 37 + 6 + SETTLE_TICKS + 50;
    let evs = events(&[(C, 0, BAR - 10), (F_OVER_A, BAR + 37, 2 * BAR - 5)]);
    for x in evs.into_iter().filter(|x| x.tick < present) {
        e.push(x);
    }
    e.advance_to(present);
    let sw = *e.switches().last().expect("a switch");
    assert_eq!(sw.chord.root, PitchClass::new(5));
    assert_eq!(sw.at % SIXTEENTH, 0);
    assert!(
        sw.at >= present + lead && sw.at < present + lead + SIXTEENTH,
        "{sw:?}"
    );
    let roots: Vec<u8> = e
        .response()
        .iter()
        .filter(|n| n.part == PartKind::Bass && n.note.start == sw.at)
        .map(|n| n.note.pitch.as_int() % 12)
        .collect();
    assert_eq!(roots, [5]);
}

#[test]
fn after_silence_the_own_progression_is_ready_before_the_bar_line_and_kept_only_if_silence_goes_on()
{
    let s = LiveSettings {
        on_silence: OnSilence::Own,
        key: "A minor".parse().expect("key"),
        ..follow(0)
    };
    for plays in [false, true] {
        let mut evs = events(&[(G7, 0, BAR / 2)]);
        if plays {
            // A single note (no chord) in the beat before the bar line.
            evs.push(ev(2 * BAR - 200, true, 67));
            evs.push(ev(2 * BAR - 100, false, 67));
        }
        let mut e = LiveEngine::new(s.clone()).expect("settings");
        for x in evs.iter().filter(|x| x.tick < 2 * BAR - 400) {
            e.push(*x);
        }
        e.advance_to(2 * BAR - 400);
        let c = e.choice().expect("candidates before the bar line");
        assert_eq!(c.at, 2 * BAR);
        assert!(c.candidates.iter().all(|v| !v.is_empty()));
        for x in evs.iter().filter(|x| x.tick >= 2 * BAR - 400) {
            e.push(*x);
        }
        e.finish(4 * BAR);
        let held = e.switches()[0].chord;
        let at_bar = e.harmony_at(2 * BAR);
        if plays {
            assert_eq!(at_bar, Some(held), "the player played: hold");
        } else {
            let own = material::own_progression(&s, e.key());
            assert_eq!(at_bar, Some(own[2]), "silence: the own progression");
        }
        // Either way the bass plays on the bar line.
        assert!(e
            .response()
            .iter()
            .any(|n| n.part == PartKind::Bass && n.note.start == 2 * BAR));
    }
}
