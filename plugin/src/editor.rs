//! The editor: an egui panel for the loop "set, generate, listen, keep or regenerate, export".
//!
//! GUI thread only. It reads [`Shared`] (clip, status, playhead, host transport), changes
//! parameters through the host (`ParamSetter`, so they are automatable and saved), and queues
//! [`Task`]s on the background executor; it never blocks on generation. The undo/redo history and
//! the export folder live in the persisted [`SessionSlot`] (`bandmate_engine::session`): every
//! clip the worker publishes becomes a step of the history; undo/redo hand an earlier clip back
//! through the `saved` clip slot, which the worker then plays (see docs/editor.md).
//!
//! - [`panel`]: the parameter groups;
//! - [`piano_roll`]: the clip view with chords, bars and playhead;
//! - [`export`]: .mid files into the export folder;
//! - [`state`]: the persisted session field.

pub mod export;
pub mod panel;
pub mod piano_roll;
pub mod state;

pub use state::SessionSlot;

use crate::params::{
    fingerprint, settings_from_params, BandmateParams, KeySourceChoice, SavedClip,
};
use crate::shared::{Shared, StatusKind, Sync};
use crate::{Bandmate, Task};
use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::session::Snapshot;
use egui::{Color32, RichText, Ui};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::params::persist::PersistentField;
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

/// Something the user asked for this frame; applied after drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// New seed, then generate every unlocked part.
    Generate,
    /// New seed only (the parameter change makes a new clip).
    Dice,
    /// A new version of one part, keeping the others.
    Regenerate(PartKind),
    Undo,
    Redo,
    /// Export the whole clip (`None`) or one part.
    Export(Option<PartKind>),
    /// A melody continuing the notes heard on the MIDI input.
    ContinueIdea,
    DismissWarnings,
}

/// The editor's state. Rebuilt each time the window opens; what must survive is in the
/// parameters and the [`SessionSlot`].
pub struct App {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    executor: AsyncExecutor<Bandmate>,
    gui: Option<GuiContext>,
    /// Actions clicked this frame.
    pending: Vec<Action>,
    /// `Shared::clip_id` last folded into the session history.
    seen_clip_id: u64,
    /// Label for the next clip the worker publishes (what the user asked for).
    next_label: Option<String>,
    /// The export folder as typed.
    export_dir: String,
    /// Last export: the written path, or why it failed.
    export_result: Option<Result<String, String>>,
    /// Why the last action could not run.
    action_error: Option<String>,
    rng: u64,
}

/// Builds the editor. GUI thread.
pub fn create(
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    state: Arc<EguiEditorState>,
    executor: AsyncExecutor<Bandmate>,
) -> Option<BandmateEditor> {
    let export_dir = params.session.read().export_dir.clone().unwrap_or_default();
    let rng = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        | 1;
    let app = App {
        params,
        shared,
        executor,
        gui: None,
        pending: Vec::new(),
        seen_clip_id: 0,
        next_label: None,
        export_dir,
        export_result: None,
        action_error: None,
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
        self.gui = Some(gui);
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        let Some(gui) = self.gui.clone() else { return };
        let setter = gui.param_setter();
        self.sync_session();
        self.follow_detected_key(&setter);
        let min = egui::vec2(MIN_SIZE.0, MIN_SIZE.1);
        ResizableWindow::new("bandmate-window")
            .min_size(min)
            .show(ui, |ui| {
                egui::Panel::top("actions").show(ui, |ui| self.action_bar(ui));
                egui::Panel::bottom("export").show(ui, |ui| self.export_bar(ui));
                egui::Panel::left("params")
                    .resizable(true)
                    .default_size(330.0)
                    .min_size(280.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical().show(ui, |ui| self.parameters(ui, &setter));
                    });
                egui::CentralPanel::default().show(ui, |ui| {
                    self.banners(ui);
                    let clip = self.shared.clip.read().clone();
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
        self.shared.clip.read().is_some()
    }

    /// Whether a generation is queued or running.
    fn busy(&self) -> bool {
        self.shared.status.lock().kind == StatusKind::Generating
            || self.shared.generate_pending.load(Ordering::Relaxed)
    }

    /// Folds a newly published clip into the session: the previous one becomes undoable.
    fn sync_session(&mut self) {
        let id = self.shared.clip_id.load(Ordering::Acquire);
        if id == self.seen_clip_id {
            return;
        }
        self.seen_clip_id = id;
        let Some(clip) = self.shared.clip.read().clone() else {
            return;
        };
        if self.params.session.read().clip.as_ref() == Some(&*clip) {
            // Undo/redo or a project load brought back the session's own clip.
            return;
        }
        let settings = self
            .params
            .saved
            .get()
            .map(|s| s.settings)
            .unwrap_or_else(|| settings_from_params(&self.params, self.shared.host_meter()));
        let label = self
            .next_label
            .take()
            .unwrap_or_else(|| format!("seed {}", clip.provenance.seed));
        self.params.session.write().advance(Snapshot {
            clip: (*clip).clone(),
            settings,
            label,
        });
    }

    /// Key source "detected": copies a confident detected key into the key parameters.
    fn follow_detected_key(&self, setter: &ParamSetter) {
        if self.params.key_source.value() != KeySourceChoice::Detected {
            return;
        }
        let detected = *self.shared.detected_key.lock();
        if let Some((key, confidence)) = detected.filter(|(_, c)| *c >= panel::FOLLOW_CONFIDENCE) {
            let _ = confidence;
            panel::set_key(setter, &self.params, key);
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
                let locked = self.params.locked_parts();
                self.next_label = Some(if locked.is_empty() {
                    format!("generate (seed {seed})")
                } else {
                    let names: Vec<&str> = locked.iter().map(|k| k.name()).collect();
                    format!("generate (seed {seed}, kept {})", names.join(", "))
                });
                // The parameter change alone makes a new clip while the host processes; the task
                // covers hosts that do not process while stopped.
                self.executor.execute_background(Task::Generate);
            }
            Action::Regenerate(kind) => {
                if !self.has_clip() {
                    self.action_error = Some("generate a clip first".into());
                    return;
                }
                let seed = next_seed(&mut self.rng, -1) as u64;
                self.next_label = Some(format!("new {} (seed {seed})", kind.name()));
                self.executor
                    .execute_background(Task::RegeneratePart { kind, seed });
            }
            Action::Undo | Action::Redo => {
                let restored = {
                    let mut s = self.params.session.write();
                    let clip = if action == Action::Undo {
                        s.undo().cloned()
                    } else {
                        s.redo().cloned()
                    };
                    clip.map(|c| (c, s.settings.clone()))
                };
                match restored {
                    Some((clip, settings)) => self.install(clip, settings),
                    None => {
                        self.action_error = Some(format!(
                            "nothing to {}",
                            if action == Action::Undo {
                                "undo"
                            } else {
                                "redo"
                            }
                        ))
                    }
                }
            }
            Action::Export(part) => {
                let Some(clip) = self.shared.clip.read().clone() else {
                    self.export_result =
                        Some(Err("nothing to export yet: generate a clip first".into()));
                    return;
                };
                let dir = export::resolve_dir(Some(&self.export_dir));
                self.export_result =
                    Some(export::export(&clip, part, &dir).map(|p| p.display().to_string()));
            }
            Action::ContinueIdea => {
                let seed = next_seed(&mut self.rng, -1) as u64;
                self.next_label = Some(format!("continue my idea (seed {seed})"));
                self.executor
                    .execute_background(Task::ContinueIdea { seed });
            }
            Action::DismissWarnings => self.params.session.clear_warnings(),
        }
    }

    /// Plays an earlier clip: through the saved-clip slot, as a state load would.
    fn install(&mut self, clip: Clip, settings: bandmate_engine::arrange::Settings) {
        let fp = fingerprint(&self.params, self.shared.host_meter());
        self.params.saved.set(Some(SavedClip {
            clip,
            settings,
            fingerprint: fp,
        }));
        self.executor.execute_background(Task::Generate);
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
                let s = self.params.session.read();
                (
                    s.history.can_undo(),
                    s.history.can_redo(),
                    s.history.undo_label().unwrap_or("").to_owned(),
                    s.history.redo_label().unwrap_or("").to_owned(),
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
                .add_enabled(self.has_clip() && !self.params.lock_melody.value(), melody)
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
                StatusKind::Ready => {
                    ui.label(RichText::new("Ready").color(Color32::from_rgb(90, 210, 120)))
                }
                StatusKind::Error => {
                    ui.label(RichText::new("Error").color(Color32::from_rgb(255, 90, 90)))
                }
                _ => ui.weak("Idle"),
            };
        }
        let label = self.params.session.read().label.clone();
        if !label.is_empty() {
            ui.weak(label);
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

    /// Load warnings, generation errors, model fallbacks and failed actions, each with its reason.
    fn banners(&mut self, ui: &mut Ui) {
        let warn = Color32::from_rgb(240, 190, 60);
        let bad = Color32::from_rgb(255, 100, 100);
        let warnings = self.params.session.warnings();
        if !warnings.is_empty()
            && banner(
                ui,
                warn,
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
            banner(ui, bad, &status.message, false);
        }
        if !status.notices.is_empty() {
            banner(
                ui,
                warn,
                &format!(
                    "Used the rule-based generator instead of the model: {}",
                    status.notices.join("; ")
                ),
                false,
            );
        }
        if let Some(e) = self.action_error.clone() {
            if banner(ui, bad, &e, true) {
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
                self.params.session.write().export_dir = (!dir.is_empty()).then_some(dir);
            }
            let clip = self.shared.clip.read().clone();
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
                    RichText::new(panel::title(p.kind)).color(piano_roll::part_color(p.kind)),
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
                    ui.label(RichText::new("Wrote").color(Color32::from_rgb(90, 210, 120)));
                    ui.monospace(path);
                    if ui.small_button("Copy path").clicked() {
                        ui.ctx().copy_text(path.clone());
                    }
                });
            }
            Some(Err(e)) => {
                ui.colored_label(Color32::from_rgb(255, 100, 100), e);
            }
            None => {
                ui.weak("Files are named from key, meter, tempo, seed and part; nothing is overwritten.");
            }
        }
        ui.add_space(2.0);
    }
}

/// A coloured message strip; with `dismissable`, a ✕ button whose click is returned.
fn banner(ui: &mut Ui, color: Color32, text: &str, dismissable: bool) -> bool {
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
