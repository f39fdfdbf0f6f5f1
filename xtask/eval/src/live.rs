//! `cargo xtask eval live`: live mode through the real .clap (clack-host) at 48 kHz with
//! 64-, 256- and 1024-frame blocks paced in real time (one instance per block size, in
//! parallel), over random performances at 60-180 bpm. Follow performances hold four random
//! triads at random times; answer performances play a one-bar phrase. Reports the latency from
//! a chord heard to the first bass note of its root, answers starting exactly on their
//! boundary, boundaries played late (a chord whose root came after its planned 16th, an answer
//! off its boundary), and the CPU time of the plugin's worker threads per bar of music.
//!
//! Then a fixed set at 120 bpm, with the boundaries and misses the plugin itself counted (each
//! instance writes them to a file in the folder `BANDMATE_LIVE_STATS` names).
//!
//! Last, the answers' rhythm and contour relation to their calls offline (model, rules, and an
//! unrelated pairing as the chance level).
//!
//! Options: `--count N` (performances, default 200), `--count120 N` (the 120-bpm set, default
//! 60), `--relations N` (offline calls, default 100), `--build debug|release` (named in the report), `--out PATH` (default
//! docs/BENCHMARKS.md, `-` prints only), `--seed S`.

mod related;

const START: &str = "<!-- live-eval:start -->";
const END: &str = "<!-- live-eval:end -->";

use super::opt;
use anyhow::Result;
use bandmate_engine::live::sampled::relation;
use bandmate_engine::live::SIXTEENTH;
use bandmate_engine::rng::Rng;
use bandmate_engine::TICKS_PER_QUARTER;
use bandmate_tests::{Ev, In, Session, Tp};
use std::fmt::Write as _;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const RATE: f64 = 48_000.0;
const BLOCKS: [u32; 3] = [64, 256, 1024];

/// What one performance measured.
#[derive(Debug, Default, Clone)]
struct Outcome {
    latencies_ms: Vec<f64>,
    chords: usize,
    /// Chords whose root came off the 16th-note grid (late material caught up at a block start).
    late_chords: usize,
    /// Chords whose root never came before the next chord.
    missing_roots: usize,
    /// Chords equal to the one before (nothing to switch; not in the latency figures).
    repeats: usize,
    answers: usize,
    answers_on_boundary: usize,
    /// Sum over answers of their rhythm and contour relation to the call (0..1 each).
    rhythm: f64,
    contour: f64,
    bars: f64,
}

impl Outcome {
    fn add(&mut self, o: Outcome) {
        self.latencies_ms.extend(o.latencies_ms);
        self.chords += o.chords;
        self.late_chords += o.late_chords;
        self.missing_roots += o.missing_roots;
        self.repeats += o.repeats;
        self.answers += o.answers;
        self.answers_on_boundary += o.answers_on_boundary;
        self.rhythm += o.rhythm;
        self.contour += o.contour;
        self.bars += o.bars;
    }
}

fn note(at: u64, frames_origin: u64, key: u8, on: bool) -> (u64, In) {
    let time = (at - frames_origin) as u32;
    let e = if on {
        In::NoteOn {
            time,
            channel: 0,
            key,
            velocity: 0.7,
        }
    } else {
        In::NoteOff {
            time,
            channel: 0,
            key,
        }
    };
    (at, e)
}

/// Plays `played` (absolute sample, on, key) in real time from song position 0 at `origin`.
fn paced(
    s: &mut Session,
    frames: u32,
    tempo: f64,
    until: u64,
    origin: u64,
    played: &[(u64, bool, u8)],
    params: &[In],
) -> Vec<Ev> {
    let wall = Instant::now();
    let first = s.now;
    let mut out = Vec::new();
    while s.now < until {
        let now = s.now;
        let mut input: Vec<In> = if now == first {
            params.to_vec()
        } else {
            Vec::new()
        };
        let mut here: Vec<(u64, In)> = played
            .iter()
            .filter(|p| p.0 >= now && p.0 < now + u64::from(frames))
            .map(|&(at, on, key)| note(at, now, key, on))
            .collect();
        here.sort_by_key(|x| x.0);
        input.extend(here.into_iter().map(|x| x.1));
        let beats = (now - origin) as f64 / RATE * tempo / 60.0;
        out.extend(s.block(frames, Some(Tp::at(true, tempo, beats, (4, 4))), &input));
        let due = Duration::from_secs_f64((s.now - first) as f64 / RATE);
        if let Some(wait) = due.checked_sub(wall.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    let beats = (s.now - origin) as f64 / RATE * tempo / 60.0;
    out.extend(s.block(frames, Some(Tp::at(false, tempo, beats, (4, 4))), &[]));
    out
}

const TRIADS: [[u8; 3]; 2] = [[0, 4, 7], [0, 3, 7]];

fn follow(s: &mut Session, frames: u32, tempo: f64, rng: &mut Rng) -> Outcome {
    let bar = (4.0 * 60.0 / tempo * RATE) as u64;
    let origin = s.now;
    let mut played = Vec::new();
    let mut chords = Vec::new();
    let mut last = None;
    for b in 1..5u64 {
        let root = rng.below(12) as u8;
        let q = TRIADS[rng.below(2) as usize];
        let at = origin + b * bar + u64::from(rng.below((bar / 2) as u32));
        let end = origin + (b + 1) * bar - 200;
        let inv = rng.below(3) as usize;
        for (i, iv) in q.iter().enumerate() {
            let key = 48 + root + iv + if i < inv { 12 } else { 0 };
            played.push((at + i as u64 * 48, true, key));
            played.push((end, false, key));
        }
        let repeat = last == Some((root, q, inv));
        last = Some((root, q, inv));
        chords.push((at + 2 * 48, root, repeat, (q, inv)));
    }
    let params = [
        In::Param {
            id: "live_mode",
            value: 0.0,
        },
        In::Param {
            id: "live",
            value: 1.0,
        },
    ];
    let ev = paced(s, frames, tempo, origin + 6 * bar, origin, &played, &params);
    let tick_samples = 60.0 / tempo / f64::from(TICKS_PER_QUARTER) * RATE;
    let grid = f64::from(SIXTEENTH) * tick_samples;
    let mut o = Outcome {
        bars: 6.0,
        ..Outcome::default()
    };
    for (i, &(heard, root, repeat, shape)) in chords.iter().enumerate() {
        o.chords += 1;
        if repeat {
            o.repeats += 1;
            continue;
        }
        let until = chords.get(i + 1).map_or(u64::MAX, |c| c.0);
        let bass = |e: &&Ev| e.on && e.channel == 2 && e.time >= heard && e.time < until;
        let first = ev
            .iter()
            .filter(|e| bass(e) && e.key % 12 == root)
            .map(|e| e.time)
            .min();
        match first {
            Some(t) => {
                o.latencies_ms.push((t - heard) as f64 / RATE * 1000.0);
                let k = ((t - origin) as f64 / grid).round();
                let on_grid = (origin as f64 + (k * grid).ceil()).abs() as u64;
                if t.abs_diff(on_grid) > 1 {
                    o.late_chords += 1;
                }
            }
            None => {
                o.missing_roots += 1;
                let played: Vec<u8> = ev.iter().filter(bass).map(|e| e.key % 12).take(4).collect();
                eprintln!(
                    "missing root {root} ({shape:?}) at {tempo} bpm, {frames} frames: bass played {played:?}"
                );
            }
        }
    }
    o
}

fn answer(s: &mut Session, frames: u32, tempo: f64, rng: &mut Rng) -> Outcome {
    let bar = (4.0 * 60.0 / tempo * RATE) as u64;
    let origin = s.now;
    let scale = [0u8, 2, 4, 5, 7, 9, 11];
    let mut played = Vec::new();
    let eighth = bar / 8;
    let mut i = 0;
    while i < 6 {
        let at = origin + bar + i * eighth + u64::from(rng.below(400));
        let key = 60 + scale[rng.below(7) as usize];
        played.push((at, true, key));
        played.push((at + eighth * 2 / 3, false, key));
        i += 1 + u64::from(rng.below(2));
    }
    let params = [
        In::Param {
            id: "live_mode",
            value: 1.0,
        },
        In::Param {
            id: "live_phrase",
            value: 0.0,
        },
        In::Param {
            id: "live",
            value: 1.0,
        },
    ];
    let ev = paced(s, frames, tempo, origin + 3 * bar, origin, &played, &params);
    let boundary_beats = 8.0;
    let boundary = origin + (boundary_beats * 60.0 / tempo * RATE).ceil() as u64;
    let first = ev
        .iter()
        .filter(|e| e.on && e.channel == 1 && e.time + 2 >= boundary)
        .map(|e| e.time)
        .min();
    // Relation of the answer (the phrase after the boundary) to the call, on ticks.
    let ticks = |t: u64, from: u64| {
        ((t.saturating_sub(from)) as f64 / RATE * tempo / 60.0 * f64::from(TICKS_PER_QUARTER))
            as u32
    };
    let call: Vec<(u32, i32)> = played
        .iter()
        .filter(|p| p.1)
        .map(|p| (ticks(p.0, origin + bar), i32::from(p.2)))
        .collect();
    let reply: Vec<(u32, i32)> = ev
        .iter()
        .filter(|e| e.on && e.channel == 1 && e.time + 2 >= boundary && e.time < boundary + bar)
        .map(|e| (ticks(e.time, boundary), i32::from(e.key)))
        .collect();
    let r = relation(&call, &reply, 4 * TICKS_PER_QUARTER);
    Outcome {
        answers: 1,
        answers_on_boundary: usize::from(first.is_some_and(|t| t.abs_diff(boundary) <= 1)),
        rhythm: f64::from(r.rhythm),
        contour: f64::from(r.contour),
        bars: 3.0,
        ..Outcome::default()
    }
}

/// CPU seconds of this process's threads named `bandmate-worker` (the plugin's runner
/// thread), from `/proc/self/task/*/schedstat` (nanoseconds on the CPU), and how many there are.
fn worker_cpu() -> (f64, usize) {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return (0.0, 0);
    };
    let mut ns = 0u64;
    let mut threads = 0;
    for t in dir.flatten() {
        let p = t.path();
        let comm = std::fs::read_to_string(p.join("comm")).unwrap_or_default();
        if comm.trim() != "bandmate-worker" {
            continue;
        }
        threads += 1;
        let stat = std::fs::read_to_string(p.join("schedstat")).unwrap_or_default();
        ns += stat
            .split_whitespace()
            .next()
            .and_then(|x| x.parse::<u64>().ok())
            .unwrap_or(0);
    }
    (ns as f64 / 1e9, threads)
}

/// Plays `count` performances in blocks of `frames` (at `tempo`, or random 60-180 bpm); waits
/// at `done` (all sessions still alive, so their workers' CPU time can be read) and then at
/// `release`.
fn run_block_size(
    frames: u32,
    count: usize,
    seed: u64,
    tempo: Option<f64>,
    done: &Barrier,
    release: &Barrier,
) -> (Outcome, f64) {
    let mut s = Session::new(RATE, 1024);
    let mut rng = Rng::derive(seed ^ u64::from(frames), "eval-live");
    let mut total = Outcome::default();
    let mut tempos = 0.0;
    for i in 0..count {
        let tempo = tempo.unwrap_or_else(|| 60.0 + f64::from(rng.below(121)));
        tempos += tempo;
        let o = if i % 2 == 0 {
            follow(&mut s, frames, tempo, &mut rng)
        } else {
            answer(&mut s, frames, tempo, &mut rng)
        };
        total.add(o);
    }
    done.wait();
    release.wait();
    drop(s);
    (total, tempos / count.max(1) as f64)
}

/// A block size, what its session measured and its mean tempo.
type Row = (u32, (Outcome, f64));

/// One session per block size at once; their outcomes and the worker CPU seconds meanwhile.
fn run_set(count: usize, seed: u64, tempo: Option<f64>) -> Result<(Vec<Row>, f64, usize)> {
    let (cpu0, _) = worker_cpu();
    let per = count.div_ceil(BLOCKS.len());
    let done = Arc::new(Barrier::new(BLOCKS.len() + 1));
    let release = Arc::new(Barrier::new(BLOCKS.len() + 1));
    let handles: Vec<_> = BLOCKS
        .iter()
        .map(|&f| {
            let (d, r) = (done.clone(), release.clone());
            std::thread::spawn(move || (f, run_block_size(f, per, seed, tempo, &d, &r)))
        })
        .collect();
    done.wait();
    let (cpu1, threads) = worker_cpu();
    release.wait();
    let mut rows = Vec::new();
    for h in handles {
        rows.push(
            h.join()
                .map_err(|_| anyhow::anyhow!("a session panicked"))?,
        );
    }
    Ok((rows, cpu1 - cpu0, threads))
}

/// The counts the plugins wrote into `dir` (`BANDMATE_LIVE_STATS`), summed by block size:
/// (switches, missed, chosen answer / continue-calmer, chosen keep-listening / busier).
fn plugin_counts(dir: &std::path::Path) -> Vec<(u32, [u64; 4])> {
    let mut by: Vec<(u32, [u64; 4])> = Vec::new();
    for f in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        let field = |name: &str| -> Option<&str> {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
        };
        let num = |name: &str| field(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let frames = num("frames") as u32;
        let chosen: Vec<u64> = field("chosen")
            .unwrap_or("0,0")
            .split(',')
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        let add = [
            num("switches"),
            num("missed"),
            chosen.first().copied().unwrap_or(0),
            chosen.get(1).copied().unwrap_or(0),
        ];
        match by.iter_mut().find(|r| r.0 == frames) {
            Some(r) => r.1.iter_mut().zip(add).for_each(|(a, b)| *a += b),
            None => by.push((frames, add)),
        }
    }
    by.sort_by_key(|r| r.0);
    by
}

fn pct(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * p).round() as usize]
}

pub fn run(args: &[String]) -> Result<()> {
    let count: usize = opt(args, "--count").unwrap_or("200").parse()?;
    let seed: u64 = opt(args, "--seed").unwrap_or("1").parse()?;
    let out = opt(args, "--out").unwrap_or("docs/BENCHMARKS.md");
    let fixed: usize = opt(args, "--count120").unwrap_or("60").parse()?;
    let build = opt(args, "--build").unwrap_or("debug").to_string();
    let began = Instant::now();
    let stats = std::env::temp_dir().join(format!("bandmate-live-stats-{}", std::process::id()));
    std::fs::create_dir_all(&stats)?;
    // Read by each plugin instance when it is made; set before any exists.
    std::env::set_var("BANDMATE_LIVE_STATS", &stats);
    let (rows, cpu, threads) = run_set(count, seed, None)?;
    let random_s = began.elapsed().as_secs_f64();
    let per = count.div_ceil(BLOCKS.len());
    let fixed_dir = stats.join("120");
    std::fs::create_dir_all(&fixed_dir)?;
    std::env::set_var("BANDMATE_LIVE_STATS", &fixed_dir);
    let t120 = Instant::now();
    let (rows120, _, _) = run_set(fixed, seed ^ 120, Some(120.0))?;
    let fixed_s = t120.elapsed().as_secs_f64();
    let relations: usize = opt(args, "--relations").unwrap_or("100").parse()?;
    let (rm, rr, ru, fallbacks) = related::offline(relations, seed);
    let counts_random = plugin_counts(&stats);
    let counts120 = plugin_counts(&fixed_dir);
    let _ = std::fs::remove_dir_all(&stats);
    let mut md = String::new();
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    writeln!(md, "## Live mode (`cargo xtask eval live`)\n")?;
    writeln!(
        md,
        "Run {date}, {build} .clap. {} random performances ({} per block size, half follow, half answer) at 60-180 bpm through the \
         real .clap in clack-host at 48 kHz, blocks paced in real time, one instance per block size \
         running at once; {random_s:.0} s. Latency: a held chord (its last note) to the first bass note of \
         its root, over the chords that differ from the one before (repeats: nothing to switch); it \
         includes the 24-tick settle time, the plugin's lead (one block + 10 ms, so the material \
         reaches the audio thread before its switch) and the wait for the next 16th (up to 250 ms \
         at 60 bpm), by design. Late: a root off the 16th-note grid (material that missed its \
         switch tick and was caught up at a block start). Missing: no root before the next chord. \
         An answer counts when its first note is on its boundary sample. Relation: the answer's \
         rhythm (onset overlap on the 16th grid) and contour (agreeing steps) against the call, \
         0..1, mean over answers (`live::sampled::relation`; the plugin's Source is Model, so \
         answers come from the melody model primed on the call). Switches / missed: as counted by \
         the plugin's audio thread (written to `BANDMATE_LIVE_STATS`), missed = material that \
         reached it after its switch tick. Answer / listen: the candidate chosen at the boundary.\n",
        per * BLOCKS.len(),
        per,
    )?;
    let table = |md: &mut String, rows: &[Row], counts: &[(u32, [u64; 4])]| -> Result<f64> {
        writeln!(
            md,
            "| block | mean bpm | chords (repeats) | latency median ms | p99 ms | max ms | late | missing | answers on the boundary | relation rhythm / contour | switches | missed (plugin) | answer / listen |"
        )?;
        writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")?;
        let mut bars = 0.0;
        for (frames, (o, bpm)) in rows {
            let mut lat = o.latencies_ms.clone();
            lat.sort_by(f64::total_cmp);
            bars += o.bars;
            let c = counts
                .iter()
                .find(|c| c.0 == *frames)
                .map_or([0; 4], |c| c.1);
            let n = o.answers.max(1) as f64;
            writeln!(
                md,
                "| {frames} | {bpm:.0} | {} ({}) | {:.1} | {:.1} | {:.1} | {} | {} | {} of {} | {:.2} / {:.2} | {} | {} | {} / {} |",
                o.chords,
                o.repeats,
                pct(&lat, 0.5),
                pct(&lat, 0.99),
                lat.last().copied().unwrap_or(f64::NAN),
                o.late_chords,
                o.missing_roots,
                o.answers_on_boundary,
                o.answers,
                o.rhythm / n,
                o.contour / n,
                c[0],
                c[1],
                c[2],
                c[3]
            )?;
        }
        Ok(bars)
    };
    let bars = table(&mut md, &rows, &counts_random)?;
    writeln!(
        md,
        "\nWorker threads' CPU time: {:.2} s over {bars:.0} bars of music = {:.2} ms per bar \
         (`/proc/self/task/*/schedstat` of the {threads} `bandmate-worker` threads, ns resolution; \
         includes the worker's clip work; the .clap as bundled, here the {build} build).",
        cpu,
        cpu * 1000.0 / bars.max(1.0)
    )?;
    writeln!(
        md,
        "\n### Fixed 120 bpm ({} performances, {} per block size; {fixed_s:.0} s; model backend: {}, as \
         this process finds it with the .clap's environment; native = ONNX Runtime)\n",
        fixed.div_ceil(BLOCKS.len()) * BLOCKS.len(),
        fixed.div_ceil(BLOCKS.len()),
        bandmate_engine::model::backend_name()
    )?;
    table(&mut md, &rows120, &counts120)?;
    writeln!(
        md,
        "\n### Answers' relation to the call, offline ({relations} random one-bar calls through \
         `LiveEngine`, model backend {})\n",
        bandmate_engine::model::backend_name()
    )?;
    writeln!(md, "| answers | rhythm | contour |")?;
    writeln!(md, "|---|---|---|")?;
    writeln!(
        md,
        "| melody model v2 (best of 3 samples by relation; {fallbacks} rule fallbacks) | {:.2} | {:.2} |",
        rm.0, rm.1
    )?;
    writeln!(md, "| rules (`--rules`) | {:.2} | {:.2} |", rr.0, rr.1)?;
    writeln!(
        md,
        "| model answer against the next call (unrelated pair) | {:.2} | {:.2} |",
        ru.0, ru.1
    )?;
    let md = format!("{START}\n{}\n{END}\n", md.trim_end());
    let path = if out == "-" {
        std::path::PathBuf::from("-")
    } else {
        super::root().join(out)
    };
    crate::doc::write_section(&path, &md, START, END)?;
    Ok(())
}
