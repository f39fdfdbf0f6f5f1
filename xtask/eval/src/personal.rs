//! `cargo xtask eval personal`: a personal style learned from one style the base chord model is
//! weak at (jazz standards, rendered from chord charts to .mid with block voicings), judged on
//! held-out songs of that style: chord NLL/event under base and adapted models, and the
//! Jensen-Shannon divergence of generated chord-quality and root-motion distributions to the
//! held-out songs at "like my music" 0, 0.5 and 1. Also times learning and reports profile size.
//!
//! Options: `--data PATH` (default ../shared/data/jazz/JazzStandards.json beside the checkout),
//! `--songs N` (generated clips per amount, default 120), `--out PATH` (default docs/QUALITY.md;
//! `-` prints only), `--bench PATH` (default docs/BENCHMARKS.md), `--keep DIR` (render the .mid
//! files into DIR/train, DIR/bench500 and keep them, e.g. to time `bandmate learn`).

use anyhow::{bail, Context, Result};
use bandmate_engine::chord::{Chord, Quality};
use bandmate_engine::clip::{Clip, Note, Part, PartKind, Provenance};
use bandmate_engine::keydetect;
use bandmate_engine::model::chords2::sample::{self as chords2_sample, Chords2Request};
use bandmate_engine::model::{self, ChordRequest, ScoredChord};
use bandmate_engine::personal::{self, analyze::Song, learn, PersonalStyle};
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use bandmate_engine::{smf, tokens};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const START: &str = "<!-- personal-eval:start -->";
const END: &str = "<!-- personal-eval:end -->";
const BENCH_START: &str = "<!-- personal-bench:start -->";
const BENCH_END: &str = "<!-- personal-bench:end -->";
/// Generated clips are at most this many bars.
const GEN_BARS: u32 = 32;
const AMOUNTS: [f32; 3] = [0.0, 0.5, 1.0];
const NLL_AMOUNTS: [f32; 4] = [0.25, 0.5, 0.75, 1.0];

struct Chart {
    title: String,
    key: Option<Key>,
    meter: Meter,
    /// Bars of chords (several per bar split it evenly).
    bars: Vec<Vec<Chord>>,
}

/// Parses a chart chord symbol, trimming unknown extensions from the end ("7#11" -> "7").
fn parse_chord(sym: &str) -> Option<Chord> {
    let sym = sym.trim();
    if sym.is_empty() {
        return None;
    }
    let (main, bass) = match sym.split_once('/') {
        Some((m, b)) => (m, Some(b)),
        None => (sym, None),
    };
    let (root, n) = PitchClass::parse_prefix(main).ok()?;
    let suffix = &main[n..];
    let suffix = match suffix {
        "07" | "o7" => "dim7",
        "0" | "o" => "dim",
        "h" | "h7" => "m7b5",
        "^" | "^7" => "maj7",
        "-" => "m",
        "-7" => "m7",
        s => s,
    };
    let mut s = suffix.to_string();
    let quality = loop {
        if let Some(q) = Quality::from_suffix(&s) {
            break q;
        }
        if s.is_empty() {
            return None;
        }
        s.pop();
    };
    let mut c = Chord::new(root, quality);
    c.bass = bass
        .and_then(|b| PitchClass::parse_prefix(b).ok())
        .map(|(p, _)| p)
        .filter(|&p| p != root);
    Some(c)
}

fn load(path: &Path) -> Result<Vec<Chart>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).context("JazzStandards.json")?;
    let mut out = Vec::new();
    for song in v.as_array().context("a list of songs")? {
        let title = song["Title"].as_str().unwrap_or("").to_string();
        let meter: Meter = song["TimeSignature"]
            .as_str()
            .unwrap_or("4/4")
            .parse()
            .unwrap_or(Meter::COMMON);
        let key = song["Key"].as_str().and_then(|k| {
            let (minor, tonic) = match k.strip_suffix("min") {
                Some(t) => (true, t),
                None => (false, k),
            };
            let (pc, _) = PitchClass::parse_prefix(tonic).ok()?;
            Some(Key::new(
                pc,
                if minor {
                    Mode::NaturalMinor
                } else {
                    Mode::Major
                },
            ))
        });
        let mut bars = Vec::new();
        let mut add = |chords: &str| {
            for bar in chords.split('|') {
                let cs: Vec<Chord> = bar.split(',').filter_map(parse_chord).collect();
                if !cs.is_empty() {
                    bars.push(cs);
                }
            }
        };
        for sec in song["Sections"].as_array().into_iter().flatten() {
            let main = sec["MainSegment"]["Chords"].as_str().unwrap_or("");
            let endings: Vec<&str> = sec["Endings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["Chords"].as_str())
                .collect();
            if endings.is_empty() {
                add(main);
            }
            for e in endings {
                add(main);
                add(e);
            }
        }
        if bars.len() >= 4 {
            out.push(Chart {
                title,
                key,
                meter,
                bars,
            });
        }
    }
    Ok(out)
}

/// The chart as a clip: one "chords" track, root (or slash bass) in octave 2 under the chord
/// tones from C3 up; each bar's chords share it evenly in beats.
fn render(c: &Chart) -> Clip {
    let bar = c.meter.bar_ticks(480);
    let beats = u32::from(c.meter.numerator).max(1);
    let beat = bar / beats;
    let mut notes = Vec::new();
    for (i, chords) in c.bars.iter().enumerate() {
        let n = chords.len() as u32;
        let per = (beats / n).max(1);
        for (j, ch) in chords.iter().enumerate() {
            let from = i as u32 * bar + j as u32 * per * beat;
            let to = if j + 1 == chords.len() {
                (i as u32 + 1) * bar
            } else {
                from + per * beat
            };
            if to <= from {
                continue;
            }
            notes.push(Note::new(
                from,
                to - from,
                36 + ch.bass_pc().index() as i32,
                80,
            ));
            for &iv in ch.quality.intervals() {
                notes.push(Note::new(
                    from,
                    to - from,
                    48 + (ch.root.index() + iv) as i32,
                    70,
                ));
            }
        }
    }
    let key = c.key.unwrap_or_else(|| {
        keydetect::detect(notes.iter().map(|n| (n.pitch.as_int(), n.duration)))
            .map_or(Key::new(PitchClass::C, Mode::Major), |e| e.key)
    });
    let mut part = Part::new(PartKind::Chords, notes);
    part.name = "chords".into();
    Clip {
        tempo_bpm: 140.0,
        meter: c.meter,
        key,
        bars: c.bars.len() as u32,
        chords: Vec::new(),
        parts: vec![part],
        provenance: Provenance::default(),
        sections: Vec::new(),
    }
}

/// Chord-quality and root-motion histograms over chord changes (repeats removed).
fn histograms(tokens_seq: &[usize], q: &mut [f64], m: &mut [f64]) {
    let Ok(v) = tokens::vocab() else { return };
    let mut seq: Vec<(u8, usize)> = tokens_seq
        .iter()
        .filter_map(|&t| match v.decode_chord(t) {
            Some(tokens::ChordToken::Chord { root, quality }) => Some((root, quality)),
            _ => None,
        })
        .collect();
    seq.dedup();
    for (i, &(root, quality)) in seq.iter().enumerate() {
        q[quality] += 1.0;
        if i > 0 {
            m[((root + 12 - seq[i - 1].0) % 12) as usize] += 1.0;
        }
    }
}

fn request(song: &Song, bars: u32, seed: u64) -> Option<ChordRequest> {
    let s = song.sections.first()?;
    Some(ChordRequest {
        key: s.keys.first()?.1,
        meter: s.meter,
        bars,
        style: "pop".into(),
        complexity: 1.0,
        temperature: 1.0,
        top_p: 0.95,
        seed,
    })
}

pub fn run(args: &[String]) -> Result<()> {
    let data = crate::opt(args, "--data")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("../shared/data/jazz/JazzStandards.json"));
    let n_gen: usize = crate::opt(args, "--songs")
        .map(str::parse)
        .transpose()?
        .unwrap_or(120);
    let out = crate::opt(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("docs/QUALITY.md"));
    let bench = crate::opt(args, "--bench")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("docs/BENCHMARKS.md"));
    model::preload(model::ModelKind::Chords).context("the chord model must run for this eval")?;
    let charts = load(&data)?;
    if charts.len() < 8 {
        bail!("only {} usable charts in {}", charts.len(), data.display());
    }
    // Render: every fourth chart (by index) is held out.
    let keep = crate::opt(args, "--keep").map(PathBuf::from);
    let tmp = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("bandmate-eval-personal-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let (train_dir, bench_dir) = (tmp.join("train"), tmp.join("bench500"));
    std::fs::create_dir_all(&train_dir)?;
    std::fs::create_dir_all(&bench_dir)?;
    let mut held = Vec::new();
    let mut n_train = 0;
    for (i, c) in charts.iter().enumerate() {
        let bytes = smf::write(&render(c)).with_context(|| format!("rendering {}", c.title))?;
        if i % 4 == 3 {
            held.push((c.title.clone(), bytes));
        } else {
            std::fs::write(train_dir.join(format!("{i:04}.mid")), &bytes)?;
            if n_train < 500 {
                std::fs::write(bench_dir.join(format!("{i:04}.mid")), &bytes)?;
            }
            n_train += 1;
        }
    }
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let bench_learn = personal::learn(&bench_dir, "bench", &cancel, |_, _, _| {})?;
    let t500 = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let learned = personal::learn(&train_dir, "jazz", &cancel, |_, _, _| {})?;
    let t_train = t.elapsed().as_secs_f64();
    let size = learned.profile.to_bytes().len();
    let style = PersonalStyle::new(learned.profile.clone())?;
    let held: Vec<(String, Song)> = held
        .into_iter()
        .filter_map(|(t, b)| learn::learn_bytes(&b).ok().map(|s| (t, s)))
        .collect();

    // NLL per event, teacher-forced.
    let mut nll = vec![0f64; 1 + NLL_AMOUNTS.len()];
    let mut events = 0usize;
    for (_, song) in &held {
        let bars = song
            .sections
            .iter()
            .map(|s| s.bars as u32)
            .sum::<u32>()
            .clamp(1, 1024);
        let Some(req) = request(song, bars, 0) else {
            continue;
        };
        let evs: Vec<ScoredChord> = song
            .chord_tokens
            .iter()
            .map(|t| ScoredChord {
                token: t.token,
                duration: t.duration,
            })
            .collect();
        if evs.is_empty() {
            continue;
        }
        nll[0] += model::score_chords(&req, &evs, None)?.iter().sum::<f64>();
        for (i, &a) in NLL_AMOUNTS.iter().enumerate() {
            let p = style.chord_prior(a);
            nll[i + 1] += model::score_chords(&req, &evs, Some(&p))?
                .iter()
                .sum::<f64>();
        }
        events += evs.len();
    }
    let nll: Vec<f64> = nll.iter().map(|x| x / events.max(1) as f64).collect();

    // Divergence of generated chords to the held-out songs.
    let nq = tokens::vocab()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .qualities
        .len();
    let (mut ref_q, mut ref_m) = (vec![0f64; nq], vec![0f64; 12]);
    for (_, s) in &held {
        let toks: Vec<usize> = s.chord_tokens.iter().map(|t| t.token).collect();
        histograms(&toks, &mut ref_q, &mut ref_m);
    }
    let mut div = Vec::new();
    let t = Instant::now();
    let mut gen_calls = 0usize;
    for &a in &AMOUNTS {
        let (mut q, mut m) = (vec![0f64; nq], vec![0f64; 12]);
        for (k, (_, song)) in held.iter().take(n_gen).enumerate() {
            let bars =
                (song.sections.iter().map(|s| s.bars as u32).sum::<u32>()).clamp(1, GEN_BARS);
            let Some(req) = request(song, bars, 5000 + k as u64) else {
                continue;
            };
            let req2 = Chords2Request {
                base: &req,
                section: chords2_sample::LOOP_SECTION,
                harmonic_rhythm: HarmonicRhythm::Bar,
            };
            let chords = if a > 0.0 {
                chords2_sample::generate_with(&req2, Some(&style.chord_prior(a)))?
            } else {
                chords2_sample::generate(&req2)?
            };
            gen_calls += 1;
            let toks: Vec<usize> = chords
                .iter()
                .map(|c| {
                    tokens::vocab()
                        .map(|v| v.token_for_chord(&c.chord, req.key))
                        .unwrap_or(0)
                })
                .collect();
            histograms(&toks, &mut q, &mut m);
        }
        div.push((
            a,
            crate::metrics::jsd(&q, &ref_q),
            crate::metrics::jsd(&m, &ref_m),
        ));
    }
    let gen_ms = t.elapsed().as_secs_f64() * 1000.0 / gen_calls.max(1) as f64;

    let mut md = String::new();
    let _ = writeln!(
        md,
        "{START}\n## Personal style: learning a style the base model is weak at (jazz standards)\n"
    );
    let _ = writeln!(md, "Written by `cargo xtask eval personal` (xtask/eval/src/personal.rs) from `{}`: {} charts rendered to .mid (one `chords` track: bass note in octave 2, chord tones from C3, each bar's chords sharing it evenly); every fourth chart held out ({} songs), the other {} learned into one profile with `personal::learn` (the same analysis as `bandmate learn`: keys, chord recognition, tokens). Held-out songs are analyzed the same way. Base = the chord model (style tag pop, complexity 1.0) on {}; adapted = the model's next-chord and duration distributions blended with the profile's Witten-Bell 3-gram at amount a. The NLL rows score with `{}`, over whose tokens the profile is kept; the generated rows come from `{}`, the engine's generator, with the profile mapped onto its tokens (`model::chords2::prior`).\n",
        data.file_name().and_then(|f| f.to_str()).unwrap_or("data"), charts.len(), held.len(), n_train, model::backend_name(), model::CHORD_MODEL_ID, model::chords2::CHORDS2_MODEL_ID);
    let _ = writeln!(
        md,
        "| measure | base | a = 0.25 | a = 0.5 | a = 0.75 | a = 1 |\n|---|---|---|---|---|---|"
    );
    let _ = writeln!(md, "| held-out chord NLL / event (nats; chord + duration, {events} events) | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |", nll[0], nll[1], nll[2], nll[3], nll[4]);
    let best = nll[1..].iter().cloned().fold(f64::INFINITY, f64::min);
    let _ = writeln!(
        md,
        "\nBest adapted NLL is {:.1}% below the base model's (target: at least 10%).\n",
        (1.0 - best / nll[0]) * 100.0
    );
    let _ = writeln!(md, "Generated chords ({} clips per amount, the held-out songs' key and meter, up to {GEN_BARS} bars, temperature 1.0, top-p 0.95, seeds 5000+i) against the held-out songs, pooled over chord changes; Jensen-Shannon divergence in bits (0 = same distribution):\n", held.len().min(n_gen));
    let _ = writeln!(
        md,
        "| like my music | chord-quality JSD | root-motion JSD |\n|---|---|---|"
    );
    for (a, q, m) in &div {
        let _ = writeln!(md, "| {a:.1} | {q:.3} | {m:.3} |");
    }
    let (q0, m0) = (div[0].1, div[0].2);
    let (q1, m1) = (div[2].1, div[2].2);
    let _ = writeln!(md, "\nAt amount 1 the quality divergence is {:.0}% and the root-motion divergence {:.0}% of amount 0's (target: at most 50%). Profile: {size} bytes (target < 1 MB), {} songs, {} files skipped.\n{END}", q1 / q0.max(1e-12) * 100.0, m1 / m0.max(1e-12) * 100.0, learned.profile.songs, learned.profile.files_skipped);
    splice(&out, &md, START, END)?;

    let mut b = String::new();
    let _ = writeln!(b, "{BENCH_START}\n## Learning a personal style\n\nMeasured by `cargo xtask eval personal` (the eval's build profile: debug with dependencies at opt-level 2, one thread): `personal::learn` over {} rendered jazz charts took {t500:.2} s ({:.1} ms per file; target: 500 files in under 10 s), over all {} training charts {t_train:.2} s. A {GEN_BARS}-bar-or-shorter chord track with a profile prior: {gen_ms:.1} ms per clip (mean over {gen_calls}).\n{BENCH_END}", bench_learn.used, t500 * 1000.0 / bench_learn.used.max(1) as f64, learned.used);
    splice(&bench, &b, BENCH_START, BENCH_END)?;
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

fn splice(path: &Path, md: &str, start: &str, end: &str) -> Result<()> {
    crate::doc::write_section(path, md, start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_symbols_parse_with_unknown_extensions_trimmed() {
        let name = |s: &str| parse_chord(s).map(|c| c.to_string());
        assert_eq!(name("Cm7").as_deref(), Some("Cm7"));
        assert_eq!(name("F#7#11").as_deref(), Some("F#7"));
        let engine = |s: &str| s.parse::<Chord>().ok();
        assert_eq!(parse_chord("Bb07"), engine("Bbdim7"));
        assert_eq!(parse_chord("Ebmaj7/G"), engine("Ebmaj7/G"));
        assert!(parse_chord("Ebmaj7/G").is_some_and(|c| c.bass.is_some()));
        assert_eq!(name(""), None);
        assert_eq!(name("x"), None);
    }
}
