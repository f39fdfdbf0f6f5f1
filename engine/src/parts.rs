//! Part generators that follow a chord track: chords, bass, keys, melody (rules), drums.

use crate::clip::{ChordEvent, TICKS_PER_QUARTER};
use crate::theory::{Key, Meter};

pub mod bass;
pub mod chords;
pub mod keys;
pub mod melody;

/// Errors from part generators.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartError {
    #[error("unknown {part} style {style:?}; known: {known}")]
    UnknownStyle {
        part: &'static str,
        style: String,
        known: String,
    },
    #[error("the chord track is empty")]
    NoChords,
}

/// What every part generator reads. Times are ticks at [`TICKS_PER_QUARTER`].
#[derive(Debug, Clone, Copy)]
pub struct PartContext<'a> {
    pub key: Key,
    pub meter: Meter,
    pub bars: u32,
    pub chords: &'a [ChordEvent],
    /// Style name for this part (each generator has its own table of styles).
    pub style: &'a str,
    /// 0 = sparse … 1 = busy.
    pub density: f32,
    /// 0 = plain … 1 = rich (extensions, passing notes).
    pub complexity: f32,
    /// Octave shift applied by the generator to its default register.
    pub octave: i8,
    pub seed: u64,
}

impl PartContext<'_> {
    pub fn bar_ticks(&self) -> u32 {
        self.meter.bar_ticks(TICKS_PER_QUARTER)
    }

    pub fn length(&self) -> u32 {
        self.bar_ticks() * self.bars
    }
}
