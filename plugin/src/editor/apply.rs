//! What the editor does with the actions its views return: parameter changes through the host,
//! tasks for the worker, exports, drags and copies; and the song-form group and section lanes.
//! GUI thread only.

use super::*;

impl App {
    pub(super) fn apply(&mut self, action: Action, setter: &ParamSetter) {
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
                self.handed_off = false;
                self.export_result = Some(self.export_file(part).map(|p| p.display().to_string()));
            }
            Action::Drag(part) => self.hand_off(self.export_file(part), true),
            Action::Copy(part) => self.hand_off(self.export_file(part), false),
            Action::DragSection(index) => self.hand_off(self.export_section_file(index), true),
            Action::CopySection(index) => self.hand_off(self.export_section_file(index), false),
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
                self.handed_off = false;
                self.export_result = Some(
                    self.export_section_file(index)
                        .map(|p| p.display().to_string()),
                );
            }
        }
    }

    /// The song-form group of the parameter panel.
    pub(super) fn form_group(&mut self, ui: &mut Ui) {
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
    pub(super) fn section_lanes(&mut self, ui: &mut Ui, clip: &Clip) {
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
        let can = self.desktop_unavailable.is_none();
        if let Some(a) = sections::lanes(
            ui,
            clip,
            self.selected_section,
            plan.as_ref(),
            self.shared.playhead(),
            can,
        ) {
            self.pending.push(a);
        }
        if let Some(i) = self.selected_section {
            if let Some(a) = sections::toolbar(ui, clip, i, plan.as_ref()) {
                self.pending.push(a);
            }
        }
    }

    /// Reads the prompt box: parameter changes to the host, a song form to the worker.
    pub(super) fn read_prompt(&mut self, generate: bool) {
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

    /// Writes the clip (`None`) or one part into the export folder.
    /// Shows the written file, then drags it (`drag`) or copies it to the clipboard.
    fn hand_off(&mut self, written: Result<PathBuf, String>, drag: bool) {
        self.export_result = Some(written.clone().map(|p| p.display().to_string()));
        self.handed_off = written.is_ok();
        let handed = written.and_then(|path| {
            let file = drag::Payload::read(&path)
                .map_err(|e| format!("could not read {} back: {e}", path.display()))?;
            if drag {
                self.desktop.start_drag(file)
            } else {
                self.desktop.copy(file)
            }
            .map_err(|e| e.to_string())
        });
        if let Err(e) = handed {
            self.handed_off = false;
            self.action_error = Some(e);
        }
    }

    /// Writes the song's section at `index` alone into the export folder.
    fn export_section_file(&self, index: usize) -> Result<PathBuf, String> {
        self.write_export(|clip, dir| export::export_section(clip, index, dir))
    }

    /// Writes the clip (`None`) or one part into the export folder.
    pub(super) fn export_file(&self, part: Option<PartKind>) -> Result<PathBuf, String> {
        self.write_export(|clip, dir| export::export(clip, part, dir))
    }

    /// Runs `write` on the current clip and the export folder; the error as shown to the user.
    fn write_export(
        &self,
        write: impl FnOnce(&Clip, &std::path::Path) -> Result<PathBuf, export::ExportError>,
    ) -> Result<PathBuf, String> {
        let clip = self.clip.as_ref().ok_or(export::ExportError::NoClip);
        clip.and_then(|clip| write(clip, &export::resolve_dir(Some(&self.export_dir))))
            .map_err(|e| e.to_string())
    }
}
