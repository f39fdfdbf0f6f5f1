//! Building blocks of a song: a repeat's varied melody, section cadences, fixed progressions
//! from Roman numerals, and appending a section's clip to the song.

use super::FormError;
use crate::arrange::{self, Notice, Settings};
use crate::chord::RomanChord;
use crate::clip::{ChordEvent, Clip, Note, PartKind};
use crate::personal::Personal;
use crate::rng::Rng;

/// The melody of a repeat: the first occurrence's melody up to the last quarter of the section
/// (at least one bar), then a new phrase over those bars' chords from another seed. Adds the
/// melody part to `clip`.
pub(super) fn vary_melody(
    s: &Settings,
    clip: &mut Clip,
    original: &crate::clip::Part,
    occurrence: u64,
    personal: Option<Personal<'_>>,
    notices: &mut Vec<Notice>,
) -> Result<(), FormError> {
    let bar = clip.bar_ticks();
    let tail_bars = (s.bars / 4).max(1);
    let cut = bar * (s.bars - tail_bars);
    let mut tail = clip.clone();
    tail.bars = tail_bars;
    tail.chords = clip
        .chords
        .iter()
        .filter(|c| c.end() > cut)
        .map(|c| {
            let start = c.start.max(cut);
            ChordEvent {
                start: start - cut,
                duration: c.end() - start,
                ..*c
            }
        })
        .collect();
    tail.parts.clear();
    let mut ts = s.clone();
    ts.bars = tail_bars;
    let seed = Rng::derive(s.seed, &format!("repeat:{occurrence}")).next_u64();
    let phrase = arrange::regenerate_with(&ts, &tail, PartKind::Melody, seed, personal)?;
    notices.extend(phrase.notices.iter().cloned());
    let mut part = original.clone();
    part.notes = original
        .notes
        .iter()
        .filter(|n| n.start < cut)
        .map(|n| {
            let mut n = *n;
            n.duration = n.duration.min(cut - n.start);
            n
        })
        .collect();
    if let Some(p) = phrase.clip.part(PartKind::Melody) {
        part.notes.extend(p.notes.iter().map(|n| Note {
            start: n.start + cut,
            ..*n
        }));
    }
    clip.set_part(part);
    arrange::clearance::apply(clip, &arrange::clearance::UNDER_MELODY);
    clip.provenance.engine = format!(
        "{} melody=repeat(head+phrase seed{seed})",
        clip.provenance.engine
    );
    Ok(())
}

/// Ends a section: with at least two chords, the last becomes the tonic (last section) or the
/// dominant (a turnaround into the next section).
pub(super) fn cadence(s: &Settings, chords: &mut [ChordEvent], last: bool) {
    if chords.len() < 2 {
        return;
    }
    let degree = if last { 0 } else { 4 };
    let roman = RomanChord::diatonic(s.key, degree, !last && s.complexity >= 0.5);
    let chord = roman.to_chord(s.key);
    if let Some(end) = chords.last_mut() {
        if end.chord.root != chord.root {
            *end = ChordEvent {
                start: end.start,
                duration: end.duration,
                chord,
                roman: Some(roman),
            };
        }
    }
}

/// A chord track from one Roman numeral per bar.
pub(super) fn fixed_progression(
    s: &Settings,
    section: &str,
    numerals: &str,
) -> Result<Vec<ChordEvent>, FormError> {
    let bar = s.meter.bar_ticks(crate::clip::TICKS_PER_QUARTER);
    let romans: Vec<RomanChord> = numerals
        .split_whitespace()
        .map(|n| {
            n.parse::<RomanChord>().map_err(|e| FormError::Progression {
                section: section.to_string(),
                reason: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    if romans.is_empty() {
        return Err(FormError::Progression {
            section: section.to_string(),
            reason: "no numerals".into(),
        });
    }
    Ok((0..s.bars)
        .map(|b| {
            let r = romans[b as usize % romans.len()];
            ChordEvent {
                start: b * bar,
                duration: bar,
                chord: r.to_chord(s.key),
                roman: Some(r),
            }
        })
        .collect())
}

/// Appends `section` to `song` at `offset` ticks (parts merged by kind).
pub(super) fn append(song: &mut Clip, section: &Clip, offset: u32) {
    song.chords
        .extend(section.chords.iter().map(|c| ChordEvent {
            start: c.start + offset,
            ..*c
        }));
    for part in &section.parts {
        let shifted = part.notes.iter().map(|n| {
            let mut n = *n;
            n.start += offset;
            n
        });
        match song.parts.iter_mut().find(|p| p.kind == part.kind) {
            Some(p) => p.notes.extend(shifted),
            None => {
                let mut p = part.clone();
                p.notes = shifted.collect();
                song.parts.push(p);
                song.parts.sort_by_key(|p| p.kind);
            }
        }
    }
}
