//! MIDI import: a Standard MIDI File (bytes) into a [`Clip`] at [`TICKS_PER_QUARTER`], with the
//! file's first tempo, meter and key signature and one part per (track, channel) holding notes.
//! Malformed input is an [`ImportError`], never a panic.

use crate::clip::{Clip, Note, Part, PartKind, Provenance, TICKS_PER_QUARTER};
use crate::keydetect;
use crate::theory::{Key, Meter, Mode, PitchClass};
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};

/// Errors from importing a MIDI file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("not a readable MIDI file: {0}")]
    Parse(String),
    #[error("the header says 0 ticks per quarter note")]
    ZeroTicksPerQuarter,
    #[error("SMPTE timing with {subframes} ticks per frame cannot be converted")]
    Timecode { subframes: u8 },
}

/// Imported clips are cut at this many ticks (about 2.2 million quarter notes).
pub const MAX_TICKS: u32 = 1 << 30;

/// Tempo used when the file has none (and for SMPTE files before the first tempo).
const DEFAULT_BPM: f64 = 120.0;

/// Imports a Standard MIDI File. Tempo, meter and key come from the first such meta events
/// (tempo clamped to 20..=999 bpm; a missing key signature is detected from the notes, else C
/// major; an invalid meter becomes 4/4). Notes become one [`Part`] per track and channel, in file
/// order; channel 10 is drums, low parts bass, chordal parts keys, the rest melody. Note-ons
/// without a note-off end at the next note-on of that pitch or the end of the track; notes past
/// [`MAX_TICKS`] are dropped. `bars` is the notes' extent rounded up to whole bars (at least 1).
/// A file without notes imports as a clip without parts.
pub fn import(bytes: &[u8]) -> Result<Clip, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    check_smpte_rate(bytes)?;
    // midly returns errors for malformed files; the unwind guard is a last line of defence so a
    // parser bug can never take the host down with it.
    let smf = std::panic::catch_unwind(|| Smf::parse(bytes))
        .map_err(|_| ImportError::Parse("the MIDI parser failed on this file".into()))?
        .map_err(|e| ImportError::Parse(e.to_string()))?;

    // Conductor data: the first tempo, time signature and key signature anywhere in the file.
    let mut tempo_us: Option<u32> = None;
    let mut meter: Option<Meter> = None;
    let mut key_sig: Option<Key> = None;
    for track in &smf.tracks {
        for ev in track {
            if let TrackEventKind::Meta(m) = ev.kind {
                match m {
                    MetaMessage::Tempo(t) if tempo_us.is_none() && t.as_int() > 0 => {
                        tempo_us = Some(t.as_int())
                    }
                    MetaMessage::TimeSignature(n, d, _, _) if meter.is_none() => {
                        meter = (d <= 5)
                            .then(|| Meter::new(n, 1 << d).ok())
                            .flatten()
                            .or(Some(Meter::COMMON));
                    }
                    MetaMessage::KeySignature(sharps, minor) if key_sig.is_none() => {
                        key_sig = key_from_signature(sharps, minor)
                    }
                    _ => {}
                }
            }
        }
    }
    let bpm = tempo_us
        .map_or(DEFAULT_BPM, |us| 60_000_000.0 / us as f64)
        .clamp(20.0, 999.0);
    let meter = meter.unwrap_or(Meter::COMMON);
    let scale = TickScale::new(smf.header.timing, bpm)?;

    let mut parts = Vec::new();
    for (ti, track) in smf.tracks.iter().enumerate() {
        let mut name: Option<String> = None;
        // Open notes per channel and pitch: (start, velocity).
        let mut open: Vec<Option<(u64, u8)>> = vec![None; 16 * 128];
        let mut notes: Vec<Vec<Note>> = vec![Vec::new(); 16];
        let mut now: u64 = 0;
        for ev in track {
            now = now.saturating_add(ev.delta.as_int() as u64);
            match ev.kind {
                TrackEventKind::Meta(MetaMessage::TrackName(n)) if name.is_none() => {
                    let s = String::from_utf8_lossy(n).trim().to_string();
                    if !s.is_empty() {
                        name = Some(s);
                    }
                }
                TrackEventKind::Midi { channel, message } => {
                    let ch = channel.as_int() as usize;
                    let (key, on_vel) = match message {
                        MidiMessage::NoteOn { key, vel } => (key.as_int() as usize, vel.as_int()),
                        MidiMessage::NoteOff { key, .. } => (key.as_int() as usize, 0),
                        _ => continue,
                    };
                    let slot = ch * 128 + key;
                    if on_vel > 0 && open[slot].is_some_and(|(start, _)| start == now) {
                        continue; // a repeated note-on at the same tick: keep the first
                    }
                    if let Some((start, vel)) = open[slot].take() {
                        push_note(&mut notes[ch], &scale, start, now, key, vel);
                    }
                    if on_vel > 0 {
                        open[slot] = Some((now, on_vel));
                    }
                }
                _ => {}
            }
        }
        // Unterminated notes end with the track (or last a quarter note when that is no later).
        for (slot, o) in open.iter().enumerate() {
            if let Some((start, vel)) = *o {
                let end = if now > start {
                    now
                } else {
                    start.saturating_add(scale.quarter_source_ticks())
                };
                push_note(&mut notes[slot / 128], &scale, start, end, slot % 128, vel);
            }
        }
        let used: Vec<usize> = (0..16).filter(|&c| !notes[c].is_empty()).collect();
        for &ch in &used {
            let ns = std::mem::take(&mut notes[ch]);
            let kind = guess_kind(ch, &ns);
            let base = name.clone().unwrap_or_else(|| format!("track {}", ti + 1));
            let mut part = Part::new(kind, ns);
            part.name = if used.len() > 1 {
                format!("{base} ch{}", ch + 1)
            } else {
                base
            };
            part.channel = midly::num::u4::new(ch as u8);
            parts.push(part);
        }
    }

    let end = parts
        .iter()
        .flat_map(|p| p.notes.iter().map(|n| n.end()))
        .max()
        .unwrap_or(0);
    let bar = meter.bar_ticks(TICKS_PER_QUARTER).max(1);
    let bars = end.div_ceil(bar).max(1);
    let mut clip = Clip {
        tempo_bpm: bpm,
        meter,
        key: Key::new(PitchClass::C, Mode::Major),
        bars,
        chords: Vec::new(),
        parts,
        provenance: Provenance {
            program: crate::arrange::program(),
            engine: "import".into(),
            seed: 0,
            parameters: format!("format={:?} tracks={}", smf.header.format, smf.tracks.len()),
        },
        sections: Vec::new(),
    };
    let length = clip.length_ticks();
    for p in &mut clip.parts {
        p.normalize(length);
    }
    clip.key = key_sig
        .or_else(|| keydetect::detect_clip(&clip).map(|e| e.key))
        .unwrap_or(clip.key);
    Ok(clip)
}

/// Rejects an SMPTE header whose frame-rate byte is -128 (which the parser cannot negate).
fn check_smpte_rate(bytes: &[u8]) -> Result<(), ImportError> {
    let at = bytes.windows(4).take(64).position(|w| w == b"MThd");
    if let Some(i) = at {
        if bytes.get(i + 12) == Some(&0x80) {
            return Err(ImportError::Parse("invalid SMPTE frame rate".into()));
        }
    }
    Ok(())
}

/// The key a key-signature meta event names; None for sharps outside -7..=7.
pub fn key_from_signature(sharps: i8, minor: bool) -> Option<Key> {
    if !(-7..=7).contains(&sharps) {
        return None;
    }
    // Each sharp moves the major tonic up a fifth; the relative minor is a minor third below.
    let major = PitchClass::new(sharps as i32 * 7);
    Some(if minor {
        Key::new(major.transpose(-3), Mode::NaturalMinor)
    } else {
        Key::new(major, Mode::Major)
    })
}

/// Converts file ticks to clip ticks.
#[derive(Debug, Clone, Copy)]
enum TickScale {
    /// Source ticks per quarter note.
    Metrical(u64),
    /// Source ticks per second and the tempo used to turn seconds into beats.
    Timecode { per_second: f64, bpm: f64 },
}

impl TickScale {
    fn new(timing: Timing, bpm: f64) -> Result<TickScale, ImportError> {
        match timing {
            Timing::Metrical(tpq) if tpq.as_int() == 0 => Err(ImportError::ZeroTicksPerQuarter),
            Timing::Metrical(tpq) => Ok(TickScale::Metrical(tpq.as_int() as u64)),
            Timing::Timecode(_, 0) => Err(ImportError::Timecode { subframes: 0 }),
            Timing::Timecode(fps, sub) => Ok(TickScale::Timecode {
                per_second: fps.as_f32() as f64 * sub as f64,
                bpm,
            }),
        }
    }

    /// Clip ticks for `t` source ticks, saturating at [`MAX_TICKS`].
    fn convert(self, t: u64) -> u32 {
        let out = match self {
            TickScale::Metrical(tpq) => {
                let num = t as u128 * TICKS_PER_QUARTER as u128;
                ((num + tpq as u128 / 2) / tpq as u128).min(MAX_TICKS as u128) as u64
            }
            TickScale::Timecode { per_second, bpm } => {
                let q = t as f64 / per_second * bpm / 60.0 * TICKS_PER_QUARTER as f64;
                if q.is_finite() {
                    q.round().clamp(0.0, MAX_TICKS as f64) as u64
                } else {
                    MAX_TICKS as u64
                }
            }
        };
        out.min(MAX_TICKS as u64) as u32
    }

    /// Source ticks in one quarter note (at least 1).
    fn quarter_source_ticks(self) -> u64 {
        match self {
            TickScale::Metrical(tpq) => tpq.max(1),
            TickScale::Timecode { per_second, bpm } => {
                ((per_second * 60.0 / bpm).round() as u64).max(1)
            }
        }
    }
}

fn push_note(out: &mut Vec<Note>, scale: &TickScale, start: u64, end: u64, pitch: usize, vel: u8) {
    let s = scale.convert(start);
    let e = scale.convert(end);
    if s >= MAX_TICKS {
        return;
    }
    let e = e.clamp(s + 1, MAX_TICKS);
    out.push(Note::new(s, e - s, pitch as i32, vel as i32));
}

/// Guesses what a channel's notes play: drums on channel 10, bass when the median pitch is below
/// E3 (52), keys when most notes overlap another, else melody.
fn guess_kind(channel: usize, notes: &[Note]) -> PartKind {
    if channel == 9 {
        return PartKind::Drums;
    }
    let mut pitches: Vec<u8> = notes.iter().map(|n| n.pitch.as_int()).collect();
    pitches.sort_unstable();
    let median = pitches.get(pitches.len() / 2).copied().unwrap_or(60);
    if median < 52 {
        return PartKind::Bass;
    }
    let mut sorted: Vec<&Note> = notes.iter().collect();
    sorted.sort_by_key(|n| n.start);
    let mut overlapping = 0;
    let mut max_end = 0;
    for n in &sorted {
        if n.start < max_end {
            overlapping += 1;
        }
        max_end = max_end.max(n.end());
    }
    if overlapping * 2 > notes.len() {
        PartKind::Keys
    } else {
        PartKind::Melody
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smf;

    fn smf_bytes(tpq: u16, tracks: &[&[u8]]) -> Vec<u8> {
        let mut out = b"MThd".to_vec();
        out.extend_from_slice(&6u32.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&(tracks.len() as u16).to_be_bytes());
        out.extend_from_slice(&tpq.to_be_bytes());
        for t in tracks {
            out.extend_from_slice(b"MTrk");
            out.extend_from_slice(&(t.len() as u32).to_be_bytes());
            out.extend_from_slice(t);
        }
        out
    }

    #[test]
    fn round_trips_a_generated_clip() {
        let mut s = crate::arrange::Settings {
            source: crate::arrange::Source::Rules,
            bars: 4,
            ..Default::default()
        };
        s.meter = "3/4".parse().expect("meter");
        s.tempo_bpm = 96.0;
        s.key = "E minor".parse().expect("key");
        s.enable_only(&PartKind::ALL);
        let clip = crate::arrange::generate(&s).expect("arrangement").clip;
        let bytes = smf::write(&clip).expect("write");
        let back = import(&bytes).expect("import");
        assert_eq!(back.meter, clip.meter);
        assert_eq!(back.key, clip.key);
        assert_eq!(back.bars, clip.bars);
        assert!((back.tempo_bpm - 96.0).abs() < 0.01);
        assert_eq!(back.parts.len(), clip.parts.len());
        for (a, b) in clip.parts.iter().zip(&back.parts) {
            assert_eq!(a.notes, b.notes, "{}", a.name);
            assert_eq!(a.channel, b.channel);
            assert_eq!(a.name, b.name);
        }
        assert_eq!(
            back.part(PartKind::Drums).map(|p| p.channel.as_int()),
            Some(9)
        );
    }

    #[test]
    fn rescales_ticks_and_handles_running_status_and_hanging_notes() {
        // 96 TPQ; running status note-ons (velocity 0 = off); one note never released.
        let track: &[u8] = &[
            0x00, 0x90, 60, 100, // C on
            0x60, 60, 0, // +96: C off via running status
            0x00, 64, 90, // E on
            0x30, 64, 0, // +48: E off
            0x00, 67, 80, // G on, never off
            0x60, 0xFF, 0x2F, 0x00, // +96 end of track
        ];
        let clip = import(&smf_bytes(96, &[track])).expect("import");
        let notes = &clip.parts[0].notes;
        assert_eq!(notes.len(), 3);
        assert_eq!(
            (notes[0].start, notes[0].duration, notes[0].pitch.as_int()),
            (0, 480, 60)
        );
        assert_eq!((notes[1].start, notes[1].duration), (480, 240));
        assert_eq!(
            (notes[2].start, notes[2].duration, notes[2].pitch.as_int()),
            (720, 480, 67)
        );
        assert_eq!(clip.bars, 1);
        assert_eq!(clip.meter, Meter::COMMON);
        assert_eq!(clip.tempo_bpm, 120.0);
    }

    #[test]
    fn huge_deltas_are_clamped_not_overflowed() {
        // Maximum variable-length deltas (0x0FFFFFFF) repeated.
        let mut track = vec![0x00, 0x90, 60, 100];
        for _ in 0..8 {
            track.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0x7F, 0x90, 62, 100]);
        }
        track.extend_from_slice(&[0x00, 0xFF, 0x2F, 0x00]);
        let clip = import(&smf_bytes(1, &[&track])).expect("import");
        assert!(clip.length_ticks() <= MAX_TICKS + clip.bar_ticks());
        assert!(clip
            .parts
            .iter()
            .all(|p| p.notes.iter().all(|n| n.end() <= clip.length_ticks())));
    }

    #[test]
    fn smpte_timing_converts_through_tempo() {
        let mut bytes = smf_bytes(
            0,
            &[&[
                0x00, 0x90, 60, 100, 0x81, 0x48, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00,
            ]],
        );
        // 25 fps × 8 ticks per frame = 200 ticks per second; 200 ticks at 120 bpm = 2 quarters.
        bytes[12] = (-25i8) as u8;
        bytes[13] = 8;
        let clip = import(&bytes).expect("import");
        assert_eq!(clip.parts[0].notes[0].duration, 960);
        bytes[13] = 0;
        assert_eq!(import(&bytes), Err(ImportError::Timecode { subframes: 0 }));
    }

    #[test]
    fn malformed_files_are_errors() {
        assert_eq!(import(&[]), Err(ImportError::Empty));
        assert!(matches!(
            import(b"not a midi file"),
            Err(ImportError::Parse(_))
        ));
        assert!(matches!(
            import(&b"MThd\x00\x00\x00\x06\x00\x01"[..]),
            Err(ImportError::Parse(_))
        ));
        assert_eq!(
            import(&smf_bytes(0, &[&[0x00, 0xFF, 0x2F, 0x00]])),
            Err(ImportError::ZeroTicksPerQuarter)
        );
        // Truncated track data and garbage bytes never panic.
        let good = smf_bytes(
            480,
            &[&[
                0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00,
            ]],
        );
        for cut in 0..good.len() {
            let _ = import(&good[..cut]);
        }
        let mut x: u32 = 12345;
        for round in 0..3000 {
            let mut b = good.clone();
            if round % 3 == 0 {
                b.truncate(14 + round % 9);
            }
            for _ in 0..1 + round % 6 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let i = (x >> 8) as usize % b.len();
                if round % 5 == 0 {
                    b.push((x >> 16) as u8);
                } else {
                    b[i] = (x >> 16) as u8;
                }
            }
            let _ = import(&b);
        }
        // A file with no notes is a clip without parts.
        let empty = import(&smf_bytes(480, &[&[0x00, 0xFF, 0x2F, 0x00]])).expect("import");
        assert!(empty.parts.is_empty());
        assert_eq!(empty.bars, 1);
    }

    #[test]
    fn key_signatures() {
        assert_eq!(
            key_from_signature(0, false)
                .map(|k| k.to_string())
                .as_deref(),
            Some("C major")
        );
        assert_eq!(
            key_from_signature(-3, true)
                .map(|k| k.to_string())
                .as_deref(),
            Some("C minor")
        );
        assert_eq!(
            key_from_signature(4, false)
                .map(|k| k.to_string())
                .as_deref(),
            Some("E major")
        );
        assert_eq!(key_from_signature(8, false), None);
        for k in 0..12 {
            for mode in [Mode::Major, Mode::NaturalMinor] {
                let key = Key::new(PitchClass::new(k), mode);
                assert_eq!(key_from_signature(key.sharps(), mode.is_minor()), Some(key));
            }
        }
    }
}
