//! Audio-thread playback of live material. The worker builds [`LiveMaterial`] (allocates); the
//! audio thread's [`LivePlayer`] plays the current one and switches to a newer one exactly at
//! its switch tick, inside the block. A material that arrives after its switch tick has passed
//! is a missed boundary: it is counted, every sounding note is released, and it plays from the
//! block start (the previous material played on until then, so there is never a gap), its notes
//! that began since the switch tick and still sound starting at the block's first sample.
//! [`LivePlayer::process`] never allocates, locks or waits.

use super::choice::{ChoiceRule, Heard};
use super::{tick_at, LiveEngine, ResponseNote};
use crate::clip::{PartKind, TICKS_PER_QUARTER};
use crate::playback::{ActiveNotes, ClipEvent, EventKind, OutEvent};

/// Response events from `from` on, in absolute ticks, to take over at `switch_at`. With
/// candidates at a boundary it holds one event list per candidate (equal before the boundary)
/// and the rule that picks one when the boundary is played.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveMaterial {
    pub id: u64,
    /// Events at ticks `>= from` are included (note-offs of earlier notes too).
    pub from: u32,
    /// Tick from which this material replaces the one playing (`>= from`).
    pub switch_at: u32,
    /// Replaces the playing material at the next block, releasing every note, without counting
    /// a missed boundary (after a stop, a seek or new settings).
    pub urgent: bool,
    variants: Vec<Variant>,
    /// The boundary and rule picking the variant; `None` when there is one.
    choice: Option<(u32, ChoiceRule)>,
    /// The variant playing (0 until the boundary is played).
    chosen: usize,
    decided: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Variant {
    events: Vec<ClipEvent>,
    /// Per event: the note's end tick for a note-on (0 for a note-off).
    ends: Vec<u32>,
}

/// MIDI channel of a response part (the clip's channels).
fn channel(part: PartKind) -> u8 {
    part.default_channel().as_int()
}

/// The note-ons and note-offs of `notes` from `from` on, in playing order.
fn variant<'a>(notes: impl Iterator<Item = &'a ResponseNote>, from: u32) -> Variant {
    let mut tagged = Vec::new();
    for n in notes.filter(|n| n.note.end() >= from) {
        let (key, velocity) = (n.note.pitch.as_int(), n.note.velocity.as_int().max(1));
        let ch = channel(n.part);
        if n.note.start >= from {
            let on = ClipEvent {
                tick: n.note.start,
                kind: EventKind::NoteOn,
                channel: ch,
                key,
                velocity,
            };
            tagged.push((on, n.note.end()));
        }
        let off = ClipEvent {
            tick: n.note.end(),
            kind: EventKind::NoteOff,
            channel: ch,
            key,
            velocity,
        };
        tagged.push((off, 0));
    }
    tagged.sort_by_key(|(e, end)| (e.tick, e.kind, e.channel, e.key, *end));
    let (events, ends) = tagged.into_iter().unzip();
    Variant { events, ends }
}

impl LiveMaterial {
    /// The engine's response from `from` on. Allocates: worker thread.
    pub fn new(id: u64, notes: &[ResponseNote], from: u32, switch_at: u32) -> LiveMaterial {
        LiveMaterial {
            id,
            from,
            switch_at: switch_at.max(from),
            urgent: false,
            variants: vec![variant(notes.iter(), from)],
            choice: None,
            chosen: 0,
            decided: false,
        }
    }

    /// The engine's whole response from `from` on, switching at `switch_at`, with the
    /// candidates it prepared for its next boundary.
    pub fn from_engine(id: u64, engine: &LiveEngine, from: u32, switch_at: u32) -> LiveMaterial {
        let mut m = LiveMaterial::new(id, engine.response(), from, switch_at);
        if let Some(c) = engine.choice().filter(|c| c.candidates.len() > 1) {
            m.variants = c
                .candidates
                .iter()
                .map(|cand| variant(engine.response().iter().chain(cand), from))
                .collect();
            m.choice = Some((c.at, c.rule));
        }
        m
    }

    /// The events of the variant playing.
    pub fn events(&self) -> &[ClipEvent] {
        self.variants
            .get(self.chosen)
            .map_or(&[][..], |v| &v.events[..])
    }

    /// The candidate played after the boundary, once it was reached.
    pub fn chosen(&self) -> Option<usize> {
        self.decided.then_some(self.chosen)
    }

    /// Picks the variant at its boundary, once (no allocation).
    fn decide(&mut self, heard: &Heard) {
        if let Some((at, rule)) = self.choice {
            if !self.decided {
                self.decided = true;
                self.chosen = rule
                    .choose(heard, at)
                    .min(self.variants.len().saturating_sub(1));
            }
        }
    }

    /// The boundary still to be decided, if any.
    fn undecided(&self) -> Option<u32> {
        self.choice.filter(|_| !self.decided).map(|(at, _)| at)
    }
}

/// Per-instance live playback state (audio thread).
#[derive(Debug, Default)]
pub struct LivePlayer {
    active: ActiveNotes,
    current: Option<Box<LiveMaterial>>,
    pending: Option<Box<LiveMaterial>>,
    /// The earliest switch tick among the materials offered since the last switch.
    pending_switch: u32,
    /// Song position (quarters) where the last block ended, while playing.
    expected: Option<f64>,
    spent: Option<Box<LiveMaterial>>,
    missed: u64,
    switches: u64,
    jumps: u64,
    /// The input heard while playing, for the choice at a boundary.
    heard: Heard,
    /// Boundaries with candidates played, by the candidate chosen.
    chosen: [u64; 2],
    /// The last boundary with candidates played and the candidate chosen there.
    last_choice: Option<(u32, usize)>,
}

/// Samples of jitter in the host position that still count as continuous playback.
const JUMP_SAMPLES: f64 = 1.0;

impl LivePlayer {
    pub fn new() -> LivePlayer {
        LivePlayer::default()
    }

    /// Offers newer material; returns the pending one it replaces (drop it off the audio thread).
    pub fn offer(&mut self, m: Box<LiveMaterial>) -> Option<Box<LiveMaterial>> {
        self.pending_switch = match &self.pending {
            Some(_) => self.pending_switch.min(m.switch_at),
            None => m.switch_at,
        };
        self.pending.replace(m)
    }

    /// Whether a replaced material waits to be taken with [`LivePlayer::take_spent`].
    pub fn has_spent(&self) -> bool {
        self.spent.is_some()
    }

    /// The material replaced at the last switch (drop it off the audio thread).
    pub fn take_spent(&mut self) -> Option<Box<LiveMaterial>> {
        self.spent.take()
    }

    /// Takes a note the player played at song position `quarters` (call it for the block's
    /// input before [`LivePlayer::process`], while playing): the choice at a boundary uses it.
    pub fn hear(&mut self, quarters: f64, on: bool, key: u8) {
        self.heard.hear(tick_at(quarters), on, key);
    }

    /// Boundaries with candidates played so far, by the candidate chosen (0, 1 or more).
    pub fn chosen_counts(&self) -> [u64; 2] {
        self.chosen
    }

    /// The last boundary with candidates played (tick) and the candidate chosen there, since
    /// playback started or jumped.
    pub fn last_choice(&self) -> Option<(u32, usize)> {
        self.last_choice
    }

    /// Boundaries whose material came too late.
    pub fn missed(&self) -> u64 {
        self.missed
    }

    /// Switches made (on time or late).
    pub fn switches(&self) -> u64 {
        self.switches
    }

    /// Position jumps seen (seek, loop) while playing.
    pub fn jumps(&self) -> u64 {
        self.jumps
    }

    /// The id of the material playing.
    pub fn current_id(&self) -> Option<u64> {
        self.current.as_ref().map(|m| m.id)
    }

    /// Notes sounding in the emitted stream.
    pub fn active(&self) -> &ActiveNotes {
        &self.active
    }

    /// Releases every sounding note at `offset` and forgets the position.
    pub fn release_all(&mut self, offset: u32, out: &mut impl FnMut(OutEvent)) {
        self.active.release_all(offset, out);
        self.expected = None;
    }

    /// Plays one block starting at song position `start` (quarters; `None` = stopped) with
    /// `qps` quarters per sample. Events go to `out` in time order, offsets `< frames`.
    /// Returns true when the position jumped (the worker must be told to seek).
    pub fn process(
        &mut self,
        start: Option<f64>,
        qps: f64,
        frames: u32,
        out: &mut impl FnMut(OutEvent),
    ) -> bool {
        let Some(mut q0) = start.filter(|q| q.is_finite() && *q >= 0.0) else {
            self.release_all(0, out);
            self.last_choice = None;
            return false;
        };
        let qps = if qps.is_finite() && qps > 0.0 {
            qps
        } else {
            120.0 / 60.0 / 48_000.0
        };
        let mut jumped = false;
        if let Some(e) = self.expected {
            if (q0 - e).abs() > (JUMP_SAMPLES * qps).max(1.0 / f64::from(TICKS_PER_QUARTER)) {
                self.active.release_all(0, out);
                self.jumps += 1;
                jumped = true;
                self.last_choice = None;
            } else {
                q0 = e;
            }
        }
        let q1 = q0 + f64::from(frames) * qps;
        self.expected = Some(q1);
        if frames == 0 {
            return jumped;
        }
        let tpq = f64::from(TICKS_PER_QUARTER);
        let t0 = q0 * tpq;
        let mut split = None;
        let mut caught_up = None;
        let urgent = self.pending.as_ref().is_some_and(|m| m.urgent);
        if urgent && self.spent.is_none() {
            self.active.release_all(0, out);
            self.switch();
        } else if self.pending.is_some() {
            let sw = f64::from(self.pending_switch);
            if sw < t0 - 0.5 {
                if self.spent.is_none() {
                    if self.current.is_some() {
                        self.missed += 1;
                    }
                    self.active.release_all(0, out);
                    caught_up = Some(self.pending_switch);
                    self.switch();
                }
            } else if sw < q1 * tpq && self.spent.is_none() {
                split = Some(self.pending_switch);
            }
        }
        let frames_f = f64::from(frames);
        let offset = |tick: u32| {
            let x = (f64::from(tick) / tpq - q0) / qps;
            let k = (x - 1e-3).ceil();
            (k >= 0.0 && k < frames_f).then_some(k as u32)
        };
        let lo = t0.floor().max(0.0) as u32;
        let hi = (q1 * tpq).ceil() as u32 + 1;
        let heard = self.heard;
        let mut counted = [0u64; 2];
        // A boundary already played (by the material this one replaces) is not counted again.
        let mut last = self.last_choice;
        if let (Some(sw), Some(m)) = (caught_up, self.current.as_deref_mut()) {
            // Notes of the late material that should already sound start now.
            if let Some(at) = m.undecided().filter(|at| *at < lo) {
                pick(m, &heard, at, &mut counted, &mut last);
            }
            let v = m.variants.get(m.chosen);
            let (events, ends) = v.map_or((&[][..], &[][..]), |v| (&v.events[..], &v.ends[..]));
            let first = events.partition_point(|e| e.tick < sw);
            for (e, end) in events[first..].iter().zip(&ends[first..]) {
                if e.tick >= lo {
                    break;
                }
                if e.kind == EventKind::NoteOn && *end > lo {
                    let ev = OutEvent {
                        offset: 0,
                        kind: e.kind,
                        channel: e.channel,
                        key: e.key,
                        velocity: e.velocity,
                    };
                    self.active.on(ev, out);
                }
            }
        }
        let mut play =
            |m: &mut LiveMaterial, a: u32, b: u32, active: &mut ActiveNotes, out: &mut _| {
                let mut a = a;
                // Candidates: the variant is picked when its boundary is played.
                if let Some(at) = m.undecided().filter(|at| *at < b) {
                    if at > a {
                        emit(m.events(), a, at, &offset, active, out);
                        a = at;
                    }
                    pick(m, &heard, at, &mut counted, &mut last);
                }
                emit(m.events(), a, b, &offset, active, out);
            };
        let cut = split.unwrap_or(hi);
        if let Some(m) = self.current.as_deref_mut() {
            play(m, lo, cut, &mut self.active, out);
        }
        if split.is_some() {
            self.switch();
            if let Some(m) = self.current.as_deref_mut() {
                play(m, cut, hi, &mut self.active, out);
            }
        }
        for (total, c) in self.chosen.iter_mut().zip(counted) {
            *total += c;
        }
        self.last_choice = last;
        jumped
    }

    /// Makes the pending material current; only called while `spent` is empty.
    fn switch(&mut self) {
        if let Some(p) = self.pending.take() {
            self.switches += 1;
            self.spent = self.current.replace(p);
        }
    }
}

/// Decides `m`'s boundary `at` and counts the pick in `counted`, once per boundary: `last` is
/// the boundary counted before (by the material `m` replaces, or earlier in the block).
fn pick(
    m: &mut LiveMaterial,
    heard: &Heard,
    at: u32,
    counted: &mut [u64; 2],
    last: &mut Option<(u32, usize)>,
) {
    m.decide(heard);
    if last.is_none_or(|(a, _)| a != at) {
        if let Some(c) = counted.get_mut(m.chosen) {
            *c += 1;
        }
    }
    *last = Some((at, m.chosen));
}

/// Plays `events` with ticks in `a..b` at their block offsets.
fn emit(
    events: &[ClipEvent],
    a: u32,
    b: u32,
    offset: &impl Fn(u32) -> Option<u32>,
    active: &mut ActiveNotes,
    out: &mut impl FnMut(OutEvent),
) {
    let first = events.partition_point(|e| e.tick < a);
    for e in &events[first..] {
        if e.tick >= b {
            break;
        }
        let Some(k) = offset(e.tick) else { continue };
        let ev = OutEvent {
            offset: k,
            kind: e.kind,
            channel: e.channel,
            key: e.key,
            velocity: e.velocity,
        };
        match e.kind {
            EventKind::NoteOn => active.on(ev, out),
            EventKind::NoteOff => active.off(ev, out),
        }
    }
}

#[cfg(test)]
mod tests;
