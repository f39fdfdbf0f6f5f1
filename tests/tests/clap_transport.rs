//! Event timing against the host's tempo map and transport edge cases, through CLAP on the
//! bundled plugin: block sizes 1..4096, sample rates 44.1..192 kHz, tempo and meter changes,
//! 3/4 6/8 7/8, host loops that cut through notes, seeks, starting mid-bar, no transport.

use bandmate_engine::clip::Clip;
use bandmate_tests::*;

/// Enables drums and humanize (notes on every 16th, off the sample grid) and waits for the clip.
fn busy_clip(s: &mut Session, meter: (u16, u16)) -> Clip {
    let tp = Tp::at(false, 120.0, 0.0, meter);
    let params = [
        In::Param {
            id: "part_drums",
            value: 1.0,
        },
        In::Param {
            id: "part_bass",
            value: 1.0,
        },
        In::Param {
            id: "humanize",
            value: 0.4,
        },
        In::Param {
            id: "source",
            value: 1.0,
        }, // rules: fast
    ];
    s.block(64, Some(tp), &params);
    let m = meter_of(meter);
    s.wait_for_clip(tp, |c| c.parts.len() == 3 && c.meter == m)
}

fn meter_of(m: (u16, u16)) -> bandmate_engine::theory::Meter {
    meter(m)
}

fn ons(v: &[Ev]) -> Vec<Ev> {
    sorted(v.iter().copied().filter(|e| e.on).collect())
}

#[test]
fn sample_accurate_for_block_sizes_1_to_4096_and_rates_44k_to_192k() {
    for &rate in &[44_100.0, 96_000.0, 192_000.0] {
        let mut s = Session::new(rate, 4096);
        let clip = busy_clip(&mut s, (4, 4));
        let tempo = 137.0;
        let sizes: &[u32] = if rate == 44_100.0 {
            &[1, 7, 100, 512, 4096]
        } else {
            &[7, 333, 4096]
        };
        let t0 = s.now;
        let mut got = Vec::new();
        let seconds_each = 0.7;
        for &frames in sizes {
            let stop_at = s.now + (seconds_each * rate) as u64;
            while s.now < stop_at {
                let beats = (s.now - t0) as f64 / rate * tempo / 60.0;
                let f = frames.min((stop_at - s.now) as u32).max(1);
                got.extend(s.block(f, Some(Tp::at(true, tempo, beats, (4, 4))), &[]));
            }
        }
        let end = s.now;
        let want: Vec<Ev> = expected(&clip, tempo, rate, 0, end - t0)
            .into_iter()
            .map(|e| Ev {
                time: e.time + t0,
                ..e
            })
            .collect();
        assert!(want.len() > 30, "clip too sparse for this test");
        assert_eq!(sorted(got.clone()), want, "rate {rate}");
        check_balance(&got);
    }
}

#[test]
fn tempo_changes_follow_the_tempo_map() {
    let mut s = Session::new(48_000.0, 512);
    let clip = busy_clip(&mut s, (4, 4));
    let t0 = s.now;
    // 100 bpm for 3 s, then 160 bpm for 3 s (the change falls on a block boundary).
    let change = 3 * 48_000;
    let b1 = 3.0 * 100.0 / 60.0;
    let mut got = Vec::new();
    while s.now - t0 < 2 * change {
        let rel = s.now - t0;
        let (tempo, beats) = if rel < change {
            (100.0, rel as f64 / 48_000.0 * 100.0 / 60.0)
        } else {
            (160.0, b1 + (rel - change) as f64 / 48_000.0 * 160.0 / 60.0)
        };
        let frames = 512.min((if rel < change { change } else { 2 * change } - rel) as u32);
        got.extend(s.block(frames, Some(Tp::at(true, tempo, beats, (4, 4))), &[]));
    }
    // Expected: events before b1 at 100 bpm, after at 160 bpm.
    let first: Vec<Ev> = expected(&clip, 100.0, 48_000.0, 0, change)
        .into_iter()
        .collect();
    let spq2 = 60.0 / 160.0 * 48_000.0;
    let len_q = clip.length_quarters();
    let mut second = Vec::new();
    for k in 0..4 {
        for part in &clip.parts {
            for n in &part.notes {
                for (tick, on) in [(n.start, true), (n.end(), false)] {
                    let q = k as f64 * len_q + f64::from(tick) / 480.0;
                    if q < b1 {
                        continue;
                    }
                    let t = change + ((q - b1) * spq2 - 1e-3).ceil() as u64;
                    if t < 2 * change {
                        second.push(Ev {
                            time: t,
                            on,
                            channel: part.channel.as_int(),
                            key: n.pitch.as_int(),
                        });
                    }
                }
            }
        }
    }
    let want: Vec<Ev> = first
        .into_iter()
        .chain(second)
        .map(|e| Ev {
            time: e.time + t0,
            ..e
        })
        .collect();
    // Offs of notes that start before the change and end after it are the same either way.
    assert_eq!(ons(&got), ons(&want));
    assert_eq!(sorted(got.clone()), sorted(want));
    check_balance(&got);
}

#[test]
fn meters_3_4_6_8_7_8_from_the_host() {
    for m in [(3u16, 4u16), (6, 8), (7, 8)] {
        let mut s = Session::new(48_000.0, 512);
        let clip = busy_clip(&mut s, m);
        assert_eq!(
            clip.meter,
            meter(m),
            "the clip follows the host's time signature"
        );
        let t0 = s.now;
        let got = s.play(6.0, 480, 120.0, m, 0.0);
        let want: Vec<Ev> = expected(&clip, 120.0, 48_000.0, 0, s.now - t0)
            .into_iter()
            .map(|e| Ev {
                time: e.time + t0,
                ..e
            })
            .collect();
        assert_eq!(sorted(got.clone()), want, "meter {m:?}");
        check_balance(&got);
    }
}

#[test]
fn meter_change_mid_song_regenerates_and_stays_on_the_bar_grid() {
    let mut s = Session::new(48_000.0, 512);
    let t0 = s.now;
    let spq = 24_000.0;
    // Song: 4 bars of 4/4 (16 quarters), then 3/4.
    let tp_at = |beats: f64| {
        if beats < 16.0 {
            Tp::at(true, 120.0, beats, (4, 4))
        } else {
            let bar = ((beats - 16.0) / 3.0 + 1e-9).floor();
            Tp {
                playing: true,
                tempo: 120.0,
                beats,
                meter: (3, 4),
                bar_start: 16.0 + 3.0 * bar,
                bar_number: 4 + bar as i32,
            }
        }
    };
    let mut got = Vec::new();
    let mut swapped_at = None;
    while s.now - t0 < (60.0 * spq) as u64 {
        let beats = (s.now - t0) as f64 / spq;
        got.extend(s.block(480, Some(tp_at(beats)), &[]));
        if beats >= 16.0 && swapped_at.is_none() {
            std::thread::sleep(std::time::Duration::from_millis(2));
            if s.clip().meter == meter((3, 4)) {
                swapped_at = Some(s.now);
            }
        }
    }
    let swapped_at = swapped_at.expect("the plugin regenerated in 3/4");
    check_balance(&got);
    let clip = s.clip();
    // From one bar after the swap, note-ons follow host bar n -> clip bar n % bars.
    let from = swapped_at + (3.0 * spq) as u64;
    let to = s.now;
    let bar_q = clip.meter.quarters_per_bar();
    let mut want = Vec::new();
    for n in 4..40i64 {
        let start_q = 16.0 + 3.0 * (n - 4) as f64;
        let cb = (n % clip.bars as i64) as u32;
        let bar_ticks = clip.bar_ticks();
        for part in &clip.parts {
            for note in part.notes.iter().filter(|x| x.start / bar_ticks == cb) {
                let q = start_q + f64::from(note.start - cb * bar_ticks) / 480.0;
                let t = t0 + (q * spq - 1e-3).ceil() as u64;
                if (from..to).contains(&t) {
                    want.push(Ev {
                        time: t,
                        on: true,
                        channel: part.channel.as_int(),
                        key: note.pitch.as_int(),
                    });
                }
            }
        }
    }
    assert!((bar_q - 3.0).abs() < 1e-9);
    let got_ons: Vec<Ev> = ons(&got)
        .into_iter()
        .filter(|e| (from..to).contains(&e.time))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got_ons, sorted(want));
}

#[test]
fn host_loop_cutting_through_notes_releases_at_each_wrap() {
    let mut s = Session::new(48_000.0, 512);
    let clip = busy_clip(&mut s, (4, 4));
    let spq = 24_000.0;
    let (loop_start, loop_end) = (1.5, 6.25);
    let loop_len = ((loop_end - loop_start) * spq) as u64; // 114000 samples
    let mut got = Vec::new();
    let mut wraps = Vec::new();
    for pass in 0..6 {
        let pass_start = s.now;
        if pass > 0 {
            wraps.push(pass_start);
        }
        while s.now - pass_start < loop_len {
            let rel = s.now - pass_start;
            let frames = 512.min((loop_len - rel) as u32);
            got.extend(s.block(
                frames,
                Some(Tp::at(true, 120.0, loop_start + rel as f64 / spq, (4, 4))),
                &[],
            ));
        }
    }
    check_balance(&got);
    for w in &wraps {
        // Just before the wrap something was sounding (notes cross the loop end) ...
        let sounding_before = check_balance(
            &got.iter()
                .copied()
                .filter(|e| e.time < *w)
                .collect::<Vec<_>>(),
        );
        assert!(
            !sounding_before.is_empty(),
            "the loop should cut through notes"
        );
        // ... and all of it is released at the wrap sample.
        let offs_at_wrap: Vec<(u8, u8)> = got
            .iter()
            .filter(|e| e.time == *w && !e.on)
            .map(|e| (e.channel, e.key))
            .collect();
        for k in &sounding_before {
            assert!(
                offs_at_wrap.contains(k),
                "{k:?} not released at the loop wrap {w}"
            );
        }
    }
    // Note-ons inside each pass are the clip's, at their loop-relative times.
    let first_pass_start = wraps[0] - loop_len;
    for (i, pass_start) in std::iter::once(first_pass_start)
        .chain(wraps.iter().copied())
        .enumerate()
    {
        let want: Vec<Ev> = expected(
            &clip,
            120.0,
            48_000.0,
            (loop_start * spq) as u64,
            (loop_end * spq) as u64,
        )
        .into_iter()
        .filter(|e| e.on)
        .map(|e| Ev {
            time: e.time - (loop_start * spq) as u64 + pass_start,
            ..e
        })
        .collect();
        let have: Vec<Ev> = ons(&got)
            .into_iter()
            .filter(|e| (pass_start..pass_start + loop_len).contains(&e.time))
            .collect();
        assert_eq!(have, want, "pass {i}");
    }
}

/// The clip's note-ons for song quarters `from_q..to_q` at 120 bpm / 48 kHz, moved so that
/// `from_q` falls on sample `at`.
fn ons_from(clip: &Clip, from_q: f64, to_q: f64, at: u64) -> Vec<Ev> {
    let spq = 24_000.0;
    let (from, to) = ((from_q * spq) as u64, (to_q * spq) as u64);
    expected(clip, 120.0, 48_000.0, from, to)
        .into_iter()
        .filter(|e| e.on)
        .map(|e| Ev {
            time: e.time - from + at,
            ..e
        })
        .collect()
}

#[test]
fn seeks_and_starting_mid_bar() {
    let mut s = Session::new(48_000.0, 512);
    let clip = s.clip();
    // Start mid-bar at beat 2.5: notes that began earlier are not played; the next ones are.
    let start = s.now;
    let first = s.play(2.0, 512, 120.0, (4, 4), 2.5);
    assert_eq!(ons(&first), ons_from(&clip, 2.5, 6.5, start));
    assert!(
        first.iter().find(|e| e.on).is_some_and(|e| e.time > start),
        "nothing sounds at a mid-bar start"
    );
    let sounding = check_balance(&first);
    assert!(!sounding.is_empty());
    // Seek to beat 9.0: everything sounding is released at the seek sample, then the clip goes on
    // from beat 9.
    let seek = s.now;
    let second = s.play(2.0, 512, 120.0, (4, 4), 9.0);
    let offs: Vec<_> = second.iter().filter(|e| e.time == seek && !e.on).collect();
    assert_eq!(offs.len(), sounding.len());
    assert_eq!(ons(&second), ons_from(&clip, 9.0, 13.0, seek));
    // Seek backwards into the middle of a bar (beat 1.25).
    let back = s.now;
    let sounding = check_balance(&[first.clone(), second.clone()].concat());
    let third = s.play(1.0, 512, 120.0, (4, 4), 1.25);
    assert_eq!(
        third.iter().filter(|e| e.time == back && !e.on).count(),
        sounding.len()
    );
    assert_eq!(ons(&third), ons_from(&clip, 1.25, 3.25, back));
    check_balance(&[first, second, third].concat());
}

#[test]
fn no_transport_runs_free_at_the_plugin_tempo() {
    let mut s = Session::new(48_000.0, 512);
    let clip = s.clip();
    let mut got = Vec::new();
    while s.now < 5 * 48_000 {
        got.extend(s.block(512, None, &[]));
    }
    let want = expected(&clip, 120.0, 48_000.0, 0, s.now);
    assert_eq!(sorted(got.clone()), want);
    check_balance(&got);
    // Free-run tempo 90 bpm: still free-running, now slower.
    let t1 = s.now;
    // A continuous FloatParam's CLAP value is normalized: (90 - 20) / (300 - 20).
    let mut later = s.block(
        512,
        None,
        &[In::Param {
            id: "free_tempo",
            value: 0.25,
        }],
    );
    while s.now < t1 + 10 * 48_000 {
        later.extend(s.block(512, None, &[]));
    }
    // The free clock went on from where it was at t1, at 90 bpm (32000 samples per quarter).
    let q1 = t1 as f64 / 24_000.0;
    let len_q = clip.length_quarters();
    let mut want = Vec::new();
    for k in 0..10 {
        for part in &clip.parts {
            for n in &part.notes {
                let q = k as f64 * len_q + f64::from(n.start) / 480.0;
                if q >= q1 {
                    let t = t1 + ((q - q1) * 32_000.0 - 1e-3).ceil() as u64;
                    if t < s.now {
                        want.push(Ev {
                            time: t,
                            on: true,
                            channel: part.channel.as_int(),
                            key: n.pitch.as_int(),
                        });
                    }
                }
            }
        }
    }
    assert!(!want.is_empty());
    assert_eq!(ons(&later), sorted(want));
}
