//! `cargo xtask eval form [--data DIR] [--songs N] [--out PATH|-] [--png DIR]`: song-form
//! measurements for docs/QUALITY.md. Reads the McGill Billboard chord annotations (Humdrum
//! `**harm` spine, bars `=N`, section labels `*>X_name`) from DIR (default
//! ../shared/data/billboard) and generates N songs per form preset (default 20, rules and model)
//! and compares: the share of bars whose chords (and, for generated songs, melody) repeat an
//! earlier bar; verse vs chorus notes per bar, melody register and drum hits per bar; and a
//! bar-by-bar chord self-similarity matrix of one generated and one real song, written as a PNG
//! (`--png DIR`, default docs/).

use crate::{opt, root};
use anyhow::{Context, Result};
use bandmate_engine::arrange::{Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::form::{self, Form, SectionKind, Song};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One real song: per bar its chord content (Roman numerals in order) and section name.
struct RealSong {
    name: String,
    bars: Vec<(String, Option<String>)>,
}

/// Reads a Billboard Humdrum file: the first spine is `**harm` (duration + numeral, `.` = the
/// chord goes on, `r` = no chord).
fn read_real(path: &Path) -> Option<RealSong> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut bars = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut last_chord = String::new();
    let mut section: Option<String> = None;
    let mut bar_section: Option<String> = None;
    let mut started = false;
    for line in text.lines() {
        let first = line.split('\t').next().unwrap_or("");
        if first.starts_with('=') {
            if started {
                if current.is_empty() {
                    current.push(last_chord.clone());
                }
                bars.push((current.join(" "), bar_section.clone()));
            }
            started = true;
            current.clear();
            bar_section = section.clone();
        } else if let Some(label) = first.strip_prefix("*>") {
            let name = label
                .split_once('_')
                .map_or(label, |(_, n)| n)
                .to_ascii_lowercase();
            section = Some(name);
            if current.is_empty() {
                bar_section = section.clone();
            }
        } else if first.starts_with('*') || first.starts_with('!') || first.is_empty() {
            continue;
        } else if first != "." {
            let numeral: String = first
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                .trim_end_matches(';')
                .to_string();
            if !numeral.is_empty() && numeral != "r" {
                last_chord = numeral.clone();
                current.push(numeral);
            }
        }
    }
    (bars.len() >= 8).then(|| RealSong {
        name: path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string(),
        bars,
    })
}

/// Share of items equal to an earlier item.
fn repeat_share<T: std::hash::Hash + Eq + Clone>(items: &[T]) -> (usize, usize) {
    let mut seen = HashSet::new();
    let mut rep = 0;
    for x in items {
        if !seen.insert(x.clone()) {
            rep += 1;
        }
    }
    (rep, items.len())
}

/// Per bar of a generated song: chord content (Roman numerals, else symbols).
fn song_chord_bars(song: &Song) -> Vec<String> {
    let clip = &song.clip;
    let bar = clip.bar_ticks();
    (0..clip.bars)
        .map(|b| {
            let (from, to) = (b * bar, (b + 1) * bar);
            clip.chords
                .iter()
                .filter(|c| c.start < to && c.end() > from)
                .map(|c| {
                    c.roman
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| c.chord.symbol(false))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Per bar of a generated song: the melody as (start in bar, pitch) pairs.
fn song_melody_bars(song: &Song) -> Vec<Vec<(u32, u8)>> {
    let clip = &song.clip;
    let bar = clip.bar_ticks();
    let mut out = vec![Vec::new(); clip.bars as usize];
    if let Some(p) = clip.part(PartKind::Melody) {
        for n in &p.notes {
            if let Some(v) = out.get_mut((n.start / bar) as usize) {
                v.push((n.start % bar, n.pitch.as_int()));
            }
        }
    }
    out
}

/// Bar-by-bar chord similarity (dark = same content) as 8-bit grayscale rows, `scale` pixels
/// per bar.
fn matrix(bars: &[String], scale: usize) -> (usize, Vec<u8>) {
    let size = bars.len() * scale;
    let mut px = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            px.push(if bars[y / scale] == bars[x / scale] {
                20
            } else {
                235
            });
        }
    }
    (size, px)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A grayscale PNG (zlib with stored blocks: no compression library needed).
fn png(size: usize, px: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((size + 1) * size);
    for row in px.chunks(size) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, c) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(size as u32).to_be_bytes());
    ihdr.extend_from_slice(&(size as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    out
}

fn write_png(dir: &Path, name: &str, bars: &[String]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let (size, px) = matrix(bars, 6);
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png(size, &px)).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

#[derive(Default)]
struct SectionStats {
    bars: usize,
    notes: usize,
    melody_pitch_sum: u64,
    melody_notes: usize,
    drum_hits: usize,
}

fn section_stats(song: &Song, kind: SectionKind, acc: &mut SectionStats) {
    let bar = song.clip.bar_ticks();
    for sec in song.sections.iter().filter(|s| s.spec.kind == kind) {
        let (from, to) = (sec.start_bar * bar, (sec.start_bar + sec.spec.bars) * bar);
        acc.bars += sec.spec.bars as usize;
        for p in &song.clip.parts {
            let inside = p.notes.iter().filter(|n| n.start >= from && n.start < to);
            match p.kind {
                PartKind::Drums => acc.drum_hits += inside.count(),
                PartKind::Melody => {
                    for n in inside {
                        acc.melody_notes += 1;
                        acc.notes += 1;
                        acc.melody_pitch_sum += u64::from(n.pitch.as_int());
                    }
                }
                _ => acc.notes += inside.count(),
            }
        }
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let data = opt(args, "--data")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data/billboard"));
    let per_form: u64 = opt(args, "--songs")
        .map(str::parse)
        .transpose()
        .context("--songs")?
        .unwrap_or(20);
    let png_dir = opt(args, "--png")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("docs"));

    let mut real = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
        .with_context(|| format!("reading {}", data.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "harm" || x == "hum"))
        .collect();
    files.sort();
    let mut skipped = 0;
    for f in &files {
        match read_real(f) {
            Some(s) => real.push(s),
            None => skipped += 1,
        }
    }
    let (mut rep, mut tot) = (0, 0);
    for s in &real {
        let bars: Vec<String> = s.bars.iter().map(|(c, _)| c.clone()).collect();
        let (r, t) = repeat_share(&bars);
        rep += r;
        tot += t;
    }
    let real_share = rep as f64 / tot.max(1) as f64;

    let mut out = String::new();
    writeln!(
        out,
        "| songs | chord bars repeating an earlier bar | melody bars repeating an earlier bar |"
    )?;
    writeln!(out, "|---|---:|---:|")?;
    writeln!(
        out,
        "| Billboard, {} songs ({} files skipped: under 8 bars or unreadable), {tot} bars | {:.1}% | (no melody in .harm) |",
        real.len(),
        skipped,
        100.0 * real_share
    )?;
    let mut stats: Vec<(String, SectionStats, SectionStats)> = Vec::new();
    let mut example: Option<Song> = None;
    for source in [Source::Rules, Source::Model] {
        let (mut cr, mut ct, mut mr, mut mt) = (0, 0, 0, 0);
        let mut verse = SectionStats::default();
        let mut chorus = SectionStats::default();
        for preset in ["pop", "rock", "ballad"] {
            let f = Form::parse(preset)?;
            for seed in 1..=per_form {
                let mut s = Settings {
                    source,
                    seed,
                    ..Settings::default()
                };
                s.enable_only(&PartKind::ALL);
                let song = form::generate(&s, &f)?;
                let (r, t) = repeat_share(&song_chord_bars(&song));
                cr += r;
                ct += t;
                let mel: Vec<Vec<(u32, u8)>> = song_melody_bars(&song)
                    .into_iter()
                    .filter(|b| !b.is_empty())
                    .collect();
                let (r, t) = repeat_share(&mel);
                mr += r;
                mt += t;
                section_stats(&song, SectionKind::Verse, &mut verse);
                section_stats(&song, SectionKind::Chorus, &mut chorus);
                if example.is_none() && preset == "pop" {
                    example = Some(song);
                }
            }
        }
        writeln!(
            out,
            "| generated ({}), pop/rock/ballad forms × {per_form} seeds, {ct} bars | {:.1}% | {:.1}% |",
            source.name(),
            100.0 * cr as f64 / ct.max(1) as f64,
            100.0 * mr as f64 / mt.max(1) as f64
        )?;
        stats.push((source.name().to_string(), verse, chorus));
    }
    writeln!(out)?;
    writeln!(out, "| generated | section | notes / bar (all pitched parts) | melody mean pitch (MIDI) | drum hits / bar |")?;
    writeln!(out, "|---|---|---:|---:|---:|")?;
    for (name, v, c) in &stats {
        for (label, x) in [("verse", v), ("chorus", c)] {
            writeln!(
                out,
                "| {name} | {label} | {:.1} | {:.1} | {:.1} |",
                x.notes as f64 / x.bars.max(1) as f64,
                x.melody_pitch_sum as f64 / x.melody_notes.max(1) as f64,
                x.drum_hits as f64 / x.bars.max(1) as f64
            )?;
        }
    }
    if let Some(song) = &example {
        let gen = write_png(
            &png_dir,
            "form-similarity-generated",
            &song_chord_bars(song),
        )?;
        let pick = real
            .iter()
            .find(|s| (80..=110).contains(&s.bars.len()))
            .or(real.first());
        if let Some(r) = pick {
            let bars: Vec<String> = r.bars.iter().map(|(c, _)| c.clone()).collect();
            let real_png = write_png(&png_dir, "form-similarity-real", &bars)?;
            writeln!(
                out,
                "\nSelf-similarity (dark = the two bars have the same chords): generated pop song (seed 1, rules) `{}` and Billboard `{}` `{}`.",
                gen.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
                r.name,
                real_png.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            )?;
        }
    }
    print!("{out}");
    let path = opt(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("docs/QUALITY-form.md"));
    if path.as_os_str() != "-" {
        let doc = format!(
            "# Song form: generated songs vs real songs\n\n\
             Generated by `cargo xtask eval form` (xtask/eval/src/song_form.rs); do not edit by hand, re-run it.\n\n\
             - Real: every McGill Billboard annotation in {} (`**harm` spine; a bar's content is its Roman numerals in order, a bar with only `.` repeats the chord before). None of these songs trained a shipped model (the v1 models learned from the music21 corpus), so all of them serve as reference.\n\
             - Generated: the pop, rock and ballad presets, C major 4/4 120 bpm, all five parts, seeds 1..={per_form}, with the rule generators and with the models (native ONNX Runtime when it loads). A generated bar's chord content is its chords' Roman numerals in order; its melody content is the (onset in the bar, pitch) pairs, over bars that have melody.\n\
             - \"Repeating an earlier bar\": the bar's content equals the content of some earlier bar of the same song.\n\n{out}\n\
             ![generated](form-similarity-generated.png) ![real](form-similarity-real.png)\n",
            opt(args, "--data").unwrap_or("../shared/data/billboard")
        );
        std::fs::write(&path, doc).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
