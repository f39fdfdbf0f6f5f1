//! A prior over chord model v1's tokens (a personal style's n-grams) applied to chord model v2.
//! Each v2 token stands for the v1 token the v1 vocabulary hears it as (`token_for_chord`, as a
//! personal style's analysis does; bass dropped); the v1 token's probability is shared among its v2 tokens in proportion to the model's own
//! probabilities, so the style moves the choice of chord and the model keeps the colour.

use super::Chords2Config;
use crate::model::prior::{self, EventPrior};
use crate::model::tokens::{self, ChordToken};
use crate::model::vocab2::vocab2;
use crate::model::ModelError;
use crate::theory::{Key, Mode, PitchClass};

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
        let v2 = vocab2().map_err(|e| ModelError::Config {
            model: super::CHORDS2_MODEL_ID,
            reason: e.to_string(),
        })?;
        let key = Key::new(PitchClass::C, Mode::Major);
        let nc = (0..v1.chords.len()).find(|&i| v1.decode_chord(i) == Some(ChordToken::NoChord));
        let map = cfg
            .tokens
            .iter()
            .map(|t| match v2.chord(t, key) {
                Ok(Some(chord)) => Some(v1.token_for_chord(&chord, key)),
                Ok(None) if t == "NC" => nc,
                _ => None,
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
    fn every_v2_chord_is_heard_as_a_v1_chord_and_each_v1_chord_has_one() {
        let cfg = super::super::verify(super::super::embedded().0, super::super::embedded().1)
            .expect("config");
        struct Flat;
        impl EventPrior for Flat {
            fn amount(&self) -> f64 {
                1.0
            }
            fn tokens(&self, _: &[usize], out: &mut [f64]) {
                out.iter_mut().for_each(|x| *x = 1.0);
            }
            fn durations(&self, _: u32, _: u32, out: &mut [f64]) {
                out.iter_mut().for_each(|x| *x = 1.0);
            }
        }
        let p = V1Prior::new(&Flat, &cfg).expect("prior");
        let v1 = tokens::vocab().expect("v1");
        for (t, m) in cfg.tokens.iter().zip(&p.map) {
            assert_eq!(m.is_none(), t == "BOS", "{t}");
        }
        for i in 0..v1.chords.len() {
            if let Some(ChordToken::Chord { .. }) = v1.decode_chord(i) {
                assert!(
                    p.map.contains(&Some(i)),
                    "v1 token {} has no v2 token",
                    v1.chords[i]
                );
            }
        }
        // A major-seventh and a major-ninth chord on the same root are heard as one v1 chord.
        let ix = |name: &str| cfg.tokens.iter().position(|t| t == name).expect(name);
        assert_eq!(p.map[ix("0:maj7")], p.map[ix("0:maj9")]);
        assert_ne!(p.map[ix("0:maj7")], p.map[ix("0:m7")]);
    }
}
