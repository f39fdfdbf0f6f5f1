//! Voicings with voice leading: each chord takes the inversion and register, within a range,
//! that moves the voices least from the previous chord.

use crate::chord::Chord;
use serde::{Deserialize, Serialize};

/// How the voices of a chord are spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Spread {
    /// All voices within an octave.
    Close,
    /// Every other voice of a close voicing raised an octave.
    Open,
    /// The second voice from the top of a close voicing dropped an octave.
    Drop2,
}

impl Spread {
    pub const ALL: [Spread; 3] = [Spread::Close, Spread::Open, Spread::Drop2];

    pub fn name(self) -> &'static str {
        match self {
            Spread::Close => "close",
            Spread::Open => "open",
            Spread::Drop2 => "drop2",
        }
    }

    pub fn parse(s: &str) -> Option<Spread> {
        Spread::ALL.into_iter().find(|v| v.name() == s.trim())
    }
}

/// Voicing constraints: MIDI pitch range (inclusive) and voice count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoicingRange {
    pub low: u8,
    pub high: u8,
    /// 3..=5 voices.
    pub voices: usize,
    pub spread: Spread,
}

impl Default for VoicingRange {
    fn default() -> Self {
        VoicingRange {
            low: 52,
            high: 79,
            voices: 4,
            spread: Spread::Close,
        }
    }
}

/// Chord tones to voice: extensions beyond `voices` drop the fifth first, then the highest extensions.
fn tones(chord: &Chord, voices: usize) -> Vec<u8> {
    let iv = chord.quality.intervals();
    let mut pcs: Vec<u8> = iv.iter().map(|&i| (chord.root.index() + i) % 12).collect();
    let fifth = (chord.root.index() + 7) % 12;
    while pcs.len() > voices {
        if let Some(pos) = pcs.iter().skip(1).position(|&p| p == fifth) {
            pcs.remove(pos + 1);
        } else {
            pcs.remove(pcs.len() - 1);
        }
    }
    // Fill extra voices by doubling root, then fifth, then third.
    let mut k = 0;
    let base = pcs.clone();
    while pcs.len() < voices {
        pcs.push(base[k % base.len()]);
        k += 1;
    }
    pcs
}

/// All candidate voicings (ascending MIDI pitches) of `chord` in `range`.
pub fn candidates(chord: &Chord, range: VoicingRange) -> Vec<Vec<u8>> {
    let voices = range.voices.clamp(3, 5);
    let pcs = tones(chord, voices);
    let mut out = Vec::new();
    for rot in 0..pcs.len() {
        let order: Vec<u8> = pcs[rot..].iter().chain(&pcs[..rot]).copied().collect();
        for octave in 1..9u8 {
            let mut notes = Vec::with_capacity(voices);
            let mut prev: i32 = -1;
            for &pc in &order {
                let mut p = octave as i32 * 12 + pc as i32;
                while p <= prev {
                    p += 12;
                }
                notes.push(p);
                prev = p;
            }
            match range.spread {
                Spread::Close => {}
                Spread::Open => {
                    for (i, n) in notes.iter_mut().enumerate() {
                        if i % 2 == 1 {
                            *n += 12;
                        }
                    }
                }
                Spread::Drop2 => {
                    let k = notes.len() - 2;
                    notes[k] -= 12;
                }
            }
            notes.sort_unstable();
            notes.dedup();
            if notes.len() == voices
                && notes.first().is_some_and(|&n| n >= range.low as i32)
                && notes.last().is_some_and(|&n| n <= range.high as i32)
            {
                out.push(notes.iter().map(|&n| n as u8).collect());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// [`candidates`], or when none fits (a doubled voice can stretch a close voicing past the
/// range), those with one voice fewer, down to three.
fn candidates_or_fewer(chord: &Chord, range: VoicingRange) -> Vec<Vec<u8>> {
    let mut voices = range.voices.clamp(3, 5);
    loop {
        let c = candidates(chord, VoicingRange { voices, ..range });
        if !c.is_empty() || voices == 3 {
            return c;
        }
        voices -= 1;
    }
}

/// Total semitone movement between two voicings of equal size (voice i to voice i).
pub fn movement(a: &[u8], b: &[u8]) -> u32 {
    if a.len() != b.len() {
        let ca = a.iter().map(|&x| x as i32).sum::<i32>() / a.len().max(1) as i32;
        let cb = b.iter().map(|&x| x as i32).sum::<i32>() / b.len().max(1) as i32;
        return ((ca - cb).unsigned_abs()) * a.len().max(b.len()) as u32;
    }
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x as i32 - y as i32).unsigned_abs())
        .sum()
}

/// Voices a chord sequence, each chord moving least from the one before. The first chord is
/// the candidate whose centre is nearest the middle of the range. Chords with no candidate in
/// range fall back to a root-position triad around the range's middle.
pub fn voice_lead(chords: &[Chord], range: VoicingRange) -> Vec<Vec<u8>> {
    let mid = (range.low as i32 + range.high as i32) / 2;
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(chords.len());
    for chord in chords {
        let cands = candidates_or_fewer(chord, range);
        let chosen = match out.last() {
            None => cands.iter().min_by_key(|c| {
                let centre = c.iter().map(|&x| x as i32).sum::<i32>() / c.len() as i32;
                ((centre - mid).abs(), c[0])
            }),
            Some(prev) => cands.iter().min_by_key(|c| (movement(prev, c), c[0])),
        };
        let v = match chosen {
            Some(c) => c.clone(),
            None => {
                let root = mid - 6 + ((chord.root.index() as i32 - (mid - 6)).rem_euclid(12));
                chord
                    .quality
                    .intervals()
                    .iter()
                    .take(3)
                    .map(|&i| (root + i as i32).clamp(0, 127) as u8)
                    .collect()
            }
        };
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chords(names: &[&str]) -> Vec<Chord> {
        names.iter().map(|n| n.parse().expect("chord")).collect()
    }

    #[test]
    fn ii_v_i_moves_little() {
        let v = voice_lead(&chords(&["Dm7", "G7", "Cmaj7"]), VoicingRange::default());
        let total: u32 = v.windows(2).map(|w| movement(&w[0], &w[1])).sum();
        // Textbook guide-tone voice leading moves about 2 semitones per change.
        assert!(total <= 8, "{v:?} moved {total}");
        for (voicing, chord) in v.iter().zip(chords(&["Dm7", "G7", "Cmaj7"])) {
            let mask = chord.mask();
            assert!(voicing.iter().all(|&p| mask & (1 << (p % 12)) != 0));
        }
    }

    #[test]
    fn every_tone_of_an_add9_survives_a_close_five_voice_range() {
        let range = VoicingRange {
            low: 52,
            high: 76,
            voices: 5,
            spread: Spread::Close,
        };
        for name in ["Cadd9", "Am(add9)", "G6", "C13"] {
            let chord: Chord = name.parse().expect("chord");
            let v = &voice_lead(&[chord], range)[0];
            let mask = v.iter().fold(0u16, |m, &p| m | 1 << (p % 12));
            let want = chord.mask();
            let tones = chord.quality.intervals().len().min(5);
            assert!(mask & !want == 0, "{name}: {v:?} has foreign tones");
            assert!(
                mask.count_ones() as usize >= tones.min(4),
                "{name}: {v:?} lost tones"
            );
            assert!(v.iter().all(|&p| (52..=76).contains(&p)), "{name}: {v:?}");
        }
    }

    #[test]
    fn spreads_stay_in_range() {
        for spread in Spread::ALL {
            let range = VoicingRange {
                low: 40,
                high: 84,
                voices: 4,
                spread,
            };
            let v = voice_lead(&chords(&["C", "Am", "F", "G7", "Bbmaj9", "E7#9"]), range);
            for voicing in &v {
                assert_eq!(voicing.len(), 4);
                assert!(
                    voicing.iter().all(|&p| (40..=84).contains(&p)),
                    "{spread:?} {voicing:?}"
                );
            }
        }
        let open = candidates(
            &"C".parse().expect("c"),
            VoicingRange {
                low: 36,
                high: 96,
                voices: 4,
                spread: Spread::Open,
            },
        );
        assert!(open.iter().all(|v| v[v.len() - 1] - v[0] > 12));
    }
}
