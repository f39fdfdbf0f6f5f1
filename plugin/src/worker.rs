//! The non-real-time side: the background task that generates clips and hands them to the audio
//! thread, takes old clips back to drop them, and turns incoming notes into a history.
//!
//! Handoff (all wait-free on the audio side, `rtrb` single-producer/single-consumer queues):
//! - clips: worker → audio (`CLIP_QUEUE`), `Box<Loaded>` built off the audio thread;
//! - garbage: audio → worker (`GARBAGE_QUEUE`), replaced clips, dropped here;
//! - input: audio → worker (`INPUT_QUEUE`), incoming note-on/offs with their song position.
//!
//! The worker's ends sit behind mutexes: only the background thread and the main thread (in
//! `activate()`) take them, never the audio thread.

use crate::params::{fingerprint, settings_from_params, BandmateParams, Loaded, SavedClip};
use crate::shared::{Shared, StatusKind};
use bandmate_engine::arrange::{self, Arrangement};
use bandmate_engine::clip::{Clip, Note, Part, PartKind, TICKS_PER_QUARTER};
use bandmate_engine::playback::PlaybackClip;
use bandmate_engine::theory::Key;
use parking_lot::Mutex;
use rtrb::{Consumer, Producer, RingBuffer};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const CLIP_QUEUE: usize = 4;
pub const GARBAGE_QUEUE: usize = 16;
pub const INPUT_QUEUE: usize = 1024;
/// Notes kept in the history.
pub const HISTORY_LEN: usize = 256;
/// Notes of the history used as the prime for "continue my idea".
pub const PRIME_NOTES: usize = 32;

/// Work for the background executor (`Plugin::task_executor`). Plain data: no heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Generate the whole clip from the parameters (requests coalesce while one runs).
    Generate,
    /// Regenerate one part with `seed`, keeping the chord track and the other parts.
    RegeneratePart { kind: PartKind, seed: u64 },
    /// Move incoming notes into the history and update the detected key.
    DrainInput,
    /// "Continue my idea": a new melody part from the melody model, primed with the last notes
    /// heard on the input (keeps the chords and the other parts).
    ContinueIdea { seed: u64 },
}

/// A note-on or note-off heard on the MIDI input. `quarters` is the song position (or the
/// free-running clock) at the event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputEvent {
    pub on: bool,
    pub channel: u8,
    pub key: u8,
    pub velocity: u8,
    pub quarters: f64,
}

/// A note from the input history, timed in quarter notes of the song (or the free-running clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeardNote {
    pub start: f64,
    pub duration: f64,
    pub channel: u8,
    pub key: u8,
    pub velocity: u8,
}

/// The audio thread's ends of the queues. Owned by the plugin object (audio thread).
pub struct AudioSide {
    pub clips: Consumer<Box<Loaded>>,
    pub garbage: Producer<Box<Loaded>>,
    pub input: Producer<InputEvent>,
}

struct ClipOut {
    queue: Producer<Box<Loaded>>,
    /// A clip that did not fit in the queue; replaced by newer ones, retried first.
    pending: Option<Box<Loaded>>,
}

/// The background side. Shared by the task executor and the plugin (for `activate()`).
pub struct Worker {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    clips: Mutex<ClipOut>,
    garbage: Mutex<Consumer<Box<Loaded>>>,
    input: Mutex<Consumer<InputEvent>>,
    /// Notes on (channel, key) still waiting for their note-off: (start, velocity).
    open: Mutex<Vec<(u8, u8, f64, u8)>>,
    next_id: AtomicU64,
    /// Test hook: the next task (or `initial_clip`) panics, to prove the panic is contained.
    #[cfg(test)]
    inject_panic: std::sync::atomic::AtomicBool,
}

/// Makes the queues and returns both sides.
pub fn make(params: Arc<BandmateParams>, shared: Arc<Shared>) -> (Arc<Worker>, AudioSide) {
    let (clip_tx, clip_rx) = RingBuffer::new(CLIP_QUEUE);
    let (garbage_tx, garbage_rx) = RingBuffer::new(GARBAGE_QUEUE);
    let (input_tx, input_rx) = RingBuffer::new(INPUT_QUEUE);
    let worker = Worker {
        params,
        shared,
        clips: Mutex::new(ClipOut {
            queue: clip_tx,
            pending: None,
        }),
        garbage: Mutex::new(garbage_rx),
        input: Mutex::new(input_rx),
        open: Mutex::new(Vec::new()),
        next_id: AtomicU64::new(1),
        #[cfg(test)]
        inject_panic: std::sync::atomic::AtomicBool::new(false),
    };
    (
        Arc::new(worker),
        AudioSide {
            clips: clip_rx,
            garbage: garbage_tx,
            input: input_tx,
        },
    )
}

impl Worker {
    /// Runs one task. Background thread (or the main thread via `ActivateContext::execute`).
    /// A panic anywhere in the task is caught here (see [`Worker::contain_panic`]): the host
    /// never sees it and the audio thread keeps playing the previous clip.
    pub fn run(&self, task: Task) {
        self.collect_garbage();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_task(task)));
        if let Err(payload) = outcome {
            self.contain_panic(&format!("{task:?}"), payload.as_ref());
        }
        self.flush_pending();
    }

    fn run_task(&self, task: Task) {
        self.test_hook();
        match task {
            Task::Generate => self.generate_until_current(),
            Task::RegeneratePart { kind, seed } => self.regenerate_part(kind, seed),
            Task::DrainInput => self.drain_input(),
            Task::ContinueIdea { seed } => self.continue_idea(seed),
        }
    }

    /// Drops clips the audio thread has replaced.
    pub fn collect_garbage(&self) {
        let mut g = self.garbage.lock();
        while g.pop().is_ok() {}
    }

    /// Main thread, in `activate()`: the clip to start with and its fingerprint, when the plugin
    /// has none yet or a state load brought one. The saved clip when there is one (so a reopened
    /// project plays the identical clip), else a clip generated now from the parameters. `None`
    /// when there is nothing new or generation fails (the status says why).
    /// A panic while making it is contained like one in [`Worker::run`] (`None`, status Error).
    pub fn initial_clip(&self, have_clip: bool) -> Option<(Box<Loaded>, u64)> {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.initial_clip_unguarded(have_clip)
        }));
        outcome.unwrap_or_else(|payload| {
            self.contain_panic("initial clip", payload.as_ref());
            None
        })
    }

    fn initial_clip_unguarded(&self, have_clip: bool) -> Option<(Box<Loaded>, u64)> {
        self.test_hook();
        let restored = self.params.saved.take_restored();
        if have_clip && !restored {
            return None;
        }
        if let Some(saved) = self.params.saved.get() {
            let loaded = self.publish_clip(saved.clip, &[], None);
            return Some((loaded, saved.fingerprint));
        }
        let fp = fingerprint(&self.params, self.shared.host_meter());
        self.generate(fp).map(|l| (l, fp))
    }

    /// Brings the clip in line with the parameters, then clears the pending flag; repeats while
    /// the parameters changed meanwhile.
    fn generate_until_current(&self) {
        loop {
            let fp = fingerprint(&self.params, self.shared.host_meter());
            self.sync_clip(fp);
            self.shared.generate_pending.store(false, Ordering::SeqCst);
            let current = fingerprint(&self.params, self.shared.host_meter()) == fp
                && !self.params.saved.is_restored();
            if current || self.shared.generate_pending.swap(true, Ordering::SeqCst) {
                return;
            }
        }
    }

    /// A saved clip made from these parameters is kept (and sent to the audio thread if a state
    /// load just brought it); otherwise a new one is generated and sent.
    fn sync_clip(&self, fp: u64) {
        let restored = self.params.saved.take_restored();
        match self.params.saved.get() {
            Some(saved) if saved.fingerprint == fp => {
                if restored {
                    let loaded = self.publish_clip(saved.clip, &[], None);
                    self.send(loaded);
                }
            }
            _ => {
                if let Some(loaded) = self.generate(fp) {
                    self.send(loaded);
                }
            }
        }
    }

    /// Generates from the parameters; publishes the clip to the shared state and the saved state.
    fn generate(&self, fp: u64) -> Option<Box<Loaded>> {
        let settings = settings_from_params(&self.params, self.shared.host_meter());
        self.set_status(StatusKind::Generating, String::new());
        // Locked parts keep their notes (see `bandmate_engine::session::locks`).
        let previous = self.shared.clip.read().clone();
        let locked = self.params.locked_parts();
        match bandmate_engine::session::locks::generate_with_locks(
            &settings,
            previous.as_deref(),
            &locked,
        ) {
            Ok(Arrangement { clip, notices }) => {
                self.params.saved.store(SavedClip {
                    clip: clip.clone(),
                    settings,
                    fingerprint: fp,
                });
                Some(self.publish_clip(clip, &notices, None))
            }
            Err(e) => {
                self.set_status(StatusKind::Error, format!("could not generate: {e}"));
                None
            }
        }
    }

    fn regenerate_part(&self, kind: PartKind, seed: u64) {
        let current = self.shared.clip.read().clone();
        let saved = self.params.saved.get();
        let (Some(clip), Some(saved)) = (current, saved) else {
            return self.generate_until_current();
        };
        self.set_status(StatusKind::Generating, String::new());
        match arrange::regenerate(&saved.settings, &clip, kind, seed) {
            Ok(Arrangement { clip, notices }) => {
                self.params.saved.store(SavedClip {
                    clip: clip.clone(),
                    ..saved
                });
                let loaded = self.publish_clip(
                    clip,
                    &notices,
                    Some(format!("regenerated {} (seed {seed})", kind.name())),
                );
                self.send(loaded);
            }
            Err(e) => self.set_status(
                StatusKind::Error,
                format!("could not regenerate {}: {e}", kind.name()),
            ),
        }
    }

    /// Melody from the model primed with the input history. The register and sampling follow
    /// the arranger's melody (C4..G5 shifted by the part's octave, `arrange::temperature`).
    fn continue_idea(&self, seed: u64) {
        self.drain_input();
        let (Some(clip), Some(saved)) = (self.shared.clip.read().clone(), self.params.saved.get())
        else {
            return self.set_status(StatusKind::Error, "no clip to continue yet".into());
        };
        let prime = prime_notes(&self.params.history.read(), PRIME_NOTES);
        if prime.is_empty() {
            return self.set_status(
                StatusKind::Error,
                "play a few notes first: nothing heard on the MIDI input".into(),
            );
        }
        let opts = saved.settings.part(PartKind::Melody).cloned();
        let low =
            (60 + 12 * i32::from(opts.as_ref().map_or(0, |o| o.octave.clamp(-3, 3)))).clamp(0, 108);
        self.set_status(StatusKind::Generating, String::new());
        let req = bandmate_engine::model::MelodyRequest {
            key: clip.key,
            meter: clip.meter,
            bars: clip.bars,
            chords: &clip.chords,
            low: midly::num::u7::new(low as u8),
            high: midly::num::u7::new((low + 19) as u8),
            temperature: arrange::temperature(saved.settings.adventure),
            top_p: 0.95,
            seed,
            prime: &prime,
        };
        match bandmate_engine::model::generate_melody(&req) {
            Ok(notes) => {
                let mut part = Part::new(PartKind::Melody, notes);
                part.channel = midly::num::u4::new(opts.map_or(1, |o| o.channel.min(15)));
                part.normalize(clip.length_ticks());
                let mut new = (*clip).clone();
                new.set_part(part);
                self.params.saved.store(SavedClip {
                    clip: new.clone(),
                    ..saved
                });
                let loaded =
                    self.publish_clip(new, &[], Some(format!("continued your idea (seed {seed})")));
                self.send(loaded);
            }
            Err(e) => self.set_status(
                StatusKind::Error,
                format!("could not continue the idea: {e}"),
            ),
        }
    }

    /// Makes the playback form, publishes the clip for display and returns it for the audio thread.
    fn publish_clip(&self, clip: Clip, notices: &[String], message: Option<String>) -> Box<Loaded> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let playback = PlaybackClip::from_clip(&clip);
        *self.shared.clip.write() = Some(Arc::new(clip));
        self.shared.clip_id.store(id, Ordering::Release);
        let mut st = self.shared.status.lock();
        st.kind = StatusKind::Ready;
        st.message = message.unwrap_or_default();
        st.notices = notices.to_vec();
        st.backend = bandmate_engine::model::backend_name().to_string();
        Box::new(Loaded { id, playback })
    }

    fn set_status(&self, kind: StatusKind, message: String) {
        let mut st = self.shared.status.lock();
        st.kind = kind;
        st.message = message;
    }

    /// Queues a clip for the audio thread; a clip that does not fit waits in `pending`.
    fn send(&self, loaded: Box<Loaded>) {
        let mut out = self.clips.lock();
        out.pending = Some(loaded);
        Self::flush(&mut out);
    }

    fn flush_pending(&self) {
        Self::flush(&mut self.clips.lock());
    }

    fn flush(out: &mut ClipOut) {
        if let Some(l) = out.pending.take() {
            if let Err(rtrb::PushError::Full(l)) = out.queue.push(l) {
                out.pending = Some(l);
            }
        }
    }

    /// Main thread (activate/deactivate): empties the clip queue and returns the newest clip.
    pub fn take_queued(&self, audio: &mut AudioSide) -> Option<Box<Loaded>> {
        self.flush_pending();
        let mut newest = None;
        while let Ok(l) = audio.clips.pop() {
            newest = Some(l);
        }
        self.collect_garbage();
        newest
    }

    /// Pairs incoming note-ons and offs into the history and runs key detection.
    fn drain_input(&self) {
        self.shared
            .input_task_pending
            .store(false, Ordering::SeqCst);
        let mut finished = Vec::new();
        {
            let mut rx = self.input.lock();
            let mut open = self.open.lock();
            while let Ok(e) = rx.pop() {
                if let Some(i) = open.iter().position(|o| o.0 == e.channel && o.1 == e.key) {
                    let (channel, key, start, velocity) = open.swap_remove(i);
                    finished.push(HeardNote {
                        start,
                        duration: (e.quarters - start).max(0.0),
                        channel,
                        key,
                        velocity,
                    });
                }
                if e.on && open.len() < 512 {
                    open.push((e.channel, e.key, e.quarters, e.velocity));
                }
            }
        }
        if finished.is_empty() {
            return;
        }
        let detected = {
            let mut h = self.params.history.write();
            h.extend(finished);
            let excess = h.len().saturating_sub(HISTORY_LEN);
            h.drain(..excess);
            detect_key(&h)
        };
        if detected.is_some() {
            *self.shared.detected_key.lock() = detected;
        }
    }
}

/// The key of the heard notes and a confidence 0..1, from `bandmate_engine::keydetect::detect`
/// (notes weighted by duration in ticks); `None` when nothing has been heard.
pub fn detect_key(history: &[HeardNote]) -> Option<(Key, f32)> {
    let tpq = f64::from(TICKS_PER_QUARTER);
    let notes = history.iter().map(|n| {
        (
            n.key,
            (n.duration * tpq).round().clamp(1.0, f64::from(u32::MAX)) as u32,
        )
    });
    bandmate_engine::keydetect::detect(notes).map(|k| (k.key, k.confidence))
}

/// The last `max` heard notes as engine notes for `MelodyRequest::prime` ("continue my idea"):
/// ticks at [`TICKS_PER_QUARTER`] from the start of the quarter note holding the first of them.
pub fn prime_notes(history: &[HeardNote], max: usize) -> Vec<Note> {
    let notes = &history[history.len().saturating_sub(max)..];
    let origin = notes
        .iter()
        .map(|n| n.start)
        .fold(f64::INFINITY, f64::min)
        .floor();
    let tpq = TICKS_PER_QUARTER as f64;
    let mut out: Vec<Note> = notes
        .iter()
        .map(|n| {
            let start = ((n.start - origin) * tpq).round().max(0.0) as u32;
            let duration = (n.duration * tpq).round().max(1.0) as u32;
            Note::new(start, duration, i32::from(n.key), i32::from(n.velocity))
        })
        .collect();
    out.sort_by_key(|n| (n.start, n.pitch));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{effective_meter, fingerprint, settings_from_params};
    use bandmate_engine::arrange::Settings;
    use bandmate_engine::theory::{Meter, Mode, PitchClass};

    fn heard(start: f64, key: u8) -> HeardNote {
        HeardNote {
            start,
            duration: 0.5,
            channel: 0,
            key,
            velocity: 90,
        }
    }

    #[test]
    fn default_parameters_map_to_the_engine_defaults() {
        let p = BandmateParams::default();
        assert_eq!(settings_from_params(&p, None), Settings::default());
        assert_eq!(
            settings_from_params(&p, Some(Meter::COMMON)),
            Settings::default()
        );
        let m78 = Meter {
            numerator: 7,
            denominator: 8,
        };
        assert_eq!(settings_from_params(&p, Some(m78)).meter, m78);
        assert_eq!(effective_meter(&p, None), Meter::COMMON);
        assert_ne!(fingerprint(&p, None), fingerprint(&p, Some(m78)));
        assert_eq!(fingerprint(&p, None), fingerprint(&p, Some(Meter::COMMON)));
    }

    #[test]
    fn key_detection_and_prime_from_the_history() {
        // A G major scale, twice, with G emphasized.
        let mut h = Vec::new();
        for (i, k) in [67u8, 69, 71, 72, 74, 76, 78, 79, 67, 71, 74, 67]
            .iter()
            .enumerate()
        {
            h.push(heard(10.25 + i as f64 * 0.5, *k));
        }
        let (key, confidence) = detect_key(&h).expect("a key");
        assert_eq!(key.tonic, PitchClass::new(7));
        assert_eq!(key.mode, Mode::Major);
        assert!((0.0..=1.0).contains(&confidence));
        assert_eq!(detect_key(&[]), None);
        let prime = prime_notes(&h, 4);
        assert_eq!(prime.len(), 4);
        // The last 4 notes start at 14.25, 14.75, 15.25, 15.75 quarters: ticks from quarter 14.
        let starts: Vec<u32> = prime.iter().map(|n| n.start).collect();
        assert_eq!(starts, vec![120, 360, 600, 840]);
        assert!(prime.iter().all(|n| n.duration == 240));
    }
}

/// Panic containment (issue 8): a bug in generation must not reach the host as a crash.
impl Worker {
    /// Reports a caught panic in the status (the editor shows it) and the log, and clears the
    /// pending flags so later requests run. Nothing is sent to the audio thread, so the previous
    /// clip keeps playing. The plugin's mutexes are `parking_lot` ones, which a panic does not
    /// poison; the engine's model locks recover from poisoning.
    fn contain_panic(&self, what: &str, payload: &(dyn std::any::Any + Send)) {
        let reason = panic_message(payload);
        nice_plug::nice_error!(
            "bandmate: background task {what} panicked: {reason}; the previous clip keeps playing"
        );
        self.shared.generate_pending.store(false, Ordering::SeqCst);
        self.shared
            .input_task_pending
            .store(false, Ordering::SeqCst);
        self.set_status(
            StatusKind::Error,
            format!("internal error while generating ({reason}); the previous clip keeps playing"),
        );
    }

    #[cfg(test)]
    fn test_hook(&self) {
        if self.inject_panic.swap(false, Ordering::SeqCst) {
            panic!("injected test panic");
        }
    }

    #[cfg(not(test))]
    fn test_hook(&self) {}
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod containment_tests {
    use super::*;
    use crate::shared::StatusKind;

    #[test]
    fn a_panic_in_background_generation_is_contained_and_the_old_clip_keeps_playing() {
        let shared = Arc::new(Shared::default());
        let (worker, mut audio) = make(Arc::new(BandmateParams::default()), shared.clone());
        worker.run(Task::Generate);
        let first = audio.clips.pop().expect("a first clip");
        let first_clip = shared.clip.read().clone();
        assert_eq!(shared.status.lock().kind, StatusKind::Ready);

        for task in [
            Task::RegeneratePart {
                kind: PartKind::Chords,
                seed: 99,
            },
            Task::Generate,
            Task::DrainInput,
        ] {
            worker.inject_panic.store(true, Ordering::SeqCst);
            shared.generate_pending.store(true, Ordering::SeqCst);
            worker.run(task);
            let st = shared.status.lock().clone();
            assert_eq!(st.kind, StatusKind::Error, "{task:?}");
            assert!(st.message.contains("injected test panic"), "{}", st.message);
            assert!(
                audio.clips.pop().is_err(),
                "{task:?}: nothing replaces the playing clip"
            );
            assert_eq!(shared.clip_id.load(Ordering::SeqCst), first.id);
            assert_eq!(*shared.clip.read(), first_clip);
            assert!(
                !shared.generate_pending.load(Ordering::SeqCst),
                "later requests are not blocked"
            );
        }

        // The worker still works afterwards.
        worker.run(Task::RegeneratePart {
            kind: PartKind::Chords,
            seed: 99,
        });
        let second = audio.clips.pop().expect("a new clip after the panic");
        assert_ne!(second.id, first.id);
        assert_eq!(shared.status.lock().kind, StatusKind::Ready);

        // And a panic while activating gives no clip instead of unwinding into the host.
        worker.inject_panic.store(true, Ordering::SeqCst);
        assert!(worker.initial_clip(false).is_none());
        assert_eq!(shared.status.lock().kind, StatusKind::Error);
        assert_eq!(panic_message(&"x"), "x");
    }
}
