//! Section lanes above the piano roll (one block per section of the song, on the roll's time
//! axis) and the selected section's actions: regenerate, lock, export. GUI thread only.

use super::action::Action;
use bandmate_engine::clip::Clip;
use bandmate_engine::song::SongPlan;
use egui::{Align2, Color32, FontId, Pos2, Rect, RichText, Sense, Stroke, StrokeKind, Ui, Vec2};

/// Height of the lane strip (logical pixels).
const LANE_H: f32 = 24.0;
/// Horizontal inset matching the piano roll's grid.
const INSET: f32 = 4.0;

/// The colour of a section kind by its name.
pub fn color(name: &str) -> Color32 {
    match name {
        "intro" | "outro" => Color32::from_rgb(110, 120, 140),
        "verse" | "a" => Color32::from_rgb(70, 130, 200),
        "pre" | "pre-chorus" | "prechorus" | "build" => Color32::from_rgb(150, 110, 200),
        "chorus" | "drop" => Color32::from_rgb(220, 120, 60),
        "bridge" | "b" => Color32::from_rgb(70, 170, 140),
        "solo" | "instrumental" => Color32::from_rgb(200, 170, 60),
        _ => Color32::from_rgb(120, 120, 120),
    }
}

/// Draws the lanes of `clip`'s sections; returns what a click (select), a drag (drag the
/// section's file out, with `can_hand_off`) or the context menu (copy, export) asked for.
/// `playhead` in quarter notes (wrapped to the clip) marks the section playing.
pub fn lanes(
    ui: &mut Ui,
    clip: &Clip,
    selected: Option<usize>,
    plan: Option<&SongPlan>,
    playhead: Option<f64>,
    can_hand_off: bool,
) -> Option<Action> {
    if clip.sections.is_empty() || clip.bars == 0 {
        return None;
    }
    let width = ui.available_width().max(200.0);
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(width, LANE_H), Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    let (left, right) = (rect.left() + INSET, rect.right() - INSET);
    let x_of = |bar: u32| left + (right - left) * bar as f32 / clip.bars as f32;
    let playing_bar = playhead.filter(|q| q.is_finite()).map(|q| {
        let len = clip.length_quarters().max(f64::EPSILON);
        (q.rem_euclid(len) / clip.meter.quarters_per_bar()) as u32
    });
    let bar_at = |x: f32| ((x - left) / (right - left).max(1.0) * clip.bars as f32).max(0.0) as u32;
    let under = |p: Option<Pos2>| {
        p.and_then(|p| {
            clip.sections
                .iter()
                .position(|s| s.contains_bar(bar_at(p.x)))
        })
    };
    let mut action = None;
    for (i, s) in clip.sections.iter().enumerate() {
        let r = Rect::from_min_max(
            Pos2::new(x_of(s.start_bar) + 1.0, rect.top() + 2.0),
            Pos2::new(x_of(s.end_bar()) - 1.0, rect.bottom() - 2.0),
        );
        let playing = playing_bar.is_some_and(|b| s.contains_bar(b));
        let fill = color(&s.name).gamma_multiply(if playing { 1.0 } else { 0.7 });
        painter.rect_filled(r, 3.0, fill);
        if selected == Some(i) {
            painter.rect_stroke(r, 3.0, Stroke::new(2.0, Color32::WHITE), StrokeKind::Inside);
        }
        let locked = plan.is_some_and(|p| p.is_locked(&s.name, s.bars));
        let text = if locked {
            format!("{} (locked)", s.label)
        } else {
            s.label.clone()
        };
        ui.painter_at(r).text(
            Pos2::new(r.left() + 4.0, r.center().y),
            Align2::LEFT_CENTER,
            text,
            FontId::proportional(12.0),
            Color32::WHITE,
        );
    }
    if response.clicked() {
        action = under(response.interact_pointer_pos()).map(|i| Action::SelectSection(Some(i)));
    }
    if can_hand_off && response.drag_started() {
        action = under(response.interact_pointer_pos()).map(Action::DragSection);
    }
    if can_hand_off && response.hovered() && !response.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Grab);
    }
    let menu_for = under(response.hover_pos()).or(selected);
    response
        .on_hover_text("Click a section to select it; drag it into the DAW; right-click to copy")
        .context_menu(|ui| {
            let Some(i) = menu_for else { return };
            if ui
                .add_enabled(can_hand_off, egui::Button::new("Copy section"))
                .clicked()
            {
                action = Some(Action::CopySection(i));
                ui.close();
            }
            if ui.button("Export section").clicked() {
                action = Some(Action::ExportSection(i));
                ui.close();
            }
        });
    action
}

/// The selected section's line: what it is and its actions.
pub fn toolbar(
    ui: &mut Ui,
    clip: &Clip,
    selected: usize,
    plan: Option<&SongPlan>,
) -> Option<Action> {
    let s = clip.sections.get(selected)?;
    let locked = plan.is_some_and(|p| p.is_locked(&s.name, s.bars));
    let repeats = clip
        .sections
        .iter()
        .filter(|x| x.name == s.name && x.bars == s.bars)
        .count();
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&s.label).strong().color(color(&s.name)))
            .on_hover_text(format!("seed {}", s.seed));
        ui.weak(format!(
            "bars {}–{} · energy {:.2}{}",
            s.start_bar + 1,
            s.end_bar(),
            s.energy,
            if repeats > 1 {
                format!(" · played {repeats}×")
            } else {
                String::new()
            }
        ));
        if ui
            .add_enabled(!locked, egui::Button::new("Regenerate section"))
            .on_hover_text("New chords and parts for this section and its repeats; the rest stays")
            .clicked()
        {
            action = Some(Action::RegenerateSection(selected));
        }
        let lock_text = if locked { "Unlock" } else { "Lock" };
        if ui
            .button(lock_text)
            .on_hover_text("A locked section (and its repeats) is kept when you press Generate")
            .clicked()
        {
            action = Some(Action::LockSection(selected, !locked));
        }
        if ui
            .button("Export section")
            .on_hover_text("This section alone as a .mid")
            .clicked()
        {
            action = Some(Action::ExportSection(selected));
        }
        if ui.small_button("x").on_hover_text("Deselect").clicked() {
            action = Some(Action::SelectSection(None));
        }
    });
    action
}
