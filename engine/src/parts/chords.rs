//! The chord part: the chord track voiced with voice leading and held for each chord's length.

use super::{PartContext, PartError};
use crate::clip::Note;
use crate::voicing::{voice_lead, Spread, VoicingRange};

/// Sustained, voice-led chords; `ctx.style` names the spread ("close", "open", "drop2").
pub fn generate(ctx: &PartContext) -> Result<Vec<Note>, PartError> {
    if ctx.chords.is_empty() {
        return Err(PartError::NoChords);
    }
    let spread = Spread::parse(ctx.style).ok_or_else(|| PartError::UnknownStyle {
        part: "chords",
        style: ctx.style.to_string(),
        known: "close, open, drop2".into(),
    })?;
    let shift = ctx.octave as i32 * 12;
    let low = (52 + shift).clamp(0, 115) as u8;
    let high = (low as i32 + if spread == Spread::Close { 24 } else { 32 }).clamp(0, 127) as u8;
    let range = VoicingRange {
        low,
        high,
        voices: if ctx.complexity > 0.5 { 5 } else { 4 },
        spread,
    };
    let chords: Vec<_> = ctx.chords.iter().map(|c| c.chord).collect();
    let voicings = voice_lead(&chords, range);
    let mut notes = Vec::new();
    for (ev, voicing) in ctx.chords.iter().zip(&voicings) {
        for (i, &p) in voicing.iter().enumerate() {
            // Slightly softer inner voices.
            let vel = if i == 0 || i + 1 == voicing.len() {
                84
            } else {
                76
            };
            notes.push(Note::new(ev.start, ev.duration, p as i32, vel));
        }
    }
    Ok(notes)
}
