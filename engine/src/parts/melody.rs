//! The rule-based melody (the fallback when the melody model cannot run): rhythm from a table of
//! cells per beat group, a motif repeated and varied within phrases, chord tones on group
//! downbeats, scale steps between, a contour per phrase and a held note to close each phrase.
//! Every note lies in `low..=high` and in the style's scale: the key's scale (or its pentatonic
//! subset) for all styles except "blues", which uses the blues scale on the key's tonic.

use super::{PartContext, PartError};
use crate::clip::{Note, TICKS_PER_QUARTER};
use crate::rng::Rng;
use crate::scale::{self, Scale};

/// Which pitches a style draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pitches {
    /// The key's seven-note scale.
    Key,
    /// The key's pentatonic, kept inside the key's scale.
    Pentatonic,
    /// The blues scale on the key's tonic (adds the flat fifth; may leave the key).
    Blues,
}

/// A melody style.
#[derive(Debug)]
pub struct MelodyStyle {
    pub name: &'static str,
    pub description: &'static str,
    pub pitches: Pitches,
    /// Added to the density when choosing rhythm cells (-1..=1).
    pub busyness: f32,
    /// Chance of a leap (a third or more) instead of a step between downbeats.
    pub leapiness: f32,
}

/// The style table, in display order.
pub const STYLES: &[MelodyStyle] = &[
    MelodyStyle {
        name: "lead",
        description: "singable diatonic line",
        pitches: Pitches::Key,
        busyness: 0.0,
        leapiness: 0.25,
    },
    MelodyStyle {
        name: "pentatonic",
        description: "pop/folk pentatonic line",
        pitches: Pitches::Pentatonic,
        busyness: 0.0,
        leapiness: 0.3,
    },
    MelodyStyle {
        name: "blues",
        description: "blues-scale riffs with the blue note",
        pitches: Pitches::Blues,
        busyness: 0.1,
        leapiness: 0.3,
    },
    MelodyStyle {
        name: "sparse",
        description: "long notes, lots of space",
        pitches: Pitches::Key,
        busyness: -0.45,
        leapiness: 0.2,
    },
    MelodyStyle {
        name: "busy",
        description: "running sixteenths and triplets",
        pitches: Pitches::Key,
        busyness: 0.4,
        leapiness: 0.15,
    },
];

/// Rhythm cells: onsets in twelfths of a beat group and how busy the cell is (0..=1).
const CELLS: [(&[u8], f32); 10] = [
    (&[0], 0.15),
    (&[], 0.0),
    (&[0, 6], 0.5),
    (&[0, 9], 0.55),
    (&[6], 0.35),
    (&[0, 4, 8], 0.65),
    (&[0, 3, 6], 0.75),
    (&[0, 6, 9], 0.75),
    (&[0, 3, 6, 9], 0.95),
    (&[0, 8], 0.45),
];

/// Phrase contours: register targets (-1 low ..= 1 high) at evenly spaced points of a phrase.
const CONTOURS: [[f32; 5]; 5] = [
    [-0.5, 0.2, 0.8, 0.3, -0.4],  // arch
    [0.7, 0.4, 0.1, -0.2, -0.6],  // descending
    [-0.6, -0.3, 0.1, 0.5, 0.6],  // ascending
    [0.0, 0.6, -0.2, 0.5, -0.4],  // wave
    [0.5, -0.1, -0.6, -0.2, 0.3], // valley
];

super::style_table!("melody", MelodyStyle);

/// The 12-bit pitch-class set a style's melody uses in `key`.
pub fn pitch_mask(st: &MelodyStyle, key: crate::theory::Key) -> u16 {
    let key_mask = key.scale_mask();
    match st.pitches {
        Pitches::Key => key_mask,
        Pitches::Pentatonic => {
            let p = Scale::pentatonic_for(key).mask(key) & key_mask;
            if p.count_ones() >= 5 {
                p
            } else {
                key_mask
            }
        }
        Pitches::Blues => Scale::Blues.mask(key),
    }
}

/// A melody over the chord track within MIDI range `low..=high`; `ctx.style` names the style.
pub fn generate(ctx: &PartContext, low: u8, high: u8) -> Result<Vec<Note>, PartError> {
    let st = style(ctx.style)?;
    if ctx.chords.is_empty() {
        return Err(PartError::NoChords);
    }
    let (low, high) = (low.min(high) as i32, high.max(low).min(127) as i32);
    let mut rng = Rng::derive(ctx.seed, "melody");
    let mask = pitch_mask(st, ctx.key);
    let density = if ctx.density.is_finite() {
        ctx.density.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let target_busy = (0.25 + density * 0.6 + st.busyness).clamp(0.0, 1.0);
    let bar = ctx.bar_ticks().max(1);
    let groups = ctx.meter.beat_groups(TICKS_PER_QUARTER);
    let n = groups.len().max(1);
    let phrase_bars = if ctx.bars.is_multiple_of(4) {
        4
    } else if ctx.bars >= 2 {
        2
    } else {
        1
    };
    let mid = (low + high) / 2;
    let amp = ((high - low) as f32 / 2.0 * 0.8).max(1.0);

    // Rhythm: (tick, strong) onsets.
    let mut onsets: Vec<(u32, bool)> = Vec::new();
    let mut motif: Vec<usize> = Vec::new();
    for b in 0..ctx.bars {
        let in_phrase = b % phrase_bars;
        let closing = in_phrase + 1 == phrase_bars;
        if in_phrase == 0 || motif.is_empty() || rng.chance(0.45) {
            motif = (0..n)
                .map(|gi| pick_cell(target_busy, gi == 0, &mut rng))
                .collect();
        }
        for (gi, &(gs, glen)) in groups.iter().enumerate() {
            let g0 = b * bar + gs;
            if closing && gi >= n.div_ceil(2) && n > 1 {
                // The phrase ends on a held note at the bar's middle group, then breathes.
                if gi == n.div_ceil(2) {
                    onsets.push((g0, true));
                }
                continue;
            }
            let cell = if closing && n == 1 {
                CELLS[0].0
            } else {
                CELLS[motif.get(gi).copied().unwrap_or(0)].0
            };
            for &pos in cell {
                onsets.push((g0 + glen * pos as u32 / 12, pos == 0));
            }
        }
    }
    let length = ctx.length();
    onsets.retain(|o| o.0 < length);
    onsets.sort_by_key(|o| o.0);
    onsets.dedup_by_key(|o| o.0);
    if onsets.first().map(|o| o.0) != Some(0) {
        onsets.insert(0, (0, true));
    }

    let phrase_len = bar * phrase_bars;
    let contours: Vec<&[f32; 5]> = (0..ctx.bars.div_ceil(phrase_bars))
        .map(|_| rng.pick(&CONTOURS).unwrap_or(&CONTOURS[0]))
        .collect();
    let tonic = ctx.key.tonic.index() as i32;
    let mut notes = Vec::with_capacity(onsets.len());
    let mut prev = nearest_in(mask, mid, low, high);
    for (k, &(t, strong)) in onsets.iter().enumerate() {
        let next_t = onsets.get(k + 1).map_or(length, |o| o.0);
        let phrase = (t / phrase_len) as usize;
        let pt = (t % phrase_len) as f32 / phrase_len as f32;
        let target = mid as f32
            + contour_at(contours.get(phrase).copied().unwrap_or(&CONTOURS[0]), pt) * amp;
        let chord = ctx
            .chords
            .iter()
            .find(|c| c.start <= t && t < c.end())
            .or(ctx.chords.last())
            .map(|c| c.chord);
        let phrase_end = next_t >= (t / phrase_len + 1) * phrase_len || k + 1 == onsets.len();
        let pitch = if k == 0 || strong || phrase_end {
            let chord_mask = chord.map_or(mask, |c| c.mask()) & mask;
            let pool = if chord_mask == 0 { mask } else { chord_mask };
            let last = k + 1 == onsets.len();
            let leap_ok = rng.chance(st.leapiness);
            let max_jump = if leap_ok || k == 0 { 12 } else { 5 };
            let jitter = rng.next_f32() * 2.0;
            (low..=high)
                .filter(|&p| scale::in_mask(pool, p))
                .filter(|&p| (p - prev).abs() <= max_jump || k == 0)
                .min_by_key(|&p| {
                    let mut cost =
                        (p as f32 - target).abs() + 0.7 * (p - prev).abs() as f32 + jitter;
                    if last && p.rem_euclid(12) == tonic {
                        cost -= 8.0;
                    }
                    if p == prev {
                        cost += 1.5;
                    }
                    (cost * 100.0) as i32
                })
                .unwrap_or_else(|| nearest_in(pool, prev, low, high))
        } else {
            let dir = if (target - prev as f32).abs() < 1.5 {
                if rng.chance(0.5) {
                    1
                } else {
                    -1
                }
            } else if target > prev as f32 {
                1
            } else {
                -1
            };
            let steps = if rng.chance(0.2) { 2 } else { 1 };
            let p = scale::step(mask, prev, dir * steps);
            if (low..=high).contains(&p) {
                p
            } else {
                scale::step(mask, prev, -dir * steps)
            }
        };
        let pitch = if (low..=high).contains(&pitch) && scale::in_mask(mask, pitch) {
            pitch
        } else {
            nearest_in(mask, pitch, low, high)
        };
        let gap = next_t.saturating_sub(t).max(1);
        let dur = if phrase_end {
            (gap as f32 * 0.85) as u32
        } else {
            (gap as f32 * 0.92) as u32
        }
        .clamp(1, bar.max(1));
        let vel =
            if strong { 94 } else { 80 } + rng.range_i32(-5, 5) + if t % bar == 0 { 6 } else { 0 };
        notes.push(Note::new(t, dur, pitch, vel));
        prev = pitch;
    }
    Ok(notes)
}

/// A rhythm cell index weighted toward `busy` (downbeat groups avoid starting with a rest).
fn pick_cell(busy: f32, downbeat: bool, rng: &mut Rng) -> usize {
    let weights: Vec<f32> = CELLS
        .iter()
        .map(|(cell, b)| {
            if downbeat && cell.first() != Some(&0) {
                0.0
            } else {
                1.0 / (0.08 + (b - busy).abs())
            }
        })
        .collect();
    rng.weighted(&weights).unwrap_or(0)
}

/// Linear interpolation of a contour at phrase position `t` in 0..1.
fn contour_at(c: &[f32; 5], t: f32) -> f32 {
    let x = t.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f32;
    c[i] * (1.0 - f) + c[i + 1] * f
}

/// The pitch in `mask` and `low..=high` nearest `p` (or `p` clamped when there is none).
fn nearest_in(mask: u16, p: i32, low: i32, high: i32) -> i32 {
    (low..=high)
        .filter(|&q| scale::in_mask(mask, q))
        .min_by_key(|&q| ((q - p).abs(), q))
        .unwrap_or(p.clamp(low, high))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clip::ChordEvent;
    use crate::theory::{Key, Meter};

    use crate::parts::test_track as track;

    fn ctx<'a>(
        chords: &'a [ChordEvent],
        key: &str,
        style: &'a str,
        meter: Meter,
    ) -> PartContext<'a> {
        PartContext {
            key: key.parse::<Key>().expect("key"),
            meter,
            bars: chords.len() as u32,
            chords,
            style,
            density: 0.5,
            complexity: 0.3,
            octave: 0,
            seed: 17,
        }
    }

    #[test]
    fn in_range_in_scale_chord_tones_on_downbeats() {
        let chords = track(&["C", "Am", "F", "G", "C", "Em", "Dm", "G7"], Meter::COMMON);
        for name in styles() {
            let c = ctx(&chords, "C major", name, Meter::COMMON);
            let notes = generate(&c, 60, 79).expect("melody");
            assert!(notes.len() >= 8, "{name}");
            let st = style(name).expect("style");
            let mask = pitch_mask(st, c.key);
            for n in &notes {
                let p = n.pitch.as_int() as i32;
                assert!((60..=79).contains(&p), "{name} {n:?}");
                assert!(scale::in_mask(mask, p), "{name} {n:?}");
                if n.start % 1920 == 0 {
                    let ev = chords.iter().find(|e| e.start == n.start).expect("chord");
                    assert!(
                        ev.chord.mask() & (1 << (p % 12)) != 0,
                        "{name}: downbeat {n:?} over {}",
                        ev.chord
                    );
                }
            }
            for w in notes.windows(2) {
                assert!(w[0].end() <= w[1].start, "monophonic");
            }
            // Phrases end on a held note.
            assert!(notes.iter().any(|n| n.duration >= 700), "{name}");
            assert_eq!(notes, generate(&c, 60, 79).expect("melody"));
        }
        let last =
            generate(&ctx(&chords[..4], "C major", "lead", Meter::COMMON), 60, 79).expect("melody");
        let _ = last;
    }

    #[test]
    fn pentatonic_stays_in_key_and_blues_adds_the_blue_note() {
        let am: Key = "A minor".parse().expect("key");
        let pent = pitch_mask(style("pentatonic").expect("style"), am);
        assert_eq!(pent.count_ones(), 5);
        assert_eq!(pent & am.scale_mask(), pent);
        let harmonic: Key = "A harmonic minor".parse().expect("key");
        let p = pitch_mask(style("pentatonic").expect("style"), harmonic);
        assert_eq!(p & harmonic.scale_mask(), p);
        assert!(scale::in_mask(
            pitch_mask(style("blues").expect("style"), am),
            63
        ));
    }

    #[test]
    fn odd_meters_narrow_ranges() {
        for meter in ["7/8", "5/4", "6/8", "12/8", "3/4", "1/8", "13/16"] {
            let m: Meter = meter.parse().expect("meter");
            let chords = track(&["Am", "Dm", "E", "Am"], m);
            for name in styles() {
                let c = ctx(&chords, "A harmonic minor", name, m);
                for (lo, hi) in [(60, 79), (70, 72), (0, 5), (127, 127)] {
                    let notes = generate(&c, lo, hi).expect("melody");
                    assert!(!notes.is_empty());
                    for n in &notes {
                        assert!(n.end() <= c.length(), "{name} {meter}");
                        // Tiny ranges may hold no scale note; otherwise notes stay in range.
                        let p = n.pitch.as_int();
                        assert!((lo..=hi).contains(&p), "{name} {meter} {lo}..{hi} {p}");
                    }
                }
            }
        }
        assert!(matches!(style("scat"), Err(PartError::UnknownStyle { .. })));
        assert!(styles().contains(&crate::arrange::default_style(
            crate::clip::PartKind::Melody
        )));
    }
}
