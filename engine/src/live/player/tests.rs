use super::*;
use crate::clip::Note;

/// 120 bpm at 48 kHz.
const QPS: f64 = 2.0 / 48_000.0;

fn note(part: PartKind, start: u32, dur: u32, pitch: i32) -> ResponseNote {
    ResponseNote {
        part,
        note: Note::new(start, dur, pitch, 100),
    }
}

/// Plays blocks of `frames` from quarter `from` for `blocks` blocks; returns (tick, event).
fn play(
    p: &mut LivePlayer,
    from: f64,
    frames: u32,
    blocks: u32,
    mut before: impl FnMut(&mut LivePlayer, u32),
) -> Vec<(f64, OutEvent)> {
    let mut out = Vec::new();
    for b in 0..blocks {
        before(p, b);
        let q0 = from + f64::from(b * frames) * QPS;
        p.process(Some(q0), QPS, frames, &mut |e| {
            out.push(((q0 + f64::from(e.offset) * QPS) * 480.0, e))
        });
        p.take_spent();
    }
    out
}

/// Every note-on is followed by exactly one note-off on its key before the next note-on.
fn balanced(events: &[(f64, OutEvent)]) -> bool {
    let mut on = std::collections::HashMap::new();
    for (_, e) in events {
        let c = on.entry((e.channel, e.key)).or_insert(0i32);
        *c += if e.kind == EventKind::NoteOn { 1 } else { -1 };
        if *c < 0 || *c > 1 {
            return false;
        }
    }
    on.values().all(|c| *c == 0)
}

#[test]
fn a_switch_happens_exactly_at_its_tick_and_cut_notes_end_there() {
    let old = [note(PartKind::Bass, 0, 1920, 36)];
    // The new material: the old note cut at 600, a new root from 600.
    let new = [
        note(PartKind::Bass, 0, 600, 36),
        note(PartKind::Bass, 600, 480, 41),
    ];
    let mut p = LivePlayer::new();
    p.offer(Box::new(LiveMaterial::new(1, &old, 0, 0)));
    let ev = play(&mut p, 0.0, 256, 300, |p, b| {
        if b == 10 {
            p.offer(Box::new(LiveMaterial::new(2, &new, 0, 600)));
        }
    });
    let at = |k: u8, kind: EventKind| {
        ev.iter()
            .filter(|(_, e)| e.key == k && e.kind == kind)
            .map(|(t, _)| t.round() as u32)
            .collect::<Vec<_>>()
    };
    assert_eq!(at(36, EventKind::NoteOn), vec![0]);
    assert_eq!(at(36, EventKind::NoteOff), vec![600]);
    assert_eq!(at(41, EventKind::NoteOn), vec![600]);
    assert_eq!(at(41, EventKind::NoteOff), vec![1080]);
    assert_eq!((p.missed(), p.switches()), (0, 2));
    assert!(balanced(&ev));
    assert_eq!(p.current_id(), Some(2));
}

#[test]
fn late_material_is_a_missed_boundary_and_leaves_no_hanging_note() {
    let old = [
        note(PartKind::Keys, 0, 1920, 60),
        note(PartKind::Keys, 960, 960, 64),
    ];
    let new = [
        note(PartKind::Keys, 0, 480, 60),
        note(PartKind::Keys, 480, 960, 67),
    ];
    let mut p = LivePlayer::new();
    p.offer(Box::new(LiveMaterial::new(1, &old, 0, 0)));
    // Offered at about tick 1200 (a 1024-frame block is 20.48 ticks), switching at 480: late.
    let ev = play(&mut p, 0.0, 1024, 120, |p, b| {
        if b == 59 {
            p.offer(Box::new(LiveMaterial::new(2, &new, 0, 480)));
        }
    });
    assert_eq!(p.missed(), 1);
    // The old material played on until the late switch (no gap), then all was released.
    let at = |k: u8, kind: EventKind| {
        ev.iter()
            .filter(|(_, e)| e.key == k && e.kind == kind)
            .map(|(t, _)| *t)
            .collect::<Vec<f64>>()
    };
    assert_eq!(at(64, EventKind::NoteOn).len(), 1);
    // The late material's note that should already sound starts at the late block's start
    // and ends at its own end; its note that already ended is not played.
    let block_start = 59.0 * 1024.0 * QPS * 480.0;
    let starts = at(67, EventKind::NoteOn);
    assert_eq!(starts.len(), 1, "{starts:?}");
    assert!((starts[0] - block_start).abs() < 1e-6, "{starts:?}");
    let ends = at(67, EventKind::NoteOff);
    assert!(
        ends.len() == 1 && (ends[0] - 1440.0).abs() < 1.0,
        "{ends:?}"
    );
    assert_eq!(
        at(60, EventKind::NoteOn).len(),
        1,
        "only the old material's"
    );
    assert!(balanced(&ev));
    assert_eq!(p.active().sounding(), 0);
}

#[test]
fn a_jump_and_a_stop_release_everything() {
    let m = [
        note(PartKind::Keys, 0, 4000, 60),
        note(PartKind::Bass, 0, 4000, 36),
    ];
    let mut p = LivePlayer::new();
    p.offer(Box::new(LiveMaterial::new(1, &m, 0, 0)));
    let mut ev = Vec::new();
    let mut push = |e: OutEvent| ev.push(e);
    assert!(!p.process(Some(0.0), QPS, 512, &mut push));
    assert_eq!(p.active().sounding(), 2);
    assert!(
        p.process(Some(3.0), QPS, 512, &mut push),
        "a seek is a jump"
    );
    assert_eq!(p.active().sounding(), 0);
    p.process(Some(0.0), QPS, 512, &mut push);
    assert_eq!(p.active().sounding(), 2, "from the start again");
    p.process(None, QPS, 512, &mut push);
    assert_eq!(p.active().sounding(), 0);
    let ons = ev.iter().filter(|e| e.kind == EventKind::NoteOn).count();
    let offs = ev.iter().filter(|e| e.kind == EventKind::NoteOff).count();
    assert_eq!((ons, offs), (4, 4));
    assert_eq!(p.jumps(), 2);
}

/// An answer-mode engine fed a one-bar phrase (`held_over`: its last note held across the
/// boundary), advanced to a beat before the boundary: its material carries two candidates.
fn answer_engine(held_over: bool) -> (LiveEngine, Vec<(u32, bool, u8)>) {
    use crate::live::{LiveEvent, LiveMode, LiveSettings};
    let s = LiveSettings {
        mode: LiveMode::Answer,
        phrase_bars: 1,
        ..LiveSettings::default()
    };
    let mut e = LiveEngine::new(s).expect("settings");
    let mut played = Vec::new();
    for (i, k) in [60u8, 62, 64, 65, 67].into_iter().enumerate() {
        let t = i as u32 * 240 + 10;
        played.push((t, true, k));
        played.push((t + 200, false, k));
    }
    if held_over {
        played.push((1900, true, 72));
        played.push((2300, false, 72));
    }
    for &(tick, on, key) in played.iter().filter(|p| p.0 < 1920 - 480) {
        e.push(LiveEvent {
            tick,
            on,
            key,
            velocity: 90,
        });
    }
    e.advance_to(1920 - 400);
    (e, played)
}

#[test]
fn the_player_picks_the_candidate_at_the_boundary_by_what_it_heard() {
    for held_over in [false, true] {
        let (mut engine, played) = answer_engine(held_over);
        let c = engine.choice().expect("candidates for the boundary");
        assert_eq!((c.at, c.candidates.len()), (1920, 2));
        assert!(!c.candidates[0].is_empty() && c.candidates[1].is_empty());
        let m = LiveMaterial::from_engine(1, &engine, 0, 0);
        let mut p = LivePlayer::new();
        p.offer(Box::new(m));
        let frames = 1024;
        let mut heard = 0;
        let ev = play(&mut p, 0.0, frames, 200, |p, b| {
            // The block's input is heard before it is played.
            let hi = f64::from((b + 1) * frames) * QPS * 480.0;
            while let Some(&(t, on, k)) = played.get(heard) {
                if f64::from(t) >= hi {
                    break;
                }
                p.hear(f64::from(t) / 480.0, on, k);
                heard += 1;
            }
        });
        let melody_after: Vec<_> = ev
            .iter()
            .filter(|(t, e)| e.kind == EventKind::NoteOn && e.channel == 1 && *t >= 1919.5)
            .collect();
        let want = usize::from(held_over);
        assert_eq!(p.chosen_counts()[want], 1, "held over: {held_over}");
        assert_eq!(p.chosen_counts().iter().sum::<u64>(), 1, "counted once");
        assert_eq!(p.last_choice(), Some((1920, want)));
        p.process(None, QPS, 64, &mut |_| {});
        assert_eq!(p.last_choice(), None, "forgotten at a stop");
        assert_eq!(melody_after.is_empty(), held_over, "{melody_after:?}");
        if !held_over {
            assert!((melody_after[0].0 - 1920.0).abs() < 0.5, "on the boundary");
        }
        assert!(balanced(&ev));
        // The engine, given the same events, keeps the same candidate.
        for &(tick, on, key) in played.iter().filter(|p| p.0 >= 1920 - 480) {
            engine.push(crate::live::LiveEvent {
                tick,
                on,
                key,
                velocity: 90,
            });
        }
        engine.advance_to(2000);
        assert_eq!(engine.phrases()[0].chosen, Some(want));
        assert!(engine.choice().is_none());
    }
}
