//! Live mode through CLAP on the bundled plugin, with blocks paced in real time so the worker
//! runs as it would in a host: which notes come in which bars after a held chord (follow) or a
//! played phrase (answer), the candidate kept when the call goes on across a boundary, and no
//! hanging note after a seek or a stop.

use bandmate_tests::*;
use std::time::{Duration, Instant};

const RATE: f64 = 48_000.0;
const TEMPO: f64 = 120.0;
/// One 4/4 bar at 120 bpm, in samples.
const BAR: u64 = 96_000;
const BEAT: u64 = BAR / 4;

/// A note-on (velocity > 0) or note-off of the performance at an absolute sample.
#[derive(Clone, Copy)]
struct Played {
    at: u64,
    key: u8,
    on: bool,
}

fn chord(at: u64, len: u64, keys: &[u8]) -> Vec<Played> {
    let mut v = Vec::new();
    for &key in keys {
        v.push(Played { at, key, on: true });
        v.push(Played {
            at: at + len,
            key,
            on: false,
        });
    }
    v
}

/// Plays blocks of `frames` from the session's sample `now` up to `until`, song position
/// `origin_beats` at sample `origin`, sleeping so the blocks come in real time.
fn paced(
    s: &mut Session,
    frames: u32,
    until: u64,
    origin: (u64, f64),
    played: &[Played],
    params: &[In],
) -> Vec<Ev> {
    let wall = Instant::now();
    let first = s.now;
    let mut out = Vec::new();
    let mut first_block = true;
    while s.now < until {
        let now = s.now;
        let mut input: Vec<In> = if first_block {
            params.to_vec()
        } else {
            Vec::new()
        };
        first_block = false;
        let mut here: Vec<&Played> = played
            .iter()
            .filter(|p| p.at >= now && p.at < now + u64::from(frames))
            .collect();
        here.sort_by_key(|p| (p.at, p.on));
        for p in here {
            let time = (p.at - now) as u32;
            input.push(if p.on {
                In::NoteOn {
                    time,
                    channel: 0,
                    key: p.key,
                    velocity: 0.75,
                }
            } else {
                In::NoteOff {
                    time,
                    channel: 0,
                    key: p.key,
                }
            });
        }
        let beats = origin.1 + (now - origin.0) as f64 / RATE * TEMPO / 60.0;
        out.extend(s.block(frames, Some(Tp::at(true, TEMPO, beats, (4, 4))), &input));
        let due = Duration::from_secs_f64((s.now - first) as f64 / RATE);
        if let Some(wait) = due.checked_sub(wall.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    out
}

fn live_params(mode: f64, phrase: f64) -> Vec<In> {
    vec![
        In::Param {
            id: "midi_thru",
            value: 0.0,
        },
        In::Param {
            id: "live_mode",
            value: mode,
        },
        In::Param {
            id: "live_phrase",
            value: phrase,
        },
        In::Param {
            id: "live",
            value: 1.0,
        },
    ]
}

fn first_on_after(events: &[Ev], channel: u8, t: u64) -> Option<Ev> {
    events
        .iter()
        .filter(|e| e.on && e.channel == channel && e.time >= t)
        .min_by_key(|e| e.time)
        .copied()
}

#[test]
fn follow_plays_the_held_chords_root_in_its_bar_and_stops_cleanly() {
    for frames in [64, 1024] {
        let mut s = Session::new(RATE, 1024);
        let o = s.now;
        let c_at = o + BAR + BEAT / 3;
        let f_at = o + 2 * BAR + 2 * BEAT + BEAT / 4;
        let mut played = chord(c_at, BAR, &[48, 52, 55]);
        played.extend(chord(f_at, BAR, &[41, 53, 57, 60]));
        let ev = paced(
            &mut s,
            frames,
            o + 4 * BAR,
            (o, 0.0),
            &played,
            &live_params(0.0, 1.0),
        );
        assert!(
            ev.iter().all(|e| e.channel != 0),
            "{frames}: live mode plays instead of the clip (and thru is off)"
        );
        let bass: Vec<&Ev> = ev.iter().filter(|e| e.on && e.channel == 2).collect();
        assert!(
            bass.iter().all(|e| e.time >= c_at),
            "{frames}: no bass before a chord"
        );
        let c = first_on_after(&ev, 2, c_at).expect("bass after C");
        assert_eq!(c.key % 12, 0, "{frames}: C's root");
        assert_eq!((c.time - o) / BAR, 1, "{frames}: in the bar C was played");
        let f = first_on_after(&ev, 2, f_at).expect("bass after F");
        assert_eq!(f.key % 12, 5, "{frames}: F's root");
        assert_eq!((f.time - o) / BAR, 2, "{frames}: in the bar F was played");
        for part in [3u8, 9] {
            assert!(
                ev.iter()
                    .any(|e| e.on && e.channel == part && e.time > f_at),
                "{frames}: channel {} plays too",
                part + 1
            );
        }
        let beats = (s.now - o) as f64 / RATE * 2.0;
        let stop = s.block(frames, Some(Tp::at(false, TEMPO, beats, (4, 4))), &[]);
        let mut all = ev;
        all.extend(stop);
        assert!(
            check_balance(&all).is_empty(),
            "{frames}: the stop ends every note"
        );
    }
}

#[test]
fn an_answer_starts_on_the_boundary_in_key_and_a_seek_leaves_no_hanging_note() {
    let mut s = Session::new(RATE, 1024);
    let o = s.now;
    // A one-bar phrase in C major in bar 2: eighth notes.
    let line = [60u8, 62, 64, 67, 65, 64, 62, 60];
    let mut played = Vec::new();
    for (i, &k) in line.iter().enumerate() {
        played.extend(chord(o + BAR + i as u64 * BEAT / 2 + 300, BEAT / 3, &[k]));
    }
    let ev = paced(
        &mut s,
        256,
        o + 2 * BAR + BAR / 2,
        (o, 0.0),
        &played,
        &live_params(1.0, 0.0),
    );
    let melody: Vec<&Ev> = ev.iter().filter(|e| e.on && e.channel == 1).collect();
    assert!(!melody.is_empty(), "an answer");
    assert_eq!(
        melody[0].time,
        o + 2 * BAR,
        "the answer starts on the boundary"
    );
    let c_major = [0u8, 2, 4, 5, 7, 9, 11];
    assert!(melody.iter().all(|e| c_major.contains(&(e.key % 12))));
    // Mid-phrase, the host jumps to bar 11, plays a little, then stops.
    let t = s.now;
    let jumped = paced(&mut s, 256, t + BEAT, (t, 40.0), &[], &[]);
    let beats = 40.0 + BEAT as f64 / RATE * 2.0;
    let stop = s.block(256, Some(Tp::at(false, TEMPO, beats, (4, 4))), &[]);
    let mut all = ev;
    all.extend(jumped);
    all.extend(stop);
    assert!(check_balance(&all).is_empty(), "no hanging note");
}

#[test]
fn a_call_still_playing_at_the_boundary_is_listened_to_and_answered_when_it_ends() {
    let mut s = Session::new(RATE, 1024);
    let o = s.now;
    // Bar 2: eighths in C major, the last one held across the boundary into bar 3; bar 3:
    // the call goes on and ends by beat 3. One-bar phrases.
    let mut played = Vec::new();
    for (i, &k) in [60u8, 62, 64, 65, 67, 69, 71].iter().enumerate() {
        played.extend(chord(o + BAR + i as u64 * BEAT / 2 + 300, BEAT / 3, &[k]));
    }
    played.extend(chord(o + 2 * BAR - BEAT / 8, BEAT, &[72]));
    for (i, &k) in [71u8, 69, 67, 65].iter().enumerate() {
        played.extend(chord(
            o + 2 * BAR + BEAT + i as u64 * BEAT / 2,
            BEAT / 3,
            &[k],
        ));
    }
    let ev = paced(
        &mut s,
        256,
        o + 3 * BAR + BAR / 2,
        (o, 0.0),
        &played,
        &live_params(1.0, 0.0),
    );
    let melody: Vec<&Ev> = ev.iter().filter(|e| e.on && e.channel == 1).collect();
    assert!(
        melody.iter().all(|e| e.time >= o + 3 * BAR),
        "still playing at bar 3's boundary: no answer in bar 3 ({:?})",
        melody.first().map(|e| e.time - o)
    );
    assert_eq!(
        melody.first().map(|e| e.time),
        Some(o + 3 * BAR),
        "the answer comes on the next boundary"
    );
    let c_major = [0u8, 2, 4, 5, 7, 9, 11];
    assert!(melody.iter().all(|e| c_major.contains(&(e.key % 12))));
    let beats = (s.now - o) as f64 / RATE * 2.0;
    let stop = s.block(256, Some(Tp::at(false, TEMPO, beats, (4, 4))), &[]);
    let mut all = ev;
    all.extend(stop);
    assert!(check_balance(&all).is_empty(), "no hanging note");
}
