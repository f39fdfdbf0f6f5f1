//! Melody phrases of answer and continue mode: written a little before their boundary as two
//! candidates (see [`super::choice`]), one of which is kept when the boundary is reached.

use super::choice::{Choice, ChoiceKind, ChoiceRule};
use super::{answer, material, sampled, LiveEngine, LiveMode, PhraseWritten, ResponseNote};
use super::{tick_at, SIXTEENTH};
use crate::arrange::Notice;
use crate::clip::{PartKind, TICKS_PER_QUARTER};
use crate::model::ModelError;

/// Density added to (busier) or taken from (calmer) the heard one for continuations.
const DENSITY_STEP: f32 = 0.25;
/// Note-ons in the last beat before a boundary that make a continuation the busier one.
const BUSY_ONSETS: u8 = 2;

impl LiveEngine {
    pub(super) fn phrase_decision(&self) -> Option<u32> {
        if self.s.mode == LiveMode::Follow {
            return None;
        }
        let k = self.next_phrase?;
        Some(((k + 1) * self.s.phrase_ticks()).saturating_sub(self.s.prepare_ticks()))
    }

    /// Writes the candidates of the phrase after the current one (decided at `decided`).
    pub(super) fn write_phrase(&mut self, decided: u32) {
        let Some(k) = self.next_phrase else { return };
        self.next_phrase = Some(k + 1);
        let p = self.s.phrase_ticks();
        let (start, at) = (k * p, (k + 1) * p);
        if self.harmony.last().is_none_or(|c| c.end() < at + p) {
            let from = self.harmony.last().map_or(at, |c| c.end());
            self.extend_harmony(from, at + p);
        }
        let key = self.key();
        let seed = self.next_seed();
        let beat = self.s.meter.beat_ticks(TICKS_PER_QUARTER);
        let (rule, candidates) = match self.s.mode {
            LiveMode::Answer => {
                let played = self.played_between(start, decided);
                if played.is_empty() {
                    return;
                }
                let sampled = self
                    .sample(&played, at, seed)
                    .map(|r| r.map(|v| sampled::most_related(&played, v, at, p)));
                let a = match self.usable(sampled, |a| !a.is_empty()) {
                    Some(a) => a,
                    None => answer::answer(&played, &self.s, key, &self.harmony, at, seed),
                };
                // Keep listening: nothing, the player's phrase goes on.
                let rule = ChoiceRule::StillPlaying { window: SIXTEENTH };
                (rule, vec![a, Vec::new()])
            }
            _ => {
                let rule = ChoiceRule::Busy {
                    window: beat,
                    min: BUSY_ONSETS,
                };
                let mut prime = self.played_between(start, decided);
                if prime.is_empty() {
                    prime = self.band_phrase(start, at);
                }
                let sampled = self
                    .sample(&prime, at, seed)
                    .map(|r| r.map(sampled::calm_and_busy));
                let pair = self.usable(sampled, |(c, b)| !c.is_empty() && !b.is_empty());
                let (calmer, busier) = pair.unwrap_or_else(|| {
                    let e = self.energy();
                    let d = e.density();
                    let write = |density: f32| {
                        material::continuation(&self.s, key, &self.harmony, e, density, at, seed)
                    };
                    (
                        write((d - DENSITY_STEP).max(0.05)),
                        write((d + DENSITY_STEP).min(1.0)),
                    )
                });
                (rule, vec![calmer, busier])
            }
        };
        self.phrases.push(PhraseWritten {
            at,
            decided,
            notes: candidates.first().map_or(0, Vec::len),
            chosen: None,
        });
        // Both candidates start at `at`: what sounds across it ends there.
        self.timeline.cut(at, Some(&[PartKind::Melody]));
        self.choice = Some(Choice {
            at,
            until: at + p,
            kind: ChoiceKind::Phrase,
            rule,
            parts: &[PartKind::Melody],
            candidates,
        });
        if self.prepared_until < at + p {
            self.prepared_until = at + p;
        }
    }

    /// Keeps the candidate the rule picks from what was heard before the boundary; the audio
    /// thread already plays it, so the timeline takes it without marking a change.
    pub(super) fn resolve_choice(&mut self, index: Option<usize>) {
        let Some(c) = self.choice.take() else { return };
        let i = index.unwrap_or_else(|| c.rule.choose(&self.heard, c.at));
        let notes = c.candidates.into_iter().nth(i).unwrap_or_default();
        if let Some(w) = self.phrases.iter_mut().rev().find(|w| w.at == c.at) {
            w.chosen = Some(i);
            w.notes = notes.len();
        }
        self.timeline.settle(c.at, c.parts, notes);
        if c.kind == ChoiceKind::Silence && i == 1 {
            self.own_from(c.at, c.until);
        }
    }

    /// Keeps candidate `index` of the choice at `at` if that one is pending: the audio thread's
    /// pick, which it made by the same rule (this guards against input the worker has not
    /// taken yet when it reaches the boundary).
    pub fn choose(&mut self, at: u32, index: usize) {
        if self.choice.as_ref().is_some_and(|c| c.at == at) {
            self.resolve_choice(Some(index));
        }
    }

    /// Model samples of the phrase from `at` primed on `prime`; `None` with rules.
    fn sample(
        &self,
        prime: &[(u32, u32, u8, u8)],
        at: u32,
        seed: u64,
    ) -> Option<Result<Vec<Vec<ResponseNote>>, ModelError>> {
        self.s
            .model
            .then(|| sampled::samples(prime, &self.s, self.key(), &self.harmony, at, seed))
    }

    /// The model's phrase when it ran and `ok` accepts it, else `None` with the reason noted.
    fn usable<T>(
        &mut self,
        r: Option<Result<T, ModelError>>,
        ok: impl Fn(&T) -> bool,
    ) -> Option<T> {
        match r? {
            Ok(v) if ok(&v) => Some(v),
            Ok(_) => {
                self.notice(Notice::ModelOutputUnusable {
                    part: PartKind::Melody,
                });
                None
            }
            Err(e) => {
                self.notice(Notice::unavailable(PartKind::Melody, &e));
                None
            }
        }
    }

    /// Records why the rules stood in for the model (once per reason).
    fn notice(&mut self, n: Notice) {
        if !self.notices.contains(&n) {
            self.notices.push(n);
        }
    }

    /// The band's melody in `from..to` as (start, duration, key, velocity).
    fn band_phrase(&self, from: u32, to: u32) -> Vec<(u32, u32, u8, u8)> {
        self.timeline
            .between(from, to)
            .filter(|n| n.part == PartKind::Melody)
            .map(|n| {
                let v = n.note.velocity.as_int();
                (n.note.start, n.note.duration, n.note.pitch.as_int(), v)
            })
            .collect()
    }

    /// Notes with onsets in `from..to` as (start, duration, key, velocity); notes still held
    /// last until `to`.
    fn played_between(&self, from: u32, to: u32) -> Vec<(u32, u32, u8, u8)> {
        let mut out: Vec<(u32, u32, u8, u8)> = self
            .onsets
            .iter()
            .filter(|o| o.0 >= from && o.0 < to)
            .map(|&(t, k, v)| {
                let dur = self
                    .history
                    .iter()
                    .rev()
                    .find(|n| n.key == k && tick_at(n.start) == t)
                    .map_or(to - t, |n| tick_at(n.duration));
                (t, dur.max(1), k, v)
            })
            .collect();
        out.sort();
        out
    }
}
