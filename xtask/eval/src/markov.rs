//! First-order Markov baselines estimated from the training split:
//! chords: P(chord | previous chord, major/minor) and P(duration | previous duration);
//! melody: P(interval | previous interval) over sounding pitches (rest is its own symbol, the first
//! note comes from P(pitch | start)), and P(duration | previous duration).
//! All tables are add-alpha smoothed; alpha is chosen on the validation split.

use super::piece::{Ch, Mel, Piece};
use bandmate_engine::model::tokens;
use bandmate_engine::rng::Rng;
use std::collections::HashMap;

/// A smoothed conditional table over `n` outcomes.
#[derive(Debug, Clone, Default)]
pub struct Table {
    n: usize,
    counts: HashMap<usize, (Vec<f64>, f64)>,
    unigram: Vec<f64>,
    total: f64,
    pub alpha: f64,
}

impl Table {
    pub fn new(n: usize) -> Table {
        Table {
            n,
            counts: HashMap::new(),
            unigram: vec![0.0; n],
            total: 0.0,
            alpha: 0.1,
        }
    }

    pub fn add(&mut self, ctx: usize, out: usize) {
        if out >= self.n {
            return;
        }
        let e = self
            .counts
            .entry(ctx)
            .or_insert_with(|| (vec![0.0; self.n], 0.0));
        e.0[out] += 1.0;
        e.1 += 1.0;
        self.unigram[out] += 1.0;
        self.total += 1.0;
    }

    /// P(out | ctx); an unseen context backs off to the smoothed unigram.
    pub fn prob(&self, ctx: usize, out: usize) -> f64 {
        if out >= self.n {
            return 1e-9;
        }
        let uni = (self.unigram[out] + self.alpha) / (self.total + self.alpha * self.n as f64);
        match self.counts.get(&ctx) {
            Some((c, t)) => {
                (c[out] + self.alpha * self.n as f64 * uni) / (t + self.alpha * self.n as f64)
            }
            None => uni,
        }
    }

    pub fn sample(
        &self,
        ctx: usize,
        temperature: f64,
        rng: &mut Rng,
        allowed: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let w: Vec<f32> = (0..self.n)
            .map(|o| {
                if allowed(o) {
                    self.prob(ctx, o).powf(1.0 / temperature) as f32
                } else {
                    0.0
                }
            })
            .collect();
        rng.weighted(&w)
    }
}

const MAX_IV: i32 = 24;
/// Melody symbols: interval -MAX_IV..=MAX_IV, then REST.
fn iv_index(iv: i32) -> usize {
    (iv.clamp(-MAX_IV, MAX_IV) + MAX_IV) as usize
}
const REST: usize = (2 * MAX_IV + 1) as usize;
const START: usize = REST + 1;

pub struct Markov {
    /// ctx = mode*1000 + previous chord token (BOS = 0)
    pub chord: Table,
    pub chord_dur: Table,
    pub mel: Table,
    pub mel_start: Table,
    pub mel_dur: Table,
    /// bar16 -> chord-duration distribution (for sampling at a meter)
    chord_dur_by_bar: HashMap<u32, Table>,
    mel_dur_by_bar: HashMap<u32, Table>,
}

/// Splits events longer than the vocabulary allows, exactly as train.py's `split_pieces` does.
fn split<T: Copy>(evs: &[(T, u32, u32)], maxd: u32) -> Vec<(T, u32, u32)> {
    let mut out = Vec::new();
    for &(s, mut st, mut du) in evs {
        while du > maxd {
            out.push((s, st, maxd));
            st += maxd;
            du -= maxd;
        }
        out.push((s, st, du));
    }
    out
}

pub fn chord_events(p: &Piece) -> Vec<(usize, u32, u32)> {
    let v = tokens::vocab().expect("vocab");
    split(
        &p.chords
            .iter()
            .map(|c| (c.token, c.start, c.dur))
            .collect::<Vec<_>>(),
        v.chord_durations.len() as u32,
    )
}

pub fn melody_events(p: &Piece) -> Vec<(Option<i32>, u32, u32)> {
    let v = tokens::vocab().expect("vocab");
    split(
        &p.melody
            .iter()
            .map(|m| (m.rel, m.start, m.dur))
            .collect::<Vec<_>>(),
        v.melody_durations.len() as u32,
    )
}

/// Melody symbol for `rel` after the last sounding pitch `last` (None at the start).
fn mel_symbol(rel: Option<i32>, last: Option<i32>) -> (usize, bool) {
    match (rel, last) {
        (None, _) => (REST, false),
        (Some(r), Some(l)) => (iv_index(r - l), false),
        (Some(r), None) => (pitch_index(r), true),
    }
}

fn pitch_index(rel: i32) -> usize {
    let v = tokens::vocab().expect("vocab");
    v.encode_pitch(rel)
}

impl Markov {
    pub fn fit(train: &[&Piece]) -> Markov {
        let v = tokens::vocab().expect("vocab");
        let nd_c = v.chord_durations.len();
        let nd_m = v.melody_durations.len();
        let mut m = Markov {
            chord: Table::new(v.chords.len()),
            chord_dur: Table::new(nd_c),
            mel: Table::new(REST + 1),
            mel_start: Table::new(v.melody_pitches.len()),
            mel_dur: Table::new(nd_m),
            chord_dur_by_bar: HashMap::new(),
            mel_dur_by_bar: HashMap::new(),
        };
        for p in train {
            let mode = p.minor as usize;
            let mut prev = (0usize, nd_c);
            for (c, _, d) in chord_events(p) {
                m.chord.add(mode * 1000 + prev.0, c);
                m.chord_dur.add(prev.1, d as usize - 1);
                m.chord_dur_by_bar
                    .entry(p.bar16)
                    .or_insert_with(|| Table::new(nd_c))
                    .add(0, d as usize - 1);
                prev = (c, d as usize - 1);
            }
            let (mut last, mut prev_sym, mut prev_d) = (None, START, nd_m);
            for (r, _, d) in melody_events(p) {
                let (sym, first) = mel_symbol(r, last);
                if first {
                    m.mel_start.add(0, sym);
                } else {
                    m.mel.add(prev_sym, sym);
                }
                m.mel_dur.add(prev_d, d as usize - 1);
                m.mel_dur_by_bar
                    .entry(p.bar16)
                    .or_insert_with(|| Table::new(nd_m))
                    .add(0, d as usize - 1);
                prev_d = d as usize - 1;
                if r.is_some() {
                    prev_sym = if first { START } else { sym };
                    last = r;
                } else {
                    prev_sym = REST;
                }
            }
        }
        m
    }

    /// Mean NLL per event (nats) on `pieces`: (chord symbol, chord duration) and (melody symbol,
    /// melody duration). Sequences restart every 400 events, as in train.py.
    pub fn nll(&self, pieces: &[&Piece]) -> ((f64, f64, usize), (f64, f64, usize)) {
        let v = tokens::vocab().expect("vocab");
        let (nd_c, nd_m) = (v.chord_durations.len(), v.melody_durations.len());
        let (mut cs, mut cd, mut cn) = (0.0, 0.0, 0usize);
        let (mut ms, mut md, mut mn) = (0.0, 0.0, 0usize);
        for p in pieces {
            let mode = p.minor as usize;
            let evs = chord_events(p);
            if evs.len() >= 2 {
                let mut prev = (0usize, nd_c);
                for (i, (c, _, d)) in evs.into_iter().enumerate() {
                    if i % 400 == 0 {
                        prev = (0, nd_c);
                    }
                    cs -= self.chord.prob(mode * 1000 + prev.0, c).ln();
                    cd -= self.chord_dur.prob(prev.1, d as usize - 1).ln();
                    cn += 1;
                    prev = (c, d as usize - 1);
                }
            }
            let evs = melody_events(p);
            if evs.len() >= 2 {
                let (mut last, mut prev_sym, mut prev_d) = (None, START, nd_m);
                for (i, (r, _, d)) in evs.into_iter().enumerate() {
                    if i % 400 == 0 {
                        (last, prev_sym, prev_d) = (None, START, nd_m);
                    }
                    let (sym, first) = mel_symbol(r, last);
                    let pr = if first {
                        self.mel_start.prob(0, sym)
                    } else {
                        self.mel.prob(prev_sym, sym)
                    };
                    ms -= pr.ln();
                    md -= self.mel_dur.prob(prev_d, d as usize - 1).ln();
                    mn += 1;
                    prev_d = d as usize - 1;
                    if r.is_some() {
                        prev_sym = if first { START } else { sym };
                        last = r;
                    } else {
                        prev_sym = REST;
                    }
                }
            }
        }
        let f = |x: f64, n: usize| x / n.max(1) as f64;
        ((f(cs, cn), f(cd, cn), cn), (f(ms, mn), f(md, mn), mn))
    }

    pub fn set_alpha(&mut self, a: f64) {
        for t in [
            &mut self.chord,
            &mut self.chord_dur,
            &mut self.mel,
            &mut self.mel_start,
            &mut self.mel_dur,
        ] {
            t.alpha = a;
        }
    }

    /// An 8-bar (or `bars`) piece from the chains: chords with sampled durations, and a melody
    /// (which does not look at the chords: that is the point of a first-order baseline).
    pub fn sample(&self, template: &Piece, seed: u64, temperature: f64) -> Piece {
        let v = tokens::vocab().expect("vocab");
        let mut rng = Rng::derive(seed, "markov");
        let end = template.bars * template.bar16;
        let mode = template.minor as usize;
        let mut p = Piece {
            chords: Vec::new(),
            melody: Vec::new(),
            drums: Vec::new(),
            ..template.clone()
        };
        let empty = Table::new(1);
        let cdur = self.chord_dur_by_bar.get(&template.bar16).unwrap_or(&empty);
        let (mut t, mut prev) = (0u32, 0usize);
        while t < end {
            let c = self
                .chord
                .sample(mode * 1000 + prev, temperature, &mut rng, |o| o >= 2)
                .unwrap_or(2);
            let d = if cdur.n > 1 {
                cdur.sample(0, 1.0, &mut rng, |_| true).unwrap_or(3) as u32 + 1
            } else {
                template.bar16
            };
            let d = d.min(end - t).max(1);
            p.chords.push(Ch {
                token: c,
                start: t,
                dur: d,
            });
            t += d;
            prev = c;
        }
        let mdur = self.mel_dur_by_bar.get(&template.bar16).unwrap_or(&empty);
        let (lo, hi) = (0i32, 19i32); // the arranger's melody range: tonic reference .. +19
        let (mut t, mut last, mut prev_sym, mut prev_d): (u32, Option<i32>, usize, usize) =
            (0, None, START, v.melody_durations.len());
        while t < end {
            let (rel, sym) = match last {
                None => {
                    let s = self
                        .mel_start
                        .sample(0, temperature, &mut rng, |o| o >= 2)
                        .unwrap_or(2);
                    let r = match v.decode_pitch(s) {
                        Some(tokens::PitchToken::Pitch(r)) => r,
                        _ => 7,
                    };
                    (Some(r), START)
                }
                Some(l) => {
                    let s = self
                        .mel
                        .sample(prev_sym, temperature, &mut rng, |_| true)
                        .unwrap_or(REST);
                    if s == REST {
                        (None, REST)
                    } else {
                        let mut r = l + s as i32 - MAX_IV;
                        while r < lo {
                            r += 12;
                        }
                        while r > hi {
                            r -= 12;
                        }
                        (Some(r), s)
                    }
                }
            };
            let _ = mdur;
            let d = self
                .mel_dur
                .sample(prev_d, temperature, &mut rng, |_| true)
                .unwrap_or(3) as u32
                + 1;
            let d = d.min(end - t).max(1);
            p.melody.push(Mel {
                rel,
                start: t,
                dur: d,
            });
            prev_d = d as usize - 1;
            if rel.is_some() {
                last = rel;
                prev_sym = sym;
            } else {
                prev_sym = REST;
            }
            t += d;
        }
        p
    }
}
