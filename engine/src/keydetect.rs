//! Key detection: correlates a duration-weighted pitch-class histogram with major and minor
//! key profiles rotated to all 12 tonics (Krumhansl–Schmuckler), and reports the best key
//! with its correlation and a confidence from the margin over the runner-up.

use crate::clip::{Clip, PartKind};
use crate::theory::{Key, Mode, PitchClass};

/// Major and minor key profiles (index 0 = tonic), from listener ratings or corpus counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Krumhansl & Kessler (1982) probe-tone ratings.
    KrumhanslKessler,
    /// Albrecht & Shanahan (2013) corpus-derived profiles.
    AlbrechtShanahan,
}

/// (profile, major weights, minor weights)
const PROFILES: [(Profile, [f64; 12], [f64; 12]); 2] = [
    (
        Profile::KrumhanslKessler,
        [
            6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
        ],
        [
            6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
        ],
    ),
    (
        Profile::AlbrechtShanahan,
        [
            0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081,
        ],
        [
            0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052,
        ],
    ),
];

/// Margin of correlation over the runner-up that counts as full confidence.
const FULL_CONFIDENCE_MARGIN: f64 = 0.15;

/// The detected key. `correlation` is Pearson's r (-1..=1) with the key's profile; `confidence`
/// (0..=1) grows with the margin over the runner-up and is 0 when r is not positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyEstimate {
    pub key: Key,
    pub confidence: f32,
    pub correlation: f32,
    /// The second-best key and its correlation.
    pub runner_up: Key,
    pub runner_up_correlation: f32,
}

/// Detects the key (major or natural minor) of `(pitch, weight_ticks)` pairs with the
/// Krumhansl–Kessler profiles; None when the total weight is zero.
pub fn detect(notes: impl IntoIterator<Item = (u8, u32)>) -> Option<KeyEstimate> {
    detect_with(Profile::KrumhanslKessler, notes)
}

/// [`detect`] with a chosen profile.
pub fn detect_with(
    profile: Profile,
    notes: impl IntoIterator<Item = (u8, u32)>,
) -> Option<KeyEstimate> {
    let mut hist = [0f64; 12];
    for (pitch, weight) in notes {
        hist[(pitch % 12) as usize] += weight as f64;
    }
    detect_histogram(profile, &hist)
}

/// Detects the key of a clip from every pitched part (drum parts are ignored), weighting notes by duration.
pub fn detect_clip(clip: &Clip) -> Option<KeyEstimate> {
    detect(
        clip.parts
            .iter()
            .filter(|p| p.kind != PartKind::Drums && p.channel.as_int() != 9)
            .flat_map(|p| p.notes.iter().map(|n| (n.pitch.as_int(), n.duration))),
    )
}

/// Detects the key of a 12-bin pitch-class histogram (index 0 = C); None when it sums to zero
/// or holds a non-finite value.
pub fn detect_histogram(profile: Profile, hist: &[f64; 12]) -> Option<KeyEstimate> {
    let total: f64 = hist.iter().sum();
    if !(total.is_finite() && total > 0.0) || hist.iter().any(|h| *h < 0.0) {
        return None;
    }
    let (_, major, minor) = PROFILES[profile as usize];
    // 24 candidates in a fixed order so ties resolve the same way every time.
    let mut scores: Vec<(Key, f64)> = Vec::with_capacity(24);
    for (mode, prof) in [(Mode::Major, &major), (Mode::NaturalMinor, &minor)] {
        for tonic in 0..12 {
            let rotated: [f64; 12] = std::array::from_fn(|i| prof[(i + 12 - tonic) % 12]);
            let r = pearson(hist, &rotated);
            scores.push((Key::new(PitchClass::new(tonic as i32), mode), r));
        }
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (key, best) = scores[0];
    let (runner_up, second) = scores[1];
    let margin = (best - second).max(0.0);
    let confidence = if best > 0.0 {
        (margin / FULL_CONFIDENCE_MARGIN).min(1.0) * best.min(1.0)
    } else {
        0.0
    };
    Some(KeyEstimate {
        key,
        confidence: confidence as f32,
        correlation: best as f32,
        runner_up,
        runner_up_correlation: second as f32,
    })
}

/// Pearson correlation; 0 when either side has no variance.
fn pearson(a: &[f64; 12], b: &[f64; 12]) -> f64 {
    let ma = a.iter().sum::<f64>() / 12.0;
    let mb = b.iter().sum::<f64>() / 12.0;
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let (x, y) = (a[i] - ma, b[i] - mb);
        cov += x * y;
        va += x * x;
        vb += y * y;
    }
    if va <= 0.0 || vb <= 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (pitch, quarter notes) melodies written as note names with octave 4 = MIDI 60..71.
    fn melody(spec: &str) -> Vec<(u8, u32)> {
        spec.split_whitespace()
            .map(|tok| {
                let (name, len) = tok.split_once(':').unwrap_or((tok, "1"));
                let pc: PitchClass = name.parse().expect("note name");
                (60 + pc.index(), len.parse::<u32>().expect("length") * 480)
            })
            .collect()
    }

    #[test]
    fn twinkle_twinkle_is_c_major() {
        let twinkle = melody(
            "C C G G A A G:2 F F E E D D C:2 G G F F E E D:2 G G F F E E D:2 C C G G A A G:2 F F E E D D C:2",
        );
        for profile in [Profile::KrumhanslKessler, Profile::AlbrechtShanahan] {
            let est = detect_with(profile, twinkle.iter().copied()).expect("estimate");
            assert_eq!(est.key.to_string(), "C major", "{profile:?}");
            assert!(est.correlation > 0.6, "{est:?}");
            assert!(est.confidence > 0.0);
        }
    }

    #[test]
    fn minor_melodies_get_minor_keys() {
        // "Greensleeves" opening, A minor with raised sevenths.
        let greensleeves = melody(
            "A C:2 D E:2 F E D:2 B G:2 A B C:2 A A:2 G# A B:2 G# E:2 A C:2 D E:2 F E D:2 B G:2 A B C:2 B A G#:2 F# G# A:3",
        );
        let est = detect(greensleeves).expect("estimate");
        assert_eq!(est.key.to_string(), "A minor", "{est:?}");
        // D minor scale and arpeggio.
        let d_minor = melody("D:2 E F G A:2 Bb A G F E D:2 F A D:4 C# D:4 A:2 F:2 D:4");
        assert_eq!(
            detect(d_minor).expect("estimate").key.to_string(),
            "D minor"
        );
    }

    #[test]
    fn transposition_moves_the_key() {
        let twinkle = melody("C C G G A A G:2 F F E E D D C:2");
        for t in 0..12u8 {
            let est = detect(twinkle.iter().map(|&(p, w)| (p + t, w))).expect("estimate");
            assert_eq!(est.key.tonic.index(), t);
            assert_eq!(est.key.mode, Mode::Major);
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(detect(std::iter::empty()), None);
        assert_eq!(detect([(60, 0)]), None);
        let one = detect([(60, 480)]).expect("one note still has a profile fit");
        assert!(one.correlation.is_finite() && (0.0..=1.0).contains(&one.confidence));
        // A chromatic cluster fits no key well.
        let chromatic = detect((60..72).map(|p| (p, 480)));
        assert!(chromatic.is_some_and(|e| e.confidence == 0.0));
    }
}
