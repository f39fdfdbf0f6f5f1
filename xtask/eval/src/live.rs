//! `cargo xtask eval live`: live mode through the real .clap (clack-host) at 48 kHz with
//! 64-, 256- and 1024-frame blocks paced in real time (one instance per block size, in
//! parallel), over random performances at 60-180 bpm. Follow performances hold four random
//! triads at random times; answer performances play a one-bar phrase. Reports the latency from
//! a chord heard to the first bass note of its root, answers starting exactly on their
//! boundary, boundaries played late (a chord whose root came after its planned 16th, an answer
//! off its boundary), and the CPU time of the plugin's worker threads per bar of music.
//!
//! Options: `--count N` (performances, default 200), `--out PATH` (default docs/BENCHMARKS.md,
//! `-` prints only), `--seed S`.

use super::opt;
use anyhow::{Context, Result};
use bandmate_engine::live::SIXTEENTH;
use bandmate_engine::rng::Rng;
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
    bars: f64,
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
    let tick_samples = 60.0 / tempo / 480.0 * RATE;
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
    Outcome {
        answers: 1,
        answers_on_boundary: usize::from(first.is_some_and(|t| t.abs_diff(boundary) <= 1)),
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

/// Plays `count` performances in blocks of `frames`; waits at `done` (all sessions still
/// alive, so their workers' CPU time can be read) and then at `release`.
fn run_block_size(
    frames: u32,
    count: usize,
    seed: u64,
    done: &Barrier,
    release: &Barrier,
) -> (Outcome, f64) {
    let mut s = Session::new(RATE, 1024);
    let mut rng = Rng::derive(seed ^ u64::from(frames), "eval-live");
    let mut total = Outcome::default();
    let mut tempos = 0.0;
    for i in 0..count {
        let tempo = 60.0 + f64::from(rng.below(121));
        tempos += tempo;
        let o = if i % 2 == 0 {
            follow(&mut s, frames, tempo, &mut rng)
        } else {
            answer(&mut s, frames, tempo, &mut rng)
        };
        total.latencies_ms.extend(o.latencies_ms);
        total.chords += o.chords;
        total.late_chords += o.late_chords;
        total.missing_roots += o.missing_roots;
        total.repeats += o.repeats;
        total.answers += o.answers;
        total.answers_on_boundary += o.answers_on_boundary;
        total.bars += o.bars;
    }
    done.wait();
    release.wait();
    drop(s);
    (total, tempos / count.max(1) as f64)
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
    let began = Instant::now();
    let (cpu0, _) = worker_cpu();
    let per = count.div_ceil(BLOCKS.len());
    let done = Arc::new(Barrier::new(BLOCKS.len() + 1));
    let release = Arc::new(Barrier::new(BLOCKS.len() + 1));
    let handles: Vec<_> = BLOCKS
        .iter()
        .map(|&f| {
            let (d, r) = (done.clone(), release.clone());
            std::thread::spawn(move || (f, run_block_size(f, per, seed, &d, &r)))
        })
        .collect();
    done.wait();
    let (cpu1, threads) = worker_cpu();
    let cpu = cpu1 - cpu0;
    release.wait();
    let mut rows = Vec::new();
    for h in handles {
        rows.push(
            h.join()
                .map_err(|_| anyhow::anyhow!("a session panicked"))?,
        );
    }
    let mut md = String::new();
    writeln!(md, "## Live mode (`cargo xtask eval live`)\n")?;
    writeln!(
        md,
        "{} random performances ({} per block size, half follow, half answer) at 60-180 bpm through the \
         real .clap in clack-host at 48 kHz, blocks paced in real time, one instance per block size \
         running at once; {:.0} s. Latency: a held chord (its last note) to the first bass note of \
         its root, over the chords that differ from the one before (repeats: nothing to switch); it \
         includes the 24-tick settle time, the plugin's lead (one block + 10 ms, so the material \
         reaches the audio thread before its switch) and the wait for the next 16th (up to 250 ms \
         at 60 bpm), by design. Late: a root off the 16th-note grid (material that missed its \
         switch tick and was caught up at a block start). Missing: no root before the next chord. \
         An answer counts when its first note is on its boundary sample.\n",
        per * BLOCKS.len(),
        per,
        began.elapsed().as_secs_f64()
    )?;
    writeln!(
        md,
        "| block | mean bpm | chords (repeats) | latency median ms | p99 ms | max ms | late | missing | answers on the boundary |"
    )?;
    writeln!(md, "|---|---|---|---|---|---|---|---|---|")?;
    let mut bars = 0.0;
    for (frames, (mut o, bpm)) in rows {
        o.latencies_ms.sort_by(f64::total_cmp);
        bars += o.bars;
        writeln!(
            md,
            "| {frames} | {bpm:.0} | {} ({}) | {:.1} | {:.1} | {:.1} | {} | {} | {} of {} |",
            o.chords,
            o.repeats,
            pct(&o.latencies_ms, 0.5),
            pct(&o.latencies_ms, 0.99),
            o.latencies_ms.last().copied().unwrap_or(f64::NAN),
            o.late_chords,
            o.missing_roots,
            o.answers_on_boundary,
            o.answers
        )?;
    }
    writeln!(
        md,
        "\nWorker threads' CPU time: {:.2} s over {bars:.0} bars of music = {:.2} ms per bar \
         (`/proc/self/task/*/schedstat` of the {threads} `bandmate-worker` threads, ns resolution; \
         includes the worker's clip work; the .clap as bundled, here the debug build CI tests).",
        cpu,
        cpu * 1000.0 / bars.max(1.0)
    )?;
    print!("{md}");
    if out != "-" {
        let path = super::root().join(out);
        let doc = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        let start = doc.find("## Live mode (`cargo xtask eval live`)");
        let new = match start {
            Some(i) => {
                let end = doc[i + 3..]
                    .find("\n## ")
                    .map_or(doc.len(), |j| i + 3 + j + 1);
                format!("{}{}{}", &doc[..i], md, &doc[end..])
            }
            None => format!("{}\n{}", doc.trim_end(), md),
        };
        std::fs::write(&path, new)?;
    }
    Ok(())
}
