//! The readable summary of a personal style (`bandmate styles --show NAME`): top progressions,
//! chord vocabulary, typical grooves, bass pattern, tempo range, meters and modes.

use super::adapt::PersonalStyle;
use super::profile::{Ngrams, Table};
use crate::chord::RomanChord;
use crate::drums::grid::{self, Feel};
use crate::model::tokens::{self, Vocab};
use crate::theory::{Key, Mode, PitchClass};
use std::fmt::Write as _;

/// How many progressions and chords the summary lists.
const TOP: usize = 8;

/// The summary as lines of text.
pub fn text(style: &PersonalStyle) -> String {
    let p = style.profile();
    let mut s = String::new();
    let _ = writeln!(s, "style {} (profile {})", p.name, style.short_hash());
    let _ = writeln!(
        s,
        "learned from {} songs ({} files skipped), {} bars; chords from a chords/keys track in {}, recognized in {}",
        p.songs, p.files_skipped, p.bars, p.chords_from_track, p.chords_recognized
    );
    if let Some((lo, mid, hi)) = tempo_range(&p.tempo) {
        let _ = writeln!(s, "tempo: {lo}-{hi} bpm (median {mid})");
    }
    let meters: Vec<String> = shares(&p.meters)
        .into_iter()
        .map(|(k, f)| format!("{}/{} {:.0}%", k[0], k.get(1).unwrap_or(&4), f * 100.0))
        .collect();
    let _ = writeln!(s, "meters: {}", meters.join(", "));
    let minor = shares(&p.modes)
        .into_iter()
        .find(|(k, _)| k[0] == 1)
        .map_or(0.0, |x| x.1);
    let _ = writeln!(
        s,
        "keys: {:.0}% major, {:.0}% minor",
        (1.0 - minor) * 100.0,
        minor * 100.0
    );
    let Ok(v) = tokens::vocab() else {
        return s;
    };
    let name = |t: u16| roman(v, t);
    let _ = writeln!(s, "top progressions (Roman numerals, repeats removed):");
    for (g, c) in top(&p.changes, 4, TOP) {
        let names: Vec<String> = g.iter().map(|&t| name(t)).collect();
        let _ = writeln!(s, "  {:<28} x{c}", names.join(" "));
    }
    let _ = writeln!(s, "chord vocabulary:");
    let uni = top(&p.chords, 1, 12);
    let total: u32 = p
        .chords
        .grams
        .iter()
        .filter(|g| g.0.len() == 1)
        .map(|g| g.1)
        .sum();
    let line: Vec<String> = uni
        .iter()
        .map(|(g, c)| {
            format!(
                "{} {:.0}%",
                name(g[0]),
                f64::from(*c) * 100.0 / f64::from(total.max(1))
            )
        })
        .collect();
    let _ = writeln!(s, "  {}", line.join(", "));
    let mut q = vec![0u32; v.qualities.len()];
    for (g, c) in p.chords.grams.iter().filter(|g| g.0.len() == 1) {
        if let Some(tokens::ChordToken::Chord { quality, .. }) = v.decode_chord(g[0] as usize) {
            q[quality] += c;
        }
    }
    let qt: u32 = q.iter().sum();
    let mut ql: Vec<(usize, u32)> = q.into_iter().enumerate().filter(|x| x.1 > 0).collect();
    ql.sort_by_key(|b| std::cmp::Reverse(b.1));
    let ql: Vec<String> = ql
        .iter()
        .map(|(i, c)| {
            format!(
                "{} {:.0}%",
                v.qualities[*i].name,
                f64::from(*c) * 100.0 / f64::from(qt.max(1))
            )
        })
        .collect();
    let _ = writeln!(s, "  qualities: {}", ql.join(", "));
    for g in &p.grooves {
        let _ = writeln!(s, "groove: {} beats, {}, {} bars", g.beats, g.feel, g.bars);
        let feel = Feel::parse(&g.feel).unwrap_or(Feel::Straight);
        for (class, (cname, _)) in grid::CLASSES.iter().enumerate() {
            let mut row = String::new();
            let mut any = false;
            for slot in 0..g.beats as usize * grid::SLOTS_PER_BEAT {
                if !feel.has_slot(slot) {
                    continue;
                }
                if slot % grid::SLOTS_PER_BEAT == 0 && slot > 0 {
                    row.push(' ');
                }
                let hits = g
                    .cells
                    .iter()
                    .find(|c| usize::from(c.0) == slot && usize::from(c.1) == class)
                    .map_or(0, |c| c.2);
                let f = f64::from(hits) / f64::from(g.bars.max(1));
                row.push(if f >= 0.5 {
                    'X'
                } else if f >= 0.2 {
                    'x'
                } else {
                    '.'
                });
                any |= f >= 0.2;
            }
            if any {
                let _ = writeln!(s, "  {cname:<10} {row}");
            }
        }
    }
    if p.bass_notes > 0 {
        let _ = writeln!(
            s,
            "bass: {} notes, around MIDI {}; above the root: {}",
            p.bass_notes,
            p.bass_pitch_sum / u64::from(p.bass_notes),
            shares(&p.bass_above_root)
                .iter()
                .take(4)
                .map(|(k, f)| format!("+{} {:.0}%", k[0], f * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let rests = p
        .melody
        .grams
        .iter()
        .filter(|g| g.0.len() == 1)
        .fold((0u32, 0u32), |(r, t), g| {
            (
                r + if g.0[0] == super::profile::REST {
                    g.1
                } else {
                    0
                },
                t + g.1,
            )
        });
    if rests.1 > 0 {
        let ivs: Vec<String> = shares(&p.melody_intervals)
            .iter()
            .take(5)
            .map(|(k, f)| format!("{:+} {:.0}%", k[0], f * 100.0))
            .collect();
        let _ = writeln!(
            s,
            "melody: {} events, {:.0}% rests; intervals {}",
            rests.1,
            f64::from(rests.0) * 100.0 / f64::from(rests.1),
            ivs.join(", ")
        );
    }
    s
}

/// A chord token as a Roman numeral over a major tonic (tokens are tonic-relative).
fn roman(v: &Vocab, t: u16) -> String {
    let key = Key::new(PitchClass::C, Mode::Major);
    match v.chord_of(t as usize, key) {
        Some(c) => RomanChord::of_chord(c, key).to_string(),
        None => "N.C.".into(),
    }
}

/// The most frequent grams of length `n`.
fn top(ng: &Ngrams, n: usize, k: usize) -> Vec<(Vec<u16>, u32)> {
    let mut v: Vec<(Vec<u16>, u32)> = ng
        .grams
        .iter()
        .filter(|g| g.0.len() == n)
        .cloned()
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(k);
    v
}

/// Entries with their share of the total, most frequent first.
fn shares(t: &Table) -> Vec<(Vec<i32>, f64)> {
    let total: u32 = t.iter().map(|x| x.1).sum();
    let mut v: Vec<(Vec<i32>, f64)> = t
        .iter()
        .map(|(k, c)| (k.clone(), f64::from(*c) / f64::from(total.max(1))))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// 5th percentile, median and 95th percentile bpm, weighted by quarter notes.
pub fn tempo_range(t: &Table) -> Option<(i32, i32, i32)> {
    let total: u64 = t.iter().map(|x| u64::from(x.1)).sum();
    if total == 0 {
        return None;
    }
    let at = |q: f64| -> i32 {
        let mut acc = 0u64;
        for (k, c) in t {
            acc += u64::from(*c);
            if acc as f64 >= q * total as f64 {
                return k.first().copied().unwrap_or(0);
            }
        }
        t.last().and_then(|x| x.0.first().copied()).unwrap_or(0)
    };
    Some((at(0.05), at(0.5), at(0.95)))
}
