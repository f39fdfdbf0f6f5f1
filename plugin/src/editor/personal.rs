//! The personal-style row: "Learn from folder" (a folder path and a style name; progress bar
//! and Cancel while the worker learns), a style selector and the "like my music" amount.
//! GUI thread; the learning itself runs on the worker (`Task::LearnStyle`).

use super::TaskSender;
use crate::learn::LearnState;
use crate::task::Task;
use bandmate_engine::personal::store;
use egui::Ui;
use std::sync::atomic::Ordering;

/// What the user typed and chose, kept while the window is open.
#[derive(Debug, Clone)]
pub struct Fields {
    pub folder: String,
    pub name: String,
    pub like: f32,
    /// Styles found in the data folder (read again on "Refresh" and after learning).
    pub styles: Option<Vec<String>>,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            folder: String::new(),
            name: "mine".into(),
            like: 0.8,
            styles: None,
        }
    }
}

fn list() -> Vec<String> {
    store::styles_dir().map_or_else(Vec::new, |d| store::list(&d))
}

/// Draws the row and sends the tasks it asks for.
pub fn show(ui: &mut Ui, f: &mut Fields, st: &LearnState, send: &TaskSender) {
    let chosen = st.chosen.lock().clone();
    ui.horizontal(|ui| {
        ui.strong("My style");
        let styles = f.styles.get_or_insert_with(list).clone();
        let current = chosen.as_ref().map(|c| c.0.clone());
        let mut pick = current.clone();
        egui::ComboBox::from_id_salt("personal-style")
            .selected_text(current.as_deref().unwrap_or("none"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut pick, None, "none");
                for s in &styles {
                    ui.selectable_value(&mut pick, Some(s.clone()), s.as_str());
                }
            });
        let knob = ui
            .add(egui::Slider::new(&mut f.like, 0.0..=1.0).text("like my music"))
            .on_hover_text("0 = the base models; 1 = as close to your songs as the models allow");
        if pick != current || (knob.drag_stopped() || knob.lost_focus()) && pick.is_some() {
            send(Task::SetPersonal {
                name: pick,
                like_pct: (f.like.clamp(0.0, 1.0) * 100.0).round() as u8,
            });
        }
        if ui.button("Refresh").clicked() {
            f.styles = Some(list());
        }
    });
    ui.horizontal(|ui| {
        ui.label("Learn from folder");
        ui.add(
            egui::TextEdit::singleline(&mut f.folder)
                .hint_text("/path/to/your/midi")
                .desired_width(220.0),
        );
        ui.label("as");
        ui.add(egui::TextEdit::singleline(&mut f.name).desired_width(90.0));
        match st.progress() {
            Some((done, total)) => {
                let frac = if total > 0 {
                    done as f32 / total as f32
                } else {
                    0.0
                };
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(140.0)
                        .text(format!("{done}/{total}")),
                );
                if ui.button("Cancel").clicked() {
                    st.cancel.store(true, Ordering::Relaxed);
                }
                ui.ctx().request_repaint();
            }
            None => {
                let ready = !f.folder.trim().is_empty() && store::check_name(f.name.trim()).is_ok();
                if ui.add_enabled(ready, egui::Button::new("Learn")).clicked() {
                    send(Task::LearnStyle {
                        dir: f.folder.trim().to_string(),
                        name: f.name.trim().to_string(),
                    });
                    f.styles = None;
                }
            }
        }
        let msg = st.message.lock().clone();
        if !msg.is_empty() {
            ui.label(msg);
        }
    });
}
