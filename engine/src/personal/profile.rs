//! The style profile: counts learned from a folder of songs, never the songs themselves. Every
//! sequence statistic is an n-gram of at most [`MAX_ORDER`] events (chord changes: 4), so no
//! stored run is longer than a few events. Stored as JSON (see docs/PERSONAL_STYLE.md):
//! `{"format": "bandmate-style-profile", "version": 1, "checksum": sha256 of the compact JSON of
//! "profile", "profile": {...}}`. All values are integers so the checksum survives a round trip.

use super::analyze::Song;
use super::PersonalError;
use crate::model::tokens::Vocab;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The `format` field of every profile file.
pub const FORMAT: &str = "bandmate-style-profile";
/// The newest profile version this build reads and the one it writes.
pub const VERSION: u32 = 1;
/// Longest n-gram kept over chord and melody tokens.
pub const MAX_ORDER: usize = 3;
/// Longest n-gram kept over chord changes (repeats removed), for the summary.
pub const CHANGE_ORDER: usize = 4;
/// Profiles are kept below this size; rare long n-grams are dropped first when over.
pub const MAX_BYTES: usize = 900_000;
/// Melody symbol for a rest (0..=11 are semitones above the tonic).
pub const REST: u16 = 12;

/// N-gram counts of orders 1..=max over small integer symbols: (gram, count), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ngrams {
    pub grams: Vec<(Vec<u16>, u32)>,
}

/// Counts keyed by small integer tuples: (key, count), sorted.
pub type Table = Vec<(Vec<i32>, u32)>;

/// One drum groove: how often each (slot, class) was hit per bar, with velocity and timing sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groove {
    /// Quarter notes per bar.
    pub beats: u32,
    /// "straight" or "triplet".
    pub feel: String,
    pub bars: u32,
    /// (slot, class, hits, velocity sum, offset sum in ticks)
    pub cells: Vec<(u16, u8, u32, u64, i64)>,
}

/// Everything a personal style knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleProfile {
    pub name: String,
    /// sha256 of the model vocabulary the tokens belong to.
    pub vocab_hash: String,
    pub songs: u32,
    pub files_skipped: u32,
    pub bars: u32,
    /// Songs whose chords came from a chords/keys track, and those recognized from all tracks.
    pub chords_from_track: u32,
    pub chords_recognized: u32,
    /// Chord-model tokens (key-relative root × quality, NC).
    pub chords: Ngrams,
    /// Chord changes (consecutive repeats removed), orders 1..=[`CHANGE_ORDER`].
    pub changes: Ngrams,
    /// (bar steps, start step, duration index) -> count.
    pub chord_durations: Table,
    /// Melody symbols: semitones above the tonic, or [`REST`].
    pub melody: Ngrams,
    /// (interval in semitones, clamped to ±24) -> count.
    pub melody_intervals: Table,
    /// (bar steps, start step, duration index) -> count.
    pub melody_durations: Table,
    /// (bar steps, step) -> bass onsets; (bar steps) -> bars seen with a bass line.
    pub bass_steps: Table,
    pub bass_bars: Table,
    /// (semitones above the chord root) -> bass notes.
    pub bass_above_root: Table,
    pub bass_pitch_sum: u64,
    pub bass_notes: u32,
    pub grooves: Vec<Groove>,
    /// (bpm, quarter notes played at it).
    pub tempo: Table,
    /// ("n/d" as (n, d)) -> bars.
    pub meters: Table,
    /// (0 major / 1 minor) -> sections.
    pub modes: Table,
}

/// The file wrapper.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: String,
    version: u32,
    checksum: String,
    profile: StyleProfile,
}

impl StyleProfile {
    pub fn new(name: &str, vocab_hash: String) -> StyleProfile {
        StyleProfile {
            name: name.to_string(),
            vocab_hash,
            songs: 0,
            files_skipped: 0,
            bars: 0,
            chords_from_track: 0,
            chords_recognized: 0,
            chords: Ngrams::default(),
            changes: Ngrams::default(),
            chord_durations: Vec::new(),
            melody: Ngrams::default(),
            melody_intervals: Vec::new(),
            melody_durations: Vec::new(),
            bass_steps: Vec::new(),
            bass_bars: Vec::new(),
            bass_above_root: Vec::new(),
            bass_pitch_sum: 0,
            bass_notes: 0,
            grooves: Vec::new(),
            tempo: Vec::new(),
            meters: Vec::new(),
            modes: Vec::new(),
        }
    }

    /// The sha256 (hex) of the profile's canonical JSON: its identity in provenance records.
    pub fn checksum(&self) -> String {
        let body = serde_json::to_vec(self).unwrap_or_default();
        crate::model::tokens::hex(&Sha256::digest(&body))
    }

    /// The profile file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let stored = serde_json::json!({
            "format": FORMAT,
            "version": VERSION,
            "checksum": self.checksum(),
            "profile": self,
        });
        serde_json::to_vec(&stored).unwrap_or_default()
    }

    /// Reads a profile file, rejecting other formats, newer versions and damaged content.
    pub fn from_bytes(bytes: &[u8]) -> Result<StyleProfile, PersonalError> {
        let damaged = |reason: String| PersonalError::Damaged { reason };
        if bytes.len() > 16 * MAX_BYTES {
            return Err(damaged(format!("{} bytes is far too large", bytes.len())));
        }
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| damaged(format!("not valid JSON ({e})")))?;
        let format = v.get("format").and_then(|f| f.as_str());
        if format != Some(FORMAT) {
            return Err(PersonalError::NotAProfile {
                found: format.unwrap_or("nothing").to_string(),
            });
        }
        let version = v.get("version").and_then(|x| x.as_u64()).unwrap_or(0);
        if version > u64::from(VERSION) {
            return Err(PersonalError::FutureVersion {
                found: version,
                supported: VERSION,
            });
        }
        if version != u64::from(VERSION) {
            return Err(damaged(format!(
                "version {version} is not a profile version"
            )));
        }
        let stored: Stored =
            serde_json::from_value(v).map_err(|e| damaged(format!("unexpected content ({e})")))?;
        let sum = stored.profile.checksum();
        if sum != stored.checksum {
            return Err(damaged(
                "the checksum does not match its content (edited or truncated)".into(),
            ));
        }
        Ok(stored.profile)
    }

    /// Drops the rarest longest n-grams until the file fits [`MAX_BYTES`].
    pub fn fit_size(&mut self) {
        for min in 2..=8 {
            if self.to_bytes().len() <= MAX_BYTES {
                return;
            }
            for ng in [&mut self.chords, &mut self.melody, &mut self.changes] {
                let top = ng.grams.iter().map(|g| g.0.len()).max().unwrap_or(0);
                ng.grams.retain(|g| g.0.len() < top.max(2) || g.1 >= min);
            }
        }
    }
}

/// Builds a profile song by song (counting in maps; the file keeps sorted lists).
pub struct Builder {
    profile: StyleProfile,
    acc: Accum,
}

impl Builder {
    pub fn new(name: &str, vocab_hash: String) -> Builder {
        let profile = StyleProfile::new(name, vocab_hash);
        let acc = Accum::from(&profile);
        Builder { profile, acc }
    }

    /// Adds one analyzed song.
    pub fn add(&mut self, song: &Song, v: &Vocab) {
        let p = &mut self.profile;
        p.songs += 1;
        p.bars += song.sections.iter().map(|s| s.bars as u32).sum::<u32>();
        match song.chord_source {
            super::analyze::ChordSource::Track(_) => p.chords_from_track += 1,
            super::analyze::ChordSource::Recognized => p.chords_recognized += 1,
        }
        for h in &song.bass {
            p.bass_pitch_sum += u64::from(h.pitch);
            p.bass_notes += 1;
        }
        self.acc.add(song, v);
    }

    /// Counts a file that could not be used.
    pub fn skip(&mut self) {
        self.profile.files_skipped += 1;
    }

    pub fn songs(&self) -> u32 {
        self.profile.songs
    }

    /// The finished profile, trimmed to [`MAX_BYTES`].
    pub fn finish(self) -> StyleProfile {
        let mut p = self.profile;
        self.acc.into_profile(&mut p);
        p.fit_size();
        p
    }
}

/// Bars seen and, per (slot, class), (hits, velocity sum, offset sum).
type GrooveCount = (u32, BTreeMap<(u16, u8), (u32, u64, i64)>);

/// Counting state with maps, converted to and from the sorted lists of the file.
struct Accum {
    chords: BTreeMap<Vec<u16>, u32>,
    changes: BTreeMap<Vec<u16>, u32>,
    melody: BTreeMap<Vec<u16>, u32>,
    tables: [BTreeMap<Vec<i32>, u32>; 9],
    grooves: BTreeMap<(u32, String), GrooveCount>,
}

fn to_map<K: Ord + Clone>(v: &[(K, u32)]) -> BTreeMap<K, u32> {
    v.iter().cloned().collect()
}

fn to_vec<K: Clone>(m: &BTreeMap<K, u32>) -> Vec<(K, u32)> {
    m.iter().map(|(k, c)| (k.clone(), *c)).collect()
}

fn count_grams(map: &mut BTreeMap<Vec<u16>, u32>, seq: &[u16], max: usize) {
    for i in 0..seq.len() {
        for n in 1..=max.min(i + 1) {
            *map.entry(seq[i + 1 - n..=i].to_vec()).or_insert(0) += 1;
        }
    }
}

fn bump(map: &mut BTreeMap<Vec<i32>, u32>, key: &[i32], by: u32) {
    *map.entry(key.to_vec()).or_insert(0) += by;
}

impl Accum {
    fn from(p: &StyleProfile) -> Accum {
        Accum {
            chords: to_map(&p.chords.grams),
            changes: to_map(&p.changes.grams),
            melody: to_map(&p.melody.grams),
            tables: [
                to_map(&p.chord_durations),
                to_map(&p.melody_intervals),
                to_map(&p.melody_durations),
                to_map(&p.bass_steps),
                to_map(&p.bass_bars),
                to_map(&p.bass_above_root),
                to_map(&p.tempo),
                to_map(&p.meters),
                to_map(&p.modes),
            ],
            grooves: p
                .grooves
                .iter()
                .map(|g| {
                    (
                        (g.beats, g.feel.clone()),
                        (
                            g.bars,
                            g.cells
                                .iter()
                                .map(|c| ((c.0, c.1), (c.2, c.3, c.4)))
                                .collect(),
                        ),
                    )
                })
                .collect(),
        }
    }

    fn add(&mut self, song: &Song, v: &Vocab) {
        let [cd, mi, md, bs, bb, ba, tempo, meters, modes] = &mut self.tables;
        let toks: Vec<u16> = song.chord_tokens.iter().map(|t| t.token as u16).collect();
        count_grams(&mut self.chords, &toks, MAX_ORDER);
        let mut changes: Vec<u16> = toks.clone();
        changes.dedup();
        changes.retain(|&t| t as usize != v.chord_nc());
        count_grams(&mut self.changes, &changes, CHANGE_ORDER);
        for t in &song.chord_tokens {
            bump(cd, &[t.bar16 as i32, t.pos16 as i32, t.duration as i32], 1);
        }
        let syms: Vec<u16> = song
            .melody
            .iter()
            .map(|m| m.degree.map_or(REST, u16::from))
            .collect();
        count_grams(&mut self.melody, &syms, MAX_ORDER);
        for m in &song.melody {
            if let Some(iv) = m.interval {
                bump(mi, &[iv.clamp(-24, 24)], 1);
            }
        }
        let bar16_of = |m: crate::theory::Meter| v.bar_steps(m).map_or(0, |b| b as i32);
        for m in &song.melody {
            bump(md, &[m.bar16 as i32, m.pos16 as i32, m.duration as i32], 1);
        }
        if !song.bass.is_empty() {
            for h in &song.bass {
                bump(bs, &[h.bar16 as i32, h.pos16 as i32], 1);
                if let Some(a) = h.above_root {
                    bump(ba, &[i32::from(a)], 1);
                }
            }
            for s in &song.sections {
                bump(bb, &[bar16_of(s.meter)], s.bars as u32);
            }
        }
        for (bpm, ticks) in &song.tempo {
            let quarters = ticks / crate::clip::TICKS_PER_QUARTER;
            if quarters > 0 {
                bump(tempo, &[bpm.round() as i32], quarters);
            }
        }
        for (m, n) in &song.meters {
            bump(
                meters,
                &[i32::from(m.numerator), i32::from(m.denominator)],
                *n as u32,
            );
        }
        for s in &song.sections {
            for (_, k) in &s.keys {
                bump(modes, &[i32::from(k.mode.is_minor())], 1);
            }
        }
        for d in &song.drums {
            let feel = match d.feel {
                crate::drums::grid::Feel::Straight => "straight",
                crate::drums::grid::Feel::Triplet => "triplet",
            };
            let g = self
                .grooves
                .entry((d.beats, feel.to_string()))
                .or_insert((0, BTreeMap::new()));
            g.0 += d.bars.len() as u32;
            for bar in &d.bars {
                for h in bar {
                    let c = g.1.entry((u16::from(h.slot), h.class)).or_insert((0, 0, 0));
                    c.0 += 1;
                    c.1 += u64::from(h.velocity);
                    c.2 += i64::from(h.offset);
                }
            }
        }
    }

    fn into_profile(self, p: &mut StyleProfile) {
        p.chords.grams = to_vec(&self.chords);
        p.changes.grams = to_vec(&self.changes);
        p.melody.grams = to_vec(&self.melody);
        let [cd, mi, md, bs, bb, ba, tempo, meters, modes] = &self.tables;
        p.chord_durations = to_vec(cd);
        p.melody_intervals = to_vec(mi);
        p.melody_durations = to_vec(md);
        p.bass_steps = to_vec(bs);
        p.bass_bars = to_vec(bb);
        p.bass_above_root = to_vec(ba);
        p.tempo = to_vec(tempo);
        p.meters = to_vec(meters);
        p.modes = to_vec(modes);
        p.grooves = self
            .grooves
            .into_iter()
            .map(|((beats, feel), (bars, cells))| Groove {
                beats,
                feel,
                bars,
                cells: cells
                    .into_iter()
                    .map(|((s, c), (h, v, o))| (s, c, h, v, o))
                    .collect(),
            })
            .collect();
    }
}
