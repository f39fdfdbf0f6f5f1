//! Melodic scales beyond the seven-note modes: pentatonics and blues, as a data table of
//! semitone offsets, plus helpers to snap pitches onto a 12-bit pitch-class mask.

use crate::theory::{Key, PitchClass};
use std::fmt;
use std::str::FromStr;

/// Errors from parsing scale names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    #[error("unknown scale {name:?}; known: {known}")]
    Unknown { name: String, known: String },
}

/// A named scale. Offsets live in [`SCALES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// The key's own seven-note mode.
    Diatonic,
    MajorPentatonic,
    MinorPentatonic,
    /// Minor blues: minor pentatonic plus the flat fifth.
    Blues,
    /// Major blues: major pentatonic plus the minor third.
    MajorBlues,
}

/// (scale, name, semitone offsets above the tonic; empty = the key's mode)
pub const SCALES: [(Scale, &str, &[u8]); 5] = [
    (Scale::Diatonic, "diatonic", &[]),
    (Scale::MajorPentatonic, "major-pentatonic", &[0, 2, 4, 7, 9]),
    (
        Scale::MinorPentatonic,
        "minor-pentatonic",
        &[0, 3, 5, 7, 10],
    ),
    (Scale::Blues, "blues", &[0, 3, 5, 6, 7, 10]),
    (Scale::MajorBlues, "major-blues", &[0, 2, 3, 4, 7, 9]),
];

impl Scale {
    pub const ALL: [Scale; 5] = [
        Scale::Diatonic,
        Scale::MajorPentatonic,
        Scale::MinorPentatonic,
        Scale::Blues,
        Scale::MajorBlues,
    ];

    fn entry(self) -> &'static (Scale, &'static str, &'static [u8]) {
        &SCALES[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The pentatonic that fits a key: minor pentatonic for minor-third modes, else major.
    pub fn pentatonic_for(key: Key) -> Scale {
        if key.mode.is_minor() {
            Scale::MinorPentatonic
        } else {
            Scale::MajorPentatonic
        }
    }

    /// 12-bit pitch-class set of this scale on `key`'s tonic (bit n = pitch class n).
    pub fn mask(self, key: Key) -> u16 {
        let offsets = self.entry().2;
        if offsets.is_empty() {
            return key.scale_mask();
        }
        offsets
            .iter()
            .fold(0u16, |m, &o| m | 1 << key.tonic.transpose(o as i32).index())
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scale {
    type Err = ScaleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        SCALES
            .iter()
            .find(|(_, n, _)| *n == lower)
            .map(|(sc, _, _)| *sc)
            .ok_or_else(|| ScaleError::Unknown {
                name: s.to_string(),
                known: SCALES
                    .iter()
                    .map(|(_, n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// True when MIDI pitch `pitch`'s pitch class is in `mask`.
pub fn in_mask(mask: u16, pitch: i32) -> bool {
    mask & (1 << pitch.rem_euclid(12)) != 0
}

/// True when pitch class `pc` is in `mask`.
pub fn mask_contains(mask: u16, pc: PitchClass) -> bool {
    mask & (1 << pc.index()) != 0
}

/// The pitch in `mask` nearest `pitch` (ties go down); `pitch` itself when the mask is empty.
pub fn snap(mask: u16, pitch: i32) -> i32 {
    if mask & 0x0FFF == 0 {
        return pitch;
    }
    for d in 0..12 {
        if in_mask(mask, pitch - d) {
            return pitch - d;
        }
        if in_mask(mask, pitch + d) {
            return pitch + d;
        }
    }
    pitch
}

/// The `steps`-th pitch of `mask` above (positive) or below (negative) `pitch`, which need not
/// be in the mask itself; `pitch` when `steps` is 0 or the mask is empty.
pub fn step(mask: u16, pitch: i32, steps: i32) -> i32 {
    if mask & 0x0FFF == 0 || steps == 0 {
        return pitch;
    }
    let dir = steps.signum();
    let mut p = pitch;
    let mut left = steps.abs();
    while left > 0 {
        p += dir;
        if in_mask(mask, p) {
            left -= 1;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().expect("key")
    }

    #[test]
    fn masks_from_the_table() {
        assert_eq!(
            Scale::Diatonic.mask(key("C major")),
            key("C major").scale_mask()
        );
        // A minor pentatonic: A C D E G.
        let m = Scale::MinorPentatonic.mask(key("A minor"));
        assert_eq!(m, 1 << 9 | 1 | 1 << 2 | 1 << 4 | 1 << 7);
        // Pentatonics are subsets of their parent scales.
        for k in [
            "C major",
            "E minor",
            "D dorian",
            "F# mixolydian",
            "Bb phrygian",
        ] {
            let k = key(k);
            let p = Scale::pentatonic_for(k).mask(k);
            assert_eq!(p & k.scale_mask(), p, "{k}");
        }
        assert!(in_mask(Scale::Blues.mask(key("A minor")), 63)); // Eb, the blue note
        assert_eq!("blues".parse::<Scale>(), Ok(Scale::Blues));
        assert!(matches!(
            "bluez".parse::<Scale>(),
            Err(ScaleError::Unknown { .. })
        ));
        assert_eq!(
            Scale::ALL
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .len(),
            SCALES.len()
        );
    }

    #[test]
    fn snap_and_step() {
        let c = key("C major").scale_mask();
        assert_eq!(snap(c, 61), 60);
        assert_eq!(snap(c, 60), 60);
        assert_eq!(step(c, 60, 1), 62);
        assert_eq!(step(c, 60, -1), 59);
        assert_eq!(step(c, 61, 1), 62);
        assert_eq!(step(c, 60, 7), 72);
        assert_eq!(snap(0, 61), 61);
    }
}
