//! The plugin's own background thread, which runs [`Task`]s on the [`Worker`].
//!
//! Why not nice-plug's task thread directly: nice-plug 0.4.2 shares one worker thread between all
//! instances of the plugin in a process, and that thread exits for everyone when it meets a task
//! whose instance is already gone (`event_loop/background_thread.rs`); the next instance to be
//! dropped then panics while sending it a shutdown request (an abort inside `clap_plugin.destroy`).
//! So the audio thread only raises an atomic flag in [`Shared`] when notes came in (no call, no
//! syscall), the editor's `execute_background(task)` lands in [`Runner::request`], and this
//! thread, one per instance, runs the queued tasks and every [`POLL`] looks at the flag and at
//! the parameters' fingerprint ([`Worker::needs_generation`]): change detection happens here,
//! not on the audio thread. It starts on activation (or the first request) and is joined when
//! the plugin is dropped.

use crate::shared::Shared;
use crate::task::Task;
use crate::worker::Worker;
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the thread looks at the input flag and the parameters.
pub const POLL: Duration = Duration::from_millis(5);

struct Inner {
    worker: Arc<Worker>,
    shared: Arc<Shared>,
    queue: Mutex<VecDeque<Task>>,
    stop: AtomicBool,
}

/// Owns the thread. Main/GUI threads only.
pub struct Runner {
    inner: Arc<Inner>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl Runner {
    pub fn new(worker: Arc<Worker>, shared: Arc<Shared>) -> Runner {
        let inner = Inner {
            worker,
            shared,
            queue: Mutex::new(VecDeque::new()),
            stop: AtomicBool::new(false),
        };
        Runner {
            inner: Arc::new(inner),
            handle: Mutex::new(None),
        }
    }

    /// Queues a task and wakes the thread (starting it if needed). Not for the audio thread.
    pub fn request(&self, task: Task) {
        self.inner.queue.lock().push_back(task);
        self.ensure_started();
        if let Some(h) = &*self.handle.lock() {
            h.thread().unpark();
        }
    }

    /// Starts the thread once. Main or GUI thread.
    pub fn ensure_started(&self) {
        let mut handle = self.handle.lock();
        if handle.is_some() {
            return;
        }
        let inner = self.inner.clone();
        *handle = std::thread::Builder::new()
            .name("bandmate-worker".into())
            .spawn(move || inner.run())
            .ok();
    }

    /// Stops and joins the thread (waits for a generation in progress). Main thread, on drop.
    pub fn shutdown(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.lock().take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

impl Inner {
    fn run(&self) {
        while !self.stop.load(Ordering::SeqCst) {
            loop {
                let next = self.queue.lock().pop_front();
                let Some(task) = next else { break };
                self.run_caught(task);
            }
            if self.worker.live_on() || self.worker.live_running() {
                self.run_caught(Task::LiveTick);
            } else if self.shared.input_task_pending.load(Ordering::SeqCst) {
                self.run_caught(Task::DrainInput);
            }
            if self.worker.needs_generation() {
                self.run_caught(Task::Generate);
            }
            self.worker.collect_garbage();
            std::thread::park_timeout(POLL);
        }
    }

    /// Runs a task; a panic ends the task, not the thread (and does not retry it forever).
    fn run_caught(&self, task: Task) {
        let w = &self.worker;
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.run(task))).is_err() {
            self.shared
                .input_task_pending
                .store(false, Ordering::SeqCst);
        }
    }
}
