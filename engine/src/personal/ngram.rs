//! Smoothed n-gram probabilities from a profile's counts: interpolated Witten–Bell over orders
//! 1..=3, with the unigram smoothed towards uniform, so every symbol keeps some probability.

use super::profile::Ngrams;
use std::collections::HashMap;

/// Counts indexed for lookup.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Full grams -> count.
    counts: HashMap<Vec<u16>, u32>,
    /// Context -> (total count of continuations, distinct continuations).
    contexts: HashMap<Vec<u16>, (u32, u32)>,
    unigram_total: u64,
    order: usize,
}

/// Additive smoothing of the unigram: this many pseudo-counts spread evenly over the symbols.
const UNIGRAM_ADD: f64 = 1.0;

impl Model {
    pub fn new(ng: &Ngrams) -> Model {
        let mut m = Model::default();
        for (g, c) in &ng.grams {
            if g.is_empty() {
                continue;
            }
            m.order = m.order.max(g.len());
            m.counts.insert(g.clone(), *c);
            if g.len() == 1 {
                m.unigram_total += u64::from(*c);
            }
            let e = m
                .contexts
                .entry(g[..g.len() - 1].to_vec())
                .or_insert((0, 0));
            e.0 += c;
            e.1 += 1;
        }
        m
    }

    /// Whether anything was counted.
    pub fn is_empty(&self) -> bool {
        self.unigram_total == 0
    }

    /// P(sym | history) over symbols 0..n (history oldest first; only the last order-1 used).
    pub fn prob(&self, history: &[u16], sym: u16, n: usize) -> f64 {
        let n = n.max(1) as f64;
        let c1 = self.counts.get(&vec![sym]).copied().unwrap_or(0) as f64;
        let mut p = (c1 + UNIGRAM_ADD / n) / (self.unigram_total as f64 + UNIGRAM_ADD);
        let max_ctx = self.order.saturating_sub(1).min(history.len());
        let mut gram: Vec<u16> = Vec::with_capacity(max_ctx + 1);
        for k in 1..=max_ctx {
            let ctx = &history[history.len() - k..];
            let Some(&(total, distinct)) = self.contexts.get(ctx) else {
                break;
            };
            gram.clear();
            gram.extend_from_slice(ctx);
            gram.push(sym);
            let c = self.counts.get(&gram).copied().unwrap_or(0) as f64;
            let (total, distinct) = (total as f64, distinct as f64);
            p = (c + distinct * p) / (total + distinct);
        }
        p
    }

    /// The distribution over 0..out.len() after `history`, normalized.
    pub fn dist(&self, history: &[u16], out: &mut [f64]) {
        let n = out.len();
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.prob(history, i as u16, n);
        }
        let z: f64 = out.iter().sum();
        if z > 0.0 {
            out.iter_mut().for_each(|x| *x /= z);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_follow_counts_and_sum_to_one() {
        let mut ng = Ngrams::default();
        // Sequence 0 1 2 0 1 2 0 1 (orders 1..=3).
        let seq = [0u16, 1, 2, 0, 1, 2, 0, 1];
        let mut map = std::collections::BTreeMap::new();
        for i in 0..seq.len() {
            for n in 1..=3.min(i + 1) {
                *map.entry(seq[i + 1 - n..=i].to_vec()).or_insert(0u32) += 1;
            }
        }
        ng.grams = map.into_iter().collect();
        let m = Model::new(&ng);
        let mut d = [0.0; 5];
        m.dist(&[0, 1], &mut d);
        assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(d[2] > 0.6, "{d:?}");
        assert!(d[3] > 0.0 && d[3] < 0.05);
        m.dist(&[4, 4], &mut d);
        assert!(d[1] > d[3], "unseen context backs off to the unigram");
        assert!(Model::new(&Ngrams::default()).is_empty());
    }
}
