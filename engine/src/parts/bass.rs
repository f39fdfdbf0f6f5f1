//! Bass lines that follow the chord track. Styles are data ([`STYLES`]): a cycle of rhythm cells
//! laid over the meter's beat groups, each hit naming a chord function (root, fifth, octave, ...).
//! Roots are placed to move least within E1..G3 (shifted by `octave`); before a chord change the
//! last hit may become an approach note — the one kind of note that may leave the key's scale
//! and the chord (a chromatic neighbour of the next chord's bass).

use super::{PartContext, PartError};
use crate::clip::{ChordEvent, Note, TICKS_PER_QUARTER};
use crate::rng::Rng;
use crate::scale;

/// What a hit plays, relative to the sounding chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The chord's bass note (the slash bass when there is one).
    Root,
    Fifth,
    /// The root an octave up (or down when out of range).
    Octave,
    Third,
    /// Root and fifth alternately, starting with the root at the chord change.
    Alt,
    /// A walking line: chord tones and scale steps heading for the next chord.
    Walk,
}

/// One hit of a cell: position in twelfths of the beat group, role, velocity and the density needed.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub pos: u8,
    pub role: Role,
    pub vel: u8,
    pub need: f32,
}

/// A bass style.
#[derive(Debug)]
pub struct BassStyle {
    pub name: &'static str,
    pub description: &'static str,
    /// Rhythm cells, one per beat group, cycling through the bar. Empty = one note per chord.
    pub cells: &'static [&'static [Hit]],
    /// Fraction of the gap to the next hit that a note sounds.
    pub gate: f32,
    /// Chance (scaled up by complexity) that the last hit before a chord change approaches the next root.
    pub approach: f32,
}

const fn h(pos: u8, role: Role, vel: u8, need: f32) -> Hit {
    Hit {
        pos,
        role,
        vel,
        need,
    }
}

use Role::*;

/// The style table, in display order.
pub const STYLES: &[BassStyle] = &[
    BassStyle {
        name: "root",
        description: "the chord's bass note held for the whole chord",
        cells: &[],
        gate: 0.95,
        approach: 0.0,
    },
    BassStyle {
        name: "root-fifth",
        description: "root and fifth alternating on every other beat group (two-feel)",
        cells: &[
            &[h(0, Alt, 100, 0.0), h(9, Root, 70, 0.85)],
            &[h(6, Alt, 80, 0.6)],
        ],
        gate: 0.9,
        approach: 0.3,
    },
    BassStyle {
        name: "octave",
        description: "eighth-note octave pulse (disco, dance)",
        cells: &[&[
            h(0, Root, 104, 0.0),
            h(6, Octave, 92, 0.0),
            h(3, Root, 60, 0.8),
        ]],
        gate: 0.45,
        approach: 0.2,
    },
    BassStyle {
        name: "pulse",
        description: "driving eighth-note roots (rock)",
        cells: &[&[h(0, Root, 104, 0.0), h(6, Root, 88, 0.25)]],
        gate: 0.75,
        approach: 0.25,
    },
    BassStyle {
        name: "pop",
        description: "syncopated pop: anticipations and pushes around root, fifth and octave",
        cells: &[
            &[h(0, Root, 106, 0.0), h(9, Root, 78, 0.3)],
            &[h(6, Root, 92, 0.0)],
            &[h(0, Root, 98, 0.0), h(6, Fifth, 84, 0.5)],
            &[h(3, Octave, 80, 0.4), h(6, Fifth, 88, 0.0)],
        ],
        gate: 0.8,
        approach: 0.5,
    },
    BassStyle {
        name: "funk",
        description: "staccato sixteenths with octave pops",
        cells: &[
            &[
                h(0, Root, 112, 0.0),
                h(6, Octave, 84, 0.3),
                h(9, Root, 70, 0.6),
            ],
            &[h(3, Root, 92, 0.0), h(9, Fifth, 80, 0.45)],
            &[
                h(0, Root, 100, 0.0),
                h(3, Octave, 72, 0.7),
                h(6, Root, 90, 0.2),
            ],
            &[
                h(0, Fifth, 90, 0.2),
                h(6, Octave, 86, 0.5),
                h(9, Third, 74, 0.75),
            ],
        ],
        gate: 0.5,
        approach: 0.4,
    },
    BassStyle {
        name: "walking",
        description:
            "jazz walking quarters: chord tones and scale steps, approach into each change",
        cells: &[&[h(0, Walk, 96, 0.0), h(8, Walk, 64, 0.85)]],
        gate: 0.92,
        approach: 1.0,
    },
];

super::style_table!("bass", BassStyle);

/// Lowest and highest bass pitch for an octave shift (E1..G3 at 0).
pub fn range(octave: i8) -> (i32, i32) {
    let low = (28 + octave as i32 * 12).clamp(0, 100);
    (low, (low + 27).min(127))
}

/// A bass line; `ctx.style` names the style.
pub fn generate(ctx: &PartContext) -> Result<Vec<Note>, PartError> {
    let st = style(ctx.style)?;
    if ctx.chords.is_empty() {
        return Err(PartError::NoChords);
    }
    let mut rng = Rng::derive(ctx.seed, "bass");
    let (low, high) = range(ctx.octave);
    let home = low + 8;
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
    let key_mask = ctx.key.scale_mask();
    let groups = ctx.meter.beat_groups(TICKS_PER_QUARTER);
    let bar = ctx.bar_ticks().max(1);
    let mut notes = Vec::new();
    let mut prev = home;
    for (ci, ev) in ctx.chords.iter().enumerate() {
        if ev.duration == 0 {
            continue;
        }
        let next = ctx.chords.get(ci + 1);
        let onsets = onsets(st, ev, &groups, bar, density);
        let root = place(
            ev.chord.bass_pc().index() as i32,
            if ci == 0 { home } else { prev },
            home,
            low,
            high,
        );
        let next_root =
            next.map(|n| place(n.chord.bass_pc().index() as i32, root, home, low, high));
        let approach_here = next_root.is_some()
            && onsets.len() > 1
            && rng.chance(st.approach * (0.6 + 0.8 * complexity));
        let chord_mask = ev.chord.mask();
        let mut alt = 0;
        let mut cur = root;
        for (k, &(t, role, vel)) in onsets.iter().enumerate() {
            let last = k + 1 == onsets.len();
            let pitch = if k == 0 {
                root
            } else if last && approach_here {
                approach(next_root.unwrap_or(root), cur, key_mask, &mut rng)
            } else {
                match role {
                    Root => root,
                    Fifth => fifth(ev, root, low, high),
                    Octave => fit(root + 12, low, high).max(root),
                    Third => third(ev, root, low, high),
                    Alt => {
                        alt += 1;
                        if alt % 2 == 1 {
                            fifth(ev, root, low, high)
                        } else {
                            root
                        }
                    }
                    Walk => walk(
                        cur,
                        next_root.unwrap_or(root),
                        chord_mask,
                        key_mask,
                        k,
                        low,
                        high,
                        &mut rng,
                    ),
                }
            };
            let pitch = fit(pitch, low, high);
            let end = onsets.get(k + 1).map_or(ev.end(), |o| o.0);
            let dur = ((end.saturating_sub(t)) as f32 * st.gate).round().max(1.0) as u32;
            let v = vel as i32 + rng.range_i32(-4, 4);
            notes.push(Note::new(t, dur, pitch, v));
            cur = pitch;
        }
        prev = root;
    }
    Ok(notes)
}

/// Hits (tick, role, velocity) inside a chord: the style's cells over each beat group, always
/// starting with a root on the chord change.
fn onsets(
    st: &BassStyle,
    ev: &ChordEvent,
    groups: &[(u32, u32)],
    bar: u32,
    density: f32,
) -> Vec<(u32, Role, u8)> {
    let mut out: Vec<(u32, Role, u8)> = Vec::new();
    if !st.cells.is_empty() {
        let first_bar = ev.start / bar;
        let last_bar = ev.end().saturating_sub(1) / bar;
        for b in first_bar..=last_bar {
            for (gi, &(gs, glen)) in groups.iter().enumerate() {
                let g0 = b * bar + gs;
                for hit in st.cells[gi % st.cells.len()].iter() {
                    if density < hit.need {
                        continue;
                    }
                    let t = g0 + glen * hit.pos as u32 / 12;
                    if (ev.start..ev.end()).contains(&t) {
                        out.push((t, hit.role, hit.vel));
                    }
                }
            }
        }
        out.sort_by_key(|o| o.0);
        out.dedup_by_key(|o| o.0);
    }
    if out.first().map(|o| o.0) != Some(ev.start) {
        out.insert(0, (ev.start, Root, 104));
    }
    out
}

/// Moves `p` by octaves into `low..=high`.
fn fit(mut p: i32, low: i32, high: i32) -> i32 {
    while p > high && p - 12 >= low {
        p -= 12;
    }
    while p < low && p + 12 <= high {
        p += 12;
    }
    p.clamp(0, 127)
}

/// The pitch of class `pc` in range that is closest to `prev`, pulled slightly toward `home`.
fn place(pc: i32, prev: i32, home: i32, low: i32, high: i32) -> i32 {
    (low..=high)
        .filter(|p| p.rem_euclid(12) == pc)
        .min_by_key(|&p| ((p - prev).abs() * 2 + (p - home).abs(), p))
        .unwrap_or_else(|| fit(pc + 36, low, high))
}

/// The chord's fifth (diminished or augmented when the quality has one) above the root, else below.
fn fifth(ev: &ChordEvent, root: i32, low: i32, high: i32) -> i32 {
    let iv = ev.chord.quality.intervals();
    let interval = iv
        .iter()
        .copied()
        .find(|i| (6..=8).contains(i))
        .unwrap_or(7) as i32;
    let chord_root =
        root - (ev.chord.bass_pc().index() as i32 - ev.chord.root.index() as i32).rem_euclid(12);
    let up = chord_root + interval;
    let p = if up < root { up + 12 } else { up };
    if p <= high {
        p
    } else {
        fit(p - 12, low, high)
    }
}

/// The chord's third (or suspended tone) nearest above the bass.
fn third(ev: &ChordEvent, root: i32, low: i32, high: i32) -> i32 {
    let iv = ev.chord.quality.intervals();
    let interval = iv
        .iter()
        .copied()
        .find(|i| (2..=5).contains(i))
        .unwrap_or(4) as i32;
    let pc = (ev.chord.root.index() as i32 + interval).rem_euclid(12);
    let mut p = root + (pc - root).rem_euclid(12);
    if p > high {
        p -= 12;
    }
    fit(p, low, high)
}

/// A note leading into `target`: a chromatic neighbour (below or above) or the scale step below.
fn approach(target: i32, from: i32, key_mask: u16, rng: &mut Rng) -> i32 {
    match rng.below(3) {
        0 => target - 1,
        1 => target + 1,
        _ => {
            let s = scale::step(key_mask, target, if from > target { 1 } else { -1 });
            if s == target {
                target - 1
            } else {
                s
            }
        }
    }
}

/// One step of a walking line from `cur` toward `target`: chord tones on even hits, scale steps between.
#[allow(clippy::too_many_arguments)]
fn walk(
    cur: i32,
    target: i32,
    chord_mask: u16,
    key_mask: u16,
    k: usize,
    low: i32,
    high: i32,
    rng: &mut Rng,
) -> i32 {
    let mut dir = match target.cmp(&cur) {
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => {
            if rng.chance(0.5) {
                1
            } else {
                -1
            }
        }
    };
    // Turn around near the edges of the range.
    if cur + 4 > high {
        dir = -1;
    } else if cur - 4 < low {
        dir = 1;
    }
    let mask = if k.is_multiple_of(2) {
        chord_mask
    } else {
        key_mask
    };
    let p = scale::step(mask, cur, dir);
    if (low..=high).contains(&p) {
        p
    } else {
        scale::step(mask, cur, -dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::{Key, Meter};

    use crate::parts::test_track as track;

    fn ctx<'a>(chords: &'a [ChordEvent], style: &'a str, meter: Meter) -> PartContext<'a> {
        PartContext {
            key: "C major".parse::<Key>().expect("key"),
            meter,
            bars: chords.len() as u32,
            chords,
            style,
            density: 0.6,
            complexity: 0.5,
            octave: 0,
            seed: 3,
        }
    }

    #[test]
    fn every_style_follows_the_chords_in_range() {
        let chords = track(
            &["C", "Am", "Dm7", "G7", "F/A", "Bdim", "E7", "Am"],
            Meter::COMMON,
        );
        for name in styles() {
            let c = ctx(&chords, name, Meter::COMMON);
            let notes = generate(&c).expect("bass");
            let (low, high) = range(0);
            for ev in &chords {
                // The first note of every chord is its bass note.
                let first = notes
                    .iter()
                    .find(|n| n.start == ev.start)
                    .expect("note on the change");
                assert_eq!(
                    first.pitch.as_int() % 12,
                    ev.chord.bass_pc().index(),
                    "{name} {}",
                    ev.chord
                );
            }
            for n in &notes {
                assert!(
                    (low..=high).contains(&(n.pitch.as_int() as i32)),
                    "{name} {n:?}"
                );
                let ev = chords
                    .iter()
                    .find(|e| e.start <= n.start && n.start < e.end())
                    .expect("inside");
                assert!(n.end() <= ev.end(), "{name}: notes end with their chord");
            }
            assert_eq!(notes, generate(&c).expect("bass"));
        }
    }

    #[test]
    fn walking_bass_walks_quarters_and_approaches() {
        let chords = track(&["Dm7", "G7", "Cmaj7", "A7"], Meter::COMMON);
        let c = PartContext {
            density: 0.5,
            ..ctx(&chords, "walking", Meter::COMMON)
        };
        let notes = generate(&c).expect("bass");
        assert_eq!(notes.len(), 16, "one note per beat");
        for w in notes.windows(2) {
            let leap = (w[0].pitch.as_int() as i32 - w[1].pitch.as_int() as i32).abs();
            assert!(leap <= 9, "walking lines move mostly by step: {w:?}");
        }
        // The beat before each change is a half step or scale step from the next root.
        for ev in &chords[1..] {
            let before = notes
                .iter()
                .rev()
                .find(|n| n.start < ev.start)
                .expect("note");
            let at = notes.iter().find(|n| n.start == ev.start).expect("note");
            assert!(
                (before.pitch.as_int() as i32 - at.pitch.as_int() as i32).abs() <= 2,
                "{before:?} → {at:?}"
            );
        }
    }

    #[test]
    fn odd_meters_and_octaves() {
        for meter in ["7/8", "5/4", "6/8", "12/8", "3/4", "1/16"] {
            let m: Meter = meter.parse().expect("meter");
            let chords = track(&["C", "G", "Am", "F"], m);
            for name in styles() {
                for octave in [-3, 0, 3] {
                    let c = PartContext {
                        octave,
                        ..ctx(&chords, name, m)
                    };
                    let notes = generate(&c).expect("bass");
                    assert!(notes.len() >= 4, "{name} {meter}");
                    assert!(notes
                        .iter()
                        .all(|n| n.end() <= c.length() && n.duration > 0));
                }
            }
        }
        let err = generate(&ctx(&[], "root", Meter::COMMON)).expect_err("no chords");
        assert_eq!(err, PartError::NoChords);
        assert!(matches!(style("tuba"), Err(PartError::UnknownStyle { .. })));
        assert!(styles().contains(&crate::arrange::default_style(crate::clip::PartKind::Bass)));
    }
}
