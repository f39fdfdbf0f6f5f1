//! What the user asked for in a frame; the views return these and the app applies them.

use bandmate_engine::clip::PartKind;

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
    /// Read the prompt box into the parameters; `generate` also sets a new seed and generates.
    Prompt {
        generate: bool,
    },
}
