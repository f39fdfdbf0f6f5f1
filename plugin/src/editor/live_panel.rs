//! The live panel: the live switch, mode, phrase length and silence behaviour (host
//! parameters), what was heard (chord, key, energy) and a waterfall of what comes next (the
//! band's next chords and phrase, nearest first). GUI thread.

use super::panel::{check, combo};
use crate::live::LiveView;
use crate::params::BandmateParams;
use egui::{CollapsingHeader, Grid, RichText, Ui};
use nice_plug::prelude::*;

/// Live state for one frame of the panel.
#[derive(Debug, Clone, Default)]
pub struct LiveStatus {
    pub view: LiveView,
    /// Boundaries whose material came late, since the plugin started.
    pub missed: u64,
}

fn row<R>(ui: &mut Ui, label: &str, add: impl FnOnce(&mut Ui) -> R) {
    ui.label(label);
    add(ui);
    ui.end_row();
}

/// The "Live" group.
pub fn show(ui: &mut Ui, setter: &ParamSetter, p: &BandmateParams, st: &LiveStatus) {
    CollapsingHeader::new(RichText::new("Live").strong())
        .default_open(true)
        .show(ui, |ui| {
            Grid::new("live")
                .num_columns(2)
                .min_col_width(110.0)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    row(ui, "Live", |ui| {
                        check(ui, setter, &p.live, "")
                            .on_hover_text("The band plays along with what you play");
                    });
                    row(ui, "Mode", |ui| combo(ui, setter, &p.live_mode));
                    row(ui, "Phrase", |ui| combo(ui, setter, &p.live_phrase));
                    row(ui, "On silence", |ui| combo(ui, setter, &p.live_silence));
                    if !p.live.value() {
                        return;
                    }
                    let v = &st.view;
                    row(ui, "Heard chord", |ui| match v.chord {
                        Some(c) => ui.label(RichText::new(c.to_string()).strong()),
                        None => ui.weak("hold a chord"),
                    });
                    row(ui, "Heard key", |ui| match v.key {
                        Some(k) => ui.label(k.to_string()),
                        None => ui.weak("-"),
                    });
                    row(ui, "Energy", |ui| {
                        ui.label(format!(
                            "{:.1} notes/beat, velocity {}",
                            v.energy.notes_per_beat, v.energy.velocity
                        ))
                    });
                    row(ui, "Late boundaries", |ui| ui.label(st.missed.to_string()));
                });
            if !p.live.value() {
                return;
            }
            ui.label(RichText::new("Coming up").weak());
            // The waterfall: the next chords, nearest on top, fading as they get further.
            for (i, (bar, beat, chord)) in st.view.upcoming.iter().enumerate() {
                let alpha = 255u8.saturating_sub(i as u8 * 24);
                let color = egui::Color32::from_white_alpha(alpha);
                ui.label(
                    RichText::new(format!("bar {:>3}.{beat}  {chord}", bar + 1))
                        .monospace()
                        .color(color),
                );
            }
            if let Some((bar, notes)) = st.view.next_phrase {
                ui.label(format!("phrase at bar {}: {notes} notes", bar + 1));
            }
        });
}
