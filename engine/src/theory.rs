//! Pitch classes, modes, keys and meters.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Errors from parsing keys, meters and note names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TheoryError {
    #[error("unknown note name {0:?} (expected e.g. C, F#, Bb)")]
    NoteName(String),
    #[error("unknown mode {0:?} (expected major, minor, dorian, ...)")]
    Mode(String),
    #[error("bad key {0:?} (expected e.g. \"A minor\" or \"F# dorian\")")]
    Key(String),
    #[error(
        "bad time signature {0:?} (expected N/D with N in 1..=32 and D one of 1, 2, 4, 8, 16, 32)"
    )]
    Meter(String),
}

/// A pitch class, 0 = C .. 11 = B. Deserializing rejects values above 11 (saved state is
/// untrusted input; names are looked up by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8")]
pub struct PitchClass(u8);

impl TryFrom<u8> for PitchClass {
    type Error = TheoryError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        if v < 12 {
            Ok(PitchClass(v))
        } else {
            Err(TheoryError::NoteName(format!("pitch class {v}")))
        }
    }
}

const SHARP_NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];
const FLAT_NAMES: [&str; 12] = [
    "C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B",
];

impl PitchClass {
    pub const C: PitchClass = PitchClass(0);

    /// Any integer, reduced modulo 12.
    pub fn new(pc: i32) -> Self {
        PitchClass(pc.rem_euclid(12) as u8)
    }

    pub fn index(self) -> u8 {
        self.0
    }

    /// Transposed up by `semitones` (may be negative).
    pub fn transpose(self, semitones: i32) -> Self {
        PitchClass::new(self.0 as i32 + semitones)
    }

    /// Upward interval from `self` to `other`, 0..12.
    pub fn interval_to(self, other: PitchClass) -> u8 {
        (other.0 + 12 - self.0) % 12
    }

    pub fn name(self, flats: bool) -> &'static str {
        if flats {
            FLAT_NAMES[self.0 as usize]
        } else {
            SHARP_NAMES[self.0 as usize]
        }
    }

    /// Parses a note name prefix (letter plus any #/b/♯/♭); returns the pitch class and bytes used.
    pub fn parse_prefix(s: &str) -> Result<(PitchClass, usize), TheoryError> {
        let mut chars = s.char_indices();
        let base = match chars.next().map(|(_, c)| c.to_ascii_uppercase()) {
            Some('C') => 0,
            Some('D') => 2,
            Some('E') => 4,
            Some('F') => 5,
            Some('G') => 7,
            Some('A') => 9,
            Some('B') => 11,
            _ => return Err(TheoryError::NoteName(s.to_string())),
        };
        let mut pc = base;
        let mut used = 1;
        for (i, c) in chars {
            match c {
                '#' | '♯' => pc += 1,
                'b' | '♭' => pc -= 1,
                _ => break,
            }
            used = i + c.len_utf8();
        }
        Ok((PitchClass::new(pc), used))
    }
}

impl FromStr for PitchClass {
    type Err = TheoryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (pc, used) = PitchClass::parse_prefix(s)?;
        if used != s.len() {
            return Err(TheoryError::NoteName(s.to_string()));
        }
        Ok(pc)
    }
}

/// A diatonic mode or common minor variant. Step patterns are data in [`Mode::steps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    Major,
    NaturalMinor,
    HarmonicMinor,
    MelodicMinor,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
}

/// (mode, names accepted when parsing, semitone offsets of the seven degrees)
const MODES: [(Mode, &[&str], [u8; 7]); 8] = [
    (
        Mode::Major,
        &["major", "maj", "ionian"],
        [0, 2, 4, 5, 7, 9, 11],
    ),
    (
        Mode::NaturalMinor,
        &["minor", "min", "m", "aeolian", "natural minor"],
        [0, 2, 3, 5, 7, 8, 10],
    ),
    (
        Mode::HarmonicMinor,
        &["harmonic minor", "harmonic"],
        [0, 2, 3, 5, 7, 8, 11],
    ),
    (
        Mode::MelodicMinor,
        &["melodic minor", "melodic"],
        [0, 2, 3, 5, 7, 9, 11],
    ),
    (Mode::Dorian, &["dorian"], [0, 2, 3, 5, 7, 9, 10]),
    (Mode::Phrygian, &["phrygian"], [0, 1, 3, 5, 7, 8, 10]),
    (Mode::Lydian, &["lydian"], [0, 2, 4, 6, 7, 9, 11]),
    (
        Mode::Mixolydian,
        &["mixolydian", "mixo"],
        [0, 2, 4, 5, 7, 9, 10],
    ),
];

impl Mode {
    pub const ALL: [Mode; 8] = [
        Mode::Major,
        Mode::NaturalMinor,
        Mode::HarmonicMinor,
        Mode::MelodicMinor,
        Mode::Dorian,
        Mode::Phrygian,
        Mode::Lydian,
        Mode::Mixolydian,
    ];

    fn entry(self) -> &'static (Mode, &'static [&'static str], [u8; 7]) {
        // Every mode has exactly one row; the index matches declaration order.
        &MODES[self as usize]
    }

    /// Semitones above the tonic of the seven scale degrees.
    pub fn steps(self) -> [u8; 7] {
        self.entry().2
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::NaturalMinor => "minor",
            m => m.entry().1[0],
        }
    }

    /// True for modes whose third degree is minor.
    pub fn is_minor(self) -> bool {
        self.steps()[2] == 3
    }

    /// Parent mode family used by the chord model ("major" or "minor").
    pub fn family(self) -> Mode {
        if self.is_minor() {
            Mode::NaturalMinor
        } else {
            Mode::Major
        }
    }
}

impl FromStr for Mode {
    type Err = TheoryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        MODES
            .iter()
            .find(|(_, names, _)| names.contains(&lower.as_str()))
            .map(|(m, _, _)| *m)
            .ok_or_else(|| TheoryError::Mode(s.to_string()))
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A tonic and a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Key {
    pub tonic: PitchClass,
    pub mode: Mode,
}

impl Key {
    pub fn new(tonic: PitchClass, mode: Mode) -> Self {
        Key { tonic, mode }
    }

    /// Pitch class of scale degree `degree` (0-based, wraps every 7).
    pub fn degree_pc(self, degree: usize) -> PitchClass {
        self.tonic.transpose(self.mode.steps()[degree % 7] as i32)
    }

    /// The seven pitch classes of the scale, tonic first.
    pub fn scale(self) -> [PitchClass; 7] {
        let mut out = [PitchClass::C; 7];
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.degree_pc(i);
        }
        out
    }

    /// 12-bit set of the scale's pitch classes (bit n = pitch class n).
    pub fn scale_mask(self) -> u16 {
        self.scale()
            .iter()
            .fold(0u16, |m, pc| m | (1 << pc.index()))
    }

    pub fn contains(self, pc: PitchClass) -> bool {
        self.scale_mask() & (1 << pc.index()) != 0
    }

    /// Scale degree (0-based) of a pitch class, if it is in the scale.
    pub fn degree_of(self, pc: PitchClass) -> Option<usize> {
        self.scale().iter().position(|&p| p == pc)
    }

    /// Signed count of sharps (positive) or flats (negative) of the key signature, -7..=7.
    pub fn sharps(self) -> i8 {
        // The relative major tonic determines the signature.
        let offset = match self.mode {
            Mode::Major => 0,
            Mode::NaturalMinor | Mode::HarmonicMinor | Mode::MelodicMinor => 3,
            Mode::Dorian => -2,
            Mode::Phrygian => -4,
            Mode::Lydian => -5,
            Mode::Mixolydian => -7,
        };
        let major = self.tonic.transpose(offset);
        // Circle of fifths position of each major tonic, preferring the conventional spelling.
        const SIG: [i8; 12] = [0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5];
        SIG[major.index() as usize]
    }

    /// Whether note names in this key are spelled with flats.
    pub fn prefers_flats(self) -> bool {
        self.sharps() < 0 || (self.tonic.index() == 5 && self.sharps() == 0)
    }

    pub fn tonic_name(self) -> &'static str {
        self.tonic.name(self.prefers_flats())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.tonic_name(), self.mode)
    }
}

impl FromStr for Key {
    type Err = TheoryError;
    /// Accepts "A minor", "F# dorian", "Bb", "Am", "c#m".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let (tonic, used) = PitchClass::parse_prefix(t).map_err(|_| TheoryError::Key(s.into()))?;
        let rest = t[used..].trim();
        let mode = if rest.is_empty() {
            Mode::Major
        } else {
            rest.parse().map_err(|_| TheoryError::Key(s.into()))?
        };
        Ok(Key { tonic, mode })
    }
}

/// A time signature. Deserializing checks it like [`Meter::new`] (a 0 denominator would divide by
/// zero in every tick computation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MeterFields")]
pub struct Meter {
    pub numerator: u8,
    pub denominator: u8,
}

/// The serialized form of a [`Meter`], before validation.
#[derive(Deserialize)]
struct MeterFields {
    numerator: u8,
    denominator: u8,
}

impl TryFrom<MeterFields> for Meter {
    type Error = TheoryError;
    fn try_from(m: MeterFields) -> Result<Self, Self::Error> {
        Meter::new(m.numerator, m.denominator)
    }
}

impl Meter {
    pub const COMMON: Meter = Meter {
        numerator: 4,
        denominator: 4,
    };

    /// A meter, or an error when the numerator is outside 1..=32 or the denominator is not a power of two up to 32.
    pub fn new(numerator: u8, denominator: u8) -> Result<Meter, TheoryError> {
        if !(1..=32).contains(&numerator) || !matches!(denominator, 1 | 2 | 4 | 8 | 16 | 32) {
            return Err(TheoryError::Meter(format!("{numerator}/{denominator}")));
        }
        Ok(Meter {
            numerator,
            denominator,
        })
    }

    /// Ticks in one beat unit (the denominator's note value).
    pub fn beat_ticks(self, tpq: u32) -> u32 {
        tpq * 4 / self.denominator as u32
    }

    /// Ticks in one bar.
    pub fn bar_ticks(self, tpq: u32) -> u32 {
        self.beat_ticks(tpq) * self.numerator as u32
    }

    /// Quarter notes per bar.
    pub fn quarters_per_bar(self) -> f64 {
        self.numerator as f64 * 4.0 / self.denominator as f64
    }

    /// Compound meters (6/8, 9/8, 12/8) group beats in threes.
    pub fn is_compound(self) -> bool {
        self.denominator >= 8 && self.numerator.is_multiple_of(3) && self.numerator > 3
    }

    /// Felt pulses per bar: dotted quarters in compound meters, else the numerator.
    pub fn pulses(self) -> u32 {
        if self.is_compound() {
            self.numerator as u32 / 3
        } else {
            self.numerator as u32
        }
    }

    /// Ticks per felt pulse.
    pub fn pulse_ticks(self, tpq: u32) -> u32 {
        self.bar_ticks(tpq) / self.pulses()
    }

    /// Ticks at which the meter's beat groups start within a bar (e.g. 7/8 → 2+2+3).
    pub fn group_starts(self, tpq: u32) -> Vec<u32> {
        let unit = self.beat_ticks(tpq);
        let n = self.numerator as u32;
        let groups: Vec<u32> = if self.is_compound() {
            vec![3; (n / 3) as usize]
        } else if self.denominator >= 8 && n > 3 {
            // Odd eighth meters: 2s then a final 3 (5/8 = 2+3, 7/8 = 2+2+3).
            let mut g = vec![2; ((n - 3) / 2) as usize];
            g.push(if (n - 3).is_multiple_of(2) { 3 } else { 2 });
            if (n - 3) % 2 == 1 {
                g.push(2);
            }
            g
        } else {
            vec![1; n as usize]
        };
        let mut at = 0;
        groups
            .iter()
            .map(|g| {
                let s = at;
                at += g * unit;
                s
            })
            .collect()
    }

    /// The bar's beat groups as (start, length) in ticks, from [`Meter::group_starts`].
    pub fn beat_groups(self, tpq: u32) -> Vec<(u32, u32)> {
        let bar = self.bar_ticks(tpq);
        let starts = self.group_starts(tpq);
        starts
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let end = starts.get(i + 1).copied().unwrap_or(bar);
                (s, end.saturating_sub(s))
            })
            .filter(|&(_, l)| l > 0)
            .collect()
    }
}

impl fmt::Display for Meter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

impl FromStr for Meter {
    type Err = TheoryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TheoryError::Meter(s.to_string());
        let (n, d) = s.trim().split_once('/').ok_or_else(err)?;
        let n: u8 = n.trim().parse().map_err(|_| err())?;
        let d: u8 = d.trim().parse().map_err(|_| err())?;
        Meter::new(n, d).map_err(|_| err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys() {
        let k: Key = "A minor".parse().expect("key");
        assert_eq!(k.tonic.index(), 9);
        assert_eq!(k.mode, Mode::NaturalMinor);
        let k: Key = "Bb dorian".parse().expect("key");
        assert_eq!(k.tonic.index(), 10);
        assert_eq!(k.mode, Mode::Dorian);
        assert!("H major".parse::<Key>().is_err());
        assert!("C blorp".parse::<Key>().is_err());
    }

    #[test]
    fn scales_and_signatures() {
        let c: Key = "C major".parse().expect("key");
        assert_eq!(c.scale_mask(), 0b1010_1011_0101);
        let a: Key = "A minor".parse().expect("key");
        assert_eq!(a.scale_mask(), c.scale_mask());
        assert_eq!(a.sharps(), 0);
        assert_eq!("E major".parse::<Key>().expect("key").sharps(), 4);
        assert_eq!("F major".parse::<Key>().expect("key").sharps(), -1);
        assert_eq!("D dorian".parse::<Key>().expect("key").sharps(), 0);
        assert_eq!(
            "Bb major".parse::<Key>().expect("key").to_string(),
            "Bb major"
        );
        // Every mode shares the signature of its parent major scale.
        assert_eq!("G mixolydian".parse::<Key>().expect("key").sharps(), 0);
        assert_eq!("F lydian".parse::<Key>().expect("key").sharps(), 0);
        assert_eq!("E phrygian".parse::<Key>().expect("key").sharps(), 0);
        assert_eq!("A mixolydian".parse::<Key>().expect("key").sharps(), 2);
        assert_eq!("Bb lydian".parse::<Key>().expect("key").sharps(), -1);
        let h: Key = "A harmonic minor".parse().expect("key");
        assert!(h.contains(PitchClass::new(8)));
    }

    #[test]
    fn meters() {
        let m: Meter = "7/8".parse().expect("meter");
        assert_eq!(m.bar_ticks(480), 7 * 240);
        assert_eq!(m.group_starts(480), vec![0, 480, 960]);
        assert_eq!(m.beat_groups(480), vec![(0, 480), (480, 480), (960, 720)]);
        let groups = Meter::COMMON.beat_groups(480);
        assert_eq!(groups.len(), 4);
        assert!(groups.iter().all(|&(_, l)| l == 480));
        let m: Meter = "6/8".parse().expect("meter");
        assert!(m.is_compound());
        assert_eq!(m.pulses(), 2);
        assert_eq!("5/4".parse::<Meter>().expect("meter").pulses(), 5);
        assert!("4/3".parse::<Meter>().is_err());
        assert!("0/4".parse::<Meter>().is_err());
    }
}
