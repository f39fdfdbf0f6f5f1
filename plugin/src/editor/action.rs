//! What the user asked for in a frame; the views return these and the app applies them.

use bandmate_engine::clip::PartKind;
use egui::Response;

#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Export, then drag the file into another application (the pointer button is held).
    Drag(Option<PartKind>),
    /// Export, then put the file on the clipboard.
    Copy(Option<PartKind>),
    /// A melody continuing the notes heard on the MIDI input.
    ContinueIdea,
    DismissWarnings,
    /// Song form on with this form text, or off.
    SetForm(Option<String>),
    /// Select the song section at this index (or none).
    SelectSection(Option<usize>),
    /// New material for the section at this index and its repeats.
    RegenerateSection(usize),
    /// Lock (`true`) or unlock the section at this index and its repeats.
    LockSection(usize, bool),
    /// Export the section at this index alone.
    ExportSection(usize),
    /// Export the section at this index, then drag it into another application.
    DragSection(usize),
    /// Export the section at this index, then put it on the clipboard.
    CopySection(usize),
    /// Read the prompt box into the parameters; `generate` also sets a new seed and generates.
    Prompt {
        generate: bool,
    },
}

/// The action of a draggable export chip (a button, a legend entry, the roll): a click exports
/// (with `click_exports`), a drag hands the file to the desktop, the context menu copies or
/// exports. `can_hand_off`: whether drag and copy work here.
pub fn chip_action(
    r: &Response,
    part: Option<PartKind>,
    can_hand_off: bool,
    click_exports: bool,
) -> Option<Action> {
    let mut action = None;
    if click_exports && r.clicked() {
        action = Some(Action::Export(part));
    }
    if can_hand_off {
        if r.hovered() && !r.dragged() {
            r.ctx.set_cursor_icon(egui::CursorIcon::Grab);
        }
        if r.drag_started() {
            action = Some(Action::Drag(part));
        }
    }
    r.context_menu(|ui| {
        if ui
            .add_enabled(can_hand_off, egui::Button::new("Copy"))
            .clicked()
        {
            action = Some(Action::Copy(part));
            ui.close();
        }
        if ui.button("Export").clicked() {
            action = Some(Action::Export(part));
            ui.close();
        }
    });
    action
}
