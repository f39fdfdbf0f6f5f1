//! Melody generation with the originality guard: a melody that shares more than `limit` events
//! with one training song is sampled again (a bounded number of times, seeds derived from the
//! request's seed); the least-copied try is kept.

use super::melody::{self, MelodyCond};
use super::prior::EventPrior;
use super::{MelodyRequest, ModelError};
use crate::clip::Note;
use crate::originality::Index;
use crate::rng::Rng;

/// Tries after the first when a melody is over the limit.
pub const RETRIES: usize = 4;

/// A guarded melody and how much of it is shared with the index's songs.
#[derive(Debug, Clone, PartialEq)]
pub struct Guarded {
    pub notes: Vec<Note>,
    /// Longest run of events shared with one indexed song (None without an index).
    pub run: Option<usize>,
    /// Melodies sampled (1 = the first was within the limit).
    pub tries: usize,
    /// False when every try was over the limit (the least-copied one is returned).
    pub within_limit: bool,
}

/// [`melody::generate`] checked against `index` (none: no check, one try).
pub fn generate(
    req: &MelodyRequest,
    cond: MelodyCond,
    prior: Option<&dyn EventPrior>,
    index: Option<&Index>,
    limit: usize,
) -> Result<Guarded, ModelError> {
    let first = melody::generate(req, cond, prior)?;
    let Some(ix) = index else {
        return Ok(Guarded {
            notes: first,
            run: None,
            tries: 1,
            within_limit: true,
        });
    };
    let run_of = |n: &[Note]| ix.longest_run(&crate::originality::melody_events(n));
    let mut best = (run_of(&first), first);
    let mut tries = 1;
    let mut seeds = Rng::derive(req.seed, "melody-originality");
    while best.0 > limit && tries <= RETRIES {
        let again = MelodyRequest {
            seed: seeds.next_u64(),
            ..*req
        };
        let notes = melody::generate(&again, cond, prior)?;
        tries += 1;
        let r = run_of(&notes);
        if r < best.0 {
            best = (r, notes);
        }
    }
    Ok(Guarded {
        within_limit: best.0 <= limit,
        run: Some(best.0),
        notes: best.1,
        tries,
    })
}
