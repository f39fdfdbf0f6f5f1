//! Part generators that follow a chord track: chords, bass, keys, melody (rules), drums.

use crate::clip::{ChordEvent, TICKS_PER_QUARTER};
use crate::theory::{Key, Meter};

/// Defines, for a module's `STYLES` table (rows with a `name` field): `STYLE_NAMES`, `styles()` (the
/// names in display order) and, given the row type, `style(name)` — a case-insensitive lookup that
/// fails with [`PartError::UnknownStyle`] listing the known names.
macro_rules! style_table {
    ($part:literal) => {
        const STYLE_NAMES: [&str; STYLES.len()] = {
            let mut out = [""; STYLES.len()];
            let mut i = 0;
            while i < STYLES.len() {
                out[i] = STYLES[i].name;
                i += 1;
            }
            out
        };

        #[doc = concat!("Names of the ", $part, " styles, in display order.")]
        pub fn styles() -> &'static [&'static str] {
            &STYLE_NAMES
        }
    };
    ($part:literal, $row:ty) => {
        $crate::parts::style_table!($part);

        /// The style named `name` (case-insensitive), or [`PartError::UnknownStyle`].
        pub fn style(name: &str) -> Result<&'static $row, PartError> {
            let n = name.trim().to_ascii_lowercase();
            STYLES
                .iter()
                .find(|s| s.name == n)
                .ok_or_else(|| PartError::UnknownStyle {
                    part: $part,
                    style: name.to_string(),
                    known: STYLE_NAMES.join(", "),
                })
        }
    };
}
pub(crate) use style_table;

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

/// A chord track of one chord per bar from symbols, for tests.
#[cfg(test)]
pub(crate) fn test_track(names: &[&str], meter: Meter) -> Vec<ChordEvent> {
    let bar = meter.bar_ticks(TICKS_PER_QUARTER);
    names
        .iter()
        .enumerate()
        .map(|(i, n)| ChordEvent {
            start: i as u32 * bar,
            duration: bar,
            chord: n.parse::<crate::chord::Chord>().expect("chord"),
            roman: None,
        })
        .collect()
}
