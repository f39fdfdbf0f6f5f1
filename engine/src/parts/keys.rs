//! Keys/comping over the chord track: rhythmic block chords, arpeggios and sustained pads, all
//! voice-led with [`crate::voicing`]. Styles are data ([`STYLES`]).

use super::{PartContext, PartError};
use crate::clip::{ChordEvent, Note, TICKS_PER_QUARTER};
use crate::rng::Rng;
use crate::voicing::{voice_lead, Spread, VoicingRange};

/// Order in which an arpeggio walks the voicing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpOrder {
    Up,
    Down,
    UpDown,
    /// Random voices, never the same one twice in a row.
    Random,
}

/// A chord hit of a comping cell: position in twelfths of the beat group, velocity, density needed.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub pos: u8,
    pub vel: u8,
    pub need: f32,
}

/// How a style plays each chord.
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    /// Block chords on the hits of cells that cycle over the bar's beat groups.
    Block(&'static [&'static [Hit]]),
    /// One voice at a time, every `step` twelfths of a beat group (6 = eighths in 4/4, 3 = sixteenths).
    Arp { order: ArpOrder, step: u8 },
    /// The whole chord held.
    Pad,
}

/// A keys style.
#[derive(Debug)]
pub struct KeysStyle {
    pub name: &'static str,
    pub description: &'static str,
    pub pattern: Pattern,
    pub spread: Spread,
    /// Fraction of the gap to the next hit that notes sound.
    pub gate: f32,
}

const fn h(pos: u8, vel: u8, need: f32) -> Hit {
    Hit { pos, vel, need }
}

/// The style table, in display order.
pub const STYLES: &[KeysStyle] = &[
    KeysStyle {
        name: "block",
        description: "block chords on the strong beats, more hits with density",
        pattern: Pattern::Block(&[
            &[h(0, 96, 0.0)],
            &[h(0, 78, 0.35)],
            &[h(0, 88, 0.0)],
            &[h(0, 78, 0.35), h(6, 70, 0.7)],
        ]),
        spread: Spread::Close,
        gate: 0.9,
    },
    KeysStyle {
        name: "eighths",
        description: "driving eighth-note chords (pop/rock piano)",
        pattern: Pattern::Block(&[&[h(0, 92, 0.0), h(6, 72, 0.2)]]),
        spread: Spread::Close,
        gate: 0.7,
    },
    KeysStyle {
        name: "offbeat",
        description: "short off-beat skanks (reggae, ska)",
        pattern: Pattern::Block(&[&[h(6, 90, 0.0), h(9, 60, 0.85)]]),
        spread: Spread::Close,
        gate: 0.35,
    },
    KeysStyle {
        name: "comp",
        description: "jazz comping: Charleston rhythm in drop-2 voicings",
        pattern: Pattern::Block(&[&[h(0, 88, 0.0)], &[h(8, 80, 0.0)], &[], &[h(8, 70, 0.6)]]),
        spread: Spread::Drop2,
        gate: 0.55,
    },
    KeysStyle {
        name: "pad",
        description: "sustained open-voiced pads",
        pattern: Pattern::Pad,
        spread: Spread::Open,
        gate: 1.0,
    },
    KeysStyle {
        name: "arp-up",
        description: "eighth-note arpeggio, rising",
        pattern: Pattern::Arp {
            order: ArpOrder::Up,
            step: 6,
        },
        spread: Spread::Open,
        gate: 0.9,
    },
    KeysStyle {
        name: "arp-down",
        description: "eighth-note arpeggio, falling",
        pattern: Pattern::Arp {
            order: ArpOrder::Down,
            step: 6,
        },
        spread: Spread::Open,
        gate: 0.9,
    },
    KeysStyle {
        name: "arp-updown",
        description: "eighth-note arpeggio, up then down",
        pattern: Pattern::Arp {
            order: ArpOrder::UpDown,
            step: 6,
        },
        spread: Spread::Open,
        gate: 0.9,
    },
    KeysStyle {
        name: "arp-random",
        description: "eighth-note arpeggio in seeded random order",
        pattern: Pattern::Arp {
            order: ArpOrder::Random,
            step: 6,
        },
        spread: Spread::Open,
        gate: 0.9,
    },
    KeysStyle {
        name: "arp-16ths",
        description: "sixteenth-note rising arpeggio",
        pattern: Pattern::Arp {
            order: ArpOrder::Up,
            step: 3,
        },
        spread: Spread::Close,
        gate: 0.8,
    },
    KeysStyle {
        name: "arp-triplets",
        description: "triplet up-down arpeggio",
        pattern: Pattern::Arp {
            order: ArpOrder::UpDown,
            step: 4,
        },
        spread: Spread::Open,
        gate: 0.9,
    },
];

super::style_table!("keys", KeysStyle);

/// A keys part; `ctx.style` names the style. Voicings sit from G3 up (shifted by `octave`).
pub fn generate(ctx: &PartContext) -> Result<Vec<Note>, PartError> {
    let st = style(ctx.style)?;
    if ctx.chords.is_empty() {
        return Err(PartError::NoChords);
    }
    let mut rng = Rng::derive(ctx.seed, "keys");
    let density = if ctx.density.is_finite() {
        ctx.density.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let complexity = if ctx.complexity.is_finite() {
        ctx.complexity.clamp(0.0, 1.0)
    } else {
        0.3
    };
    let low = (55 + ctx.octave as i32 * 12).clamp(12, 100) as u8;
    let span = if st.spread == Spread::Close { 24 } else { 32 };
    let range = VoicingRange {
        low,
        high: (low as i32 + span).min(127) as u8,
        voices: if complexity > 0.6 { 5 } else { 4 },
        spread: st.spread,
    };
    let chords: Vec<_> = ctx.chords.iter().map(|c| c.chord).collect();
    let voicings = voice_lead(&chords, range);
    let groups = ctx.meter.beat_groups(TICKS_PER_QUARTER);
    let bar = ctx.bar_ticks().max(1);
    let mut notes = Vec::new();
    for (ev, voicing) in ctx.chords.iter().zip(&voicings) {
        if ev.duration == 0 || voicing.is_empty() {
            continue;
        }
        match st.pattern {
            Pattern::Pad => push_chord(&mut notes, voicing, ev.start, ev.duration, 80),
            Pattern::Block(cells) => {
                let hits = grid(ev, &groups, bar, |gi, glen| {
                    let cell = if cells.is_empty() {
                        &[][..]
                    } else {
                        cells[gi % cells.len()]
                    };
                    cell.iter()
                        .filter(|hit| density >= hit.need)
                        .map(|hit| (glen * hit.pos as u32 / 12, hit.vel))
                        .collect()
                });
                for (k, &(t, vel)) in hits.iter().enumerate() {
                    let end = hits.get(k + 1).map_or(ev.end(), |n| n.0);
                    let dur = ((end - t) as f32 * st.gate).round().max(1.0) as u32;
                    push_chord(
                        &mut notes,
                        voicing,
                        t,
                        dur,
                        vel as i32 + rng.range_i32(-4, 4),
                    );
                }
            }
            Pattern::Arp { order, step } => {
                // Sparse settings halve the rate.
                let step = if density < 0.25 {
                    (step as u32 * 2).min(12)
                } else {
                    step.max(1) as u32
                };
                let hits = grid(ev, &groups, bar, |_, glen| {
                    (0..12 / step)
                        .map(|k| (glen * k * step / 12, if k == 0 { 88 } else { 74 }))
                        .collect()
                });
                let n = voicing.len();
                let mut last = usize::MAX;
                for (k, &(t, vel)) in hits.iter().enumerate() {
                    let i = match order {
                        ArpOrder::Up => k % n,
                        ArpOrder::Down => n - 1 - k % n,
                        ArpOrder::UpDown if n > 1 => {
                            let c = k % (2 * n - 2);
                            if c < n {
                                c
                            } else {
                                2 * n - 2 - c
                            }
                        }
                        ArpOrder::UpDown => 0,
                        ArpOrder::Random => {
                            let mut i = rng.below(n as u32) as usize;
                            if i == last && n > 1 {
                                i = (i + 1 + rng.below(n as u32 - 1) as usize) % n;
                            }
                            i
                        }
                    };
                    last = i;
                    let end = hits.get(k + 1).map_or(ev.end(), |n| n.0);
                    let dur = ((end - t) as f32 * st.gate).round().max(1.0) as u32;
                    notes.push(Note::new(
                        t,
                        dur,
                        voicing[i] as i32,
                        vel as i32 + rng.range_i32(-4, 4),
                    ));
                }
            }
        }
    }
    Ok(notes)
}

fn push_chord(out: &mut Vec<Note>, voicing: &[u8], start: u32, dur: u32, vel: i32) {
    for (i, &p) in voicing.iter().enumerate() {
        // The top voice sings a little louder, inner voices a little softer.
        let v = if i + 1 == voicing.len() {
            vel + 4
        } else if i == 0 {
            vel
        } else {
            vel - 6
        };
        out.push(Note::new(start, dur, p as i32, v));
    }
}

/// Hits (tick, velocity) inside a chord from `cell(group index, group length)` offsets, sorted,
/// always including the chord's start.
fn grid(
    ev: &ChordEvent,
    groups: &[(u32, u32)],
    bar: u32,
    cell: impl Fn(usize, u32) -> Vec<(u32, u8)>,
) -> Vec<(u32, u8)> {
    let mut out = Vec::new();
    let first_bar = ev.start / bar;
    let last_bar = ev.end().saturating_sub(1) / bar;
    for b in first_bar..=last_bar {
        for (gi, &(gs, glen)) in groups.iter().enumerate() {
            for (off, vel) in cell(gi, glen) {
                let t = b * bar + gs + off;
                if (ev.start..ev.end()).contains(&t) {
                    out.push((t, vel));
                }
            }
        }
    }
    out.sort_by_key(|o| o.0);
    out.dedup_by_key(|o| o.0);
    if out.first().map(|o| o.0) != Some(ev.start) {
        out.insert(0, (ev.start, 92));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::{Key, Meter};
    use crate::voicing::movement;

    use crate::parts::test_track as track;

    fn ctx<'a>(chords: &'a [ChordEvent], style: &'a str, meter: Meter) -> PartContext<'a> {
        PartContext {
            key: "C major".parse::<Key>().expect("key"),
            meter,
            bars: chords.len() as u32,
            chords,
            style,
            density: 0.5,
            complexity: 0.3,
            octave: 0,
            seed: 5,
        }
    }

    #[test]
    fn every_style_plays_chord_tones_inside_each_chord() {
        let chords = track(&["C", "Am7", "Dm7", "G7", "Fmaj7", "E7#9"], Meter::COMMON);
        for name in styles() {
            let notes = generate(&ctx(&chords, name, Meter::COMMON)).expect("keys");
            assert!(!notes.is_empty());
            for n in &notes {
                let ev = chords
                    .iter()
                    .find(|e| e.start <= n.start && n.start < e.end())
                    .expect("inside");
                assert!(n.end() <= ev.end(), "{name} {n:?}");
                assert!(
                    ev.chord.mask() & (1 << (n.pitch.as_int() % 12)) != 0,
                    "{name}: {n:?} not in {}",
                    ev.chord
                );
            }
        }
    }

    #[test]
    fn arpeggios_follow_their_order() {
        let chords = track(&["C"], Meter::COMMON);
        let up = generate(&ctx(&chords, "arp-up", Meter::COMMON)).expect("keys");
        assert_eq!(up.len(), 8, "eighths in 4/4");
        let pitches: Vec<u8> = up.iter().map(|n| n.pitch.as_int()).collect();
        assert!(pitches[..4].windows(2).all(|w| w[0] < w[1]), "{pitches:?}");
        let down = generate(&ctx(&chords, "arp-down", Meter::COMMON)).expect("keys");
        assert!(down[..4].windows(2).all(|w| w[0].pitch > w[1].pitch));
        let rnd = generate(&ctx(&chords, "arp-random", Meter::COMMON)).expect("keys");
        assert!(rnd.windows(2).all(|w| w[0].pitch != w[1].pitch));
        let sixteenths = generate(&ctx(&chords, "arp-16ths", Meter::COMMON)).expect("keys");
        assert_eq!(sixteenths.len(), 16);
    }

    #[test]
    fn block_chords_are_voice_led() {
        let chords = track(&["Dm7", "G7", "Cmaj7"], Meter::COMMON);
        let notes = generate(&ctx(&chords, "pad", Meter::COMMON)).expect("keys");
        let at = |t: u32| -> Vec<u8> {
            notes
                .iter()
                .filter(|n| n.start == t)
                .map(|n| n.pitch.as_int())
                .collect()
        };
        let (a, b, c) = (at(0), at(1920), at(3840));
        assert!(
            movement(&a, &b) + movement(&b, &c) <= 10,
            "{a:?} {b:?} {c:?}"
        );
    }

    #[test]
    fn odd_meters_unknown_style() {
        for meter in ["7/8", "5/4", "6/8", "12/8", "3/4", "3/16"] {
            let m: Meter = meter.parse().expect("meter");
            let chords = track(&["C", "G", "Am", "F"], m);
            for name in styles() {
                for octave in [-3, 3] {
                    let c = PartContext {
                        octave,
                        density: 0.0,
                        ..ctx(&chords, name, m)
                    };
                    let notes = generate(&c).expect("keys");
                    assert!(
                        notes.iter().all(|n| n.end() <= c.length()),
                        "{name} {meter}"
                    );
                }
            }
        }
        assert!(matches!(
            style("kazoo"),
            Err(PartError::UnknownStyle { .. })
        ));
        assert!(styles().contains(&crate::arrange::default_style(crate::clip::PartKind::Keys)));
    }
}
