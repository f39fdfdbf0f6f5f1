//! `cargo xtask eval plugin`: loads the bundled .clap through the CLAP ABI (clack-host, as
//! the tests crate's host does) and measures instantiate + activate (the first activate generates the
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
use bandmate_tests::{load_entry, PluginEntry, Session, Tp};
use std::path::PathBuf;
use std::time::{Duration, Instant};

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

/// One plugin instance playing at 120 bpm 4/4 from song position 0.
struct Inst(Session);

impl Inst {
    fn new(entry: &PluginEntry) -> Result<Inst> {
        Ok(Inst(
            Session::from_entry(entry, SR, FRAMES).map_err(|e| anyhow!(e))?,
        ))
    }

    /// One block; returns (process() time, note events out).
    fn block(&mut self, playing: bool) -> Result<(Duration, usize)> {
        let beats = self.0.now as f64 / SR * 2.0;
        let n = self
            .0
            .block(FRAMES, Some(Tp::at(playing, 120.0, beats, (4, 4))), &[])
            .len();
        Ok((self.0.last_process, n))
    }

    fn clip_notes(&mut self) -> Result<usize> {
        Ok(self.0.clip().note_count())
    }

    fn set_clip(&mut self, clip: &bandmate_engine::Clip) -> Result<()> {
        self.0.set_clip(clip).map_err(|e| anyhow!(e))
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
    let bundle = opt(args, "--bundle")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("target/bundled/Bandmate.clap"));
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
    let entry = load_entry(&bundle).map_err(|e| anyhow!(e))?;
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
