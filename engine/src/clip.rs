//! A generated clip: a chord track plus named parts of notes, timed in integer ticks.

use crate::chord::{Chord, RomanChord};
use crate::song::Section;
use crate::theory::{Key, Meter};
use midly::num::{u4, u7};
use serde::{Deserialize, Serialize};

/// Ticks per quarter note used by every clip the engine makes.
pub const TICKS_PER_QUARTER: u32 = 480;

/// One note. `start` and `duration` are ticks at [`TICKS_PER_QUARTER`]; `duration` > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Note {
    pub start: u32,
    pub duration: u32,
    #[serde(with = "serde_u7")]
    pub pitch: u7,
    #[serde(with = "serde_u7")]
    pub velocity: u7,
}

impl Note {
    /// A note; pitch and velocity are clamped into 0..=127 and velocity 0 becomes 1.
    pub fn new(start: u32, duration: u32, pitch: i32, velocity: i32) -> Note {
        Note {
            start,
            duration: duration.max(1),
            pitch: u7::new(pitch.clamp(0, 127) as u8),
            velocity: u7::new(velocity.clamp(1, 127) as u8),
        }
    }

    /// Tick at which the note ends (exclusive).
    pub fn end(&self) -> u32 {
        self.start.saturating_add(self.duration)
    }
}

/// What a part plays; also decides its default channel and track name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PartKind {
    Chords,
    Melody,
    Bass,
    Keys,
    Drums,
}

impl PartKind {
    pub const ALL: [PartKind; 5] = [
        PartKind::Chords,
        PartKind::Melody,
        PartKind::Bass,
        PartKind::Keys,
        PartKind::Drums,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PartKind::Chords => "chords",
            PartKind::Melody => "melody",
            PartKind::Bass => "bass",
            PartKind::Keys => "keys",
            PartKind::Drums => "drums",
        }
    }

    /// Default MIDI channel (0-based; drums on General MIDI channel 10 = index 9).
    pub fn default_channel(self) -> u4 {
        u4::new(match self {
            PartKind::Chords => 0,
            PartKind::Melody => 1,
            PartKind::Bass => 2,
            PartKind::Keys => 3,
            PartKind::Drums => 9,
        })
    }

    pub fn parse(s: &str) -> Option<PartKind> {
        PartKind::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// A named track of notes on one channel, sorted by start then pitch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub kind: PartKind,
    pub name: String,
    #[serde(with = "serde_u4")]
    pub channel: u4,
    pub notes: Vec<Note>,
}

impl Part {
    pub fn new(kind: PartKind, notes: Vec<Note>) -> Part {
        let mut p = Part {
            kind,
            name: kind.name().to_string(),
            channel: kind.default_channel(),
            notes,
        };
        p.normalize(u32::MAX);
        p
    }

    /// Sorts notes, clips them to `length` ticks and removes same-pitch overlaps
    /// (an earlier note is shortened to end where the next one of its pitch starts).
    pub fn normalize(&mut self, length: u32) {
        self.notes.retain(|n| n.start < length && n.duration > 0);
        for n in &mut self.notes {
            n.duration = n.duration.min(length - n.start);
        }
        self.notes.sort_by_key(|n| (n.start, n.pitch, n.duration));
        self.notes.dedup_by_key(|n| (n.start, n.pitch));
        let mut last_by_pitch: [Option<usize>; 128] = [None; 128];
        for i in 0..self.notes.len() {
            let p = self.notes[i].pitch.as_int() as usize;
            if let Some(j) = last_by_pitch[p] {
                let start = self.notes[i].start;
                if self.notes[j].end() > start {
                    self.notes[j].duration = start - self.notes[j].start;
                }
            }
            last_by_pitch[p] = Some(i);
        }
        self.notes.retain(|n| n.duration > 0);
    }
}

/// A chord of the chord track, in ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChordEvent {
    pub start: u32,
    pub duration: u32,
    pub chord: Chord,
    pub roman: Option<RomanChord>,
}

impl ChordEvent {
    pub fn end(&self) -> u32 {
        self.start + self.duration
    }
}

/// How a clip was made: written into every exported file as a text meta event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// Program and version, e.g. "bandmate 0.1.0".
    pub program: String,
    /// What made each part, e.g. "chords=model:bandmate-chords@1 bass=rules".
    pub engine: String,
    pub seed: u64,
    /// The settings, as `key=value` pairs separated by spaces.
    pub parameters: String,
}

impl Provenance {
    pub fn to_text(&self) -> String {
        format!(
            "made with {}; engine: {}; seed: {}; parameters: {}",
            self.program, self.engine, self.seed, self.parameters
        )
    }
}

/// A generated (or imported) clip. Length is `bars` bars of `meter`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    pub tempo_bpm: f64,
    pub meter: Meter,
    pub key: Key,
    pub bars: u32,
    pub chords: Vec<ChordEvent>,
    pub parts: Vec<Part>,
    pub provenance: Provenance,
    /// The song's sections in order (empty for a loop).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

impl Clip {
    pub fn bar_ticks(&self) -> u32 {
        self.meter.bar_ticks(TICKS_PER_QUARTER)
    }

    /// Length in ticks (whole bars).
    pub fn length_ticks(&self) -> u32 {
        self.bar_ticks().saturating_mul(self.bars)
    }

    /// Length in quarter notes.
    pub fn length_quarters(&self) -> f64 {
        self.length_ticks() as f64 / TICKS_PER_QUARTER as f64
    }

    pub fn part(&self, kind: PartKind) -> Option<&Part> {
        self.parts.iter().find(|p| p.kind == kind)
    }

    /// Replaces the part of the same kind, or adds it, keeping parts ordered by kind.
    pub fn set_part(&mut self, part: Part) {
        self.parts.retain(|p| p.kind != part.kind);
        self.parts.push(part);
        self.parts.sort_by_key(|p| p.kind);
    }

    /// The chord sounding at `tick`, if any.
    pub fn chord_at(&self, tick: u32) -> Option<&ChordEvent> {
        self.chords
            .iter()
            .find(|c| c.start <= tick && tick < c.end())
    }

    /// Chord names in order, spelled for the clip's key.
    pub fn chord_names(&self) -> Vec<String> {
        self.chords
            .iter()
            .map(|c| c.chord.symbol_in(self.key))
            .collect()
    }

    pub fn note_count(&self) -> usize {
        self.parts.iter().map(|p| p.notes.len()).sum()
    }

    /// `(tick, label)` at each section start, e.g. `(7680, "Chorus 1")`.
    pub fn section_markers(&self) -> Vec<(u32, String)> {
        let bar = self.bar_ticks();
        self.sections
            .iter()
            .map(|s| (s.start_bar.saturating_mul(bar), s.label.clone()))
            .collect()
    }

    /// `(tick, provenance)` at each section start.
    pub fn section_texts(&self) -> Vec<(u32, String)> {
        let bar = self.bar_ticks();
        self.sections
            .iter()
            .map(|s| (s.start_bar.saturating_mul(bar), s.provenance.clone()))
            .collect()
    }

    /// The section at `index` as a clip of its own: its bars of the chord track and every part
    /// (notes that start inside it, cut at its end), starting at tick 0; `None` past the end.
    pub fn section_clip(&self, index: usize) -> Option<Clip> {
        let sec = self.sections.get(index)?;
        let bar = self.bar_ticks();
        let (from, to) = (
            sec.start_bar.saturating_mul(bar),
            sec.end_bar().min(self.bars).saturating_mul(bar),
        );
        let chords = self
            .chords
            .iter()
            .filter(|c| c.start < to && c.end() > from)
            .map(|c| {
                let start = c.start.max(from);
                ChordEvent {
                    start: start - from,
                    duration: c.end().min(to) - start,
                    ..*c
                }
            })
            .collect();
        let parts = self
            .parts
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.notes = p
                    .notes
                    .iter()
                    .filter(|n| n.start >= from && n.start < to)
                    .map(|n| {
                        let mut n = *n;
                        n.start -= from;
                        n.duration = n.duration.min(to - (n.start + from)).max(1);
                        n
                    })
                    .collect();
                p
            })
            .collect();
        let mut provenance = self.provenance.clone();
        provenance.engine = format!("{} section={}", provenance.engine, sec.label);
        Some(Clip {
            tempo_bpm: self.tempo_bpm,
            meter: self.meter,
            key: self.key,
            bars: to.saturating_sub(from) / bar.max(1),
            chords,
            parts,
            provenance,
            sections: vec![Section {
                start_bar: 0,
                ..sec.clone()
            }],
        })
    }
}

mod serde_u7 {
    use midly::num::u7;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &u7, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(v.as_int())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u7, D::Error> {
        let v = u8::deserialize(d)?;
        u7::try_from(v).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a 7-bit value")))
    }
}

mod serde_u4 {
    use midly::num::u4;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &u4, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(v.as_int())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u4, D::Error> {
        let v = u8::deserialize(d)?;
        u4::try_from(v)
            .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a MIDI channel")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_removes_same_pitch_overlaps() {
        let mut p = Part::new(
            PartKind::Keys,
            vec![
                Note::new(0, 480, 60, 90),
                Note::new(240, 480, 60, 90),
                Note::new(0, 480, 64, 90),
                Note::new(900, 480, 67, 90),
            ],
        );
        p.normalize(960);
        assert_eq!(p.notes[0], Note::new(0, 240, 60, 90));
        assert_eq!(p.notes.last().map(|n| n.end()), Some(960));
        for w in p.notes.windows(2) {
            assert!(w[0].start <= w[1].start);
        }
    }
}
