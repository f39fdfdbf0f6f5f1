//! Bass and drum parts in a personal style: the profile's bass step pattern and chord-root
//! intervals, and its drum grooves (hit rate, mean velocity and timing per grid cell).

use super::adapt::PersonalStyle;
use crate::clip::{Note, TICKS_PER_QUARTER};
use crate::drums::grid::{self, Feel, Hit};
use crate::model::tokens;
use crate::parts::{bass, PartContext};
use crate::rng::Rng;

/// Cells hit at least this often play in every bar; rarer ones (down to [`RARE`]) by chance.
const ALWAYS: f64 = 0.6;
const RARE: f64 = 0.08;

/// A bass line from the profile's patterns, or None when it has none for this meter.
pub fn bass_line(style: &PersonalStyle, ctx: &PartContext) -> Option<Vec<Note>> {
    let p = style.profile();
    let v = tokens::vocab().ok()?;
    let bar16 = v.bar_steps(ctx.meter)? as i32;
    let bars_seen = p
        .bass_bars
        .iter()
        .find(|(k, _)| k.first() == Some(&bar16))
        .map(|(_, c)| *c)?;
    if bars_seen == 0 || ctx.chords.is_empty() {
        return None;
    }
    let step_p: Vec<f64> = (0..bar16)
        .map(|s| {
            p.bass_steps
                .iter()
                .find(|(k, _)| k[..] == [bar16, s])
                .map_or(0.0, |(_, c)| f64::from(*c) / f64::from(bars_seen))
        })
        .collect();
    let mut above = [0f32; 12];
    for (k, c) in &p.bass_above_root {
        if let Some(&a) = k.first() {
            if (0..12).contains(&a) {
                above[a as usize] += *c as f32;
            }
        }
    }
    if above.iter().sum::<f32>() <= 0.0 {
        above[0] = 1.0;
    }
    let (low, high) = bass::range(ctx.octave);
    let home = if p.bass_notes > 0 {
        ((p.bass_pitch_sum / u64::from(p.bass_notes)) as i32 + 12 * i32::from(ctx.octave))
            .clamp(low, high)
    } else {
        low + 8
    };
    let mut rng = Rng::derive(ctx.seed, "personal-bass");
    let step_ticks = TICKS_PER_QUARTER / 4;
    let mut out = Vec::new();
    let mut prev = home;
    for bar in 0..ctx.bars {
        let start = bar * ctx.bar_ticks();
        let mut onsets: Vec<u32> = (0..bar16 as u32)
            .filter(|&s| {
                let q = step_p[s as usize];
                q >= ALWAYS || (q >= RARE && rng.chance(q as f32))
            })
            .collect();
        if onsets.first() != Some(&0) && step_p.first().is_some_and(|&q| q > 0.3) {
            onsets.insert(0, 0);
        }
        for (i, &s) in onsets.iter().enumerate() {
            let t = start + s * step_ticks;
            let next = onsets
                .get(i + 1)
                .map_or(start + ctx.bar_ticks(), |&n| start + n * step_ticks);
            let Some(chord) = ctx.chords.iter().find(|c| c.start <= t && t < c.end()) else {
                continue;
            };
            let iv = rng.weighted(&above).unwrap_or(0) as i32;
            let pc = (chord.chord.root.index() as i32 + iv).rem_euclid(12);
            let pitch = nearest(pc, prev, low, high);
            prev = pitch;
            let vel = if s == 0 { 100 } else { 88 };
            let dur = (next - t)
                .saturating_sub(step_ticks / 4)
                .max(step_ticks / 2);
            out.push(Note::new(t, dur, pitch, vel));
        }
    }
    Some(out)
}

/// The pitch of class `pc` nearest to `prev` inside `low..=high`.
fn nearest(pc: i32, prev: i32, low: i32, high: i32) -> i32 {
    let mut best = low + (pc - low).rem_euclid(12);
    let mut p = best;
    while p <= high {
        if (p - prev).abs() < (best - prev).abs() {
            best = p;
        }
        p += 12;
    }
    best
}

/// A drum part from the profile's groove for this meter (quarter-note bars only), or None.
pub fn drum_part(style: &PersonalStyle, ctx: &PartContext) -> Option<Vec<Note>> {
    let bar_ticks = ctx.bar_ticks();
    if !bar_ticks.is_multiple_of(TICKS_PER_QUARTER) {
        return None;
    }
    let beats = bar_ticks / TICKS_PER_QUARTER;
    let g = style
        .profile()
        .grooves
        .iter()
        .filter(|g| g.beats == beats && g.bars > 0)
        .max_by_key(|g| g.bars)?;
    let feel = Feel::parse(&g.feel).unwrap_or(Feel::Straight);
    let mut rng = Rng::derive(ctx.seed, "personal-drums");
    let mut bars = Vec::with_capacity(ctx.bars as usize);
    for _ in 0..ctx.bars {
        let mut hits = Vec::new();
        for &(slot, class, n, vel_sum, off_sum) in &g.cells {
            if n == 0 || usize::from(slot) >= beats as usize * grid::SLOTS_PER_BEAT {
                continue;
            }
            let q = f64::from(n) / f64::from(g.bars);
            if q >= ALWAYS || (q >= RARE && rng.chance(q as f32)) {
                let max = i64::from(feel.max_offset());
                hits.push(Hit {
                    slot: slot as u8,
                    class,
                    velocity: (vel_sum / u64::from(n)).clamp(1, 127) as u8,
                    offset: (off_sum / i64::from(n)).clamp(-max, max) as i16,
                });
            }
        }
        hits.sort();
        bars.push(hits);
    }
    Some(grid::render(&bars, beats))
}
