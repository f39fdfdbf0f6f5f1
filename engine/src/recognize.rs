//! Chord recognition from sounding notes: the root, quality and bass that best explain a set of
//! pitches, over every engine [`Quality`], in any inversion, with doubled notes and a missing
//! fifth allowed. Plain functions over pitch sets, so live input and file analysis share them.

use crate::chord::{Chord, Quality, QUALITIES};
use crate::theory::PitchClass;

/// Cost of a missing fifth, relative to the loudest pitch class (a fifth is often left out).
const MISSING_FIFTH: f32 = 0.3;
/// Cost of any other missing chord tone.
const MISSING_TONE: f32 = 1.0;
/// Cost per unit weight of a sounding pitch class the chord does not contain.
const EXTRA_TONE: f32 = 1.0;
/// Pitch classes lighter than this share of the heaviest are ignored.
const MIN_SHARE: f32 = 0.08;

/// A recognized chord with how well it fits: `score` is the weight of matched tones minus the
/// costs of extra and missing ones (higher is better; an exact match of n equal tones scores n).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recognition {
    /// Root and quality; `bass` is set when the lowest note is not the root.
    pub chord: Chord,
    pub score: f32,
}

/// Recognizes the chord of MIDI pitches sounding together (any order, doublings allowed; the
/// lowest is the bass). None for fewer than two distinct pitch classes.
pub fn recognize(pitches: &[u8]) -> Option<Recognition> {
    let low = pitches.iter().min()?;
    let mut w = [0f32; 12];
    for p in pitches {
        w[(p % 12) as usize] = 1.0;
    }
    recognize_weighted(&w, PitchClass::new(i32::from(*low)))
}

/// Recognizes the chord of a pitch-class set given as a bit mask (bit n = pitch class n) over a
/// bass pitch class. None for fewer than two pitch classes.
pub fn recognize_mask(mask: u16, bass: PitchClass) -> Option<Recognition> {
    let mut w = [0f32; 12];
    for (pc, x) in w.iter_mut().enumerate() {
        if mask & (1 << pc) != 0 {
            *x = 1.0;
        }
    }
    recognize_weighted(&w, bass)
}

/// Recognizes the chord of weighted pitch classes (e.g. sounding ticks per class; index 0 = C)
/// over a bass pitch class. None when fewer than two classes carry weight.
pub fn recognize_weighted(weights: &[f32; 12], bass: PitchClass) -> Option<Recognition> {
    let max = weights.iter().cloned().fold(0f32, f32::max);
    if !(max > 0.0 && max.is_finite()) {
        return None;
    }
    // Weights relative to the second-heaviest class, capped at 1, so a doubled root does not
    // make the other chord tones look faint; light classes are dropped.
    let mut sorted: Vec<f32> = weights
        .iter()
        .map(|x| if x.is_finite() { *x } else { 0.0 })
        .collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let reference = if sorted[1] > 0.0 { sorted[1] } else { max };
    let mut w = [0f32; 12];
    for (o, x) in w.iter_mut().zip(weights) {
        let share = if x.is_finite() { x / max } else { 0.0 };
        *o = if share >= MIN_SHARE {
            (x / reference).clamp(0.0, 1.0)
        } else {
            0.0
        };
    }
    if w.iter().filter(|x| **x > 0.0).count() < 2 {
        return None;
    }
    let bass = if w[bass.index() as usize] > 0.0 {
        bass
    } else {
        // The given bass does not sound: take the heaviest class as a stand-in.
        let i = (0..12).fold(0, |b, i| if w[i] > w[b] { i } else { b });
        PitchClass::new(i as i32)
    };
    let mut best: Option<(Key, Recognition)> = None;
    for root in 0..12u8 {
        for info in &QUALITIES {
            let score = fit(&w, root, info.intervals);
            let chord = with_bass(
                Chord::new(PitchClass::new(i32::from(root)), info.quality),
                bass,
            );
            let key = Key {
                score,
                root_is_bass: root == bass.index(),
                complexity: info.complexity,
                size: info.intervals.len(),
                order: preference(info.quality),
                root,
            };
            if best.as_ref().is_none_or(|(k, _)| key.better_than(k)) {
                best = Some((key, Recognition { chord, score }));
            }
        }
    }
    best.map(|(_, r)| r)
}

/// Rank among spellings of the same notes: the common seventh chords before sixth and sus chords.
const PREFERENCE: [Quality; 12] = [
    Quality::Major,
    Quality::Minor,
    Quality::Dominant7,
    Quality::Minor7,
    Quality::Major7,
    Quality::HalfDiminished7,
    Quality::Diminished,
    Quality::Diminished7,
    Quality::Sus4,
    Quality::Augmented,
    Quality::Dominant7Sus4,
    Quality::Sus2,
];

fn preference(q: Quality) -> usize {
    PREFERENCE
        .iter()
        .position(|&p| p == q)
        .unwrap_or(PREFERENCE.len() + q as usize)
}

/// Ranking of a candidate; ties are broken towards root position, then simpler chords.
struct Key {
    score: f32,
    root_is_bass: bool,
    complexity: u8,
    size: usize,
    order: usize,
    root: u8,
}

impl Key {
    fn better_than(&self, o: &Key) -> bool {
        if (self.score - o.score).abs() > 1e-4 {
            return self.score > o.score;
        }
        (
            !self.root_is_bass,
            self.complexity,
            self.size,
            self.order,
            self.root,
        ) < (!o.root_is_bass, o.complexity, o.size, o.order, o.root)
    }
}

fn fit(w: &[f32; 12], root: u8, intervals: &[u8]) -> f32 {
    let mut tmask = 0u16;
    let mut score = 0f32;
    for &iv in intervals {
        let pc = ((root + iv) % 12) as usize;
        if tmask & (1 << pc) != 0 {
            continue;
        }
        tmask |= 1 << pc;
        // A faint chord tone is partly missing.
        let miss = if iv == 7 { MISSING_FIFTH } else { MISSING_TONE };
        score += w[pc] - miss * (1.0 - w[pc]);
    }
    for (pc, x) in w.iter().enumerate() {
        if tmask & (1 << pc) == 0 {
            score -= EXTRA_TONE * x;
        }
    }
    score
}

fn with_bass(mut chord: Chord, bass: PitchClass) -> Chord {
    chord.bass = (bass != chord.root).then_some(bass);
    chord
}

/// The pitch-class mask of a quality on a root (bit n = pitch class n).
pub fn quality_mask(root: PitchClass, quality: Quality) -> u16 {
    quality
        .intervals()
        .iter()
        .fold(0, |m, &i| m | 1 << root.transpose(i32::from(i)).index())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Voices `quality` on `root` with its `inv`-th chord tone in the bass, the rest stacked above
    /// (some doubled an octave up), as MIDI pitches.
    fn voicing(root: u8, quality: Quality, inv: usize, double: bool) -> Vec<u8> {
        let ivs = quality.intervals();
        let bass = 36 + root + ivs[inv] % 12;
        let mut out = vec![bass];
        for (i, &iv) in ivs.iter().enumerate() {
            if i != inv {
                let mut p = 48 + root + iv % 12;
                while p <= bass {
                    p += 12;
                }
                out.push(p);
            }
        }
        if double {
            out.push(bass + 24);
            out.push(out[1] + 12);
        }
        out
    }

    #[test]
    fn every_quality_in_every_inversion_and_root() {
        let mut exact = 0;
        let mut total = 0;
        for root in 0..12u8 {
            for info in &QUALITIES {
                for inv in 0..info.intervals.len() {
                    for double in [false, true] {
                        let pitches = voicing(root, info.quality, inv, double);
                        let r = recognize(&pitches).expect("recognized");
                        let want_mask =
                            quality_mask(PitchClass::new(i32::from(root)), info.quality);
                        let got = r.chord;
                        let bass = PitchClass::new(i32::from(pitches[0]));
                        assert_eq!(
                            quality_mask(got.root, got.quality),
                            want_mask,
                            "{:?} on {root} inversion {inv}: got {got}",
                            info.quality
                        );
                        assert_eq!(got.bass_pc(), bass, "{:?} inv {inv}: {got}", info.quality);
                        total += 1;
                        if got.root.index() == root && got.quality == info.quality {
                            exact += 1;
                        }
                        if inv == 0 && !symmetric(info.quality) {
                            // Root position names the written chord (C6, not Am7/C).
                            assert_eq!(got.root.index(), root, "{:?}: {got}", info.quality);
                            assert_eq!(got.quality, info.quality, "{:?}: {got}", info.quality);
                            assert_eq!(got.bass, None);
                        }
                    }
                }
            }
        }
        // Only sets with two spellings (C6 = Am7/C, Csus2 = Gsus4/C, dim7, aug) may differ.
        assert!(
            exact * 10 > total * 8,
            "{exact} of {total} named as written"
        );
    }

    fn symmetric(q: Quality) -> bool {
        matches!(q, Quality::Augmented | Quality::Diminished7)
    }

    #[test]
    fn missing_fifth_and_doublings() {
        let name = |p: &[u8]| recognize(p).map(|r| r.chord.to_string());
        // C7, Cmaj7, Cm7 and C9 without the fifth.
        assert_eq!(name(&[48, 52, 58]).as_deref(), Some("C7"));
        assert_eq!(name(&[48, 52, 59, 64]).as_deref(), Some("Cmaj7"));
        assert_eq!(name(&[48, 51, 58, 60]).as_deref(), Some("Cm7"));
        assert_eq!(name(&[36, 52, 58, 62]).as_deref(), Some("C9"));
        // First inversion G7 (B in the bass), fifth omitted.
        let r = recognize(&[47, 53, 55, 67]).expect("G7/B");
        assert_eq!(r.chord.root, PitchClass::new(7));
        assert_eq!(r.chord.quality, Quality::Dominant7);
        assert_eq!(r.chord.bass, Some(PitchClass::new(11)));
        // A half-diminished seventh with its root doubled in the bass.
        assert_eq!(name(&[38, 50, 53, 56, 60]).as_deref(), Some("Dm7b5"));
        // Many doublings change nothing.
        assert_eq!(
            name(&[43, 55, 59, 62, 67, 71, 74, 79]).as_deref(),
            Some("G")
        );
        // One pitch class is not a chord.
        assert_eq!(recognize(&[60, 72, 84]), None);
        assert_eq!(recognize(&[]), None);
    }

    #[test]
    fn weighted_passing_tones_do_not_change_the_chord() {
        let mut w = [0f32; 12];
        w[0] = 4.0;
        w[4] = 3.0;
        w[7] = 3.0;
        w[2] = 0.5; // a short passing D
        w[5] = 0.3;
        let r = recognize_weighted(&w, PitchClass::C).expect("C");
        assert_eq!(r.chord, Chord::new(PitchClass::C, Quality::Major));
        assert_eq!(recognize_weighted(&[0.0; 12], PitchClass::C), None);
        // A root sounding twice as long as the rest (doubled in the bass) is still Dm7b5.
        let mut d = [0f32; 12];
        d[2] = 2.0;
        d[5] = 1.0;
        d[8] = 1.0;
        d[0] = 1.0;
        let r = recognize_weighted(&d, PitchClass::new(2)).expect("Dm7b5");
        assert_eq!(
            r.chord,
            Chord::new(PitchClass::new(2), Quality::HalfDiminished7)
        );
        let mut nan = [1.0f32; 12];
        nan[3] = f32::NAN;
        let _ = recognize_weighted(&nan, PitchClass::C);
    }
}
