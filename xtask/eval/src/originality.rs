//! `originality [--clips N] [--limit L]`: longest runs of events that generated chord tracks and
//! melodies share with one training song (the shipped indexes), as percentiles, next to the
//! held-out songs' own overlap recorded at training time (models/melody/metrics.json); written
//! into docs/QUALITY.md (`--out PATH`, `-` prints only).

use anyhow::{Context, Result};
use bandmate_engine::model::chords2::{
    self,
    sample::{self as chords2_sample, Chords2Request},
};
use bandmate_engine::model::{self, guard, melody::MelodyCond, ChordRequest, MelodyRequest};
use bandmate_engine::originality::{self, Track};
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use midly::num::u7;
use std::fmt::Write as _;
use std::path::PathBuf;

const STYLES: [&str; 6] = ["pop", "rock", "soul", "country", "cpop-ballad", "folk"];

fn pct(v: &mut [usize]) -> String {
    v.sort_unstable();
    [10, 25, 50, 75, 90, 99]
        .iter()
        .map(|q| v[(v.len() * q / 100).min(v.len() - 1)].to_string())
        .collect::<Vec<_>>()
        .join("/")
}

pub fn run(args: &[String]) -> Result<()> {
    let clips: usize = crate::opt(args, "--clips").unwrap_or("1000").parse()?;
    let limit: usize = crate::opt(args, "--limit").unwrap_or("8").parse()?;
    let out = crate::opt(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("docs/QUALITY.md"));
    let mel_ix = originality::shipped(Track::Melody).context("melody index")?;
    let chord_ix = originality::shipped(Track::Chords).context("chord index")?;
    let (mut raw, mut kept, mut chords_run, mut over) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for i in 0..clips {
        let key = Key::new(
            PitchClass::new((i * 7 % 12) as i32),
            if i % 3 == 2 {
                Mode::NaturalMinor
            } else {
                Mode::Major
            },
        );
        let style = STYLES[i % STYLES.len()];
        let creq = ChordRequest {
            key,
            meter: Meter::COMMON,
            bars: 8,
            style: style.into(),
            complexity: 0.5,
            temperature: 1.0,
            top_p: 0.95,
            seed: i as u64,
        };
        let chords = chords2_sample::generate(&Chords2Request {
            base: &creq,
            section: chords2_sample::LOOP_SECTION,
            harmonic_rhythm: HarmonicRhythm::Bar,
        })?;
        chords_run.push(chord_ix.longest_run(&originality::chord_events(&chords, key)));
        let req = MelodyRequest {
            key,
            meter: Meter::COMMON,
            bars: 8,
            chords: &chords,
            low: u7::new(60),
            high: u7::new(81),
            temperature: 1.0,
            top_p: 0.95,
            seed: i as u64,
            prime: &[],
        };
        let cond = MelodyCond {
            style,
            section: "verse",
        };
        let first = guard::generate(&req, cond, None, None, limit)?;
        raw.push(mel_ix.longest_run(&originality::melody_events(&first.notes)));
        let g = guard::generate(&req, cond, None, Some(mel_ix), limit)?;
        kept.push(g.run.unwrap_or(0));
        over += usize::from(!g.within_limit);
    }
    let heldout = heldout().unwrap_or_default();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "{START}\n## Originality: runs shared with one training song\n"
    );
    let _ = writeln!(md, "Written by `cargo xtask eval originality --clips {clips}` (xtask/eval/src/originality.rs). {clips} 8-bar clips in 4/4 through the engine's model path: keys cycling through all 12 tonics (every third minor), styles {STYLES:?} in turn, chords from {} (section verse, harmonic rhythm one chord per bar, complexity 0.5), melody from {} over them, temperature 1, top-p 0.95. Each number is the longest run of consecutive events (melody: interval and duration; chords: symbol and duration) that the clip shares with any one training song, looked up in the indexes shipped with the melody model; a run shorter than the index's n-gram (melody {}, chords {} events) is not found and counts as 0. The held-out row is the same measure for the held-out songs recorded at training time: whole songs, so longer material than an 8-bar clip, the natural level of shared material.\n", chords2::CHORDS2_MODEL_ID, model::model_id(model::ModelKind::Melody), mel_ix.k, chord_ix.k);
    let _ = writeln!(
        md,
        "| track | p10 | p25 | p50 | p75 | p90 | p99 |\n|---|---|---|---|---|---|---|"
    );
    let row = |v: String| v.replace('/', " | ");
    let _ = writeln!(
        md,
        "| melody as sampled (events) | {} |",
        row(pct(&mut raw))
    );
    let _ = writeln!(
        md,
        "| melody after the guard, limit {limit} | {} |",
        row(pct(&mut kept))
    );
    let _ = writeln!(md, "| held-out songs' melodies | {} |", heldout.0);
    let _ = writeln!(
        md,
        "| chord track (events) | {} |",
        row(pct(&mut chords_run))
    );
    let _ = writeln!(md, "| held-out songs' chord tracks | {} |", heldout.1);
    let _ = writeln!(md, "\n{over} of {clips} melodies were still over the limit after the guard's tries (kept, with a notice).\n{END}");
    crate::doc::write_section(&out, &md, START, END)
}

const START: &str = "<!-- originality-eval:start -->";
const END: &str = "<!-- originality-eval:end -->";

/// The held-out percentiles of models/melody/metrics.json as table cells (melody, chords).
fn heldout() -> Option<(String, String)> {
    let text = std::fs::read_to_string(crate::root().join("models/melody/metrics.json")).ok()?;
    let m: serde_json::Value = serde_json::from_str(&text).ok()?;
    let cells = |k: &str| {
        let h = &m["originality"][k]["heldout_longest_run"];
        ["p10", "p25", "p50", "p75", "p90", "p99"]
            .iter()
            .map(|q| h[q].to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    Some((cells("melody"), cells("chords")))
}
