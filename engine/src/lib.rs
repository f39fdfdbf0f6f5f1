//! Bandmate's music engine: theory, chords, voicing, progressions, parts, drums, models, clips and
//! MIDI I/O. Pure Rust with no plugin types; every generator is deterministic for a given seed.

pub mod arrange;
pub mod chord;
pub mod clip;
pub mod drums;
pub mod form;
pub mod groove;
pub mod import;
pub mod input;
pub mod keydetect;
pub mod live;
pub mod model;
pub mod originality;
pub mod parts;
pub mod personal;
pub mod playback;
pub mod progression;
pub mod prompt;
pub mod recognize;
pub mod rng;
pub mod scale;
pub mod session;
pub mod smf;
pub mod song;
pub mod style;
pub mod theory;
pub mod voicing;

/// The model vocabulary, also reachable at its old path.
pub use model::tokens;

pub use arrange::{generate, Arrangement, Settings, Source};
pub use clip::{Clip, Note, Part, PartKind, TICKS_PER_QUARTER};
pub use theory::{Key, Meter, Mode, PitchClass};
