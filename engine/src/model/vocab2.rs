//! Chord vocabulary v2 (`models/vocab-v2.json`, embedded; also read by the Python corpus readers).
//!
//! A v2 chord token is `<root>:<quality>` or `<root>:<quality>/<bass>`: root in semitones above the
//! local tonic, bass in semitones above the root. A chord outside the vocabulary maps to the
//! quality whose interval set (mod 12) has the smallest weighted symmetric difference with the
//! chord's (weights per interval from the file; ties go to the earlier quality). The v1 vocabulary
//! (`tokens`) stays in use by models trained on it.

use crate::chord::{Chord, Quality};
use crate::theory::Key;
use serde::Deserialize;
use std::sync::OnceLock;

/// The embedded vocabulary file.
pub const VOCAB2_JSON: &str = include_str!("../../../models/vocab-v2.json");

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Vocab2Error {
    #[error("vocab-v2.json: {0}")]
    Parse(String),
    #[error(
        "vocab-v2.json quality {name:?} is not an engine chord quality with the same intervals"
    )]
    Quality { name: String },
    #[error("chord token {0:?} is not root:quality[/bass] of this vocabulary")]
    Token(String),
}

#[derive(Debug, Clone, Deserialize)]
struct QualityRow {
    name: String,
    intervals: Vec<u8>,
}

#[derive(Debug, Clone, Deserialize)]
struct Example {
    intervals: Vec<u8>,
    quality: String,
}

#[derive(Debug, Clone, Deserialize)]
struct File {
    qualities: Vec<QualityRow>,
    interval_weights: [u32; 12],
    nearest_examples: Vec<Example>,
    sections: Vec<String>,
    styles: Vec<String>,
    legacy_styles: std::collections::BTreeMap<String, String>,
}

/// The parsed vocabulary: qualities in token order with their engine [`Quality`].
#[derive(Debug, Clone)]
pub struct Vocab2 {
    pub names: Vec<String>,
    pub qualities: Vec<Quality>,
    masks: Vec<u16>,
    weights: [u32; 12],
    /// (interval set, expected quality name) pairs both implementations are tested on.
    pub examples: Vec<(Vec<u8>, String)>,
    pub sections: Vec<String>,
    pub styles: Vec<String>,
    /// Old style names (projects saved before v2) and the v2 style each stands for.
    pub legacy_styles: Vec<(String, String)>,
}

fn mask(intervals: &[u8]) -> u16 {
    intervals.iter().fold(1u16, |m, i| m | 1 << (i % 12))
}

/// The engine quality a vocabulary name stands for ("maj" -> Major, "5" -> Power).
fn engine_quality(name: &str) -> Option<Quality> {
    Quality::from_suffix(name)
}

impl Vocab2 {
    pub fn parse(text: &str) -> Result<Vocab2, Vocab2Error> {
        let f: File = serde_json::from_str(text).map_err(|e| Vocab2Error::Parse(e.to_string()))?;
        let mut qualities = Vec::new();
        for row in &f.qualities {
            let q = engine_quality(&row.name)
                .filter(|q| mask(q.intervals()) == mask(&row.intervals))
                .ok_or_else(|| Vocab2Error::Quality {
                    name: row.name.clone(),
                })?;
            qualities.push(q);
        }
        Ok(Vocab2 {
            names: f.qualities.iter().map(|r| r.name.clone()).collect(),
            masks: f.qualities.iter().map(|r| mask(&r.intervals)).collect(),
            qualities,
            weights: f.interval_weights,
            examples: f
                .nearest_examples
                .into_iter()
                .map(|e| (e.intervals, e.quality))
                .collect(),
            sections: f.sections,
            styles: f.styles,
            legacy_styles: f.legacy_styles.into_iter().collect(),
        })
    }

    /// Index of the nearest vocabulary quality to a set of semitones above the root (root
    /// implied), and whether it is exact.
    pub fn nearest(&self, intervals: &[u8]) -> (usize, bool) {
        let want = mask(intervals);
        let mut best = (0usize, u32::MAX);
        for (i, m) in self.masks.iter().enumerate() {
            let diff = want ^ m;
            let cost: u32 = (0..12)
                .filter(|b| diff & (1 << b) != 0)
                .map(|b| self.weights[b])
                .sum();
            if cost < best.1 {
                best = (i, cost);
            }
        }
        (best.0, best.1 == 0)
    }

    /// The vocabulary chord nearest to `chord` (same root and bass, nearest quality).
    pub fn snap(&self, chord: Chord) -> Chord {
        let (i, _) = self.nearest(chord.quality.intervals());
        Chord {
            quality: self.qualities[i],
            ..chord
        }
    }

    /// The token of a chord in a key (quality snapped to the vocabulary).
    pub fn token(&self, chord: Chord, key: Key) -> String {
        let (i, _) = self.nearest(chord.quality.intervals());
        let root = (chord.root.index() + 12 - key.tonic.index()) % 12;
        match chord.bass.filter(|b| *b != chord.root) {
            Some(b) => format!(
                "{root}:{}/{}",
                self.names[i],
                (b.index() + 12 - chord.root.index()) % 12
            ),
            None => format!("{root}:{}", self.names[i]),
        }
    }

    /// The chord of a token in a key; None for "NC".
    pub fn chord(&self, token: &str, key: Key) -> Result<Option<Chord>, Vocab2Error> {
        if token == "NC" {
            return Ok(None);
        }
        let bad = || Vocab2Error::Token(token.to_string());
        let (root, rest) = token.split_once(':').ok_or_else(bad)?;
        let (name, bass) = match rest.split_once('/') {
            Some((n, b)) => (n, Some(b.parse::<u8>().map_err(|_| bad())?)),
            None => (rest, None),
        };
        let root: u8 = root.parse().map_err(|_| bad())?;
        let qi = self.names.iter().position(|n| n == name).ok_or_else(bad)?;
        if root > 11 || bass.is_some_and(|b| b == 0 || b > 11) {
            return Err(bad());
        }
        let root_pc = key.tonic.transpose(i32::from(root));
        Ok(Some(Chord {
            root: root_pc,
            quality: self.qualities[qi],
            bass: bass.map(|b| root_pc.transpose(i32::from(b))),
        }))
    }

    /// A style name as stored by an older project, mapped to this vocabulary's style list.
    pub fn style(&self, name: &str) -> Option<&str> {
        if let Some(s) = self.styles.iter().find(|s| s.as_str() == name) {
            return Some(s);
        }
        self.legacy_styles
            .iter()
            .find(|(old, _)| old == name)
            .map(|(_, new)| new.as_str())
    }
}

/// The embedded vocabulary, parsed once.
pub fn vocab2() -> Result<&'static Vocab2, Vocab2Error> {
    static V: OnceLock<Result<Vocab2, Vocab2Error>> = OnceLock::new();
    V.get_or_init(|| Vocab2::parse(VOCAB2_JSON))
        .as_ref()
        .map_err(Clone::clone)
}

/// sha256 (hex) of the embedded file: the `vocab_hash` a v2 model's config names.
pub fn vocab2_hash() -> String {
    super::tokens::sha256_hex(VOCAB2_JSON.as_bytes())
}
