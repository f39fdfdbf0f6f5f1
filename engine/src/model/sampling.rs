//! Masked temperature / top-p sampling over logits, driven by the engine's seeded [`Rng`].

use crate::rng::Rng;

/// Samples an index from `logits` among those where `allowed` is true.
/// `temperature <= 0.05` picks the best allowed token. Returns None when nothing is allowed.
pub fn sample(
    logits: &[f32],
    allowed: &[bool],
    temperature: f32,
    top_p: f32,
    rng: &mut Rng,
) -> Option<usize> {
    let mut cand: Vec<(usize, f32)> = logits
        .iter()
        .zip(allowed)
        .enumerate()
        .filter(|(_, (l, a))| **a && l.is_finite())
        .map(|(i, (l, _))| (i, *l))
        .collect();
    if cand.is_empty() {
        return None;
    }
    // Stable order: by logit, ties by index, so results do not depend on float sort quirks.
    cand.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if temperature <= 0.05 {
        return Some(cand[0].0);
    }
    let t = temperature.clamp(0.05, 5.0) as f64;
    let m = cand[0].1 as f64;
    let mut probs: Vec<f64> = cand
        .iter()
        .map(|(_, l)| ((*l as f64 - m) / t).exp())
        .collect();
    let z: f64 = probs.iter().sum();
    probs.iter_mut().for_each(|p| *p /= z);
    let top_p = (top_p as f64).clamp(0.0, 1.0);
    let mut keep = 0;
    let mut acc = 0.0;
    while keep < probs.len() {
        acc += probs[keep];
        keep += 1;
        if acc >= top_p {
            break;
        }
    }
    let total: f64 = probs[..keep].iter().sum();
    let mut x = rng.next_f64() * total;
    for (i, p) in probs[..keep].iter().enumerate() {
        if x < *p {
            return Some(cand[i].0);
        }
        x -= p;
    }
    Some(cand[keep - 1].0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_greedy() {
        let mut r = Rng::new(1);
        let l = [0.0, 5.0, 1.0, 3.0];
        assert_eq!(
            sample(&l, &[true, false, true, true], 0.0, 1.0, &mut r),
            Some(3)
        );
        assert_eq!(sample(&l, &[false; 4], 1.0, 1.0, &mut r), None);
        for _ in 0..50 {
            let s = sample(&l, &[true, false, true, true], 1.0, 0.5, &mut r);
            assert_eq!(s, Some(3), "top-p 0.5 keeps only the best");
            let s = sample(&l, &[true, false, true, true], 1.5, 1.0, &mut r).unwrap_or(1);
            assert_ne!(s, 1);
        }
    }
}
