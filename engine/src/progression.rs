//! The rule-based chord-progression generator: a weighted walk over diatonic harmonic functions
//! (tonic → predominant → dominant → tonic) with cadences at phrase ends. It is the fallback
//! whenever no model can be loaded, and a baseline in evaluations.

use crate::chord::{Quality, RomanChord};
use crate::clip::{ChordEvent, TICKS_PER_QUARTER};
use crate::rng::Rng;
use crate::theory::{Key, Meter};
use serde::{Deserialize, Serialize};

/// How often chords change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HarmonicRhythm {
    /// One chord every two bars.
    TwoBars,
    /// One chord per bar.
    Bar,
    /// Two chords per bar (split at the beat group nearest the middle).
    HalfBar,
    /// Mostly one per bar, two in cadence bars and now and then elsewhere.
    Mixed,
}

impl HarmonicRhythm {
    pub const ALL: [HarmonicRhythm; 4] = [
        HarmonicRhythm::TwoBars,
        HarmonicRhythm::Bar,
        HarmonicRhythm::HalfBar,
        HarmonicRhythm::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HarmonicRhythm::TwoBars => "two-bars",
            HarmonicRhythm::Bar => "bar",
            HarmonicRhythm::HalfBar => "half-bar",
            HarmonicRhythm::Mixed => "mixed",
        }
    }

    pub fn parse(s: &str) -> Option<HarmonicRhythm> {
        HarmonicRhythm::ALL
            .into_iter()
            .find(|h| h.name() == s.trim())
    }
}

/// Settings of the rule-based generator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressionSettings {
    pub key: Key,
    pub meter: Meter,
    pub bars: u32,
    pub rhythm: HarmonicRhythm,
    /// 0 = triads only … 1 = ninths, elevenths, thirteenths and secondary dominants.
    pub complexity: f32,
    /// 0 = most common moves only … 1 = flat weights (more surprising).
    pub adventure: f32,
    /// Bars per phrase; each phrase ends in a cadence.
    pub phrase_bars: u32,
}

/// Transition weights between scale degrees (rows: from I..vii, columns: to I..vii), after
/// common-practice and pop usage. Data, not branches: tune here.
const MAJOR_MOVES: [[f32; 7]; 7] = [
    // I    ii   iii  IV   V    vi   vii
    [0.0, 2.0, 0.8, 4.0, 4.0, 3.5, 0.4], // from I
    [0.6, 0.0, 0.2, 0.6, 5.0, 0.5, 1.0], // from ii
    [0.4, 0.5, 0.0, 3.0, 0.8, 3.0, 0.1], // from iii
    [3.0, 1.5, 0.4, 0.0, 4.5, 1.2, 0.6], // from IV
    [5.0, 0.3, 0.4, 1.2, 0.0, 2.5, 0.2], // from V
    [0.8, 3.0, 0.8, 4.0, 2.0, 0.0, 0.2], // from vi
    [4.0, 0.1, 1.0, 0.2, 0.8, 0.6, 0.0], // from vii°
];

/// Minor-key weights (natural-minor degrees; V and vii° are raised to harmonic minor at cadences).
const MINOR_MOVES: [[f32; 7]; 7] = [
    // i    ii°  III  iv   v/V  VI   VII
    [0.0, 0.8, 2.0, 4.0, 3.0, 4.0, 3.0], // from i
    [0.5, 0.0, 0.2, 0.4, 5.0, 0.3, 0.3], // from ii°
    [0.8, 0.3, 0.0, 2.5, 0.8, 3.0, 2.0], // from III
    [3.0, 1.0, 0.5, 0.0, 4.0, 1.5, 2.0], // from iv
    [5.0, 0.2, 0.5, 1.0, 0.0, 2.5, 0.5], // from V
    [1.5, 1.5, 2.0, 3.0, 2.0, 0.0, 3.5], // from VI
    [3.0, 0.1, 3.5, 0.5, 0.5, 1.5, 0.0], // from VII
];

/// Cadence formulas as scale degrees: authentic (ii–V–I, IV–V–I, V–I), plagal (IV–I) and half (ii–V, IV–V).
const CADENCES: [&[u8]; 6] = [&[1, 4, 0], &[3, 4, 0], &[4, 0], &[3, 0], &[1, 4], &[3, 4]];

/// Generates a chord track covering exactly `bars` bars.
pub fn generate(s: &ProgressionSettings, seed: u64) -> Vec<ChordEvent> {
    let mut rng = Rng::derive(seed, "progression");
    let slots = slot_grid(s, &mut rng);
    let n = slots.len();
    let minor = s.key.mode.is_minor();
    let moves = if minor { &MINOR_MOVES } else { &MAJOR_MOVES };
    let phrase_len = s.phrase_bars.max(1) * s.meter.bar_ticks(TICKS_PER_QUARTER);

    let mut degrees: Vec<u8> = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        if i == 0 {
            degrees.push(0);
            i += 1;
            continue;
        }
        let (start, _) = slots[i];
        let phrase_start = start / phrase_len * phrase_len;
        let phrase_end = phrase_start + phrase_len;
        let remaining = slots[i..]
            .iter()
            .take_while(|(t, _)| *t < phrase_end)
            .count();
        let phrase_slots = slots
            .iter()
            .filter(|(t, _)| (phrase_start..phrase_end).contains(t))
            .count();
        let last_phrase = i + remaining == n;
        if phrase_slots >= 3 && (remaining == 2 || (remaining == 3 && rng.chance(0.5))) {
            let options: Vec<&[u8]> = CADENCES
                .iter()
                .copied()
                .filter(|c| c.len() == remaining && (!last_phrase || c.last() == Some(&0)))
                .collect();
            if let Some(c) = rng.pick(&options) {
                degrees.extend_from_slice(c);
                i += c.len();
                continue;
            }
        }
        let prev = degrees[i - 1] as usize;
        let flat = s.adventure.clamp(0.0, 1.0);
        let weights: Vec<f32> = moves[prev]
            .iter()
            .map(|&w| {
                if w > 0.0 {
                    w * (1.0 - flat) + 2.0 * flat
                } else {
                    0.0
                }
            })
            .collect();
        degrees.push(rng.weighted(&weights).unwrap_or(0) as u8);
        i += 1;
    }

    degrees
        .iter()
        .zip(&slots)
        .enumerate()
        .map(|(i, (&d, &(start, duration)))| {
            let next = degrees.get(i + 1).copied();
            let roman = colour(s, d, next, minor, &mut rng);
            ChordEvent {
                start,
                duration,
                chord: roman.to_chord(s.key),
                roman: Some(roman),
            }
        })
        .collect()
}

/// Chooses the quality of a degree: diatonic triad or seventh, raised dominant in minor,
/// sometimes a secondary dominant or an extension as complexity rises.
fn colour(
    s: &ProgressionSettings,
    degree: u8,
    next: Option<u8>,
    minor: bool,
    rng: &mut Rng,
) -> RomanChord {
    let c = s.complexity.clamp(0.0, 1.0);
    let sevenths = rng.chance(c * 0.9);
    let mut r = RomanChord::diatonic(s.key, degree, sevenths);
    if minor && degree == 4 {
        // Harmonic-minor dominant.
        r.quality = if sevenths {
            Quality::Dominant7
        } else {
            Quality::Major
        };
        if s.key.mode.steps()[6] == 10 {
            // The raised leading tone is outside the natural scale but idiomatic.
            r.alteration = 0;
        }
    }
    // Secondary dominant: V/x before a chord x a fifth below.
    if let Some(nx) = next {
        if c > 0.5 && nx != 0 && degree == (nx + 4) % 7 && rng.chance((c - 0.5) * 0.8) {
            r.quality = if sevenths {
                Quality::Dominant7
            } else {
                Quality::Major
            };
        }
    }
    if c > 0.6 && rng.chance((c - 0.6) * 1.5) {
        r.quality = match r.quality {
            Quality::Dominant7 => *rng
                .pick(&[
                    Quality::Dominant9,
                    Quality::Dominant13,
                    Quality::Dominant7Sus4,
                ])
                .unwrap_or(&Quality::Dominant9),
            Quality::Major7 => Quality::Major9,
            Quality::Minor7 => *rng
                .pick(&[Quality::Minor9, Quality::Minor11])
                .unwrap_or(&Quality::Minor9),
            Quality::Major => Quality::Add9,
            q => q,
        };
    }
    let max = (c * 3.0).round() as u8;
    r.quality = r.quality.simplified(max);
    r
}

/// Slots of (start, duration) in ticks covering the clip exactly.
fn slot_grid(s: &ProgressionSettings, rng: &mut Rng) -> Vec<(u32, u32)> {
    let bar = s.meter.bar_ticks(TICKS_PER_QUARTER);
    let groups = s.meter.group_starts(TICKS_PER_QUARTER);
    // The split point nearest the middle of the bar.
    let half = groups
        .iter()
        .copied()
        .filter(|&g| g > 0)
        .min_by_key(|&g| (g as i64 * 2 - bar as i64).abs())
        .unwrap_or(bar / 2)
        .max(1);
    let mut slots = Vec::new();
    let mut b = 0;
    while b < s.bars {
        let start = b * bar;
        let last_bar = b + 1 == s.bars;
        let cadence_bar = (b + 1) % s.phrase_bars.max(1) == 0;
        match s.rhythm {
            HarmonicRhythm::TwoBars if b + 1 < s.bars => {
                slots.push((start, 2 * bar));
                b += 2;
                continue;
            }
            HarmonicRhythm::HalfBar => {
                slots.push((start, half));
                slots.push((start + half, bar - half));
            }
            HarmonicRhythm::Mixed if (cadence_bar && !last_bar) || rng.chance(0.2) => {
                slots.push((start, half));
                slots.push((start + half, bar - half));
            }
            _ => slots.push((start, bar)),
        }
        b += 1;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(key: &str, meter: &str, bars: u32, rhythm: HarmonicRhythm) -> ProgressionSettings {
        ProgressionSettings {
            key: key.parse().expect("key"),
            meter: meter.parse().expect("meter"),
            bars,
            rhythm,
            complexity: 0.3,
            adventure: 0.3,
            phrase_bars: 4,
        }
    }

    #[test]
    fn covers_the_clip_and_starts_on_tonic() {
        for rhythm in HarmonicRhythm::ALL {
            for (meter, bars) in [("4/4", 8), ("3/4", 5), ("7/8", 4), ("6/8", 1), ("5/4", 7)] {
                let s = settings("C major", meter, bars, rhythm);
                let chords = generate(&s, 3);
                let bar = s.meter.bar_ticks(TICKS_PER_QUARTER);
                assert_eq!(chords[0].start, 0);
                assert_eq!(chords[0].roman.map(|r| r.degree), Some(0));
                for w in chords.windows(2) {
                    assert_eq!(w[0].end(), w[1].start);
                }
                assert_eq!(chords.last().map(|c| c.end()), Some(bar * bars));
            }
        }
    }

    #[test]
    fn ends_with_a_cadence_and_is_deterministic() {
        let s = settings("A minor", "4/4", 8, HarmonicRhythm::Bar);
        let a = generate(&s, 11);
        assert_eq!(a, generate(&s, 11));
        let last = a.last().and_then(|c| c.roman).map(|r| r.degree);
        assert_eq!(last, Some(0));
        let differs = (0..20).any(|seed| generate(&s, seed) != a);
        assert!(differs);
    }
}
