//! `bandmate-eval` (run as `cargo xtask eval ...`): `quality` — musical-quality evaluation
//! (docs/QUALITY.md); `plugin` — plugin-level measurements through CLAP (docs/BENCHMARKS.md);
//! `live` — live mode's latency and boundaries through CLAP (docs/BENCHMARKS.md); `styles` —
//! chord v2 / v1 and the melody per style against held-out songs; `originality` — shared runs
//! (both docs/QUALITY.md).
//! Its own package so that `cargo xtask bundle|install|train` never compile the engine.
//!
//! quality options: `--groups N` (settings combinations, default 120; each is generated with 2
//! seeds), `--out PATH` (default docs/QUALITY.md; `-` prints only), `--data PATH` (default
//! models/train/data/pieces.jsonl).

mod doc;
mod drums;
mod live;
mod markov;
mod metrics;
mod originality;
mod personal;
mod piece;
mod plugin;
mod prompt;
mod song_form;
mod styles;

use anyhow::{bail, Context, Result};
use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::model;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use markov::Markov;
use piece::Piece;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args)
}

fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("plugin") => plugin::run(&args[1..]),
        Some("form") => song_form::run(&args[1..]),
        Some("drums") => drums::run(&args[1..]),
        Some("prompt") => prompt::run(&args[1..]),
        Some("personal") => personal::run(&args[1..]),
        Some("live") => live::run(&args[1..]),
        Some("originality") => originality::run(&args[1..]),
        Some("styles") => styles::run(&args[1..]),
        Some("quality") => quality(&args[1..]),
        Some("-h" | "--help") => {
            println!("cargo xtask eval [quality] [--groups N] [--out PATH|-] [--data PATH]\ncargo xtask eval plugin [--bundle PATH] [--blocks N] [--instances N]\ncargo xtask eval form [--data DIR] [--songs N] [--out PATH|-] [--png DIR]\ncargo xtask eval prompt [--set PATH] [--out PATH|-] [--bench PATH|-] [--show]\ncargo xtask eval personal [--data JazzStandards.json] [--songs N] [--out PATH|-] [--bench PATH]\ncargo xtask eval live [--count N] [--count120 N] [--relations N] [--build debug|release] [--seed S] [--out PATH|-]\ncargo xtask eval originality [--clips N] [--limit L] [--out PATH|-]\ncargo xtask eval styles [--data v2.jsonl] [--windows N] [--out PATH|-]");
            Ok(())
        }
        _ => quality(args),
    }
}

/// The workspace root (two folders above this package).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn opt<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

const QUALITY_START: &str = "<!-- quality-eval:start -->";
const QUALITY_END: &str = "<!-- quality-eval:end -->";

const METERS: [(u8, u8); 5] = [(4, 4), (3, 4), (6, 8), (2, 4), (2, 2)];
const STYLES: [&str; 3] = ["pop", "chorale", "folk"];
const SEEDS: u64 = 2;
const BARS: u32 = 8;

fn group_settings(i: usize) -> Settings {
    let (n, d) = METERS[(i / 24) % METERS.len()];
    let mode = if (i / 12).is_multiple_of(2) {
        Mode::Major
    } else {
        Mode::NaturalMinor
    };
    let mut s = Settings {
        key: Key::new(PitchClass::new((i % 12) as i32), mode),
        meter: Meter::new(n, d).expect("meter"),
        bars: BARS,
        style: STYLES[i % STYLES.len()].to_string(),
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    s
}

struct System {
    name: &'static str,
    pieces: Vec<Piece>,
    note: String,
}

fn quality(args: &[String]) -> Result<()> {
    let groups: usize = opt(args, "--groups")
        .map(str::parse)
        .transpose()
        .context("--groups")?
        .unwrap_or(120);
    let out = opt(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("docs/QUALITY.md"));
    let data = opt(args, "--data")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("models/train/data/pieces.jsonl"));
    let t0 = Instant::now();

    // The engine: model and rules, same settings and seeds.
    let mut model_pieces = Vec::new();
    let mut rules_pieces = Vec::new();
    let mut fallbacks = 0usize;
    let mut drum_patterns = 0usize;
    let (mut t_model, mut t_rules) = (0.0f64, 0.0f64);
    for g in 0..groups {
        for k in 0..SEEDS {
            let base = group_settings(g);
            let seed = 1000 + g as u64 * 17 + k;
            for source in [Source::Model, Source::Rules] {
                let s = Settings {
                    source,
                    seed,
                    ..base.clone()
                };
                let t = Instant::now();
                let a =
                    arrange::generate(&s).with_context(|| format!("generate {}", s.describe()))?;
                let dt = t.elapsed().as_secs_f64();
                let p = Piece::from_clip(&a.clip, g, &s.style);
                if source == Source::Model {
                    t_model += dt;
                    // The drum model not covering a meter (pattern drums play) is not a
                    // chord or melody fallback.
                    let fell_back = a
                        .notices
                        .iter()
                        .any(|n| !matches!(n, arrange::Notice::DrumPattern { .. }));
                    fallbacks += usize::from(fell_back);
                    drum_patterns += usize::from(
                        a.notices
                            .iter()
                            .any(|n| matches!(n, arrange::Notice::DrumPattern { .. })),
                    );
                    model_pieces.push(p);
                } else {
                    t_rules += dt;
                    rules_pieces.push(p);
                }
            }
        }
    }
    let backend = model::backend_name();
    eprintln!(
        "generated {} clips per system in {:.1} s",
        model_pieces.len(),
        t0.elapsed().as_secs_f64()
    );

    // The corpus and the Markov baseline.
    let corpus = piece::load_corpus(&data)?;
    let mut systems = vec![
        System {
            name: "model",
            pieces: model_pieces,
            note: format!(
                "ONNX chord, melody and drum models ({backend}); {fallbacks} clips fell back to the rules for chords or melody; {drum_patterns} played pattern drums (the drum model has no data for 2/4 and 2/2)"
            ),
        },
        System {
            name: "rules",
            pieces: rules_pieces,
            note: "rule-based progression + melody (Source::Rules)".into(),
        },
    ];
    let mut nll_rows = String::new();
    let mut corpus_note = String::from("absent: models/train/data/pieces.jsonl was not found (run models/train/extract.py); the Markov and corpus columns are skipped");
    if let Some(corpus) = &corpus {
        let split = |name: &str| {
            corpus
                .iter()
                .filter(|c| c.split == name)
                .map(|c| &c.piece)
                .collect::<Vec<_>>()
        };
        let (train, valid, test) = (split("train"), split("valid"), split("test"));
        let mut mk = Markov::fit(&train);
        let mut best = (f64::INFINITY, 0.1);
        for a in [0.003, 0.01, 0.03, 0.1, 0.3, 1.0] {
            mk.set_alpha(a);
            let ((cs, cd, _), (ms, md, _)) = mk.nll(&valid);
            if cs + cd + ms + md < best.0 {
                best = (cs + cd + ms + md, a);
            }
        }
        mk.set_alpha(best.1);
        let ((cs, cd, cn), (ms, md, mn)) = mk.nll(&test);
        let markov_pieces: Vec<Piece> = (0..groups)
            .flat_map(|g| {
                let s = group_settings(g);
                let meter = format!("{}/{}", s.meter.numerator, s.meter.denominator);
                let template = Piece {
                    minor: s.key.mode.is_minor(),
                    tonic: s.key.tonic.index(),
                    bar16: s.meter.bar_ticks(bandmate_engine::TICKS_PER_QUARTER) / 120,
                    pulses: piece::pulses(&meter),
                    meter,
                    bars: BARS,
                    style: s.style.clone(),
                    group: g,
                    ..Piece::default()
                };
                let mk = &mk;
                (0..SEEDS).map(move |k| {
                    mk.sample(
                        &template,
                        1000 + g as u64 * 17 + k,
                        arrange::temperature(0.5) as f64,
                    )
                })
            })
            .collect();
        systems.push(System {
            name: "markov",
            pieces: markov_pieces,
            note: format!("first-order Markov chains from the training split ({} pieces, add-alpha {} chosen on the validation split)", train.len(), best.1),
        });
        let test8: Vec<Piece> = test.iter().map(|p| p.truncate(BARS)).collect();
        let with_mel = test8.iter().filter(|p| p.notes().next().is_some()).count();
        corpus_note = format!(
            "held-out test split of models/train/data/pieces.jsonl: {} pieces ({} with a melody; pop pieces have chords only), first {BARS} bars of each",
            test8.len(),
            with_mel
        );
        systems.push(System {
            name: "corpus",
            pieces: test8,
            note: corpus_note.clone(),
        });

        let metrics_json = |kind: &str| -> Option<serde_json::Value> {
            serde_json::from_str(
                &std::fs::read_to_string(root().join(format!("models/{kind}/metrics.json")))
                    .ok()?,
            )
            .ok()
        };
        let f = |v: &Option<serde_json::Value>, k: &str| {
            v.as_ref()
                .and_then(|v| v[k].as_f64())
                .map_or("n/a".into(), |x| format!("{x:.3}"))
        };
        let (mc, mm) = (metrics_json("chords"), metrics_json("melody"));
        let id = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .and_then(|v| v["model"].as_str())
                .unwrap_or("?")
                .to_string()
        };
        let (cid, mid) = (id(&mc), id(&mm));
        let cid = if cid.contains('@') {
            cid
        } else {
            format!("{cid}@1")
        };
        // A melody model trained on other songs than pieces.jsonl is scored on its own test split.
        let own = if mid.ends_with("@1") {
            String::new()
        } else {
            format!(" ({mid}, its own test split: not the Markov column's events)")
        };
        let _ = writeln!(
            nll_rows,
            "| chords ({cid}): symbol NLL (nats/event) | {} | n/a | {cs:.3} | — |",
            f(&mc, "test_nll_symbol")
        );
        let _ = writeln!(
            nll_rows,
            "| chords ({cid}): duration NLL | {} | n/a | {cd:.3} | — |",
            f(&mc, "test_nll_duration")
        );
        let _ = writeln!(
            nll_rows,
            "| chords ({cid}): NLL per event (symbol + duration) | **{}** | n/a | {:.3} (interpolated 3-gram from train.py: {}) | — |",
            f(&mc, "test_nll_per_event"),
            cs + cd,
            f(&mc, "trigram_test_nll_per_event")
        );
        let _ = writeln!(
            nll_rows,
            "| melody{own}: symbol NLL (nats/event) | {} | n/a | {ms:.3} | — |",
            f(&mm, "test_nll_symbol")
        );
        let _ = writeln!(
            nll_rows,
            "| melody{own}: duration NLL | {} | n/a | {md:.3} | — |",
            f(&mm, "test_nll_duration")
        );
        let _ = writeln!(
            nll_rows,
            "| melody{own}: NLL per event (symbol + duration) | **{}** | n/a | {:.3} (interpolated 3-gram from train.py: {}) | — |",
            f(&mm, "test_nll_per_event"),
            ms + md,
            f(&mm, "trigram_test_nll_per_event")
        );
        let ev = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .and_then(|v| v["test_events"].as_u64())
                .map_or("n/a".into(), |x| x.to_string())
        };
        let _ = writeln!(
            nll_rows,
            "| test events (chords / melody) | {} / {} | | {cn} / {mn} | |",
            ev(&mc),
            ev(&mm)
        );
    }

    let report = render(
        &systems,
        groups,
        backend,
        &nll_rows,
        &corpus_note,
        t_model,
        t_rules,
    );
    let report = format!("{QUALITY_START}\n{}\n{QUALITY_END}\n", report.trim_end());
    doc::write_section(&out, &report, QUALITY_START, QUALITY_END)?;
    if fallbacks > 0 && fallbacks * 2 > groups * SEEDS as usize {
        bail!("most model clips fell back to rules: the evaluation does not measure the model");
    }
    Ok(())
}

struct Row {
    name: &'static str,
    values: Vec<Option<f64>>,
    fmt: fn(f64) -> String,
    /// false for rows where "closer to the corpus" is not the question
    compare: bool,
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}
fn f2(x: f64) -> String {
    format!("{x:.2}")
}
fn f3(x: f64) -> String {
    format!("{x:.3}")
}

fn render(
    systems: &[System],
    groups: usize,
    backend: &str,
    nll_rows: &str,
    corpus_note: &str,
    t_model: f64,
    t_rules: f64,
) -> String {
    fn ps(s: &System) -> &[Piece] {
        s.pieces.as_slice()
    }
    let k_chords = systems
        .iter()
        .map(|s| metrics::pooled_chord_count(ps(s)))
        .min()
        .unwrap_or(0);
    let k_iv = systems
        .iter()
        .map(|s| metrics::pooled_interval_count(ps(s)))
        .filter(|&n| n > 0)
        .min()
        .unwrap_or(0);
    let row = |name: &'static str,
               f: &dyn Fn(&[Piece]) -> Option<f64>,
               fmt: fn(f64) -> String,
               compare: bool| Row {
        name,
        values: systems.iter().map(|s| f(ps(s))).collect(),
        fmt,
        compare,
    };
    let melody_rows = vec![
        row("melody pitch-in-scale rate", &metrics::in_scale, pct, true),
        row(
            "melody chord-tone ratio on strong beats",
            &metrics::strong_chord_tones,
            pct,
            true,
        ),
        row(
            "melody pitch-class entropy (bits)",
            &metrics::pc_entropy,
            f3,
            true,
        ),
        row(
            "melody mean absolute interval (semitones)",
            &metrics::mean_abs_interval,
            f2,
            true,
        ),
        row("melody notes per bar", &metrics::notes_per_bar, f2, true),
        row(
            "melody rest fraction (of time)",
            &metrics::rest_fraction,
            pct,
            true,
        ),
        row(
            "melody interval 4-gram distinct ratio (pooled)",
            &|p: &[Piece]| {
                (metrics::pooled_interval_count(p) > 0)
                    .then(|| metrics::pooled_melody_diversity(p, k_iv))
            },
            pct,
            true,
        ),
        row(
            "melody bar self-similarity (Jaccard)",
            &metrics::melody_self_similarity,
            f3,
            true,
        ),
        row(
            "melody bars repeating an earlier bar",
            &metrics::melody_bar_repeats,
            pct,
            true,
        ),
    ];
    let chord_rows = vec![
        row(
            "key-detection agreement (melody + chords)",
            &metrics::key_agreement,
            pct,
            true,
        ),
        row("chord changes per bar", &metrics::chords_per_bar, f2, true),
        row(
            "distinct chords per 8-bar piece",
            &metrics::chords_distinct_per_piece,
            f2,
            true,
        ),
        row(
            "chord vocabulary (pooled sample)",
            &|p: &[Piece]| Some(metrics::pooled_chord_diversity(p, k_chords).0 as f64),
            |x| format!("{x:.0}"),
            true,
        ),
        row(
            "chord 3-gram distinct ratio (pooled sample)",
            &|p: &[Piece]| Some(metrics::pooled_chord_diversity(p, k_chords).1),
            pct,
            true,
        ),
        row(
            "chord bars repeating an earlier bar",
            &metrics::chord_bar_repeats,
            pct,
            true,
        ),
        row(
            "cross-seed chord difference (same settings)",
            &metrics::cross_seed_difference,
            pct,
            false,
        ),
        row(
            "drum groove consistency (Jaccard to main bar)",
            &metrics::drum_consistency,
            f3,
            false,
        ),
    ];
    let corpus_ix = systems.iter().position(|s| s.name == "corpus");
    let mut closer = vec![0usize; systems.len()];
    let mut compared = 0usize;
    let mut not_model: Vec<String> = Vec::new();
    let mut table = |rows: &[Row]| -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "| measure | {} | closest to corpus |",
            systems
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(t, "|---|{}---|", "---:|".repeat(systems.len()));
        for r in rows {
            let cells: Vec<String> = r
                .values
                .iter()
                .map(|v| v.map_or("n/a".into(), r.fmt))
                .collect();
            let mut best = String::new();
            if let (Some(ci), true) = (corpus_ix, r.compare) {
                if let Some(c) = r.values[ci] {
                    let d: Vec<(usize, f64)> = r
                        .values
                        .iter()
                        .enumerate()
                        .filter(|&(i, v)| i != ci && v.is_some())
                        .map(|(i, v)| (i, (v.unwrap_or(0.0) - c).abs()))
                        .collect();
                    if let Some(&(bi, bd)) = d.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
                        let ties: Vec<&str> = d
                            .iter()
                            .filter(|x| (x.1 - bd).abs() < 1e-9)
                            .map(|x| systems[x.0].name)
                            .collect();
                        best = ties.join(" = ");
                        if ties.len() == 1 {
                            closer[bi] += 1;
                        }
                        if !ties.contains(&"model") {
                            let mv = systems
                                .iter()
                                .position(|x| x.name == "model")
                                .and_then(|m| r.values[m])
                                .map_or("n/a".into(), r.fmt);
                            not_model.push(format!(
                                "{} (model {}, corpus {}, closest: {} {})",
                                r.name,
                                mv,
                                (r.fmt)(c),
                                best,
                                (r.fmt)(r.values[bi].unwrap_or(0.0))
                            ));
                        }
                        compared += 1;
                    }
                }
            }
            let _ = writeln!(t, "| {} | {} | {} |", r.name, cells.join(" | "), best);
        }
        t
    };
    let mel_table = table(&melody_rows);
    let chord_table = table(&chord_rows);
    let n = systems.first().map_or(0, |s| s.pieces.len());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Musical quality: model vs rules vs Markov vs real music\n"
    );
    let _ = writeln!(
        s,
        "Generated by `cargo xtask eval` (xtask/eval/src/); do not edit by hand, re-run it. Song form: [QUALITY-form.md](QUALITY-form.md) (`cargo xtask eval form`).\n\n\
         - Clips: {groups} settings combinations x {SEEDS} seeds = {n} clips of {BARS} bars per generated system. Combination i has tonic i mod 12 \
         (all 12), major/natural minor alternating every 12, meter from 4/4, 3/4, 6/8, 2/4, 2/2 (24 combinations each) and model style pop/chorale/folk \
         (i mod 3); all five parts on, complexity 0.3, adventure 0.5 (temperature 1.0), density 0.5, default part styles. Seeds 1000 + 17 i + {{0, 1}}.\n\
         - Model backend in this run: {backend}. Generation time for all clips: model {t_model:.1} s, rules {t_rules:.1} s (whole arrangements, in the eval process).\n"
    );
    for sys in systems {
        let _ = writeln!(s, "- **{}**: {}", sys.name, sys.note);
    }
    if corpus_ix.is_none() {
        let _ = writeln!(s, "- corpus: {corpus_note}");
    }
    let _ = writeln!(s, "\nAll measures are key-relative: generated clips are measured against the key they were asked for, corpus pieces against their annotated key. Melody measures use only pieces with a melody.\n");
    let _ = writeln!(
        s,
        "## Melody\n\n{mel_table}\n## Harmony, structure, drums\n\n{chord_table}"
    );
    if corpus_ix.is_some() {
        let _ = writeln!(
            s,
            "Rows where the value of a generator is closest to the corpus, out of {compared} compared rows: {}.\n",
            systems.iter().zip(&closer).filter(|(x, _)| x.name != "corpus").map(|(x, c)| format!("{} {c}", x.name)).collect::<Vec<_>>().join(", ")
        );
        if !not_model.is_empty() {
            let _ = writeln!(
                s,
                "Where the model is **not** the closest to the real corpus:\n"
            );
            for r in &not_model {
                let _ = writeln!(s, "- {r}");
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(s, "{}", CAVEATS);
    }
    if !nll_rows.is_empty() {
        let _ = writeln!(
            s,
            "## Held-out negative log-likelihood (test split, nats per event; lower is better)\n\n\
             | measure | model | rules | Markov (1st order) | corpus |\n|---|---:|---:|---:|---:|\n{nll_rows}\n\
             Model numbers are read from models/chords/metrics.json and models/melody/metrics.json (computed by models/train/train.py on the test split). \
             The Markov numbers are recomputed here on the same test split with the same event segmentation (events longer than the duration vocabulary are split, sequences restart every 400 events): \
             chords P(chord | previous chord, major/minor) and P(duration | previous duration); melody P(interval | previous interval) with rest as a symbol and the first note from P(pitch | start), \
             and P(duration | previous duration). The model also sees position in bar, bars left, meter, style and (melody) the sounding chord, which the chains do not. \
             The rules generator is not probabilistic, so it has no likelihood.\n"
        );
    }
    s.push_str(DEFINITIONS);
    s
}

const CAVEATS: &str = "What the generators are built to do explains several rows, and is worth knowing when reading them:\n\n\
- At complexity 0.3 (the default used here) chord model v2 samples only from its triad tier (maj, min, dim, aug, sus2, sus4, 5; slash chords only over a chord tone; engine/src/model/chords2/sample.rs), \
so its chord vocabulary and 3-gram variety stay below the corpus by construction; the rules generator also follows the complexity control. \
The Markov chain has no such mask. Per-style comparisons under each held-out song's own complexity are in the Styles section below.\n\
- The model's melody is masked to scale or chord tones (engine/src/model/melody.rs) and the rules melody draws from the scale with chord tones on every \
beat-group downbeat (engine/src/parts/melody.rs), so in-scale rates near 100% and the rules' 100% strong-beat chord tones are by construction; \
the real music uses a few chromatic notes and more non-chord tones on beats. The Markov melody is a random walk over intervals with no tonal anchor, hence its low in-scale rate.\n\
- Real melodies often repeat whole bars exactly; both generators rarely do: the rules melody varies its motif instead of restating bars, and the model has no phrase-level memory beyond its recurrent state.\n\
- The model column's drums come from the drum model (pattern drums in 2/4 and 2/2, which it has no data for); the rules column plays the pattern drums.\n";

const DEFINITIONS: &str = "## How each number is computed\n\n\
Times are on the 16th-note grid of models/vocab.json; pitch classes are relative to the tonic.\n\n\
- **pitch-in-scale rate**: melody notes (rests excluded) whose pitch class is in the scale, pooled over all notes. Major: 0 2 4 5 7 9 11; minor: natural minor plus the raised 6th and 7th (0 2 3 5 7 8 9 10 11), because harmonic and melodic minor are normal in the corpus.\n\
- **chord-tone ratio on strong beats**: melody notes whose onset is on a pulse (quarter note in x/4, half note in 2/2, dotted quarter in 6/8 and 9/8) and whose pitch class is a tone of the chord sounding at that onset, over all such notes.\n\
- **key-detection agreement**: engine::keydetect::detect (Krumhansl–Kessler profiles) on the melody notes plus the chord tones of the chord track, weighted by duration; agreement when the detected tonic and major/minor equal the requested (corpus: annotated) ones.\n\
- **pitch-class entropy**: Shannon entropy in bits of the duration-weighted 12-bin melody pitch-class histogram of each piece, averaged over pieces (0 = one pitch class, 3.58 = uniform).\n\
- **mean absolute interval**, **notes per bar**, **rest fraction**: between consecutive sounding melody notes; per bar averaged over pieces; share of melody time that is rest.\n\
- **interval 4-gram distinct ratio**: distinct 4-grams of consecutive melodic intervals over all 4-grams, pooled over pieces in order, on the first K intervals where K is the smallest pooled count among the systems, so sample size does not drive the number.\n\
- **bar self-similarity**: for each piece, the mean Jaccard similarity of the sets of (onset in bar, pitch) of every pair of bars; averaged over pieces. **bars repeating an earlier bar**: share of bars 2..8 whose melody (or chord content with onsets) exactly equals an earlier bar of the same piece.\n\
- **chord changes per bar**: 1 + number of chord changes, over bars. **distinct chords per piece**: distinct chord symbols (root relative to the tonic + vocabulary quality; engine chords are mapped to the nearest vocabulary chord by engine::tokens::token_for_chord) per 8 bars.\n\
- **chord vocabulary / 3-gram distinct ratio (pooled)**: over the first K chord changes (repeats merged) of the pooled pieces, K the smallest count among the systems: number of distinct chord symbols, and distinct 3-grams over all 3-grams.\n\
- **cross-seed chord difference**: for the two seeds of each settings combination, the share of pulses where the two clips sound different chords (0% = the seed changes nothing). Not compared with the corpus (the corpus has no seeds).\n\
- **drum groove consistency**: per clip, the mean Jaccard similarity of each bar's set of (drum key, 16th) onsets with the clip's most common bar; averaged over clips. The drums are rule-based for both model and rules (the models write chords and melody only) and the corpus has no drums, so the row only shows that the groove is steady with fills.\n\
- **closest to corpus**: the generator whose value has the smallest absolute difference from the corpus value on that row.\n";
