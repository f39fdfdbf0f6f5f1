//! Notes heard on a MIDI input: note-on/off events paired into timed notes, a capped history,
//! the key of what was heard, and the history as a prime for the melody model.
//! Pure data; the plugin's worker thread owns the pairing and the history.

use crate::clip::{Note, TICKS_PER_QUARTER};
use crate::keydetect;
use crate::theory::Key;
use serde::{Deserialize, Serialize};

/// Notes kept in the history.
pub const HISTORY_LEN: usize = 256;
/// Notes of the history used as the prime for "continue my idea".
pub const PRIME_NOTES: usize = 32;
/// Notes held at once that wait for their note-off; more note-ons are ignored until some end.
pub const MAX_OPEN: usize = 512;
/// Confidence (0..1) from which a detected key is followed.
pub const FOLLOW_CONFIDENCE: f32 = 0.5;

/// A note-on or note-off heard on the input. `quarters` is the song position (or a free-running
/// clock) at the event, in quarter notes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputEvent {
    pub on: bool,
    pub channel: u8,
    pub key: u8,
    pub velocity: u8,
    pub quarters: f64,
}

/// A heard note, timed in quarter notes of the song (or the free-running clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeardNote {
    pub start: f64,
    pub duration: f64,
    pub channel: u8,
    pub key: u8,
    pub velocity: u8,
}

/// Pairs note-ons with their note-offs. A note-on on a key that is still held ends the held
/// note there (a retrigger).
#[derive(Debug, Clone, Default)]
pub struct Pairer {
    /// (channel, key, start, velocity) of held notes.
    open: Vec<(u8, u8, f64, u8)>,
}

impl Pairer {
    /// Takes one event; returns the note it finished, if any.
    pub fn push(&mut self, e: InputEvent) -> Option<HeardNote> {
        let finished = self
            .open
            .iter()
            .position(|o| o.0 == e.channel && o.1 == e.key)
            .map(|i| {
                let (channel, key, start, velocity) = self.open.swap_remove(i);
                HeardNote {
                    start,
                    duration: (e.quarters - start).max(0.0),
                    channel,
                    key,
                    velocity,
                }
            });
        if e.on && self.open.len() < MAX_OPEN {
            self.open.push((e.channel, e.key, e.quarters, e.velocity));
        }
        finished
    }

    /// Notes waiting for their note-off.
    pub fn held(&self) -> usize {
        self.open.len()
    }
}

/// Appends `notes` to `history` and keeps the newest [`HISTORY_LEN`].
pub fn remember(history: &mut Vec<HeardNote>, notes: impl IntoIterator<Item = HeardNote>) {
    history.extend(notes);
    let excess = history.len().saturating_sub(HISTORY_LEN);
    history.drain(..excess);
}

/// The key of the heard notes and a confidence 0..1, from [`keydetect::detect`] (notes weighted
/// by duration in ticks); `None` when nothing has been heard.
pub fn detect_key(history: &[HeardNote]) -> Option<(Key, f32)> {
    let tpq = f64::from(TICKS_PER_QUARTER);
    let notes = history.iter().map(|n| {
        (
            n.key,
            (n.duration * tpq).round().clamp(1.0, f64::from(u32::MAX)) as u32,
        )
    });
    keydetect::detect(notes).map(|k| (k.key, k.confidence))
}

/// The detected key when it is confident enough to follow ([`FOLLOW_CONFIDENCE`]).
pub fn key_to_follow(detected: Option<(Key, f32)>) -> Option<Key> {
    detected
        .filter(|(_, c)| *c >= FOLLOW_CONFIDENCE)
        .map(|(k, _)| k)
}

/// The last `max` heard notes as engine notes for a melody prime: ticks at
/// [`TICKS_PER_QUARTER`] from the start of the quarter note holding the first of them.
pub fn prime_notes(history: &[HeardNote], max: usize) -> Vec<Note> {
    let notes = &history[history.len().saturating_sub(max)..];
    let origin = notes
        .iter()
        .map(|n| n.start)
        .fold(f64::INFINITY, f64::min)
        .floor();
    let tpq = f64::from(TICKS_PER_QUARTER);
    let mut out: Vec<Note> = notes
        .iter()
        .map(|n| {
            let start = ((n.start - origin) * tpq).round().max(0.0) as u32;
            let duration = (n.duration * tpq).round().max(1.0) as u32;
            Note::new(start, duration, i32::from(n.key), i32::from(n.velocity))
        })
        .collect();
    out.sort_by_key(|n| (n.start, n.pitch));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::{Mode, PitchClass};

    fn heard(start: f64, key: u8) -> HeardNote {
        HeardNote {
            start,
            duration: 0.5,
            channel: 0,
            key,
            velocity: 90,
        }
    }

    fn ev(on: bool, key: u8, quarters: f64) -> InputEvent {
        InputEvent {
            on,
            channel: 0,
            key,
            velocity: 100,
            quarters,
        }
    }

    #[test]
    fn ons_and_offs_pair_into_notes_and_retriggers_end_the_held_note() {
        let mut p = Pairer::default();
        assert_eq!(p.push(ev(true, 60, 1.0)), None);
        assert_eq!(p.push(ev(true, 64, 1.5)), None);
        let n = p.push(ev(false, 60, 2.0)).expect("C finished");
        assert_eq!(
            (n.key, n.start, n.duration, n.velocity),
            (60, 1.0, 1.0, 100)
        );
        let again = p.push(ev(true, 64, 3.0)).expect("retrigger ends E");
        assert_eq!((again.start, again.duration), (1.5, 1.5));
        assert_eq!(p.held(), 1);
        assert_eq!(p.push(ev(false, 67, 4.0)), None, "an off without an on");
    }

    #[test]
    fn the_history_keeps_the_newest_notes() {
        let mut h = Vec::new();
        remember(&mut h, (0..300).map(|i| heard(f64::from(i), 60)));
        assert_eq!(h.len(), HISTORY_LEN);
        assert_eq!(h[0].start, 44.0);
    }

    #[test]
    fn key_detection_and_prime_from_the_history() {
        // A G major scale, twice, with G emphasized.
        let mut h = Vec::new();
        for (i, k) in [67u8, 69, 71, 72, 74, 76, 78, 79, 67, 71, 74, 67]
            .iter()
            .enumerate()
        {
            h.push(heard(10.25 + i as f64 * 0.5, *k));
        }
        let (key, confidence) = detect_key(&h).expect("a key");
        assert_eq!(key.tonic, PitchClass::new(7));
        assert_eq!(key.mode, Mode::Major);
        assert!((0.0..=1.0).contains(&confidence));
        assert_eq!(detect_key(&[]), None);
        assert_eq!(key_to_follow(Some((key, FOLLOW_CONFIDENCE))), Some(key));
        assert_eq!(key_to_follow(Some((key, FOLLOW_CONFIDENCE - 0.01))), None);
        let prime = prime_notes(&h, 4);
        assert_eq!(prime.len(), 4);
        // The last 4 notes start at 14.25, 14.75, 15.25, 15.75 quarters: ticks from quarter 14.
        let starts: Vec<u32> = prime.iter().map(|n| n.start).collect();
        assert_eq!(starts, vec![120, 360, 600, 840]);
        assert!(prime.iter().all(|n| n.duration == 240));
    }
}
