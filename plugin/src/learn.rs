//! Personal styles in the plugin: the progress of a "Learn from folder" run (written by the
//! worker, read by the editor; cancel set by the editor) and the chosen style with its "like my
//! music" amount. Never touched by the audio thread.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Shared between the worker and the editor, inside [`crate::shared::Shared`].
#[derive(Debug, Default)]
pub struct LearnState {
    /// A learning run is going on.
    pub running: AtomicBool,
    /// Set by the editor's Cancel; the worker stops at the next file.
    pub cancel: AtomicBool,
    pub done: AtomicU32,
    pub total: AtomicU32,
    /// The last run's outcome (or the last style-loading error), for display.
    pub message: Mutex<String>,
    /// The style in use (name) and its "like my music" amount 0..=1, as the worker applied them.
    pub chosen: Mutex<Option<(String, f32)>>,
}

impl LearnState {
    /// (done, total) of the run in progress, None when idle.
    pub fn progress(&self) -> Option<(u32, u32)> {
        self.running.load(Ordering::Relaxed).then(|| {
            (
                self.done.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            )
        })
    }
}
