//! Soak: tens of thousands of blocks through CLAP with random block sizes, seeks, loop jumps,
//! tempo and meter changes, stop/start, bypass, clip swaps (seed changes) and MIDI input; the
//! output stream must stay well-formed (no double note-on, no note-off without note-on) and a
//! final stop must leave nothing sounding. The bundle is built with `assert_process_allocs`, so
//! any allocation on the audio thread aborts this test.

use bandmate_tests::*;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

#[test]
fn soak_random_transport_and_clip_swaps_stay_balanced() {
    const BLOCKS: usize = 60_000;
    let mut s = Session::new(48_000.0, 1024);
    // Rules (fast) with all parts, so there is plenty to play.
    let setup = [
        In::Param {
            id: "source",
            value: 1.0,
        },
        In::Param {
            id: "part_melody",
            value: 1.0,
        },
        In::Param {
            id: "part_bass",
            value: 1.0,
        },
        In::Param {
            id: "part_keys",
            value: 1.0,
        },
        In::Param {
            id: "part_drums",
            value: 1.0,
        },
        In::Param {
            id: "humanize",
            value: 0.3,
        },
    ];
    s.block(64, Some(Tp::at(false, 120.0, 0.0, (4, 4))), &setup);
    s.wait_for_clip(Tp::at(false, 120.0, 0.0, (4, 4)), |c| c.parts.len() == 5);

    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let meters = [(4u16, 4u16), (3, 4), (6, 8), (7, 8), (5, 4)];
    let mut tempo = 120.0;
    let mut meter = (4u16, 4u16);
    let mut beats = 0.0f64;
    let mut playing = true;
    let mut seed = 1.0;
    let mut swaps = 0;
    let mut jumps = 0;
    let mut held_input: Vec<u8> = Vec::new();
    let mut sounding_max = 0;
    let mut all = Vec::new();
    for i in 0..BLOCKS {
        let frames = match rng.below(4) {
            0 => 1 + rng.below(16) as u32,
            1 => 1 + rng.below(1024) as u32,
            _ => [64, 128, 256, 512][rng.below(4) as usize],
        };
        let mut input = Vec::new();
        if rng.chance(40) {
            beats = rng.below(400) as f64 / 4.0 + rng.below(1000) as f64 / 1000.0; // seek / loop jump
            jumps += 1;
        }
        if rng.chance(200) {
            tempo = 40.0 + rng.below(200) as f64;
        }
        if rng.chance(3000) {
            meter = meters[rng.below(meters.len() as u64) as usize]; // host meter change: new clip
        }
        if rng.chance(150) {
            playing = !playing;
        }
        if rng.chance(1500) {
            seed += 1.0;
            swaps += 1;
            input.push(In::Param {
                id: "seed",
                value: seed,
            });
        }
        if rng.chance(2500) {
            input.push(In::Param {
                id: "bypass",
                value: 1.0,
            });
        } else if rng.chance(400) {
            input.push(In::Param {
                id: "bypass",
                value: 0.0,
            });
        }
        if rng.chance(50) {
            if let Some(k) = held_input.pop() {
                input.push(In::NoteOff {
                    time: rng.below(u64::from(frames)) as u32,
                    channel: 15,
                    key: k,
                });
            } else {
                let k = 40 + rng.below(40) as u8;
                held_input.push(k);
                input.push(In::NoteOn {
                    time: rng.below(u64::from(frames)) as u32,
                    channel: 15,
                    key: k,
                    velocity: 0.7,
                });
            }
        }
        let tp = if rng.chance(500) {
            None
        } else {
            Some(Tp::at(playing, tempo, beats, meter))
        };
        let evs = s.block(frames, tp, &input);

        all.extend(evs);
        if playing {
            beats += f64::from(frames) / 48_000.0 * tempo / 60.0;
        }
        if i % 1000 == 0 {
            sounding_max = sounding_max.max(check_balance(&all).len());
        }
    }
    // Release the held input notes, stop, and check.
    let offs: Vec<In> = held_input
        .iter()
        .map(|&k| In::NoteOff {
            time: 0,
            channel: 15,
            key: k,
        })
        .collect();
    all.extend(s.block(64, Some(Tp::at(false, tempo, beats, meter)), &offs));
    all.extend(s.block(
        64,
        Some(Tp::at(false, tempo, beats, meter)),
        &[In::Param {
            id: "bypass",
            value: 0.0,
        }],
    ));
    let left = check_balance(&all);
    assert!(left.is_empty(), "still sounding after stop: {left:?}");
    let ons = all.iter().filter(|e| e.on).count();
    println!("soak: {BLOCKS} blocks, {} samples, {ons} note-ons, {} events, {swaps} seed swaps, {jumps} jumps", s.now, all.len());
    assert!(
        ons > 1_500,
        "too few notes played ({ons}) for a meaningful soak"
    );
    assert!(swaps > 20 && jumps > 1000, "swaps {swaps}, jumps {jumps}");
    assert!(sounding_max > 0);
}
