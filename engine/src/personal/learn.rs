//! Learning a profile from a folder: every .mid/.midi below it, in path order; files that cannot
//! be used are listed with the reason and never stop the run.

use super::analyze;
use super::conductor::Conductor;
use super::profile::{Builder, StyleProfile};
use super::PersonalError;
use crate::import;
use crate::model::tokens;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Folders nested deeper than this below the root are not read.
const MAX_DEPTH: usize = 32;
/// Files larger than this are skipped (no real song needs it).
const MAX_FILE_BYTES: u64 = 32 << 20;

/// A file that was not learned from, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// What a learning run produced.
#[derive(Debug, Clone)]
pub struct Learned {
    pub profile: StyleProfile,
    /// Files learned from.
    pub used: usize,
    pub skipped: Vec<Skipped>,
}

/// Every .mid/.midi file below `dir` (case-insensitive extension), sorted; symlinked folders are
/// not followed.
pub fn midi_files(dir: &Path) -> Result<Vec<PathBuf>, PersonalError> {
    if !dir.is_dir() {
        return Err(PersonalError::NotAFolder {
            path: dir.display().to_string(),
        });
    }
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            if ft.is_dir() && depth < MAX_DEPTH {
                stack.push((p, depth + 1));
            } else if (ft.is_file() || ft.is_symlink()) && is_midi(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_midi(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("mid") || e.eq_ignore_ascii_case("midi"))
}

/// Learns a profile named `name` from `dir`. `progress(done, total, file)` is called before each
/// file; setting `cancel` stops at the next file with [`PersonalError::Cancelled`].
pub fn learn(
    dir: &Path,
    name: &str,
    cancel: &AtomicBool,
    mut progress: impl FnMut(usize, usize, &Path),
) -> Result<Learned, PersonalError> {
    super::store::check_name(name)?;
    let v = tokens::vocab().map_err(|e| PersonalError::Vocab(e.to_string()))?;
    let files = midi_files(dir)?;
    let mut b = Builder::new(name, tokens::vocab_hash());
    let mut skipped = Vec::new();
    for (i, path) in files.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(PersonalError::Cancelled);
        }
        progress(i, files.len(), path);
        match learn_file(path) {
            Ok(song) => b.add(&song, v),
            Err(reason) => {
                b.skip();
                skipped.push(Skipped {
                    path: path.clone(),
                    reason,
                });
            }
        }
    }
    progress(files.len(), files.len(), dir);
    if b.songs() == 0 {
        return Err(PersonalError::NothingLearned {
            dir: dir.display().to_string(),
            files: files.len(),
        });
    }
    let used = b.songs() as usize;
    Ok(Learned {
        profile: b.finish(),
        used,
        skipped,
    })
}

/// Analyzes one file; the error is the reason it cannot be used.
pub fn learn_file(path: &Path) -> Result<analyze::Song, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_FILE_BYTES {
        return Err(format!("{len} bytes is larger than any song file"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    learn_bytes(&bytes)
}

/// Analyzes one file's bytes; the error is the reason they cannot be used.
pub fn learn_bytes(bytes: &[u8]) -> Result<analyze::Song, String> {
    let v = tokens::vocab().map_err(|e| e.to_string())?;
    let clip = import::import(bytes).map_err(|e| e.to_string())?;
    if clip.parts.iter().all(|p| p.notes.is_empty()) {
        return Err("it has no notes".into());
    }
    let cond = Conductor::read(bytes, clip.tempo_bpm, clip.meter);
    Ok(analyze::song(&clip, &cond, v))
}
