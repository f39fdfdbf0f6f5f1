//! A loaded personal style and the priors it gives the chord and melody models: the profile's
//! smoothed n-gram over the models' own tokens, blended in at the "like my music" amount.

use super::ngram;
use super::profile::{StyleProfile, Table, REST};
use super::PersonalError;
use crate::model::prior::EventPrior;
use crate::model::tokens::{self, PitchToken, Vocab};
use std::collections::HashMap;

/// A profile ready to generate with (indexed once when loaded).
#[derive(Debug, Clone)]
pub struct PersonalStyle {
    profile: StyleProfile,
    hash: String,
    chords: ngram::Model,
    melody: ngram::Model,
    chord_durations: Durations,
    melody_durations: Durations,
    /// P(interval) for -24..=24 semitones.
    intervals: Vec<f64>,
}

/// Largest melodic interval the profile counts (semitones, either way).
const MAX_INTERVAL: i32 = 24;

impl PersonalStyle {
    /// Indexes a profile; fails when it was learned over another model vocabulary.
    pub fn new(profile: StyleProfile) -> Result<PersonalStyle, PersonalError> {
        let v = tokens::vocab().map_err(|e| PersonalError::Vocab(e.to_string()))?;
        if profile.vocab_hash != tokens::vocab_hash() {
            return Err(PersonalError::OtherVocabulary {
                name: profile.name.clone(),
            });
        }
        let mut intervals = vec![0.1f64; (2 * MAX_INTERVAL + 1) as usize];
        for (k, c) in &profile.melody_intervals {
            if let Some(&iv) = k.first() {
                let i = (iv.clamp(-MAX_INTERVAL, MAX_INTERVAL) + MAX_INTERVAL) as usize;
                intervals[i] += f64::from(*c);
            }
        }
        let z: f64 = intervals.iter().sum();
        intervals.iter_mut().for_each(|x| *x /= z);
        Ok(PersonalStyle {
            hash: profile.checksum(),
            chords: ngram::Model::new(&profile.chords),
            melody: ngram::Model::new(&profile.melody),
            chord_durations: Durations::new(&profile.chord_durations, v.chord_durations.len()),
            melody_durations: Durations::new(&profile.melody_durations, v.melody_durations.len()),
            intervals,
            profile,
        })
    }

    pub fn profile(&self) -> &StyleProfile {
        &self.profile
    }

    pub fn name(&self) -> &str {
        &self.profile.name
    }

    /// sha256 (hex) of the profile content.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The first 12 hex digits of [`Self::hash`], as written in provenance.
    pub fn short_hash(&self) -> &str {
        &self.hash[..12.min(self.hash.len())]
    }

    /// The chord prior at `amount` (clamped to 0..=1).
    pub fn chord_prior(&self, amount: f32) -> ChordPrior<'_> {
        ChordPrior {
            style: self,
            amount: f64::from(amount).clamp(0.0, 1.0),
        }
    }

    /// The melody prior at `amount` (clamped to 0..=1).
    pub fn melody_prior(&self, amount: f32) -> MelodyPrior<'_> {
        MelodyPrior {
            style: self,
            amount: f64::from(amount).clamp(0.0, 1.0),
        }
    }

    pub fn has_chords(&self) -> bool {
        !self.chords.is_empty()
    }

    pub fn has_melody(&self) -> bool {
        !self.melody.is_empty()
    }
}

/// Duration counts by position in the bar, smoothed towards the overall duration counts.
#[derive(Debug, Clone, Default)]
struct Durations {
    by_pos: HashMap<(i32, i32), Vec<f64>>,
    all: Vec<f64>,
}

impl Durations {
    fn new(t: &Table, n: usize) -> Durations {
        let mut d = Durations {
            by_pos: HashMap::new(),
            all: vec![0.1; n],
        };
        for (k, c) in t {
            if let [bar16, pos, dur] = k[..] {
                if dur >= 0 && (dur as usize) < n {
                    let row = d.by_pos.entry((bar16, pos)).or_insert_with(|| vec![0.0; n]);
                    row[dur as usize] += f64::from(*c);
                    d.all[dur as usize] += f64::from(*c);
                }
            }
        }
        let z: f64 = d.all.iter().sum();
        d.all.iter_mut().for_each(|x| *x /= z);
        d
    }

    fn dist(&self, bar16: u32, pos16: u32, out: &mut [f64]) {
        let row = self.by_pos.get(&(bar16 as i32, pos16 as i32));
        let total: f64 = row.map_or(0.0, |r| r.iter().sum());
        for (i, o) in out.iter_mut().enumerate() {
            let c = row.and_then(|r| r.get(i)).copied().unwrap_or(0.0);
            let base = self.all.get(i).copied().unwrap_or(0.0);
            *o = (c + base) / (total + 1.0);
        }
        normalize(out);
    }
}

fn normalize(out: &mut [f64]) {
    let z: f64 = out.iter().sum();
    if z > 0.0 {
        out.iter_mut().for_each(|x| *x /= z);
    }
}

/// The chord model's prior from a personal style.
#[derive(Debug, Clone, Copy)]
pub struct ChordPrior<'a> {
    style: &'a PersonalStyle,
    amount: f64,
}

impl EventPrior for ChordPrior<'_> {
    fn amount(&self) -> f64 {
        self.amount
    }

    fn tokens(&self, history: &[usize], out: &mut [f64]) {
        let h: Vec<u16> = history.iter().map(|&t| t as u16).collect();
        self.style.chords.dist(&h, out);
        if let Some(bos) = out.first_mut() {
            *bos = 0.0;
        }
        normalize(out);
    }

    fn durations(&self, pos16: u32, bar16: u32, out: &mut [f64]) {
        self.style.chord_durations.dist(bar16, pos16, out);
    }
}

/// The melody model's prior from a personal style: P(scale degree | two before) × P(interval),
/// spread over the pitch tokens of each degree.
#[derive(Debug, Clone, Copy)]
pub struct MelodyPrior<'a> {
    style: &'a PersonalStyle,
    amount: f64,
}

impl EventPrior for MelodyPrior<'_> {
    fn amount(&self) -> f64 {
        self.amount
    }

    fn tokens(&self, history: &[usize], out: &mut [f64]) {
        let Ok(v) = tokens::vocab() else {
            out.iter_mut().for_each(|x| *x = 0.0);
            return;
        };
        let syms: Vec<u16> = history.iter().filter_map(|&t| symbol(v, t)).collect();
        let last = history.iter().rev().find_map(|&t| match v.decode_pitch(t) {
            Some(PitchToken::Pitch(r)) => Some(r),
            _ => None,
        });
        let mut p_sym = [0f64; 13];
        self.style.melody.dist(&syms, &mut p_sym);
        let mut z = [0f64; 12];
        for (i, o) in out.iter_mut().enumerate() {
            *o = match v.decode_pitch(i) {
                Some(PitchToken::Pitch(r)) => {
                    let w = last.map_or(1.0, |l| self.style.interval(r - l));
                    z[r.rem_euclid(12) as usize] += w;
                    w
                }
                _ => 0.0,
            };
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = match v.decode_pitch(i) {
                Some(PitchToken::Rest) => p_sym[REST as usize],
                Some(PitchToken::Pitch(r)) => {
                    let d = r.rem_euclid(12) as usize;
                    if z[d] > 0.0 {
                        p_sym[d] * *o / z[d]
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            };
        }
        normalize(out);
    }

    fn durations(&self, pos16: u32, bar16: u32, out: &mut [f64]) {
        self.style.melody_durations.dist(bar16, pos16, out);
    }
}

impl PersonalStyle {
    fn interval(&self, iv: i32) -> f64 {
        if iv.abs() > MAX_INTERVAL {
            return self.intervals[0] * 0.1;
        }
        self.intervals[(iv + MAX_INTERVAL) as usize]
    }
}

/// The profile's melody symbol of a pitch token (degree or rest); None for BOS.
fn symbol(v: &Vocab, token: usize) -> Option<u16> {
    match v.decode_pitch(token)? {
        PitchToken::Rest => Some(REST),
        PitchToken::Pitch(r) => Some(r.rem_euclid(12) as u16),
        PitchToken::Bos => None,
    }
}
