//! Colours, names and the message strip shared by the editor's views. GUI thread.

use bandmate_engine::clip::PartKind;
use egui::{Color32, RichText, Ui};

pub use crate::params::part_title as title;

/// Success ("Ready", "Wrote").
pub const GOOD: Color32 = Color32::from_rgb(90, 210, 120);
/// Warnings (fallbacks, partly read state).
pub const WARN: Color32 = Color32::from_rgb(240, 190, 60);
/// Errors.
pub const BAD: Color32 = Color32::from_rgb(255, 100, 100);
/// The playhead.
pub const PLAYHEAD: Color32 = Color32::from_rgb(255, 80, 80);

/// The colour of a part, used in the roll, the legend and the parts list.
pub fn part_color(kind: PartKind) -> Color32 {
    match kind {
        PartKind::Chords => Color32::from_rgb(90, 160, 255),
        PartKind::Melody => Color32::from_rgb(255, 170, 60),
        PartKind::Bass => Color32::from_rgb(90, 210, 120),
        PartKind::Keys => Color32::from_rgb(200, 130, 255),
        PartKind::Drums => Color32::from_rgb(235, 95, 95),
    }
}

/// A coloured message strip; with `dismissable`, a button whose click is returned.
pub fn banner(ui: &mut Ui, color: Color32, text: &str, dismissable: bool) -> bool {
    let mut clicked = false;
    egui::Frame::new()
        .fill(color.gamma_multiply(0.18))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("!").strong().color(color));
                ui.label(text);
                if dismissable
                    && ui
                        .small_button("Dismiss")
                        .on_hover_text("Dismiss")
                        .clicked()
                {
                    clicked = true;
                }
            });
        });
    ui.add_space(4.0);
    clicked
}
