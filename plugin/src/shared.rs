//! State shared between the audio thread, the worker and the editor: transport, status, the
//! detected key. The clip itself lives in the session slot (`persist.rs`), owned by the worker.
//!
//! The audio thread only touches the atomics here (never a lock). Locks are taken by the
//! worker and the editor (GUI thread) only.

use bandmate_engine::arrange::Notice;
use bandmate_engine::theory::{Key, Meter};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicU8, Ordering};

/// Where the generator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusKind {
    /// Nothing generated yet.
    #[default]
    Idle,
    Generating,
    Ready,
    Error,
}

/// Generator status for display. Written by the background task and `activate()`.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub kind: StatusKind,
    /// What happened (e.g. the engine error), empty when nothing to say.
    pub message: String,
    /// The engine's notices for the current clip (a model that could not run, …).
    pub notices: Vec<Notice>,
    /// Model backend that made the clip ("none" when no model is built in).
    pub backend: String,
}

/// How playback is clocked, as shown by the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Sync {
    /// Following the host's transport (position, tempo, play/stop).
    Host = 0,
    /// The host sends no transport (or no song position): running at the free-run tempo.
    FreeFallback = 1,
    /// The `Free run` parameter is on: running at the free-run tempo, ignoring the host.
    FreeForced = 2,
}

/// Shared by the plugin, its background task and the editor, behind an `Arc`.
#[derive(Debug)]
pub struct Shared {
    pub status: Mutex<Status>,
    /// Personal styles: learning progress and the chosen style (worker and editor only).
    pub learn: crate::learn::LearnState,
    /// Id of the clip the audio thread plays now (0 = none); matches [`Shared::clip_id`].
    pub playing_clip_id: AtomicU64,
    /// Id of the session's current clip, as last published by the worker (0 = none yet).
    pub clip_id: AtomicU64,
    /// Position in the clip in quarter notes (f64 bits); NaN while stopped. Audio thread writes.
    playhead: AtomicU64,
    /// Whether the clip is playing now. Audio thread writes.
    pub playing: AtomicBool,
    /// A [`Sync`] value. Audio thread writes.
    sync: AtomicU8,
    /// Host tempo in bpm (f64 bits), NaN when the host reports none. Audio thread writes.
    host_tempo: AtomicU64,
    /// Host time signature as numerator << 8 | denominator, 0 when unknown. Audio thread writes.
    host_meter: AtomicU16,
    /// Detected key of the incoming notes and its confidence 0..1; `None` until detected.
    pub detected_key: Mutex<Option<(Key, f32)>>,
    /// Set by the audio thread when notes came in; cleared by the worker's input-drain task.
    pub input_task_pending: AtomicBool,
    /// Incoming notes the audio thread could not forward because the queue was full.
    pub input_dropped: AtomicU64,
    /// Live mode's position, counters and panel view.
    pub live: crate::live::LiveShared,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            status: Mutex::new(Status::default()),
            learn: crate::learn::LearnState::default(),
            playing_clip_id: AtomicU64::new(0),
            clip_id: AtomicU64::new(0),
            playhead: AtomicU64::new(f64::NAN.to_bits()),
            playing: AtomicBool::new(false),
            sync: AtomicU8::new(Sync::Host as u8),
            host_tempo: AtomicU64::new(f64::NAN.to_bits()),
            host_meter: AtomicU16::new(0),
            detected_key: Mutex::new(None),
            input_task_pending: AtomicBool::new(false),
            input_dropped: AtomicU64::new(0),
            live: crate::live::LiveShared::default(),
        }
    }
}

impl Shared {
    /// Playhead in quarter notes from the clip start, `None` while stopped.
    pub fn playhead(&self) -> Option<f64> {
        let v = f64::from_bits(self.playhead.load(Ordering::Relaxed));
        v.is_finite().then_some(v)
    }

    /// Audio thread: publishes the playhead.
    pub fn set_playhead(&self, quarters: Option<f64>) {
        self.playhead
            .store(quarters.unwrap_or(f64::NAN).to_bits(), Ordering::Relaxed);
    }

    pub fn sync(&self) -> Sync {
        match self.sync.load(Ordering::Relaxed) {
            1 => Sync::FreeFallback,
            2 => Sync::FreeForced,
            _ => Sync::Host,
        }
    }

    pub fn set_sync(&self, s: Sync) {
        self.sync.store(s as u8, Ordering::Relaxed);
    }

    /// Host tempo in bpm, when the host reports one.
    pub fn host_tempo(&self) -> Option<f64> {
        let v = f64::from_bits(self.host_tempo.load(Ordering::Relaxed));
        v.is_finite().then_some(v)
    }

    pub fn set_host_tempo(&self, bpm: Option<f64>) {
        self.host_tempo
            .store(bpm.unwrap_or(f64::NAN).to_bits(), Ordering::Relaxed);
    }

    /// Host time signature, when the host reports a valid one.
    pub fn host_meter(&self) -> Option<Meter> {
        let v = self.host_meter.load(Ordering::Relaxed);
        if v == 0 {
            return None;
        }
        Meter::new((v >> 8) as u8, (v & 0xff) as u8).ok()
    }

    /// Audio thread: publishes the host time signature (ignored when invalid).
    pub fn set_host_meter(&self, num: Option<i32>, den: Option<i32>) {
        let v = match (num, den) {
            (Some(n), Some(d)) if (1..=32).contains(&n) && matches!(d, 1 | 2 | 4 | 8 | 16 | 32) => {
                (n as u16) << 8 | d as u16
            }
            _ => 0,
        };
        self.host_meter.store(v, Ordering::Relaxed);
    }
}
