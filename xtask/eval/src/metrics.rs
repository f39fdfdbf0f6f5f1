//! Musical-quality measures over key-relative pieces. Every function documents what it counts;
//! docs/QUALITY.md repeats the definitions next to the numbers.

use super::piece::Piece;
use bandmate_engine::keydetect;
use std::collections::{BTreeMap, HashMap, HashSet};

const MAJOR: u16 = 0b1010_1011_0101; // 0 2 4 5 7 9 11
/// Natural minor plus the raised 6th and 7th (melodic/harmonic minor): 0 2 3 5 7 8 9 10 11.
const MINOR: u16 = 0b1111_1010_1101;

fn scale(minor: bool) -> u16 {
    if minor {
        MINOR
    } else {
        MAJOR
    }
}

fn pc(rel: i32) -> u32 {
    rel.rem_euclid(12) as u32
}

/// Pooled fraction of melody notes (not rests) whose pitch class is in the key's scale.
pub fn in_scale(ps: &[Piece]) -> Option<f64> {
    let (mut hit, mut n) = (0usize, 0usize);
    for p in ps {
        for (r, _, _) in p.notes() {
            n += 1;
            hit += (scale(p.minor) >> pc(r) & 1) as usize;
        }
    }
    (n > 0).then(|| hit as f64 / n as f64)
}

/// Pooled fraction of melody notes starting on a pulse (quarter in simple, dotted quarter in
/// compound meters; half in 2/2) that are tones of the chord sounding at that moment.
pub fn strong_chord_tones(ps: &[Piece]) -> Option<f64> {
    let (mut hit, mut n) = (0usize, 0usize);
    for p in ps {
        let step = (p.bar16 / p.pulses.max(1)).max(1);
        for (r, s, _) in p.notes() {
            if (s % p.bar16) % step != 0 {
                continue;
            }
            let Some(c) = p.chord_at(s) else { continue };
            n += 1;
            hit += (Piece::chord_mask(c.token) >> pc(r) & 1) as usize;
        }
    }
    (n > 0).then(|| hit as f64 / n as f64)
}

/// Fraction of pieces whose Krumhansl–Schmuckler key (engine::keydetect over the melody and the
/// chord tones, weighted by duration) equals the requested tonic and major/minor.
pub fn key_agreement(ps: &[Piece]) -> Option<f64> {
    let (mut hit, mut n) = (0usize, 0usize);
    for p in ps {
        let mut notes: Vec<(u8, u32)> = p
            .notes()
            .map(|(r, _, d)| ((60 + p.tonic as i32 + r).clamp(0, 127) as u8, d))
            .collect();
        for c in &p.chords {
            let m = Piece::chord_mask(c.token);
            for i in 0..12 {
                if m >> i & 1 == 1 {
                    notes.push((48 + p.tonic + i as u8, c.dur));
                }
            }
        }
        let Some(est) = keydetect::detect(notes) else {
            continue;
        };
        n += 1;
        hit += (est.key.tonic.index() == p.tonic && est.key.mode.is_minor() == p.minor) as usize;
    }
    (n > 0).then(|| hit as f64 / n as f64)
}

/// Mean over pieces of the Shannon entropy (bits) of the duration-weighted melody pitch-class histogram.
pub fn pc_entropy(ps: &[Piece]) -> Option<f64> {
    let vals: Vec<f64> = ps
        .iter()
        .filter_map(|p| {
            let mut h = [0f64; 12];
            for (r, _, d) in p.notes() {
                h[pc(r) as usize] += d as f64;
            }
            let t: f64 = h.iter().sum();
            (t > 0.0).then(|| {
                -h.iter()
                    .filter(|&&x| x > 0.0)
                    .map(|&x| (x / t) * (x / t).log2())
                    .sum::<f64>()
            })
        })
        .collect();
    mean(&vals)
}

pub fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Mean distinct chord symbols per piece.
pub fn chords_distinct_per_piece(ps: &[Piece]) -> Option<f64> {
    let v: Vec<f64> = ps
        .iter()
        .filter(|p| !p.chords.is_empty())
        .map(|p| {
            p.chords
                .iter()
                .map(|c| c.token)
                .collect::<HashSet<_>>()
                .len() as f64
        })
        .collect();
    mean(&v)
}

/// Mean chord changes per bar.
pub fn chords_per_bar(ps: &[Piece]) -> Option<f64> {
    let v: Vec<f64> = ps
        .iter()
        .filter(|p| !p.chords.is_empty() && p.bars > 0)
        .map(|p| {
            let changes = 1 + p
                .chords
                .windows(2)
                .filter(|w| w[0].token != w[1].token)
                .count();
            changes as f64 / p.bars as f64
        })
        .collect();
    mean(&v)
}

/// Chord sequence with repeated chords merged.
fn chord_seq(p: &Piece) -> Vec<usize> {
    let mut s: Vec<usize> = p.chords.iter().map(|c| c.token).collect();
    s.dedup();
    s
}

/// Distinct chord symbols and distinct-3-gram ratio over the pooled first `k` chord changes of
/// all pieces (k the same for every system, so the numbers compare).
pub fn pooled_chord_diversity(ps: &[Piece], k: usize) -> (usize, f64) {
    let mut vocab = HashSet::new();
    let (mut grams, mut total, mut seen) = (HashSet::new(), 0usize, 0usize);
    'outer: for p in ps {
        let s = chord_seq(p);
        for (i, &c) in s.iter().enumerate() {
            if seen >= k {
                break 'outer;
            }
            seen += 1;
            vocab.insert(c);
            if i >= 2 {
                grams.insert((s[i - 2], s[i - 1], c));
                total += 1;
            }
        }
    }
    (vocab.len(), grams.len() as f64 / total.max(1) as f64)
}

pub fn pooled_chord_count(ps: &[Piece]) -> usize {
    ps.iter().map(|p| chord_seq(p).len()).sum()
}

/// Distinct-4-gram ratio of melody intervals (pooled, first `k` intervals).
pub fn pooled_melody_diversity(ps: &[Piece], k: usize) -> f64 {
    let (mut grams, mut total, mut seen) = (HashSet::new(), 0usize, 0usize);
    'outer: for p in ps {
        let ivs: Vec<i32> = p
            .notes()
            .map(|n| n.0)
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect();
        for i in 0..ivs.len() {
            if seen >= k {
                break 'outer;
            }
            seen += 1;
            if i >= 3 {
                grams.insert((ivs[i - 3], ivs[i - 2], ivs[i - 1], ivs[i]));
                total += 1;
            }
        }
    }
    grams.len() as f64 / total.max(1) as f64
}

pub fn pooled_interval_count(ps: &[Piece]) -> usize {
    ps.iter().map(|p| p.notes().count().saturating_sub(1)).sum()
}

/// Across seeds: for every pair of pieces made with the same settings and different seeds, the
/// fraction of bar-level chord positions that differ (0 = identical progressions, 1 = all differ).
pub fn cross_seed_difference(ps: &[Piece]) -> Option<f64> {
    let mut groups: BTreeMap<usize, Vec<&Piece>> = BTreeMap::new();
    for p in ps {
        groups.entry(p.group).or_default().push(p);
    }
    let mut v = Vec::new();
    for g in groups.values() {
        for i in 0..g.len() {
            for j in i + 1..g.len() {
                let (a, b) = (g[i], g[j]);
                let n = a.bars * a.bar16;
                let step = (a.bar16 / a.pulses.max(1)).max(1);
                let (mut diff, mut tot) = (0, 0);
                let mut t = 0;
                while t < n {
                    tot += 1;
                    diff +=
                        (a.chord_at(t).map(|c| c.token) != b.chord_at(t).map(|c| c.token)) as usize;
                    t += step;
                }
                v.push(diff as f64 / tot.max(1) as f64);
            }
        }
    }
    mean(&v)
}

type BarSet = HashSet<(u32, i32)>;

fn melody_bars(p: &Piece) -> Vec<BarSet> {
    let mut bars = vec![BarSet::new(); p.bars as usize];
    for (r, s, _) in p.notes() {
        if let Some(b) = bars.get_mut((s / p.bar16) as usize) {
            b.insert((s % p.bar16, r));
        }
    }
    bars
}

fn jaccard<T: std::hash::Hash + Eq>(a: &HashSet<T>, b: &HashSet<T>) -> Option<f64> {
    let u = a.union(b).count();
    (u > 0).then(|| a.intersection(b).count() as f64 / u as f64)
}

/// Melody self-similarity: mean Jaccard similarity of the (onset-in-bar, pitch) sets of every
/// pair of bars of a piece, averaged over pieces (0 = no bar shares anything, 1 = every bar equal).
pub fn melody_self_similarity(ps: &[Piece]) -> Option<f64> {
    let v: Vec<f64> = ps
        .iter()
        .filter_map(|p| {
            let b = melody_bars(p);
            let mut s = Vec::new();
            for i in 0..b.len() {
                for j in i + 1..b.len() {
                    if let Some(x) = jaccard(&b[i], &b[j]) {
                        s.push(x);
                    }
                }
            }
            mean(&s)
        })
        .collect();
    mean(&v)
}

/// Fraction of bars (after the first) whose melody exactly repeats an earlier bar of the piece.
pub fn melody_bar_repeats(ps: &[Piece]) -> Option<f64> {
    let (mut hit, mut n) = (0usize, 0usize);
    for p in ps {
        let b = melody_bars(p);
        for i in 1..b.len() {
            if b[i].is_empty() {
                continue;
            }
            n += 1;
            hit += b[..i].iter().any(|x| *x == b[i]) as usize;
        }
    }
    (n > 0).then(|| hit as f64 / n as f64)
}

/// Fraction of bars (after the first) whose chord content (chord, onset in bar) repeats an earlier bar.
pub fn chord_bar_repeats(ps: &[Piece]) -> Option<f64> {
    let (mut hit, mut n) = (0usize, 0usize);
    for p in ps {
        let mut bars: Vec<Vec<(u32, usize)>> = vec![Vec::new(); p.bars as usize];
        for c in &p.chords {
            if let Some(b) = bars.get_mut((c.start / p.bar16) as usize) {
                b.push((c.start % p.bar16, c.token));
            }
            // a chord held over the barline counts at the start of the next bar too
            let mut t = (c.start / p.bar16 + 1) * p.bar16;
            while t < c.start + c.dur {
                if let Some(b) = bars.get_mut((t / p.bar16) as usize) {
                    b.push((0, c.token));
                }
                t += p.bar16;
            }
        }
        for i in 1..bars.len() {
            n += 1;
            hit += bars[..i].contains(&bars[i]) as usize;
        }
    }
    (n > 0).then(|| hit as f64 / n as f64)
}

/// Drum groove consistency: mean Jaccard similarity of each bar's (drum key, 16th) onset set with
/// the piece's most common bar pattern; fill bars lower it.
pub fn drum_consistency(ps: &[Piece]) -> Option<f64> {
    let v: Vec<f64> = ps
        .iter()
        .filter(|p| !p.drums.is_empty())
        .filter_map(|p| {
            let mut bars: Vec<HashSet<(u8, u32)>> = vec![HashSet::new(); p.bars as usize];
            for &(k, t) in &p.drums {
                if let Some(b) = bars.get_mut((t / p.bar16) as usize) {
                    b.insert((k, t % p.bar16));
                }
            }
            let mut counts: HashMap<Vec<(u8, u32)>, usize> = HashMap::new();
            for b in &bars {
                let mut k: Vec<_> = b.iter().copied().collect();
                k.sort();
                *counts.entry(k).or_default() += 1;
            }
            let common: HashSet<(u8, u32)> = counts
                .into_iter()
                .max_by_key(|(k, c)| (*c, k.len()))?
                .0
                .into_iter()
                .collect();
            mean(
                &bars
                    .iter()
                    .filter_map(|b| jaccard(b, &common))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    mean(&v)
}

/// Fraction of melody time that is rest.
pub fn rest_fraction(ps: &[Piece]) -> Option<f64> {
    let (mut rest, mut tot) = (0u64, 0u64);
    for p in ps {
        for m in &p.melody {
            tot += m.dur as u64;
            if m.rel.is_none() {
                rest += m.dur as u64;
            }
        }
    }
    (tot > 0).then(|| rest as f64 / tot as f64)
}

/// Mean melody notes per bar.
pub fn notes_per_bar(ps: &[Piece]) -> Option<f64> {
    let v: Vec<f64> = ps
        .iter()
        .filter(|p| !p.melody.is_empty())
        .map(|p| p.notes().count() as f64 / p.bars.max(1) as f64)
        .collect();
    mean(&v)
}

/// Mean absolute melodic interval in semitones (between consecutive sounding notes).
pub fn mean_abs_interval(ps: &[Piece]) -> Option<f64> {
    let mut v = Vec::new();
    for p in ps {
        let n: Vec<i32> = p.notes().map(|n| n.0).collect();
        v.extend(n.windows(2).map(|w| (w[1] - w[0]).abs() as f64));
    }
    mean(&v)
}

/// Jensen-Shannon divergence (bits) of two histograms; 1 when one of them is empty.
pub fn jsd(p: &[f64], q: &[f64]) -> f64 {
    let (sp, sq) = (p.iter().sum::<f64>(), q.iter().sum::<f64>());
    if sp <= 0.0 || sq <= 0.0 {
        return 1.0;
    }
    let mut d = 0.0;
    for (a, b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = 0.5 * (a + b);
        if a > 0.0 {
            d += 0.5 * a * (a / m).log2();
        }
        if b > 0.0 {
            d += 0.5 * b * (b / m).log2();
        }
    }
    d.max(0.0)
}
