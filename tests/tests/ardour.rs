//! Bandmate in a real DAW: Ardour 7, headless.
//!
//! `ardour7-lua` (Ardour's Lua session tool, Dummy audio backend) builds a session at a known tempo
//! and meter, puts the Bandmate VST3 on a MIDI track, routes that track's MIDI output into a second,
//! record-armed MIDI track, rolls the transport for the clip's length plus a bar, stops and saves.
//! The test then reads the recorded region (the session's `interchange/*/midifiles/*.mid`) with midly
//! and compares notes and timing with the clip the `bandmate` CLI writes for the same settings.
//! Two Lua DSP fixtures (tests/ardour/*.lua) log every MIDI event right after the plugin and at the
//! recording track's input, with absolute session samples; the test checks those too.
//!
//! Needs Ardour 7 (`apt-get install -y --no-install-recommends ardour`). Without it the tests fail,
//! unless `BANDMATE_SKIP_ARDOUR=1`. Environment:
//! - `BANDMATE_VST3`: the bundle to test (default `target/bundled/Bandmate.vst3`, made by
//!   `cargo xtask bundle bandmate`; never built here);
//! - `BANDMATE_CLI`: the `bandmate` binary (default `target/debug/bandmate`, which
//!   `cargo xtask bundle bandmate` and `cargo test --workspace` build; never built here);
//! - `BANDMATE_ARDOUR_LUA`: the Lua session tool (default `ardour7-lua` on PATH);
//! - `BANDMATE_ARDOUR_SETTLE_S`: seconds to wait after adding Bandmate before rolling (default 5;
//!   the plugin prepares its clip in the background);
//! - `BANDMATE_ARDOUR_KEEP=1`: print where the sessions are (they are under CARGO_TARGET_TMPDIR).
//!
//! See docs/ardour.md for what this proves and what it does not.

use midly::{MidiMessage, Smf, Timing, TrackEventKind};
use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Ardour 7's musical time resolution (Temporal::ticks_per_beat): positions handed to plugins and
/// recorded MIDI are on a grid of 1/1920 quarter note, whatever the .mid header says (19200).
const ARDOUR_PPQN: f64 = 1920.0;
const SCANNER: &str = "/usr/lib/ardour7/ardour-vst3-scanner";
const ARDOUR_LIB: &str = "/usr/lib/ardour7";
const RATE: u32 = 48_000;
/// The song: a tempo that is not any default, in 4/4.
const BPM: f64 = 100.0;
const METER: (u32, u32) = (4, 4);
/// The clip Bandmate makes on load with default parameters, as `bandmate generate` arguments
/// (tempo and meter are added from the session). Must match plugin/src/params.rs defaults.
const CLI_ARGS: &[&str] = &[
    "--key", "C major", "--bars", "4", "--seed", "1", "--parts", "chords", "--style", "pop",
    "--engine", "model",
];
/// Seconds the session idles (engine running, transport stopped) after adding Bandmate before
/// rolling, so the clip it generates in the background is ready at bar 1.
const SETTLE_S: &str = "5";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The Lua session tool, or None when the test is to be skipped. Panics when Ardour is missing and
/// skipping was not asked for.
fn ardour_lua() -> Option<PathBuf> {
    let name = std::env::var("BANDMATE_ARDOUR_LUA").unwrap_or_else(|_| "ardour7-lua".into());
    let found = if name.contains('/') {
        Some(PathBuf::from(&name)).filter(|p| p.is_file())
    } else {
        std::env::var_os("PATH")
            .map(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join(&name))
                    .find(|p| p.is_file())
            })
            .unwrap_or(None)
    };
    match found {
        Some(p) if Path::new(SCANNER).is_file() => Some(p),
        _ if std::env::var("BANDMATE_SKIP_ARDOUR").as_deref() == Ok("1") => {
            eprintln!(
                "SKIPPED: Ardour 7 ({name}, {SCANNER}) not installed and BANDMATE_SKIP_ARDOUR=1"
            );
            None
        }
        _ => panic!(
            "Ardour 7 is needed for this test but {name} or {SCANNER} was not found.\n\
             Install it with: apt-get install -y --no-install-recommends ardour\n\
             (or set BANDMATE_SKIP_ARDOUR=1 to skip the Ardour tests)"
        ),
    }
}

fn run_logged(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Bandmate VST3 bundle: BANDMATE_VST3, or target/bundled/Bandmate.vst3.
fn bundle() -> PathBuf {
    let p = std::env::var_os("BANDMATE_VST3")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("bundled/Bandmate.vst3"));
    assert!(
        p.is_dir(),
        "{} is missing: bundle it first with `cargo xtask bundle bandmate` (or set BANDMATE_VST3)",
        p.display()
    );
    p
}

/// The `bandmate` CLI binary: BANDMATE_CLI, or target/debug/bandmate.
fn cli() -> PathBuf {
    let p = std::env::var_os("BANDMATE_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/bandmate"));
    assert!(
        p.is_file(),
        "{} is missing: build it first (`cargo xtask bundle bandmate` builds it with the plugin), or set BANDMATE_CLI",
        p.display()
    );
    p
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let e = e.expect("dir entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// Ardour trusts a VST3 scan cache only when it is strictly newer (in whole seconds) than the
/// bundle; a bundle copied in the same second as the scan is reported as "updated" and not listed.
fn backdate(p: &Path, when: SystemTime) {
    if p.is_dir() {
        for e in fs::read_dir(p).expect("read_dir") {
            backdate(&e.expect("entry").path(), when);
        }
    }
    fs::File::open(p)
        .and_then(|f| f.set_modified(when))
        .expect("set mtime");
}

/// A throw-away HOME for Ardour with the Lua fixtures and (optionally) the bundle installed.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(test: &str, with_bundle: bool) -> Home {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ardour-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let scripts = dir.join("home/.config/ardour7/scripts");
        fs::create_dir_all(&scripts).expect("mkdir scripts");
        for f in ["bm_midilog.lua", "bm_testgen.lua"] {
            fs::copy(root().join("tests/ardour").join(f), scripts.join(f))
                .expect("copy Lua fixture");
        }
        if with_bundle {
            let dest = dir.join("home/.vst3/Bandmate.vst3");
            copy_dir(&bundle(), &dest);
            backdate(&dest, SystemTime::now() - Duration::from_secs(120));
        }
        if std::env::var("BANDMATE_ARDOUR_KEEP").as_deref() == Ok("1") {
            eprintln!("{test}: Ardour files under {}", dir.display());
        }
        Home { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    fn installed_bundle(&self) -> PathBuf {
        self.home().join(".vst3/Bandmate.vst3")
    }

    /// Runs ardour-vst3-scanner on the installed bundle; returns its verbose output.
    fn scan(&self) -> String {
        let out = Command::new(SCANNER)
            .arg("-v")
            .arg("-f")
            .arg(self.installed_bundle())
            .env("HOME", self.home())
            .env("LD_LIBRARY_PATH", ARDOUR_LIB)
            .output()
            .expect("run ardour-vst3-scanner");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "ardour-vst3-scanner failed ({}):\n{text}",
            out.status
        );
        text
    }
}

/// What one Ardour session run did, parsed from the result file record.lua writes.
struct Run {
    lines: Vec<Vec<String>>,
    session_dir: PathBuf,
    /// (tag "gen"|"rec", sample, rolling, status, data1, data2)
    events: Vec<(String, i64, bool, u8, u8, u8)>,
    stdout: String,
}

impl Run {
    fn get(&self, key: &str) -> Option<&Vec<String>> {
        self.lines
            .iter()
            .find(|l| l.first().map(String::as_str) == Some(key))
    }
    fn all(&self, key: &str) -> Vec<&Vec<String>> {
        self.lines
            .iter()
            .filter(|l| l.first().map(String::as_str) == Some(key))
            .collect()
    }
    fn num(&self, key: &str, idx: usize) -> i64 {
        let l = self
            .get(key)
            .unwrap_or_else(|| panic!("no '{key}' line in the result:\n{}", self.stdout));
        l[idx]
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad '{key}' line {l:?}")) as i64
    }
    /// The recorded .mid (one region expected).
    fn recorded_file(&self) -> PathBuf {
        assert_eq!(
            self.num("regions", 1),
            1,
            "expected exactly one recorded region:\n{}",
            self.stdout
        );
        let name = &self.get("source").expect("source line")[1];
        let inter = self.session_dir.join("interchange");
        for e in fs::read_dir(&inter).expect("interchange/") {
            let p = e.expect("entry").path().join("midifiles").join(name);
            if p.is_file() {
                return p;
            }
        }
        panic!("{name} not found under {}", inter.display());
    }
    fn log(&self, tag: &str) -> Vec<(i64, bool, u8, u8, u8)> {
        self.events
            .iter()
            .filter(|e| e.0 == tag)
            .map(|e| (e.1, e.2, e.3, e.4, e.5))
            .collect()
    }
}

struct Spec<'a> {
    name: &'a str,
    plugin: &'a str,
    plugin_type: &'a str,
    stop_sample: i64,
    settle_s: &'a str,
}

fn run_session(lua: &Path, home: &Home, spec: &Spec) -> Run {
    // One Ardour at a time: the Dummy backend runs in real time, and parallel sessions on a small CI
    // machine only add xruns (once, three at a time, one stalled while adding the plugin).
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let session_dir = home.dir.join(spec.name);
    let result = home.dir.join(format!("{}.result.txt", spec.name));
    let mut child = Command::new(lua)
        .arg(root().join("tests/ardour/record.lua"))
        .current_dir(&home.dir)
        .env("HOME", home.home())
        .env("BM_SESSION_DIR", &session_dir)
        .env("BM_SESSION_NAME", spec.name)
        .env("BM_RATE", RATE.to_string())
        .env("BM_BPM", BPM.to_string())
        .env("BM_METER_NUM", METER.0.to_string())
        .env("BM_METER_DEN", METER.1.to_string())
        .env("BM_PLUGIN", spec.plugin)
        .env("BM_PLUGIN_TYPE", spec.plugin_type)
        .env("BM_STOP_SAMPLE", spec.stop_sample.to_string())
        .env(
            "BM_SETTLE_S",
            std::env::var("BANDMATE_ARDOUR_SETTLE_S").unwrap_or_else(|_| spec.settle_s.to_string()),
        )
        .env(
            "BM_EXPORT",
            home.dir.join(format!("{}.export.mid", spec.name)),
        )
        .env("BM_RESULT", &result)
        .env("BM_TIMEOUT_S", "240")
        .stdin(Stdio::null())
        .stdout(
            fs::File::create(home.dir.join(format!("{}.stdout.txt", spec.name)))
                .expect("stdout file"),
        )
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start ardour7-lua");
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ardour7-lua did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout =
        fs::read_to_string(home.dir.join(format!("{}.stdout.txt", spec.name))).unwrap_or_default();
    let text = fs::read_to_string(&result).unwrap_or_default();
    let lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(' ').map(String::from).collect())
        .collect();
    let ok = lines
        .iter()
        .any(|l| l.first().map(String::as_str) == Some("ok"));
    assert!(
        status.success() && ok,
        "Ardour session script failed ({status}):\n{stdout}"
    );
    let events = lines
        .iter()
        .filter(|l| l[0] == "ev")
        .map(|l| {
            let n = |i: usize| l[i].parse::<i64>().unwrap_or(-1);
            (
                l[1].clone(),
                n(2),
                n(3) == 1,
                n(4) as u8,
                n(5) as u8,
                n(6) as u8,
            )
        })
        .collect();
    Run {
        lines,
        session_dir,
        events,
        stdout,
    }
}

/// A note with times in quarter notes from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Note {
    channel: u8,
    key: u8,
    vel: u8,
    start: f64,
    end: f64,
}

/// Reads every note of a .mid (all tracks), pairing note-ons and offs per channel and key (first
/// in, first out). Returns the notes and the keys left sounding at the end.
fn read_notes(path: &Path) -> (Vec<Note>, Vec<(u8, u8)>) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let smf = Smf::parse(&bytes).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    let ppq = match smf.header.timing {
        Timing::Metrical(t) => t.as_int() as f64,
        other => panic!("{}: unexpected timing {other:?}", path.display()),
    };
    let mut notes = Vec::new();
    let mut hanging = Vec::new();
    for track in &smf.tracks {
        let mut tick: u64 = 0;
        let mut open: BTreeMap<(u8, u8), VecDeque<(u64, u8)>> = BTreeMap::new();
        for ev in track {
            tick += ev.delta.as_int() as u64;
            if let TrackEventKind::Midi { channel, message } = ev.kind {
                let ch = channel.as_int();
                match message {
                    MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                        open.entry((ch, key.as_int()))
                            .or_default()
                            .push_back((tick, vel.as_int()));
                    }
                    MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                        if let Some((t0, v)) = open
                            .get_mut(&(ch, key.as_int()))
                            .and_then(|q| q.pop_front())
                        {
                            notes.push(Note {
                                channel: ch,
                                key: key.as_int(),
                                vel: v,
                                start: t0 as f64 / ppq,
                                end: tick as f64 / ppq,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        for ((ch, k), q) in open {
            for _ in q {
                hanging.push((ch, k));
            }
        }
    }
    notes.sort_by(|a, b| {
        a.start
            .total_cmp(&b.start)
            .then(a.channel.cmp(&b.channel))
            .then(a.key.cmp(&b.key))
    });
    (notes, hanging)
}

/// The reference clip: `bandmate generate` with the plugin's default settings at the session's
/// tempo and meter.
fn reference_clip(dir: &Path) -> (Vec<Note>, f64) {
    let out = dir.join("reference.mid");
    let mut args: Vec<String> = vec!["generate".into()];
    args.extend(CLI_ARGS.iter().map(|s| s.to_string()));
    args.extend([
        "--tempo".into(),
        BPM.to_string(),
        "--time-sig".into(),
        format!("{}/{}", METER.0, METER.1),
    ]);
    args.extend(["--out".into(), out.display().to_string()]);
    run_logged(
        Command::new(cli()).args(&args),
        &format!("bandmate {}", args.join(" ")),
    );
    let (notes, hanging) = read_notes(&out);
    assert!(
        hanging.is_empty(),
        "reference clip has unterminated notes {hanging:?}"
    );
    assert!(!notes.is_empty(), "reference clip has no notes");
    let bars: f64 = CLI_ARGS
        .iter()
        .position(|a| *a == "--bars")
        .map(|i| CLI_ARGS[i + 1].parse().expect("bars"))
        .expect("--bars");
    (notes, bars * bar_quarters())
}

fn bar_quarters() -> f64 {
    METER.0 as f64 * 4.0 / METER.1 as f64
}

fn samples_per_quarter() -> f64 {
    RATE as f64 * 60.0 / BPM
}

/// What a looping clip (length `len` quarters, from quarter 0) should put on a recording that
/// captured `[0, end)`: every note that starts before `end`, cut at `end`. Notes starting within
/// `guard` of `end` are dropped from both sides (the stop is only block-accurate).
fn looped(clip: &[Note], len: f64, end: f64) -> Vec<Note> {
    let mut v = Vec::new();
    let mut k = 0.0;
    while k * len < end {
        for n in clip {
            let s = n.start + k * len;
            if s < end {
                v.push(Note {
                    start: s,
                    end: (n.end + k * len).min(end),
                    ..*n
                });
            }
        }
        k += 1.0;
    }
    v.sort_by(|a, b| {
        a.start
            .total_cmp(&b.start)
            .then(a.channel.cmp(&b.channel))
            .then(a.key.cmp(&b.key))
    });
    v
}

/// Compares notes within `tol` quarters (start and end), same channel, key, velocity (±1: VST3
/// velocities are floats). Returns a readable list of differences.
fn diff_notes(expected: &[Note], got: &[Note], tol: f64, end: f64) -> Vec<String> {
    let near_end = |n: &Note| n.start > end - 2.0 * tol;
    let exp: Vec<&Note> = expected.iter().filter(|n| !near_end(n)).collect();
    let mut rest: Vec<Option<&Note>> = got.iter().filter(|n| !near_end(n)).map(Some).collect();
    let mut errs = Vec::new();
    for e in &exp {
        let found = rest.iter_mut().find(|g| {
            g.map(|g| g.channel == e.channel && g.key == e.key && (g.start - e.start).abs() <= tol)
                .unwrap_or(false)
        });
        match found {
            Some(slot) => {
                let g = slot.take().expect("matched note");
                // A note the capture cut must last to the capture's end; where exactly Ardour puts
                // the note-off it adds there differs between the take and its export (a few ticks).
                let cut = e.end >= end - tol;
                if cut && g.end < end - tol {
                    errs.push(format!("note {e:?} cut by the stop recorded with end {:.5} (capture ends {end:.5})", g.end));
                } else if !cut && (g.end - e.end).abs() > tol {
                    errs.push(format!(
                        "note {e:?} recorded with end {:.5} (expected {:.5})",
                        g.end, e.end
                    ));
                }
                if (g.vel as i32 - e.vel as i32).abs() > 1 {
                    errs.push(format!("note {e:?} recorded with velocity {}", g.vel));
                }
            }
            None => errs.push(format!("missing note {e:?}")),
        }
    }
    for g in rest.into_iter().flatten() {
        errs.push(format!("unexpected note {g:?}"));
    }
    errs
}

/// Notes from an event log (samples), paired like read_notes; times converted to quarters.
/// Only events while rolling count; offs sent after the stop end the notes at the stop sample.
fn log_notes(log: &[(i64, bool, u8, u8, u8)], stop: i64) -> Vec<Note> {
    let spq = samples_per_quarter();
    let mut open: BTreeMap<(u8, u8), VecDeque<(i64, u8)>> = BTreeMap::new();
    let mut notes = Vec::new();
    for &(s, rolling, st, d1, d2) in log {
        let (kind, ch) = (st & 0xF0, st & 0x0F);
        if kind == 0x90 && d2 > 0 && rolling {
            open.entry((ch, d1)).or_default().push_back((s, d2));
        } else if kind == 0x80 || kind == 0x90 {
            if let Some((s0, v)) = open.get_mut(&(ch, d1)).and_then(|q| q.pop_front()) {
                notes.push(Note {
                    channel: ch,
                    key: d1,
                    vel: v,
                    start: s0 as f64 / spq,
                    end: s.min(stop) as f64 / spq,
                });
            }
        }
    }
    notes.sort_by(|a, b| {
        a.start
            .total_cmp(&b.start)
            .then(a.channel.cmp(&b.channel))
            .then(a.key.cmp(&b.key))
    });
    notes
}

fn report(title: &str, errs: &[String]) -> String {
    if errs.is_empty() {
        return String::new();
    }
    format!(
        "{title}: {} difference(s):\n  {}\n",
        errs.len(),
        errs.join("\n  ")
    )
}

/// The harness itself, with no Bandmate involved: a Lua DSP generator (bm_testgen.lua, a note on
/// every beat, half a beat long) on the first track is recorded on the second, at 100 bpm.
#[test]
fn ardour_records_a_builtin_lua_generator() {
    let Some(lua) = ardour_lua() else { return };
    let home = Home::new("luagen", false);
    let spq = samples_per_quarter();
    let stop = (6.25 * spq) as i64; // mid-note: beat 6 sounds until 6.5
    let run = run_session(
        &lua,
        &home,
        &Spec {
            name: "luagen",
            plugin: "BM Test Gen",
            plugin_type: "Lua",
            stop_sample: stop,
            settle_s: "0",
        },
    );
    let cap_end = run.num("region", 4) as f64 / spq;
    let gen: Vec<Note> = (0..12)
        .map(|b| Note {
            channel: 0,
            key: 60 + (b % 12) as u8,
            vel: 100,
            start: b as f64,
            end: b as f64 + 0.5,
        })
        .collect();
    let expected = looped(&gen, 12.0, cap_end);
    let (rec, hanging) = read_notes(&run.recorded_file());
    assert!(
        hanging.is_empty(),
        "hanging notes in the recording: {hanging:?}"
    );
    let tol = 1.0 / ARDOUR_PPQN;
    let mut msg = report("recording", &diff_notes(&expected, &rec, tol, cap_end));
    let stopped = run.num("stopped", 1);
    msg += &report(
        "log at the recording input",
        &diff_notes(
            &expected,
            &log_notes(&run.log("rec"), stopped),
            tol,
            cap_end,
        ),
    );
    // The Lua generator is sample-exact: its note-ons land exactly on the beat samples.
    for (s, rolling, st, _, _) in run.log("gen") {
        if st & 0xF0 == 0x90 && rolling && (s as f64 / spq * 2.0).fract() != 0.0 {
            msg += &format!("event at sample {s} is not on a half beat\n");
        }
    }
    assert!(msg.is_empty(), "{msg}");
}

/// ardour-vst3-scanner sees one class "Bandmate" with one MIDI (event) output bus, and Ardour lists
/// it after the scan.
#[test]
fn ardour_scanner_sees_bandmate() {
    let Some(_lua) = ardour_lua() else { return };
    let home = Home::new("scan", true);
    let text = home.scan();
    eprintln!("{text}");
    let info = &text[text
        .find("<VST3Info ")
        .unwrap_or_else(|| panic!("no <VST3Info> in the scanner output:\n{text}"))..];
    let attr = |name: &str| -> String {
        let key = format!(" {name}=\"");
        let i = info
            .find(&key)
            .unwrap_or_else(|| panic!("scanner output has no {name}:\n{text}"));
        let rest = &info[i + key.len()..];
        rest[..rest.find('"').expect("closing quote")].to_string()
    };
    assert!(
        text.contains("Found Plugin: Bandmate"),
        "scanner did not find Bandmate:\n{text}"
    );
    assert!(
        text.contains("Class count: 1"),
        "expected one plugin class:\n{text}"
    );
    assert_eq!(attr("name"), "Bandmate");
    assert_eq!(
        attr("n_midi_outputs"),
        "1",
        "Bandmate must have one MIDI (event) output bus"
    );
    let midi_in: u32 = attr("n_midi_inputs").parse().expect("n_midi_inputs");
    assert!(midi_in <= 1, "at most one MIDI input bus, got {midi_in}");
    let category = attr("category");
    assert!(
        category.split('|').any(|c| c == "Instrument"),
        "category {category:?} should include Instrument so hosts put Bandmate on MIDI/instrument tracks"
    );
    for (k, v) in [
        "n_inputs",
        "n_outputs",
        "n_aux_inputs",
        "n_aux_outputs",
        "vendor",
        "version",
        "sdk-version",
    ]
    .iter()
    .map(|k| (k, attr(k)))
    {
        eprintln!("scanner: {k} = {v}");
    }
    let log = fs::read_to_string(home.home().join(".config/ardour7/plugin_metadata/scan_log"))
        .unwrap_or_default();
    assert!(
        !log.contains("scan-result=\"4\""),
        "scan log reports an error:\n{log}"
    );
}

/// The main proof: Bandmate on a MIDI track plays its default clip in time with Ardour's transport
/// at 100 bpm 4/4, looping at the clip's end, and a second track records exactly that clip.
#[test]
fn ardour_records_the_clip_bandmate_plays() {
    let Some(lua) = ardour_lua() else { return };
    let home = Home::new("record", true);
    home.scan();
    let (clip, len) = reference_clip(&home.dir);
    let spq = samples_per_quarter();
    let stop = ((len + bar_quarters()) * spq).round() as i64;
    let t0 = Instant::now();
    let run = run_session(
        &lua,
        &home,
        &Spec {
            name: "record",
            plugin: "Bandmate",
            plugin_type: "VST3",
            stop_sample: stop,
            settle_s: SETTLE_S,
        },
    );
    eprintln!("session run: {:.1} s", t0.elapsed().as_secs_f64());
    for l in run.all("param") {
        eprintln!("Bandmate parameter {}", l[1..].join(" "));
    }
    assert_eq!(
        run.num("region", 2),
        0,
        "recording should start at sample 0"
    );
    let cap_end = run.num("region", 4) as f64 / spq;
    assert!(
        cap_end >= len + bar_quarters(),
        "recorded only {cap_end} quarters"
    );
    let expected = looped(&clip, len, cap_end);
    let rec_file = run.recorded_file();
    let (rec, hanging) = read_notes(&rec_file);
    eprintln!(
        "recorded {} notes in {} ({} expected), capture {cap_end:.4} quarters",
        rec.len(),
        rec_file.display(),
        expected.len()
    );
    assert!(
        hanging.is_empty(),
        "hanging notes in the recording: {hanging:?}"
    );
    let tol = 1.0 / ARDOUR_PPQN;
    let stopped = run.num("stopped", 1);
    let mut msg = report(
        "recording vs clip",
        &diff_notes(&expected, &rec, tol, cap_end),
    );
    msg += &report(
        "events sent by Bandmate vs clip",
        &diff_notes(
            &expected,
            &log_notes(&run.log("gen"), stopped),
            tol,
            cap_end,
        ),
    );
    msg += &report(
        "events at the recording input vs clip",
        &diff_notes(
            &expected,
            &log_notes(&run.log("rec"), stopped),
            tol,
            cap_end,
        ),
    );
    let export = home.dir.join("record.export.mid");
    if export.is_file() {
        let (exp_notes, _) = read_notes(&export);
        msg += &report(
            "Ardour's MIDI export of the region vs clip",
            &diff_notes(&expected, &exp_notes, tol, cap_end),
        );
    }
    // How exact is Bandmate's timing in samples?
    let worst = log_notes(&run.log("gen"), stopped)
        .iter()
        .zip(expected.iter())
        .map(|(g, e)| ((g.start - e.start) * spq).abs())
        .fold(0.0, f64::max);
    eprintln!(
        "largest note-on offset from the clip in samples: {worst:.2} (one Ardour tick = {:.2})",
        spq / ARDOUR_PPQN
    );
    assert!(msg.is_empty(), "{msg}");
}

/// Stopping in the middle of a sounding note: the recording ends that note at the stop (no hanging
/// note), and Bandmate starts no note while the transport is stopped.
#[test]
fn ardour_stop_mid_clip_leaves_no_hanging_note() {
    let Some(lua) = ardour_lua() else { return };
    let home = Home::new("stop", true);
    home.scan();
    let (clip, _len) = reference_clip(&home.dir);
    let spq = samples_per_quarter();
    // Ardour 7.3 keeps no take at all when every recorded note is still sounding at the stop (no
    // region, no file), so stop in a note that starts after some note has ended.
    let first_end = clip.iter().map(|n| n.end).fold(f64::INFINITY, f64::min);
    let victim = *clip
        .iter()
        .find(|n| n.start >= first_end && n.end - n.start >= 0.5)
        .expect("a note of at least half a beat after the first note ends");
    let stop = (((victim.start + victim.end) / 2.0) * spq).round() as i64;
    let run = run_session(
        &lua,
        &home,
        &Spec {
            name: "stop",
            plugin: "Bandmate",
            plugin_type: "VST3",
            stop_sample: stop,
            settle_s: SETTLE_S,
        },
    );
    let stopped = run.num("stopped", 1);
    let cap_end = run.num("region", 4) as f64 / spq;
    assert!(
        cap_end < victim.end,
        "the transport stopped after the note ended ({cap_end} >= {})",
        victim.end
    );
    let (rec, hanging) = read_notes(&run.recorded_file());
    assert!(
        hanging.is_empty(),
        "hanging notes in the recording: {hanging:?}"
    );
    let tol = 1.0 / ARDOUR_PPQN;
    let cut = rec
        .iter()
        .find(|n| {
            n.channel == victim.channel
                && n.key == victim.key
                && (n.start - victim.start).abs() <= tol
        })
        .unwrap_or_else(|| panic!("note {victim:?} not recorded: {rec:?}"));
    assert!(
        (cut.end - cap_end).abs() <= tol,
        "sounding note should end at the stop ({cap_end}), ends at {}",
        cut.end
    );
    let gen = run.log("gen");
    let after: Vec<_> = gen.iter().filter(|e| !e.1).collect();
    let ons_after: Vec<_> = after
        .iter()
        .filter(|e| e.2 & 0xF0 == 0x90 && e.4 > 0)
        .collect();
    assert!(
        ons_after.is_empty(),
        "note-ons while stopped: {ons_after:?}"
    );
    let offs: Vec<_> = after
        .iter()
        .filter(|e| {
            e.2 & 0x0F == victim.channel
                && e.3 == victim.key
                && (e.2 & 0xF0 == 0x80 || e.2 & 0xF0 == 0x90)
        })
        .collect();
    assert!(
        !offs.is_empty(),
        "no note-off for {victim:?} after the stop: {after:?}"
    );
    // Ardour itself ends notes a plugin left on (note-off, velocity 64) when the transport stops;
    // a second note-off for the key is Bandmate's own.
    eprintln!(
        "after the stop at sample {stopped}: {} note-off(s) for key {} ({}); Bandmate's own note-off {}",
        offs.len(),
        victim.key,
        offs.iter().map(|e| format!("{:02x} {} {}", e.2, e.3, e.4)).collect::<Vec<_>>().join(", "),
        if offs.len() > 1 || offs.iter().any(|e| e.4 != 64) { "seen" } else { "not distinguishable from Ardour's" }
    );
}
