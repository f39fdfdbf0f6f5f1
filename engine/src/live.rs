//! Live mode: a band that listens. [`LiveEngine`] takes timestamped note events (ticks at
//! [`TICKS_PER_QUARTER`], no samples), recognizes the held chord, tracks key and energy, and
//! writes response material ahead of the playhead: follow (bass, keys, drums over the heard
//! chord, or arpeggio, from the next 16th), answer (a melody answer in the phrase after the
//! player's) or continue (a new melody phrase after phrase). Phrases are written as two
//! candidates, one kept at the boundary by what was heard just before it ([`choice`]).
//!
//! Pure and deterministic: the same events, settings and seed give the same response. The
//! latency of a real worker is modelled by [`LiveSettings::delay_ticks`]: an event is acted on
//! that many ticks after it was heard, so the offline twin (`bandmate live`) and the plugin run
//! the same decisions. Owned by one thread (the plugin's worker, or the CLI).

pub mod answer;
pub mod choice;
pub mod material;
pub mod offline;
mod phrase;
pub mod player;
pub mod sampled;
mod settings;
mod silence;

pub use settings::{LiveError, LiveMode, LiveSettings, OnSilence, PHRASE_BARS};

use crate::arrange::Notice;
use crate::chord::Chord;
use crate::clip::{ChordEvent, Note, PartKind, TICKS_PER_QUARTER};
use crate::input::{self, HeardNote, InputEvent, Pairer};
use crate::recognize;
use crate::theory::Key;
use choice::{Choice, Heard};
use material::Timeline;

/// Ticks of a sixteenth note: heard chords take effect on this grid.
pub const SIXTEENTH: u32 = TICKS_PER_QUARTER / 4;
/// Ticks a chord must stand without a new note-on before it is decided (a strum settles).
pub const SETTLE_TICKS: u32 = 24;

/// The tick of song position `quarters` (rounded; what the worker and the audio thread both
/// use for a heard note).
pub fn tick_at(quarters: f64) -> u32 {
    (quarters.max(0.0) * f64::from(TICKS_PER_QUARTER))
        .round()
        .min(f64::from(u32::MAX)) as u32
}

/// Distinct pitch classes an arpeggio (notes one after another) needs to count as a chord.
pub const ARPEGGIO_CLASSES: u32 = 3;

/// Distinct pitch classes of `pitches`.
fn classes(pitches: &[u8]) -> u32 {
    pitches
        .iter()
        .fold(0u16, |m, p| m | 1 << (p % 12))
        .count_ones()
}

/// One heard note-on or note-off at `tick`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LiveEvent {
    pub tick: u32,
    pub on: bool,
    pub key: u8,
    pub velocity: u8,
}

/// How busy and loud the player is over the last bar.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Energy {
    pub notes_per_beat: f32,
    /// Mean note-on velocity (0 when nothing was heard).
    pub velocity: u8,
}

impl Energy {
    /// 0..1 density for the part generators.
    pub fn density(self) -> f32 {
        (0.15 + self.notes_per_beat / 4.0).clamp(0.1, 1.0)
    }
}

/// A response note of one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseNote {
    pub part: PartKind,
    pub note: Note,
}

/// A heard chord acted on: heard when its last note changed (`heard`), played from `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChordSwitch {
    pub heard: u32,
    pub at: u32,
    pub chord: Chord,
}

/// A melody phrase written (answer or continuation), starting at `at` (a phrase boundary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseWritten {
    pub at: u32,
    /// Tick at which it was decided (before `at`).
    pub decided: u32,
    pub notes: usize,
    /// The candidate kept at the boundary (see [`choice`]); `None` until `at` is reached.
    pub chosen: Option<usize>,
}

/// The live engine. See the module docs.
#[derive(Debug, Clone)]
pub struct LiveEngine {
    s: LiveSettings,
    now: u32,
    pairer: Pairer,
    /// Held keys (velocity, 0 = not held).
    held: [u8; 128],
    history: Vec<HeardNote>,
    /// Onsets (tick, key, velocity) of recent notes, newest last.
    onsets: Vec<(u32, u8, u8)>,
    /// (decide at, heard at) of the pending chord decision.
    pending: Option<(u32, u32)>,
    last_activity: Option<u32>,
    chord: Option<Chord>,
    own: bool,
    harmony: Vec<ChordEvent>,
    timeline: Timeline,
    prepared_until: u32,
    /// Next phrase index whose successor's melody is still to be decided.
    next_phrase: Option<u32>,
    switches: Vec<ChordSwitch>,
    phrases: Vec<PhraseWritten>,
    generation: u64,
    /// The tick of the last [`LiveEngine::advance_to`]: decisions made in it switch no
    /// earlier than this plus the lead.
    present: u32,
    /// What was heard, for the choice at a boundary.
    heard: Heard,
    /// Candidates prepared for the next boundary, not yet chosen.
    choice: Option<Choice>,
    /// Why the rules stood in for the melody model (each reason once).
    notices: Vec<Notice>,
}

impl LiveEngine {
    pub fn new(settings: LiveSettings) -> Result<LiveEngine, LiveError> {
        settings.validate()?;
        Ok(LiveEngine {
            s: settings,
            now: 0,
            pairer: Pairer::default(),
            held: [0; 128],
            history: Vec::new(),
            onsets: Vec::new(),
            pending: None,
            last_activity: None,
            chord: None,
            own: false,
            harmony: Vec::new(),
            timeline: Timeline::default(),
            prepared_until: 0,
            next_phrase: None,
            switches: Vec::new(),
            phrases: Vec::new(),
            generation: 0,
            present: 0,
            heard: Heard::default(),
            choice: None,
            notices: Vec::new(),
        })
    }

    pub fn settings(&self) -> &LiveSettings {
        &self.s
    }

    /// Changes [`LiveSettings::lead_ticks`] (it follows the audio block size).
    pub fn set_lead_ticks(&mut self, ticks: u32) {
        self.s.lead_ticks = ticks;
    }

    /// Takes one event; events must come in non-decreasing tick order (earlier ones count as now).
    pub fn push(&mut self, e: LiveEvent) {
        let tick = e.tick.max(self.now);
        self.advance_to(tick);
        let on = e.on && e.velocity > 0;
        let ev = InputEvent {
            on,
            channel: 0,
            key: e.key & 127,
            velocity: e.velocity,
            quarters: f64::from(tick) / f64::from(TICKS_PER_QUARTER),
        };
        if let Some(n) = self.pairer.push(ev) {
            input::remember(&mut self.history, [n]);
        }
        self.held[(e.key & 127) as usize] = if on { e.velocity.max(1) } else { 0 };
        self.heard.hear(tick, on, e.key);
        if on {
            self.onsets.push((tick, e.key & 127, e.velocity));
            let keep = self.onsets.len().saturating_sub(input::HISTORY_LEN);
            self.onsets.drain(..keep);
            if self.next_phrase.is_none() {
                self.next_phrase = Some(tick / self.s.phrase_ticks());
            }
        }
        self.last_activity = Some(tick);
        if on {
            self.pending = Some((tick.saturating_add(self.s.decision_ticks()), tick));
        }
    }

    /// Runs every decision due up to `tick` and keeps material prepared one phrase beyond it.
    pub fn advance_to(&mut self, tick: u32) {
        if tick < self.now {
            return;
        }
        self.present = tick;
        loop {
            // The earliest due decision: a chord, a silence bar line or a phrase.
            // A choice first: it uses only what was heard before its boundary.
            if let Some(c) = self.choice.as_ref().filter(|c| c.at <= tick) {
                self.now = self.now.max(c.at);
                self.resolve_choice(None);
                continue;
            }
            let chord_due = self.pending.map(|(d, _)| d).filter(|d| *d <= tick);
            let phrase_due = self.phrase_decision().filter(|d| *d <= tick);
            let silence_due = self.silence_bar().filter(|b| *b <= tick);
            let silence_prep = self.silence_decision().filter(|(d, _)| *d <= tick);
            let next = [
                chord_due,
                phrase_due,
                silence_due,
                silence_prep.map(|x| x.0),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(at) = next else { break };
            self.now = at;
            if chord_due == Some(at) {
                self.decide_chord();
            } else if let Some((_, b)) = silence_prep.filter(|x| x.0 == at) {
                self.write_silence_choice(b);
            } else if silence_due == Some(at) {
                self.go_own(at);
            } else {
                self.write_phrase(at);
            }
        }
        self.now = tick;
        self.prepare(tick);
    }

    /// Transport stopped (or jumped) at `tick`: every response note is cut there, held input
    /// is forgotten and nothing is written until the next note heard.
    pub fn stop(&mut self, tick: u32) {
        self.timeline.cut(tick, None);
        self.harmony.retain(|c| c.start < tick);
        if let Some(c) = self.harmony.last_mut() {
            c.duration = c.duration.min(tick - c.start);
        }
        self.pairer = Pairer::default();
        self.held = [0; 128];
        self.pending = None;
        self.choice = None;
        self.next_phrase = None;
        self.chord = None;
        self.own = false;
        self.last_activity = None;
        self.prepared_until = tick;
    }

    /// Restarts at `tick` after [`LiveEngine::stop`] (a seek): material resumes with the next note.
    pub fn seek(&mut self, tick: u32) {
        self.stop(self.now.min(tick));
        self.now = tick;
        self.prepared_until = tick;
    }

    /// Ends the performance at `tick`: notes sounding past it are cut.
    pub fn finish(&mut self, tick: u32) {
        self.advance_to(tick);
        self.timeline.cut(tick, None);
    }

    /// The response written so far, sorted by start.
    pub fn response(&self) -> &[ResponseNote] {
        self.timeline.notes()
    }

    /// The earliest tick of the response changed since the last call (material from there on
    /// must replace what the audio thread has).
    pub fn take_changed(&mut self) -> Option<u32> {
        self.timeline.take_changed()
    }

    /// Forgets response notes, chords and records that ended before `tick` (a long session
    /// stays small).
    pub fn forget_before(&mut self, tick: u32) {
        self.timeline.forget_before(tick);
        self.harmony.retain(|c| c.end() >= tick);
        self.switches.retain(|s| s.at >= tick);
        self.phrases.retain(|p| p.at >= tick);
    }

    /// Response notes starting in `from..to`.
    pub fn response_between(&self, from: u32, to: u32) -> impl Iterator<Item = &ResponseNote> {
        self.timeline.between(from, to)
    }

    /// The chord the band plays at `tick` (heard or its own).
    pub fn harmony_at(&self, tick: u32) -> Option<Chord> {
        self.harmony
            .iter()
            .rev()
            .find(|c| c.start <= tick && tick < c.end())
            .map(|c| c.chord)
    }

    /// The band's chords, in ticks (what the panel previews).
    pub fn harmony(&self) -> &[ChordEvent] {
        &self.harmony
    }

    /// The chord heard last, the key and the energy over the last bar.
    pub fn heard_chord(&self) -> Option<Chord> {
        self.chord
    }

    pub fn key(&self) -> Key {
        input::key_to_follow(self.detected_key()).unwrap_or(self.s.key)
    }

    pub fn detected_key(&self) -> Option<(Key, f32)> {
        input::detect_key(&self.history)
    }

    pub fn energy(&self) -> Energy {
        let bar = self.s.bar_ticks();
        let from = self.now.saturating_sub(bar);
        let recent: Vec<u8> = self
            .onsets
            .iter()
            .filter(|o| o.0 >= from && o.0 <= self.now)
            .map(|o| o.2)
            .collect();
        if recent.is_empty() {
            return Energy::default();
        }
        let beats = f64::from(bar) / f64::from(self.s.meter.beat_ticks(TICKS_PER_QUARTER));
        let mean = recent.iter().map(|v| u32::from(*v)).sum::<u32>() / recent.len() as u32;
        Energy {
            notes_per_beat: (recent.len() as f64 / beats) as f32,
            velocity: mean.min(127) as u8,
        }
    }

    /// Chords acted on, with when they were heard.
    pub fn switches(&self) -> &[ChordSwitch] {
        &self.switches
    }

    /// Melody phrases written.
    pub fn phrases(&self) -> &[PhraseWritten] {
        &self.phrases
    }

    /// Why the rules wrote a phrase the melody model was asked for (each reason once).
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// The candidates prepared for the next boundary (until it is reached).
    pub fn choice(&self) -> Option<&Choice> {
        self.choice.as_ref()
    }

    /// Tick up to which material is written.
    pub fn prepared_until(&self) -> u32 {
        self.prepared_until
    }

    fn next_seed(&mut self) -> u64 {
        self.generation += 1;
        self.s
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(self.generation)
    }

    fn decide_chord(&mut self) {
        let Some((decide, heard)) = self.pending.take() else {
            return;
        };
        let mut pitches: Vec<u8> = (0u8..128).filter(|k| self.held[*k as usize] > 0).collect();
        if self.s.mode == LiveMode::Follow && classes(&pitches) < 2 {
            pitches = self.arpeggio(heard, &pitches);
        }
        let Some(r) = recognize::recognize(&pitches) else {
            return;
        };
        if self.chord == Some(r.chord) && !self.own {
            return;
        }
        // With a lead, the decision is made now (the worker's present), not at its own tick.
        let earliest = if self.s.lead_ticks > 0 {
            decide.max(self.present.saturating_add(self.s.lead_ticks))
        } else {
            decide
        };
        let at = earliest.div_ceil(SIXTEENTH) * SIXTEENTH;
        self.drop_silence_choice();
        self.chord = Some(r.chord);
        self.own = false;
        self.switches.push(ChordSwitch {
            heard,
            at,
            chord: r.chord,
        });
        self.set_harmony_from(at);
        if self.s.mode == LiveMode::Follow {
            self.write_backing(at, true);
        }
    }

    /// Notes played one after another within the beat up to `heard` (plus `held`), when they
    /// make at least [`ARPEGGIO_CLASSES`] pitch classes: an arpeggiated chord. Empty otherwise.
    fn arpeggio(&self, heard: u32, held: &[u8]) -> Vec<u8> {
        let beat = self.s.meter.beat_ticks(TICKS_PER_QUARTER);
        let from = heard.saturating_sub(beat);
        let mut v: Vec<u8> = self
            .onsets
            .iter()
            .filter(|o| o.0 >= from && o.0 <= heard)
            .map(|o| o.1)
            .chain(held.iter().copied())
            .collect();
        if classes(&v) < ARPEGGIO_CLASSES {
            v.clear();
        }
        v
    }

    /// The bar line at which silence makes the band play its own progression.
    fn silence_bar(&self) -> Option<u32> {
        if self.s.on_silence != OnSilence::Own || self.own || self.chord.is_none() {
            return None;
        }
        if self.held.iter().any(|v| *v > 0) {
            return None;
        }
        let bar = self.s.bar_ticks();
        let last = self.last_activity?;
        Some((last + bar).div_ceil(bar) * bar)
    }

    fn go_own(&mut self, at: u32) {
        self.own = true;
        self.set_harmony_from(at);
        if self.s.mode == LiveMode::Follow {
            self.write_backing(at, false);
        }
    }

    /// Rewrites the harmony from `at` to the prepared end with the current plan.
    fn set_harmony_from(&mut self, at: u32) {
        self.harmony.retain(|c| c.start < at);
        if let Some(c) = self.harmony.last_mut() {
            c.duration = c.duration.min(at - c.start);
        }
        let until = self.prepared_until.max(at);
        self.extend_harmony(at, until.max(at + 1));
    }

    fn extend_harmony(&mut self, from: u32, to: u32) {
        let bar = self.s.bar_ticks();
        let key = self.key();
        if self.own {
            let own = material::own_progression(&self.s, key);
            let mut t = from;
            while t < to {
                let end = ((t / bar) + 1) * bar;
                let i = ((t / bar) as usize) % own.len().max(1);
                if let Some(c) = own.get(i) {
                    self.push_harmony(t, end - t, *c);
                }
                t = end;
            }
        } else if let Some(c) = self.chord {
            self.push_harmony(from, to - from, c);
        }
    }

    fn push_harmony(&mut self, start: u32, duration: u32, chord: Chord) {
        if let Some(last) = self.harmony.last_mut() {
            if last.chord == chord && last.end() == start {
                last.duration += duration;
                return;
            }
        }
        self.harmony.push(ChordEvent {
            start,
            duration,
            chord,
            roman: None,
        });
    }

    /// Follow mode: bass, keys and drums from `from` to the prepared end.
    fn write_backing(&mut self, from: u32, switch: bool) {
        let to = self.prepared_until.max(from + 1);
        let seed = self.next_seed();
        let notes = material::backing(
            &self.s,
            self.key(),
            &self.harmony,
            self.energy(),
            from,
            to,
            seed,
        );
        self.timeline.replace_from(from, &material::BACKING, notes);
        if switch {
            if let Some(c) = self.chord {
                self.timeline.force_root(from, c, self.s.meter);
            }
        }
    }

    /// Keeps follow material written one phrase beyond `tick`.
    fn prepare(&mut self, tick: u32) {
        let bar = self.s.bar_ticks();
        let want = (tick + self.s.phrase_ticks()).div_ceil(bar) * bar;
        if want <= self.prepared_until {
            return;
        }
        let from = self.prepared_until;
        self.prepared_until = want;
        if self.chord.is_none() && !self.own {
            return;
        }
        let hend = self.harmony.last().map_or(from, |c| c.end());
        if hend < want {
            self.extend_harmony(hend, want);
        }
        if self.s.mode == LiveMode::Follow {
            self.write_backing(from, false);
        }
    }
}

#[cfg(test)]
mod tests;
