//! The handoff between the worker and the audio thread: three `rtrb` single-producer,
//! single-consumer queues, wait-free on the audio side.
//!
//! - clips: worker → audio ([`CLIP_QUEUE`]), `Box<Loaded>` built off the audio thread;
//! - garbage: audio → worker ([`GARBAGE_QUEUE`]), replaced clips, dropped on the worker thread;
//! - input: audio → worker ([`INPUT_QUEUE`]), incoming note-on/offs with their song position.
//!
//! [`AudioSide`] is owned by the plugin object (audio thread); [`WorkerSide`] sits behind
//! mutexes that only the worker thread and the main thread (`activate()`) take.

use bandmate_engine::input::InputEvent;
use bandmate_engine::playback::PlaybackClip;
use rtrb::{Consumer, Producer, RingBuffer};

pub const CLIP_QUEUE: usize = 4;
pub const GARBAGE_QUEUE: usize = 16;
pub const INPUT_QUEUE: usize = 1024;

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
}

/// The worker's ends.
pub struct WorkerSide {
    clips: Producer<Box<Loaded>>,
    /// A clip that did not fit in the queue; replaced by newer ones, retried first.
    pending: Option<Box<Loaded>>,
    garbage: Consumer<Box<Loaded>>,
    pub input: Consumer<InputEvent>,
}

/// Makes the queues and returns both sides.
pub fn make() -> (WorkerSide, AudioSide) {
    let (clip_tx, clip_rx) = RingBuffer::new(CLIP_QUEUE);
    let (garbage_tx, garbage_rx) = RingBuffer::new(GARBAGE_QUEUE);
    let (input_tx, input_rx) = RingBuffer::new(INPUT_QUEUE);
    (
        WorkerSide {
            clips: clip_tx,
            pending: None,
            garbage: garbage_rx,
            input: input_rx,
        },
        AudioSide {
            clips: clip_rx,
            garbage: garbage_tx,
            input: input_tx,
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

    /// Drops clips the audio thread has replaced.
    pub fn collect_garbage(&mut self) {
        while self.garbage.pop().is_ok() {}
    }
}
