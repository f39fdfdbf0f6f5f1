//! Keeping accompaniment under the melody: every chord or keys note that sounds while a melody
//! note sounds is pitched below it, so a held voicing never covers or doubles the tune.

use crate::clip::{Clip, Note, PartKind};
use midly::num::u7;

/// Parts voiced below the melody.
pub const UNDER_MELODY: [PartKind; 2] = [PartKind::Chords, PartKind::Keys];

/// Lowest MIDI key an accompaniment note is moved down to; a note that would have to go lower
/// is left out (the melody already carries that pitch class above it).
pub const FLOOR: u8 = 43;

/// Lowest melody pitch sounding at some point of `[start, end)`, if any.
fn ceiling(melody: &[Note], start: u32, end: u32) -> Option<u8> {
    melody
        .iter()
        .filter(|m| m.start < end && start < m.end())
        .map(|m| m.pitch.as_int())
        .min()
}

/// Moves each note of `notes` that sounds with a melody note at or above it down by octaves
/// until it is strictly below every melody note it overlaps; notes that would fall under
/// [`FLOOR`] are removed, and doublings this creates (same start and pitch) are merged.
/// Returns how many notes were moved or removed. `melody` must be sorted by start.
pub fn voice_below(notes: &mut Vec<Note>, melody: &[Note]) -> usize {
    if melody.is_empty() {
        return 0;
    }
    let mut changed = 0;
    let mut out: Vec<Note> = Vec::with_capacity(notes.len());
    for n in notes.iter() {
        let Some(top) = ceiling(melody, n.start, n.end()) else {
            out.push(*n);
            continue;
        };
        let mut p = i32::from(n.pitch.as_int());
        if p < i32::from(top) {
            out.push(*n);
            continue;
        }
        while p >= i32::from(top) {
            p -= 12;
        }
        changed += 1;
        if p >= i32::from(FLOOR) {
            out.push(Note {
                pitch: u7::new(p as u8),
                ..*n
            });
        }
    }
    out.sort_by_key(|n| (n.start, n.pitch.as_int(), std::cmp::Reverse(n.duration)));
    out.dedup_by(|b, a| a.start == b.start && a.pitch == b.pitch);
    *notes = out;
    changed
}

/// Applies [`voice_below`] to the parts of `clip` in `kinds` that are among [`UNDER_MELODY`],
/// against the clip's melody part. Returns how many notes were moved or removed.
pub fn apply(clip: &mut Clip, kinds: &[PartKind]) -> usize {
    let Some(melody) = clip.part(PartKind::Melody).map(|p| {
        let mut m = p.notes.clone();
        m.sort_by_key(|n| n.start);
        m
    }) else {
        return 0;
    };
    let length = clip.length_ticks();
    let mut changed = 0;
    for part in clip
        .parts
        .iter_mut()
        .filter(|p| UNDER_MELODY.contains(&p.kind) && kinds.contains(&p.kind))
    {
        changed += voice_below(&mut part.notes, &melody);
        // A moved note may now overlap a note of the same pitch: cut the earlier one.
        part.normalize(length);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(start: u32, dur: u32, pitch: i32) -> Note {
        Note::new(start, dur, pitch, 80)
    }

    #[test]
    fn held_voicing_moves_under_the_melody() {
        let melody = vec![n(0, 480, 74), n(480, 480, 67)];
        // C major 7 voiced up to D5-ish: 64 67 71 76.
        let mut chord = vec![n(0, 960, 64), n(0, 960, 67), n(0, 960, 71), n(0, 960, 76)];
        let changed = voice_below(&mut chord, &melody);
        assert!(changed >= 2);
        for c in &chord {
            assert!(c.pitch.as_int() < 67, "{c:?} not under 67");
            assert!(c.pitch.as_int() >= FLOOR);
        }
        // Pitch classes survive: E, G, B and E again (merged with nothing here).
        let pcs: Vec<u8> = chord.iter().map(|c| c.pitch.as_int() % 12).collect();
        for pc in [4, 7, 11] {
            assert!(pcs.contains(&pc), "{pcs:?}");
        }
    }

    #[test]
    fn notes_without_melody_above_stay() {
        let melody = vec![n(960, 480, 60)];
        let mut keys = vec![n(0, 480, 72), n(1440, 240, 79)];
        let before = keys.clone();
        assert_eq!(voice_below(&mut keys, &melody), 0);
        assert_eq!(keys, before);
    }

    #[test]
    fn too_low_is_left_out_and_doublings_merge() {
        let melody = vec![n(0, 480, 46)];
        let mut keys = vec![n(0, 480, 45), n(0, 480, 50), n(0, 480, 57)];
        voice_below(&mut keys, &melody);
        // 45 stays, 57 -> 45 merges with it, 50 -> 38 is below the floor.
        assert_eq!(keys, vec![n(0, 480, 45)]);
    }
}
