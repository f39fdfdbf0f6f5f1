//! The model vocabulary. `models/vocab.json` is the single source of truth: it is embedded here
//! (`include_str!`) and read by the Python training recipe (`models/train/*.py`). The vocabulary hash
//! (sha256 of the file's bytes) is recorded in every model's `config.json` and checked at load.
//!
//! Tokens are key-relative: chord roots are semitones above the tonic, melody pitches are semitones
//! above a tonic reference near middle C ([`tonic_ref`]). Times are in 16th notes (`grid_ticks`).

use crate::chord::{Chord, Quality};
use crate::clip::TICKS_PER_QUARTER;
use crate::theory::{Key, Meter, PitchClass};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The embedded vocabulary file.
pub const VOCAB_JSON: &str = include_str!("../../../models/vocab.json");

#[derive(Debug, Clone, Deserialize)]
pub struct QualityEntry {
    pub name: String,
    pub intervals: Vec<u8>,
}

/// The parsed `models/vocab.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Vocab {
    pub version: u32,
    pub ticks_per_quarter: u32,
    pub grid_ticks: u32,
    pub modes: Vec<String>,
    pub meters: Vec<String>,
    pub styles: Vec<String>,
    pub len_buckets: Vec<u32>,
    pub bars_left_buckets: Vec<u32>,
    pub positions: u32,
    pub qualities: Vec<QualityEntry>,
    pub chord_specials: Vec<String>,
    pub chords: Vec<String>,
    pub chord_durations: Vec<u32>,
    pub melody_specials: Vec<String>,
    pub melody_pitch_min: i32,
    pub melody_pitch_max: i32,
    pub melody_pitches: Vec<String>,
    pub melody_durations: Vec<u32>,
}

/// A chord token decoded: root in semitones above the tonic plus a vocabulary quality index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChordToken {
    Bos,
    NoChord,
    Chord { root: u8, quality: usize },
}

/// A melody pitch token decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PitchToken {
    Bos,
    Rest,
    /// Semitones above [`tonic_ref`].
    Pitch(i32),
}

/// Errors in the vocabulary file (a build problem, reported through `ModelError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabError {
    #[error("models/vocab.json does not parse: {0}")]
    Parse(String),
    #[error("models/vocab.json is inconsistent: {0}")]
    Inconsistent(String),
}

static VOCAB: OnceLock<Result<Vocab, VocabError>> = OnceLock::new();

/// The embedded vocabulary (parsed and validated once).
pub fn vocab() -> Result<&'static Vocab, VocabError> {
    VOCAB
        .get_or_init(|| {
            let v: Vocab =
                serde_json::from_str(VOCAB_JSON).map_err(|e| VocabError::Parse(e.to_string()))?;
            v.validate()?;
            Ok(v)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// sha256 (hex) of the embedded `models/vocab.json` bytes.
pub fn vocab_hash() -> String {
    hex(&Sha256::digest(VOCAB_JSON.as_bytes()))
}

/// sha256 of `bytes`, as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Index of the largest bucket boundary `<= v` (0 when below all).
pub fn bucket(v: u32, buckets: &[u32]) -> usize {
    buckets.iter().rposition(|&b| v >= b).unwrap_or(0)
}

/// Reference MIDI pitch of the tonic for melody tokens: the tonic between F#3 and F#4.
pub fn tonic_ref(tonic: PitchClass) -> i32 {
    let t = tonic.index() as i32;
    60 + t - if t > 6 { 12 } else { 0 }
}

impl Vocab {
    fn validate(&self) -> Result<(), VocabError> {
        let bad = |s: String| Err(VocabError::Inconsistent(s));
        if self.ticks_per_quarter != TICKS_PER_QUARTER {
            return bad(format!(
                "ticks_per_quarter {} != engine {}",
                self.ticks_per_quarter, TICKS_PER_QUARTER
            ));
        }
        if self.grid_ticks == 0 || !TICKS_PER_QUARTER.is_multiple_of(self.grid_ticks) {
            return bad(format!("grid_ticks {}", self.grid_ticks));
        }
        if self.chord_specials != ["BOS", "NC"] || self.melody_specials != ["BOS", "REST"] {
            return bad("specials must be [BOS, NC] and [BOS, REST]".into());
        }
        let expect: Vec<String> = self
            .chord_specials
            .iter()
            .cloned()
            .chain((0..12).flat_map(|r| {
                self.qualities
                    .iter()
                    .map(move |q| format!("{r}:{}", q.name))
            }))
            .collect();
        if expect != self.chords {
            return bad("chords list is not specials + root x quality".into());
        }
        let expect: Vec<String> = self
            .melody_specials
            .iter()
            .cloned()
            .chain((self.melody_pitch_min..=self.melody_pitch_max).map(|p| p.to_string()))
            .collect();
        if expect != self.melody_pitches {
            return bad("melody_pitches is not specials + min..=max".into());
        }
        for q in &self.qualities {
            if engine_quality(&q.name).is_none() {
                return bad(format!("quality {:?} has no engine Quality", q.name));
            }
        }
        if self
            .chord_durations
            .iter()
            .enumerate()
            .any(|(i, &d)| d != i as u32 + 1)
            || self
                .melody_durations
                .iter()
                .enumerate()
                .any(|(i, &d)| d != i as u32 + 1)
        {
            return bad("durations must be 1..=N grid steps".into());
        }
        Ok(())
    }

    pub fn chord_count(&self) -> usize {
        self.chords.len()
    }

    /// Token index of BOS in the chord list.
    pub fn chord_bos(&self) -> usize {
        0
    }

    pub fn chord_nc(&self) -> usize {
        1
    }

    pub fn decode_chord(&self, idx: usize) -> Option<ChordToken> {
        let ns = self.chord_specials.len();
        match idx {
            0 => Some(ChordToken::Bos),
            1 => Some(ChordToken::NoChord),
            i if i < self.chords.len() => {
                let j = i - ns;
                Some(ChordToken::Chord {
                    root: (j / self.qualities.len()) as u8,
                    quality: j % self.qualities.len(),
                })
            }
            _ => None,
        }
    }

    pub fn encode_chord(&self, root: u8, quality: usize) -> usize {
        self.chord_specials.len() + (root as usize % 12) * self.qualities.len() + quality
    }

    /// Engine chord for a chord token in `key` (None for BOS / no chord).
    pub fn chord_of(&self, idx: usize, key: Key) -> Option<Chord> {
        match self.decode_chord(idx)? {
            ChordToken::Chord { root, quality } => {
                let q = engine_quality(&self.qualities[quality].name)?;
                Some(Chord::new(key.tonic.transpose(root as i32), q))
            }
            _ => None,
        }
    }

    /// Closest vocabulary token for any engine chord (extended chords reduce to their 7th/triad).
    pub fn token_for_chord(&self, chord: &Chord, key: Key) -> usize {
        let root = key.tonic.interval_to(chord.root);
        let ivs: u16 = chord
            .quality
            .intervals()
            .iter()
            .fold(0, |m, &i| m | 1 << (i % 12));
        let mut best = (i32::MIN, 0usize);
        for (qi, q) in self.qualities.iter().enumerate() {
            let qm: u16 = q.intervals.iter().fold(0, |m, &i| m | 1 << (i % 12));
            let score = 2 * (ivs & qm).count_ones() as i32 - (ivs ^ qm).count_ones() as i32;
            if score > best.0 {
                best = (score, qi);
            }
        }
        self.encode_chord(root, best.1)
    }

    pub fn quality_index(&self, name: &str) -> Option<usize> {
        self.qualities.iter().position(|q| q.name == name)
    }

    pub fn melody_bos(&self) -> usize {
        0
    }

    pub fn melody_rest(&self) -> usize {
        1
    }

    pub fn decode_pitch(&self, idx: usize) -> Option<PitchToken> {
        match idx {
            0 => Some(PitchToken::Bos),
            1 => Some(PitchToken::Rest),
            i if i < self.melody_pitches.len() => Some(PitchToken::Pitch(
                self.melody_pitch_min + (i - self.melody_specials.len()) as i32,
            )),
            _ => None,
        }
    }

    /// Token for a pitch `rel` semitones above the tonic reference, folded by octaves into range.
    pub fn encode_pitch(&self, mut rel: i32) -> usize {
        while rel < self.melody_pitch_min {
            rel += 12;
        }
        while rel > self.melody_pitch_max {
            rel -= 12;
        }
        self.melody_specials.len() + (rel - self.melody_pitch_min) as usize
    }

    pub fn mode_index(&self, key: Key) -> usize {
        let name = if key.mode.is_minor() {
            "minor"
        } else {
            "major"
        };
        self.modes.iter().position(|m| m == name).unwrap_or(0)
    }

    pub fn meter_index(&self, meter: Meter) -> usize {
        let s = format!("{}/{}", meter.numerator, meter.denominator);
        self.meters
            .iter()
            .position(|m| *m == s)
            .or_else(|| self.meters.iter().position(|m| m == "other"))
            .unwrap_or(0)
    }

    /// Style tag index; unknown tags map to "pop" (jazz, rock, ... are closest to it).
    pub fn style_index(&self, style: &str) -> usize {
        let s = style.trim().to_ascii_lowercase();
        let s = match s.as_str() {
            "bach" | "classical" | "hymn" | "choral" => "chorale",
            "celtic" | "traditional" | "trad" => "folk",
            other => other,
        };
        self.styles
            .iter()
            .position(|x| x == s)
            .or_else(|| self.styles.iter().position(|x| x == "pop"))
            .unwrap_or(0)
    }

    pub fn len_bucket(&self, bars: u32) -> usize {
        bucket(bars, &self.len_buckets)
    }

    pub fn bars_left_bucket(&self, bars_left: u32) -> usize {
        bucket(bars_left, &self.bars_left_buckets)
    }

    pub fn position(&self, pos16: u32) -> usize {
        pos16.min(self.positions - 1) as usize
    }

    /// Grid steps (16ths) per bar, or None when the bar is not a whole number of grid steps.
    pub fn bar_steps(&self, meter: Meter) -> Option<u32> {
        let t = meter.bar_ticks(TICKS_PER_QUARTER);
        (t > 0 && t.is_multiple_of(self.grid_ticks)).then_some(t / self.grid_ticks)
    }
}

/// Conditioning of the chord model (indices into the vocabulary tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChordCond {
    pub mode: usize,
    pub meter: usize,
    pub style: usize,
    pub len: usize,
}

impl Vocab {
    /// The chord model's input vector for the event starting at grid step `t16`
    /// (`prev` = previous (chord token, duration index) or None at the start).
    /// Mirrors `chord_seq` in models/train/train.py.
    pub fn chord_features(
        &self,
        prev: Option<(usize, usize)>,
        t16: u32,
        bar16: u32,
        bars: u32,
        c: ChordCond,
    ) -> [i64; 8] {
        let (pc, pd) = prev.unwrap_or((self.chord_bos(), self.chord_durations.len()));
        let bar = t16 / bar16;
        [
            pc as i64,
            pd as i64,
            self.position(t16 % bar16) as i64,
            self.bars_left_bucket(bars.saturating_sub(1 + bar)) as i64,
            c.mode as i64,
            c.meter as i64,
            c.style as i64,
            c.len as i64,
        ]
    }

    /// The melody model's input vector for the event starting at grid step `t16` over chord token
    /// `chord`. Mirrors `melody_seq` in models/train/train.py.
    #[allow(clippy::too_many_arguments)]
    pub fn melody_features(
        &self,
        prev: Option<(usize, usize)>,
        t16: u32,
        bar16: u32,
        bars: u32,
        chord: usize,
        mode: usize,
        meter: usize,
    ) -> [i64; 7] {
        let (pp, pd) = prev.unwrap_or((self.melody_bos(), self.melody_durations.len()));
        let bar = t16 / bar16;
        [
            pp as i64,
            pd as i64,
            self.position(t16 % bar16) as i64,
            self.bars_left_bucket(bars.saturating_sub(1 + bar)) as i64,
            chord as i64,
            mode as i64,
            meter as i64,
        ]
    }
}

/// Engine [`Quality`] for a vocabulary quality name.
pub fn engine_quality(name: &str) -> Option<Quality> {
    Some(match name {
        "maj" => Quality::Major,
        "min" => Quality::Minor,
        "dim" => Quality::Diminished,
        "aug" => Quality::Augmented,
        "sus4" => Quality::Sus4,
        "dom7" => Quality::Dominant7,
        "maj7" => Quality::Major7,
        "min7" => Quality::Minor7,
        "hdim7" => Quality::HalfDiminished7,
        "dim7" => Quality::Diminished7,
        _ => return None,
    })
}

/// Feature order of the chord model's `x` input (must equal config.json `inputs[0].features`).
pub const CHORD_FEATURES: [&str; 8] = [
    "prev_chord",
    "prev_dur",
    "pos",
    "bars_left",
    "mode",
    "meter",
    "style",
    "len",
];
/// Feature order of the melody model's `x` input.
pub const MELODY_FEATURES: [&str; 7] = [
    "prev_pitch",
    "prev_dur",
    "pos",
    "bars_left",
    "chord",
    "mode",
    "meter",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::Mode;

    #[test]
    fn vocab_parses_and_round_trips() {
        let v = vocab().expect("vocab");
        for i in 0..v.chord_count() {
            if let Some(ChordToken::Chord { root, quality }) = v.decode_chord(i) {
                assert_eq!(v.encode_chord(root, quality), i);
                let key = Key::new(PitchClass::new(3), Mode::Major);
                let c = v.chord_of(i, key).expect("chord");
                assert_eq!(v.token_for_chord(&c, key), i);
                let q = engine_quality(&v.qualities[quality].name).expect("q");
                assert_eq!(q.intervals(), v.qualities[quality].intervals.as_slice());
            }
        }
        for i in 2..v.melody_pitches.len() {
            if let Some(PitchToken::Pitch(p)) = v.decode_pitch(i) {
                assert_eq!(v.encode_pitch(p), i);
            }
        }
        assert_eq!(v.bar_steps(Meter::COMMON), Some(16));
        assert_eq!(vocab_hash().len(), 64);
    }
}
