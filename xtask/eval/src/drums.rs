//! `cargo xtask eval drums [--data DIR] [--out PATH|-] [--min-bars N]` — the drum model, the
//! pattern styles (with and without the learned groove) and a random baseline against held-out
//! Groove MIDI Dataset performances (split `test` of DIR/info.csv, same layout as
//! ../shared/data/groove); writes the "Drums against real drummers" section of docs/QUALITY.md.
//!
//! Every system's notes go through the same tokenizer as the data (engine `drums::grid`). Distances
//! are Jensen-Shannon divergences (base 2: 0 = same distribution, 1 = disjoint) between histograms
//! pooled over a style's bars: hits per bar per instrument (0..24), velocity per instrument
//! (8 buckets of 16), timing offset in ms per grid position (5 ms bins, -80..80 ms); instrument and
//! position averages are weighted by the held-out hit counts. Groove consistency is the mean
//! Jaccard similarity of the (slot, instrument) onset sets of consecutive bars.

use anyhow::{bail, Context, Result};
use bandmate_engine::clip::{Note, TICKS_PER_QUARTER};
use bandmate_engine::drums::grid::{self, Feel, Hit, BAR_SLOTS, NCLASS, SLOTS_PER_BEAT};
use bandmate_engine::drums::{self, catalog};
use bandmate_engine::groove::learned::{self, Voice};
use bandmate_engine::model::{self, drums as dm};
use bandmate_engine::parts::PartContext;
use bandmate_engine::rng::Rng;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

const START: &str = "<!-- drums-eval:start -->";
const END: &str = "<!-- drums-eval:end -->";
const CLIP_BARS: u32 = 16;
const SYSTEMS: [&str; 4] = ["model", "patterns", "patterns+groove", "random"];

struct Perf {
    style: String,
    bpm: f64,
    fill_file: bool,
    meter: String,
    beats: u32,
    split: String,
    feel: Feel,
    bars: Vec<Vec<Hit>>,
}

fn top_style(s: &str) -> String {
    s.split('/').next().unwrap_or(s).to_string()
}

fn load(dir: &Path) -> Result<Vec<Perf>> {
    let csv = std::fs::read_to_string(dir.join("info.csv"))
        .with_context(|| format!("reading {}/info.csv", dir.display()))?;
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |n: &str| {
        head.iter()
            .position(|h| *h == n)
            .with_context(|| format!("info.csv has no column {n}"))
    };
    let (cs, cb, ct, cm, cf, cp) = (
        col("style")?,
        col("bpm")?,
        col("beat_type")?,
        col("time_signature")?,
        col("midi_filename")?,
        col("split")?,
    );
    let mut out = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < head.len() {
            continue;
        }
        let beats = match f[cm] {
            "4-4" => 4,
            "3-4" | "6-8" => 3,
            _ => continue,
        };
        let bytes = std::fs::read(dir.join(f[cf])).with_context(|| f[cf].to_string())?;
        let onsets = grid::read_onsets(&bytes).with_context(|| f[cf].to_string())?;
        if onsets.is_empty() {
            continue;
        }
        let feel = grid::choose_feel(&onsets);
        out.push(Perf {
            style: top_style(f[cs]),
            bpm: f[cb].parse().unwrap_or(120.0),
            fill_file: f[ct] == "fill",
            meter: f[cm].to_string(),
            beats,
            split: f[cp].to_string(),
            feel,
            bars: grid::tokenize(&onsets, beats, feel),
        });
    }
    Ok(out)
}

/// Fill flags and phrase positions as the training recipe labels them.
fn labels(p: &Perf) -> (Vec<bool>, Vec<u32>) {
    let n = p.bars.len();
    if p.fill_file {
        return (vec![true; n], vec![3; n]);
    }
    let fill_like = |bar: &[Hit], next: &[Hit]| {
        if !next.iter().any(|h| h.slot == 0 && h.class == 7) {
            return false;
        }
        let toms = bar.iter().filter(|h| (4..=6).contains(&h.class)).count();
        let late = bar.iter().filter(|h| h.class == 1 && h.slot >= 12).count();
        toms >= 2 || late >= 4
    };
    let fills: Vec<bool> = (0..n)
        .map(|i| i + 1 < n && fill_like(&p.bars[i], &p.bars[i + 1]))
        .collect();
    let mut pos = Vec::with_capacity(n);
    let mut since = 0u32;
    for i in 0..n {
        if i == 0 || fills[i - 1] {
            since = 0;
        }
        pos.push(if fills[i] { 3 } else { since.min(3) });
        since += 1;
    }
    (fills, pos)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let x = q * (sorted.len() - 1) as f64;
    let (i, fr) = (x.floor() as usize, x - x.floor());
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (sorted[j] - sorted[i]) * fr
}

fn active(p: &Perf, s: usize) -> bool {
    s < p.beats as usize * SLOTS_PER_BEAT && p.feel.has_slot(s)
}

fn combo(bar: &[Hit], s: usize) -> usize {
    bar.iter()
        .filter(|h| h.slot as usize == s)
        .fold(0, |a, h| a | (1 << h.class))
}

fn steps(p: &Perf) -> Vec<i64> {
    let mut v = Vec::new();
    for bar in &p.bars {
        for s in (0..BAR_SLOTS).filter(|&s| active(p, s)) {
            v.push(combo(bar, s) as i64);
        }
    }
    v
}

/// Held-out NLL per grid step of the drum model (teacher-forced, as in training).
fn model_nll(perfs: &[&Perf], train: &[&Perf]) -> Result<(f64, usize)> {
    let mut m = dm::shared()?
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cfg = m.config.clone();
    let style_of = |s: &str| {
        cfg.styles
            .iter()
            .position(|x| x == s)
            .or_else(|| cfg.styles.iter().position(|x| x == "other"))
            .unwrap_or(0)
    };
    let mut counts: HashMap<usize, Vec<f64>> = HashMap::new();
    for p in train {
        for b in &p.bars {
            counts
                .entry(style_of(&p.style))
                .or_default()
                .push(b.len() as f64);
        }
    }
    let mut all: Vec<f64> = counts.values().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    for v in counts.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    let (mut tot, mut n) = (0.0f64, 0usize);
    for p in perfs {
        let si = style_of(&p.style);
        let c = counts.get(&si).unwrap_or(&all);
        let edges: Vec<f64> = [0.2, 0.4, 0.6, 0.8]
            .iter()
            .map(|&q| quantile(c, q))
            .collect();
        let meter = cfg.meters.iter().position(|x| *x == p.meter).unwrap_or(0) as i64;
        let tempo = cfg.tempo_edges.iter().filter(|&&e| p.bpm >= e).count() as i64;
        let (fills, pos) = labels(p);
        let mut h = vec![0.0f32; m.state_len()];
        let mut prev: &[Hit] = &[];
        for (i, bar) in p.bars.iter().enumerate() {
            let d = edges.iter().filter(|&&e| bar.len() as f64 > e).count() as u32;
            let x = dm::features(si as i64, fills[i], pos[i], d, tempo, meter, p.feel, prev);
            let o = m.step(&x, &mut h)?;
            for s in (0..BAR_SLOTS).filter(|&s| active(p, s)) {
                let row = &o.hits[s * 512..(s + 1) * 512];
                let mx = row.iter().copied().fold(f32::MIN, f32::max) as f64;
                let lse = mx + row.iter().map(|&l| (l as f64 - mx).exp()).sum::<f64>().ln();
                tot += lse - row[combo(bar, s)] as f64;
                n += 1;
            }
            prev = bar;
        }
    }
    Ok((tot / n.max(1) as f64, n))
}

/// Interpolated 3-gram over the same step tokens, weights tuned on the validation split.
fn ngram_nll(train: &[&Perf], valid: &[&Perf], test: &[&Perf]) -> (f64, [f64; 4]) {
    type K3 = (i64, i64, i64);
    let (mut c1, mut c2, mut c3) = (
        HashMap::<i64, f64>::new(),
        HashMap::<(i64, i64), f64>::new(),
        HashMap::<K3, f64>::new(),
    );
    let (mut h1, mut h2) = (
        HashMap::<i64, f64>::new(),
        HashMap::<(i64, i64), f64>::new(),
    );
    let mut total = 0.0;
    for p in train {
        let ev: Vec<i64> = [-1, -1].into_iter().chain(steps(p)).collect();
        for i in 2..ev.len() {
            *c1.entry(ev[i]).or_default() += 1.0;
            *c2.entry((ev[i - 1], ev[i])).or_default() += 1.0;
            *h1.entry(ev[i - 1]).or_default() += 1.0;
            *c3.entry((ev[i - 2], ev[i - 1], ev[i])).or_default() += 1.0;
            *h2.entry((ev[i - 2], ev[i - 1])).or_default() += 1.0;
            total += 1.0;
        }
    }
    let v = 512.0;
    let nll = |set: &[&Perf], l: [f64; 4]| {
        let (mut t, mut n) = (0.0f64, 0usize);
        for p in set {
            let ev: Vec<i64> = [-1, -1].into_iter().chain(steps(p)).collect();
            for i in 2..ev.len() {
                let w = ev[i];
                let mut pr = l[3] / v + l[2] * c1.get(&w).copied().unwrap_or(0.0) / total;
                pr += l[1]
                    * match h1.get(&ev[i - 1]) {
                        Some(hh) => c2.get(&(ev[i - 1], w)).copied().unwrap_or(0.0) / hh,
                        None => 1.0 / v,
                    };
                pr += l[0]
                    * match h2.get(&(ev[i - 2], ev[i - 1])) {
                        Some(hh) => c3.get(&(ev[i - 2], ev[i - 1], w)).copied().unwrap_or(0.0) / hh,
                        None => 1.0 / v,
                    };
                t -= pr.ln();
                n += 1;
            }
        }
        t / n.max(1) as f64
    };
    let mut best = (f64::MAX, [0.0; 4]);
    for l0 in [0.001, 0.01, 0.03] {
        for l1 in [0.05, 0.1, 0.2] {
            for l2 in [0.1, 0.2, 0.3, 0.4] {
                let l = [1.0 - l0 - l1 - l2, l2, l1, l0];
                let x = nll(valid, l);
                if x < best.0 {
                    best = (x, l);
                }
            }
        }
    }
    (nll(test, best.1), best.1)
}

/// Histograms of one set of bars.
#[derive(Clone)]
struct Stats {
    bars: usize,
    hits_per_bar: Vec<Vec<f64>>,
    velocity: Vec<Vec<f64>>,
    timing: Vec<Vec<f64>>,
    vel_sum: Vec<(f64, f64, f64)>,
    offset_ms: Vec<(f64, f64)>,
    jaccard: (f64, usize),
}

const TIMING_BINS: usize = 33;

impl Default for Stats {
    fn default() -> Stats {
        Stats::new()
    }
}

impl Stats {
    fn new() -> Stats {
        Stats {
            hits_per_bar: vec![vec![0.0; BAR_SLOTS + 1]; NCLASS],
            velocity: vec![vec![0.0; 8]; NCLASS],
            timing: vec![vec![0.0; TIMING_BINS]; SLOTS_PER_BEAT],
            vel_sum: vec![(0.0, 0.0, 0.0); NCLASS],
            offset_ms: vec![(0.0, 0.0); SLOTS_PER_BEAT],
            bars: 0,
            jaccard: (0.0, 0),
        }
    }

    /// Adds one performance or clip: its bars in order, at `bpm`.
    fn add(&mut self, bars: &[Vec<Hit>], bpm: f64) {
        let ms_per_tick = 60_000.0 / (bpm.max(20.0) * TICKS_PER_QUARTER as f64);
        for (i, bar) in bars.iter().enumerate() {
            self.bars += 1;
            let mut per = [0usize; NCLASS];
            for h in bar {
                let c = h.class as usize;
                per[c] += 1;
                self.velocity[c][(h.velocity.saturating_sub(1) / 16).min(7) as usize] += 1.0;
                let v = h.velocity as f64;
                let e = &mut self.vel_sum[c];
                *e = (e.0 + 1.0, e.1 + v, e.2 + v * v);
                let ms = h.offset as f64 * ms_per_tick;
                let pos = h.slot as usize % SLOTS_PER_BEAT;
                let b = (((ms + 82.5) / 5.0).floor().max(0.0) as usize).min(TIMING_BINS - 1);
                self.timing[pos][b] += 1.0;
                let o = &mut self.offset_ms[pos];
                *o = (o.0 + 1.0, o.1 + ms);
            }
            for (row, &k) in self.hits_per_bar.iter_mut().zip(per.iter()) {
                row[k.min(BAR_SLOTS)] += 1.0;
            }
            if i > 0 {
                let a: Vec<(u8, u8)> = bars[i - 1].iter().map(|h| (h.slot, h.class)).collect();
                let b: Vec<(u8, u8)> = bar.iter().map(|h| (h.slot, h.class)).collect();
                let inter = a.iter().filter(|x| b.contains(x)).count();
                let uni = a.len() + b.len() - inter;
                if uni > 0 {
                    self.jaccard.0 += inter as f64 / uni as f64;
                    self.jaccard.1 += 1;
                }
            }
        }
    }

    fn consistency(&self) -> f64 {
        self.jaccard.0 / self.jaccard.1.max(1) as f64
    }
}

/// Weighted mean JSD over rows, weights = reference mass per row.
fn weighted(r: &[Vec<f64>], s: &[Vec<f64>], weights: &[f64]) -> f64 {
    let w: f64 = weights.iter().sum();
    if w <= 0.0 {
        return 0.0;
    }
    r.iter()
        .zip(s)
        .zip(weights)
        .filter(|x| *x.1 > 0.0)
        .map(|((a, b), w)| w * crate::metrics::jsd(a, b))
        .sum::<f64>()
        / w
}

fn distances(r: &Stats, s: &Stats) -> [f64; 3] {
    let hits_w: Vec<f64> = r.velocity.iter().map(|v| v.iter().sum()).collect();
    let time_w: Vec<f64> = r.timing.iter().map(|v| v.iter().sum()).collect();
    [
        weighted(&r.hits_per_bar, &s.hits_per_bar, &hits_w),
        weighted(&r.velocity, &s.velocity, &hits_w),
        weighted(&r.timing, &s.timing, &time_w),
    ]
}

fn ctx<'a>(style: &'a str, bars: u32, seed: u64) -> PartContext<'a> {
    PartContext {
        key: Key::new(PitchClass::C, Mode::Major),
        meter: Meter::COMMON,
        bars,
        chords: &[],
        style,
        density: 0.5,
        complexity: 0.5,
        octave: 0,
        seed,
    }
}

fn bars_of(notes: &[Note]) -> Vec<Vec<Hit>> {
    let on = grid::onsets_of(notes);
    grid::tokenize(&on, 4, grid::choose_feel(&on))
}

/// The pattern style standing in for a data style (the catalog entry the model plays it for).
fn pattern_for(data: &str) -> &'static str {
    catalog::CATALOG
        .iter()
        .find(|e| matches!(e.source, catalog::Source::Model(d) if d == data))
        .map_or("rock", |e| e.pattern)
}

fn generate(
    system: &str,
    style: &str,
    bars: usize,
    bpm: f64,
    like: &Stats,
    seed: u64,
) -> Result<Vec<Vec<Vec<Hit>>>> {
    let mut clips = Vec::new();
    let mut made = 0usize;
    let mut k = 0u64;
    let pattern = pattern_for(style);
    while made < bars {
        let s = seed + k * 7919;
        k += 1;
        let bars_here = CLIP_BARS;
        let clip = match system {
            "model" => {
                let mut m = dm::shared()?
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let req = dm::DrumRequest {
                    style,
                    meter: Meter::COMMON,
                    bars: bars_here,
                    tempo_bpm: bpm,
                    density: 0.5,
                    fill_every: 8,
                    temperature: 1.0,
                    top_p: 0.95,
                    seed: s,
                };
                bars_of(&grid::render(&dm::generate(&mut m, &req)?, 4))
            }
            "patterns" | "patterns+groove" => {
                let mut notes = drums::generate(&ctx(pattern, bars_here, s), 8)?;
                if system == "patterns+groove" {
                    let p = learned::profile(style).or_else(|_| learned::profile("all"))?;
                    learned::apply(
                        &mut notes,
                        Meter::COMMON,
                        p,
                        Voice::Drums,
                        1.0,
                        &mut Rng::new(s),
                    );
                }
                bars_of(&notes)
            }
            _ => random_bars(like, bars_here as usize, s),
        };
        made += clip.len();
        clips.push(clip);
    }
    Ok(clips)
}

/// Random hits with the held-out hit rate per (16th slot, instrument), uniform velocity and offset.
fn random_bars(like: &Stats, n: usize, seed: u64) -> Vec<Vec<Hit>> {
    let mut rng = Rng::new(seed);
    let per_bar: Vec<f64> = like
        .velocity
        .iter()
        .map(|v| v.iter().sum::<f64>() / like.bars.max(1) as f64)
        .collect();
    (0..n)
        .map(|_| {
            let mut bar = Vec::new();
            for s in (0..BAR_SLOTS).filter(|&s| Feel::Straight.has_slot(s)) {
                for (c, &pb) in per_bar.iter().enumerate() {
                    if rng.next_f64() < pb / 16.0 {
                        bar.push(Hit {
                            slot: s as u8,
                            class: c as u8,
                            velocity: (1 + rng.below(127)) as u8,
                            offset: rng.range_i32(-60, 60) as i16,
                        });
                    }
                }
            }
            bar
        })
        .collect()
}

pub fn run(args: &[String]) -> Result<()> {
    let opt = super::opt;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = opt(args, "--data")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/groove"));
    let out = opt(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("docs/QUALITY.md"));
    let min_bars: usize = opt(args, "--min-bars")
        .map(str::parse)
        .transpose()
        .context("--min-bars")?
        .unwrap_or(40);
    let t0 = Instant::now();
    let perfs = load(&data)?;
    if perfs.is_empty() {
        bail!("no performances under {}", data.display());
    }
    let split = |s: &str| perfs.iter().filter(|p| p.split == s).collect::<Vec<_>>();
    let (train, valid, test) = (split("train"), split("validation"), split("test"));
    eprintln!(
        "{} performances ({} train, {} validation, {} test) read in {:.1} s",
        perfs.len(),
        train.len(),
        valid.len(),
        test.len(),
        t0.elapsed().as_secs_f64()
    );
    let (nll, steps_n) = model_nll(&test, &train)?;
    let (tri, lam) = ngram_nll(&train, &valid, &test);
    eprintln!("model NLL {nll:.4} over {steps_n} steps, 3-gram {tri:.4}");

    // Distributions, per style, on held-out beat performances in 4/4.
    let (cfg, _) = dm::embedded();
    let cfg = dm::verify(cfg, dm::embedded().1)?;
    let mut rows = String::new();
    let mut pooled: HashMap<&str, Stats> = HashMap::new();
    let mut pooled_ref = Stats::new();
    let mut wins = (0usize, 0usize);
    for style in cfg.styles.iter().filter(|s| *s != "other") {
        let held: Vec<&&Perf> = test
            .iter()
            .filter(|p| &p.style == style && !p.fill_file && p.meter == "4-4")
            .collect();
        let nbars: usize = held.iter().map(|p| p.bars.len()).sum();
        if nbars < min_bars {
            continue;
        }
        let mut r = Stats::new();
        for p in &held {
            r.add(&p.bars, p.bpm);
            pooled_ref.add(&p.bars, p.bpm);
        }
        let mut bpms: Vec<f64> = held.iter().map(|p| p.bpm).collect();
        bpms.sort_by(f64::total_cmp);
        let bpm = quantile(&bpms, 0.5);
        let mut d_model = [0.0; 3];
        let mut d_pat = [0.0; 3];
        for (i, sys) in SYSTEMS.iter().enumerate() {
            let clips = generate(sys, style, nbars.max(64), bpm, &r, 100 + i as u64)?;
            let mut st = Stats::new();
            for c in &clips {
                st.add(c, bpm);
                pooled.entry(*sys).or_default().add(c, bpm);
            }
            let d = distances(&r, &st);
            if *sys == "model" {
                d_model = d;
            }
            if *sys == "patterns" {
                d_pat = d;
            }
            let _ = writeln!(
                rows,
                "| {style} | {nbars} | {sys} | {:.3} | {:.3} | {:.3} | {:.2} ({:.2}) |",
                d[0],
                d[1],
                d[2],
                st.consistency(),
                r.consistency()
            );
        }
        wins.1 += 1;
        if (0..3).all(|k| d_model[k] < d_pat[k]) {
            wins.0 += 1;
        }
    }

    // Latency of an 8-bar part.
    let lat = {
        let mut m = dm::shared()?
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let req = |seed| dm::DrumRequest {
            style: "funk",
            meter: Meter::COMMON,
            bars: 8,
            tempo_bpm: 100.0,
            density: 0.5,
            fill_every: 4,
            temperature: 1.0,
            top_p: 0.95,
            seed,
        };
        dm::generate(&mut m, &req(0))?;
        let t = Instant::now();
        for s in 0..20 {
            dm::generate(&mut m, &req(s))?;
        }
        t.elapsed().as_secs_f64() * 1000.0 / 20.0
    };

    let mut md = String::new();
    let _ = writeln!(
        md,
        "{START}\n## Drums against real drummers (held-out Groove MIDI Dataset performances)\n"
    );
    let _ = writeln!(
        md,
        "Written by `cargo xtask eval drums --data {}`. Held out: the dataset's `test` split ({} performances); beat performances in 4/4 of each style with at least {min_bars} bars. \
Systems: **model** (drum model `{}`, density 0.5, fill every 8 bars, temperature 1.0, top-p 0.95), **patterns** (the hand-written style the catalog plays for it, humanize 0), \
**patterns+groove** (the same with the learned groove profile at humanize 1), **random** (hits at the held-out rate per instrument on the 16th grid, uniform velocity and ±60-tick offsets). \
At least 64 bars per system and style, in 16-bar clips at the style's median held-out tempo.\n",
        data.display(),
        test.len(),
        dm::DRUM_MODEL_ID
    );
    let _ = writeln!(md, "Divergence: Jensen-Shannon (bits; 0 = same distribution, 1 = disjoint) between pooled histograms: hits per bar per instrument, velocity per instrument (8 buckets), timing offset in ms per grid position (5 ms bins); averaged over instruments / positions weighted by the held-out hit counts. Consistency: mean Jaccard similarity of consecutive bars' (slot, instrument) onsets, held-out value in brackets. Lower divergence is better.\n");
    let _ = writeln!(md, "| style | held-out bars | system | hits/bar JSD | velocity JSD | timing JSD | consistency (held-out) |\n|---|---|---|---|---|---|---|");
    md.push_str(&rows);
    let _ = writeln!(
        md,
        "\nThe model is closer than the patterns on all three distributions in {} of {} styles.\n",
        wins.0, wins.1
    );
    let _ = writeln!(
        md,
        "Per instrument, pooled over those styles: hits per bar, velocity mean ± sd.\n"
    );
    let _ = writeln!(md, "| instrument | held-out | model | patterns | patterns+groove | random |\n|---|---|---|---|---|---|");
    let cell = |s: &Stats, c: usize| {
        let (n, sum, sq) = s.vel_sum[c];
        if n == 0.0 {
            return "0.00, —".to_string();
        }
        let mean = sum / n;
        format!(
            "{:.2}, {:.0} ± {:.0}",
            n / s.bars.max(1) as f64,
            mean,
            (sq / n - mean * mean).max(0.0).sqrt()
        )
    };
    let empty = Stats::new();
    for (c, (name, _)) in grid::CLASSES.iter().enumerate() {
        let mut line = format!("| {name} | {}", cell(&pooled_ref, c));
        for sys in SYSTEMS {
            let _ = write!(line, " | {}", cell(pooled.get(sys).unwrap_or(&empty), c));
        }
        let _ = writeln!(md, "{line} |");
    }
    let _ = writeln!(
        md,
        "\nMean timing offset (ms, + = late) per grid position, pooled.\n"
    );
    let _ = writeln!(md, "| position | held-out | model | patterns | patterns+groove | random |\n|---|---|---|---|---|---|");
    for (pos, name) in [
        "beat",
        "16th e",
        "triplet 2",
        "8th &",
        "triplet 3",
        "16th a",
    ]
    .iter()
    .enumerate()
    {
        let f = |s: &Stats| {
            let (n, sum) = s.offset_ms[pos];
            if n == 0.0 {
                "—".to_string()
            } else {
                format!("{:+.1} (n={})", sum / n, n)
            }
        };
        let mut line = format!("| {name} | {}", f(&pooled_ref));
        for sys in SYSTEMS {
            let _ = write!(line, " | {}", f(pooled.get(sys).unwrap_or(&empty)));
        }
        let _ = writeln!(md, "{line} |");
    }
    let _ = writeln!(md, "\nHeld-out NLL (nats per grid step; a token is the set of instruments struck at one active slot, 16 per straight 4/4 bar, 12 per triplet bar), all {} test performances, {steps_n} steps:\n", test.len());
    let _ = writeln!(md, "| system | NLL / step |\n|---|---|\n| drum model (teacher-forced, {}) | {nll:.3} |\n| interpolated 3-gram over the same tokens (λ = {:.3}/{:.3}/{:.3}/{:.3}, tuned on validation) | {tri:.3} |\n", model::backend_name(), lam[0], lam[1], lam[2], lam[3]);
    let _ = writeln!(md, "An 8-bar drum part (8 model calls + sampling) takes {lat:.2} ms on {} (mean of 20, one thread).\n{END}", model::backend_name());

    crate::doc::write_section(&out, &md, START, END)?;
    eprintln!("eval drums took {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
