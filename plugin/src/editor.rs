//! The editor: an egui panel for the loop "set, generate, listen, keep or regenerate, export".
//!
//! GUI thread only. It reads the session slot (clip, history labels) and [`Shared`] (status,
//! playhead, host transport), changes parameters through the host (`ParamSetter`, so they are
//! automatable and saved), and sends [`Task`]s to the worker, which owns the session: the editor
//! never changes it and never blocks on generation (see docs/editor.md).
//!
//! - [`panel`]: the parameter groups;
//! - [`piano_roll`]: the clip view with chords, bars and playhead;
//! - [`form_editor`], [`sections`]: the song form and the section lanes above the roll;
//! - [`prompt_box`]: the text prompt that fills the parameters (and the song form);
//! - [`export`]: .mid files into the export folder;
//! - [`action`]: what the views return;
//! - [`theme`]: colours, names, message strips.

pub mod action;
pub mod export;
pub mod form_editor;
pub mod panel;
pub mod personal;
pub mod piano_roll;
pub mod prompt_box;
pub mod sections;
pub mod theme;

use crate::host::{GuiHost, ParamHost};
use crate::params::BandmateParams;
use crate::shared::{Shared, StatusKind, Sync};
use crate::task::Task;
use action::Action;
use bandmate_engine::clip::{Clip, PartKind};
use egui::{RichText, Ui};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::*;
use nice_plug_egui::resizable_window::ResizableWindow;
use nice_plug_egui::{
    create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier,
};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// The editor type the plugin exports.
pub type BandmateEditor = EguiEditor<App>;

/// Sends a task to the worker (`AsyncExecutor::execute_background`).
pub type TaskSender = Arc<dyn Fn(Task) + Send + std::marker::Sync>;

/// Default window size (logical pixels).
pub const DEFAULT_SIZE: (f32, f32) = (960.0, 620.0);
/// Smallest useful window size (logical pixels).
pub const MIN_SIZE: (f32, f32) = (760.0, 480.0);

/// Initial window state: [`DEFAULT_SIZE`] at 100% zoom, or at the zoom in the environment
/// variable `BANDMATE_UI_ZOOM` (0.5..=3, e.g. `2` for 200%: for screens whose host reports no
/// scale factor, and for checking the layout at 200%).
pub fn default_state() -> Arc<EguiEditorState> {
    let zoom = std::env::var("BANDMATE_UI_ZOOM")
        .ok()
        .and_then(|v| v.trim().parse::<f32>().ok())
        .filter(|z| z.is_finite())
        .map_or(1.0, |z| z.clamp(0.5, 3.0));
    EguiEditorState::from_size(LogicalSize::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1), zoom)
}

/// The editor's state. Rebuilt each time the window opens; what must survive is in the
/// parameters and the session slot.
pub struct App {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    host: Arc<GuiHost>,
    send: TaskSender,
    gui: Option<GuiContext>,
    /// Actions clicked this frame.
    pending: Vec<Action>,
    /// The session's clip as of `clip_id` (read again when the worker publishes a new one).
    clip: Option<Arc<Clip>>,
    clip_id: u64,
    /// The export folder as typed.
    export_dir: String,
    /// Last export: the written path, or why it failed.
    export_result: Option<Result<String, String>>,
    /// Why the last action could not run.
    action_error: Option<String>,
    /// The song form as edited (sent on "Apply").
    form_draft: form_editor::Draft,
    /// The song section selected in the lanes.
    selected_section: Option<usize>,
    prompt: prompt_box::PromptBox,
    /// The personal-style row's fields.
    personal: personal::Fields,
    rng: u64,
}

/// Builds the editor. Main thread, once per plugin instance.
pub fn create(
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    host: Arc<GuiHost>,
    state: Arc<EguiEditorState>,
    send: TaskSender,
) -> Option<BandmateEditor> {
    let export_dir = params
        .session
        .read()
        .session
        .export_dir
        .clone()
        .unwrap_or_default();
    let rng = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        | 1;
    let app = App {
        params,
        shared,
        host,
        send,
        gui: None,
        pending: Vec::new(),
        clip: None,
        clip_id: u64::MAX,
        export_dir,
        export_result: None,
        action_error: None,
        prompt: prompt_box::PromptBox::default(),
        form_draft: form_editor::Draft::default(),
        selected_section: None,
        personal: personal::Fields::default(),
        rng,
    };
    let hint =
        ResizeHint::resizable().with_min_logical_size(LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1));
    create_egui_editor(
        state,
        RepaintNotifier::new(),
        EguiNiceSettings::new()
            .with_tile("Bandmate")
            .with_resize_hint(hint),
        app,
    )
}

/// A new seed 0..=9999 (xorshift), different from `current`.
pub fn next_seed(state: &mut u64, current: i32) -> i32 {
    loop {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let s = (*state % 10_000) as i32;
        if s != current {
            return s;
        }
    }
}

impl NiceEguiApp for App {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        egui_ctx.global_style_mut(|s| {
            s.spacing.item_spacing = egui::vec2(8.0, 5.0);
            s.spacing.button_padding = egui::vec2(8.0, 3.0);
        });
        self.host.set_gui_context(gui.clone());
        self.gui = Some(gui);
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        let Some(gui) = self.gui.clone() else { return };
        let setter = gui.param_setter();
        self.refresh_clip();
        let view = panel::View {
            detected: *self.shared.detected_key.lock(),
            followed: self.params.session.read().followed_key,
            has_clip: self.has_clip(),
        };
        let min = egui::vec2(MIN_SIZE.0, MIN_SIZE.1);
        ResizableWindow::new("bandmate-window")
            .min_size(min)
            .show(ui, |ui| {
                egui::Panel::top("actions").show(ui, |ui| self.action_bar(ui));
                let busy = self.busy();
                egui::Panel::top("prompt").show(ui, |ui| {
                    if let Some(a) = prompt_box::show(ui, &mut self.prompt, busy) {
                        self.pending.push(a);
                    }
                });
                egui::Panel::bottom("export").show(ui, |ui| {
                    personal::show(ui, &mut self.personal, &self.shared.learn, &self.send);
                    self.export_bar(ui)
                });
                egui::Panel::left("params")
                    .resizable(true)
                    .default_size(330.0)
                    .min_size(280.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical().show(ui, |ui| {
                            let clicked = panel::show(ui, &setter, &self.params, &view);
                            self.pending.extend(clicked);
                            self.form_group(ui);
                        });
                    });
                egui::CentralPanel::default().show(ui, |ui| {
                    self.banners(ui);
                    let clip = self.clip.clone();
                    if let Some(c) = clip.as_deref() {
                        self.section_lanes(ui, c);
                    }
                    piano_roll::legend(ui, clip.as_deref(), &self.transport_text());
                    piano_roll::show(ui, clip.as_deref(), self.shared.playhead());
                });
            });
        for action in std::mem::take(&mut self.pending) {
            self.apply(action, &setter);
        }
        let busy = self.busy();
        let playing = self.shared.playing.load(Ordering::Relaxed);
        ui.ctx()
            .request_repaint_after(Duration::from_millis(if busy || playing {
                33
            } else {
                250
            }));
    }
}

impl App {
    fn has_clip(&self) -> bool {
        self.clip.is_some()
    }

    /// Whether a generation is running.
    fn busy(&self) -> bool {
        self.shared.status.lock().kind == StatusKind::Generating
    }

    /// Reads the session's clip again when the worker has published a new one.
    fn refresh_clip(&mut self) {
        let id = self.shared.clip_id.load(Ordering::Acquire);
        if id != self.clip_id {
            self.clip_id = id;
            self.clip = self
                .params
                .session
                .read()
                .session
                .clip
                .clone()
                .map(Arc::new);
        }
    }

    fn apply(&mut self, action: Action, setter: &ParamSetter) {
        self.action_error = None;
        match action {
            Action::Generate | Action::Dice => {
                let seed = next_seed(&mut self.rng, self.params.seed.value());
                setter.begin_set_parameter(&self.params.seed);
                setter.set_parameter(&self.params.seed, seed);
                setter.end_set_parameter(&self.params.seed);
                // The parameter change alone makes a new clip; the task covers hosts that apply
                // it before the worker looks.
                (self.send)(Task::Generate);
            }
            Action::Regenerate(kind) => {
                if !self.has_clip() {
                    self.action_error = Some("generate a clip first".into());
                    return;
                }
                let seed = next_seed(&mut self.rng, -1) as u64;
                (self.send)(Task::RegeneratePart { kind, seed });
            }
            Action::Undo => (self.send)(Task::Undo),
            Action::Redo => (self.send)(Task::Redo),
            Action::Export(part) => {
                let result = match &self.clip {
                    None => Err(export::ExportError::NoClip),
                    Some(clip) => {
                        let dir = export::resolve_dir(Some(&self.export_dir));
                        export::export(clip, part, &dir)
                    }
                };
                self.export_result = Some(
                    result
                        .map(|p| p.display().to_string())
                        .map_err(|e| e.to_string()),
                );
            }
            Action::ContinueIdea => {
                let seed = next_seed(&mut self.rng, -1) as u64;
                (self.send)(Task::ContinueIdea { seed });
            }
            Action::DismissWarnings => (self.send)(Task::DismissWarnings),
            Action::Prompt { generate } => self.read_prompt(generate),
            Action::SetForm(form) => {
                self.selected_section = None;
                (self.send)(Task::SetForm(form));
            }
            Action::SelectSection(i) => self.selected_section = i,
            Action::RegenerateSection(index) => {
                let seed = next_seed(&mut self.rng, -1) as u64;
                (self.send)(Task::RegenerateSection { index, seed });
            }
            Action::LockSection(index, locked) => {
                (self.send)(Task::LockSection { index, locked });
            }
            Action::ExportSection(index) => {
                let result = match &self.clip {
                    None => Err(export::ExportError::NoClip),
                    Some(clip) => {
                        let dir = export::resolve_dir(Some(&self.export_dir));
                        export::export_section(clip, index, &dir)
                    }
                };
                self.export_result = Some(
                    result
                        .map(|p| p.display().to_string())
                        .map_err(|e| e.to_string()),
                );
            }
        }
    }

    /// The song-form group of the parameter panel.
    fn form_group(&mut self, ui: &mut Ui) {
        let plan = self
            .params
            .session
            .read()
            .session
            .settings
            .song
            .as_ref()
            .map(|p| p.form.clone());
        egui::CollapsingHeader::new(RichText::new("Song form").strong())
            .default_open(plan.is_some())
            .show(ui, |ui| {
                if let Some(a) = form_editor::show(ui, &mut self.form_draft, plan.as_deref()) {
                    self.pending.push(a);
                }
            });
    }

    /// The song's section lanes and the selected section's actions (nothing for a loop).
    fn section_lanes(&mut self, ui: &mut Ui, clip: &Clip) {
        if clip.sections.is_empty() {
            self.selected_section = None;
            return;
        }
        let plan = self.params.session.read().session.settings.song.clone();
        if self
            .selected_section
            .is_some_and(|i| i >= clip.sections.len())
        {
            self.selected_section = None;
        }
        let clicked = sections::lanes(
            ui,
            clip,
            self.selected_section,
            plan.as_ref(),
            self.shared.playhead(),
        );
        if let Some(i) = clicked {
            self.pending.push(Action::SelectSection(Some(i)));
        }
        if let Some(i) = self.selected_section {
            if let Some(a) = sections::toolbar(ui, clip, i, plan.as_ref()) {
                self.pending.push(a);
            }
        }
    }

    /// Reads the prompt box: parameter changes to the host, a song form to the worker.
    fn read_prompt(&mut self, generate: bool) {
        let i = bandmate_engine::prompt::interpret(&self.prompt.text);
        let seed = generate.then(|| next_seed(&mut self.rng, self.params.seed.value()) as u64);
        let followed = self.params.session.read().followed_key;
        let pc = crate::prompt::changes(&self.params, &i, self.shared.host_meter(), followed, seed);
        self.prompt.report = i.report();
        self.prompt.not_applied = pc.not_applied;
        if !pc.changes.is_empty() && !self.host.request(&pc.changes) {
            self.action_error = Some("the host cannot take parameter changes right now".into());
            return;
        }
        if let Some(form) = pc.form {
            self.selected_section = None;
            (self.send)(Task::SetForm(Some(form)));
        }
        if generate {
            (self.send)(Task::Generate);
        }
    }

    fn action_bar(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading(RichText::new("Bandmate").strong());
            ui.add_space(8.0);
            let gen = egui::Button::new(RichText::new("Generate").size(18.0).strong())
                .min_size(egui::vec2(130.0, 30.0));
            if ui
                .add_enabled(!self.busy(), gen)
                .on_hover_text("New seed; makes every unlocked part again")
                .clicked()
            {
                self.pending.push(Action::Generate);
            }
            let (can_undo, can_redo, undo_label, redo_label) = {
                let st = self.params.session.read();
                let h = &st.session.history;
                (
                    h.can_undo(),
                    h.can_redo(),
                    h.undo_label().unwrap_or("").to_owned(),
                    h.redo_label().unwrap_or("").to_owned(),
                )
            };
            if ui
                .add_enabled(can_undo, egui::Button::new("Undo"))
                .on_hover_text(format!("Back to: {undo_label}"))
                .clicked()
            {
                self.pending.push(Action::Undo);
            }
            if ui
                .add_enabled(can_redo, egui::Button::new("Redo"))
                .on_hover_text(format!("Forward to: {redo_label}"))
                .clicked()
            {
                self.pending.push(Action::Redo);
            }
            let melody = egui::Button::new("New melody, same chords");
            if ui
                .add_enabled(
                    self.has_clip() && !self.params.melody.locked.value(),
                    melody,
                )
                .on_hover_text("Keeps the chords and the other parts")
                .clicked()
            {
                self.pending.push(Action::Regenerate(PartKind::Melody));
            }
            if ui
                .add_enabled(self.has_clip(), egui::Button::new("Continue my idea"))
                .on_hover_text("A melody that continues the notes you played into the plugin")
                .clicked()
            {
                self.pending.push(Action::ContinueIdea);
            }
            ui.separator();
            self.status_line(ui);
        });
        ui.add_space(2.0);
    }

    fn status_line(&self, ui: &mut Ui) {
        let status = self.shared.status.lock().clone();
        if self.busy() {
            ui.spinner();
            ui.label(RichText::new("Generating…").strong());
        } else {
            match status.kind {
                StatusKind::Ready => ui.label(RichText::new("Ready").color(theme::GOOD)),
                StatusKind::Error => ui.label(RichText::new("Error").color(theme::BAD)),
                _ => ui.weak("Idle"),
            };
        }
        let label = self.params.session.read().session.label.clone();
        if !label.is_empty() {
            ui.weak(label);
        }
        if status.kind != StatusKind::Error && !status.message.is_empty() {
            ui.weak(format!("· {}", status.message));
        }
    }

    /// How playback is clocked, e.g. "playing · host 120 bpm 4/4".
    fn transport_text(&self) -> String {
        let sync = match self.shared.sync() {
            Sync::Host => {
                let tempo = self
                    .shared
                    .host_tempo()
                    .map_or(String::new(), |t| format!(" {t:.0} bpm"));
                let meter = self
                    .shared
                    .host_meter()
                    .map_or(String::new(), |m| format!(" {m}"));
                format!("host{tempo}{meter}")
            }
            Sync::FreeFallback => "free-running (no host transport)".into(),
            Sync::FreeForced => "free-running".into(),
        };
        let play = if self.shared.playing.load(Ordering::Relaxed) {
            "playing"
        } else {
            "stopped"
        };
        format!("{play} · {sync}")
    }

    /// Load warnings, generation errors, model fallbacks, other notices and failed actions,
    /// each with its reason.
    fn banners(&mut self, ui: &mut Ui) {
        let warnings = self.params.session.warnings();
        if !warnings.is_empty()
            && theme::banner(
                ui,
                theme::WARN,
                &format!(
                    "The saved editor state was only partly read: {}",
                    warnings.join("; ")
                ),
                true,
            )
        {
            self.pending.push(Action::DismissWarnings);
        }
        let status = self.shared.status.lock().clone();
        if status.kind == StatusKind::Error && !status.message.is_empty() {
            theme::banner(ui, theme::BAD, &status.message, false);
        }
        let (fallbacks, others): (Vec<_>, Vec<_>) =
            status.notices.iter().partition(|n| n.is_model_fallback());
        let join = |v: &[&bandmate_engine::arrange::Notice]| {
            v.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if !fallbacks.is_empty() {
            theme::banner(
                ui,
                theme::WARN,
                &format!(
                    "Used the rule-based generator instead of the model: {}",
                    join(&fallbacks)
                ),
                false,
            );
        }
        if !others.is_empty() {
            theme::banner(ui, theme::WARN, &join(&others), false);
        }
        if let Some(e) = self.action_error.clone() {
            if theme::banner(ui, theme::BAD, &e, true) {
                self.action_error = None;
            }
        }
    }

    fn export_bar(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.strong("Export .mid");
            ui.label("to");
            let hint = export::default_dir().display().to_string();
            let edit = egui::TextEdit::singleline(&mut self.export_dir)
                .hint_text(hint)
                .desired_width(260.0);
            if ui
                .add(edit)
                .on_hover_text("Folder for exported files (empty = default)")
                .changed()
            {
                let dir = self.export_dir.trim().to_owned();
                (self.send)(Task::SetExportDir((!dir.is_empty()).then_some(dir)));
            }
            let clip = self.clip.clone();
            if ui
                .add_enabled(
                    clip.is_some(),
                    egui::Button::new(RichText::new("Export clip").strong()),
                )
                .clicked()
            {
                self.pending.push(Action::Export(None));
            }
            ui.label("or part:");
            for p in clip.iter().flat_map(|c| c.parts.iter()) {
                let b = egui::Button::new(
                    RichText::new(theme::title(p.kind)).color(theme::part_color(p.kind)),
                );
                if ui
                    .add(b)
                    .on_hover_text(format!("Export only the {} part", p.kind.name()))
                    .clicked()
                {
                    self.pending.push(Action::Export(Some(p.kind)));
                }
            }
        });
        match &self.export_result {
            Some(Ok(path)) => {
                ui.horizontal(|ui| {
                    ui.label(RichText::new("Wrote").color(theme::GOOD));
                    ui.monospace(path);
                    if ui.small_button("Copy path").clicked() {
                        ui.ctx().copy_text(path.clone());
                    }
                });
            }
            Some(Err(e)) => {
                ui.colored_label(theme::BAD, e);
            }
            None => {
                ui.weak("Files are named from key, meter, tempo, seed and part; nothing is overwritten.");
            }
        }
        ui.add_space(2.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_in_range_and_change() {
        let mut rng = 12345u64;
        let mut last = 5;
        for _ in 0..1000 {
            let s = next_seed(&mut rng, last);
            assert!((0..10_000).contains(&s));
            assert_ne!(s, last);
            last = s;
        }
    }
}
