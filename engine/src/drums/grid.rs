//! The drum model's tokens: a performance as bars of hits on a grid of six slots per quarter note
//! (16ths and 8th triplets), each hit an instrument class, a velocity and a timing offset in ticks.
//! Same rules as `models/train/drums_extract.py` (the nine-class GM mapping of the Groove MIDI
//! Dataset paper).

use crate::clip::{Note, TICKS_PER_QUARTER};
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};

/// Slots per quarter note, and their tick positions at 480 ppq.
pub const SLOTS_PER_BEAT: usize = 6;
pub const SLOT_TICKS: [u32; SLOTS_PER_BEAT] = [0, 120, 160, 240, 320, 360];
/// Slots of one model bar (four quarters).
pub const BAR_SLOTS: usize = 24;
/// Instrument classes, in model order, with the GM key each is written as.
pub const CLASSES: [(&str, u8); 9] = [
    ("kick", 36),
    ("snare", 38),
    ("closed_hat", 42),
    ("open_hat", 46),
    ("low_tom", 43),
    ("mid_tom", 47),
    ("high_tom", 50),
    ("crash", 49),
    ("ride", 51),
];
pub const NCLASS: usize = CLASSES.len();
/// Longest drum note written, in ticks.
pub const HIT_TICKS: u32 = 60;

/// The class of a GM percussion key, None for keys outside the nine classes (cowbell, claves ...).
pub fn class_of(key: u8) -> Option<usize> {
    Some(match key {
        35 | 36 => 0,
        37 | 38 | 40 => 1,
        22 | 42 | 44 => 2,
        26 | 46 => 3,
        41 | 43 | 58 => 4,
        45 | 47 => 5,
        48 | 50 => 6,
        49 | 52 | 55 | 57 => 7,
        51 | 53 | 59 => 8,
        _ => return None,
    })
}

/// Which grid a performance is quantized to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feel {
    /// 16ths: slots 0, 1, 3, 5 of each beat.
    Straight,
    /// 8th triplets: slots 0, 2, 4 of each beat.
    Triplet,
}

impl Feel {
    pub fn slots(self) -> &'static [usize] {
        match self {
            Feel::Straight => &[0, 1, 3, 5],
            Feel::Triplet => &[0, 2, 4],
        }
    }

    pub fn index(self) -> i64 {
        match self {
            Feel::Straight => 0,
            Feel::Triplet => 1,
        }
    }

    pub fn parse(s: &str) -> Option<Feel> {
        match s {
            "straight" => Some(Feel::Straight),
            "triplet" => Some(Feel::Triplet),
            _ => None,
        }
    }

    /// Largest offset a hit keeps on this grid (half the smallest slot distance).
    pub fn max_offset(self) -> i32 {
        match self {
            Feel::Straight => 60,
            Feel::Triplet => 80,
        }
    }

    pub fn has_slot(self, slot: usize) -> bool {
        self.slots().contains(&(slot % SLOTS_PER_BEAT))
    }
}

/// One hit of a bar. `slot` is 0..beats*6, `offset` the ticks from the slot (signed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hit {
    pub slot: u8,
    pub class: u8,
    pub velocity: u8,
    pub offset: i16,
}

/// A note-on of a performance: tick at 480 ppq, GM key, velocity 1..=127.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Onset {
    pub tick: u32,
    pub key: u8,
    pub velocity: u8,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("not a MIDI file: {0}")]
    Parse(String),
    #[error("timecode timing is not supported (need ticks per quarter)")]
    Timecode,
}

/// Every note-on (velocity > 0) of a Standard MIDI File on any channel, rescaled to 480 ppq,
/// sorted by tick.
pub fn read_onsets(bytes: &[u8]) -> Result<Vec<Onset>, GridError> {
    let smf = Smf::parse(bytes).map_err(|e| GridError::Parse(e.to_string()))?;
    let ppq = match smf.header.timing {
        Timing::Metrical(t) => t.as_int().max(1) as u64,
        Timing::Timecode(..) => return Err(GridError::Timecode),
    };
    let mut out = Vec::new();
    for track in &smf.tracks {
        let mut t = 0u64;
        for ev in track {
            t += ev.delta.as_int() as u64;
            if let TrackEventKind::Midi {
                message: MidiMessage::NoteOn { key, vel },
                ..
            } = ev.kind
            {
                if vel.as_int() > 0 {
                    let tick = (t * TICKS_PER_QUARTER as u64 + ppq / 2) / ppq;
                    out.push(Onset {
                        tick: tick.min(u32::MAX as u64) as u32,
                        key: key.as_int(),
                        velocity: vel.as_int(),
                    });
                }
            }
            if let TrackEventKind::Meta(MetaMessage::EndOfTrack) = ev.kind {
                break;
            }
        }
    }
    out.sort_by_key(|o| (o.tick, o.key));
    Ok(out)
}

/// The nearest grid point of `feel` to `tick`: (beat, slot in beat, offset in ticks).
pub fn nearest(tick: u32, feel: Feel) -> (u32, usize, i32) {
    let beat = tick / TICKS_PER_QUARTER;
    let r = (tick % TICKS_PER_QUARTER) as i32;
    let mut best = (beat + 1, 0usize, r - TICKS_PER_QUARTER as i32);
    for &s in feel.slots().iter().rev() {
        let d = r - SLOT_TICKS[s] as i32;
        if d.abs() <= best.2.abs() {
            best = (beat, s, d);
        }
    }
    best
}

/// The grid with the smaller mean quantization error (triplets must be clearly better).
pub fn choose_feel(onsets: &[Onset]) -> Feel {
    let err = |f: Feel| -> f64 {
        let n = onsets.len().max(1) as f64;
        onsets
            .iter()
            .map(|o| nearest(o.tick, f).2.unsigned_abs() as f64)
            .sum::<f64>()
            / n
    };
    if err(Feel::Triplet) < 0.8 * err(Feel::Straight) {
        Feel::Triplet
    } else {
        Feel::Straight
    }
}

/// Bars of hits (sorted by slot, class) for bars of `beats` quarters; one hit per slot and class
/// (the loudest). Onsets outside the nine classes are dropped.
pub fn tokenize(onsets: &[Onset], beats: u32, feel: Feel) -> Vec<Vec<Hit>> {
    let beats = beats.max(1);
    let mut bars: Vec<Vec<Hit>> = Vec::new();
    for o in onsets {
        let Some(c) = class_of(o.key) else { continue };
        let (beat, s, off) = nearest(o.tick, feel);
        let bar = (beat / beats) as usize;
        let slot = ((beat % beats) as usize * SLOTS_PER_BEAT + s) as u8;
        if bars.len() <= bar {
            bars.resize(bar + 1, Vec::new());
        }
        let hit = Hit {
            slot,
            class: c as u8,
            velocity: o.velocity.clamp(1, 127),
            offset: off as i16,
        };
        match bars[bar]
            .iter_mut()
            .find(|h| h.slot == slot && h.class == c as u8)
        {
            Some(h) if h.velocity < hit.velocity => *h = hit,
            Some(_) => {}
            None => bars[bar].push(hit),
        }
    }
    for b in &mut bars {
        b.sort();
    }
    bars
}

/// Notes for bars of hits, bar `i` starting at `i * beats * 480`. A hit's offset is clamped so it
/// stays inside its bar (never before 0); each note ends by the end of its bar.
pub fn render(bars: &[Vec<Hit>], beats: u32) -> Vec<Note> {
    let bar_ticks = beats.max(1) * TICKS_PER_QUARTER;
    let mut out = Vec::new();
    for (i, bar) in bars.iter().enumerate() {
        let start = i as u32 * bar_ticks;
        let end = start + bar_ticks;
        for h in bar {
            let Some(&(_, key)) = CLASSES.get(h.class as usize) else {
                continue;
            };
            let slot = h.slot as u32;
            let grid = start
                + (slot / SLOTS_PER_BEAT as u32) * TICKS_PER_QUARTER
                + SLOT_TICKS[slot as usize % SLOTS_PER_BEAT];
            let t = (grid as i64 + h.offset as i64).clamp(start as i64, end as i64 - 1) as u32;
            out.push(Note::new(
                t,
                HIT_TICKS.min(end - t),
                key as i32,
                h.velocity as i32,
            ));
        }
    }
    out.sort_by_key(|n| (n.start, n.pitch));
    out
}

/// Onsets of notes (start, pitch, velocity), for tokenizing generated or imported parts.
pub fn onsets_of(notes: &[Note]) -> Vec<Onset> {
    let mut v: Vec<Onset> = notes
        .iter()
        .map(|n| Onset {
            tick: n.start,
            key: n.pitch.as_int(),
            velocity: n.velocity.as_int(),
        })
        .collect();
    v.sort_by_key(|o| (o.tick, o.key));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_picks_grid_points() {
        assert_eq!(nearest(0, Feel::Straight), (0, 0, 0));
        assert_eq!(nearest(130, Feel::Straight), (0, 1, 10));
        assert_eq!(nearest(470, Feel::Straight), (1, 0, -10));
        assert_eq!(nearest(330, Feel::Triplet), (0, 4, 10));
        assert_eq!(nearest(250, Feel::Triplet), (0, 4, -70));
        assert_eq!(
            nearest(60, Feel::Straight),
            (0, 0, 60),
            "ties go to the earlier slot"
        );
    }

    #[test]
    fn render_keeps_hits_in_their_bar() {
        let bars = vec![
            vec![Hit {
                slot: 0,
                class: 0,
                velocity: 100,
                offset: -40,
            }],
            vec![Hit {
                slot: 23,
                class: 2,
                velocity: 50,
                offset: 79,
            }],
        ];
        let notes = render(&bars, 4);
        assert_eq!(notes[0].start, 0);
        assert!(notes[1].start < 3840 && notes[1].end() <= 3840);
    }
}
