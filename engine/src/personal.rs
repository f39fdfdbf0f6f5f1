//! Personal styles: a profile learned from a folder of the musician's own MIDI files (keys,
//! chords, lead line, bass line, drum grooves, tempo and meter, counted as short n-grams and
//! step statistics), stored in the user's data folder and used by every part: the chord and
//! melody models blend its n-grams into their next-event distributions at a "like my music"
//! amount, and the bass and drum parts can play its patterns (style name [`STYLE`]).
//! Everything runs locally; learning runs on the caller's thread (a worker, never audio or GUI).

pub mod adapt;
pub mod analyze;
pub mod conductor;
pub mod learn;
pub mod ngram;
pub mod parts;
pub mod profile;
pub mod store;
pub mod summary;

pub use adapt::PersonalStyle;
pub use learn::{learn, Learned, Skipped};
pub use profile::StyleProfile;

/// The bass and drum style name that plays the personal style's patterns.
pub const STYLE: &str = "personal";

/// Errors of learning, storing and loading personal styles; each names what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalError {
    #[error("{path} is not a folder")]
    NotAFolder { path: String },
    #[error("nothing could be learned from {dir}: {files} MIDI files, none usable")]
    NothingLearned { dir: String, files: usize },
    #[error("learning was cancelled")]
    Cancelled,
    #[error("{name:?} is not a usable style name (1-64 letters, digits, spaces, '-', '_', '.')")]
    BadName { name: String },
    #[error(
        "no personal style {name:?} in {dir} (learn one with `bandmate learn DIR --name {name}`)"
    )]
    NotFound { name: String, dir: String },
    #[error("no data folder to keep styles in (set XDG_DATA_HOME or HOME)")]
    NoDataDir,
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("the style profile is damaged: {reason}; learn it again")]
    Damaged { reason: String },
    #[error("this is not a style profile (format {found:?})")]
    NotAProfile { found: String },
    #[error("the style profile is version {found}, newer than this Bandmate reads ({supported}); update Bandmate or learn it again")]
    FutureVersion { found: u64, supported: u32 },
    #[error("style {name:?} was learned for other model tokens; learn it again")]
    OtherVocabulary { name: String },
    #[error("model vocabulary: {0}")]
    Vocab(String),
    #[error("{path}: {inner}")]
    InFile {
        path: String,
        inner: Box<PersonalError>,
    },
}

impl PersonalError {
    /// The error with the file it came from.
    pub fn in_file(self, path: &std::path::Path) -> PersonalError {
        PersonalError::InFile {
            path: path.display().to_string(),
            inner: Box::new(self),
        }
    }
}

/// A personal style applied to an arrangement at a "like my music" amount 0..=1 (0 = the base
/// models exactly).
#[derive(Debug, Clone, Copy)]
pub struct Personal<'a> {
    pub style: &'a PersonalStyle,
    pub like: f32,
}

impl Personal<'_> {
    /// Whether it changes anything (`like` > 0).
    pub fn active(&self) -> bool {
        self.like.is_finite() && self.like > 0.0
    }

    /// The amount, clamped to 0..=1 (NaN counts as 0).
    pub fn amount(&self) -> f32 {
        if self.like.is_finite() {
            self.like.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// `NAME@HASH12`, as written in provenance.
    pub fn label(&self) -> String {
        format!("{}@{}", self.style.name(), self.style.short_hash())
    }

    /// ` personal=NAME@HASH12 like=0.80`: what the provenance parameters get appended.
    pub fn provenance(&self) -> String {
        format!(" personal={} like={:.2}", self.label(), self.amount())
    }
}

#[cfg(test)]
mod tests;
