//! The work the plugin's threads ask of the worker, and the history label each task's clip gets.

use bandmate_engine::arrange::Settings;
use bandmate_engine::clip::PartKind;
use bandmate_engine::theory::Key;

/// Work for the worker thread (through `Plugin::task_executor` and the runner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Bring the clip in line with the parameters (requests coalesce while one runs). The
    /// runner sends it when the fingerprint changed; the editor after a new seed.
    Generate,
    /// Regenerate one part with `seed`, keeping the chord track and the other parts.
    RegeneratePart { kind: PartKind, seed: u64 },
    /// Move incoming notes into the history, detect the key, follow it when asked to.
    DrainInput,
    /// Live mode: the input into the live engine, the engine up to the song position, new
    /// material to the audio thread (every poll while live mode is on).
    LiveTick,
    /// "Continue my idea": a new melody from the melody model primed with the last notes heard
    /// on the input (keeps the chords and the other parts).
    ContinueIdea { seed: u64 },
    /// Back to the previous generation: its clip plays and the parameters return to its settings.
    Undo,
    /// Forward again after [`Task::Undo`].
    Redo,
    /// Song form on with this form text (a preset name or `name:bars[@energy]` sections), or
    /// off (`None`): one loop of the bars parameter.
    SetForm(Option<String>),
    /// New material for the song's section at `index` and its repeats.
    RegenerateSection { index: usize, seed: u64 },
    /// Keep (or stop keeping) the section at `index` and its repeats when the song seed changes.
    LockSection { index: usize, locked: bool },
    /// The folder exported files go to (`None` = the default).
    SetExportDir(Option<String>),
    /// Forget the warnings of the last state load.
    DismissWarnings,
    /// Learn personal style `name` from every MIDI file below `dir` (progress and cancel in
    /// `Shared::learn`), then use it.
    LearnStyle { dir: String, name: String },
    /// Use personal style `name` (None = none) at "like my music" `like_pct` percent (0..=100)
    /// and generate again.
    SetPersonal { name: Option<String>, like_pct: u8 },
    /// Main thread only: hand queued parameter changes to the host (`crate::host`). Run by the
    /// task executor itself, never by the worker.
    ApplyHostParams,
}

/// Why a clip was made: the label shown on the undo/redo buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// From the parameters (a task, automation or the editor's Generate); `followed` when
    /// following a newly detected key caused it.
    Generate {
        followed: Option<Key>,
    },
    Regenerate {
        kind: PartKind,
        seed: u64,
    },
    ContinueIdea {
        seed: u64,
    },
    /// Song form turned on (or changed) or off.
    Form {
        on: bool,
    },
    /// One section of the song made again.
    Section {
        seed: u64,
    },
}

/// The history label of a clip made for `made` with `settings`, keeping the `locked` parts.
pub fn label(made: Made, settings: &Settings, locked: &[PartKind]) -> String {
    match made {
        Made::Generate {
            followed: Some(key),
        } => format!("follow detected key ({key}, seed {})", settings.seed),
        Made::Generate { followed: None } if locked.is_empty() => {
            format!("generate (seed {})", settings.seed)
        }
        Made::Generate { followed: None } => {
            let names: Vec<&str> = locked.iter().map(|k| k.name()).collect();
            format!(
                "generate (seed {}, kept {})",
                settings.seed,
                names.join(", ")
            )
        }
        Made::Regenerate { kind, seed } => format!("new {} (seed {seed})", kind.name()),
        Made::ContinueIdea { seed } => format!("continue my idea (seed {seed})"),
        Made::Form { on: true } => match &settings.song {
            Some(plan) => format!("song form {} (seed {})", plan.form, settings.seed),
            None => format!("song form (seed {})", settings.seed),
        },
        Made::Form { on: false } => format!("song form off (seed {})", settings.seed),
        Made::Section { seed } => format!("new section (seed {seed})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_what_made_the_clip() {
        let s = Settings {
            seed: 42,
            ..Settings::default()
        };
        let gen = Made::Generate { followed: None };
        assert_eq!(label(gen, &s, &[]), "generate (seed 42)");
        assert_eq!(
            label(gen, &s, &[PartKind::Bass, PartKind::Drums]),
            "generate (seed 42, kept bass, drums)"
        );
        let g: Key = "G major".parse().expect("key");
        assert_eq!(
            label(Made::Generate { followed: Some(g) }, &s, &[]),
            format!("follow detected key ({g}, seed 42)")
        );
        assert_eq!(
            label(
                Made::Regenerate {
                    kind: PartKind::Melody,
                    seed: 7
                },
                &s,
                &[]
            ),
            "new melody (seed 7)"
        );
        assert_eq!(
            label(Made::ContinueIdea { seed: 3 }, &s, &[]),
            "continue my idea (seed 3)"
        );
    }
}
