//! Note-off guarantees across the plugin's life (clip swap, bypass, deactivate), MIDI input
//! (thru and history) and state restore, through CLAP on the bundled plugin.

use bandmate_tests::*;

fn tp(beats: f64) -> Tp {
    Tp::at(true, 120.0, beats, (4, 4))
}

#[test]
fn seed_change_swaps_the_clip_and_releases_notes_first() {
    let mut s = Session::new(48_000.0, 512);
    let before = s.clip();
    let mut got = s.play(1.0, 512, 120.0, (4, 4), 0.0);
    let sounding = check_balance(&got);
    assert!(!sounding.is_empty());
    // New seed through a CLAP parameter event (IntParam: the CLAP value is the seed).
    let swap_request = s.now;
    let beats = |now: u64| now as f64 / 24_000.0;
    got.extend(s.block(
        512,
        Some(tp(beats(s.now))),
        &[In::Param {
            id: "seed",
            value: 7.0,
        }],
    ));
    let mut new_clip = s.clip();
    for _ in 0..500 {
        if new_clip != before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
        got.extend(s.block(512, Some(tp(beats(s.now))), &[]));
        new_clip = s.clip();
    }
    assert_ne!(new_clip, before, "a new seed makes a new clip");
    assert_eq!(new_clip.provenance.seed, 7);
    // Keep playing until the swap has certainly happened, then over a bar line.
    got.extend(s.play(4.0, 512, 120.0, (4, 4), beats(s.now)));
    let all_sounding_at_swap: Vec<&Ev> = got
        .iter()
        .filter(|e| e.time >= swap_request && !e.on)
        .collect();
    for k in &sounding {
        assert!(
            all_sounding_at_swap
                .iter()
                .any(|e| (e.channel, e.key) == *k),
            "{k:?} never released"
        );
    }
    check_balance(&got);
    // After the swap the new clip's bar 2 chord plays at beat 8 (absolute sample 192000).
    let want: Vec<Ev> = expected(&new_clip, 120.0, 48_000.0, 192_000, 192_001)
        .into_iter()
        .filter(|e| e.on)
        .collect();
    let have: Vec<Ev> = got
        .iter()
        .copied()
        .filter(|e| e.on && e.time == 192_000)
        .collect();
    assert_eq!(sorted(have), want);
}

#[test]
fn bypass_releases_and_silences_then_resumes() {
    let mut s = Session::new(48_000.0, 512);
    let mut got = s.play(0.5, 512, 120.0, (4, 4), 0.0);
    let sounding = check_balance(&got);
    assert!(!sounding.is_empty());
    let at = s.now;
    let b = s.block(
        512,
        Some(tp(at as f64 / 24_000.0)),
        &[In::Param {
            id: "bypass",
            value: 1.0,
        }],
    );
    assert_eq!(b.len(), sounding.len());
    assert!(b.iter().all(|e| !e.on && e.time == at));
    got.extend(b);
    // Bypassed over a bar line: nothing.
    let quiet = s.play(2.5, 512, 120.0, (4, 4), s.now as f64 / 24_000.0);
    assert!(quiet.is_empty(), "bypassed plugin sent {quiet:?}");
    // Un-bypass: plays again from the next note.
    got.extend(s.block(
        512,
        Some(tp(s.now as f64 / 24_000.0)),
        &[In::Param {
            id: "bypass",
            value: 0.0,
        }],
    ));
    let again = s.play(2.0, 512, 120.0, (4, 4), s.now as f64 / 24_000.0);
    assert!(again.iter().any(|e| e.on));
    got.extend(again);
    check_balance(&got);
}

#[test]
fn deactivate_releases_at_the_next_block_and_reactivation_plays_the_same_clip() {
    let mut s = Session::new(48_000.0, 512);
    let clip = s.clip();
    let mut got = s.play(0.5, 512, 120.0, (4, 4), 0.0);
    let sounding = check_balance(&got);
    assert!(!sounding.is_empty());
    s.deactivate();
    s.activate();
    assert_eq!(s.clip(), clip, "reactivation keeps the clip");
    let at = s.now;
    let first = s.block(512, Some(Tp::at(false, 120.0, 0.0, (4, 4))), &[]);
    assert_eq!(first.len(), sounding.len());
    assert!(first.iter().all(|e| !e.on && e.time == at));
    got.extend(first);
    assert!(check_balance(&got).is_empty());
    // Playing from 0 again gives the clip's first chord at once.
    let t0 = s.now;
    let again = s.play(0.1, 512, 120.0, (4, 4), 0.0);
    let want: Vec<Ev> = expected(&clip, 120.0, 48_000.0, 0, 1)
        .into_iter()
        .map(|e| Ev {
            time: e.time + t0,
            ..e
        })
        .collect();
    assert_eq!(sorted(again.into_iter().filter(|e| e.on).collect()), want);
}

#[test]
fn midi_input_is_passed_through_in_order_and_kept_as_history() {
    let mut s = Session::new(48_000.0, 512);
    let mut thru = Vec::new();
    // Play C E G (channel 5, keys 60/64/67; the clip uses 0-3 and 9) while the transport runs.
    for (i, key) in [60u8, 64, 67].into_iter().enumerate() {
        let beats = s.now as f64 / 24_000.0;
        let on = s.block(
            512,
            Some(tp(beats)),
            &[In::NoteOn {
                time: 100 + i as u32,
                channel: 5,
                key,
                velocity: 0.8,
            }],
        );
        thru.extend(
            on.iter()
                .copied()
                .filter(|e| e.key == key && e.channel == 5 && e.on),
        );
        let beats = s.now as f64 / 24_000.0;
        let off = s.block(
            512,
            Some(tp(beats)),
            &[In::NoteOff {
                time: 300,
                channel: 5,
                key,
            }],
        );
        thru.extend(
            off.iter()
                .copied()
                .filter(|e| e.key == key && e.channel == 5 && !e.on),
        );
    }
    let times: Vec<u64> = thru.iter().map(|e| e.time % 1024).collect();
    assert_eq!(times, vec![100, 512 + 300, 101, 512 + 300, 102, 512 + 300]);
    // Wait for the background task to move the notes into the saved history.
    let mut history = serde_json::Value::Null;
    for _ in 0..200 {
        history = saved_field(&s.state(), "history");
        if history.as_array().is_some_and(|h| h.len() == 3) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        s.block(64, Some(Tp::at(false, 120.0, 0.0, (4, 4))), &[]);
    }
    let keys: Vec<u64> = history
        .as_array()
        .expect("history array")
        .iter()
        .filter_map(|n| n["key"].as_u64())
        .collect();
    assert_eq!(keys, vec![60, 64, 67]);
    // Thru off: input no longer reaches the output.
    let beats = s.now as f64 / 24_000.0;
    let none = s.block(
        512,
        Some(Tp::at(false, 120.0, beats, (4, 4))),
        &[
            In::Param {
                id: "midi_thru",
                value: 0.0,
            },
            In::NoteOn {
                time: 5,
                channel: 2,
                key: 70,
                velocity: 0.5,
            },
        ],
    );
    assert!(none.iter().all(|e| e.key != 70));
}

#[test]
fn saved_state_restores_the_identical_clip_and_playback() {
    let mut a = Session::new(48_000.0, 512);
    // Make a non-default clip: seed 42, keys and drums on.
    a.block(
        64,
        Some(Tp::at(false, 120.0, 0.0, (4, 4))),
        &[
            In::Param {
                id: "seed",
                value: 42.0,
            },
            In::Param {
                id: "part_keys",
                value: 1.0,
            },
            In::Param {
                id: "source",
                value: 1.0,
            },
        ],
    );
    let clip = a.wait_for_clip(Tp::at(false, 120.0, 0.0, (4, 4)), |c| {
        c.provenance.seed == 42 && c.parts.len() == 2
    });
    let state = a.state();
    let t0 = a.now;
    let played_a: Vec<Ev> = a
        .play(3.0, 512, 120.0, (4, 4), 0.0)
        .into_iter()
        .map(|e| Ev {
            time: e.time - t0,
            ..e
        })
        .collect();
    drop(a);

    let mut b = Session::new(48_000.0, 512);
    b.deactivate();
    b.load_state(&state);
    b.activate();
    assert_eq!(b.clip(), clip, "restored clip differs");
    let t0 = b.now;
    let played_b: Vec<Ev> = b
        .play(3.0, 512, 120.0, (4, 4), 0.0)
        .into_iter()
        .map(|e| Ev {
            time: e.time - t0,
            ..e
        })
        .collect();
    assert_eq!(played_a, played_b);
    assert_eq!(b.clip(), clip, "the restored clip must not be regenerated");
}
