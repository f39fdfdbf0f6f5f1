//! The prompt box at the top of the editor: a text prompt, "Apply" (fills the parameters through
//! the host) and "Generate" (fills them and makes a new clip), and what the prompt was read as.
//! GUI thread.

use super::action::Action;
use super::theme;
use egui::{RichText, Ui};

/// The box's state while the window is open.
#[derive(Default)]
pub struct PromptBox {
    pub text: String,
    /// What the last prompt was read as, one line each.
    pub report: Vec<String>,
    /// Settings the plugin could not take.
    pub not_applied: Vec<String>,
}

/// Shows the box; returns the button clicked (Enter in the box is "Apply").
pub fn show(ui: &mut Ui, state: &mut PromptBox, busy: bool) -> Option<Action> {
    let mut action = None;
    ui.add_space(3.0);
    ui.horizontal(|ui| {
        ui.strong("Describe it");
        let edit = egui::TextEdit::singleline(&mut state.text)
            .hint_text("e.g. moody lo-fi in F minor, lazy swing, walking bass, 8 bars")
            .desired_width(ui.available_width() - 190.0);
        let r = ui.add(edit);
        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            action = Some(Action::Prompt { generate: false });
        }
        if ui
            .button("Apply")
            .on_hover_text("Sets the parameters the prompt names (undoable in the host)")
            .clicked()
        {
            action = Some(Action::Prompt { generate: false });
        }
        if ui
            .add_enabled(!busy, egui::Button::new(RichText::new("Generate").strong()))
            .on_hover_text("Sets the parameters, then makes a new clip with a new seed")
            .clicked()
        {
            action = Some(Action::Prompt { generate: true });
        }
    });
    if !state.report.is_empty() || !state.not_applied.is_empty() {
        egui::CollapsingHeader::new(RichText::new("Understood").small())
            .id_salt("prompt-report")
            .default_open(true)
            .show(ui, |ui| {
                for line in &state.report {
                    ui.monospace(line);
                }
                for line in &state.not_applied {
                    ui.colored_label(theme::WARN, format!("not applied: {line}"));
                }
            });
    }
    ui.add_space(2.0);
    action
}
