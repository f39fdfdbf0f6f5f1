//! `cargo xtask eval plugin`: loads the bundled .clap through the CLAP ABI (clack-host, as
//! tests/tests/support does) and measures instantiate + activate (the first activate generates the
//! default clip, loading the chord model), `process()` per 512-sample block while playing a full
//! 8-bar arrangement, and resident memory with one and with eight instances in this process.
//! Prints a Markdown table; the numbers are copied into docs/BENCHMARKS.md.
//!
//! Options: `--bundle PATH` (default target/bundled/Bandmate.clap), `--blocks N` (default 20000),
//! `--instances N` (default 8).

use super::opt;
use anyhow::{anyhow, Context, Result};
use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use clack_host::events::event_types::{TransportEvent, TransportFlags};
use clack_host::events::EventFlags;
use clack_host::prelude::*;
use clack_host::utils::BeatTime;
use clap_sys::ext::state::{clap_plugin_state, CLAP_EXT_STATE};
use clap_sys::stream::{clap_istream, clap_ostream};
use std::ffi::{c_void, CStr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PLUGIN_ID: &CStr = c"org.bandmate.bandmate";

struct Host;
struct Shared;
impl<'a> SharedHandler<'a> for Shared {
    fn request_restart(&self) {}
    fn request_process(&self) {}
    fn request_callback(&self) {}
}
impl HostHandlers for Host {
    type Shared<'a> = Shared;
    type MainThread<'a> = ();
    type AudioProcessor<'a> = ();
}

struct Inst {
    instance: PluginInstance<Host>,
    processor: Option<StartedPluginAudioProcessor<Host>>,
    now: u64,
    left: Vec<f32>,
    right: Vec<f32>,
    ports: AudioPorts,
}

const SR: f64 = 48_000.0;
const FRAMES: u32 = 512;

fn rss_kib() -> u64 {
    status_field("VmRSS:")
}
fn hwm_kib() -> u64 {
    status_field("VmHWM:")
}
fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

impl Inst {
    fn new(entry: &PluginEntry) -> Result<Inst> {
        let host_info = HostInfo::new(
            "bandmate-eval",
            "Bandmate",
            "https://example.invalid",
            "0.1",
        )
        .map_err(|e| anyhow!("{e:?}"))?;
        let instance =
            PluginInstance::<Host>::new(|_| Shared, |_| (), entry, PLUGIN_ID, &host_info)
                .map_err(|e| anyhow!("instance: {e:?}"))?;
        let mut i = Inst {
            instance,
            processor: None,
            now: 0,
            left: vec![0.0; FRAMES as usize],
            right: vec![0.0; FRAMES as usize],
            ports: AudioPorts::with_capacity(2, 1),
        };
        i.activate()?;
        Ok(i)
    }

    fn activate(&mut self) -> Result<()> {
        let config = PluginAudioConfiguration {
            sample_rate: SR,
            min_frames_count: 1,
            max_frames_count: FRAMES,
        };
        let stopped = self
            .instance
            .activate(|_, _| (), config)
            .map_err(|e| anyhow!("activate: {e:?}"))?;
        self.processor = Some(
            stopped
                .start_processing()
                .map_err(|e| anyhow!("start: {e:?}"))?,
        );
        Ok(())
    }

    fn deactivate(&mut self) {
        if let Some(p) = self.processor.take() {
            self.instance.deactivate(p.stop_processing());
        }
    }

    /// One block at 120 bpm 4/4 from song position 0; returns (process() time, note events out).
    fn block(&mut self, playing: bool) -> Result<(Duration, usize)> {
        let beats = self.now as f64 / SR * 2.0;
        let bar = (beats / 4.0 + 1e-9).floor();
        let mut flags = TransportFlags::HAS_TEMPO
            | TransportFlags::HAS_BEATS_TIMELINE
            | TransportFlags::HAS_TIME_SIGNATURE;
        if playing {
            flags |= TransportFlags::IS_PLAYING;
        }
        let tp = TransportEvent {
            header: EventHeader::new_core(0, EventFlags::empty()),
            flags,
            song_pos_beats: BeatTime::from_float(beats),
            song_pos_seconds: BeatTime::from_int(0),
            tempo: 120.0,
            tempo_inc: 0.0,
            loop_start_beats: BeatTime::from_int(0),
            loop_end_beats: BeatTime::from_int(0),
            loop_start_seconds: BeatTime::from_int(0),
            loop_end_seconds: BeatTime::from_int(0),
            bar_start: BeatTime::from_float(bar * 4.0),
            bar_number: bar as i32,
            time_signature_numerator: 4,
            time_signature_denominator: 4,
        };
        let in_events = EventBuffer::with_capacity(0);
        let mut out_events = EventBuffer::with_capacity(1024);
        let n = FRAMES as usize;
        let (l, r) = (&mut self.left[..n], &mut self.right[..n]);
        let mut outs = self.ports.with_output_buffers([AudioPortBuffer {
            latency: 0,
            channels: AudioPortBufferType::f32_output_only([l, r].into_iter()),
        }]);
        let processor = self
            .processor
            .as_mut()
            .ok_or_else(|| anyhow!("not active"))?;
        let t = Instant::now();
        processor
            .process(
                &InputAudioBuffers::empty(),
                &mut outs,
                &in_events.as_input(),
                &mut out_events.as_output(),
                Some(self.now),
                Some(&tp),
            )
            .map_err(|e| anyhow!("process: {e:?}"))?;
        let dt = t.elapsed();
        self.now += u64::from(FRAMES);
        Ok((dt, out_events.iter().count()))
    }

    fn state_ext(&self) -> *const clap_plugin_state {
        let plugin = self.instance.raw_instance();
        // SAFETY: CLAP extension query on a live plugin instance.
        unsafe {
            (plugin.get_extension.expect("get_extension"))(plugin, CLAP_EXT_STATE.as_ptr())
                as *const clap_plugin_state
        }
    }

    fn state(&mut self) -> Result<serde_json::Value> {
        unsafe extern "C" fn write(
            stream: *const clap_ostream,
            buffer: *const c_void,
            size: u64,
        ) -> i64 {
            // SAFETY: ctx is the Vec below; buffer holds `size` bytes (CLAP contract).
            let v = unsafe { &mut *((*stream).ctx as *mut Vec<u8>) };
            v.extend_from_slice(unsafe {
                std::slice::from_raw_parts(buffer as *const u8, size as usize)
            });
            size as i64
        }
        let mut buf: Vec<u8> = Vec::new();
        let stream = clap_ostream {
            ctx: &mut buf as *mut Vec<u8> as *mut c_void,
            write: Some(write),
        };
        let ext = self.state_ext();
        let plugin = self.instance.raw_instance();
        // SAFETY: valid extension pointer and stream for the duration of the call.
        let ok = unsafe { ((*ext).save.expect("state.save"))(plugin, &stream) };
        if !ok || buf.len() < 8 {
            return Err(anyhow!("state save failed"));
        }
        Ok(serde_json::from_slice(&buf[8..])?)
    }

    fn load_state(&mut self, state: &serde_json::Value) -> Result<()> {
        struct Reader {
            data: Vec<u8>,
            pos: usize,
        }
        unsafe extern "C" fn read(
            stream: *const clap_istream,
            buffer: *mut c_void,
            size: u64,
        ) -> i64 {
            // SAFETY: ctx is the Reader below; buffer has room for `size` bytes (CLAP contract).
            let r = unsafe { &mut *((*stream).ctx as *mut Reader) };
            let n = (size as usize).min(r.data.len() - r.pos);
            unsafe {
                std::ptr::copy_nonoverlapping(r.data[r.pos..].as_ptr(), buffer as *mut u8, n)
            };
            r.pos += n;
            n as i64
        }
        let json = serde_json::to_vec(state)?;
        let mut data = (json.len() as u64).to_le_bytes().to_vec();
        data.extend(json);
        let mut reader = Reader { data, pos: 0 };
        let stream = clap_istream {
            ctx: &mut reader as *mut Reader as *mut c_void,
            read: Some(read),
        };
        let ext = self.state_ext();
        let plugin = self.instance.raw_instance();
        // SAFETY: as in `state`.
        let ok = unsafe { ((*ext).load.expect("state.load"))(plugin, &stream) };
        if !ok {
            return Err(anyhow!("state load failed"));
        }
        Ok(())
    }

    fn clip_notes(&mut self) -> Result<usize> {
        let st = self.state()?;
        let field: serde_json::Value =
            serde_json::from_str(st["fields"]["clip"].as_str().unwrap_or("null"))?;
        let clip: bandmate_engine::Clip = serde_json::from_value(field["clip"].clone())?;
        Ok(clip.note_count())
    }

    /// Replaces the saved clip with `clip` (deactivate, load state, activate).
    fn set_clip(&mut self, clip: &bandmate_engine::Clip) -> Result<()> {
        let mut st = self.state()?;
        let mut field: serde_json::Value =
            serde_json::from_str(st["fields"]["clip"].as_str().unwrap_or("null"))?;
        field["clip"] = serde_json::to_value(clip)?;
        st["fields"]["clip"] = serde_json::Value::String(serde_json::to_string(&field)?);
        self.deactivate();
        self.load_state(&st)?;
        self.activate()
    }
}

impl Drop for Inst {
    fn drop(&mut self) {
        self.deactivate();
    }
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (
        v.iter().sum::<f64>() / v.len() as f64,
        q(0.5),
        q(0.99),
        q(0.999),
        v[v.len() - 1],
    )
}

pub fn run(args: &[String]) -> Result<()> {
    let bundle = opt(args, "--bundle").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bundled/Bandmate.clap")
    });
    let blocks: usize = opt(args, "--blocks")
        .map(str::parse)
        .transpose()?
        .unwrap_or(20_000);
    let count: usize = opt(args, "--instances")
        .map(str::parse)
        .transpose()?
        .unwrap_or(8);
    let size = std::fs::metadata(&bundle)
        .with_context(|| {
            format!(
                "{} (build it with cargo xtask bundle bandmate --release)",
                bundle.display()
            )
        })?
        .len();

    let rss0 = rss_kib();
    let t = Instant::now();
    // SAFETY: loading a CLAP plugin runs its initializers; the bundle is ours.
    let entry = unsafe { PluginEntry::load(&bundle) }
        .map_err(|e| anyhow!("load {}: {e:?}", bundle.display()))?;
    let t_load = t.elapsed();
    let rss_loaded = rss_kib();
    let t = Instant::now();
    let mut first = Inst::new(&entry)?;
    let t_first = t.elapsed();
    let rss1 = rss_kib();
    let default_notes = first.clip_notes()?;

    // A full 8-bar arrangement (all five parts, rules so the clip does not depend on the backend).
    let mut s = Settings {
        bars: 8,
        source: Source::Rules,
        seed: 3,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    let clip = arrange::generate(&s)?.clip;
    first.set_clip(&clip)?;
    let loaded_notes = first.clip_notes()?;

    // process() while playing: warm up, then time each call.
    for _ in 0..200 {
        first.block(true)?;
    }
    let mut times = Vec::with_capacity(blocks);
    let mut events = 0usize;
    for _ in 0..blocks {
        let (dt, n) = first.block(true)?;
        times.push(dt.as_secs_f64() * 1e6);
        events += n;
    }
    let (mean, p50, p99, p999, max) = stats(times);
    let mut idle = Vec::with_capacity(2000);
    for _ in 0..2000 {
        idle.push(first.block(false)?.0.as_secs_f64() * 1e6);
    }
    let (imean, ip50, _, _, _) = stats(idle);
    let rss1_played = rss_kib();

    // More instances in the same process (same entry, as a host does).
    let mut more = Vec::new();
    let mut t_more = Vec::new();
    for _ in 1..count {
        let t = Instant::now();
        let mut i = Inst::new(&entry)?;
        t_more.push(t.elapsed().as_secs_f64() * 1e3);
        i.set_clip(&clip)?;
        for _ in 0..200 {
            i.block(true)?;
        }
        more.push(i);
    }
    let rss_n = rss_kib();
    let per_extra = if count > 1 {
        (rss_n as f64 - rss1_played as f64) / (count - 1) as f64
    } else {
        0.0
    };

    let secs = blocks as f64 * f64::from(FRAMES) / SR;
    let ort = std::env::var("ORT_DYLIB_PATH").map_or("ORT_DYLIB_PATH unset".to_string(), |p| {
        format!("ORT_DYLIB_PATH={p}")
    });
    println!(
        "| plugin measurement ({}, {:.0} MB; {ort}) | value |",
        bundle.display(),
        size as f64 / 1e6
    );
    println!("|---|---:|");
    println!(
        "| load the .clap (dlopen + entry init) | {:.1} ms |",
        t_load.as_secs_f64() * 1e3
    );
    println!("| first instance: create + activate (first activate generates the default clip: chord model load + 4 bars) | {:.1} ms |", t_first.as_secs_f64() * 1e3);
    if !t_more.is_empty() {
        let m = t_more.iter().sum::<f64>() / t_more.len() as f64;
        println!(
            "| later instances: create + activate (model already loaded), mean of {} | {m:.1} ms |",
            t_more.len()
        );
    }
    println!("| default clip notes / loaded 8-bar arrangement notes | {default_notes} / {loaded_notes} (engine: {}) |", clip.note_count());
    println!("| process() per {FRAMES}-sample block, playing (mean / median) | {mean:.2} / {p50:.2} µs |");
    println!("| process() playing p99 / p99.9 / max | {p99:.2} / {p999:.2} / {max:.1} µs |");
    println!("| process() stopped (mean / median) | {imean:.2} / {ip50:.2} µs |");
    println!("| blocks timed / audio time / note events out | {blocks} / {secs:.0} s / {events} |");
    println!("| RSS before loading | {:.1} MiB |", rss0 as f64 / 1024.0);
    println!(
        "| RSS after dlopen | {:.1} MiB |",
        rss_loaded as f64 / 1024.0
    );
    println!(
        "| RSS with 1 instance (after the first activate) | {:.1} MiB |",
        rss1 as f64 / 1024.0
    );
    println!(
        "| RSS with 1 instance after playing | {:.1} MiB |",
        rss1_played as f64 / 1024.0
    );
    println!(
        "| RSS with {count} instances | {:.1} MiB |",
        rss_n as f64 / 1024.0
    );
    println!("| RSS per extra instance | {:.2} MiB |", per_extra / 1024.0);
    println!(
        "| peak RSS (VmHWM) | {:.1} MiB |",
        hwm_kib() as f64 / 1024.0
    );
    drop(more);
    drop(first);
    Ok(())
}
