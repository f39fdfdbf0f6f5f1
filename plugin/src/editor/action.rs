//! What the user asked for in a frame; the views return these and the app applies them.

use bandmate_engine::clip::PartKind;

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
    /// Export, then drag the file into another application (the pointer button is held).
    Drag(Option<PartKind>),
    /// Export, then put the file on the clipboard.
    Copy(Option<PartKind>),
    /// A melody continuing the notes heard on the MIDI input.
    ContinueIdea,
    DismissWarnings,
}
