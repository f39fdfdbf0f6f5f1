//! Live settings: the mode, phrase length, silence behaviour and the latency model.

use super::SETTLE_TICKS;
use crate::clip::TICKS_PER_QUARTER;
use crate::theory::{Key, Meter};

/// Phrase lengths the engine accepts, in bars.
pub const PHRASE_BARS: [u32; 3] = [1, 2, 4];

/// Errors from live settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiveError {
    #[error("phrase length {0} bars is not supported (use 1, 2 or 4)")]
    PhraseBars(u32),
    #[error("unknown live mode {0:?} (use follow, answer or continue)")]
    Mode(String),
}

/// What the band does with what it hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiveMode {
    /// Bass, keys and drums over the heard chord, from the next 16th.
    Follow,
    /// After each phrase the player plays, a melody answer in the next phrase.
    Answer,
    /// A new melody phrase ahead of the playhead, steered by the heard key and energy.
    Continue,
}

impl LiveMode {
    pub const ALL: [LiveMode; 3] = [LiveMode::Follow, LiveMode::Answer, LiveMode::Continue];

    pub fn name(self) -> &'static str {
        match self {
            LiveMode::Follow => "follow",
            LiveMode::Answer => "answer",
            LiveMode::Continue => "continue",
        }
    }

    pub fn parse(s: &str) -> Result<LiveMode, LiveError> {
        LiveMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| LiveError::Mode(s.to_string()))
    }
}

/// What the harmony does after a bar without any note heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnSilence {
    /// Keep the last heard chord.
    Hold,
    /// Play the band's own progression in the heard key, from the next bar.
    Own,
}

/// Live settings. Ticks at [`TICKS_PER_QUARTER`].
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSettings {
    pub mode: LiveMode,
    /// Bars per phrase, one of [`PHRASE_BARS`].
    pub phrase_bars: u32,
    pub meter: Meter,
    /// The key used until one is detected with enough confidence.
    pub key: Key,
    pub on_silence: OnSilence,
    /// Simulated worker latency: an event is acted on this many ticks after it was heard.
    pub delay_ticks: u32,
    /// Ticks from the moment a decision is made to the earliest switch the audio thread can
    /// still take on time (its block and the handoff). With 0 (offline), a decision counts as
    /// made at its own tick; otherwise at the tick of the `advance_to` that runs it.
    pub lead_ticks: u32,
    /// Answers and continuations by the melody model (falling back to the rules with a
    /// notice when it cannot run); `false`: by the rules.
    pub model: bool,
    pub seed: u64,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            mode: LiveMode::Follow,
            phrase_bars: 2,
            meter: Meter::COMMON,
            key: Key::new(crate::theory::PitchClass::C, crate::theory::Mode::Major),
            on_silence: OnSilence::Hold,
            delay_ticks: 0,
            lead_ticks: 0,
            model: false,
            seed: 1,
        }
    }
}

impl LiveSettings {
    pub fn validate(&self) -> Result<(), LiveError> {
        if PHRASE_BARS.contains(&self.phrase_bars) {
            Ok(())
        } else {
            Err(LiveError::PhraseBars(self.phrase_bars))
        }
    }

    pub fn bar_ticks(&self) -> u32 {
        self.meter.bar_ticks(TICKS_PER_QUARTER)
    }

    /// Ticks from a note-on to the decision on the chord it completes: the worker delay, at
    /// least [`SETTLE_TICKS`].
    pub fn decision_ticks(&self) -> u32 {
        self.delay_ticks.max(SETTLE_TICKS)
    }

    pub fn phrase_ticks(&self) -> u32 {
        self.bar_ticks() * self.phrase_bars
    }

    /// Ticks before a phrase boundary at which the next phrase's melody is written: the
    /// worker delay, at least one beat, at most half a phrase.
    pub fn prepare_ticks(&self) -> u32 {
        let beat = self.meter.beat_ticks(TICKS_PER_QUARTER);
        self.delay_ticks.max(beat).min(self.phrase_ticks() / 2)
    }
}
