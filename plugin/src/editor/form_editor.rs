//! The song-form editor: song form on or off, a preset to start from, and the sections in
//! order (kind, bars, energy) to add, remove, reorder and resize. Edits stay in a draft until
//! "Apply" sends the form to the worker. GUI thread only.

use super::action::Action;
use bandmate_engine::form::{Form, PRESETS};
use egui::{ComboBox, DragValue, RichText, Slider, Ui};

/// Section names offered for a new or changed section (all accepted by `Form::parse`).
const KINDS: &[&str] = &[
    "intro",
    "verse",
    "pre",
    "chorus",
    "bridge",
    "solo",
    "breakdown",
    "outro",
    "a",
    "b",
];
/// Longest section the editor offers, in bars.
const MAX_BARS: u32 = 64;

/// One section being edited.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub bars: u32,
    pub energy: f32,
}

/// The form as edited: the rows and the preset they were loaded from (kept as the preset's name
/// while unchanged, so its fixed progressions stay).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub rows: Vec<Row>,
    pub preset: Option<&'static str>,
    /// The form text this draft was loaded from.
    pub source: Option<String>,
}

impl Draft {
    /// The draft of a form text (a preset name or sections); empty when it does not parse.
    pub fn load(text: &str) -> Draft {
        let rows = Form::parse(text)
            .map(|f| {
                f.sections
                    .iter()
                    .map(|s| Row {
                        name: s.name.clone(),
                        bars: s.bars,
                        energy: s.energy,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Draft {
            rows,
            preset: PRESETS
                .iter()
                .find(|p| p.name == text.trim())
                .map(|p| p.name),
            source: Some(text.to_string()),
        }
    }

    /// The form text to send: the preset's name while the rows are still the preset's, else
    /// `name:bars@energy` per row.
    pub fn text(&self) -> String {
        if let Some(p) = self.preset {
            if Draft::load(p).rows == self.rows {
                return p.to_string();
            }
        }
        self.rows
            .iter()
            .map(|r| format!("{}:{}@{:.2}", r.name, r.bars, r.energy))
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn total_bars(&self) -> u32 {
        self.rows.iter().map(|r| r.bars).sum()
    }
}

/// Draws the editor for `draft`; `plan` is the form the song has now (`None`: song form off).
/// Returns what to send.
pub fn show(ui: &mut Ui, draft: &mut Draft, plan: Option<&str>) -> Option<Action> {
    let mut action = None;
    let stale = match plan {
        Some(p) => draft.source.as_deref() != Some(p),
        None => draft.rows.is_empty(),
    };
    if stale {
        *draft = Draft::load(plan.unwrap_or("pop"));
    }
    ui.horizontal(|ui| {
        let mut on = plan.is_some();
        if ui
            .checkbox(&mut on, "Song form")
            .on_hover_text("Off: one loop of the bars above. On: the sections below")
            .changed()
        {
            action = Some(Action::SetForm(on.then(|| draft.text())));
        }
        ComboBox::from_id_salt("form-preset")
            .selected_text(draft.preset.unwrap_or("preset…"))
            .show_ui(ui, |ui| {
                for p in PRESETS {
                    if ui
                        .selectable_label(draft.preset == Some(p.name), p.name)
                        .on_hover_text(p.description)
                        .clicked()
                    {
                        // Kept as the draft until applied (not reloaded from the song's form).
                        *draft = Draft::load(p.name);
                        draft.source = plan.map(str::to_string);
                    }
                }
            });
    });
    let mut remove = None;
    let mut swap = None;
    let n = draft.rows.len();
    for (i, row) in draft.rows.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ComboBox::from_id_salt(("form-kind", i))
                .width(86.0)
                .selected_text(row.name.as_str())
                .show_ui(ui, |ui| {
                    for k in KINDS {
                        ui.selectable_value(&mut row.name, (*k).to_string(), *k);
                    }
                });
            ui.add(
                DragValue::new(&mut row.bars)
                    .range(1..=MAX_BARS)
                    .suffix(" bars"),
            );
            ui.add(Slider::new(&mut row.energy, 0.0..=1.0).show_value(false))
                .on_hover_text(format!("energy {:.2}", row.energy));
            if ui
                .add_enabled(i > 0, egui::Button::new("^").small())
                .on_hover_text("Move up")
                .clicked()
            {
                swap = Some((i - 1, i));
            }
            if ui
                .add_enabled(i + 1 < n, egui::Button::new("v").small())
                .on_hover_text("Move down")
                .clicked()
            {
                swap = Some((i, i + 1));
            }
            if ui
                .add_enabled(n > 1, egui::Button::new("x").small())
                .on_hover_text("Remove this section")
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some((a, b)) = swap {
        draft.rows.swap(a, b);
    }
    if let Some(i) = remove {
        draft.rows.remove(i);
    }
    ui.horizontal(|ui| {
        if ui.button("+ Section").clicked() {
            let last = draft.rows.last().cloned().unwrap_or(Row {
                name: "verse".into(),
                bars: 8,
                energy: 0.5,
            });
            draft.rows.push(last);
        }
        let total = draft.total_bars();
        let valid = Form::parse(&draft.text());
        let apply = egui::Button::new(RichText::new("Apply form").strong());
        let hover = match &valid {
            Ok(_) => format!("Make the song: {total} bars"),
            Err(e) => e.to_string(),
        };
        if ui
            .add_enabled(valid.is_ok(), apply)
            .on_hover_text(hover)
            .clicked()
        {
            action = Some(Action::SetForm(Some(draft.text())));
        }
        ui.weak(format!("{total} bars"));
    });
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_preset_is_sent_by_name_and_an_edited_one_as_sections() {
        let mut d = Draft::load("blues");
        assert_eq!(d.text(), "blues", "keeps the preset's fixed progressions");
        d.rows[0].bars = 8;
        let text = d.text();
        assert!(text.starts_with("verse:8@0.50 verse:12@0.70"), "{text}");
        let f = Form::parse(&text).expect("the editor's text parses");
        assert_eq!(f.total_bars(), 8 + 12 + 12);
    }

    #[test]
    fn every_offered_kind_parses() {
        for k in KINDS {
            assert!(Form::parse(&format!("{k}:4")).is_ok(), "{k}");
        }
    }

    #[test]
    fn a_bad_form_text_loads_as_an_empty_draft() {
        let d = Draft::load("verse:0");
        assert!(d.rows.is_empty());
        assert_eq!(Draft::load("verse:4 chorus:8@0.9").total_bars(), 12);
    }
}
