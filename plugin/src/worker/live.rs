//! Live mode on the worker thread: the input goes into the engine's [`LiveEngine`], the engine
//! follows the song position the audio thread publishes, and every change of its response goes
//! to the audio thread as [`LiveMaterial`] switching at the first changed tick.

use super::Worker;
use crate::live::LiveView;
use crate::live::{LiveCounts, STATS_ENV};
use crate::params::{effective_key, effective_meter, SourceChoice};
use bandmate_engine::input::InputEvent;
use bandmate_engine::live::player::LiveMaterial;
use bandmate_engine::live::{self, offline, LiveEngine, LiveEvent, LiveSettings};
use bandmate_engine::TICKS_PER_QUARTER;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Bars of response kept behind the playhead.
const KEEP_BARS: u32 = 4;
/// Time the worker may take to hand material over, beyond one audio block: its poll interval
/// and the work itself.
const HANDOFF_S: f64 = 0.010;
/// Chords shown in the panel's preview.
const PREVIEW_CHORDS: usize = 8;

/// The worker's live state.
pub struct LiveSession {
    engine: LiveEngine,
    /// The settings the engine was made with (delay and lead ignored: they follow the tempo
    /// and the block size).
    settings: LiveSettings,
    playing: bool,
    next_id: u64,
    busy: Duration,
    /// First and last tick the engine ran over while playing (for time per bar).
    span: Option<(u32, u32)>,
}

/// Where this instance keeps its live counts ([`STATS_ENV`]), and the counts written last.
#[derive(Debug, Default)]
pub struct LiveStats {
    path: Option<PathBuf>,
    written: LiveCounts,
}

impl LiveStats {
    /// The file for one instance in the folder [`STATS_ENV`] names (none when unset).
    pub fn new() -> LiveStats {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::var_os(STATS_ENV).map(|dir| {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            PathBuf::from(dir).join(format!("live-{}-{n}.txt", std::process::id()))
        });
        LiveStats {
            path,
            written: LiveCounts::default(),
        }
    }

    /// Rewrites the file when the counts changed (best effort: a benchmark aid).
    fn update(&mut self, now: LiveCounts) {
        let Some(path) = &self.path else { return };
        if now != self.written && std::fs::write(path, format!("{now}\n")).is_ok() {
            self.written = now;
        }
    }
}

fn same(a: &LiveSettings, b: &LiveSettings) -> bool {
    LiveSettings {
        delay_ticks: 0,
        lead_ticks: 0,
        ..a.clone()
    } == LiveSettings {
        delay_ticks: 0,
        lead_ticks: 0,
        ..b.clone()
    }
}

impl Worker {
    /// Whether live mode is on.
    pub fn live_on(&self) -> bool {
        self.params.live.value()
    }

    /// Whether a live session is still open (it closes at the first tick after live mode goes off).
    pub fn live_running(&self) -> bool {
        self.live.lock().is_some()
    }

    /// The live settings the parameters ask for now.
    fn live_settings(&self) -> LiveSettings {
        let p = &self.params;
        let followed = p.session.read().followed_key;
        let tempo = self
            .shared
            .host_tempo()
            .unwrap_or(f64::from(p.free_tempo.value()));
        LiveSettings {
            mode: p.live_mode.value().to_engine(),
            phrase_bars: p.live_phrase.value().bars(),
            meter: effective_meter(p, self.shared.host_meter()),
            key: effective_key(p, followed),
            on_silence: p.live_silence.value().to_engine(),
            delay_ticks: offline::delay_ticks(offline::DEFAULT_DELAY_MS, tempo),
            lead_ticks: live::tick_at(self.shared.live.block() + HANDOFF_S * tempo / 60.0),
            model: p.source.value() == SourceChoice::Model,
            seed: u64::try_from(p.seed.value()).unwrap_or(0),
        }
    }

    /// One step of live mode (every runner poll while it is on): drains the input, runs the
    /// engine up to the song position and hands changed material to the audio thread.
    pub(super) fn live_tick(&self) {
        if !self.live_on() {
            *self.live.lock() = None;
            return;
        }
        if self.shared.input_task_pending.load(Ordering::SeqCst) {
            self.drain_input(); // calls `live_input`
        } else {
            self.live_input(&[]);
        }
    }

    /// Feeds heard events to the live engine (nothing while live mode is off).
    pub(super) fn live_input(&self, heard: &[InputEvent]) {
        if !self.live_on() {
            return;
        }
        self.live_stats.lock().update(self.shared.live.counts());
        let began = Instant::now();
        let settings = self.live_settings();
        let lead = settings.lead_ticks;
        let mut guard = self.live.lock();
        let mut urgent = false;
        if guard.as_ref().is_none_or(|s| !same(&s.settings, &settings)) {
            let Ok(engine) = LiveEngine::new(settings.clone()) else {
                return;
            };
            *guard = Some(LiveSession {
                engine,
                settings,
                playing: false,
                next_id: 1,
                busy: Duration::ZERO,
                span: None,
            });
            urgent = true;
        }
        let Some(s) = guard.as_mut() else { return };
        s.engine.set_lead_ticks(lead);
        let position = self.shared.live.position();
        let jumped = self.shared.live.take_jump();
        let Some(q) = position else {
            if s.playing {
                let now = s.span.map_or(0, |x| x.1);
                s.engine.stop(now);
                s.playing = false;
                urgent = true;
            }
            if urgent {
                self.send_live(s, 0, true);
            }
            return;
        };
        let now = live::tick_at(q);
        if !s.playing || jumped {
            s.engine.seek(now);
            s.playing = true;
            urgent = true;
        }
        // The audio thread's pick at a boundary it played (the engine would make the same
        // one, unless some input before the boundary has not reached the worker yet).
        if let Some((at, index)) = self.shared.live.choice().filter(|c| c.0 <= now) {
            s.engine.choose(at, index);
        }
        for e in heard {
            s.engine.push(LiveEvent {
                tick: live::tick_at(e.quarters),
                on: e.on,
                key: e.key,
                velocity: e.velocity,
            });
        }
        s.engine.advance_to(now);
        let changed = s.engine.take_changed();
        if changed.is_some() || urgent {
            self.send_live(s, changed.unwrap_or(now), urgent);
        } else {
            self.ends.lock().flush_live();
        }
        let bar = s.settings.bar_ticks();
        s.engine.forget_before(now.saturating_sub(KEEP_BARS * bar));
        s.busy += began.elapsed();
        s.span = Some(s.span.map_or((now, now), |(a, _)| (a.min(now), now)));
        *self.shared.live.view.lock() = view(s, now);
    }

    fn send_live(&self, s: &mut LiveSession, switch_at: u32, urgent: bool) {
        let now = s.span.map_or(0, |x| x.1);
        let from = now.saturating_sub(s.settings.bar_ticks());
        let mut m = LiveMaterial::from_engine(s.next_id, &s.engine, from, switch_at.max(from));
        m.urgent = urgent;
        s.next_id += 1;
        self.ends.lock().send_live(Box::new(m));
    }
}

/// What the panel shows: heard chord, key, energy, the next chords and phrase.
fn view(s: &LiveSession, now: u32) -> LiveView {
    let e = &s.engine;
    let bar = s.settings.bar_ticks();
    let beat = s.settings.meter.beat_ticks(TICKS_PER_QUARTER).max(1);
    let upcoming = e
        .harmony()
        .iter()
        .filter(|c| c.end() > now)
        .take(PREVIEW_CHORDS)
        .map(|c| {
            let at = c.start.max(now);
            (at / bar, (at % bar) / beat + 1, c.chord)
        })
        .collect();
    let bars = s.span.map_or(0.0, |(a, b)| {
        f64::from(b.saturating_sub(a)) / f64::from(bar)
    });
    LiveView {
        chord: e.heard_chord(),
        key: e.detected_key().map(|(k, _)| k),
        energy: e.energy(),
        upcoming,
        next_phrase: e
            .phrases()
            .iter()
            .rev()
            .find(|p| p.at + s.settings.phrase_ticks() > now)
            .map(|p| (p.at / bar, p.notes)),
        worker_us_per_bar: if bars > 0.0 {
            s.busy.as_secs_f64() * 1e6 / bars
        } else {
            0.0
        },
    }
}
