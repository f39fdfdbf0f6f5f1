//! Real-time clip playback: the pure scheduling logic behind the plugin's audio thread.
//!
//! [`PlaybackClip::from_clip`] flattens a [`Clip`] into a sorted list of note-on/off events. It
//! allocates, so it runs off the audio thread (background task or GUI). [`Player::process`] then
//! runs once per audio block: given the host transport it emits the events that fall inside the
//! block at sample-accurate offsets, looping the clip over its length and aligned to the host's
//! bar grid. It never allocates, locks or waits.
//!
//! Guarantees (checked by the unit tests here and by the plugin's integration tests):
//! - every note-on the player emits is matched by exactly one note-off: on stop, on a jump of
//!   the position (seek, loop wrap, meter change that moves the bar grid), on [`Player::release_all`]
//!   (called by the plugin on clip swap, bypass and deactivation) and in normal playback;
//! - per block, events come in non-decreasing sample offset order, each offset `< frames`;
//! - at most one note sounds per (channel, key) in the emitted stream: a second overlapping note
//!   of the same key retriggers it (note-off then note-on), and the stream's note-off comes only
//!   when the last overlapping note ends ([`ActiveNotes`] counts notes per key and channel).

use crate::clip::{Clip, TICKS_PER_QUARTER};
use crate::theory::Meter;

/// On or off; offs sort before ons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    NoteOff,
    NoteOn,
}

/// One event of a [`PlaybackClip`], at `tick` (ticks at [`TICKS_PER_QUARTER`] from the clip start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClipEvent {
    pub tick: u32,
    pub kind: EventKind,
    /// 0-based MIDI channel, 0..=15.
    pub channel: u8,
    pub key: u8,
    /// 1..=127 for note-ons; the note-on's velocity for note-offs.
    pub velocity: u8,
}

/// A clip flattened for playback: events sorted by tick, note-offs before note-ons at equal
/// ticks. A note-off that falls exactly on the clip's end is stored at tick 0, so it fires where
/// the next loop starts (before that loop's note-ons).
#[derive(Debug, Clone, PartialEq)]
pub struct PlaybackClip {
    events: Vec<ClipEvent>,
    length_ticks: u32,
    meter: Meter,
    bars: u32,
}

impl PlaybackClip {
    /// Flattens every part of `clip`. Allocates: call it off the audio thread.
    pub fn from_clip(clip: &Clip) -> PlaybackClip {
        let length_ticks = clip.length_ticks().max(1);
        let mut events = Vec::with_capacity(clip.note_count() * 2);
        for part in &clip.parts {
            let channel = part.channel.as_int().min(15);
            for n in &part.notes {
                if n.start >= length_ticks {
                    continue;
                }
                let (key, velocity) = (n.pitch.as_int(), n.velocity.as_int().max(1));
                let end = n.end().min(length_ticks);
                events.push(ClipEvent {
                    tick: n.start,
                    kind: EventKind::NoteOn,
                    channel,
                    key,
                    velocity,
                });
                let off = if end >= length_ticks { 0 } else { end };
                events.push(ClipEvent {
                    tick: off,
                    kind: EventKind::NoteOff,
                    channel,
                    key,
                    velocity,
                });
            }
        }
        events.sort_by_key(|e| (e.tick, e.kind, e.channel, e.key));
        PlaybackClip {
            events,
            length_ticks,
            meter: clip.meter,
            bars: clip.bars.max(1),
        }
    }

    /// The events, sorted (see the type's docs).
    pub fn events(&self) -> &[ClipEvent] {
        &self.events
    }

    /// Length in ticks (whole bars, at least 1).
    pub fn length_ticks(&self) -> u32 {
        self.length_ticks
    }

    /// Length in quarter notes.
    pub fn length_quarters(&self) -> f64 {
        self.length_ticks as f64 / TICKS_PER_QUARTER as f64
    }

    pub fn meter(&self) -> Meter {
        self.meter
    }

    pub fn bars(&self) -> u32 {
        self.bars
    }

    /// Quarter notes per bar of the clip's meter.
    pub fn bar_quarters(&self) -> f64 {
        self.length_quarters() / self.bars as f64
    }
}

/// The host's song position at the first sample of a block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SongPosition {
    /// Position in quarter notes from the song start.
    pub quarters: f64,
    /// Start of the bar containing `quarters`, in quarter notes, with its 0-based bar number,
    /// when the host reports them. With them the clip's bar `bar_number % clip.bars` plays in the
    /// host's bar, so the clip stays on the host's bar grid across meter changes. Without them
    /// (or when they are inconsistent) the clip position is `quarters % clip length`.
    pub bar: Option<(f64, i64)>,
}

/// What the player needs to know about one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockInfo {
    /// Whether the clip should play during this block.
    pub playing: bool,
    /// The host's position, or `None` to run free from the player's own position (see
    /// [`Player::free_position`]), which advances at `tempo_bpm` while playing.
    pub position: Option<SongPosition>,
    /// Tempo in quarter notes per minute; values that are not finite or not > 0 count as 120.
    pub tempo_bpm: f64,
    /// Sample rate in Hz; values that are not finite or not > 0 count as 48000.
    pub sample_rate: f64,
    /// Samples in the block (any length; 0 emits only releases).
    pub frames: u32,
}

/// An event for the host, `offset` samples after the block start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutEvent {
    pub offset: u32,
    pub kind: EventKind,
    pub channel: u8,
    pub key: u8,
    pub velocity: u8,
}

/// Notes sounding in the emitted stream: a count of overlapping clip notes per channel and key.
#[derive(Debug, Clone)]
pub struct ActiveNotes {
    counts: [[u8; 128]; 16],
    sounding: u32,
}

impl Default for ActiveNotes {
    fn default() -> Self {
        ActiveNotes {
            counts: [[0; 128]; 16],
            sounding: 0,
        }
    }
}

impl ActiveNotes {
    /// Number of (channel, key) pairs sounding now.
    pub fn sounding(&self) -> u32 {
        self.sounding
    }

    /// Overlapping clip notes on (channel, key).
    pub fn count(&self, channel: u8, key: u8) -> u8 {
        self.counts[(channel & 15) as usize][(key & 127) as usize]
    }

    /// Emits a note-on (retriggering a key already sounding) and counts it.
    pub fn on(&mut self, e: OutEvent, out: &mut impl FnMut(OutEvent)) {
        let c = &mut self.counts[(e.channel & 15) as usize][(e.key & 127) as usize];
        if *c > 0 {
            // Retrigger: the stream never holds two notes on one key and channel.
            out(OutEvent {
                kind: EventKind::NoteOff,
                ..e
            });
        } else {
            self.sounding += 1;
        }
        *c = c.saturating_add(1);
        out(e);
    }

    /// Counts a note-off and emits it when the last overlapping note on its key ends; an off
    /// for a key not sounding is dropped.
    pub fn off(&mut self, e: OutEvent, out: &mut impl FnMut(OutEvent)) {
        let c = &mut self.counts[(e.channel & 15) as usize][(e.key & 127) as usize];
        match *c {
            0 => {} // a note that started before playback did (or was already released)
            1 => {
                *c = 0;
                self.sounding -= 1;
                out(e);
            }
            _ => *c -= 1,
        }
    }

    /// Emits a note-off at `offset` for every sounding note and clears the counts.
    pub fn release_all(&mut self, offset: u32, out: &mut impl FnMut(OutEvent)) {
        if self.sounding == 0 {
            return;
        }
        for (channel, keys) in self.counts.iter_mut().enumerate() {
            for (key, c) in keys.iter_mut().enumerate() {
                if *c > 0 {
                    *c = 0;
                    out(OutEvent {
                        offset,
                        kind: EventKind::NoteOff,
                        channel: channel as u8,
                        key: key as u8,
                        velocity: 64,
                    });
                }
            }
        }
        self.sounding = 0;
    }
}

/// Tolerance, in samples, when deciding which block an event falls into.
const EDGE_SAMPLES: f64 = 1e-3;
/// A block whose clip position differs from where the previous block ended by more than this
/// many samples, and by more than [`JUMP_QUARTERS`], is a jump: sounding notes are released first.
const JUMP_SAMPLES: f64 = 1.0;
/// Host positions are rounded (Ardour to 1/1920 quarter, ±15 samples at 100 bpm / 48 kHz): a
/// difference up to one clip tick is jitter, and playback continues from where it left off.
const JUMP_QUARTERS: f64 = 1.0 / TICKS_PER_QUARTER as f64;

/// Per-instance playback state. Lives on the audio thread; every method is allocation-free.
#[derive(Debug, Clone, Default)]
pub struct Player {
    active: ActiveNotes,
    /// Clip position (quarters, in `0..length`) where the last block ended, while playing.
    expected: Option<f64>,
    /// Song position (quarters) used when the block has no host position.
    free_position: f64,
    /// Clip position (quarters) of the last block's start, for display.
    playhead: Option<f64>,
}

impl Player {
    pub fn new() -> Player {
        Player::default()
    }

    /// Notes sounding in the emitted stream.
    pub fn active(&self) -> &ActiveNotes {
        &self.active
    }

    /// Song position (quarters) of the free-running clock.
    pub fn free_position(&self) -> f64 {
        self.free_position
    }

    /// Sets the free-running clock, e.g. to 0 on activation.
    pub fn set_free_position(&mut self, quarters: f64) {
        self.free_position = if quarters.is_finite() { quarters } else { 0.0 };
    }

    /// Position in the clip (quarters) at the start of the last block played, `None` when stopped.
    pub fn playhead(&self) -> Option<f64> {
        self.playhead
    }

    /// Releases every sounding note at `offset` and forgets the position, so the next block
    /// starts fresh. Use on clip swap, bypass, reset and deactivation.
    pub fn release_all(&mut self, offset: u32, out: &mut impl FnMut(OutEvent)) {
        self.active.release_all(offset, out);
        self.expected = None;
    }

    /// Plays one block of `clip` (or only releases notes when `clip` is `None` or the transport
    /// is stopped). Events go to `out` in time order with `offset < block.frames` (releases at 0
    /// also for 0-frame blocks).
    pub fn process(
        &mut self,
        clip: Option<&PlaybackClip>,
        block: &BlockInfo,
        out: &mut impl FnMut(OutEvent),
    ) {
        let tempo = if block.tempo_bpm.is_finite() && block.tempo_bpm > 0.0 {
            block.tempo_bpm
        } else {
            120.0
        };
        let rate = if block.sample_rate.is_finite() && block.sample_rate > 0.0 {
            block.sample_rate
        } else {
            48_000.0
        };
        let qps = tempo / 60.0 / rate; // quarter notes per sample
        let song = match block.position {
            Some(p) if p.quarters.is_finite() => p,
            _ => SongPosition {
                quarters: self.free_position,
                bar: None,
            },
        };
        if block.position.is_none() && block.playing {
            self.free_position += block.frames as f64 * qps;
        }
        let clip = match clip {
            Some(c) if block.playing => c,
            _ => {
                self.release_all(0, out);
                self.playhead = None;
                return;
            }
        };
        let len = clip.length_quarters();
        let mut anchor = clip_position(clip, &song);
        if let Some(expected) = self.expected {
            let d = (anchor - expected).rem_euclid(len);
            if d.min(len - d) > (JUMP_SAMPLES * qps).max(JUMP_QUARTERS) {
                self.active.release_all(0, out);
            } else {
                // Jitter: continue seamlessly so no event is skipped or played twice.
                anchor = expected;
            }
        }
        self.playhead = Some(anchor);
        let frames = block.frames as f64;
        self.expected = Some(wrap(anchor + frames * qps, len));
        if block.frames == 0 {
            return;
        }
        let events = clip.events();
        let tpq = TICKS_PER_QUARTER as f64;
        let end = anchor + frames * qps;
        let mut cycle = 0.0;
        while cycle * len <= end {
            // Ticks whose sample offset could land in [0, frames) for this cycle.
            let lo = ((anchor - cycle * len - qps) * tpq).floor();
            let hi = ((end - cycle * len + qps) * tpq).ceil();
            let lo_tick = lo.max(0.0) as u32;
            let first = events.partition_point(|e| e.tick < lo_tick);
            for e in &events[first..] {
                if e.tick as f64 > hi {
                    break;
                }
                let x = (cycle * len + e.tick as f64 / tpq - anchor) / qps;
                let k = (x - EDGE_SAMPLES).ceil();
                if k < 0.0 || k >= frames {
                    continue;
                }
                let ev = OutEvent {
                    offset: k as u32,
                    kind: e.kind,
                    channel: e.channel,
                    key: e.key,
                    velocity: e.velocity,
                };
                match e.kind {
                    EventKind::NoteOn => self.active.on(ev, out),
                    EventKind::NoteOff => self.active.off(ev, out),
                }
            }
            cycle += 1.0;
        }
    }
}

/// Where `song` falls in the clip, in quarters in `0..clip.length_quarters()`.
pub fn clip_position(clip: &PlaybackClip, song: &SongPosition) -> f64 {
    let len = clip.length_quarters();
    let consistent = |(start, number): (f64, i64)| {
        start.is_finite() && start <= song.quarters + 1e-9 && !(number == 0 && start.abs() > 1e-9)
    };
    match song.bar {
        Some(bar) if consistent(bar) => {
            let (start, number) = bar;
            let bar_in_clip = number.rem_euclid(clip.bars() as i64) as f64;
            wrap(
                bar_in_clip * clip.bar_quarters() + (song.quarters - start),
                len,
            )
        }
        _ => wrap(song.quarters, len),
    }
}

/// `x` modulo `len`, in `0..len` (rounding can make `rem_euclid` return `len` itself).
fn wrap(x: f64, len: f64) -> f64 {
    let r = x.rem_euclid(len);
    if r >= len {
        0.0
    } else {
        r
    }
}

#[cfg(test)]
mod tests;
