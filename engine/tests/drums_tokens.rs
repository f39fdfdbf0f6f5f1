//! The drum tokens against Groove-MIDI-shaped files written here: GM keys (with the dataset's
//! aliases: pedal hat, rim, edge hits), channel 10, 480 or 960 ppq, real micro-timing.

use bandmate_engine::drums::grid::{self, Feel, Hit};
use midly::num::{u15, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

/// A one-track file of (tick at 480 ppq, key, velocity) note-ons, each with a note-off, at `ppq`.
fn write_mid(hits: &[(u32, u8, u8)], ppq: u16) -> Vec<u8> {
    let scale = ppq as u32 / 480;
    let mut ev: Vec<(u32, TrackEventKind)> = vec![
        (0, TrackEventKind::Meta(MetaMessage::Tempo(517_241.into()))),
        (
            0,
            TrackEventKind::Meta(MetaMessage::TimeSignature(4, 2, 24, 8)),
        ),
    ];
    for &(t, key, vel) in hits {
        let ch = u4::new(9);
        ev.push((
            t * scale,
            TrackEventKind::Midi {
                channel: ch,
                message: MidiMessage::NoteOn {
                    key: u7::new(key),
                    vel: u7::new(vel),
                },
            },
        ));
        ev.push((
            t * scale + 30,
            TrackEventKind::Midi {
                channel: ch,
                message: MidiMessage::NoteOff {
                    key: u7::new(key),
                    vel: u7::new(0),
                },
            },
        ));
    }
    ev.sort_by_key(|e| e.0);
    let mut track = Vec::new();
    let mut last = 0;
    for (t, kind) in ev {
        track.push(TrackEvent {
            delta: u28::new(t - last),
            kind,
        });
        last = t;
    }
    track.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    let smf = Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(u15::new(ppq))),
        tracks: vec![track],
    };
    let mut out = Vec::new();
    smf.write_std(&mut out).expect("write");
    out
}

fn hit(slot: u8, class: u8, velocity: u8, offset: i16) -> Hit {
    Hit {
        slot,
        class,
        velocity,
        offset,
    }
}

#[test]
fn straight_performance_round_trips() {
    // Two bars of a funk-like groove: kick, snare (one as a rim hit, 40), pedal hat (44) on
    // 16ths, an open hat, a crash on bar 2's downbeat, played a little early or late.
    let mut perf = Vec::new();
    let mut want: Vec<Vec<Hit>> = vec![Vec::new(), Vec::new()];
    for bar in 0..2u32 {
        let b0 = bar * 1920;
        for s16 in 0..16u32 {
            let slot = (s16 / 4) * 6 + [0, 1, 3, 5][s16 as usize % 4];
            let off: i16 = if s16 % 2 == 0 { -7 } else { 12 };
            let t = (b0 + s16 * 120) as i64 + off as i64;
            if t < 0 {
                continue;
            }
            perf.push((t as u32, 44, 50 + s16 as u8));
            want[bar as usize].push(hit(slot as u8, 2, 50 + s16 as u8, off));
        }
        perf.push((b0 + 3, 36, 110));
        want[bar as usize].push(hit(0, 0, 110, 3));
        perf.push((b0 + 480 * 3 + 240 - 20, 36, 90));
        want[bar as usize].push(hit(21, 0, 90, -20));
        let snare_key = if bar == 0 { 38 } else { 40 };
        perf.push((b0 + 480 + 15, snare_key, 100));
        want[bar as usize].push(hit(6, 1, 100, 15));
        perf.push((b0 + 480 * 3 + 5, 38, 104));
        want[bar as usize].push(hit(18, 1, 104, 5));
        perf.push((b0 + 480 * 2 + 360 + 8, 46, 70));
        want[bar as usize].push(hit(17, 3, 70, 8));
    }
    perf.push((1920 - 9, 55, 120)); // a splash just before bar 2: crash class, bar 2's downbeat
    want[1].push(hit(0, 7, 120, -9));
    // The first hat of bar 0 at -7 does not exist (before 0).
    want[0].retain(|h| !(h.slot == 0 && h.class == 2));
    for b in &mut want {
        b.sort();
    }
    for ppq in [480u16, 960] {
        let bytes = write_mid(&perf, ppq);
        let on = grid::read_onsets(&bytes).expect("parse");
        assert_eq!(on.len(), perf.len(), "one note-on per hit ({ppq} ppq)");
        assert_eq!(grid::choose_feel(&on), Feel::Straight);
        let bars = grid::tokenize(&on, 4, Feel::Straight);
        assert_eq!(bars, want, "{ppq} ppq");
        // Render and tokenize again: same tokens, except that an early downbeat is played on
        // its barline (a hit never leaves its bar); keys become the class keys.
        let notes = grid::render(&bars, 4);
        let again = grid::tokenize(&grid::onsets_of(&notes), 4, Feel::Straight);
        let mut clamped = want.clone();
        for h in clamped.iter_mut().flatten() {
            if h.slot == 0 && h.offset < 0 {
                h.offset = 0;
            }
        }
        assert_eq!(again, clamped);
        assert_ne!(clamped, want, "the fixture has early downbeats");
        for n in &notes {
            assert!(grid::CLASSES.iter().any(|c| c.1 == n.pitch.as_int()));
            assert!(n.end() <= 3840);
        }
    }
}

#[test]
fn swung_performance_picks_triplets() {
    // Jazz ride: beats and swung off-beats at the last triplet, late by 6 ticks, kick feathered.
    let mut perf = Vec::new();
    let mut want = vec![Vec::new()];
    for beat in 0..4u32 {
        perf.push((beat * 480 + 6, 51, 80));
        want[0].push(hit(beat as u8 * 6, 8, 80, 6));
        perf.push((beat * 480 + 320 + 6, 59, 60));
        want[0].push(hit(beat as u8 * 6 + 4, 8, 60, 6));
        perf.push((beat * 480 + 2, 35, 30));
        want[0].push(hit(beat as u8 * 6, 0, 30, 2));
    }
    perf.push((480 + 160 - 4, 37, 40)); // side stick on a middle triplet: snare class
    want[0].push(hit(8, 1, 40, -4));
    perf.push((3 * 480 + 100, 69, 50)); // cabasa: not one of the nine classes
    want[0].sort();
    let bytes = write_mid(&perf, 480);
    let on = grid::read_onsets(&bytes).expect("parse");
    let feel = grid::choose_feel(&on);
    assert_eq!(feel, Feel::Triplet);
    assert_eq!(grid::tokenize(&on, 4, feel), want);
    let notes = grid::render(&want, 4);
    assert_eq!(grid::tokenize(&grid::onsets_of(&notes), 4, feel), want);
}

#[test]
fn bad_files_are_errors() {
    assert!(grid::read_onsets(b"not midi").is_err());
    assert!(grid::read_onsets(&[]).is_err());
}
