//! Candidates at a boundary: the worker writes two ready alternatives for the material after a
//! boundary, and whoever reaches the boundary first (the audio thread, or the engine itself
//! offline) picks one by a [`ChoiceRule`] over what it heard before the boundary ([`Heard`]).
//! Both sides run this one rule over the same events, so they pick the same candidate.
//! [`Heard`] is fixed-size and `Copy`: updating it and choosing never allocate.

use super::ResponseNote;
use crate::clip::PartKind;

/// Note-ons remembered for the onset rules.
pub const HEARD_ONSETS: usize = 32;
const NEVER: u32 = u32::MAX;

/// What was heard, kept small: the last note-on and note-off tick of each key and the ticks of
/// the last [`HEARD_ONSETS`] note-ons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heard {
    on: [u32; 128],
    off: [u32; 128],
    onsets: [u32; HEARD_ONSETS],
    /// Next slot of `onsets` to write, and how many are filled.
    next: usize,
    filled: usize,
    /// The latest tick heard (time going back, a seek, starts afresh).
    last: u32,
}

impl Default for Heard {
    fn default() -> Self {
        Heard {
            on: [NEVER; 128],
            off: [NEVER; 128],
            onsets: [0; HEARD_ONSETS],
            next: 0,
            filled: 0,
            last: 0,
        }
    }
}

impl Heard {
    /// Takes one note-on (`on`, velocity > 0) or note-off at `tick`.
    pub fn hear(&mut self, tick: u32, on: bool, key: u8) {
        if tick < self.last {
            *self = Heard::default();
        }
        self.last = tick;
        let k = (key & 127) as usize;
        if on {
            self.on[k] = tick;
            self.onsets[self.next] = tick;
            self.next = (self.next + 1) % HEARD_ONSETS;
            self.filled = (self.filled + 1).min(HEARD_ONSETS);
        } else {
            self.off[k] = tick;
        }
    }

    /// Whether some key went down before `at` and was not released before `at` (a release at
    /// `at` itself counts as held: events at the boundary tick are not looked at).
    pub fn held_at(&self, at: u32) -> bool {
        self.on
            .iter()
            .zip(&self.off)
            .any(|(&on, &off)| on != NEVER && on < at && (off == NEVER || off < on || off >= at))
    }

    /// Note-ons heard in `from..to` (among the last [`HEARD_ONSETS`]).
    pub fn onsets_in(&self, from: u32, to: u32) -> usize {
        self.onsets[..self.filled]
            .iter()
            .filter(|t| **t >= from && **t < to)
            .count()
    }
}

/// How the candidate after a boundary is picked, from what was heard before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChoiceRule {
    /// 0 = the answer, 1 = keep listening: the player still plays at the boundary (a key held
    /// across it, or a note-on in the `window` ticks before it).
    StillPlaying { window: u32 },
    /// 0 = calmer, 1 = busier: at least `min` note-ons in the `window` ticks before the boundary.
    Busy { window: u32, min: u8 },
    /// 0 = hold the last chord, 1 = the band's own progression: nothing held at the boundary
    /// and no note-on in the `window` ticks before it.
    Silent { window: u32 },
}

impl ChoiceRule {
    /// The candidate index for the boundary `at` (uses only what was heard before `at`).
    pub fn choose(self, heard: &Heard, at: u32) -> usize {
        match self {
            ChoiceRule::StillPlaying { window } => {
                let playing =
                    heard.held_at(at) || heard.onsets_in(at.saturating_sub(window), at) > 0;
                usize::from(playing)
            }
            ChoiceRule::Busy { window, min } => {
                usize::from(heard.onsets_in(at.saturating_sub(window), at) >= usize::from(min))
            }
            ChoiceRule::Silent { window } => usize::from(
                !heard.held_at(at) && heard.onsets_in(at.saturating_sub(window), at) == 0,
            ),
        }
    }
}

/// What a choice decides besides the notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChoiceKind {
    /// An answer or continuation phrase (melody).
    Phrase,
    /// After silence, candidate 1 switches the band to its own progression (follow mode).
    Silence,
}

/// Ready alternatives for `parts` from the boundary `at` to `until`; one is kept when `at` is
/// reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub at: u32,
    pub until: u32,
    pub kind: ChoiceKind,
    pub rule: ChoiceRule,
    pub parts: &'static [PartKind],
    /// The candidates' notes (all starting at or after `at`), indexed as [`ChoiceRule::choose`].
    pub candidates: Vec<Vec<ResponseNote>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_and_onset_windows_see_only_what_came_before_the_boundary() {
        let mut h = Heard::default();
        h.hear(100, true, 60);
        h.hear(200, false, 60);
        // Released on the boundary tick: held at it (the engine decides before it hears the
        // boundary tick's events, the audio thread after; both must agree).
        assert!(h.held_at(150) && h.held_at(200) && !h.held_at(201) && !h.held_at(100));
        h.hear(300, true, 62);
        assert!(h.held_at(400), "still held");
        h.hear(500, false, 62);
        assert!(h.held_at(400), "released after the boundary: held at it");
        assert_eq!(h.onsets_in(0, 301), 2);
        assert_eq!(h.onsets_in(0, 300), 1);
        let still = ChoiceRule::StillPlaying { window: 120 };
        assert_eq!(still.choose(&h, 1000), 0);
        assert_eq!(still.choose(&h, 400), 1);
        assert_eq!(still.choose(&h, 310), 1);
        let busy = ChoiceRule::Busy {
            window: 480,
            min: 2,
        };
        assert_eq!(busy.choose(&h, 301), 1);
        assert_eq!(busy.choose(&h, 900), 0);
        // Time going back (a seek) forgets.
        h.hear(50, false, 1);
        assert!(!h.held_at(1000) && h.onsets_in(0, u32::MAX) == 0);
    }

    #[test]
    fn the_onset_ring_keeps_the_latest() {
        let mut h = Heard::default();
        for i in 0..(HEARD_ONSETS as u32 + 8) {
            h.hear(i * 10, true, 60);
        }
        assert_eq!(h.onsets_in(0, u32::MAX), HEARD_ONSETS);
        assert_eq!(h.onsets_in(0, 80), 0);
    }
}
