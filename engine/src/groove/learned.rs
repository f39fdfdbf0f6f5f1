//! Real drummers' feel as data: per style, the mean and spread of the timing offset (ticks) and
//! velocity of every grid slot of a 4/4 bar, per instrument class and over all hits, measured on
//! the training performances of the Groove MIDI Dataset (`models/drums/grooves.json`, written by
//! `models/train/drums_train.py`). [`apply`] moves and accents notes by these profiles.

use crate::clip::{Note, TICKS_PER_QUARTER};
use crate::drums::grid::{self, SLOTS_PER_BEAT, SLOT_TICKS};
use crate::rng::Rng;
use crate::theory::Meter;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const GROOVES: &str = include_str!("../../../models/drums/grooves.json");

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GrooveError {
    #[error("grooves.json does not parse: {0}")]
    Parse(String),
    #[error("no learned groove {style:?}; known: {known}")]
    UnknownStyle { style: String, known: String },
}

/// One slot's statistics: hits seen, offset mean/std (ticks), velocity mean/std.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub hits: u32,
    pub offset_mean: f32,
    pub offset_std: f32,
    pub velocity_mean: f32,
    pub velocity_std: f32,
}

/// A style's profile: 24 slots (4 quarters x 6) per group ("all" or a class name).
#[derive(Debug, Clone)]
pub struct Profile {
    pub style: String,
    pub bars: u32,
    pub feel: String,
    pub velocity_mean: f32,
    groups: HashMap<String, [Option<Cell>; 24]>,
}

#[derive(Deserialize)]
struct RawStyle {
    bars: u32,
    feel: String,
    velocity_mean: f32,
    cells: HashMap<String, Vec<[f64; 6]>>,
}

#[derive(Deserialize)]
struct RawFile {
    styles: HashMap<String, RawStyle>,
}

/// Which profile group a part reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// Drum notes: each by its instrument class (falling back to all hits).
    Drums,
    /// Bass: locks to the kick drum's feel.
    Bass,
    /// Any other part: the feel of all hits.
    Other,
}

fn parse(json: &str) -> Result<Vec<Profile>, GrooveError> {
    let raw: RawFile = serde_json::from_str(json).map_err(|e| GrooveError::Parse(e.to_string()))?;
    let mut out: Vec<Profile> = raw
        .styles
        .into_iter()
        .map(|(style, r)| {
            let groups = r
                .cells
                .into_iter()
                .map(|(g, rows)| {
                    let mut cells = [None; 24];
                    for row in rows {
                        let s = row[0] as usize;
                        if let Some(c) = cells.get_mut(s) {
                            *c = Some(Cell {
                                hits: row[1] as u32,
                                offset_mean: row[2] as f32,
                                offset_std: row[3] as f32,
                                velocity_mean: row[4] as f32,
                                velocity_std: row[5] as f32,
                            });
                        }
                    }
                    (g, cells)
                })
                .collect();
            Profile {
                style,
                bars: r.bars,
                feel: r.feel,
                velocity_mean: r.velocity_mean,
                groups,
            }
        })
        .collect();
    out.sort_by(|a, b| a.style.cmp(&b.style));
    Ok(out)
}

/// Every shipped profile, sorted by style name ("all" is the average drummer).
pub fn profiles() -> Result<&'static [Profile], GrooveError> {
    static P: OnceLock<Result<Vec<Profile>, GrooveError>> = OnceLock::new();
    P.get_or_init(|| parse(GROOVES))
        .as_ref()
        .map(|v| v.as_slice())
        .map_err(Clone::clone)
}

/// The profile of a learned style ("funk", "jazz", "all", ...).
pub fn profile(style: &str) -> Result<&'static Profile, GrooveError> {
    let all = profiles()?;
    let n = style.trim().to_ascii_lowercase();
    all.iter()
        .find(|p| p.style == n)
        .ok_or_else(|| GrooveError::UnknownStyle {
            style: style.to_string(),
            known: all
                .iter()
                .map(|p| p.style.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl Profile {
    /// The statistics for slot `slot` (0..24) of `group`, falling back to "all".
    pub fn cell(&self, group: &str, slot: usize) -> Option<Cell> {
        self.groups
            .get(group)
            .and_then(|g| g.get(slot).copied().flatten())
            .or_else(|| {
                self.groups
                    .get("all")
                    .and_then(|g| g.get(slot).copied().flatten())
            })
    }
}

/// Standard normal sample, clipped to +-2 (Box-Muller on the seeded stream).
fn gauss(rng: &mut Rng) -> f32 {
    let u1 = rng.next_f64().max(1e-12);
    let u2 = rng.next_f64();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    z.clamp(-2.0, 2.0) as f32
}

/// Moves and accents notes by a learned profile at `amount` 0..=1: each note on (or within
/// 30 ticks of) a grid slot takes that slot's mean push/pull plus seeded spread, and its velocity
/// is scaled by the slot's accent (slot mean / style mean) plus seeded spread (one draw per onset,
/// so notes struck together stay together). Notes stay inside
/// their bar and never move before 0 (a note on tick 0 keeps tick 0); ends are kept where
/// possible. Same notes, profile, amount and seed give the same result.
pub fn apply(
    notes: &mut [Note],
    meter: Meter,
    profile: &Profile,
    voice: Voice,
    amount: f32,
    rng: &mut Rng,
) {
    let amount = if amount.is_finite() {
        amount.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if amount <= 0.0 {
        return;
    }
    let bar = meter.bar_ticks(TICKS_PER_QUARTER).max(1);
    let mean_v = profile.velocity_mean.max(1.0);
    // Notes struck together (a chord, kick with crash) move together: one draw per onset.
    let mut draws: HashMap<u32, (f32, f32)> = HashMap::new();
    for n in notes.iter_mut() {
        let (g1, g2) = *draws
            .entry(n.start)
            .or_insert_with(|| (gauss(rng), gauss(rng)));
        let in_bar = n.start % bar;
        let beat = (in_bar / TICKS_PER_QUARTER) as usize;
        let r = in_bar % TICKS_PER_QUARTER;
        let Some((s, d)) = SLOT_TICKS
            .iter()
            .enumerate()
            .map(|(i, &t)| (i, r.abs_diff(t)))
            .min_by_key(|&(_, d)| d)
        else {
            continue;
        };
        if d > 30 {
            continue;
        }
        let slot = (beat % 4) * SLOTS_PER_BEAT + s;
        let group = match voice {
            Voice::Drums => grid::class_of(n.pitch.as_int())
                .and_then(|c| grid::CLASSES.get(c))
                .map_or("all", |c| c.0),
            Voice::Bass => "kick",
            Voice::Other => "all",
        };
        let Some(c) = profile.cell(group, slot) else {
            continue;
        };
        let dt = (amount * (c.offset_mean + 0.5 * c.offset_std * g1)).round() as i64;
        let bar_start = (n.start - in_bar) as i64;
        let end = n.end() as i64;
        let start = if n.start == 0 {
            0
        } else {
            (n.start as i64 + dt).clamp(bar_start, bar_start + bar as i64 - 1)
        };
        let accent = c.velocity_mean / mean_v;
        let v = n.velocity.as_int() as f32 * (1.0 + amount * (accent - 1.0))
            + amount * 0.25 * c.velocity_std * g2;
        let dur = (end - start).max(1) as u32;
        *n = Note::new(start as u32, dur, n.pitch.as_int() as i32, v.round() as i32);
    }
}

/// The humanize control for one part of an arrangement: applies the learned profile of the
/// clip's drum style (see [`crate::drums::catalog::groove_profile`]) in simple meters of quarter
/// beats, the seeded random [`super::humanize`] otherwise.
pub fn humanize_part(
    notes: &mut [Note],
    meter: Meter,
    kind: crate::clip::PartKind,
    drum_style: &str,
    amount: f32,
    rng: &mut Rng,
) {
    use crate::clip::PartKind;
    let simple = meter.denominator == 4 || (meter.numerator == 2 && meter.denominator == 2);
    match crate::drums::catalog::groove_profile(drum_style) {
        Some(p) if simple => {
            let voice = match kind {
                PartKind::Drums => Voice::Drums,
                PartKind::Bass => Voice::Bass,
                _ => Voice::Other,
            };
            apply(notes, meter, p, voice, amount, rng);
        }
        _ => super::humanize(notes, amount, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_parse_and_differ_by_style() {
        let funk = profile("funk").expect("funk");
        let jazz = profile("jazz").expect("jazz");
        assert!(funk.bars > 50 && jazz.bars > 20);
        assert!(profile("all").is_ok());
        assert!(matches!(
            profile("polka"),
            Err(GrooveError::UnknownStyle { .. })
        ));
        let c0 = funk.cell("snare", 6).expect("funk snare on 2");
        assert!(c0.hits > 50 && c0.velocity_mean > 60.0, "{c0:?}");
        let a = funk.cell("all", 1).map(|c| c.velocity_mean);
        let b = jazz.cell("all", 1).map(|c| c.velocity_mean);
        assert_ne!(a, b);
    }

    #[test]
    fn apply_is_seeded_bounded_and_keeps_bars() {
        let base: Vec<Note> = (0..32).map(|i| Note::new(i * 120, 100, 42, 90)).collect();
        let p = profile("funk").expect("funk");
        let mut a = base.clone();
        let mut b = base.clone();
        apply(
            &mut a,
            Meter::COMMON,
            p,
            Voice::Drums,
            1.0,
            &mut Rng::new(3),
        );
        apply(
            &mut b,
            Meter::COMMON,
            p,
            Voice::Drums,
            1.0,
            &mut Rng::new(3),
        );
        assert_eq!(a, b);
        assert_ne!(a, base);
        assert_eq!(a[0].start, 0);
        for (x, y) in a.iter().zip(&base) {
            assert_eq!(x.start / 1920, y.start / 1920, "{x:?} left its bar");
        }
        let mut z = base.clone();
        apply(
            &mut z,
            Meter::COMMON,
            p,
            Voice::Other,
            0.0,
            &mut Rng::new(3),
        );
        assert_eq!(z, base);
    }
}
