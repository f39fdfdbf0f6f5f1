//! What the user should know about a finished arrangement: typed, so each front end can group
//! and word them (`Display` gives the English line).

use crate::clip::PartKind;
use crate::model::ModelError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing that did not go as the settings asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Notice {
    /// The model for `part` (chords or melody) could not run; the rules made the part.
    ModelUnavailable { part: PartKind, reason: String },
    /// The model for `part` ran but its output could not be used; the rules made the part.
    ModelOutputUnusable { part: PartKind },
    /// The drum model could not play the part; the named pattern did.
    DrumPattern { pattern: String, reason: String },
    /// The clip's length or time signature changed, so locked parts were made again.
    LocksRemade,
    /// A song keeps its chords by section: the chord part's lock was not applied.
    SongChordLock,
    /// Every melody sampled shared more than `limit` events with one training song; the
    /// least-copied one (`run` events) was kept.
    MelodyCopied {
        run: usize,
        limit: usize,
        tries: usize,
    },
}

impl Notice {
    pub(crate) fn unavailable(part: PartKind, e: &ModelError) -> Notice {
        Notice::ModelUnavailable {
            part,
            reason: e.to_string(),
        }
    }

    /// Whether the rule-based generator stood in for a model.
    pub fn is_model_fallback(&self) -> bool {
        matches!(
            self,
            Notice::ModelUnavailable { .. }
                | Notice::ModelOutputUnusable { .. }
                | Notice::DrumPattern { .. }
        )
    }
}

fn model_name(part: PartKind) -> &'static str {
    match part {
        PartKind::Chords => "chord",
        other => other.name(),
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::ModelUnavailable { part, reason } => write!(
                f,
                "{} model unavailable ({reason}); used rules",
                model_name(*part)
            ),
            Notice::ModelOutputUnusable {
                part: PartKind::Chords,
            } => f.write_str(
                "the chord model returned a track that does not cover the clip; used rules",
            ),
            Notice::ModelOutputUnusable { part } => write!(
                f,
                "the {} model returned no notes; used rules",
                model_name(*part)
            ),
            Notice::DrumPattern { pattern, reason } => write!(
                f,
                "drum model unavailable ({reason}); played the {pattern} pattern"
            ),
            Notice::LocksRemade => f.write_str(
                "the clip length or time signature changed, so locked parts were made again",
            ),
            Notice::SongChordLock => f.write_str(
                "a song keeps chords by section: lock a section instead of the chord part",
            ),
            Notice::MelodyCopied { run, limit, tries } => write!(
                f,
                "after {tries} tries the melody still repeats {run} events of a training song (limit {limit})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallbacks_are_told_apart_from_other_notices() {
        let e = ModelError::Unsupported {
            reason: "meter 7/8".into(),
        };
        let n = Notice::unavailable(PartKind::Chords, &e);
        assert!(n.is_model_fallback());
        assert!(n.to_string().starts_with("chord model unavailable ("));
        let melody = Notice::ModelOutputUnusable {
            part: PartKind::Melody,
        };
        assert_eq!(
            melody.to_string(),
            "the melody model returned no notes; used rules"
        );
        assert!(!Notice::LocksRemade.is_model_fallback());
        assert!(Notice::LocksRemade.to_string().contains("locked parts"));
    }
}
