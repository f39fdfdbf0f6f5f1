//! Answers and continuations by the melody model v2: the model is primed on the phrase before
//! the boundary (the player's call, or the band's last phrase) and continues it for one phrase
//! over the band's chords; only the continuation is kept, starting on the boundary and snapped
//! to the key. Several samples are drawn; an answer takes the call's rhythm for its first half
//! ([`echo_rhythm`]) and keeps the sample most related to the call ([`relation`]); a
//! continuation offers the calmest and the busiest as its two candidates.

use super::{material, LiveSettings, ResponseNote, SIXTEENTH};
use crate::arrange::{melody_range, temperature};
use crate::clip::{ChordEvent, Note, PartKind};
use crate::model::{self, ModelError};
use crate::scale;
use crate::theory::Key;
use midly::num::u7;

/// Model samples drawn per phrase.
pub const SAMPLES: u64 = 3;

/// How an answer relates to its call, each 0..1: `rhythm` is the overlap (Jaccard) of their
/// onsets on the 16th grid within the phrase; `contour` the share of agreeing steps (up, down
/// or repeat) between successive notes, over the shorter line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Relation {
    pub rhythm: f32,
    pub contour: f32,
}

impl Relation {
    pub fn score(self) -> f32 {
        self.rhythm + self.contour
    }
}

/// The relation of `answer` to `call` (start, pitch), each relative to its own phrase start,
/// phrases `phrase` ticks long.
pub fn relation(call: &[(u32, i32)], answer: &[(u32, i32)], phrase: u32) -> Relation {
    let grid = |v: &[(u32, i32)]| -> Vec<u32> {
        let mut g: Vec<u32> = v
            .iter()
            .map(|n| ((n.0 + SIXTEENTH / 2) / SIXTEENTH).min(phrase / SIXTEENTH))
            .collect();
        g.dedup();
        g
    };
    let (a, b) = (grid(call), grid(answer));
    let both = a.iter().filter(|x| b.contains(x)).count();
    let either = a.len() + b.len() - both;
    let rhythm = if either == 0 {
        0.0
    } else {
        both as f32 / either as f32
    };
    let steps = |v: &[(u32, i32)]| -> Vec<i32> {
        v.windows(2).map(|w| (w[1].1 - w[0].1).signum()).collect()
    };
    let (x, y) = (steps(call), steps(answer));
    let n = x.len().min(y.len());
    let contour = if n == 0 {
        0.0
    } else {
        x.iter().zip(&y).filter(|(p, q)| p == q).count() as f32 / n as f32
    };
    Relation { rhythm, contour }
}

/// Samples of one phrase from `at` continuing `prime` (notes of the phrase before `at`, in
/// live ticks) over `harmony`, seeds `seed..seed + SAMPLES`.
pub fn samples(
    prime: &[(u32, u32, u8, u8)],
    s: &LiveSettings,
    key: Key,
    harmony: &[ChordEvent],
    at: u32,
    seed: u64,
) -> Result<Vec<Vec<ResponseNote>>, ModelError> {
    let p = s.phrase_ticks();
    let bar = s.bar_ticks();
    let origin = at.saturating_sub(p);
    let chords = material::window(harmony, bar, origin / bar, at / bar + s.phrase_bars);
    // One line: the top note of each onset, each ending by the next.
    let mut line: Vec<Note> = Vec::new();
    for &(t, d, k, v) in prime.iter().filter(|n| n.0 >= origin && n.0 < at) {
        let start = t - origin;
        match line.last_mut() {
            Some(last) if last.start == start => {
                if k > last.pitch.as_int() {
                    *last = Note::new(start, d, i32::from(k), i32::from(v));
                }
            }
            _ => line.push(Note::new(start, d, i32::from(k), i32::from(v))),
        }
    }
    for i in 1..line.len() {
        let next = line[i].start;
        let n = &mut line[i - 1];
        n.duration = n.duration.min(next - n.start).max(1);
    }
    let (low, high) = melody_range(0);
    let mut out = Vec::new();
    for i in 0..SAMPLES {
        let req = model::MelodyRequest {
            key,
            meter: s.meter,
            bars: 2 * s.phrase_bars,
            chords: &chords,
            low: u7::new(low),
            high: u7::new(high),
            temperature: temperature(0.4),
            top_p: 0.95,
            seed: seed.wrapping_add(i),
            prime: &line,
        };
        let notes = model::melody::generate(&req, model::melody::MelodyCond::default(), None)?;
        out.push(place(&notes, key, origin, at, p));
    }
    Ok(out)
}

/// The generated notes from `p` on (relative to `origin`), in live ticks from `at`: the first
/// starts on the boundary, pitches snapped to the key, nothing past the phrase.
fn place(notes: &[Note], key: Key, origin: u32, at: u32, p: u32) -> Vec<ResponseNote> {
    let mask = key.scale_mask();
    let mut v: Vec<ResponseNote> = notes
        .iter()
        .filter(|n| n.start >= p && n.start < 2 * p)
        .map(|n| {
            let pitch = scale::snap(mask, i32::from(n.pitch.as_int()));
            let start = origin + n.start;
            let duration = n.duration.min(2 * p - n.start).max(1);
            ResponseNote {
                part: PartKind::Melody,
                note: Note::new(start, duration, pitch, i32::from(n.velocity.as_int())),
            }
        })
        .collect();
    if let Some(first) = v.first_mut() {
        let late = first.note.start - at;
        first.note.start = at;
        first.note.duration += late;
    }
    v
}

/// `sample` (an answer from `at`, phrases `p` ticks) with its first half re-timed to the call's
/// rhythm: the call's onsets and lengths one phrase later, each with the pitch the sample sounds
/// there; the second half is the sample's own. Answer and call start alike and end apart. The
/// first note starts on the boundary; a call with no notes in its first half leaves `sample`.
pub fn echo_rhythm(
    call: &[(u32, u32, u8, u8)],
    sample: &[ResponseNote],
    at: u32,
    p: u32,
) -> Vec<ResponseNote> {
    let origin = at.saturating_sub(p);
    let half = at + p / 2;
    let Some(first) = sample.first() else {
        return Vec::new();
    };
    let pitch_at = |t: u32| {
        sample
            .iter()
            .rev()
            .find(|n| n.note.start <= t)
            .unwrap_or(first)
            .note
            .pitch
    };
    let mut onsets: Vec<(u32, u32)> = call
        .iter()
        .filter(|n| n.0 >= origin && n.0 + p < half)
        .map(|n| (n.0 + p, n.1))
        .collect();
    onsets.sort_unstable();
    onsets.dedup_by_key(|o| o.0);
    if onsets.is_empty() {
        return sample.to_vec();
    }
    let mut out: Vec<ResponseNote> = onsets
        .iter()
        .enumerate()
        .map(|(i, &(t, d))| {
            let next = onsets.get(i + 1).map_or(half, |o| o.0);
            ResponseNote {
                part: PartKind::Melody,
                note: Note {
                    start: t,
                    duration: d.min(next - t).max(1),
                    pitch: pitch_at(t),
                    velocity: first.note.velocity,
                },
            }
        })
        .collect();
    if let Some(f) = out.first_mut() {
        f.note.duration += f.note.start - at;
        f.note.start = at;
    }
    out.extend(sample.iter().filter(|n| n.note.start >= half).cloned());
    out
}

/// The sample most related to the call (ties: the first), each with its first half re-timed to
/// the call's rhythm ([`echo_rhythm`]).
pub fn most_related(
    call: &[(u32, u32, u8, u8)],
    samples: Vec<Vec<ResponseNote>>,
    at: u32,
    p: u32,
) -> Vec<ResponseNote> {
    let origin = at.saturating_sub(p);
    let c: Vec<(u32, i32)> = call
        .iter()
        .map(|n| (n.0.saturating_sub(origin), i32::from(n.2)))
        .collect();
    let score = |v: &Vec<ResponseNote>| {
        let a: Vec<(u32, i32)> = v
            .iter()
            .map(|n| (n.note.start - at, i32::from(n.note.pitch.as_int())))
            .collect();
        relation(&c, &a, p).score()
    };
    let mut best: Option<(f32, Vec<ResponseNote>)> = None;
    for v in samples {
        let v = echo_rhythm(call, &v, at, p);
        let sc = score(&v);
        if best.as_ref().is_none_or(|b| sc > b.0) {
            best = Some((sc, v));
        }
    }
    best.map(|b| b.1).unwrap_or_default()
}

/// The calmest and the busiest sample (fewest and most notes; ties: the earlier).
pub fn calm_and_busy(samples: Vec<Vec<ResponseNote>>) -> (Vec<ResponseNote>, Vec<ResponseNote>) {
    let lo = (0..samples.len()).min_by_key(|i| samples[*i].len());
    let hi = (0..samples.len()).rev().max_by_key(|i| samples[*i].len());
    let get = |i: Option<usize>| i.and_then(|i| samples.get(i)).cloned().unwrap_or_default();
    (get(lo), get(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn melody(notes: &[(u32, u32, i32)]) -> Vec<ResponseNote> {
        notes
            .iter()
            .map(|&(t, d, k)| ResponseNote {
                part: PartKind::Melody,
                note: Note::new(t, d, k, 90),
            })
            .collect()
    }

    #[test]
    fn an_echoed_answer_opens_with_the_calls_rhythm_and_ends_its_own_way() {
        // A one-bar call (1920 ticks) from 0; the answer phrase starts at 1920.
        let call = [(240, 240, 60, 80), (480, 480, 62, 80), (1200, 240, 64, 80)];
        let sample = melody(&[
            (1920, 480, 67),
            (2400, 240, 65),
            (2640, 600, 64),
            (3000, 120, 62),
            (3360, 480, 60),
        ]);
        let v = echo_rhythm(&call, &sample, 1920, 1920);
        let got: Vec<(u32, u32, u8)> = v
            .iter()
            .map(|n| (n.note.start, n.note.duration, n.note.pitch.as_int()))
            .collect();
        // First half (1920..2880): the call's onsets 240 and 480 a phrase on, the first moved to
        // the boundary; pitches the sample sounds there. Second half: the sample's own notes.
        assert_eq!(
            got,
            vec![
                (1920, 480, 67),
                (2400, 480, 65),
                (3000, 120, 62),
                (3360, 480, 60)
            ]
        );
        let rel = |a: &[ResponseNote]| {
            let c: Vec<(u32, i32)> = call.iter().map(|n| (n.0, i32::from(n.2))).collect();
            let b: Vec<(u32, i32)> = a
                .iter()
                .map(|n| (n.note.start - 1920, i32::from(n.note.pitch.as_int())))
                .collect();
            relation(&c, &b, 1920).rhythm
        };
        assert!(rel(&v) >= rel(&sample), "{} vs {}", rel(&v), rel(&sample));
        assert_eq!(echo_rhythm(&[], &sample, 1920, 1920), sample);
    }

    #[test]
    fn relation_measures_shared_onsets_and_steps() {
        let call = [(0, 60), (240, 62), (480, 64), (960, 60)];
        assert_eq!(
            relation(&call, &call, 1920),
            Relation {
                rhythm: 1.0,
                contour: 1.0
            }
        );
        let other = [(120, 67), (360, 65), (600, 64)];
        let r = relation(&call, &other, 1920);
        assert_eq!(r.rhythm, 0.0);
        assert_eq!(r.contour, 0.0);
        let half = [(0, 64), (240, 65), (720, 62)];
        let r = relation(&call, &half, 1920);
        assert!((r.rhythm - 2.0 / 5.0).abs() < 1e-6, "{r:?}");
        assert!((r.contour - 0.5).abs() < 1e-6, "{r:?}");
    }
}
