use super::*;
use crate::clip::{Note, Part, PartKind, Provenance};
use crate::theory::{Key, Mode, PitchClass};

fn clip(meter: Meter, bars: u32, parts: Vec<Part>) -> Clip {
    Clip {
        tempo_bpm: 120.0,
        meter,
        key: Key::new(PitchClass::C, Mode::Major),
        bars,
        chords: Vec::new(),
        parts,
        provenance: Provenance::default(),
        sections: Vec::new(),
    }
}

/// Four quarter notes per bar on C4..F4, 2 bars of 4/4, plus a whole-clip pad note.
fn simple() -> PlaybackClip {
    let mut notes: Vec<Note> = (0..8)
        .map(|i| Note::new(i * 480, 240, 60 + (i as i32 % 4), 100))
        .collect();
    notes.push(Note::new(0, 3840, 48, 80));
    PlaybackClip::from_clip(&clip(
        Meter::COMMON,
        2,
        vec![Part::new(PartKind::Keys, notes)],
    ))
}

/// (absolute sample, event) pairs and a stream checker.
#[derive(Default)]
struct Recorder {
    events: Vec<(u64, OutEvent)>,
    sounding: std::collections::HashSet<(u8, u8)>,
}

impl Recorder {
    fn push(&mut self, block_start: u64, frames: u32, e: OutEvent) {
        assert!(
            e.offset < frames.max(1),
            "offset {} outside block of {frames}",
            e.offset
        );
        let t = block_start + e.offset as u64;
        if let Some((last, _)) = self.events.last() {
            assert!(*last <= t, "events out of order");
        }
        match e.kind {
            EventKind::NoteOn => assert!(
                self.sounding.insert((e.channel, e.key)),
                "double note-on {e:?}"
            ),
            EventKind::NoteOff => assert!(
                self.sounding.remove(&(e.channel, e.key)),
                "note-off without note-on {e:?}"
            ),
        }
        self.events.push((t, e));
    }
}

fn run(
    p: &mut Player,
    c: &PlaybackClip,
    rec: &mut Recorder,
    start: u64,
    frames: u32,
    block: BlockInfo,
) {
    p.process(Some(c), &block, &mut |e| rec.push(start, frames, e));
}

fn at(q: f64, tempo: f64, rate: f64, frames: u32) -> BlockInfo {
    BlockInfo {
        playing: true,
        position: Some(SongPosition {
            quarters: q,
            bar: None,
        }),
        tempo_bpm: tempo,
        sample_rate: rate,
        frames,
    }
}

/// Expected absolute sample of a clip tick at constant tempo from song position 0.
fn expected_sample(tick: u64, tempo: f64, rate: f64) -> u64 {
    let spq = 60.0 / tempo * rate;
    (tick as f64 / 480.0 * spq - EDGE_SAMPLES).ceil() as u64
}

#[test]
fn note_ons_land_on_the_tempo_grid_for_any_block_size_and_rate() {
    let c = simple();
    for &rate in &[44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        for &frames in &[1u32, 7, 64, 500, 512, 4096] {
            let tempo = 133.0;
            let mut p = Player::new();
            let mut rec = Recorder::default();
            let total = (rate * 5.0) as u64;
            let mut s = 0u64;
            while s < total {
                let q = s as f64 / rate * tempo / 60.0;
                run(&mut p, &c, &mut rec, s, frames, at(q, tempo, rate, frames));
                s += frames as u64;
            }
            let ons: Vec<u64> = rec
                .events
                .iter()
                .filter(|(_, e)| e.kind == EventKind::NoteOn && e.key != 48)
                .map(|(t, _)| *t)
                .collect();
            let mut want = Vec::new();
            for k in 0.. {
                let t = expected_sample(k * 480, tempo, rate);
                if t >= s {
                    break;
                }
                want.push(t);
            }
            assert_eq!(ons, want, "rate {rate} frames {frames}");
        }
    }
}

#[test]
fn stop_releases_every_note_once() {
    let c = simple();
    let mut p = Player::new();
    let mut rec = Recorder::default();
    run(
        &mut p,
        &c,
        &mut rec,
        0,
        30_000,
        at(0.0, 120.0, 48_000.0, 30_000),
    );
    assert!(p.active().sounding() >= 2);
    let stop = BlockInfo {
        playing: false,
        ..at(1.25, 120.0, 48_000.0, 512)
    };
    run(&mut p, &c, &mut rec, 30_000, 512, stop);
    assert_eq!(p.active().sounding(), 0);
    assert!(rec.sounding.is_empty());
    assert!(rec
        .events
        .iter()
        .filter(|(t, _)| *t == 30_000)
        .all(|(_, e)| e.kind == EventKind::NoteOff));
}

#[test]
fn seek_releases_then_continues_from_the_new_position() {
    let c = simple();
    let mut p = Player::new();
    let mut rec = Recorder::default();
    run(
        &mut p,
        &c,
        &mut rec,
        0,
        1000,
        at(0.0, 120.0, 48_000.0, 1000),
    );
    assert_eq!(p.active().sounding(), 2);
    // Jump to 2.5 quarters: the next note-on is at 3.0 (1 quarter = 24000 samples).
    run(
        &mut p,
        &c,
        &mut rec,
        1000,
        24_000,
        at(2.5, 120.0, 48_000.0, 24_000),
    );
    let evs: Vec<_> = rec.events[2..].to_vec();
    assert_eq!(evs[0].1.kind, EventKind::NoteOff);
    assert_eq!(evs[1].1.kind, EventKind::NoteOff);
    assert_eq!(evs[0].0, 1000);
    assert_eq!(
        evs[2],
        (
            1000 + 12_000,
            OutEvent {
                offset: 12_000,
                kind: EventKind::NoteOn,
                channel: 3,
                key: 63,
                velocity: 100
            }
        )
    );
}

#[test]
fn host_loop_cutting_through_notes_and_clip_wrap_stay_balanced() {
    let c = simple();
    let mut p = Player::new();
    let mut rec = Recorder::default();
    // Host loops 0.75 .. 5.3 quarters with 256-sample blocks, for 20 loops.
    let (rate, tempo, frames) = (48_000.0, 120.0, 256u32);
    let qps = tempo / 60.0 / rate;
    let mut q = 0.75;
    let mut s = 0u64;
    for _ in 0..2000 {
        run(&mut p, &c, &mut rec, s, frames, at(q, tempo, rate, frames));
        s += frames as u64;
        q += frames as f64 * qps;
        if q >= 5.3 {
            q = 0.75 + (q - 5.3);
        }
    }
    run(
        &mut p,
        &c,
        &mut rec,
        s,
        frames,
        BlockInfo {
            playing: false,
            ..at(q, tempo, rate, frames)
        },
    );
    assert!(rec.sounding.is_empty());
    let ons = rec
        .events
        .iter()
        .filter(|(_, e)| e.kind == EventKind::NoteOn)
        .count();
    let offs = rec.events.len() - ons;
    assert_eq!(ons, offs);
    assert!(ons > 15, "{ons}");
}

#[test]
fn overlapping_same_key_notes_retrigger_and_end_once() {
    // Two parts on the same channel play key 60 overlapping: 0..960 and 480..1440.
    let mut a = Part::new(PartKind::Keys, vec![Note::new(0, 960, 60, 90)]);
    let mut b = Part::new(PartKind::Chords, vec![Note::new(480, 960, 60, 90)]);
    a.channel = midly::num::u4::new(0);
    b.channel = midly::num::u4::new(0);
    let c = PlaybackClip::from_clip(&clip(Meter::COMMON, 1, vec![a, b]));
    let mut p = Player::new();
    let mut rec = Recorder::default();
    for i in 0..200u64 {
        let q = (i * 480) as f64 / 24_000.0;
        run(
            &mut p,
            &c,
            &mut rec,
            i * 480,
            480,
            at(q, 120.0, 48_000.0, 480),
        );
    }
    let kinds: Vec<(u64, EventKind)> = rec
        .events
        .iter()
        .take(4)
        .map(|(t, e)| (*t, e.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (0, EventKind::NoteOn),
            (24_000, EventKind::NoteOff),
            (24_000, EventKind::NoteOn),
            (72_000, EventKind::NoteOff)
        ]
    );
}

#[test]
fn bar_grid_alignment_uses_the_host_bar_number() {
    let c = simple();
    let mut p = Player::new();
    let mut rec = Recorder::default();
    // Host bar 3 of 3/4 starts at 9 quarters: clip bar 3 % 2 = 1 plays, from its start.
    let block = BlockInfo {
        position: Some(SongPosition {
            quarters: 9.0,
            bar: Some((9.0, 3)),
        }),
        ..at(0.0, 120.0, 48_000.0, 100)
    };
    run(&mut p, &c, &mut rec, 0, 100, block);
    assert_eq!(p.playhead(), Some(4.0));
    assert_eq!(rec.events[0].1.key, 60); // bar 2 of the clip starts with key 60 again
}

#[test]
fn free_running_advances_its_own_clock() {
    let c = simple();
    let mut p = Player::new();
    let mut rec = Recorder::default();
    for i in 0..100u64 {
        let block = BlockInfo {
            position: None,
            ..at(0.0, 120.0, 48_000.0, 1200)
        };
        run(&mut p, &c, &mut rec, i * 1200, 1200, block);
    }
    assert!((p.free_position() - 5.0).abs() < 1e-9);
    let ons: Vec<u64> = rec
        .events
        .iter()
        .filter(|(_, e)| e.kind == EventKind::NoteOn && e.key != 48)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(ons, vec![0, 24_000, 48_000, 72_000, 96_000]);
}

#[test]
fn release_all_and_clip_swap() {
    let c = simple();
    let mut p = Player::new();
    let mut rec = Recorder::default();
    run(&mut p, &c, &mut rec, 0, 100, at(0.0, 120.0, 48_000.0, 100));
    p.release_all(0, &mut |e| rec.push(100, 1, e));
    assert!(rec.sounding.is_empty());
    // The next block continues without replaying notes that started earlier.
    run(
        &mut p,
        &c,
        &mut rec,
        100,
        100,
        at(100.0 / 24_000.0, 120.0, 48_000.0, 100),
    );
    assert_eq!(rec.events.len(), 4);
}

#[test]
fn note_ending_at_clip_end_is_released_at_the_loop_point() {
    let c = simple();
    let offs: Vec<_> = c.events().iter().filter(|e| e.key == 48).collect();
    assert_eq!(offs.len(), 2);
    assert_eq!((offs[0].tick, offs[0].kind), (0, EventKind::NoteOff));
    let mut p = Player::new();
    let mut rec = Recorder::default();
    // 8 quarters = 192000 samples at 120 bpm / 48 kHz; play 2.5 loops.
    for i in 0..((192_000 * 5 / 2) / 4000) as u64 {
        let q = (i * 4000) as f64 / 24_000.0;
        run(
            &mut p,
            &c,
            &mut rec,
            i * 4000,
            4000,
            at(q, 120.0, 48_000.0, 4000),
        );
    }
    let pad: Vec<(u64, EventKind)> = rec
        .events
        .iter()
        .filter(|(_, e)| e.key == 48)
        .map(|(t, e)| (*t, e.kind))
        .collect();
    assert_eq!(
        pad[..4],
        [
            (0, EventKind::NoteOn),
            (192_000, EventKind::NoteOff),
            (192_000, EventKind::NoteOn),
            (384_000, EventKind::NoteOff)
        ]
    );
}

#[test]
fn meters_3_4_6_8_7_8_loop_at_their_bar_length() {
    for (meter, bar_q) in [
        (
            Meter {
                numerator: 3,
                denominator: 4,
            },
            3.0,
        ),
        (
            Meter {
                numerator: 6,
                denominator: 8,
            },
            3.0,
        ),
        (
            Meter {
                numerator: 7,
                denominator: 8,
            },
            3.5,
        ),
    ] {
        let bar_ticks = meter.bar_ticks(480);
        let c = PlaybackClip::from_clip(&clip(
            meter,
            1,
            vec![Part::new(
                PartKind::Keys,
                vec![Note::new(0, bar_ticks / 2, 60, 100)],
            )],
        ));
        assert!((c.length_quarters() - bar_q).abs() < 1e-12);
        let mut p = Player::new();
        let mut rec = Recorder::default();
        for i in 0..2000u64 {
            let q = (i * 600) as f64 / 24_000.0;
            run(
                &mut p,
                &c,
                &mut rec,
                i * 600,
                600,
                at(q, 120.0, 48_000.0, 600),
            );
        }
        let ons: Vec<u64> = rec
            .events
            .iter()
            .filter(|(_, e)| e.kind == EventKind::NoteOn)
            .map(|(t, _)| *t)
            .collect();
        let step = (bar_q * 24_000.0) as u64;
        assert_eq!(
            ons,
            (0..ons.len() as u64).map(|k| k * step).collect::<Vec<_>>(),
            "{meter}"
        );
        assert!(ons.len() >= 9);
    }
}

#[test]
fn host_position_rounding_is_jitter_not_a_seek() {
    // Ardour reports positions rounded to 1/1920 quarter: up to 15 samples off at 100 bpm / 48 kHz.
    let c = simple();
    let (tempo, rate, frames) = (100.0, 48_000.0, 1024u32);
    let qps = tempo / 60.0 / rate;
    let mut p = Player::new();
    let mut rec = Recorder::default();
    let blocks = 500u64;
    for b in 0..blocks {
        let exact = (b * frames as u64) as f64 * qps;
        let rounded = (exact * 1920.0).round() / 1920.0;
        run(
            &mut p,
            &c,
            &mut rec,
            b * frames as u64,
            frames,
            at(rounded, tempo, rate, frames),
        );
    }
    // The whole-clip pad note (key 48) sounds for the full 8 quarters of each cycle: one on and one
    // off per cycle, never cut at a block edge.
    let pad: Vec<u64> = rec
        .events
        .iter()
        .filter(|(_, e)| e.key == 48)
        .map(|(t, _)| *t)
        .collect();
    let cycle = (8.0 / qps).round() as u64;
    for (i, t) in pad.iter().enumerate() {
        let expected = (i as u64 / 2 + i as u64 % 2) * cycle;
        assert!(
            t.abs_diff(expected) <= 1,
            "pad event {i} at {t}, expected {expected}"
        );
    }
    let total = blocks * frames as u64;
    let expected_ons: usize = (0..3u64)
        .flat_map(|k| (0..8u64).map(move |q| k * 8 + q))
        .filter(|&q| ((q as f64 / qps).ceil() as u64) < total)
        .count()
        + (0..3u64).filter(|k| k * cycle < total).count();
    let ons = rec
        .events
        .iter()
        .filter(|(_, e)| e.kind == EventKind::NoteOn)
        .count();
    assert_eq!(ons, expected_ons, "each note once per cycle");
}
