//! `styles [--data FILE] [--windows N] [--out PATH|-]`: chord models v2 and v1 and the melody,
//! generated through the engine under the conditions of held-out 8-bar windows, measured against
//! those windows, per style. The windows come from the corpus readers' output
//! (models/train/data/v2.jsonl, split "test"; `python models/train/readers.py` writes it).

use anyhow::{bail, Context, Result};
use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::{PartKind, TICKS_PER_QUARTER};
use bandmate_engine::model::chords2::sample::quality_tier;
use bandmate_engine::model::{self, vocab2::vocab2, ChordRequest};
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

mod measure;

use measure::{Ev, Mel, Stats, Window};

/// 16ths per tick.
const GT: u32 = TICKS_PER_QUARTER / 4;
const BARS: u32 = 8;
/// Engine complexity for each tier (triads, sevenths, extended).
const COMPLEXITY: [f32; 3] = [0.2, 0.5, 0.85];

struct SongEv {
    tok: String,
    start: u32,
    dur: u32,
}

/// The song's chord events with ties merged (as `train_chords2.events_of`).
fn song_events(bars: &[Value]) -> Vec<SongEv> {
    let mut out: Vec<SongEv> = Vec::new();
    let mut t = 0u32;
    for bar in bars {
        for c in bar["chords"].as_array().into_iter().flatten() {
            let tok = match c["root"].as_u64() {
                None => "NC".to_string(),
                Some(r) => {
                    let q = c["q"].as_str().unwrap_or("maj");
                    match c["bass"].as_u64() {
                        Some(b) => format!("{r}:{q}/{b}"),
                        None => format!("{r}:{q}"),
                    }
                }
            };
            let st = t + c["on"].as_u64().unwrap_or(0) as u32;
            let dur = c["dur"].as_u64().unwrap_or(0) as u32;
            let tie = c["tie"].as_bool().unwrap_or(false);
            match out.last_mut() {
                Some(l) if tie && l.tok == tok && l.start + l.dur == st => l.dur += dur,
                _ => out.push(SongEv {
                    tok,
                    start: st,
                    dur,
                }),
            }
        }
        t += bar["len16"].as_u64().unwrap_or(16) as u32;
    }
    out
}

/// Harmonic-rhythm bucket and complexity tier of a whole song (as `train_chords2.song_cond`).
fn song_cond(evs: &[SongEv]) -> (usize, usize) {
    let chords: Vec<&SongEv> = evs.iter().filter(|e| e.tok != "NC").collect();
    let mean = if chords.is_empty() {
        16.0
    } else {
        chords.iter().map(|e| e.dur as f64).sum::<f64>() / chords.len() as f64
    };
    let hr = match mean {
        m if m <= 4.0 => 0,
        m if m <= 8.0 => 1,
        m if m <= 16.0 => 2,
        _ => 3,
    };
    let q = |e: &&SongEv| measure::quality(&e.tok).to_string();
    let qs: Vec<String> = chords.iter().map(q).collect();
    let n = qs.len().max(1) as f64;
    let share =
        |f: &dyn Fn(usize) -> bool| qs.iter().filter(|q| f(quality_tier(q))).count() as f64 / n;
    let (ext, sev) = (share(&|t| t == 2), share(&|t| t != 0));
    let cx = if ext >= 0.15 {
        2
    } else if sev >= 0.2 {
        1
    } else {
        0
    };
    (hr, cx)
}

/// Non-overlapping 8-bar windows of one song in one meter and key, with the song's conditions.
fn windows_of(song: &Value) -> Vec<Window> {
    let Some(bars) = song["bars"].as_array() else {
        return Vec::new();
    };
    let style = song["style"].as_str().unwrap_or("pop").to_string();
    let evs = song_events(bars);
    let (hr, cx) = song_cond(&evs);
    let mut starts = Vec::with_capacity(bars.len());
    let mut t = 0u32;
    for b in bars {
        starts.push(t);
        t += b["len16"].as_u64().unwrap_or(16) as u32;
    }
    let mut out = Vec::new();
    let mut i = 0usize;
    while i + BARS as usize <= bars.len() {
        let w = &bars[i..i + BARS as usize];
        let same = |k: &str| w.iter().all(|b| b[k] == w[0][k]);
        if !(same("meter") && same("len16") && same("key")) {
            i += 1;
            continue;
        }
        let (t0, bar16) = (starts[i], w[0]["len16"].as_u64().unwrap_or(16) as u32);
        let t1 = t0 + bar16 * BARS;
        let chords = evs
            .iter()
            .filter(|e| e.start < t1 && e.start + e.dur > t0)
            .map(|e| {
                let s = e.start.max(t0);
                Ev {
                    tok: e.tok.clone(),
                    start: s - t0,
                    dur: (e.start + e.dur).min(t1) - s,
                }
            })
            .collect();
        let mut melody = Vec::new();
        for (k, b) in w.iter().enumerate() {
            for n in b["melody"].as_array().into_iter().flatten() {
                if let (Some(p), Some(r)) = (n["pitch"].as_u64(), n["rel"].as_i64()) {
                    melody.push(Mel {
                        pitch: p as u8,
                        rel: r.rem_euclid(12) as u8,
                        start: k as u32 * bar16 + n["on"].as_u64().unwrap_or(0) as u32,
                        dur: n["dur"].as_u64().unwrap_or(0) as u32,
                    });
                }
            }
        }
        let mut sections: BTreeMap<&str, usize> = BTreeMap::new();
        for b in w {
            *sections
                .entry(b["section"].as_str().unwrap_or("other"))
                .or_default() += 1;
        }
        let section = sections
            .iter()
            .max_by_key(|(_, n)| **n)
            .map_or("other", |(s, _)| s)
            .to_string();
        out.push(Window {
            style: style.clone(),
            meter: w[0]["meter"].as_str().unwrap_or("4/4").to_string(),
            bar16,
            tonic: w[0]["key"]["tonic"].as_u64().unwrap_or(0) as u8 % 12,
            minor: w[0]["key"]["mode"].as_str() == Some("minor"),
            section,
            rhythm: hr,
            tier: cx,
            chords,
            melody,
        });
        i += BARS as usize;
    }
    out
}

fn meter_of(s: &str) -> Option<Meter> {
    let (n, d) = s.split_once('/')?;
    Meter::new(n.parse().ok()?, d.parse().ok()?).ok()
}

/// The engine setting whose bucket (`chords2::rhythm_bucket`) is the window's.
fn rhythm_setting(bucket: usize) -> HarmonicRhythm {
    match bucket {
        0 | 1 => HarmonicRhythm::HalfBar,
        2 => HarmonicRhythm::Bar,
        _ => HarmonicRhythm::TwoBars,
    }
}

/// The v1 model's nearest style: its own three, "pop" for the rest.
fn v1_style(style: &str) -> &'static str {
    match style {
        "chorale" => "chorale",
        "folk" => "folk",
        _ => "pop",
    }
}

/// v2 (through `arrange::generate`, chords + melody) and v1 (`model::generate_chords`) clips
/// under the window's conditions, in the window's form.
fn generate(w: &Window, seed: u64) -> Result<(Window, Window, Window)> {
    let meter = meter_of(&w.meter).context("meter")?;
    let key = Key::new(
        PitchClass::new(i32::from(w.tonic)),
        if w.minor {
            Mode::NaturalMinor
        } else {
            Mode::Major
        },
    );
    let v = vocab2()?;
    let mut s = Settings {
        key,
        meter,
        bars: BARS,
        seed,
        source: Source::Model,
        style: w.style.clone(),
        harmonic_rhythm: rhythm_setting(w.rhythm),
        section: Some(w.section.clone()),
        complexity: COMPLEXITY[w.tier],
        ..Settings::default()
    };
    s.enable_only(&[PartKind::Chords, PartKind::Melody]);
    let form = |chords: &[bandmate_engine::clip::ChordEvent],
                notes: &[bandmate_engine::clip::Note]| {
        let mut out = w.empty();
        out.chords = chords
            .iter()
            .map(|c| Ev {
                tok: v.token(c.chord, key),
                start: c.start / GT,
                dur: c.duration / GT,
            })
            .collect();
        out.melody = notes
            .iter()
            .map(|n| Mel {
                pitch: n.pitch.as_int(),
                rel: ((i32::from(n.pitch.as_int()) - i32::from(w.tonic)).rem_euclid(12)) as u8,
                start: n.start / GT,
                dur: n.duration / GT,
            })
            .collect();
        out
    };
    let melody_of = |a: &arrange::Arrangement| {
        a.clip
            .parts
            .iter()
            .find(|p| p.kind == PartKind::Melody)
            .map(|p| p.notes.clone())
            .unwrap_or_default()
    };
    let a = arrange::generate(&s)?;
    if !a.notices.is_empty() {
        bail!("the model did not run as asked: {:?}", a.notices);
    }
    let v2 = form(&a.clip.chords, &melody_of(&a));
    s.source = Source::Rules;
    let r = arrange::generate(&s)?;
    let rules = form(&r.clip.chords, &melody_of(&r));
    let req = ChordRequest {
        key,
        meter,
        bars: BARS,
        style: v1_style(&w.style).into(),
        complexity: COMPLEXITY[w.tier],
        temperature: arrange::temperature(s.adventure),
        top_p: 0.95,
        seed,
    };
    let v1 = form(&model::generate_chords(&req)?, &[]);
    Ok((v2, v1, rules))
}

pub fn run(args: &[String]) -> Result<()> {
    let data = crate::opt(args, "--data")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("models/train/data/v2.jsonl"));
    let per_style: usize = crate::opt(args, "--windows").unwrap_or("60").parse()?;
    let out = crate::opt(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("docs/QUALITY.md"));
    let text = std::fs::read_to_string(&data).with_context(|| {
        format!(
            "{} (write it with: python models/train/readers.py --data ../shared/data --out {})",
            data.display(),
            data.display()
        )
    })?;
    let mut by_style: BTreeMap<String, (usize, Vec<Window>)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let song: Value = serde_json::from_str(line).context("a line of the readers' output")?;
        if song["split"].as_str() != Some("test") {
            continue;
        }
        let e = by_style
            .entry(song["style"].as_str().unwrap_or("pop").to_string())
            .or_default();
        e.0 += 1;
        e.1.extend(windows_of(&song));
    }
    let order = model::chords2::styles()?;
    let mut rows = Vec::new();
    for style in &order {
        let Some((songs, wins)) = by_style.get(style) else {
            continue;
        };
        let wins: Vec<&Window> = wins
            .iter()
            .filter(|w| meter_of(&w.meter).is_some())
            .collect();
        if wins.is_empty() {
            continue;
        }
        // An even, deterministic subsample of at most `per_style` windows to condition on.
        let step = wins.len().div_ceil(per_style.max(1));
        let (mut g2, mut g1, mut gr) = (Vec::new(), Vec::new(), Vec::new());
        for (i, w) in wins.iter().step_by(step).enumerate() {
            let (a, b, c) =
                generate(w, 7000 + i as u64).with_context(|| format!("{style} window {i}"))?;
            g2.push(a);
            g1.push(b);
            gr.push(c);
        }
        let test: Vec<Window> = wins.iter().map(|w| (*w).clone()).collect();
        rows.push(measure::Row {
            style: style.clone(),
            songs: *songs,
            test: Stats::of(&test),
            v2: Stats::of(&g2),
            v1: Stats::of(&g1),
            rules: Stats::of(&gr),
            clips: g2.len(),
        });
    }
    let md = measure::markdown(&rows, &data);
    if out.as_os_str() == "-" {
        print!("{md}");
        return Ok(());
    }
    let doc = std::fs::read_to_string(&out).unwrap_or_default();
    std::fs::write(&out, measure::splice(&doc, &md))?;
    println!("{md}\nwrote {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 9-bar 4/4 song: C for two bars (tied over the barline), then G7 and Am per bar, with a
    /// melody note in the first bar; key change in bar 9.
    fn song() -> Value {
        let mut bars = Vec::new();
        for i in 0..9 {
            let (root, q, tie) = match i {
                0 => (0, "maj", false),
                1 => (0, "maj", true),
                i if i % 2 == 0 => (7, "7", false),
                _ => (9, "min", false),
            };
            let tonic = if i == 8 { 2 } else { 0 };
            bars.push(serde_json::json!({
                "meter": "4/4", "len16": 16, "key": {"tonic": tonic, "mode": "major"},
                "section": if i < 4 { "verse" } else { "chorus" },
                "chords": [{"on": 0, "dur": 16, "root": root, "q": q, "bass": null, "tie": tie}],
                "melody": if i == 0 { serde_json::json!([{"on": 2, "dur": 6, "pitch": 64, "rel": 4}]) } else { serde_json::json!([]) },
            }));
        }
        serde_json::json!({"style": "pop", "split": "test", "bars": bars})
    }

    #[test]
    fn windows_merge_ties_and_take_the_song_conditions() {
        let w = windows_of(&song());
        assert_eq!(w.len(), 1, "the 9th bar changes key, so one window");
        let w = &w[0];
        assert_eq!(w.chords[0].tok, "0:maj");
        assert_eq!(
            (w.chords[0].start, w.chords[0].dur),
            (0, 32),
            "tied bars merge"
        );
        assert_eq!(w.chords[1].tok, "7:7");
        assert_eq!(w.chords.len(), 7);
        // Mean chord length over the song: (32 + 7 * 16) / 8 = 18 16ths -> bucket 3; four of
        // eight chords are sevenths (>= 20%) -> the sevenths tier.
        assert_eq!((w.rhythm, w.tier), (3, 1));
        assert_eq!(
            w.section, "verse",
            "4 verse bars and 4 chorus: the last in name order wins ties"
        );
        let s = Stats::of(std::slice::from_ref(w));
        assert_eq!(s.melody_windows, 1);
        assert!((s.held - 1.0).abs() < 1e-9, "a 6/16 note is held");
        assert!(
            (s.syncopation - 1.0).abs() < 1e-9,
            "starts off the beat, sounds over beat 2"
        );
        assert!((s.chord_tones - 1.0).abs() < 1e-9, "E over C");
        assert_eq!(rhythm_setting(w.rhythm), HarmonicRhythm::TwoBars);
    }
}
