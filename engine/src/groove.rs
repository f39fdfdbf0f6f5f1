//! Shared timing transforms any part can use: swing, seeded humanization, and real drummers'
//! feel learned from data ([`learned`]).

pub mod learned;

use crate::clip::{Note, TICKS_PER_QUARTER};
use crate::rng::Rng;
use crate::theory::Meter;

/// Delays off-beat eighths (sixteenths in compound meters are left alone): at `amount` 1 an
/// off-beat eighth lands on the last triplet eighth. Durations shrink so notes keep their ends.
pub fn swing(notes: &mut [Note], meter: Meter, amount: f32) {
    let amount = amount.clamp(0.0, 1.0);
    if amount <= 0.0 || meter.is_compound() {
        return;
    }
    let eighth = TICKS_PER_QUARTER / 2;
    // Triplet off-beat sits at 2/3 of a quarter: 80 ticks later than a straight eighth.
    let shift = (amount * (TICKS_PER_QUARTER as f32 * 2.0 / 3.0 - eighth as f32)).round() as u32;
    for n in notes.iter_mut() {
        if n.start % TICKS_PER_QUARTER == eighth {
            let end = n.end();
            n.start += shift;
            n.duration = end.saturating_sub(n.start).max(1);
        }
    }
}

/// Seeded timing (up to ±12 ticks) and velocity (up to ±14) variation scaled by `amount` 0..=1.
/// Notes on tick 0 stay on tick 0 so clips loop cleanly.
pub fn humanize(notes: &mut [Note], amount: f32, rng: &mut Rng) {
    let amount = amount.clamp(0.0, 1.0);
    if amount <= 0.0 {
        return;
    }
    let max_t = (12.0 * amount).round() as i32;
    let max_v = (14.0 * amount).round() as i32;
    for n in notes.iter_mut() {
        let dt = rng.range_i32(-max_t, max_t);
        let dv = rng.range_i32(-max_v, max_v);
        if n.start > 0 {
            let end = n.end() as i64;
            let start = (n.start as i64 + dt as i64).max(1);
            n.start = start as u32;
            n.duration = (end - start).max(1) as u32;
        }
        *n = Note::new(
            n.start,
            n.duration,
            n.pitch.as_int() as i32,
            n.velocity.as_int() as i32 + dv,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swing_moves_offbeats_only() {
        let mut notes: Vec<Note> = (0..4).map(|i| Note::new(i * 240, 240, 60, 90)).collect();
        swing(&mut notes, Meter::COMMON, 1.0);
        assert_eq!(notes[0].start, 0);
        assert_eq!(notes[1].start, 320);
        assert_eq!(notes[1].end(), 480);
        assert_eq!(notes[2].start, 480);
    }

    #[test]
    fn humanize_is_seeded_and_bounded() {
        let base: Vec<Note> = (0..16).map(|i| Note::new(i * 120, 120, 60, 90)).collect();
        let mut a = base.clone();
        let mut b = base.clone();
        humanize(&mut a, 1.0, &mut Rng::new(5));
        humanize(&mut b, 1.0, &mut Rng::new(5));
        assert_eq!(a, b);
        assert_ne!(a, base);
        for (x, y) in a.iter().zip(&base) {
            assert!((x.start as i64 - y.start as i64).abs() <= 12);
            assert!((x.velocity.as_int() as i32 - y.velocity.as_int() as i32).abs() <= 14);
        }
        assert_eq!(a[0].start, 0);
    }
}
