//! Follow mode after silence: a beat before the bar line where the band would turn to its own
//! progression, both continuations are written as candidates (hold the last chord, or the own
//! progression), and the boundary keeps the own one only if the player stayed silent.

use super::choice::{Choice, ChoiceKind, ChoiceRule};
use super::{material, LiveEngine, LiveMode};

impl LiveEngine {
    /// When the silence candidates for the bar line `b` are written (follow mode, none pending).
    pub(super) fn silence_decision(&self) -> Option<(u32, u32)> {
        if self.s.mode != LiveMode::Follow || self.choice.is_some() {
            return None;
        }
        let b = self.silence_bar()?;
        let d = b.saturating_sub(self.s.prepare_ticks()).max(self.now);
        // Without material past `b` there is nothing to choose between: the switch at `b`.
        (d < b && self.prepared_until > b).then_some((d, b))
    }

    /// Writes the hold and own candidates of the backing from `b` to the prepared end.
    pub(super) fn write_silence_choice(&mut self, b: u32) {
        let until = self.prepared_until;
        let hold: Vec<_> = self
            .timeline
            .between(b, until)
            .filter(|n| material::BACKING.contains(&n.part))
            .copied()
            .collect();
        let (harmony, own) = (self.harmony.clone(), self.own);
        self.own = true;
        self.set_harmony_from(b);
        let seed = self.next_seed();
        let key = self.key();
        let energy = self.energy();
        let own_notes = material::backing(&self.s, key, &self.harmony, energy, b, until, seed);
        (self.harmony, self.own) = (harmony, own);
        // Both candidates start at `b`: what sounds across it ends there.
        self.timeline.cut(b, Some(&material::BACKING));
        self.choice = Some(Choice {
            at: b,
            until,
            kind: ChoiceKind::Silence,
            rule: ChoiceRule::Silent {
                window: self.s.prepare_ticks(),
            },
            parts: &material::BACKING,
            candidates: vec![hold, own_notes],
        });
    }

    /// The band turns to its own progression at `at`; material from `until` on is rewritten
    /// (the candidate already covers `at..until`).
    pub(super) fn own_from(&mut self, at: u32, until: u32) {
        self.own = true;
        self.set_harmony_from(at);
        if until < self.prepared_until {
            self.write_backing(until, false);
        }
    }

    /// Drops pending silence candidates (the player played again), keeping the held one.
    pub(super) fn drop_silence_choice(&mut self) {
        if self
            .choice
            .as_ref()
            .is_some_and(|c| c.kind == ChoiceKind::Silence)
        {
            if let Some(c) = self.choice.take() {
                let hold = c.candidates.into_iter().next().unwrap_or_default();
                self.timeline.settle(c.at, c.parts, hold);
            }
        }
    }
}
