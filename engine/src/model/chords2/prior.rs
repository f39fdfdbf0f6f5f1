//! A prior over chord model v1's tokens (a personal style's n-grams) applied to chord model v2.
//! Each v2 token stands for the v1 token of its root and nearest v1 quality (bass dropped); the
//! v1 token's probability is shared among its v2 tokens in proportion to the model's own
//! probabilities, so the style moves the choice of chord and the model keeps the colour.

use super::Chords2Config;
use crate::model::prior::{self, EventPrior};
use crate::model::tokens::{self, ChordToken};
use crate::model::ModelError;

/// v2 quality name -> the v1 quality it is heard as (v1 has maj, min, dim, aug, sus4, dom7,
/// maj7, min7, hdim7, dim7).
const NEAREST_V1: [(&str, &str); 27] = [
    ("maj", "maj"),
    ("min", "min"),
    ("dim", "dim"),
    ("aug", "aug"),
    ("sus2", "sus4"),
    ("sus4", "sus4"),
    ("5", "maj"),
    ("6", "maj"),
    ("m6", "min"),
    ("7", "dom7"),
    ("maj7", "maj7"),
    ("m7", "min7"),
    ("m7b5", "hdim7"),
    ("dim7", "dim7"),
    ("mmaj7", "min"),
    ("7sus4", "dom7"),
    ("add9", "maj"),
    ("madd9", "min"),
    ("9", "dom7"),
    ("maj9", "maj7"),
    ("m9", "min7"),
    ("7b9", "dom7"),
    ("7#9", "dom7"),
    ("11", "dom7"),
    ("m11", "min7"),
    ("13", "dom7"),
    ("maj13", "maj7"),
];

/// The v1 quality name a v2 quality is heard as; None for a name outside the table.
pub fn nearest_v1(quality: &str) -> Option<&'static str> {
    NEAREST_V1
        .iter()
        .find(|(q, _)| *q == quality)
        .map(|(_, v1)| *v1)
}

/// A v1-token prior mapped onto chord model v2's tokens. Used on the generating thread.
pub struct V1Prior<'a> {
    inner: &'a dyn EventPrior,
    /// v2 token index -> v1 token index (None for BOS and tokens v1 cannot name).
    map: Vec<Option<usize>>,
    v1_tokens: usize,
    /// v2 duration index -> v1 duration index.
    durations: Vec<Option<usize>>,
    v1_durations: usize,
}

impl<'a> V1Prior<'a> {
    pub fn new(inner: &'a dyn EventPrior, cfg: &Chords2Config) -> Result<Self, ModelError> {
        let v1 = tokens::vocab().map_err(ModelError::Vocab)?;
        let mut by_name = std::collections::HashMap::new();
        for i in 0..v1.chords.len() {
            match v1.decode_chord(i) {
                Some(ChordToken::Chord { root, quality }) => {
                    let name = v1.qualities[quality].name.clone();
                    by_name.insert(format!("{root}:{name}"), i);
                }
                Some(ChordToken::NoChord) => {
                    by_name.insert("NC".to_string(), i);
                }
                _ => {}
            }
        }
        let map = cfg
            .tokens
            .iter()
            .map(|t| {
                if t == "NC" {
                    return by_name.get("NC").copied();
                }
                let (root, rest) = t.split_once(':')?;
                let q = nearest_v1(rest.split('/').next().unwrap_or(""))?;
                by_name.get(&format!("{root}:{q}")).copied()
            })
            .collect();
        let v1_durations = v1.chord_durations.len();
        let durations = cfg
            .durations
            .iter()
            .map(|&d| (d as usize).checked_sub(1).filter(|&i| i < v1_durations))
            .collect();
        Ok(V1Prior {
            inner,
            map,
            v1_tokens: v1.chords.len(),
            durations,
            v1_durations,
        })
    }

    pub fn amount(&self) -> f64 {
        self.inner.amount()
    }

    /// The token logits blended with the prior after `history` (v2 token indices).
    pub fn tokens(&self, logits: &[f32], history: &[usize]) -> Vec<f32> {
        let h: Vec<usize> = history
            .iter()
            .filter_map(|&t| self.map.get(t).copied().flatten())
            .collect();
        let mut p1 = vec![0.0; self.v1_tokens];
        self.inner.tokens(&h, &mut p1);
        let pm = prior::softmax(logits);
        let mut group = vec![0.0; self.v1_tokens];
        for (j, p) in pm.iter().enumerate() {
            if let Some(g) = self.map.get(j).copied().flatten() {
                group[g] += p;
            }
        }
        let p2: Vec<f64> = pm
            .iter()
            .enumerate()
            .map(|(j, p)| match self.map.get(j).copied().flatten() {
                Some(g) if group[g] > 0.0 => p1[g] * p / group[g],
                _ => 0.0,
            })
            .collect();
        prior::blend(logits, &p2, self.amount())
    }

    /// The duration logits blended with the prior for an event at `pos16` in a bar of `bar16`.
    pub fn durations(&self, row: &[f32], pos16: u32, bar16: u32) -> Vec<f32> {
        let mut p1 = vec![0.0; self.v1_durations];
        self.inner.durations(pos16, bar16, &mut p1);
        let mut p2: Vec<f64> = (0..row.len())
            .map(|d| {
                self.durations
                    .get(d)
                    .copied()
                    .flatten()
                    .map_or(0.0, |i| p1[i])
            })
            .collect();
        let z: f64 = p2.iter().sum();
        if z > 0.0 {
            p2.iter_mut().for_each(|x| *x /= z);
        }
        prior::blend(row, &p2, self.amount())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_quality_has_a_v1_quality() {
        let v2 = crate::model::vocab2::vocab2().expect("vocab v2");
        let v1 = tokens::vocab().expect("vocab v1");
        for name in &v2.names {
            let q = nearest_v1(name).unwrap_or_else(|| panic!("{name} has no v1 quality"));
            assert!(
                v1.qualities.iter().any(|e| e.name == q),
                "{name} -> {q} is not a v1 quality"
            );
        }
    }
}
