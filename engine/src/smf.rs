//! Writing clips as Standard MIDI Files (type 1): a conductor track with tempo, meter, key and
//! provenance, then one named track per part.

use crate::clip::{Clip, Part, TICKS_PER_QUARTER};
use midly::num::{u15, u24, u28, u4, u7};
use midly::{
    Format, Header, MetaMessage, MidiMessage, Smf, Timing, Track, TrackEvent, TrackEventKind,
};

/// Errors from writing a MIDI file.
#[derive(Debug, thiserror::Error)]
pub enum SmfError {
    #[error("could not encode the MIDI file: {0}")]
    Encode(#[from] std::io::Error),
    #[error("tempo {0} bpm cannot be written (must be 4..=60000000 bpm)")]
    Tempo(f64),
}

/// Microseconds per quarter note for a tempo, clamped to the 24-bit field.
pub fn tempo_micros(bpm: f64) -> Result<u24, SmfError> {
    if !(bpm.is_finite() && bpm > 3.58) {
        return Err(SmfError::Tempo(bpm));
    }
    let us = (60_000_000.0 / bpm).round() as u32;
    Ok(u24::new(us.clamp(1, 0xFF_FFFF)))
}

/// Which parts of a clip to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Only the part at this index in `clip.parts`.
    Part(usize),
}

/// Encodes the whole clip as SMF bytes. Same clip, same bytes.
pub fn write(clip: &Clip) -> Result<Vec<u8>, SmfError> {
    write_selection(clip, Selection::All)
}

/// Encodes the conductor track plus the selected parts; a song's sections become markers with
/// their provenance as text events.
pub fn write_selection(clip: &Clip, sel: Selection) -> Result<Vec<u8>, SmfError> {
    write_annotated(clip, sel, &clip.section_markers(), &clip.section_texts())
}

/// Like [`write_selection`], with extra marker events (e.g. section names, which DAWs show on
/// their timeline) and text events (e.g. per-section provenance) at the given ticks.
pub fn write_annotated(
    clip: &Clip,
    sel: Selection,
    markers: &[(u32, String)],
    texts: &[(u32, String)],
) -> Result<Vec<u8>, SmfError> {
    let header = Header::new(
        Format::Parallel,
        Timing::Metrical(u15::new(TICKS_PER_QUARTER as u16)),
    );
    let provenance = clip.provenance.to_text().into_bytes();
    let title = format!("Bandmate {} {}", clip.key, clip.meter).into_bytes();
    let chord_marks: Vec<(u32, Vec<u8>)> = clip
        .chords
        .iter()
        .map(|c| (c.start, c.chord.symbol_in(clip.key).into_bytes()))
        .collect();
    let names: Vec<Vec<u8>> = clip
        .parts
        .iter()
        .map(|p| p.name.clone().into_bytes())
        .collect();

    let mut tracks: Vec<Track> = Vec::new();
    let mut conductor: Vec<(u32, TrackEventKind)> = vec![
        (0, TrackEventKind::Meta(MetaMessage::TrackName(&title))),
        (0, TrackEventKind::Meta(MetaMessage::Text(&provenance))),
        (
            0,
            TrackEventKind::Meta(MetaMessage::Tempo(tempo_micros(clip.tempo_bpm)?)),
        ),
        (
            0,
            TrackEventKind::Meta(MetaMessage::TimeSignature(
                clip.meter.numerator,
                clip.meter.denominator.trailing_zeros() as u8,
                24,
                8,
            )),
        ),
        (
            0,
            TrackEventKind::Meta(MetaMessage::KeySignature(
                clip.key.sharps(),
                clip.key.mode.is_minor(),
            )),
        ),
    ];
    for (t, text) in markers {
        conductor.push((
            *t,
            TrackEventKind::Meta(MetaMessage::Marker(text.as_bytes())),
        ));
    }
    for (t, text) in texts {
        conductor.push((*t, TrackEventKind::Meta(MetaMessage::Text(text.as_bytes()))));
    }
    for (t, name) in &chord_marks {
        conductor.push((*t, TrackEventKind::Meta(MetaMessage::Marker(name))));
    }
    tracks.push(to_track(conductor, clip.length_ticks()));

    for (i, part) in clip.parts.iter().enumerate() {
        if let Selection::Part(only) = sel {
            if only != i {
                continue;
            }
        }
        let mut evs = vec![(0, TrackEventKind::Meta(MetaMessage::TrackName(&names[i])))];
        evs.extend(part_events(part));
        tracks.push(to_track(evs, clip.length_ticks()));
    }

    let smf = Smf { header, tracks };
    let mut out = Vec::new();
    smf.write_std(&mut out)?;
    Ok(out)
}

/// Note-on/off events of a part at absolute ticks; offs sort before ons at the same tick.
fn part_events(part: &Part) -> Vec<(u32, TrackEventKind<'static>)> {
    let ch: u4 = part.channel;
    let mut evs: Vec<(u32, u8, u8, TrackEventKind<'static>)> =
        Vec::with_capacity(part.notes.len() * 2);
    for n in &part.notes {
        evs.push((
            n.start,
            1,
            n.pitch.as_int(),
            TrackEventKind::Midi {
                channel: ch,
                message: MidiMessage::NoteOn {
                    key: n.pitch,
                    vel: n.velocity,
                },
            },
        ));
        evs.push((
            n.end(),
            0,
            n.pitch.as_int(),
            TrackEventKind::Midi {
                channel: ch,
                message: MidiMessage::NoteOff {
                    key: n.pitch,
                    vel: u7::new(64),
                },
            },
        ));
    }
    evs.sort_by_key(|(t, order, pitch, _)| (*t, *order, *pitch));
    evs.into_iter().map(|(t, _, _, k)| (t, k)).collect()
}

/// Converts absolute-tick events to a delta-timed track ending with End of Track at `end` (or later).
fn to_track(mut evs: Vec<(u32, TrackEventKind<'_>)>, end: u32) -> Track<'_> {
    // Stable sort keeps insertion order for events at the same tick.
    evs.sort_by_key(|(t, _)| *t);
    let mut track = Vec::with_capacity(evs.len() + 1);
    let mut now = 0u32;
    for (t, kind) in evs {
        track.push(TrackEvent {
            delta: u28::new(t.saturating_sub(now)),
            kind,
        });
        now = now.max(t);
    }
    track.push(TrackEvent {
        delta: u28::new(end.saturating_sub(now)),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    track
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clip::{Note, PartKind, Provenance};
    use crate::theory::{Key, Meter};

    fn clip() -> Clip {
        Clip {
            tempo_bpm: 93.0,
            meter: Meter::COMMON,
            key: "A minor".parse().expect("key"),
            bars: 2,
            chords: vec![],
            parts: vec![Part::new(
                PartKind::Bass,
                vec![
                    Note::new(0, 480, 45, 100),
                    Note::new(480, 480, 45, 100),
                    Note::new(960, 960, 52, 90),
                ],
            )],
            provenance: Provenance {
                program: "test".into(),
                engine: "rules".into(),
                seed: 7,
                parameters: "bars=2".into(),
            },
            sections: Vec::new(),
        }
    }

    #[test]
    fn writes_a_parseable_type1_file() {
        let bytes = write(&clip()).expect("write");
        let smf = Smf::parse(&bytes).expect("parse");
        assert_eq!(smf.header.format, Format::Parallel);
        assert_eq!(smf.tracks.len(), 2);
        let mut tempo = None;
        let mut text = None;
        let mut key = None;
        for e in &smf.tracks[0] {
            match e.kind {
                TrackEventKind::Meta(MetaMessage::Tempo(t)) => tempo = Some(t.as_int()),
                TrackEventKind::Meta(MetaMessage::Text(t)) => {
                    text = Some(String::from_utf8_lossy(t).to_string())
                }
                TrackEventKind::Meta(MetaMessage::KeySignature(s, m)) => key = Some((s, m)),
                _ => {}
            }
        }
        assert_eq!(tempo, Some(645_161));
        assert!(text.unwrap_or_default().contains("seed: 7"));
        assert_eq!(key, Some((0, true)));
        let mut ons = 0;
        let mut offs = 0;
        let mut t = 0u32;
        let mut last_off = 0;
        for e in &smf.tracks[1] {
            t += e.delta.as_int();
            match e.kind {
                TrackEventKind::Midi {
                    message: MidiMessage::NoteOn { .. },
                    channel,
                } => {
                    assert_eq!(channel.as_int(), 2);
                    ons += 1
                }
                TrackEventKind::Midi {
                    message: MidiMessage::NoteOff { .. },
                    ..
                } => {
                    offs += 1;
                    last_off = t
                }
                _ => {}
            }
        }
        assert_eq!((ons, offs, last_off), (3, 3, 1920));
        assert_eq!(t, 3840, "end of track at the clip length of two bars");
    }

    #[test]
    fn same_clip_same_bytes_and_bad_tempo_is_an_error() {
        assert_eq!(write(&clip()).expect("a"), write(&clip()).expect("b"));
        let mut c = clip();
        c.tempo_bpm = f64::NAN;
        assert!(matches!(write(&c), Err(SmfError::Tempo(_))));
        let _ = Key::new(crate::theory::PitchClass::C, crate::theory::Mode::Major);
    }
}
