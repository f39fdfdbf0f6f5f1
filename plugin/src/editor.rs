//! Minimal editor (placeholder until the full editor lands): a Generate button, the status and
//! the chord names. Runs on the GUI thread; reads [`Shared`], changes parameters through the
//! host (`ParamSetter`) and queues [`Task`]s on the background executor.

use crate::params::BandmateParams;
use crate::shared::{Shared, StatusKind, Sync};
use crate::{Bandmate, Task};
use nice_plug::prelude::*;
use nice_plug_egui::{create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier};
use nice_plug::context::gui::GuiContext;
use std::sync::Arc;

/// The editor type the plugin exports.
pub type BandmateEditor = EguiEditor<App>;

/// Initial window size (logical pixels).
pub fn default_state() -> Arc<EguiEditorState> {
    EguiEditorState::from_size(nice_plug::editor::dpi::LogicalSize::new(480.0, 320.0), 1.0)
}

pub struct App {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    executor: AsyncExecutor<Bandmate>,
    gui: Option<GuiContext>,
}

/// Builds the editor. GUI thread.
pub fn create(
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    state: Arc<EguiEditorState>,
    executor: AsyncExecutor<Bandmate>,
) -> Option<BandmateEditor> {
    let app = App { params, shared, executor, gui: None };
    create_egui_editor(state, RepaintNotifier::new(), EguiNiceSettings::new().with_tile("Bandmate"), app)
}

impl NiceEguiApp for App {
    fn build(
        &mut self,
        _egui_ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        self.gui = Some(gui);
        Ok(())
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut nice_plug_egui::Frame) {
        ui.heading("Bandmate");
        if ui.button("Generate").clicked() {
            // A new seed is a parameter change: the audio thread sees it and asks for a new clip;
            // the task makes one even while the host is not processing.
            if let Some(gui) = &self.gui {
                let setter = gui.param_setter();
                let seed = (self.params.seed.value() + 1) % 10_000;
                setter.begin_set_parameter(&self.params.seed);
                setter.set_parameter(&self.params.seed, seed);
                setter.end_set_parameter(&self.params.seed);
            }
            self.executor.execute_background(Task::Generate);
        }
        let status = self.shared.status.lock().clone();
        let kind = match status.kind {
            StatusKind::Idle => "idle",
            StatusKind::Generating => "generating…",
            StatusKind::Ready => "ready",
            StatusKind::Error => "error",
        };
        ui.label(format!("Status: {kind} {}", status.message));
        for n in &status.notices {
            ui.label(n);
        }
        let sync = match self.shared.sync() {
            Sync::Host => "following host",
            Sync::FreeFallback => "free-running (no host transport)",
            Sync::FreeForced => "free-running",
        };
        ui.label(format!("Seed {} · {sync}", self.params.seed.value()));
        ui.label(format!("Chords: {}", self.shared.chord_names().join("  ")));
    }
}
