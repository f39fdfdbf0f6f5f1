//! Bandmate as a CLAP/VST3 plugin (and standalone app): translates between the host and the
//! engine. The music is made by `bandmate_engine::arrange`, the scheduling by
//! `bandmate_engine::playback::Player`; see docs/plugin.md for the threads and the handoff.
//!
//! Threads (the table in docs/plugin.md):
//! - main thread: `activate()` (may generate the first clip synchronously), `deactivate()`,
//!   parameter changes the plugin makes itself ([`host`]);
//! - audio thread: `process()`, `reset()`; plays the ready clip, passes input on, touches only
//!   atomics and wait-free queues (checked with the `assert_process_allocs` feature);
//! - worker thread ([`runner`]): [`worker::Worker`] owns the session, detects parameter changes,
//!   generates clips and drops old ones;
//! - GUI thread: [`editor`] reads state and sends [`Task`]s.

use bandmate_engine::input::InputEvent;
use bandmate_engine::live::player::{LiveMaterial, LivePlayer};
use bandmate_engine::playback::{BlockInfo, EventKind, OutEvent, Player, SongPosition};
use nice_plug::midi::{Channel, Key as MidiKey, VoiceID};
use nice_plug::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub mod editor;
pub mod fingerprint;
pub mod handoff;
pub mod host;
pub mod learn;
pub mod live;
pub mod params;
pub mod persist;
pub mod prompt;
pub mod runner;
pub mod shared;
pub mod task;
pub mod worker;

pub use params::{settings_from_params, BandmateParams};
pub use shared::Shared;
pub use task::Task;

use handoff::{AudioSide, Loaded};
use host::GuiHost;
use runner::Runner;
use shared::Sync;
use worker::Worker;

/// Incoming note events passed through per block (MIDI thru); more are not passed through, but
/// still reach the history.
const THRU_CAPACITY: usize = 1024;

/// The plugin instance.
pub struct Bandmate {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    worker: Arc<Worker>,
    /// Parameter changes the worker asks of the host.
    host: Arc<GuiHost>,
    /// The background thread that runs the worker's tasks.
    runner: Arc<Runner>,
    audio: AudioSide,
    /// The clip being played (audio thread).
    current: Option<Box<Loaded>>,
    /// A replaced clip waiting for room in the garbage queue (never dropped on the audio thread).
    garbage_slot: Option<Box<Loaded>>,
    player: Player,
    /// Live mode's player (audio thread) and a replaced material waiting for the garbage queue.
    live_player: LivePlayer,
    live_garbage_slot: Option<Box<LiveMaterial>>,
    /// Whether the last block played live material.
    live_was_on: bool,
    sample_rate: f32,
    /// Set by `reset()`/`deactivate()`: release sounding notes at the next block.
    release_pending: bool,
    /// Incoming events to pass through this block (preallocated, never grows).
    thru: Vec<PluginNoteEvent<Self>>,
    editor_state: Arc<nice_plug_egui::EguiEditorState>,
    /// Drag and drop and the clipboard (its X thread outlives editor windows, not the plugin).
    desktop: Arc<editor::drag::Desktop>,
}

impl Default for Bandmate {
    fn default() -> Self {
        let params = Arc::new(BandmateParams::default());
        let shared = Arc::new(Shared::default());
        let host = Arc::new(GuiHost::default());
        let (worker, audio) = worker::make(params.clone(), shared.clone(), host.clone());
        let runner = Arc::new(Runner::new(worker.clone(), shared.clone()));
        Bandmate {
            params,
            shared,
            worker,
            host,
            runner,
            audio,
            current: None,
            garbage_slot: None,
            player: Player::new(),
            live_player: LivePlayer::new(),
            live_garbage_slot: None,
            live_was_on: false,
            sample_rate: 48_000.0,
            release_pending: false,
            thru: Vec::with_capacity(THRU_CAPACITY),
            editor_state: editor::default_state(),
            desktop: Arc::new(editor::drag::Desktop::new()),
        }
    }
}

impl Bandmate {
    /// The state shared with the editor and the background task.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    /// Audio thread: swaps in the newest clip from the worker; the old one goes back to be dropped
    /// there. Sounding notes are released first (at offset 0).
    fn take_new_clip(&mut self, out: &mut impl FnMut(OutEvent)) {
        if let Some(g) = self.garbage_slot.take() {
            if let Err(rtrb::PushError::Full(g)) = self.audio.garbage.push(g) {
                self.garbage_slot = Some(g);
                return;
            }
        }
        while let Ok(new) = self.audio.clips.pop() {
            self.player.release_all(0, out);
            self.shared.playing_clip_id.store(new.id, Ordering::Release);
            if let Some(old) = self.current.replace(new) {
                if let Err(rtrb::PushError::Full(old)) = self.audio.garbage.push(old) {
                    self.garbage_slot = Some(old);
                    return;
                }
            }
        }
    }
}

impl Bandmate {
    /// Audio thread: hands replaced live material to the worker and offers the newest one to
    /// the live player (which switches at its tick). Stops taking while the garbage is full.
    fn take_live(&mut self) {
        loop {
            let waiting = self
                .live_garbage_slot
                .take()
                .or_else(|| self.live_player.take_spent());
            if let Some(g) = waiting {
                if let Err(rtrb::PushError::Full(g)) = self.audio.live_garbage.push(g) {
                    self.live_garbage_slot = Some(g);
                    return;
                }
                continue;
            }
            let Ok(m) = self.audio.live.pop() else { return };
            self.live_garbage_slot = self.live_player.offer(m);
        }
    }
}

/// Sends a player event to the host, after any thru events due at or before it.
fn emit<C: ProcessContext<Bandmate>>(
    ctx: &mut C,
    thru: &[PluginNoteEvent<Bandmate>],
    next: &mut usize,
    e: Option<OutEvent>,
) {
    while let Some(t) = thru.get(*next) {
        if e.is_some_and(|e| t.timing() > e.offset) {
            break;
        }
        let _ = ctx.try_send_event(*t);
        *next += 1;
    }
    let Some(e) = e else { return };
    let (timing, voice_id) = (e.offset, VoiceID::Wildcard);
    let (channel, key) = (Channel::Number(e.channel), MidiKey::Number(e.key));
    let velocity = f32::from(e.velocity) / 127.0;
    let ev = match e.kind {
        EventKind::NoteOn => NoteEvent::NoteOn {
            timing,
            voice_id,
            channel,
            key,
            velocity,
        },
        EventKind::NoteOff => NoteEvent::NoteOff {
            timing,
            voice_id,
            channel,
            key,
            velocity,
        },
    };
    let _ = ctx.try_send_event(ev);
}

impl Plugin for Bandmate {
    const NAME: &'static str = "Bandmate";
    const VENDOR: &'static str = "Bandmate developers";
    const URL: &'static str = "https://example.invalid/bandmate";
    const EMAIL: &'static str = "bandmate@example.invalid";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    /// A silent stereo output, for hosts that only load plugins with audio (e.g. Ableton Live).
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[AudioIOLayout {
        main_input_channels: None,
        main_output_channels: NonZeroU32::new(2),
        aux_input_ports: &[],
        aux_output_ports: &[],
        names: PortNames {
            layout: Some("Stereo (silent)"),
            main_input: None,
            main_output: Some("Silent"),
            aux_inputs: &[],
            aux_outputs: &[],
        },
    }];
    const MIDI_INPUT: MidiConfig = MidiConfig::Basic;
    const MIDI_OUTPUT: MidiConfig = MidiConfig::Basic;
    const SAMPLE_ACCURATE_AUTOMATION: bool = false;

    type SysExMessage = ();
    type BackgroundTask = Task;
    type Editor = editor::BandmateEditor;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    /// Forwards tasks (from the editor) to the plugin's own worker thread (see `runner.rs`);
    /// [`Task::ApplyHostParams`] (sent with `execute_gui`) runs here, on the main thread.
    fn task_executor(&mut self) -> TaskExecutor<Self> {
        let runner = self.runner.clone();
        let host = self.host.clone();
        Box::new(move |task| match task {
            Task::ApplyHostParams => host.apply_pending(),
            task => runner.request(task),
        })
    }

    /// Called once when the plugin is made (not when the window opens).
    fn editor(&mut self, executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        let main = executor.clone();
        self.host
            .set_main_thread(Arc::new(move |task| main.execute_gui(task)));
        let background = executor;
        editor::create(
            self.params.clone(),
            self.shared.clone(),
            self.host.clone(),
            self.editor_state.clone(),
            self.desktop.clone(),
            Arc::new(move |task| background.execute_background(task)),
        )
    }

    /// Main thread. Takes the newest clip the worker made while inactive; without any clip, uses
    /// the saved clip or generates one now from the parameters (see docs/plugin.md).
    fn activate(
        &mut self,
        _layout: &AudioIOLayout,
        config: &BufferConfig,
        _ctx: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.sample_rate = config.sample_rate;
        if let Some(g) = self.garbage_slot.take() {
            drop(g);
        }
        if let Some(newest) = self.worker.take_queued(&mut self.audio) {
            self.current = Some(newest);
        }
        if let Some(loaded) = self.worker.initial_clip(self.current.is_some()) {
            self.current = Some(loaded);
        }
        if let Some(c) = &self.current {
            self.shared.playing_clip_id.store(c.id, Ordering::Release);
        }
        self.player.set_free_position(0.0);
        self.runner.ensure_started();
        true
    }

    /// Audio thread or main thread: notes still sounding get their note-offs at the next block.
    fn reset(&mut self) {
        self.release_pending = true;
    }

    fn deactivate(&mut self) {
        self.release_pending = true;
        self.shared.playing.store(false, Ordering::Relaxed);
        self.shared.set_playhead(None);
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        ctx: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        for channel in buffer.as_slice() {
            channel.fill(0.0);
        }
        let frames = buffer.samples() as u32;
        let p = self.params.clone();
        let t = ctx.transport();
        let free_tempo = f64::from(p.free_tempo.value());
        let has_transport = t.playing
            || t.tempo.is_some()
            || t.pos_beats.is_some()
            || t.pos_seconds.is_some()
            || t.pos_samples.is_some();
        let (sync, playing, position, tempo) = if p.free_run.value() {
            (Sync::FreeForced, true, None, free_tempo)
        } else if !has_transport {
            (Sync::FreeFallback, true, None, free_tempo)
        } else if let Some(q) = t.pos_beats() {
            let bar = t.bar_start_pos_beats().zip(t.bar_number().map(i64::from));
            (
                Sync::Host,
                t.playing,
                Some(SongPosition { quarters: q, bar }),
                t.tempo.unwrap_or(free_tempo),
            )
        } else {
            (
                Sync::FreeFallback,
                t.playing,
                None,
                t.tempo.unwrap_or(free_tempo),
            )
        };
        self.shared.set_sync(sync);
        self.shared.set_host_tempo(t.tempo);
        self.shared
            .set_host_meter(t.time_sig_numerator, t.time_sig_denominator);
        let sample_rate = if t.sample_rate > 0.0 {
            t.sample_rate
        } else {
            self.sample_rate
        };
        let block = BlockInfo {
            playing,
            position,
            tempo_bpm: tempo,
            sample_rate: f64::from(sample_rate),
            frames,
        };
        let qps = tempo / 60.0 / f64::from(sample_rate);
        let song_start = position.map_or(self.player.free_position(), |s| s.quarters);

        // Incoming notes: to the history queue, and to the thru list.
        let bypass = p.bypass.value();
        let thru_on = bypass || p.midi_thru.value();
        self.thru.clear();
        let mut heard = false;
        while let Some(ev) = ctx.next_event() {
            let note = match ev {
                NoteEvent::NoteOn {
                    channel,
                    key,
                    velocity,
                    timing,
                    ..
                } => Some((true, channel, key, velocity, timing)),
                NoteEvent::NoteOff {
                    channel,
                    key,
                    velocity,
                    timing,
                    ..
                } => Some((false, channel, key, velocity, timing)),
                _ => None,
            };
            if let Some((on, channel, MidiKey::Number(key), velocity, timing)) = note {
                let channel = channel.number().unwrap_or(0);
                let e = InputEvent {
                    on,
                    channel,
                    key,
                    velocity: (velocity * 127.0).round().clamp(0.0, 127.0) as u8,
                    quarters: song_start + f64::from(timing) * qps,
                };
                if playing {
                    self.live_player
                        .hear(e.quarters, e.on && e.velocity > 0, e.key);
                }
                if self.audio.input.push(e).is_err() {
                    self.shared.input_dropped.fetch_add(1, Ordering::Relaxed);
                }
                heard = true;
            }
            if thru_on && self.thru.len() < self.thru.capacity() {
                self.thru.push(ev);
            }
        }
        if heard {
            self.shared.input_task_pending.store(true, Ordering::SeqCst);
        }

        // Output, in time order: releases at 0, then clip events merged with thru events.
        let thru = std::mem::take(&mut self.thru);
        let mut next = 0usize;
        let live_on = p.live.value() && !bypass;
        {
            let mut out = |e: OutEvent| emit(&mut *ctx, &thru, &mut next, Some(e));
            if self.release_pending {
                self.release_pending = false;
                self.player.release_all(0, &mut out);
                self.live_player.release_all(0, &mut out);
            }
            if self.live_was_on && !live_on {
                self.live_player.release_all(0, &mut out);
            }
            self.take_new_clip(&mut out);
            self.take_live();
            if live_on {
                if !self.live_was_on {
                    self.player.release_all(0, &mut out);
                }
                self.player.process(None, &block, &mut out);
                let start = playing.then_some(song_start);
                if self.live_player.process(start, qps, frames, &mut out) {
                    self.shared.live.mark_jump();
                }
            } else if bypass {
                self.player.release_all(0, &mut out);
                self.player.process(None, &block, &mut out);
            } else {
                let clip = self.current.as_ref().map(|l| &l.playback);
                self.player.process(clip, &block, &mut out);
            }
        }
        emit(ctx, &thru, &mut next, None);
        self.thru = thru;
        self.take_live();
        self.live_was_on = live_on;
        let live = &self.shared.live;
        // The pick before the position: a worker that sees the position past a boundary also
        // sees the candidate played there.
        live.set_choice(self.live_player.last_choice());
        live.set_position((live_on && playing).then_some(song_start + f64::from(frames) * qps));
        live.set_block(f64::from(frames) * qps);
        live.missed
            .store(self.live_player.missed(), Ordering::Relaxed);
        live.switches
            .store(self.live_player.switches(), Ordering::Relaxed);
        for (slot, n) in live.chosen.iter().zip(self.live_player.chosen_counts()) {
            slot.store(n, Ordering::Relaxed);
        }
        live.frames.store(frames, Ordering::Relaxed);

        self.shared
            .playing
            .store(playing && !bypass, Ordering::Relaxed);
        self.shared
            .set_playhead(if bypass { None } else { self.player.playhead() });
        ProcessStatus::KeepAlive
    }
}

impl Drop for Bandmate {
    /// Main thread (plugin removal): stops and joins the worker thread.
    fn drop(&mut self) {
        self.runner.shutdown();
        self.desktop.shutdown();
    }
}

impl ClapPlugin for Bandmate {
    const CLAP_ID: &'static str = "org.bandmate.bandmate";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("AI composition assistant: writes chords, melody, bass, keys and drums in sync with the host");
    const CLAP_MANUAL_URL: Option<&'static str> = Some(Self::URL);
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::Instrument,
        ClapFeature::NoteEffect,
        ClapFeature::Utility,
    ];
}

impl Vst3Plugin for Bandmate {
    const VST3_CLASS_ID: [u8; 16] = *b"BandmateAIComp01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Instrument, Vst3SubCategory::Generator];
}

nice_export_clap!(Bandmate);
nice_export_vst3!(Bandmate);
