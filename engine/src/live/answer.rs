//! The melody answer to a played phrase (rules): the phrase's rhythm on the 16th grid, its
//! contour moved by a few scale steps (or mirrored), in the key, chord tones on the beats and a
//! chord tone at the end, over the band's chords.

use super::{LiveSettings, ResponseNote, SIXTEENTH};
use crate::arrange::melody_range;
use crate::clip::{ChordEvent, Note, PartKind, TICKS_PER_QUARTER};
use crate::rng::Rng;
use crate::scale;
use crate::theory::Key;

/// Scale steps the answer's contour may be moved by.
const SHIFTS: [i32; 4] = [-2, -1, 1, 2];
/// Chance of mirroring the contour around its first note instead of moving it.
const MIRROR: f32 = 0.35;

/// The answer, one phrase long from `at`, to `played` (start, duration, key, velocity; starts
/// in the previous phrase), in `key` over `harmony`.
pub fn answer(
    played: &[(u32, u32, u8, u8)],
    s: &LiveSettings,
    key: Key,
    harmony: &[ChordEvent],
    at: u32,
    seed: u64,
) -> Vec<ResponseNote> {
    let p = s.phrase_ticks();
    let origin = at.saturating_sub(p);
    let beat = s.meter.beat_ticks(TICKS_PER_QUARTER).max(1);
    // One note per 16th onset, the top one (an answer is a single line).
    let mut line: Vec<(u32, u32, i32, u8)> = Vec::new();
    for &(t, d, k, v) in played {
        let rel = ((t.saturating_sub(origin) + SIXTEENTH / 2) / SIXTEENTH) * SIXTEENTH;
        if rel >= p {
            continue;
        }
        match line.last_mut() {
            Some(last) if last.0 == rel => {
                if i32::from(k) > last.2 {
                    *last = (rel, d, i32::from(k), v);
                }
            }
            _ => line.push((rel, d, i32::from(k), v)),
        }
    }
    let Some(&(_, _, first, _)) = line.first() else {
        return Vec::new();
    };
    let mut rng = Rng::derive(seed, "live-answer");
    let mask = key.scale_mask();
    let mirror = rng.chance(MIRROR);
    let shift = *rng.pick(&SHIFTS).unwrap_or(&1);
    let (low, high) = melody_range(0);
    let (low, high) = (i32::from(low), i32::from(high));
    let n = line.len();
    let mut out = Vec::with_capacity(n);
    for (i, &(rel, dur, pitch, vel)) in line.iter().enumerate() {
        let start = at + rel;
        let mut q = if mirror {
            scale::snap(mask, first - (pitch - first))
        } else {
            scale::step(mask, scale::snap(mask, pitch), shift)
        };
        let chord = harmony
            .iter()
            .rev()
            .find(|c| c.start <= start && start < c.end());
        let tones = chord.map_or(0, |c| c.chord.mask() & mask);
        if tones != 0 && (rel % beat == 0 || i + 1 == n) {
            q = scale::snap(tones, q);
        }
        while q > high {
            q -= 12;
        }
        while q < low {
            q += 12;
        }
        let next = line.get(i + 1).map_or(p, |x| x.0);
        let duration = dur
            .div_ceil(SIXTEENTH)
            .max(1)
            .saturating_mul(SIXTEENTH)
            .min(next - rel);
        out.push(ResponseNote {
            part: PartKind::Melody,
            note: Note::new(start, duration, q, i32::from(vel.max(1))),
        });
    }
    out
}
