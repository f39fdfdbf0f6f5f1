//! The handoff between the worker and the audio thread: three `rtrb` single-producer,
//! single-consumer queues, wait-free on the audio side.
//!
//! - clips: worker → audio ([`CLIP_QUEUE`]), `Box<Loaded>` built off the audio thread;
//! - garbage: audio → worker ([`GARBAGE_QUEUE`]), replaced clips, dropped on the worker thread;
//! - input: audio → worker ([`INPUT_QUEUE`]), incoming note-on/offs with their song position;
//! - live: worker → audio ([`LIVE_QUEUE`]), live material, and its garbage back.
//!
//! [`AudioSide`] is owned by the plugin object (audio thread); [`WorkerSide`] sits behind
//! mutexes that only the worker thread and the main thread (`activate()`) take.

use bandmate_engine::input::InputEvent;
use bandmate_engine::live::player::LiveMaterial;
use bandmate_engine::playback::PlaybackClip;
use rtrb::{Consumer, Producer, RingBuffer};

pub const CLIP_QUEUE: usize = 4;
pub const GARBAGE_QUEUE: usize = 16;
pub const INPUT_QUEUE: usize = 1024;
pub const LIVE_QUEUE: usize = 8;

/// A clip ready for the audio thread, with the id the editor sees in `Shared::clip_id`.
pub struct Loaded {
    pub id: u64,
    pub playback: PlaybackClip,
}

/// The audio thread's ends.
pub struct AudioSide {
    pub clips: Consumer<Box<Loaded>>,
    pub garbage: Producer<Box<Loaded>>,
    pub input: Producer<InputEvent>,
    pub live: Consumer<Box<LiveMaterial>>,
    pub live_garbage: Producer<Box<LiveMaterial>>,
}

/// The worker's ends.
pub struct WorkerSide {
    clips: Producer<Box<Loaded>>,
    /// A clip that did not fit in the queue; replaced by newer ones, retried first.
    pending: Option<Box<Loaded>>,
    garbage: Consumer<Box<Loaded>>,
    pub input: Consumer<InputEvent>,
    live: Producer<Box<LiveMaterial>>,
    /// Live material that did not fit in the queue; replaced by newer ones, retried first.
    live_pending: Option<Box<LiveMaterial>>,
    live_garbage: Consumer<Box<LiveMaterial>>,
}

/// Makes the queues and returns both sides.
pub fn make() -> (WorkerSide, AudioSide) {
    let (clip_tx, clip_rx) = RingBuffer::new(CLIP_QUEUE);
    let (garbage_tx, garbage_rx) = RingBuffer::new(GARBAGE_QUEUE);
    let (input_tx, input_rx) = RingBuffer::new(INPUT_QUEUE);
    let (live_tx, live_rx) = RingBuffer::new(LIVE_QUEUE);
    let (live_garbage_tx, live_garbage_rx) = RingBuffer::new(GARBAGE_QUEUE);
    (
        WorkerSide {
            clips: clip_tx,
            pending: None,
            garbage: garbage_rx,
            input: input_rx,
            live: live_tx,
            live_pending: None,
            live_garbage: live_garbage_rx,
        },
        AudioSide {
            clips: clip_rx,
            garbage: garbage_tx,
            input: input_tx,
            live: live_rx,
            live_garbage: live_garbage_tx,
        },
    )
}

impl WorkerSide {
    /// Queues a clip for the audio thread; one that does not fit waits (replacing an older one).
    pub fn send(&mut self, loaded: Box<Loaded>) {
        self.pending = Some(loaded);
        self.flush();
    }

    /// Retries the waiting clip.
    pub fn flush(&mut self) {
        if let Some(l) = self.pending.take() {
            if let Err(rtrb::PushError::Full(l)) = self.clips.push(l) {
                self.pending = Some(l);
            }
        }
    }

    /// Drops clips and live material the audio thread has replaced.
    pub fn collect_garbage(&mut self) {
        while self.garbage.pop().is_ok() {}
        while self.live_garbage.pop().is_ok() {}
    }

    /// Queues live material; one that does not fit waits. A newer one replacing a waiting one
    /// keeps the earlier switch tick (the waiting one's changes are in the newer one too).
    pub fn send_live(&mut self, mut m: Box<LiveMaterial>) {
        if let Some(old) = self.live_pending.take() {
            m.switch_at = m.switch_at.min(old.switch_at).max(m.from);
            m.urgent |= old.urgent;
        }
        self.live_pending = Some(m);
        self.flush_live();
    }

    /// Retries the waiting live material.
    pub fn flush_live(&mut self) {
        if let Some(m) = self.live_pending.take() {
            if let Err(rtrb::PushError::Full(m)) = self.live.push(m) {
                self.live_pending = Some(m);
            }
        }
    }
}
