//! The worker: the one owner of the session. It generates clips and advances the history
//! (labelled from the task that made each clip), restores earlier generations with their
//! parameters, turns incoming notes into a history and follows the detected key, and hands
//! clips to the audio thread ([`crate::handoff`]).
//!
//! Runs on the runner's thread (`runner.rs`), and on the main thread in `activate()`
//! ([`Worker::initial_clip`]). Never on the audio thread.

use crate::fingerprint::Fingerprinter;
use crate::handoff::{self, AudioSide, Loaded, WorkerSide};
use crate::host::ParamHost;
use crate::params::{
    changes_for, effective_key, effective_meter, settings_from_params, BandmateParams,
    KeySourceChoice, ParamChange,
};
use crate::persist::PersonalChoice;
use crate::shared::{Shared, StatusKind};
use crate::task::{label, Made, Task};
use bandmate_engine::arrange::{self, Arrangement, Notice, Settings};
use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::form::{self, Form};
use bandmate_engine::input::{self, Pairer};
use bandmate_engine::personal::{self, store, Personal, PersonalStyle};
use bandmate_engine::playback::PlaybackClip;
use bandmate_engine::session::Snapshot;
use bandmate_engine::theory::Key;
use nice_plug::prelude::Param;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the worker waits for the host to apply restored parameters before it treats the
/// parameters as the user's again.
pub const RESTORE_WAIT: Duration = Duration::from_secs(2);

/// Parameter changes sent to the host that have not all arrived yet.
struct Restore {
    targets: Vec<ParamChange>,
    since: Instant,
}

/// The background side. Shared by the runner and the plugin (for `activate()`).
pub struct Worker {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    host: Arc<dyn ParamHost>,
    fingerprinter: Fingerprinter,
    ends: Mutex<WorkerSide>,
    pairer: Mutex<Pairer>,
    restore: Mutex<Option<Restore>>,
    /// A key the worker started following that no clip has been made for yet.
    just_followed: Mutex<Option<Key>>,
    /// The fingerprint a generation failed (or panicked) for: not retried until it changes.
    gave_up: Mutex<Option<u64>>,
    next_id: AtomicU64,
    /// The personal style in use, loaded once, and its "like my music" amount.
    personal: Mutex<Option<(Arc<PersonalStyle>, f32)>>,
    /// Live mode's engine, while live mode is on.
    live: Mutex<Option<live::LiveSession>>,
    live_stats: Mutex<live::LiveStats>,
    /// Test hook: the next task (or `initial_clip`) panics, to prove the panic is contained.
    #[cfg(test)]
    inject_panic: std::sync::atomic::AtomicBool,
}

/// Makes the worker and the audio thread's ends of the queues.
pub fn make(
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    host: Arc<dyn ParamHost>,
) -> (Arc<Worker>, AudioSide) {
    let (ends, audio) = handoff::make();
    let worker = Worker {
        fingerprinter: Fingerprinter::new(params.clone()),
        params,
        shared,
        host,
        ends: Mutex::new(ends),
        pairer: Mutex::new(Pairer::default()),
        restore: Mutex::new(None),
        just_followed: Mutex::new(None),
        gave_up: Mutex::new(None),
        next_id: AtomicU64::new(1),
        personal: Mutex::new(None),
        live: Mutex::new(None),
        live_stats: Mutex::new(live::LiveStats::new()),
        #[cfg(test)]
        inject_panic: std::sync::atomic::AtomicBool::new(false),
    };
    (Arc::new(worker), audio)
}

impl Worker {
    /// Runs one task. A panic anywhere in it is caught here ([`Worker::contain_panic`]): the
    /// host never sees it and the audio thread keeps playing the previous clip.
    pub fn run(&self, task: Task) {
        self.collect_garbage();
        let what = format!("{task:?}");
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_task(task)));
        if let Err(payload) = outcome {
            self.contain_panic(&what, payload.as_ref());
        }
        self.ends.lock().flush();
    }

    fn run_task(&self, task: Task) {
        self.test_hook();
        match task {
            Task::Generate => self.generate_until_current(),
            Task::RegeneratePart { kind, seed } => self.regenerate_part(kind, seed),
            Task::DrainInput => self.drain_input(),
            Task::ContinueIdea { seed } => self.continue_idea(seed),
            Task::LiveTick => self.live_tick(),
            Task::Undo => self.step(true),
            Task::Redo => self.step(false),
            Task::SetForm(form) => self.set_form(form),
            Task::RegenerateSection { index, seed } => self.regenerate_section(index, seed),
            Task::LockSection { index, locked } => self.lock_section(index, locked),
            Task::SetExportDir(dir) => self.params.session.write().session.export_dir = dir,
            Task::DismissWarnings => self.params.session.clear_warnings(),
            Task::LearnStyle { dir, name } => self.learn_style(&dir, &name),
            Task::SetPersonal { name, like_pct } => {
                self.set_personal(name, f32::from(like_pct.min(100)) / 100.0)
            }
            // Main-thread work; the task executor runs it (see `lib.rs`).
            Task::ApplyHostParams => {}
        }
    }

    /// Drops clips the audio thread has replaced.
    pub fn collect_garbage(&self) {
        self.ends.lock().collect_garbage();
    }

    /// The settings the parameters ask for now, with the session's song plan (for a new song
    /// seed, only its locked sections keep their seeds).
    pub fn settings_now(&self) -> Settings {
        let (followed, song, seed) = {
            let st = self.params.session.read();
            let s = &st.session.settings;
            (st.followed_key, s.song.clone(), s.seed)
        };
        let mut settings = settings_from_params(&self.params, self.shared.host_meter(), followed);
        settings.song = song.map(|p| {
            if settings.seed == seed {
                p
            } else {
                p.reseeded()
            }
        });
        settings
    }

    /// The fingerprint of the parameters now (with the effective meter and key).
    pub fn fingerprint_now(&self) -> u64 {
        let followed = self.params.session.read().followed_key;
        self.fingerprinter.current(
            effective_meter(&self.params, self.shared.host_meter()),
            effective_key(&self.params, followed),
        )
    }

    /// Whether the clip no longer matches the parameters (or a state load brought a new
    /// session): the runner then runs [`Task::Generate`]. While restored parameters are on their
    /// way to the host (undo, redo) the answer is no, for at most [`RESTORE_WAIT`].
    pub fn needs_generation(&self) -> bool {
        if self.params.session.is_restored() {
            return true;
        }
        let fp = self.fingerprint_now();
        if self.params.session.read().fingerprint == Some(fp) {
            *self.restore.lock() = None;
            return false;
        }
        if *self.gave_up.lock() == Some(fp) {
            return false;
        }
        let mut restore = self.restore.lock();
        if let Some(r) = restore.as_ref() {
            // SAFETY: the pointers point into `self.params`.
            let arrived = r
                .targets
                .iter()
                .all(|(ptr, v)| unsafe { (ptr.unmodulated_normalized_value() - v).abs() <= 1e-6 });
            if !arrived && r.since.elapsed() < RESTORE_WAIT {
                return false;
            }
            *restore = None;
        }
        true
    }

    /// Main thread, in `activate()`: the clip to start with, when the plugin has none yet or a
    /// state load brought one: the session's clip when there is one (a reopened project plays
    /// the identical clip), else one generated now. `None` when there is nothing new or
    /// generation fails (the status says why); a panic is contained as in [`Worker::run`].
    pub fn initial_clip(&self, have_clip: bool) -> Option<Box<Loaded>> {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.initial_clip_unguarded(have_clip)
        }));
        outcome.unwrap_or_else(|payload| {
            self.contain_panic("initial clip", payload.as_ref());
            None
        })
    }

    fn initial_clip_unguarded(&self, have_clip: bool) -> Option<Box<Loaded>> {
        self.test_hook();
        let restored = self.params.session.take_restored();
        if restored {
            self.restore_personal();
        }
        if have_clip && !restored {
            return None;
        }
        let clip = self.params.session.read().session.clip.clone();
        match clip {
            Some(clip) => {
                self.adopt_if_same_settings();
                Some(self.publish(&clip, &[], String::new()))
            }
            None => self.generate(),
        }
    }

    /// Main thread (activate/deactivate): empties the clip queue and returns the newest clip.
    pub fn take_queued(&self, audio: &mut AudioSide) -> Option<Box<Loaded>> {
        let mut ends = self.ends.lock();
        ends.flush();
        let mut newest = None;
        while let Ok(l) = audio.clips.pop() {
            newest = Some(l);
        }
        ends.collect_garbage();
        newest
    }

    /// Brings the clip in line with the parameters; repeats while they changed meanwhile.
    fn generate_until_current(&self) {
        for _ in 0..8 {
            if self.params.session.take_restored() {
                self.restore_personal();
                let clip = self.params.session.read().session.clip.clone();
                if let Some(clip) = clip {
                    let loaded = self.publish(&clip, &[], String::new());
                    self.send(loaded);
                }
            }
            let fp = self.fingerprint_now();
            if self.params.session.read().fingerprint != Some(fp) && !self.adopt_if_same_settings()
            {
                if let Some(loaded) = self.generate() {
                    self.send(loaded);
                }
            }
            if self.fingerprint_now() == fp && !self.params.session.is_restored() {
                return;
            }
        }
    }

    /// When the session has a clip made from exactly the settings the parameters ask for now,
    /// records the current fingerprint for it (nothing to generate) and returns true.
    fn adopt_if_same_settings(&self) -> bool {
        let settings = self.settings_now();
        let fp = self.fingerprint_now();
        let mut st = self.params.session.write();
        if st.session.clip.is_some() && st.session.settings == settings {
            st.fingerprint = Some(fp);
            return true;
        }
        false
    }

    /// Generates from the parameters (locked parts keep their notes) and makes it the current
    /// generation. Returns the clip for the audio thread.
    fn generate(&self) -> Option<Box<Loaded>> {
        self.generate_from(self.settings_now(), None)
    }

    /// Generates from `settings` (locked parts keep their notes) and makes it the current
    /// generation, labelled for `made` (`None`: from the parameters). Returns the clip for the
    /// audio thread; on failure the status says why and nothing changes.
    fn generate_from(&self, settings: Settings, made: Option<Made>) -> Option<Box<Loaded>> {
        let fp = self.fingerprint_now();
        let locked = self.params.locked_parts();
        self.set_status(StatusKind::Generating, String::new());
        let previous = self.params.session.read().session.clip.clone();
        let chosen = self.personal.lock().clone();
        let personal = chosen.as_ref().map(|(style, like)| Personal {
            style: style.as_ref(),
            like: *like,
        });
        match form::generate_clip(&settings, previous.as_ref(), &locked, personal) {
            Ok(Arrangement { clip, notices }) => {
                let made = made.unwrap_or_else(|| Made::Generate {
                    followed: self.just_followed.lock().take(),
                });
                let label = label(made, &settings, &locked);
                let snapshot = Snapshot {
                    clip: clip.clone(),
                    settings,
                    label,
                };
                let committed = self.params.session.commit(|st| {
                    st.session.advance(snapshot);
                    st.fingerprint = Some(fp);
                });
                committed.then(|| self.publish(&clip, &notices, String::new()))
            }
            Err(e) => {
                *self.gave_up.lock() = Some(fp);
                self.set_status(StatusKind::Error, format!("could not generate: {e}"));
                None
            }
        }
    }

    /// Learns a personal style on this (the worker's) thread, saves it and starts using it.
    fn learn_style(&self, dir: &str, name: &str) {
        let st = &self.shared.learn;
        st.cancel.store(false, Ordering::Relaxed);
        st.done.store(0, Ordering::Relaxed);
        st.total.store(0, Ordering::Relaxed);
        st.running.store(true, Ordering::Relaxed);
        let like = st.chosen.lock().as_ref().map_or(0.8, |c| c.1);
        let outcome = (|| -> Result<String, personal::PersonalError> {
            let styles = store::styles_dir().ok_or(personal::PersonalError::NoDataDir)?;
            let learned = personal::learn(
                std::path::Path::new(dir.trim()),
                name.trim(),
                &st.cancel,
                |done, total, _| {
                    st.done.store(done as u32, Ordering::Relaxed);
                    st.total.store(total as u32, Ordering::Relaxed);
                },
            )?;
            store::save(&styles, &learned.profile)?;
            Ok(format!(
                "learned {:?} from {} files ({} skipped{})",
                name.trim(),
                learned.used,
                learned.skipped.len(),
                learned.skipped.first().map_or(String::new(), |s| format!(
                    ", e.g. {}: {}",
                    s.path.display(),
                    s.reason
                ))
            ))
        })();
        st.running.store(false, Ordering::Relaxed);
        match outcome {
            Ok(msg) => {
                *st.message.lock() = msg;
                self.set_personal(Some(name.trim().to_string()), like);
            }
            Err(e) => *st.message.lock() = e.to_string(),
        }
    }

    /// After a state load: uses the personal style the project names (without generating); a
    /// style missing on this machine is reported and the base models are used.
    fn restore_personal(&self) {
        let want = self.params.session.read().personal.clone();
        let loaded = want.as_ref().map(|p| {
            store::styles_dir()
                .ok_or(personal::PersonalError::NoDataDir)
                .and_then(|d| store::load(&d, &p.name))
        });
        match (want, loaded) {
            (Some(p), Some(Ok(style))) => {
                *self.personal.lock() = Some((Arc::new(style), p.like));
                *self.shared.learn.chosen.lock() = Some((p.name, p.like));
            }
            (Some(p), Some(Err(e))) => {
                *self.personal.lock() = None;
                *self.shared.learn.chosen.lock() = None;
                *self.shared.learn.message.lock() = format!(
                    "this project uses the personal style {:?}, which could not be loaded ({e}); using the base models",
                    p.name
                );
            }
            _ => {
                *self.personal.lock() = None;
                *self.shared.learn.chosen.lock() = None;
            }
        }
    }

    /// Loads (or drops) the personal style and makes a new clip with it.
    fn set_personal(&self, name: Option<String>, like: f32) {
        let like = if like.is_finite() {
            like.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let loaded = match &name {
            None => Ok(None),
            Some(n) => store::styles_dir()
                .ok_or(personal::PersonalError::NoDataDir)
                .and_then(|d| store::load(&d, n))
                .map(|s| Some(Arc::new(s))),
        };
        match loaded {
            Ok(style) => {
                *self.personal.lock() = style.map(|s| (s, like));
                self.params.session.write().personal =
                    name.clone().map(|name| PersonalChoice { name, like });
                *self.shared.learn.chosen.lock() = name.map(|n| (n, like));
                if let Some(loaded) = self.generate() {
                    self.send(loaded);
                }
            }
            Err(e) => *self.shared.learn.message.lock() = e.to_string(),
        }
    }

    /// Makes `clip` (from `made`, with the session's settings) the current generation and
    /// sends it to the audio thread.
    fn advance(&self, clip: Clip, notices: &[Notice], made: Made, message: String) {
        let committed = self.params.session.commit(|st| {
            let settings = st.session.settings.clone();
            let label = label(made, &settings, &[]);
            st.session.advance(Snapshot {
                clip: clip.clone(),
                settings,
                label,
            });
        });
        if committed {
            let loaded = self.publish(&clip, notices, message);
            self.send(loaded);
        }
    }

    fn current(&self) -> Option<(Clip, Settings)> {
        let st = self.params.session.read();
        let clip = st.session.clip.clone()?;
        Some((clip, st.session.settings.clone()))
    }

    fn regenerate_part(&self, kind: PartKind, seed: u64) {
        let Some((clip, settings)) = self.current() else {
            return self.generate_until_current();
        };
        self.set_status(StatusKind::Generating, String::new());
        match arrange::regenerate(&settings, &clip, kind, seed) {
            Ok(a) => self.advance(
                a.clip,
                &a.notices,
                Made::Regenerate { kind, seed },
                format!("regenerated {} (seed {seed})", kind.name()),
            ),
            Err(e) => self.set_status(
                StatusKind::Error,
                format!("could not regenerate {}: {e}", kind.name()),
            ),
        }
    }

    /// Song form on (`Some(form text)`, checked first) or off: a new generation from the
    /// parameters with that plan; choices of sections the new form still has are kept.
    fn set_form(&self, text: Option<String>) {
        let mut settings = self.settings_now();
        settings.song = match text {
            None => None,
            Some(text) => match Form::parse(&text) {
                Ok(f) => Some(
                    settings
                        .song
                        .clone()
                        .unwrap_or_default()
                        .with_form(text, &f.distinct()),
                ),
                Err(e) => {
                    return self.set_status(StatusKind::Error, format!("bad song form: {e}"));
                }
            },
        };
        let on = settings.song.is_some();
        if let Some(loaded) = self.generate_from(settings, Some(Made::Form { on })) {
            self.send(loaded);
        }
    }

    /// The section at `index` of the current song: its name, length, label and seed.
    fn section(&self, index: usize) -> Result<(String, u32, String, u64), String> {
        let st = self.params.session.read();
        if st.session.settings.song.is_none() {
            return Err("song form is off: there are no sections".into());
        }
        let clip = st.session.clip.as_ref().ok_or("no song yet")?;
        let s = clip
            .sections
            .get(index)
            .ok_or_else(|| format!("the song has no section {}", index + 1))?;
        Ok((s.name.clone(), s.bars, s.label.clone(), s.seed))
    }

    /// New material for one distinct section (all its repeats) from `seed`; every other
    /// section stays byte-identical. A locked section is left alone.
    fn regenerate_section(&self, index: usize, seed: u64) {
        let (name, bars, label, _) = match self.section(index) {
            Ok(s) => s,
            Err(e) => return self.set_status(StatusKind::Error, e),
        };
        let mut settings = self.settings_now();
        let Some(plan) = settings.song.as_mut() else {
            return;
        };
        if plan.is_locked(&name, bars) {
            return self.set_status(
                StatusKind::Error,
                format!("{label} is locked: unlock it to regenerate it"),
            );
        }
        plan.choose(&name, bars, seed, false);
        if let Some(loaded) = self.generate_from(settings, Some(Made::Section { seed })) {
            self.send(loaded);
        }
    }

    /// Locks (keeps its seed when the song seed changes) or unlocks one distinct section. The
    /// clip does not change.
    fn lock_section(&self, index: usize, locked: bool) {
        let (name, bars, label, seed) = match self.section(index) {
            Ok(s) => s,
            Err(e) => return self.set_status(StatusKind::Error, e),
        };
        if let Some(plan) = self.params.session.write().session.settings.song.as_mut() {
            plan.choose(&name, bars, seed, locked);
        }
        let verb = if locked { "locked" } else { "unlocked" };
        self.set_status(StatusKind::Ready, format!("{verb} {label} and its repeats"));
    }

    /// A melody continuing the heard notes (`arrange::continue_idea`).
    fn continue_idea(&self, seed: u64) {
        self.drain_input();
        let Some((clip, settings)) = self.current() else {
            return self.set_status(StatusKind::Error, "no clip to continue yet".into());
        };
        let prime = input::prime_notes(&self.params.heard.read(), input::PRIME_NOTES);
        self.set_status(StatusKind::Generating, String::new());
        match arrange::continue_idea(&settings, &clip, &prime, seed) {
            Ok(a) => self.advance(
                a.clip,
                &a.notices,
                Made::ContinueIdea { seed },
                format!("continued your idea (seed {seed})"),
            ),
            Err(e) => self.set_status(StatusKind::Error, e.to_string()),
        }
    }

    /// Undo (`back`) or redo: the other generation plays, and the parameters are asked to return
    /// to its settings through the host. When the host cannot be reached the parameters stay
    /// as they are and the restored clip is taken as theirs (it is not regenerated).
    fn step(&self, back: bool) {
        let mut restored = None;
        self.params.session.commit(|st| {
            let clip = if back {
                st.session.undo().cloned()
            } else {
                st.session.redo().cloned()
            };
            restored = clip.map(|c| (c, st.session.settings.clone(), st.session.label.clone()));
        });
        let Some((clip, settings, label)) = restored else {
            let what = if back { "undo" } else { "redo" };
            return self.set_status(StatusKind::Ready, format!("nothing to {what}"));
        };
        let verb = if back { "back to" } else { "forward to" };
        let loaded = self.publish(&clip, &[], format!("{verb}: {label}"));
        self.send(loaded);
        let detected = self.params.key_source.value() == KeySourceChoice::Detected;
        if detected {
            self.params.session.write().followed_key = Some(settings.key);
        }
        let changes = changes_for(&self.params, &settings, self.shared.host_meter());
        let expected = self
            .fingerprinter
            .with(&changes, settings.meter, settings.key);
        let fp = if changes.is_empty() {
            self.fingerprint_now()
        } else if self.host.request(&changes) {
            *self.restore.lock() = Some(Restore {
                targets: changes,
                since: Instant::now(),
            });
            expected
        } else {
            self.fingerprint_now()
        };
        self.params.session.write().fingerprint = Some(fp);
    }

    /// Pairs incoming note-ons and offs into the history, detects the key and, with key source
    /// "detected", follows a confident new key (the next clip is in it; the key parameters are
    /// asked to change through the host).
    fn drain_input(&self) {
        self.shared
            .input_task_pending
            .store(false, Ordering::SeqCst);
        let mut finished = Vec::new();
        let mut heard = Vec::new();
        {
            let mut ends = self.ends.lock();
            let mut pairer = self.pairer.lock();
            while let Ok(e) = ends.input.pop() {
                finished.extend(pairer.push(e));
                heard.push(e);
            }
        }
        self.live_input(&heard);
        if finished.is_empty() {
            return;
        }
        let detected = {
            let mut h = self.params.heard.write();
            input::remember(&mut h, finished);
            input::detect_key(&h)
        };
        if detected.is_some() {
            *self.shared.detected_key.lock() = detected;
        }
        if self.params.key_source.value() != KeySourceChoice::Detected {
            return;
        }
        let Some(key) = input::key_to_follow(detected) else {
            return;
        };
        let followed = self.params.session.read().followed_key;
        let new = followed != Some(key)
            && !(followed.is_none() && effective_key(&self.params, None) == key);
        if new {
            self.params.session.write().followed_key = Some(key);
            *self.just_followed.lock() = Some(key);
        }
        // The key parameters show the followed key; asked again until the host can be reached.
        let mut s = self.settings_now();
        s.key = key;
        let (tonic, mode) = (self.params.tonic.as_ptr(), self.params.mode.as_ptr());
        let changes: Vec<ParamChange> = changes_for(&self.params, &s, self.shared.host_meter())
            .into_iter()
            .filter(|(p, _)| *p == tonic || *p == mode)
            .collect();
        if !changes.is_empty() {
            self.host.request(&changes);
        }
    }

    /// Makes the playback form, publishes the status and the new clip id (after the session
    /// holds the clip) and returns the clip for the audio thread.
    fn publish(&self, clip: &Clip, notices: &[Notice], message: String) -> Box<Loaded> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let playback = PlaybackClip::from_clip(clip);
        self.shared.clip_id.store(id, Ordering::Release);
        let mut st = self.shared.status.lock();
        st.kind = StatusKind::Ready;
        st.message = message;
        st.notices = notices.to_vec();
        st.backend = bandmate_engine::model::backend_name().to_string();
        Box::new(Loaded { id, playback })
    }

    fn set_status(&self, kind: StatusKind, message: String) {
        let mut st = self.shared.status.lock();
        st.kind = kind;
        st.message = message;
    }

    fn send(&self, loaded: Box<Loaded>) {
        self.ends.lock().send(loaded);
    }

    /// Reports a caught panic in the status (the editor shows it) and the log. Nothing is sent
    /// to the audio thread, so the previous clip keeps playing. The plugin's mutexes are
    /// `parking_lot` ones, which a panic does not poison.
    fn contain_panic(&self, what: &str, payload: &(dyn std::any::Any + Send)) {
        let reason = panic_message(payload);
        nice_plug::nice_error!(
            "bandmate: background task {what} panicked: {reason}; the previous clip keeps playing"
        );
        self.shared
            .input_task_pending
            .store(false, Ordering::SeqCst);
        *self.gave_up.lock() = Some(self.fingerprint_now());
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
mod tests;

mod live;
