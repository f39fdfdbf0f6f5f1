//! Originality guard: how much of a melody or chord track is copied from a training song.
//!
//! An index (built by `models/train/melody2.py` from the training songs, shipped beside the
//! melody model, sha256 checked at load) holds one entry per position of every training song:
//! the 32-bit hash of the `k` events starting there, the song and the position. The longest run
//! of consecutive events shared with one training song is found by chaining windows that match
//! the same song at consecutive positions. Melody events are (interval from the previous note,
//! duration in 16ths); chord events are (key-relative root, bass, pitch-class mask, duration),
//! one event per held chord.

use crate::chord::Chord;
use crate::clip::{ChordEvent, Note};
use crate::theory::Key;
use std::sync::OnceLock;

/// Default limit on the events a melody may share with one training song before it is resampled.
pub const DEFAULT_LIMIT: usize = 8;

const MELODY_INDEX: &[u8] = include_bytes!("../../models/melody/originality.bin");
const CHORD_INDEX: &[u8] = include_bytes!("../../models/melody/chords-originality.bin");
const CONFIG: &str = include_str!("../../models/melody/config.json");
const GRID_TICKS: u32 = 120;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OriginalityError {
    #[error("originality index {name}: sha256 {found}, config says {expected}")]
    Checksum {
        name: &'static str,
        expected: String,
        found: String,
    },
    #[error("originality index {name}: {reason}")]
    Format { name: &'static str, reason: String },
}

/// What is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    Melody,
    Chords,
}

impl Track {
    fn name(self) -> &'static str {
        match self {
            Track::Melody => "melody",
            Track::Chords => "chords",
        }
    }
}

/// A loaded index: entries sorted by (hash, song, position).
#[derive(Debug, Clone)]
pub struct Index {
    pub k: usize,
    pub songs: u32,
    entries: Vec<(u32, u16, u16)>,
}

impl Index {
    /// Parses index bytes (`BMOI`, version 1, k, songs, count, then count x (u32 hash, u16
    /// song, u16 position), little-endian, sorted).
    pub fn parse(name: &'static str, b: &[u8]) -> Result<Index, OriginalityError> {
        let bad = |r: &str| OriginalityError::Format {
            name,
            reason: r.to_string(),
        };
        let u32_at = |o: usize| -> Option<u32> {
            Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
        };
        if b.get(..4) != Some(b"BMOI".as_slice()) {
            return Err(bad("not an index (magic)"));
        }
        let (ver, k, songs, n) = match (u32_at(4), u32_at(8), u32_at(12), u32_at(16)) {
            (Some(v), Some(k), Some(s), Some(n)) => (v, k, s, n as usize),
            _ => return Err(bad("truncated header")),
        };
        if ver != 1 || k == 0 || k > 64 {
            return Err(bad(&format!("version {ver}, k {k}")));
        }
        if b.len() != 20 + 8 * n {
            return Err(bad(&format!("{} bytes for {n} entries", b.len())));
        }
        let entries: Vec<(u32, u16, u16)> = b[20..]
            .chunks_exact(8)
            .map(|c| {
                (
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    u16::from_le_bytes([c[4], c[5]]),
                    u16::from_le_bytes([c[6], c[7]]),
                )
            })
            .collect();
        if entries.windows(2).any(|w| w[0] > w[1]) {
            return Err(bad("entries not sorted"));
        }
        Ok(Index {
            k: k as usize,
            songs,
            entries,
        })
    }

    /// Builds an index from event sequences (tests and hand-made indexes).
    pub fn build(k: usize, songs: &[Vec<u32>]) -> Index {
        let mut entries = Vec::new();
        for (s, codes) in songs.iter().enumerate() {
            for p in 0..codes.len().saturating_sub(k - 1).min(1 << 16) {
                entries.push((fnv32(&codes[p..p + k]), s as u16, p as u16));
            }
        }
        entries.sort_unstable();
        Index {
            k,
            songs: songs.len() as u32,
            entries,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn matches(&self, h: u32) -> &[(u32, u16, u16)] {
        let lo = self.entries.partition_point(|e| e.0 < h);
        let hi = self.entries.partition_point(|e| e.0 <= h);
        &self.entries[lo..hi]
    }

    /// Longest run of consecutive `codes` found at consecutive positions of one indexed song;
    /// 0 when no window of `k` events matches (the run is shorter than `k`).
    pub fn longest_run(&self, codes: &[u32]) -> usize {
        if codes.len() < self.k {
            return 0;
        }
        let mut best = 0usize;
        let mut prev: &[(u32, u16, u16)] = &[];
        let mut prev_runs: Vec<usize> = Vec::new();
        for w in codes.windows(self.k) {
            let cur = self.matches(fnv32(w));
            let runs: Vec<usize> = cur
                .iter()
                .map(|&(_, s, p)| {
                    let before = p.checked_sub(1).and_then(|q| {
                        prev.binary_search_by(|e| (e.1, e.2).cmp(&(s, q)))
                            .ok()
                            .map(|i| prev_runs[i])
                    });
                    before.unwrap_or(0) + 1
                })
                .collect();
            if let Some(r) = runs.iter().max() {
                best = best.max(r + self.k - 1);
            }
            prev = cur;
            prev_runs = runs;
        }
        best
    }
}

/// FNV-1a 64 over the codes' little-endian bytes, folded to 32 bits (as in melody2.py).
pub fn fnv32(codes: &[u32]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in codes {
        for byte in c.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (h ^ (h >> 32)) as u32
}

/// Melody events: per note after the first, (interval from the previous note, duration in 16ths
/// clamped to 1..=64). Notes are taken in start order; overlapping notes count as they come.
pub fn melody_events(notes: &[Note]) -> Vec<u32> {
    let mut v: Vec<&Note> = notes.iter().collect();
    v.sort_by_key(|n| (n.start, n.pitch.as_int()));
    v.windows(2)
        .map(|w| {
            let iv = (i32::from(w[1].pitch.as_int()) - i32::from(w[0].pitch.as_int())) as u32;
            let d = ((w[1].duration + GRID_TICKS / 2) / GRID_TICKS).clamp(1, 64);
            ((iv & 0xFF) << 8) | d
        })
        .collect()
}

/// Chord events relative to `key`: the same chord held over barlines is one event (duration in
/// 16ths, at most 255).
pub fn chord_events(chords: &[ChordEvent], key: Key) -> Vec<u32> {
    let mut merged: Vec<(u32, u32)> = Vec::new(); // (duration, chord code without duration)
    for c in chords {
        let code = chord_code(&c.chord, key);
        let d = (c.duration + GRID_TICKS / 2) / GRID_TICKS;
        match merged.last_mut() {
            Some((du, last)) if *last == code && *du + d <= 255 => *du += d,
            _ => merged.push((d, code)),
        }
    }
    merged
        .into_iter()
        .map(|(d, code)| code | (d.min(255) << 20))
        .collect()
}

/// Key-relative root (bits 0-3), bass (bits 4-7, 12 = the root) and pitch-class mask (bits
/// 8-19) of a chord.
pub fn chord_code(chord: &Chord, key: Key) -> u32 {
    let t = key.tonic.index() as u32;
    let rel = |pc: u8| (u32::from(pc) + 12 - t) % 12;
    let m = u32::from(chord.mask());
    let mask = ((m >> t) | (m << (12 - t))) & 0xFFF;
    let bass = chord
        .bass
        .filter(|b| *b != chord.root)
        .map_or(12, |b| rel(b.index()));
    rel(chord.root.index()) | (bass << 4) | (mask << 8)
}

static MELODY: OnceLock<Result<Index, OriginalityError>> = OnceLock::new();
static CHORDS: OnceLock<Result<Index, OriginalityError>> = OnceLock::new();

/// The shipped index of `track` (loaded and checked once per process).
pub fn shipped(track: Track) -> Result<&'static Index, OriginalityError> {
    let (cell, bytes) = match track {
        Track::Melody => (&MELODY, MELODY_INDEX),
        Track::Chords => (&CHORDS, CHORD_INDEX),
    };
    cell.get_or_init(|| load(track, bytes))
        .as_ref()
        .map_err(Clone::clone)
}

fn load(track: Track, bytes: &[u8]) -> Result<Index, OriginalityError> {
    let name = track.name();
    let cfg: serde_json::Value =
        serde_json::from_str(CONFIG).map_err(|e| OriginalityError::Format {
            name,
            reason: format!("config.json: {e}"),
        })?;
    let expected = cfg["originality"][name]["sha256"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let found = crate::model::tokens::sha256_hex(bytes);
    if found != expected {
        return Err(OriginalityError::Checksum {
            name,
            expected,
            found,
        });
    }
    let ix = Index::parse(name, bytes)?;
    if cfg["originality"][name]["k"].as_u64() != Some(ix.k as u64) {
        return Err(OriginalityError::Format {
            name,
            reason: "k differs from config.json".into(),
        });
    }
    Ok(ix)
}

/// Longest run a melody shares with the shipped training songs.
pub fn melody_run(notes: &[Note]) -> Result<usize, OriginalityError> {
    Ok(shipped(Track::Melody)?.longest_run(&melody_events(notes)))
}

/// Longest run a chord track shares with the shipped training songs.
pub fn chord_run(chords: &[ChordEvent], key: Key) -> Result<usize, OriginalityError> {
    Ok(shipped(Track::Chords)?.longest_run(&chord_events(chords, key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_chain_only_consecutive_positions_of_one_song() {
        let a: Vec<u32> = (1..=20).collect();
        let b: Vec<u32> = (100..=120).collect();
        let ix = Index::build(3, &[a.clone(), b.clone()]);
        assert_eq!(ix.longest_run(&a[2..14]), 12);
        // 5 events of song a then 5 of song b: two separate runs of 5.
        let mixed: Vec<u32> = a[..5].iter().chain(&b[..5]).copied().collect();
        assert_eq!(ix.longest_run(&mixed), 5);
        assert_eq!(ix.longest_run(&[7, 9, 11, 13]), 0);
        assert_eq!(ix.longest_run(&a[..2]), 0);
    }

    #[test]
    fn parse_rejects_damaged_bytes() {
        let ix = Index::build(2, &[vec![1, 2, 3, 4]]);
        let mut b = b"BMOI".to_vec();
        for v in [1u32, 2, 1, ix.len() as u32] {
            b.extend(v.to_le_bytes());
        }
        for &(h, s, p) in &ix.entries {
            b.extend(h.to_le_bytes());
            b.extend(s.to_le_bytes());
            b.extend(p.to_le_bytes());
        }
        let back = Index::parse("t", &b).expect("parses");
        assert_eq!(back.entries, ix.entries);
        assert!(Index::parse("t", &b[..b.len() - 1]).is_err());
        let mut wrong = b.clone();
        wrong[0] = b'X';
        assert!(Index::parse("t", &wrong).is_err());
    }

    #[test]
    fn shipped_indexes_load() {
        for t in [Track::Melody, Track::Chords] {
            let ix = shipped(t).expect("index loads");
            assert!(!ix.is_empty() && ix.songs > 0);
        }
    }
}
