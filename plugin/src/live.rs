//! Live mode's shared state: what the audio thread publishes for the worker (song position,
//! jumps, boundary counts; atomics only) and what the worker publishes for the panel (what was
//! heard, what comes next; behind a lock the audio thread never takes).

use bandmate_engine::chord::Chord;
use bandmate_engine::live::Energy;
use bandmate_engine::theory::Key;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

/// What the panel shows of live mode. Written by the worker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveView {
    pub chord: Option<Chord>,
    pub key: Option<Key>,
    pub energy: Energy,
    /// The band's next chords from the playhead: (bar, beat 1-based, chord).
    pub upcoming: Vec<(u32, u32, Chord)>,
    /// Start bar (0-based) and notes of the next melody phrase written, in answer/continue.
    pub next_phrase: Option<(u32, usize)>,
    /// Worker time per bar of music, in microseconds (mean over the session).
    pub worker_us_per_bar: f64,
}

/// Live state shared by the audio thread, the worker and the editor.
#[derive(Debug)]
pub struct LiveShared {
    /// Song position (quarters, f64 bits) at the end of the last block; NaN while stopped.
    position: AtomicU64,
    /// Length of the last block in quarters (f64 bits). Audio thread writes.
    block: AtomicU64,
    /// Set by the audio thread when the position jumped; taken by the worker.
    jumped: AtomicBool,
    /// Boundaries whose material came late, switches made. Audio thread writes.
    pub missed: AtomicU64,
    pub switches: AtomicU64,
    /// Boundaries with candidates played, by the candidate chosen. Audio thread writes.
    pub chosen: [AtomicU64; 2],
    /// The last boundary with candidates the audio thread played and its pick
    /// (`tick << 8 | index`, `u64::MAX` = none). Audio thread writes.
    choice: AtomicU64,
    /// Frames of the last block. Audio thread writes.
    pub frames: AtomicU32,
    pub view: Mutex<LiveView>,
}

impl Default for LiveShared {
    fn default() -> Self {
        LiveShared {
            position: AtomicU64::new(f64::NAN.to_bits()),
            block: AtomicU64::new(0f64.to_bits()),
            jumped: AtomicBool::new(false),
            missed: AtomicU64::new(0),
            switches: AtomicU64::new(0),
            chosen: [AtomicU64::new(0), AtomicU64::new(0)],
            choice: AtomicU64::new(u64::MAX),
            frames: AtomicU32::new(0),
            view: Mutex::new(LiveView::default()),
        }
    }
}

/// The counts the audio thread publishes, as one line for [`STATS_ENV`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveCounts {
    pub frames: u32,
    pub switches: u64,
    pub missed: u64,
    pub chosen: [u64; 2],
}

/// Environment variable naming a folder where each instance's worker keeps its live counts
/// (`live-<process>-<instance>.txt`, one line, rewritten when they change) for benchmarks.
pub const STATS_ENV: &str = "BANDMATE_LIVE_STATS";

impl std::fmt::Display for LiveCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "frames={} switches={} missed={} chosen={},{}",
            self.frames, self.switches, self.missed, self.chosen[0], self.chosen[1]
        )
    }
}

impl LiveShared {
    /// Audio thread: the last boundary with candidates played and the candidate chosen.
    pub fn set_choice(&self, choice: Option<(u32, usize)>) {
        let v = choice.map_or(u64::MAX, |(at, i)| u64::from(at) << 8 | (i as u64 & 0xFF));
        self.choice.store(v, Ordering::Release);
    }

    /// Worker: the audio thread's last pick at a boundary with candidates.
    pub fn choice(&self) -> Option<(u32, usize)> {
        let v = self.choice.load(Ordering::Acquire);
        (v != u64::MAX).then_some(((v >> 8) as u32, (v & 0xFF) as usize))
    }

    /// What the audio thread counted so far.
    pub fn counts(&self) -> LiveCounts {
        LiveCounts {
            frames: self.frames.load(Ordering::Relaxed),
            switches: self.switches.load(Ordering::Relaxed),
            missed: self.missed.load(Ordering::Relaxed),
            chosen: [
                self.chosen[0].load(Ordering::Relaxed),
                self.chosen[1].load(Ordering::Relaxed),
            ],
        }
    }

    /// Song position in quarters at the end of the last block, `None` while stopped.
    pub fn position(&self) -> Option<f64> {
        let v = f64::from_bits(self.position.load(Ordering::Acquire));
        v.is_finite().then_some(v)
    }

    /// Audio thread.
    pub fn set_position(&self, quarters: Option<f64>) {
        self.position
            .store(quarters.unwrap_or(f64::NAN).to_bits(), Ordering::Release);
    }

    /// Audio thread: the length of the block just played, in quarters.
    pub fn set_block(&self, quarters: f64) {
        self.block.store(quarters.to_bits(), Ordering::Relaxed);
    }

    /// Length of the last block in quarters (0 before the first).
    pub fn block(&self) -> f64 {
        let v = f64::from_bits(self.block.load(Ordering::Relaxed));
        if v.is_finite() && v > 0.0 {
            v
        } else {
            0.0
        }
    }

    /// Audio thread: the position jumped (seek, loop).
    pub fn mark_jump(&self) {
        self.jumped.store(true, Ordering::Release);
    }

    /// Worker: whether the position jumped since the last call.
    pub fn take_jump(&self) -> bool {
        self.jumped.swap(false, Ordering::AcqRel)
    }
}
