//! The parameter panel: host parameters in groups (live, key and form, harmony, parts, groove,
//! playback). Every change goes through the host (`ParamSetter`), so it is automatable, undoable
//! in the host and saved with the project; buttons return [`Action`]s. GUI thread.

use super::action::Action;
use super::theme::{part_color, title};
use crate::params::BandmateParams;
use bandmate_engine::clip::PartKind;
use bandmate_engine::theory::Key;
use egui::{CollapsingHeader, ComboBox, Grid, RichText, Ui};
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;

/// What the panel shows besides the parameters.
pub struct View {
    /// The detected key of the input and its confidence.
    pub detected: Option<(Key, f32)>,
    /// The key being followed (key source "detected").
    pub followed: Option<Key>,
    pub has_clip: bool,
    pub live: super::live_panel::LiveStatus,
}

/// Width of the parameter sliders (logical pixels).
const SLIDER_W: f32 = 150.0;

/// A drop-down of every value of a stepped parameter (enums).
pub fn combo<P: Param>(ui: &mut Ui, setter: &ParamSetter, param: &P) {
    let steps = param.step_count().unwrap_or(1).max(1);
    let current = param.unmodulated_normalized_value();
    let text = param.normalized_value_to_string(current, true);
    ComboBox::from_id_salt(param.name())
        .width(SLIDER_W)
        .selected_text(text)
        .show_ui(ui, |ui| {
            for i in 0..=steps {
                let n = i as f32 / steps as f32;
                let selected = (current - n).abs() < 0.5 / steps as f32;
                if ui
                    .selectable_label(selected, param.normalized_value_to_string(n, true))
                    .clicked()
                    && !selected
                {
                    setter.begin_set_parameter(param);
                    setter.set_parameter_normalized(param, n);
                    setter.end_set_parameter(param);
                }
            }
        });
}

/// A checkbox for a boolean parameter; `label` replaces the parameter's name.
pub fn check(ui: &mut Ui, setter: &ParamSetter, param: &BoolParam, label: &str) -> egui::Response {
    let mut v = param.value();
    let r = ui.checkbox(&mut v, label);
    if r.changed() {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, v);
        setter.end_set_parameter(param);
    }
    r
}

/// A small draggable number for an integer parameter; `plus` prefixes positive values.
fn int_drag(
    ui: &mut Ui,
    setter: &ParamSetter,
    param: &IntParam,
    range: std::ops::RangeInclusive<i32>,
    plus: &str,
) {
    let mut v = param.value();
    let plus = plus.to_owned();
    let r = ui.add(
        egui::DragValue::new(&mut v)
            .range(range)
            .speed(0.05)
            .custom_formatter(move |n, _| {
                if n > 0.0 && !plus.is_empty() {
                    format!("+{n:.0}")
                } else {
                    format!("{n:.0}")
                }
            }),
    );
    if r.drag_started() {
        setter.begin_set_parameter(param);
    }
    if r.changed() {
        if !r.dragged() {
            setter.begin_set_parameter(param);
        }
        setter.set_parameter(param, v);
        if !r.dragged() {
            setter.end_set_parameter(param);
        }
    }
    if r.drag_stopped() {
        setter.end_set_parameter(param);
    }
}

fn slider<P: Param>(ui: &mut Ui, setter: &ParamSetter, param: &P) {
    ui.add(ParamSlider::for_param(param, setter).with_width(SLIDER_W));
}

fn row(ui: &mut Ui, label: &str, add: impl FnOnce(&mut Ui)) {
    ui.label(label);
    add(ui);
    ui.end_row();
}

/// The whole parameter panel; returns the buttons clicked.
pub fn show(ui: &mut Ui, setter: &ParamSetter, p: &BandmateParams, view: &View) -> Vec<Action> {
    let mut actions = Vec::new();
    super::live_panel::show(ui, setter, p, &view.live);
    {
        CollapsingHeader::new(RichText::new("Key & form").strong())
            .default_open(true)
            .show(ui, |ui| {
                Grid::new("key")
                    .num_columns(2)
                    .min_col_width(110.0)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        row(ui, "Key source", |ui| combo(ui, setter, &p.key_source));
                        row(ui, "Key", |ui| combo(ui, setter, &p.tonic));
                        row(ui, "Mode", |ui| combo(ui, setter, &p.mode));
                        row(ui, "Heard", |ui| {
                            match view.detected {
                                Some((key, c)) => {
                                    ui.label(format!("{key} ({:.0}% sure)", c * 100.0))
                                }
                                None => ui.weak("no key detected yet (play some notes)"),
                            };
                        });
                        if let Some(key) = view.followed {
                            row(ui, "Following", |ui| {
                                ui.label(key.to_string());
                            });
                        }
                        row(ui, "Time signature", |ui| combo(ui, setter, &p.meter));
                        row(ui, "Bars", |ui| slider(ui, setter, &p.bars));
                        row(ui, "Harmonic rhythm", |ui| {
                            combo(ui, setter, &p.harmonic_rhythm)
                        });
                    });
            });
        CollapsingHeader::new(RichText::new("Harmony & style").strong())
            .default_open(true)
            .show(ui, |ui| {
                Grid::new("harmony")
                    .num_columns(2)
                    .min_col_width(110.0)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        row(ui, "Source", |ui| combo(ui, setter, &p.source));
                        row(ui, "Style", |ui| combo(ui, setter, &p.style));
                        row(ui, "Complexity", |ui| slider(ui, setter, &p.complexity));
                        row(ui, "Adventure", |ui| slider(ui, setter, &p.adventure));
                        row(ui, "Seed", |ui| {
                            ui.horizontal(|ui| {
                                ui.add(
                                    ParamSlider::for_param(&p.seed, setter)
                                        .with_width(SLIDER_W - 40.0),
                                );
                                if ui
                                    .button("Dice")
                                    .on_hover_text("Random seed (makes a new clip)")
                                    .clicked()
                                {
                                    actions.push(Action::Dice);
                                }
                            });
                        });
                    });
            });
        CollapsingHeader::new(RichText::new("Parts").strong())
            .default_open(true)
            .show(ui, |ui| {
                Grid::new("parts")
                    .num_columns(5)
                    .spacing([6.0, 4.0])
                    .show(ui, |ui| {
                        ui.strong("Part");
                        ui.strong("Lock");
                        ui.strong("Ch");
                        ui.strong("Oct");
                        ui.strong("");
                        ui.end_row();
                        for pp in p.parts() {
                            let color = part_color(pp.kind);
                            let mut on = pp.enabled.value();
                            if ui
                                .checkbox(&mut on, RichText::new(title(pp.kind)).color(color))
                                .changed()
                            {
                                setter.begin_set_parameter(&pp.enabled);
                                setter.set_parameter(&pp.enabled, on);
                                setter.end_set_parameter(&pp.enabled);
                            }
                            check(ui, setter, &pp.locked, "")
                                .on_hover_text("Locked parts keep their notes when you generate");
                            int_drag(ui, setter, &pp.channel, 1..=16, "");
                            int_drag(ui, setter, &pp.octave, -3..=3, "+");
                            let can = on && !pp.locked.value() && view.has_clip;
                            if ui
                                .add_enabled(can, egui::Button::new("New"))
                                .on_hover_text(if pp.kind == PartKind::Melody {
                                    "New melody (keeps the other parts; chord and keys notes \
                                     it would cover move an octave down)"
                                        .to_string()
                                } else {
                                    format!("New {} (keeps the other parts)", pp.kind.name())
                                })
                                .clicked()
                            {
                                actions.push(Action::Regenerate(pp.kind));
                            }
                            ui.end_row();
                        }
                    });
                ui.weak("Ch = MIDI channel, Oct = octave shift (drag or double-click to type)");
            });
        CollapsingHeader::new(RichText::new("Groove").strong())
            .default_open(true)
            .show(ui, |ui| {
                Grid::new("groove")
                    .num_columns(2)
                    .min_col_width(110.0)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        row(ui, "Drum style", |ui| combo(ui, setter, &p.drum_style));
                        row(ui, "Bass style", |ui| combo(ui, setter, &p.bass_style));
                        row(ui, "Density", |ui| slider(ui, setter, &p.density));
                        row(ui, "Swing", |ui| slider(ui, setter, &p.swing));
                        row(ui, "Humanize", |ui| slider(ui, setter, &p.humanize));
                        row(ui, "Fill every", |ui| slider(ui, setter, &p.fill_every));
                    });
                ui.weak(bandmate_engine::drums::catalog::about());
            });
        CollapsingHeader::new(RichText::new("Playback").strong())
            .default_open(false)
            .show(ui, |ui| {
                Grid::new("playback")
                    .num_columns(2)
                    .min_col_width(110.0)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        row(ui, "MIDI thru", |ui| {
                            check(ui, setter, &p.midi_thru, "");
                        });
                        row(ui, "Free run", |ui| {
                            check(ui, setter, &p.free_run, "");
                        });
                        row(ui, "Free-run tempo", |ui| slider(ui, setter, &p.free_tempo));
                    });
            });
    }
    actions
}
