//! Next-event priors blended into a model's output distribution (e.g. a personal style's n-gram
//! statistics over the same tokens): `p = (1 - a) * p_model + a * p_prior`, sampled as logits.

/// A distribution over a model's own tokens to blend with the model's. Called on the generating
/// thread; must be deterministic (same history, same probabilities).
pub trait EventPrior {
    /// Blend weight 0..=1 of the prior; 0 leaves the model's output untouched.
    fn amount(&self) -> f64;
    /// Writes next-token probabilities (summing to 1 over `out`) after `history`, the tokens so
    /// far, oldest first.
    fn tokens(&self, history: &[usize], out: &mut [f64]);
    /// Writes duration-index probabilities (index d = d + 1 grid steps) for an event starting
    /// `pos16` grid steps into a bar of `bar16` steps.
    fn durations(&self, pos16: u32, bar16: u32, out: &mut [f64]);
}

/// The prior when it changes anything (amount > 0), else None.
pub(crate) fn active(prior: Option<&dyn EventPrior>) -> Option<&dyn EventPrior> {
    prior.filter(|p| p.amount() > 0.0)
}

/// Softmax of `logits` (non-finite entries get probability 0), in f64.
pub fn softmax(logits: &[f32]) -> Vec<f64> {
    let m = logits
        .iter()
        .filter(|l| l.is_finite())
        .fold(f64::NEG_INFINITY, |m, &l| m.max(l as f64));
    let mut p: Vec<f64> = logits
        .iter()
        .map(|&l| {
            if l.is_finite() {
                (l as f64 - m).exp()
            } else {
                0.0
            }
        })
        .collect();
    let z: f64 = p.iter().sum();
    if z > 0.0 {
        p.iter_mut().for_each(|x| *x /= z);
    }
    p
}

/// The blended distribution as logits (log-probabilities; -inf where both give 0).
pub fn blend(logits: &[f32], prior: &[f64], amount: f64) -> Vec<f32> {
    mix(logits, prior, amount)
        .into_iter()
        .map(|p| {
            if p > 0.0 {
                p.ln() as f32
            } else {
                f32::NEG_INFINITY
            }
        })
        .collect()
}

/// The blended distribution as probabilities.
pub fn mix(logits: &[f32], prior: &[f64], amount: f64) -> Vec<f64> {
    let a = amount.clamp(0.0, 1.0);
    let mut p = softmax(logits);
    for (i, x) in p.iter_mut().enumerate() {
        let q = prior
            .get(i)
            .copied()
            .filter(|q| q.is_finite())
            .unwrap_or(0.0);
        *x = (1.0 - a) * *x + a * q.max(0.0);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blend_interpolates_probabilities() {
        let l = [0.0f32, 0.0, f32::NEG_INFINITY];
        let p = mix(&l, &[0.0, 0.0, 1.0], 0.5);
        assert!((p[0] - 0.25).abs() < 1e-12 && (p[2] - 0.5).abs() < 1e-12);
        let b = blend(&l, &[1.0, 0.0, 0.0], 1.0);
        assert_eq!(b[0], 0.0);
        assert_eq!(b[1], f32::NEG_INFINITY);
        let s = softmax(&[1.0, 2.0, 3.0]);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(s[2] > s[1] && s[1] > s[0]);
    }
}
