//! The piano roll: the current clip drawn with one colour per part, chord names above the
//! grid, bar and beat lines in the clip's meter (the host's when the time signature parameter is
//! "Host") and the playhead from the host transport. The roll and the legend's parts can be
//! dragged into other applications (see [`super::drag`]). GUI thread.

use super::action::{chip_action, Action};
use super::theme::{self, part_color};
use bandmate_engine::clip::{Clip, PartKind, TICKS_PER_QUARTER};
use egui::{Align2, FontId, Pos2, Rect, Sense, Stroke, StrokeKind, Ui, Vec2};

/// Height of the chord-name strip (logical pixels).
const CHORD_STRIP: f32 = 22.0;
/// Share of the grid height given to the drum lane when there are drums.
const DRUM_SHARE: f32 = 0.22;

/// Pitch range (low, high inclusive) of the pitched parts, padded; `None` without notes.
pub fn pitch_range(clip: &Clip) -> Option<(u8, u8)> {
    let pitches = clip
        .parts
        .iter()
        .filter(|p| p.kind != PartKind::Drums)
        .flat_map(|p| p.notes.iter().map(|n| n.pitch.as_int()));
    let (lo, hi) = pitches.fold((u8::MAX, 0u8), |(lo, hi), p| (lo.min(p), hi.max(p)));
    (lo <= hi).then(|| (lo.saturating_sub(2), hi.saturating_add(2).min(127)))
}

/// Draws the roll filling the available space. `playhead` is in quarter notes from the clip
/// start (wrapped to the clip length). Dragging the roll drags the whole clip (when
/// `can_hand_off`); its context menu copies or exports it.
pub fn show(
    ui: &mut Ui,
    clip: Option<&Clip>,
    playhead: Option<f64>,
    can_hand_off: bool,
) -> Option<Action> {
    let size = ui.available_size().max(Vec2::new(200.0, 120.0));
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let action = clip
        .is_some()
        .then(|| chip_action(&response, None, can_hand_off, false))
        .flatten();
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    painter.rect_filled(rect, 4.0, visuals.extreme_bg_color);
    let Some(clip) = clip.filter(|c| c.length_ticks() > 0) else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "No clip yet: press Generate",
            FontId::proportional(16.0),
            visuals.weak_text_color(),
        );
        return action;
    };
    let text_color = visuals.text_color();
    let grid = Rect::from_min_max(
        Pos2::new(rect.left() + 4.0, rect.top() + CHORD_STRIP),
        Pos2::new(rect.right() - 4.0, rect.bottom() - 4.0),
    );
    let len = clip.length_ticks() as f32;
    let x_of = |tick: u32| grid.left() + grid.width() * tick as f32 / len;

    // Lanes: pitched parts above, drums below.
    let has_drums = clip
        .part(PartKind::Drums)
        .is_some_and(|p| !p.notes.is_empty());
    let drum_h = if has_drums {
        grid.height() * DRUM_SHARE
    } else {
        0.0
    };
    let pitched = Rect::from_min_max(grid.min, Pos2::new(grid.right(), grid.bottom() - drum_h));
    let drums = Rect::from_min_max(Pos2::new(grid.left(), pitched.bottom()), grid.max);

    // Octave shading (every C) for orientation.
    let (lo, hi) = pitch_range(clip).unwrap_or((48, 72));
    let rows = f32::from(hi - lo + 1);
    let row_h = pitched.height() / rows;
    let y_of = |pitch: u8| pitched.bottom() - (f32::from(pitch.saturating_sub(lo)) + 1.0) * row_h;
    for p in lo..=hi {
        if p % 12 == 0 {
            let y = y_of(p) + row_h;
            painter.line_segment(
                [Pos2::new(grid.left(), y), Pos2::new(grid.right(), y)],
                Stroke::new(1.0, visuals.faint_bg_color),
            );
            if row_h * 12.0 > 30.0 {
                painter.text(
                    Pos2::new(grid.left() + 2.0, y - 2.0),
                    Align2::LEFT_BOTTOM,
                    format!("C{}", i32::from(p) / 12 - 1),
                    FontId::proportional(10.0),
                    visuals.weak_text_color(),
                );
            }
        }
    }
    if has_drums {
        painter.rect_filled(drums, 0.0, visuals.faint_bg_color);
    }

    // Beats and bars in the clip's meter.
    let bar = clip.bar_ticks().max(1);
    let beat = clip.meter.beat_ticks(TICKS_PER_QUARTER).max(1);
    let weak = visuals.weak_text_color().gamma_multiply(0.25);
    let strong = visuals.weak_text_color().gamma_multiply(0.8);
    // Bar numbers every `label_every` bars, so a long song's numbers do not overlap.
    let bar_px = grid.width() * bar as f32 / len;
    let label_every = [1u32, 2, 4, 8, 16, 32]
        .into_iter()
        .find(|k| bar_px * *k as f32 >= 18.0)
        .unwrap_or(64);
    // Beat lines only where beats are at least 3 px apart.
    let beat_step = if grid.width() * beat as f32 / len >= 3.0 {
        beat
    } else {
        bar
    };
    let mut t = 0;
    while t <= clip.length_ticks() {
        let x = x_of(t);
        let stroke = if t % bar == 0 {
            Stroke::new(1.5, strong)
        } else {
            Stroke::new(1.0, weak)
        };
        painter.line_segment(
            [Pos2::new(x, grid.top()), Pos2::new(x, grid.bottom())],
            stroke,
        );
        if t % bar == 0 && t < clip.length_ticks() && (t / bar) % label_every == 0 {
            painter.text(
                Pos2::new(x + 3.0, grid.top() + 2.0),
                Align2::LEFT_TOP,
                format!("{}", t / bar + 1),
                FontId::proportional(10.0),
                visuals.weak_text_color(),
            );
        }
        t += beat_step;
    }

    // Chord names above the grid.
    for c in &clip.chords {
        let x0 = x_of(c.start);
        let x1 = x_of(c.end());
        painter.line_segment(
            [Pos2::new(x0, rect.top() + 2.0), Pos2::new(x0, grid.top())],
            Stroke::new(1.0, strong),
        );
        let name = c.chord.symbol_in(clip.key);
        let clip_rect = Rect::from_min_max(Pos2::new(x0, rect.top()), Pos2::new(x1, grid.top()));
        ui.painter_at(clip_rect.intersect(rect)).text(
            Pos2::new(x0 + 4.0, rect.top() + 3.0),
            Align2::LEFT_TOP,
            name,
            FontId::proportional(14.0),
            text_color,
        );
    }

    // Drum lane: one row per drum sound used, lowest note at the bottom.
    let mut drum_keys: Vec<u8> = clip
        .part(PartKind::Drums)
        .map(|p| p.notes.iter().map(|n| n.pitch.as_int()).collect())
        .unwrap_or_default();
    drum_keys.sort_unstable();
    drum_keys.dedup();
    let drum_row = drums.height() / drum_keys.len().max(1) as f32;

    // Notes.
    for part in &clip.parts {
        let color = part_color(part.kind);
        for n in &part.notes {
            let (x0, x1) = (x_of(n.start), x_of(n.end()).max(x_of(n.start) + 2.0));
            let r = if part.kind == PartKind::Drums {
                let row = drum_keys.binary_search(&n.pitch.as_int()).unwrap_or(0) as f32;
                let y = drums.bottom() - (row + 1.0) * drum_row;
                Rect::from_min_max(
                    Pos2::new(x0, y + 0.5),
                    Pos2::new(x1.min(x0 + 6.0), y + drum_row.max(2.0) - 0.5),
                )
            } else {
                let y = y_of(n.pitch.as_int());
                Rect::from_min_max(
                    Pos2::new(x0, y + 0.5),
                    Pos2::new(x1 - 0.5, y + row_h.max(2.0) - 0.5),
                )
            };
            let alpha = 0.55 + 0.45 * f32::from(n.velocity.as_int()) / 127.0;
            painter.rect_filled(r, 1.5, color.gamma_multiply(alpha));
        }
    }
    painter.rect_stroke(grid, 2.0, Stroke::new(1.0, strong), StrokeKind::Inside);

    // Playhead.
    if let Some(q) = playhead.filter(|q| q.is_finite()) {
        let len_q = clip.length_quarters();
        let q = q.rem_euclid(len_q.max(f64::EPSILON));
        let x = grid.left() + grid.width() * (q / len_q) as f32;
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, grid.bottom())],
            Stroke::new(2.0, theme::PLAYHEAD),
        );
    }
    action
}

/// A legend of the parts in the clip with their colours, note counts and channels, then the
/// clip's key, meter and length and `transport` (how playback is clocked). Each part can be
/// dragged (when `can_hand_off`), clicked to export, or copied from its context menu.
pub fn legend(
    ui: &mut Ui,
    clip: Option<&Clip>,
    transport: &str,
    can_hand_off: bool,
) -> Option<Action> {
    let Some(clip) = clip else {
        ui.weak(transport);
        return None;
    };
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        for p in &clip.parts {
            let chip = ui.horizontal(|ui| {
                let (r, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
                ui.painter().rect_filled(r, 2.0, part_color(p.kind));
                ui.label(format!(
                    "{} {} · ch {}",
                    theme::title(p.kind),
                    p.notes.len(),
                    p.channel.as_int() + 1
                ));
            });
            let id = ui.scope_id().with(("legend-part", p.kind.name()));
            let r = ui
                .interact(chip.response.rect, id, Sense::click_and_drag())
                .on_hover_text(format!(
                    "Drag the {} part onto a DAW track · click: export · right-click: copy",
                    p.kind.name()
                ));
            action = chip_action(&r, Some(p.kind), can_hand_off, true).or(action.take());
            ui.add_space(8.0);
        }
    });
    ui.weak(format!(
        "{} · {} · {} bars · {:.0} bpm · {transport}",
        clip.key, clip.meter, clip.bars, clip.tempo_bpm
    ));
    action
}

#[cfg(test)]
mod tests {
    use super::*;
    use bandmate_engine::arrange::{generate, Settings, Source};

    #[test]
    fn pitch_range_covers_pitched_parts_only() {
        let mut s = Settings {
            source: Source::Rules,
            ..Settings::default()
        };
        s.enable_only(&[PartKind::Chords, PartKind::Drums]);
        let clip = generate(&s).expect("clip").clip;
        let (lo, hi) = pitch_range(&clip).expect("range");
        let chords = clip.part(PartKind::Chords).expect("chords");
        assert!(chords
            .notes
            .iter()
            .all(|n| (lo..=hi).contains(&n.pitch.as_int())));
        let drums_only = Clip {
            parts: clip
                .parts
                .iter()
                .filter(|p| p.kind == PartKind::Drums)
                .cloned()
                .collect(),
            ..clip.clone()
        };
        assert_eq!(pitch_range(&drums_only), None);
    }
}
