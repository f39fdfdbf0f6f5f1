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
//! - [`drag`]: those files dragged into other applications (X11 drag and drop) or copied;
//! - [`action`]: what the views return;
//! - [`theme`]: colours, names, message strips.

pub mod action;
mod apply;
pub mod drag;
pub mod export;
pub mod form_editor;
pub mod live_panel;
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
use std::path::PathBuf;
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
    /// Drag and copy into other applications.
    desktop: Arc<drag::Desktop>,
    /// Why drag and copy cannot work here (no X display), checked when the window opens.
    desktop_unavailable: Option<String>,
    /// Whether the last export was for a drag or a copy (then its outcome is shown).
    handed_off: bool,
    rng: u64,
}

/// Builds the editor. Main thread, once per plugin instance.
pub fn create(
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    host: Arc<GuiHost>,
    state: Arc<EguiEditorState>,
    desktop: Arc<drag::Desktop>,
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
        desktop_unavailable: desktop.available().err().map(|e| e.to_string()),
        desktop,
        handed_off: false,
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
            live: live_panel::LiveStatus {
                view: self.shared.live.view.lock().clone(),
                missed: self
                    .shared
                    .live
                    .missed
                    .load(std::sync::atomic::Ordering::Relaxed),
            },
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
                    let can = self.desktop_unavailable.is_none();
                    let transport = self.transport_text();
                    let legend = piano_roll::legend(ui, clip.as_deref(), &transport, can);
                    let roll = piano_roll::show(ui, clip.as_deref(), self.shared.playhead(), can);
                    self.pending.extend(legend.into_iter().chain(roll));
                });
            });
        for action in std::mem::take(&mut self.pending) {
            self.apply(action, &setter);
        }
        let busy = self.busy();
        let playing = self.shared.playing.load(Ordering::Relaxed);
        let dragging = matches!(self.desktop.last(), Some(drag::Outcome::Dragging(_)));
        if dragging {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
        }
        ui.ctx()
            .request_repaint_after(Duration::from_millis(if busy || playing || dragging {
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
                .on_hover_text(
                    "Keeps the chords and the other parts (chord and keys notes the new \
                     melody would cover move an octave down)",
                )
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
            let whole = egui::Button::new(RichText::new("Export clip").strong())
                .sense(egui::Sense::click_and_drag());
            let r = ui.add_enabled(clip.is_some(), whole);
            if let Some(a) = self.export_chip(&r, None) {
                self.pending.push(a);
            }
            ui.label("or part:");
            for p in clip.iter().flat_map(|c| c.parts.iter()) {
                let b = egui::Button::new(
                    RichText::new(theme::title(p.kind)).color(theme::part_color(p.kind)),
                )
                .sense(egui::Sense::click_and_drag());
                let r = ui.add(b);
                if let Some(a) = self.export_chip(&r, Some(p.kind)) {
                    self.pending.push(a);
                }
            }
            ui.separator();
            let copy = ui
                .add_enabled(
                    clip.is_some() && self.desktop_unavailable.is_none(),
                    egui::Button::new("Copy clip"),
                )
                .on_hover_text("Put the clip's .mid on the clipboard, to paste onto a track")
                .on_disabled_hover_text(
                    self.desktop_unavailable
                        .clone()
                        .unwrap_or_else(|| "generate a clip first".into()),
                );
            if copy.clicked() {
                self.pending.push(Action::Copy(None));
            }
        });
        let outcome = self.desktop.last().filter(|_| self.handed_off);
        match (&self.export_result, outcome) {
            (Some(Ok(_)), Some(o)) => {
                let color = match o {
                    drag::Outcome::Failed(_) => theme::BAD,
                    drag::Outcome::Dropped { .. } | drag::Outcome::Copied(_) => theme::GOOD,
                    _ => ui.visuals().text_color(),
                };
                ui.colored_label(color, o.message());
            }
            (Some(Ok(path)), None) => {
                ui.horizontal(|ui| {
                    ui.label(RichText::new("Wrote").color(theme::GOOD));
                    ui.monospace(path);
                    if ui.small_button("Copy path").clicked() {
                        ui.ctx().copy_text(path.clone());
                    }
                });
            }
            (Some(Err(e)), _) => {
                ui.colored_label(theme::BAD, e);
            }
            (None, _) => match &self.desktop_unavailable {
                None => {
                    ui.weak("Drag a button, a part in the legend or the roll onto a DAW track; right-click to copy. Files are named from key, meter, tempo, seed and part; nothing is overwritten.");
                }
                Some(why) => {
                    ui.weak(format!("Files are named from key, meter, tempo, seed and part; nothing is overwritten. No drag and drop: {why}."));
                }
            },
        }
        ui.add_space(2.0);
    }

    /// What a click, a drag or the context menu of an export button asks for.
    fn export_chip(&self, r: &egui::Response, part: Option<PartKind>) -> Option<Action> {
        let what = part.map_or("the whole clip".to_owned(), |k| {
            format!("the {} part", k.name())
        });
        let hover = match &self.desktop_unavailable {
            None => format!("Click: export {what} · drag it onto a DAW track · right-click: copy"),
            Some(why) => format!("Click: export {what} (no drag and drop: {why})"),
        };
        let r = r.clone().on_hover_text(hover);
        action::chip_action(&r, part, self.desktop_unavailable.is_none(), true)
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
