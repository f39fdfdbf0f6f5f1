//! The common, key-relative form every system's output is measured in: the real corpus
//! (`models/train/data/pieces.jsonl`), the engine's clips (model and rules) and the Markov baseline.

use anyhow::{Context, Result};
use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::model::tokens::{self, ChordToken};
use std::path::Path;

/// A chord: root in semitones above the tonic, quality index into `vocab.qualities`; times in 16ths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ch {
    pub token: usize,
    pub start: u32,
    pub dur: u32,
}

/// A melody event: pitch in semitones above the tonic reference ([`tokens::tonic_ref`]) or a rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mel {
    pub rel: Option<i32>,
    pub start: u32,
    pub dur: u32,
}

#[derive(Debug, Clone, Default)]
#[allow(dead_code)] // meter and style are kept for debugging output
pub struct Piece {
    pub minor: bool,
    /// Absolute tonic pitch class (0 for the corpus, whose pieces are stored key-relative).
    pub tonic: u8,
    pub meter: String,
    pub bar16: u32,
    pub pulses: u32,
    pub bars: u32,
    pub style: String,
    pub chords: Vec<Ch>,
    pub melody: Vec<Mel>,
    /// (drum key, onset in 16ths)
    pub drums: Vec<(u8, u32)>,
    /// Settings group: clips with the same group differ only by seed.
    pub group: usize,
}

/// Felt pulses per bar for a meter string (dotted quarters in compound meters).
pub fn pulses(meter: &str) -> u32 {
    let (n, d) = meter
        .split_once('/')
        .and_then(|(n, d)| Some((n.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
        .unwrap_or((4, 4));
    if d >= 8 && n % 3 == 0 && n > 3 {
        n / 3
    } else {
        n
    }
}

impl Piece {
    /// Pitch classes (relative to the tonic) of chord token `t` as a 12-bit mask.
    pub fn chord_mask(token: usize) -> u16 {
        let Ok(v) = tokens::vocab() else { return 0 };
        match v.decode_chord(token) {
            Some(ChordToken::Chord { root, quality }) => v.qualities[quality]
                .intervals
                .iter()
                .fold(0u16, |m, &i| m | 1 << ((root + i) % 12)),
            _ => 0,
        }
    }

    pub fn chord_at(&self, t: u32) -> Option<&Ch> {
        self.chords
            .iter()
            .find(|c| c.start <= t && t < c.start + c.dur)
    }

    /// The first `bars` bars (events starting inside, durations clipped).
    pub fn truncate(&self, bars: u32) -> Piece {
        let end = bars * self.bar16;
        let mut p = self.clone();
        p.bars = self.bars.min(bars);
        p.chords = self
            .chords
            .iter()
            .filter(|c| c.start < end)
            .map(|c| Ch {
                dur: c.dur.min(end - c.start),
                ..*c
            })
            .collect();
        p.melody = self
            .melody
            .iter()
            .filter(|c| c.start < end)
            .map(|c| Mel {
                dur: c.dur.min(end - c.start),
                ..*c
            })
            .collect();
        p.drums.retain(|d| d.1 < end);
        p
    }

    /// Sounding melody notes (no rests).
    pub fn notes(&self) -> impl Iterator<Item = (i32, u32, u32)> + '_ {
        self.melody
            .iter()
            .filter_map(|m| m.rel.map(|r| (r, m.start, m.dur)))
    }

    /// A clip from the engine, measured relative to its requested key.
    pub fn from_clip(clip: &Clip, group: usize, style: &str) -> Piece {
        let v = tokens::vocab().expect("vocab");
        let g = v.grid_ticks;
        let key = clip.key;
        let bar16 = clip.bar_ticks() / g;
        let tref = tokens::tonic_ref(key.tonic);
        let chords = clip
            .chords
            .iter()
            .map(|c| Ch {
                token: v.token_for_chord(&c.chord, key),
                start: c.start / g,
                dur: (c.duration / g).max(1),
            })
            .collect();
        let mut melody: Vec<Mel> = Vec::new();
        if let Some(p) = clip.part(PartKind::Melody) {
            let mut t = 0;
            let mut notes = p.notes.clone();
            notes.sort_by_key(|n| n.start);
            for n in notes {
                let (s, d) = (n.start / g, (n.duration / g).max(1));
                if s < t {
                    continue; // overlapping notes: keep the monophonic line
                }
                if s > t {
                    melody.push(Mel {
                        rel: None,
                        start: t,
                        dur: s - t,
                    });
                }
                melody.push(Mel {
                    rel: Some(n.pitch.as_int() as i32 - tref),
                    start: s,
                    dur: d,
                });
                t = s + d;
            }
        }
        let drums = clip
            .part(PartKind::Drums)
            .map(|p| {
                p.notes
                    .iter()
                    .map(|n| (n.pitch.as_int(), (n.start + g / 2) / g))
                    .collect()
            })
            .unwrap_or_default();
        let meter = format!("{}/{}", clip.meter.numerator, clip.meter.denominator);
        Piece {
            minor: key.mode.is_minor(),
            tonic: key.tonic.index(),
            pulses: pulses(&meter),
            meter,
            bar16,
            bars: clip.bars,
            style: style.to_string(),
            chords,
            melody,
            drums,
            group,
        }
    }
}

/// One line of `pieces.jsonl`.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub struct CorpusPiece {
    pub split: String,
    pub source: String,
    pub piece: Piece,
}

/// Reads the extracted corpus; None when the file is absent (e.g. CI without the training data).
pub fn load_corpus(path: &Path) -> Result<Option<Vec<CorpusPiece>>> {
    if !path.exists() {
        return Ok(None);
    }
    let v = tokens::vocab().map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let j: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), i + 1))?;
        let s = |k: &str| j[k].as_str().unwrap_or("").to_string();
        let n = |k: &str| j[k].as_u64().unwrap_or(0) as u32;
        let chords = j["chords"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| {
                        let lab = c[0].as_str()?;
                        let token = v.chords.iter().position(|x| x == lab)?;
                        Some(Ch {
                            token,
                            start: c[1].as_u64()? as u32,
                            dur: c[2].as_u64()? as u32,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let melody = j["melody"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| {
                        Some(Mel {
                            rel: m[0].as_i64().map(|x| x as i32),
                            start: m[1].as_u64()? as u32,
                            dur: m[2].as_u64()? as u32,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let meter = s("meter");
        out.push(CorpusPiece {
            split: s("split"),
            source: s("source"),
            piece: Piece {
                minor: s("mode") == "minor",
                tonic: 0,
                pulses: pulses(&meter),
                meter,
                bar16: n("bar16"),
                bars: n("bars"),
                style: s("style"),
                chords,
                melody,
                drums: Vec::new(),
                group: i,
            },
        });
    }
    Ok(Some(out))
}
