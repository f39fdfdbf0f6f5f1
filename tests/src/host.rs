//! A tiny CLAP host (clack-host 0.2) around the bundled Bandmate plugin, for the integration
//! tests and `cargo xtask eval plugin`. The calling thread is the plugin's main thread and also
//! runs `process()`.
//!
//! The plugin's clip is read from its saved state (CLAP `state` extension): nice-plug writes a
//! u64 LE length and JSON `{"params": {...}, "fields": {"clip": "<JSON of Option<SavedClip>>"}}`.

use bandmate_engine::clip::Clip;
use bandmate_engine::theory::Meter;
use clack_host::events::event_types::{
    NoteOffEvent, NoteOnEvent, ParamValueEvent, TransportEvent, TransportFlags,
};
use clack_host::events::{EventFlags, Match};
use clack_host::prelude::*;
use clack_host::utils::BeatTime;
use clap_sys::ext::note_ports::{clap_note_port_info, clap_plugin_note_ports, CLAP_EXT_NOTE_PORTS};
use clap_sys::ext::state::{clap_plugin_state, CLAP_EXT_STATE};
use clap_sys::stream::{clap_istream, clap_ostream};
use std::ffi::{c_void, CStr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const PLUGIN_ID: &CStr = c"org.bandmate.bandmate";

/// `target/bundled/Bandmate.clap`, built by `cargo xtask bundle bandmate`.
pub fn bundle_path() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let path = target.join("bundled").join("Bandmate.clap");
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo xtask bundle bandmate --features assert_process_allocs`",
        path.display()
    );
    path
}

/// nice-plug's parameter id hash (wrapper/util.rs `hash_param_id`).
pub fn param_id(id: &str) -> u32 {
    let mut h: u32 = 0;
    for b in id.bytes() {
        h = h.wrapping_mul(31).wrapping_add(u32::from(b));
    }
    h & !(1 << 31)
}

pub struct TestHost;
pub struct Shared;
impl<'a> SharedHandler<'a> for Shared {
    fn request_restart(&self) {}
    fn request_process(&self) {}
    fn request_callback(&self) {}
}
impl HostHandlers for TestHost {
    type Shared<'a> = Shared;
    type MainThread<'a> = ();
    type AudioProcessor<'a> = ();
}

/// A note event the plugin sent: absolute sample time (since the session's sample 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ev {
    pub time: u64,
    /// false = note-off (sorted first at equal times)
    pub on: bool,
    pub channel: u8,
    pub key: u8,
}

/// Transport for one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tp {
    pub playing: bool,
    pub tempo: f64,
    pub beats: f64,
    pub meter: (u16, u16),
    pub bar_start: f64,
    pub bar_number: i32,
}

impl Tp {
    /// Constant meter from the song start: bar fields follow from `beats`.
    pub fn at(playing: bool, tempo: f64, beats: f64, meter: (u16, u16)) -> Tp {
        let qpb = f64::from(meter.0) * 4.0 / f64::from(meter.1);
        let bar = (beats / qpb + 1e-9).floor();
        Tp {
            playing,
            tempo,
            beats,
            meter,
            bar_start: bar * qpb,
            bar_number: bar as i32,
        }
    }

    pub fn event(&self) -> TransportEvent {
        let mut flags = TransportFlags::HAS_TEMPO
            | TransportFlags::HAS_BEATS_TIMELINE
            | TransportFlags::HAS_TIME_SIGNATURE;
        if self.playing {
            flags |= TransportFlags::IS_PLAYING;
        }
        TransportEvent {
            header: EventHeader::new_core(0, EventFlags::empty()),
            flags,
            song_pos_beats: BeatTime::from_float(self.beats),
            song_pos_seconds: BeatTime::from_int(0),
            tempo: self.tempo,
            tempo_inc: 0.0,
            loop_start_beats: BeatTime::from_int(0),
            loop_end_beats: BeatTime::from_int(0),
            loop_start_seconds: BeatTime::from_int(0),
            loop_end_seconds: BeatTime::from_int(0),
            bar_start: BeatTime::from_float(self.bar_start),
            bar_number: self.bar_number,
            time_signature_numerator: self.meter.0,
            time_signature_denominator: self.meter.1,
        }
    }
}

/// Something to put in a block's input events.
#[derive(Debug, Clone, Copy)]
pub enum In {
    Param {
        id: &'static str,
        value: f64,
    },
    NoteOn {
        time: u32,
        channel: u8,
        key: u8,
        velocity: f64,
    },
    NoteOff {
        time: u32,
        channel: u8,
        key: u8,
    },
}

pub struct Session {
    pub instance: PluginInstance<TestHost>,
    processor: Option<StartedPluginAudioProcessor<TestHost>>,
    _entry: PluginEntry,
    pub sample_rate: f64,
    pub max_frames: u32,
    /// Absolute sample count of the next block.
    pub now: u64,
    /// Every note event so far.
    pub events: Vec<Ev>,
    /// Every thru/other event count (not notes from the clip).
    left: Vec<f32>,
    right: Vec<f32>,
    ports: AudioPorts,
    /// Wall time of the last `process()` call.
    pub last_process: Duration,
}

/// Loads a .clap file (dlopen + the CLAP entry's init).
pub fn load_entry(path: &std::path::Path) -> Result<PluginEntry, String> {
    // SAFETY: loading a CLAP plugin runs its initializers; the bundle is Bandmate's own.
    unsafe { PluginEntry::load(path) }.map_err(|e| format!("load {}: {e:?}", path.display()))
}

impl Session {
    /// Loads the bundle, creates and activates the plugin.
    pub fn new(sample_rate: f64, max_frames: u32) -> Session {
        let entry = load_entry(&bundle_path()).expect("load the .clap");
        Session::from_entry(&entry, sample_rate, max_frames).expect("instance")
    }

    /// Creates and activates an instance from an already loaded entry (as a host does for its
    /// second instance of a plugin).
    pub fn from_entry(
        entry: &PluginEntry,
        sample_rate: f64,
        max_frames: u32,
    ) -> Result<Session, String> {
        let host_info = HostInfo::new(
            "bandmate-tests",
            "Bandmate",
            "https://example.invalid",
            "0.1",
        )
        .map_err(|e| format!("host info: {e:?}"))?;
        let instance =
            PluginInstance::<TestHost>::new(|_| Shared, |_| (), entry, PLUGIN_ID, &host_info)
                .map_err(|e| format!("instance: {e:?}"))?;
        let mut s = Session {
            instance,
            processor: None,
            _entry: entry.clone(),
            sample_rate,
            max_frames,
            now: 0,
            events: Vec::new(),
            left: vec![1.0; max_frames as usize],
            right: vec![1.0; max_frames as usize],
            ports: AudioPorts::with_capacity(2, 1),
            last_process: Duration::ZERO,
        };
        s.try_activate()?;
        Ok(s)
    }

    pub fn activate(&mut self) {
        self.try_activate().expect("activate");
    }

    pub fn try_activate(&mut self) -> Result<(), String> {
        let config = PluginAudioConfiguration {
            sample_rate: self.sample_rate,
            min_frames_count: 1,
            max_frames_count: self.max_frames,
        };
        let stopped = self
            .instance
            .activate(|_, _| (), config)
            .map_err(|e| format!("activate: {e:?}"))?;
        self.processor = Some(
            stopped
                .start_processing()
                .map_err(|e| format!("start processing: {e:?}"))?,
        );
        Ok(())
    }

    pub fn deactivate(&mut self) {
        if let Some(p) = self.processor.take() {
            self.instance.deactivate(p.stop_processing());
        }
    }

    /// Runs one block; returns the note events of this block (also appended to `events`).
    pub fn block(&mut self, frames: u32, transport: Option<Tp>, input: &[In]) -> Vec<Ev> {
        assert!(frames <= self.max_frames);
        let mut in_events = EventBuffer::with_capacity(input.len());
        for i in input {
            match *i {
                In::Param { id, value } => in_events.push(&ParamValueEvent::new(
                    0,
                    ClapId::new(param_id(id)),
                    Pckn::match_all(),
                    value,
                )),
                In::NoteOn {
                    time,
                    channel,
                    key,
                    velocity,
                } => in_events.push(&NoteOnEvent::new(
                    time,
                    Pckn::new(0u16, u16::from(channel), u16::from(key), Match::All),
                    velocity,
                )),
                In::NoteOff { time, channel, key } => in_events.push(&NoteOffEvent::new(
                    time,
                    Pckn::new(0u16, u16::from(channel), u16::from(key), Match::All),
                    0.0,
                )),
            }
        }
        let mut out_events = EventBuffer::with_capacity(1024);
        let n = frames as usize;
        let (l, r) = (&mut self.left[..n], &mut self.right[..n]);
        l.fill(1.0);
        r.fill(1.0);
        let mut outs = self.ports.with_output_buffers([AudioPortBuffer {
            latency: 0,
            channels: AudioPortBufferType::f32_output_only([l, r].into_iter()),
        }]);
        let tp = transport.map(|t| t.event());
        let processor = self.processor.as_mut().expect("active");
        let t0 = Instant::now();
        processor
            .process(
                &InputAudioBuffers::empty(),
                &mut outs,
                &in_events.as_input(),
                &mut out_events.as_output(),
                Some(self.now),
                tp.as_ref(),
            )
            .expect("process");
        self.last_process = t0.elapsed();
        assert!(
            self.left[..n]
                .iter()
                .chain(&self.right[..n])
                .all(|&x| x == 0.0),
            "audio output must be silent"
        );
        let mut block = Vec::new();
        let mut last = 0;
        for e in out_events.iter() {
            let t = e.header().time();
            assert!(t >= last, "output events out of order");
            assert!(
                t < frames.max(1),
                "event at {t} outside a block of {frames}"
            );
            last = t;
            let (on, pckn) = match e.as_core_event() {
                Some(clack_host::events::spaces::CoreEventSpace::NoteOn(ev)) => (true, ev.pckn()),
                Some(clack_host::events::spaces::CoreEventSpace::NoteOff(ev)) => (false, ev.pckn()),
                _ => continue,
            };
            let (Match::Specific(channel), Match::Specific(key)) = (pckn.channel, pckn.key) else {
                panic!("note event without channel/key");
            };
            block.push(Ev {
                time: self.now + u64::from(t),
                on,
                channel: channel as u8,
                key: key as u8,
            });
        }
        self.now += u64::from(frames);
        self.events.extend_from_slice(&block);
        block
    }

    /// Plays `seconds` at constant `tempo` and `meter` from song position `from_beats`, in blocks
    /// of `frames`; returns the events.
    pub fn play(
        &mut self,
        seconds: f64,
        frames: u32,
        tempo: f64,
        meter: (u16, u16),
        from_beats: f64,
    ) -> Vec<Ev> {
        let start = self.now;
        let total = (seconds * self.sample_rate) as u64;
        let mut out = Vec::new();
        while self.now - start < total {
            let beats = from_beats + (self.now - start) as f64 / self.sample_rate * tempo / 60.0;
            out.extend(self.block(frames, Some(Tp::at(true, tempo, beats, meter)), &[]));
        }
        out
    }

    /// The plugin's saved state as JSON.
    pub fn state(&mut self) -> serde_json::Value {
        unsafe extern "C" fn write(
            stream: *const clap_ostream,
            buffer: *const c_void,
            size: u64,
        ) -> i64 {
            let v = unsafe { &mut *((*stream).ctx as *mut Vec<u8>) };
            v.extend_from_slice(unsafe {
                std::slice::from_raw_parts(buffer as *const u8, size as usize)
            });
            size as i64
        }
        let bytes = {
            let mut buf: Vec<u8> = Vec::new();
            let stream = clap_ostream {
                ctx: &mut buf as *mut Vec<u8> as *mut c_void,
                write: Some(write),
            };
            let ext = self.state_ext();
            let plugin = self.instance.raw_instance();
            let ok = unsafe { ((*ext).save.expect("state.save"))(plugin, &stream) };
            assert!(ok, "state save failed");
            buf
        };
        // nice-plug writes a u64 little-endian length, then the JSON.
        assert!(bytes.len() >= 8, "state too short");
        serde_json::from_slice(&bytes[8..]).expect("state is JSON")
    }

    /// Loads a state saved by [`Session::state`].
    pub fn load_state(&mut self, state: &serde_json::Value) {
        struct Reader {
            data: Vec<u8>,
            pos: usize,
        }
        unsafe extern "C" fn read(
            stream: *const clap_istream,
            buffer: *mut c_void,
            size: u64,
        ) -> i64 {
            let r = unsafe { &mut *((*stream).ctx as *mut Reader) };
            let n = (size as usize).min(r.data.len() - r.pos);
            unsafe {
                std::ptr::copy_nonoverlapping(r.data[r.pos..].as_ptr(), buffer as *mut u8, n)
            };
            r.pos += n;
            n as i64
        }
        let json = serde_json::to_vec(state).expect("json");
        let mut data = (json.len() as u64).to_le_bytes().to_vec();
        data.extend(json);
        let mut reader = Reader { data, pos: 0 };
        let stream = clap_istream {
            ctx: &mut reader as *mut Reader as *mut c_void,
            read: Some(read),
        };
        let ext = self.state_ext();
        let plugin = self.instance.raw_instance();
        let ok = unsafe { ((*ext).load.expect("state.load"))(plugin, &stream) };
        assert!(ok, "state load failed");
    }

    fn state_ext(&self) -> *const clap_plugin_state {
        let plugin = self.instance.raw_instance();
        let ext = unsafe {
            (plugin.get_extension.expect("get_extension"))(plugin, CLAP_EXT_STATE.as_ptr())
        };
        assert!(!ext.is_null(), "no state extension");
        ext as *const clap_plugin_state
    }

    /// The clip the plugin saved (what it plays once it has picked it up).
    pub fn clip(&mut self) -> Clip {
        saved_field(&self.state(), "clip")["clip"]
            .clone()
            .pipe(|v| serde_json::from_value(v).expect("clip JSON"))
    }

    /// Replaces the saved clip with `clip`: deactivate, load the edited state, activate.
    pub fn set_clip(&mut self, clip: &Clip) -> Result<(), String> {
        let mut st = self.state();
        let mut field = saved_field(&st, "clip");
        field["clip"] = serde_json::to_value(clip).map_err(|e| e.to_string())?;
        st["fields"]["clip"] =
            serde_json::Value::String(serde_json::to_string(&field).map_err(|e| e.to_string())?);
        self.deactivate();
        self.load_state(&st);
        self.try_activate()
    }

    /// (count, dialect bits) of the note ports, input or output.
    pub fn note_ports(&self, input: bool) -> Vec<clap_note_port_info> {
        let plugin = self.instance.raw_instance();
        let ext = unsafe {
            (plugin.get_extension.expect("get_extension"))(plugin, CLAP_EXT_NOTE_PORTS.as_ptr())
        };
        assert!(!ext.is_null(), "no note-ports extension");
        let ext = ext as *const clap_plugin_note_ports;
        let count = unsafe { ((*ext).count.expect("count"))(plugin, input) };
        (0..count)
            .map(|i| {
                let mut info: clap_note_port_info = unsafe { std::mem::zeroed() };
                assert!(unsafe { ((*ext).get.expect("get"))(plugin, i, input, &mut info) });
                info
            })
            .collect()
    }

    /// Runs stopped blocks (letting the background task finish and the audio thread pick up its
    /// clip) until `done(clip)` or a timeout.
    pub fn wait_for_clip(&mut self, tp: Tp, done: impl Fn(&Clip) -> bool) -> Clip {
        for _ in 0..400 {
            self.block(
                64,
                Some(Tp {
                    playing: false,
                    ..tp
                }),
                &[],
            );
            let c = self.clip();
            if done(&c) {
                // Give the audio thread a few blocks to swap the clip in.
                for _ in 0..4 {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    self.block(
                        64,
                        Some(Tp {
                            playing: false,
                            ..tp
                        }),
                        &[],
                    );
                }
                return c;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the plugin did not produce the expected clip in time");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.deactivate();
    }
}

/// A `#[persist]` field of the saved state, parsed.
pub fn saved_field(state: &serde_json::Value, name: &str) -> serde_json::Value {
    let s = state["fields"][name]
        .as_str()
        .unwrap_or_else(|| panic!("state has no field {name}: {state}"));
    serde_json::from_str(s).expect("field JSON")
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<S> Pipe for S {}

/// Checks the stream: no note-on while the key sounds, no note-off without a note-on. Returns
/// the keys still sounding.
pub fn check_balance(events: &[Ev]) -> std::collections::BTreeSet<(u8, u8)> {
    let mut sounding = std::collections::BTreeSet::new();
    for e in events {
        if e.on {
            assert!(
                sounding.insert((e.channel, e.key)),
                "note-on while sounding: {e:?}"
            );
        } else {
            assert!(
                sounding.remove(&(e.channel, e.key)),
                "note-off without note-on: {e:?}"
            );
        }
    }
    sounding
}

/// The events a clip should produce at constant tempo with song position 0 at sample 0, for
/// samples in `from..to`, when bar `n` of the song plays bar `n % bars` of the clip.
pub fn expected(clip: &Clip, tempo: f64, sample_rate: f64, from: u64, to: u64) -> Vec<Ev> {
    let spq = 60.0 / tempo * sample_rate;
    let len_q = clip.length_quarters();
    let mut out = Vec::new();
    let first_loop = ((from as f64 / spq) / len_q).floor() as i64 - 1;
    let last_loop = ((to as f64 / spq) / len_q).ceil() as i64 + 1;
    for k in first_loop.max(0)..=last_loop {
        for part in &clip.parts {
            for n in &part.notes {
                for (tick, on) in [(n.start, true), (n.end(), false)] {
                    let q = k as f64 * len_q + f64::from(tick) / 480.0;
                    let t = (q * spq - 1e-3).ceil() as u64;
                    if (from..to).contains(&t) {
                        out.push(Ev {
                            time: t,
                            on,
                            channel: part.channel.as_int(),
                            key: n.pitch.as_int(),
                        });
                    }
                }
            }
        }
    }
    out.sort();
    out
}

/// Events sorted for comparison.
pub fn sorted(mut v: Vec<Ev>) -> Vec<Ev> {
    v.sort();
    v
}

pub fn meter(m: (u16, u16)) -> Meter {
    Meter {
        numerator: m.0 as u8,
        denominator: m.1 as u8,
    }
}
