//! One song analyzed into what a style profile counts: sections with their keys and meters, the
//! chord track (a chords/keys track when there is one, else recognized over all pitched tracks)
//! as chord-model tokens, the lead line as melody events, the bass line against the chords,
//! drum bars on the drum grid, and tempo spans.

use super::conductor::{Bar, Conductor};
use crate::chord::Chord;
use crate::clip::{Clip, Note, Part, PartKind, TICKS_PER_QUARTER};
use crate::drums::grid::{self, Feel, Hit};
use crate::keydetect;
use crate::model::tokens::Vocab;
use crate::recognize;
use crate::theory::{Key, Meter, PitchClass};

/// Grid step of every token: a 16th note.
const STEP: u32 = TICKS_PER_QUARTER / 4;
/// Bars per key-detection window.
const KEY_WINDOW_BARS: usize = 8;
/// Key estimates less confident than this keep the previous window's key.
const KEY_MIN_CONFIDENCE: f32 = 0.2;

/// A stretch of bars with one meter and (unless a marker says otherwise) no label.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub label: Option<String>,
    pub start_bar: usize,
    pub bars: usize,
    pub meter: Meter,
    /// Keys in force, (bar index, key), first at `start_bar`.
    pub keys: Vec<(usize, Key)>,
}

/// Where the chord track came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChordSource {
    /// A track named for chords or keys (its name).
    Track(String),
    /// Recognized over every pitched track.
    Recognized,
}

/// A chord-model event: token, duration index (steps - 1), start step in its bar, bar length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChordTok {
    pub token: usize,
    pub duration: usize,
    pub pos16: u32,
    pub bar16: u32,
}

/// A lead-line event: `degree` is semitones above the local tonic (None = rest), `interval` the
/// step from the previous sounding note (None for the first note and rests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MelodyEv {
    pub degree: Option<u8>,
    pub interval: Option<i32>,
    pub duration: usize,
    pub pos16: u32,
    pub bar16: u32,
}

/// A bass onset: step in its bar, bar length, semitones above the chord root, MIDI pitch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BassHit {
    pub pos16: u32,
    pub bar16: u32,
    pub above_root: Option<u8>,
    pub pitch: u8,
}

/// Drum bars of one section, quantized to the drum grid.
#[derive(Debug, Clone, PartialEq)]
pub struct DrumBars {
    pub beats: u32,
    pub feel: Feel,
    pub bars: Vec<Vec<Hit>>,
}

/// Everything learned from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Song {
    pub sections: Vec<Section>,
    pub chord_source: ChordSource,
    /// Chord spans (start tick, end tick, chord) as recognized or read.
    pub chords: Vec<(u32, u32, Chord)>,
    pub chord_tokens: Vec<ChordTok>,
    pub melody: Vec<MelodyEv>,
    pub bass: Vec<BassHit>,
    pub drums: Vec<DrumBars>,
    /// (bpm, ticks)
    pub tempo: Vec<(f64, u32)>,
    /// Bars of each meter.
    pub meters: Vec<(Meter, usize)>,
}

/// Analyzes an imported clip with its file's conductor data.
pub fn song(clip: &Clip, cond: &Conductor, v: &Vocab) -> Song {
    let end = clip.length_ticks();
    let bars = cond.bars(end);
    let sections = sections(clip, cond, &bars);
    let key_at_bar = key_per_bar(&sections, bars.len(), clip.key);
    let bar_of = |tick: u32| bars.partition_point(|b| b.start <= tick).saturating_sub(1);
    let key_at = |tick: u32| key_at_bar[bar_of(tick)];

    let pitched: Vec<&Part> = clip.parts.iter().filter(|p| !is_drums(p)).collect();
    let chord_part = pitched.iter().copied().find(|p| {
        let n = p.name.to_ascii_lowercase();
        p.kind == PartKind::Chords || n.contains("chord") || n.contains("keys")
    });
    let (chord_source, chord_notes): (ChordSource, Vec<&Note>) = match chord_part {
        Some(p) => (ChordSource::Track(p.name.clone()), p.notes.iter().collect()),
        None => (
            ChordSource::Recognized,
            pitched.iter().flat_map(|p| p.notes.iter()).collect(),
        ),
    };
    let chords = chord_spans(&chord_notes, &bars);
    let chord_at = |tick: u32| -> Option<Chord> {
        let i = chords.partition_point(|c| c.0 <= tick);
        (i > 0 && chords[i - 1].1 > tick).then(|| chords[i - 1].2)
    };

    let mut chord_tokens = Vec::new();
    for b in &bars {
        let Some(bar16) = v.bar_steps(b.meter) else {
            continue;
        };
        let mut run: Option<(usize, u32)> = None;
        for k in 0..bar16 {
            let t = b.start + k * STEP;
            let tok = chord_at(t).map_or(v.chord_nc(), |c| v.token_for_chord(&c, key_at(t)));
            match run {
                Some((rt, start))
                    if rt == tok && ((k - start) as usize) < v.chord_durations.len() => {}
                Some((rt, start)) => {
                    chord_tokens.push(ChordTok {
                        token: rt,
                        duration: (k - start - 1) as usize,
                        pos16: start,
                        bar16,
                    });
                    run = Some((tok, k));
                }
                None => run = Some((tok, k)),
            }
        }
        if let Some((rt, start)) = run {
            chord_tokens.push(ChordTok {
                token: rt,
                duration: (bar16 - start - 1) as usize,
                pos16: start,
                bar16,
            });
        }
    }

    let lead = pick(
        &pitched,
        &["melody", "lead", "vocal", "voice", "tune", "solo"],
        |p| {
            p.kind == PartKind::Melody
                && Some(p.name.as_str()) != chord_part.map(|c| c.name.as_str())
        },
    );
    let melody = lead.map_or_else(Vec::new, |p| {
        melody_events(&skyline(&p.notes, true), &bars, v, &key_at)
    });
    let bass_part = pick(&pitched, &["bass"], |p| p.kind == PartKind::Bass);
    let bass = bass_part.map_or_else(Vec::new, |p| {
        skyline(&p.notes, false)
            .iter()
            .filter_map(|n| {
                let t = round_step(n.start);
                let b = bars.get(bar_of(t))?;
                let bar16 = v.bar_steps(b.meter)?;
                let pos16 = ((t.saturating_sub(b.start)) / STEP).min(bar16 - 1);
                Some(BassHit {
                    pos16,
                    bar16,
                    above_root: chord_at(n.start).map(|c| {
                        c.root
                            .interval_to(PitchClass::new(i32::from(n.pitch.as_int())))
                    }),
                    pitch: n.pitch.as_int(),
                })
            })
            .collect()
    });
    let drums = drum_bars(clip, &sections, &bars);
    let mut meters: Vec<(Meter, usize)> = Vec::new();
    for b in &bars {
        match meters.iter_mut().find(|m| m.0 == b.meter) {
            Some(m) => m.1 += 1,
            None => meters.push((b.meter, 1)),
        }
    }
    Song {
        sections,
        chord_source,
        chords,
        chord_tokens,
        melody,
        bass,
        drums,
        tempo: cond.tempo_spans(end.max(1)),
        meters,
    }
}

fn is_drums(p: &Part) -> bool {
    p.kind == PartKind::Drums || p.channel.as_int() == 9
}

/// The part whose name contains one of `names`, else the busiest part `fallback` accepts.
fn pick<'a>(
    parts: &[&'a Part],
    names: &[&str],
    fallback: impl Fn(&Part) -> bool,
) -> Option<&'a Part> {
    parts
        .iter()
        .copied()
        .find(|p| {
            let n = p.name.to_ascii_lowercase();
            names.iter().any(|k| n.contains(k))
        })
        .or_else(|| {
            parts
                .iter()
                .copied()
                .filter(|p| fallback(p))
                .max_by_key(|p| p.notes.len())
        })
}

fn round_step(t: u32) -> u32 {
    (t + STEP / 2) / STEP * STEP
}

/// Sections split at markers (snapped to bars) and meter changes.
fn sections(clip: &Clip, cond: &Conductor, bars: &[Bar]) -> Vec<Section> {
    let bar_at = |tick: u32| bars.partition_point(|b| b.start + b.ticks() / 2 <= tick);
    let mut cuts: Vec<(usize, Option<String>)> = vec![(0, None)];
    for (t, text) in &cond.markers {
        let b = bar_at(*t);
        if b < bars.len() {
            cuts.push((b, Some(text.clone())));
        }
    }
    for i in 1..bars.len() {
        if bars[i].meter != bars[i - 1].meter {
            cuts.push((i, None));
        }
    }
    cuts.sort_by_key(|c| c.0);
    // One cut per bar; a label wins over a plain meter change.
    let mut merged: Vec<(usize, Option<String>)> = Vec::new();
    for c in cuts {
        match merged.last_mut() {
            Some(last) if last.0 == c.0 => {
                if c.1.is_some() {
                    last.1 = c.1;
                }
            }
            _ => merged.push(c),
        }
    }
    let mut out = Vec::new();
    for (i, (start, label)) in merged.iter().enumerate() {
        let end = merged.get(i + 1).map_or(bars.len(), |n| n.0);
        if end <= *start {
            continue;
        }
        let keys = section_keys(clip, cond, &bars[*start..end], *start);
        out.push(Section {
            label: label.clone(),
            start_bar: *start,
            bars: end - start,
            meter: bars[*start].meter,
            keys,
        });
    }
    out
}

/// Keys of a section: key signatures where the file has them, else detected per window of
/// [`KEY_WINDOW_BARS`] bars (a window with too little evidence keeps the previous key).
fn section_keys(clip: &Clip, cond: &Conductor, bars: &[Bar], first: usize) -> Vec<(usize, Key)> {
    let mut out: Vec<(usize, Key)> = Vec::new();
    let push = |out: &mut Vec<(usize, Key)>, bar: usize, key: Key| {
        if out.last().map(|k| k.1) != Some(key) {
            out.push((bar, key));
        }
    };
    if !cond.keys.is_empty() {
        for (i, b) in bars.iter().enumerate() {
            if let Some(k) = cond.key_at(b.start + b.ticks() / 2) {
                push(&mut out, first + i, k);
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    let mut last = clip.key;
    for (w, chunk) in bars.chunks(KEY_WINDOW_BARS).enumerate() {
        let (from, to) = (chunk[0].start, chunk[chunk.len() - 1].end());
        let notes = clip
            .parts
            .iter()
            .filter(|p| !is_drums(p))
            .flat_map(|p| p.notes.iter())
            .filter(|n| n.start < to && n.end() > from)
            .map(|n| (n.pitch.as_int(), n.end().min(to) - n.start.max(from)));
        if let Some(e) = keydetect::detect(notes) {
            if e.confidence >= KEY_MIN_CONFIDENCE || w == 0 {
                last = e.key;
            }
        }
        push(&mut out, first + w * KEY_WINDOW_BARS, last);
    }
    out
}

fn key_per_bar(sections: &[Section], n: usize, fallback: Key) -> Vec<Key> {
    let mut out = vec![fallback; n.max(1)];
    for s in sections {
        for (i, &(bar, key)) in s.keys.iter().enumerate() {
            let until = s
                .keys
                .get(i + 1)
                .map_or(s.start_bar + s.bars, |k| k.0)
                .min(out.len());
            for k in out.iter_mut().take(until).skip(bar) {
                *k = key;
            }
        }
    }
    out
}

/// Chord spans: one recognition per beat (weights = sounding ticks per pitch class, bass = the
/// lowest note sounding for at least a quarter of the beat); beats with a single pitch class keep
/// the chord before them; equal neighbours merge.
fn chord_spans(notes: &[&Note], bars: &[Bar]) -> Vec<(u32, u32, Chord)> {
    let mut sorted: Vec<&Note> = notes.to_vec();
    sorted.sort_by_key(|n| n.start);
    let longest = sorted.iter().map(|n| n.duration).max().unwrap_or(0);
    let mut out: Vec<(u32, u32, Chord)> = Vec::new();
    for b in bars {
        let beat = b.meter.beat_ticks(TICKS_PER_QUARTER).max(STEP);
        let mut t = b.start;
        while t < b.end() {
            let e = (t + beat).min(b.end());
            let lo = sorted.partition_point(|n| n.start + longest <= t);
            let mut w = [0f32; 12];
            let mut bass: Option<u8> = None;
            let mut any = false;
            for n in sorted[lo..].iter().take_while(|n| n.start < e) {
                if n.end() <= t {
                    continue;
                }
                let overlap = n.end().min(e) - n.start.max(t);
                any = true;
                w[(n.pitch.as_int() % 12) as usize] += overlap as f32;
                if overlap * 4 >= e - t && bass.is_none_or(|p| n.pitch.as_int() < p) {
                    bass = Some(n.pitch.as_int());
                }
            }
            let bass_pc = PitchClass::new(i32::from(bass.unwrap_or(0)));
            let chord = recognize::recognize_weighted(&w, bass_pc).map(|r| r.chord);
            match (chord, out.last_mut()) {
                (Some(c), Some(last)) if last.1 == t && same(&last.2, &c) => last.1 = e,
                (Some(c), _) => out.push((t, e, c)),
                (None, Some(last)) if any && last.1 == t => last.1 = e,
                (None, _) => {}
            }
            t = e;
        }
    }
    out
}

fn same(a: &Chord, b: &Chord) -> bool {
    a.root == b.root && a.quality == b.quality
}

/// The highest (or lowest) voice: at each onset the top (bottom) note wins, and a note is cut
/// where the next chosen one starts.
fn skyline(notes: &[Note], highest: bool) -> Vec<Note> {
    let mut sorted = notes.to_vec();
    sorted.sort_by_key(|n| {
        (
            n.start,
            if highest {
                127 - n.pitch.as_int()
            } else {
                n.pitch.as_int()
            },
        )
    });
    let mut out: Vec<Note> = Vec::new();
    for n in sorted {
        if let Some(last) = out.last_mut() {
            if last.start == n.start {
                continue;
            }
            if last.end() > n.start {
                let better = if highest {
                    n.pitch >= last.pitch
                } else {
                    n.pitch <= last.pitch
                };
                if !better {
                    continue;
                }
                last.duration = n.start - last.start;
            }
        }
        out.push(n);
    }
    out
}

fn melody_events(
    line: &[Note],
    bars: &[Bar],
    v: &Vocab,
    key_at: &impl Fn(u32) -> Key,
) -> Vec<MelodyEv> {
    let maxd = v.melody_durations.len() as u32;
    let bar_of = |step: u32| {
        let tick = step * STEP;
        let i = bars.partition_point(|b| b.start <= tick).saturating_sub(1);
        bars.get(i).map_or((0, 16), |b| {
            let bar16 = v.bar_steps(b.meter).unwrap_or(16);
            (step.saturating_sub(b.start / STEP).min(bar16 - 1), bar16)
        })
    };
    let mut out = Vec::new();
    let mut t = 0u32;
    let mut last_pitch: Option<i32> = None;
    let mut push = |out: &mut Vec<MelodyEv>, pitch: Option<i32>, from: u32, len: u32| {
        let mut left = len;
        let mut at = from;
        let mut first = true;
        while left > 0 {
            let d = left.min(maxd);
            let tonic = key_at(at * STEP).tonic.index() as i32;
            out.push(MelodyEv {
                degree: pitch.map(|p| (p - tonic).rem_euclid(12) as u8),
                interval: match (pitch, last_pitch) {
                    (Some(p), Some(l)) if first => Some(p - l),
                    (Some(_), _) if !first => Some(0),
                    _ => None,
                },
                duration: d as usize - 1,
                pos16: bar_of(at).0,
                bar16: bar_of(at).1,
            });
            first = false;
            left -= d;
            at += d;
        }
        if pitch.is_some() {
            last_pitch = pitch;
        }
    };
    for n in line {
        let s = (n.start + STEP / 2) / STEP;
        let e = ((n.end() + STEP / 2) / STEP).max(s + 1);
        if s < t {
            continue;
        }
        if s > t && t > 0 {
            push(&mut out, None, t, s - t);
        }
        push(&mut out, Some(i32::from(n.pitch.as_int())), s, e - s);
        t = e;
    }
    out
}

fn drum_bars(clip: &Clip, sections: &[Section], bars: &[Bar]) -> Vec<DrumBars> {
    let drum_notes: Vec<Note> = clip
        .parts
        .iter()
        .filter(|p| is_drums(p))
        .flat_map(|p| p.notes.iter().copied())
        .collect();
    if drum_notes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in sections {
        let ticks = s.meter.bar_ticks(TICKS_PER_QUARTER);
        if !ticks.is_multiple_of(TICKS_PER_QUARTER) {
            continue;
        }
        let from = bars[s.start_bar].start;
        let to = bars[s.start_bar + s.bars - 1].end();
        let onsets: Vec<grid::Onset> = grid::onsets_of(&drum_notes)
            .into_iter()
            .filter(|o| o.tick >= from && o.tick < to)
            .map(|o| grid::Onset {
                tick: o.tick - from,
                ..o
            })
            .collect();
        if onsets.is_empty() {
            continue;
        }
        let feel = grid::choose_feel(&onsets);
        let beats = ticks / TICKS_PER_QUARTER;
        let bars = grid::tokenize(&onsets, beats, feel);
        out.push(DrumBars { beats, feel, bars });
    }
    out
}
