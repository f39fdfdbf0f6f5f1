//! Drum parts on General MIDI channel 10 from the style data in [`styles`]: each bar lays the
//! style's cells over the meter's beat groups, varies the pattern, thins or fills in hits by
//! density, ends phrases with fills and marks section starts with a crash. [`catalog`] says which
//! styles the drum model plays (trained on real drummers, [`grid`] its tokens) and which only
//! these patterns.

pub mod catalog;
pub mod grid;
pub mod styles;

use crate::clip::{Note, TICKS_PER_QUARTER};
use crate::groove;
use crate::parts::{PartContext, PartError};
use crate::rng::Rng;
use styles::{gm, Cell, DrumStyle, STYLES, TIMEKEEPERS};

/// Longest drum note, in ticks (drum sounds are one-shots; the length only matters to editors).
const HIT_TICKS: u32 = 60;

crate::parts::style_table!("drum");

/// The drum style named `name`, or [`PartError::UnknownStyle`] listing the known names.
pub fn style(name: &str) -> Result<&'static DrumStyle, PartError> {
    styles::find(name).ok_or_else(|| PartError::UnknownStyle {
        part: "drums",
        style: name.to_string(),
        known: STYLE_NAMES.join(", "),
    })
}

/// Velocity and the density needed for a step character; None for a rest.
fn step_hit(c: u8) -> Option<(i32, f32)> {
    match c {
        b'X' => Some((118, 0.0)),
        b'x' => Some((100, 0.0)),
        b'o' => Some((76, 0.2)),
        b'+' => Some((88, 0.4)),
        b'~' => Some((80, 0.6)),
        b'g' => Some((40, 0.8)),
        _ => None,
    }
}

/// A drum part; `ctx.style` names the drum style; a fill ends every `fill_every` bars (0 = none).
/// Density 0 keeps only core hits, 1 adds every ghost note. Works in any meter.
pub fn generate(ctx: &PartContext, fill_every: u32) -> Result<Vec<Note>, PartError> {
    let st = style(ctx.style)?;
    let mut rng = Rng::derive(ctx.seed, "drums");
    let density = if ctx.density.is_finite() {
        ctx.density.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let bar = ctx.bar_ticks();
    let unit = ctx.meter.beat_ticks(TICKS_PER_QUARTER).max(1);
    let starts = ctx.meter.group_starts(TICKS_PER_QUARTER);
    let groups: Vec<(u32, u32)> = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            (
                s,
                starts.get(i + 1).copied().unwrap_or(bar).saturating_sub(s),
            )
        })
        .filter(|&(_, len)| len > 0)
        .collect();
    let n = groups.len();
    let mut notes = Vec::new();
    for b in 0..ctx.bars {
        let bar_start = b * bar;
        let fill_bar = fill_every > 0 && (b + 1) % fill_every == 0;
        let section_start = b == 0 || (fill_every > 0 && b % fill_every == 0);
        let pattern = pick_pattern(st, b, &mut rng);
        let fill = if fill_bar {
            rng.pick(st.fills).copied()
        } else {
            None
        };
        // Fills take the last groups of the bar, leaving at least the first group to the groove.
        let fill_groups = fill.map_or(0, |f| f.len().min(n.saturating_sub(1)).max(1));
        for (gi, &(gs, glen)) in groups.iter().enumerate() {
            let cell: Cell = match fill {
                Some(f) if gi + fill_groups >= n => f[f.len() - (n - gi)],
                _ => pattern[cell_index(gi, n, pattern.len())],
            };
            render_cell(
                cell,
                bar_start + gs,
                glen,
                unit,
                density,
                &mut rng,
                &mut notes,
            );
        }
        if section_start {
            // Crash replaces the cymbal on the downbeat and is doubled by the kick.
            notes.retain(|x: &Note| {
                x.start != bar_start || !TIMEKEEPERS.contains(&x.pitch.as_int())
            });
            notes.push(Note::new(bar_start, HIT_TICKS, st.crash as i32, 112));
            if !notes
                .iter()
                .any(|x| x.start == bar_start && x.pitch.as_int() == gm::KICK)
            {
                notes.push(Note::new(bar_start, HIT_TICKS, gm::KICK as i32, 110));
            }
        }
    }
    groove::swing(&mut notes, ctx.meter, st.swing);
    notes.sort_by_key(|x| (x.start, x.pitch));
    Ok(notes)
}

/// Chooses the bar's pattern: the main groove, with a variation on some even-numbered bars.
fn pick_pattern(st: &DrumStyle, bar: u32, rng: &mut Rng) -> &'static [Cell] {
    let roll = rng.next_f32();
    if st.patterns.len() > 1 && bar % 2 == 1 && roll < 0.5 {
        let i = 1 + rng.below(st.patterns.len() as u32 - 1) as usize;
        st.patterns[i]
    } else {
        st.patterns[0]
    }
}

/// Which cell of a cycle plays group `gi` of `n`: cells cycle, and an odd-numbered bar of three
/// or more groups ends on the backbeat cell (3/4 → 1 2 2, 7/8 → 1 2 2).
fn cell_index(gi: usize, n: usize, cells: usize) -> usize {
    if n >= 3 && n % 2 == 1 && gi + 1 == n {
        1 % cells
    } else {
        gi % cells
    }
}

/// Adds a cell's hits for a group starting at `start` lasting `len` ticks (beat unit `unit`).
fn render_cell(
    cell: Cell,
    start: u32,
    len: u32,
    unit: u32,
    density: f32,
    rng: &mut Rng,
    out: &mut Vec<Note>,
) {
    let units = len / unit;
    let triple = units >= 3 && units.is_multiple_of(3);
    for lane in cell {
        let s = lane.steps.as_bytes();
        let l = s.len();
        if l == 0 {
            continue;
        }
        let duple = matches!(l, 2 | 4 | 8);
        let keeps_time = TIMEKEEPERS.contains(&lane.drum);
        // Duple strings keep their step length on three-unit groups (six sixteenths per dotted quarter).
        let steps = if triple && duple { l * 3 / 2 } else { l };
        for i in 0..steps {
            let c = if i < l {
                s[i]
            } else if keeps_time {
                s[i % l]
            } else {
                b'.'
            };
            let Some((vel, need)) = step_hit(c) else {
                continue;
            };
            if density < need {
                continue;
            }
            let at = start + (len as u64 * i as u64 / steps as u64) as u32;
            let step_len = (len / steps as u32).max(1);
            let v = vel + rng.range_i32(-5, 5);
            out.push(Note::new(at, HIT_TICKS.min(step_len), lane.drum as i32, v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::{Key, Meter};

    fn ctx<'a>(style: &'a str, meter: &str, bars: u32, density: f32) -> PartContext<'a> {
        PartContext {
            key: Key::new(crate::theory::PitchClass::C, crate::theory::Mode::Major),
            meter: meter.parse::<Meter>().expect("meter"),
            bars,
            chords: &[],
            style,
            density,
            complexity: 0.5,
            octave: 0,
            seed: 9,
        }
    }

    fn count(notes: &[Note], drum: u8) -> usize {
        notes.iter().filter(|n| n.pitch.as_int() == drum).count()
    }

    #[test]
    fn every_style_in_every_meter() {
        for name in styles() {
            for meter in [
                "4/4", "3/4", "5/4", "6/8", "7/8", "12/8", "2/2", "1/4", "13/16", "9/8", "11/8",
                "3/32",
            ] {
                let c = ctx(name, meter, 5, 0.5);
                let notes = generate(&c, 4).expect("drums");
                assert!(!notes.is_empty(), "{name} {meter}");
                let len = c.length();
                for n in &notes {
                    assert!(n.end() <= len + HIT_TICKS, "{name} {meter} {n:?}");
                    assert!(n.duration > 0);
                }
                assert_eq!(notes, generate(&c, 4).expect("drums"), "deterministic");
            }
        }
    }

    #[test]
    fn rock_backbeat_and_density() {
        let sparse = generate(&ctx("rock", "4/4", 4, 0.0), 0).expect("drums");
        let busy = generate(&ctx("rock", "4/4", 4, 1.0), 0).expect("drums");
        assert!(busy.len() > sparse.len());
        assert!(
            sparse.iter().all(|n| n.velocity.as_int() > 60),
            "no ghosts at density 0"
        );
        assert!(
            busy.iter().any(|n| n.velocity.as_int() < 50),
            "ghosts at density 1"
        );
        // Snare on beats 2 and 4 of every bar.
        for b in 0..4 {
            for beat in [1, 3] {
                let t = b * 1920 + beat * 480;
                assert!(
                    sparse
                        .iter()
                        .any(|n| n.start == t && n.pitch.as_int() == gm::SNARE),
                    "bar {b} beat {beat}"
                );
            }
        }
        assert_eq!(count(&sparse, gm::CRASH), 1);
    }

    #[test]
    fn fills_and_crashes_follow_phrases() {
        let c = ctx("rock", "4/4", 8, 0.5);
        let with = generate(&c, 4).expect("drums");
        let toms = |notes: &[Note], bar: u32| {
            notes
                .iter()
                .filter(|n| n.start / 1920 == bar)
                .filter(|n| {
                    matches!(n.pitch.as_int(), 41 | 45 | 47 | 50) || n.pitch.as_int() == gm::SNARE
                })
                .count()
        };
        let without = generate(&c, 0).expect("drums");
        assert!(toms(&with, 3) > toms(&without, 3));
        assert_eq!(count(&with, gm::CRASH), 2, "bars 0 and 4");
        assert_eq!(count(&without, gm::CRASH), 1);
    }

    #[test]
    fn six_eight_ballad_hats_on_eighths() {
        let notes = generate(&ctx("ballad-6/8", "6/8", 1, 1.0), 0).expect("drums");
        let hats: Vec<u32> = notes
            .iter()
            .filter(|n| n.pitch.as_int() == gm::CLOSED_HAT)
            .map(|n| n.start)
            .collect();
        assert!(hats.iter().all(|t| t % 240 == 0), "{hats:?}");
        // A duple style in 7/8 keeps hats on the eighth grid.
        let notes = generate(&ctx("rock", "7/8", 1, 1.0), 0).expect("drums");
        assert!(notes
            .iter()
            .filter(|n| n.pitch.as_int() == gm::CLOSED_HAT)
            .all(|n| n.start % 120 == 0));
    }

    #[test]
    fn unknown_style_lists_names() {
        let err = generate(&ctx("polka", "4/4", 1, 0.5), 0).expect_err("unknown");
        match err {
            PartError::UnknownStyle { known, .. } => {
                assert!(known.contains("bossa") && known.contains("trap"))
            }
            e => panic!("{e}"),
        }
        assert!(styles().len() >= 12);
        assert!(styles().contains(&crate::arrange::default_style(crate::clip::PartKind::Drums)));
    }
}
