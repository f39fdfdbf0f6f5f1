//! Exporting the clip (or one part) as a Standard MIDI File into a folder the user can see.
//!
//! File names are deterministic (key, meter, tempo, seed, part) plus a counter that avoids
//! overwriting earlier exports: `bandmate-a-minor-4-4-120bpm-seed42-all.mid`, then `...-2.mid`.
//! Each file carries the clip's provenance (program, engine, seed, parameters) as a MIDI text
//! meta event (`bandmate_engine::smf`). GUI thread (small files, written synchronously).

use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::smf::{self, Selection, SmfError};
use std::path::{Path, PathBuf};

/// Why an export wrote nothing; `Display` is the message for the user.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("nothing to export yet: generate a clip first")]
    NoClip,
    #[error("the clip has no {0} part")]
    NoPart(&'static str),
    #[error("the song has no section {0}")]
    NoSection(usize),
    #[error(transparent)]
    Midi(#[from] SmfError),
    #[error("could not create {}: {source}", dir.display())]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("too many exports with this name in {}", .0.display())]
    TooMany(PathBuf),
    #[error("could not write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Exports before the counter gives up.
const MAX_COUNTER: u32 = 9999;

/// The default export folder: `$HOME/Music/Bandmate` (`$USERPROFILE` on Windows), else
/// `Bandmate` under the system's temporary folder.
pub fn default_dir() -> PathBuf {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(|h| PathBuf::from(h).join("Music").join("Bandmate"))
        .unwrap_or_else(|| std::env::temp_dir().join("Bandmate"))
}

/// The folder to export to: the user's choice when set (with `~` expanded), else the default.
pub fn resolve_dir(chosen: Option<&str>) -> PathBuf {
    match chosen.map(str::trim).filter(|s| !s.is_empty()) {
        None => default_dir(),
        Some(s) => match (s.strip_prefix("~/"), std::env::var_os("HOME")) {
            (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
            _ => PathBuf::from(s),
        },
    }
}

/// File name without counter or extension, e.g. `bandmate-f#-dorian-6-8-96bpm-seed7-bass`.
pub fn base_name(clip: &Clip, part: Option<PartKind>) -> String {
    let raw = format!(
        "bandmate-{}-{}-{}bpm-seed{}-{}",
        clip.key,
        clip.meter,
        clip.tempo_bpm.round() as i64,
        clip.provenance.seed,
        part.map_or("all", PartKind::name)
    );
    sanitize(&raw)
}

/// Lower case, with every character but ASCII letters, digits, `#` and `-` made a `-`.
fn sanitize(raw: &str) -> String {
    raw.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '#' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The first of `base.mid`, `base-2.mid`, `base-3.mid`, … in `dir` for which `exists` is false.
pub fn free_path(dir: &Path, base: &str, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    (1..=MAX_COUNTER)
        .map(|n| {
            if n == 1 {
                dir.join(format!("{base}.mid"))
            } else {
                dir.join(format!("{base}-{n}.mid"))
            }
        })
        .find(|p| !exists(p))
}

/// Writes the song's section at `index` alone (its bars, every part, its marker) into `dir`,
/// named like the clip plus the section's label, e.g. `...-seed42-all-chorus-2.mid`.
pub fn export_section(clip: &Clip, index: usize, dir: &Path) -> Result<PathBuf, ExportError> {
    let section = clip
        .section_clip(index)
        .ok_or(ExportError::NoSection(index + 1))?;
    let label = section
        .sections
        .first()
        .map_or(String::new(), |s| s.label.clone());
    let bytes = smf::write(&section)?;
    let base = sanitize(&format!("{}-{label}", base_name(clip, None)));
    write_new(dir, &base, &bytes)
}

/// Writes the clip (`part: None`) or one part into `dir` (created if missing) and returns the
/// written path. A song's file has a marker and the provenance at each section start.
pub fn export(clip: &Clip, part: Option<PartKind>, dir: &Path) -> Result<PathBuf, ExportError> {
    let sel = match part {
        None => Selection::All,
        Some(k) => Selection::Part(
            clip.parts
                .iter()
                .position(|p| p.kind == k)
                .ok_or(ExportError::NoPart(k.name()))?,
        ),
    };
    let bytes = smf::write_selection(clip, sel)?;
    write_new(dir, &base_name(clip, part), &bytes)
}

/// Writes `bytes` to the first free `base[-N].mid` in `dir` (created if missing).
fn write_new(dir: &Path, base: &str, bytes: &[u8]) -> Result<PathBuf, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::CreateDir {
        dir: dir.to_path_buf(),
        source,
    })?;
    let path = free_path(dir, base, |p| p.exists())
        .ok_or_else(|| ExportError::TooMany(dir.to_path_buf()))?;
    // `create_new`: never overwrite, even if a file appeared since `free_path` looked.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
    match written {
        Ok(()) => Ok(path),
        Err(source) => Err(ExportError::Write { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bandmate_engine::arrange::{generate, Settings, Source};

    fn clip() -> Clip {
        let mut s = Settings {
            source: Source::Rules,
            seed: 42,
            key: "F# dorian".parse().expect("key"),
            ..Settings::default()
        };
        s.enable_only(&[PartKind::Chords, PartKind::Bass]);
        generate(&s).expect("clip").clip
    }

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "bandmate-export-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn names_are_deterministic_and_safe() {
        let c = clip();
        let n = base_name(&c, None);
        assert_eq!(n, base_name(&c, None));
        assert!(
            n.starts_with("bandmate-f#-dorian-4-4-120bpm-seed42-all"),
            "{n}"
        );
        assert!(!n.contains('/') && !n.contains(' '));
        assert!(base_name(&c, Some(PartKind::Bass)).ends_with("-bass"));
    }

    #[test]
    fn counter_avoids_overwrites() {
        let dir = Path::new("/x");
        let taken = [dir.join("a.mid"), dir.join("a-2.mid")];
        assert_eq!(
            free_path(dir, "a", |p| taken.iter().any(|t| t == p)),
            Some(dir.join("a-3.mid"))
        );
        assert_eq!(free_path(dir, "a", |_| false), Some(dir.join("a.mid")));
        assert_eq!(free_path(dir, "a", |_| true), None);
    }

    #[test]
    fn export_writes_files_with_provenance_and_never_overwrites() {
        let dir = temp_dir("write");
        let c = clip();
        let a = export(&c, None, &dir).expect("export");
        let b = export(&c, None, &dir).expect("export again");
        assert_ne!(a, b);
        assert!(b.to_string_lossy().ends_with("-all-2.mid"));
        let bytes = std::fs::read(&a).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("seed: 42") && text.contains("made with bandmate"),
            "provenance text event"
        );
        let bass = export(&c, Some(PartKind::Bass), &dir).expect("bass");
        let bass_bytes = std::fs::read(&bass).expect("read");
        let smf = midly::Smf::parse(&bass_bytes).expect("parse");
        assert_eq!(smf.tracks.len(), 2, "conductor + the bass part");
        let err = export(&c, Some(PartKind::Drums), &dir).expect_err("no drums in this clip");
        assert!(matches!(err, ExportError::NoPart("drums")), "{err}");
        assert_eq!(err.to_string(), "the clip has no drums part");
        let blocked = dir.join("a-file");
        std::fs::write(&blocked, b"x").expect("write");
        let err = export(&c, None, &blocked.join("sub")).expect_err("a file is in the way");
        assert!(matches!(err, ExportError::CreateDir { .. }), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The `(tick, text)` of every marker in a file's first track.
    fn markers(bytes: &[u8]) -> Vec<(u32, String)> {
        let smf = midly::Smf::parse(bytes).expect("parse");
        let mut t = 0u32;
        let mut out = Vec::new();
        for e in &smf.tracks[0] {
            t += e.delta.as_int();
            if let midly::TrackEventKind::Meta(midly::MetaMessage::Marker(m)) = e.kind {
                out.push((t, String::from_utf8_lossy(m).into_owned()));
            }
        }
        out
    }

    #[test]
    fn a_song_exports_whole_with_section_markers_or_one_section_alone() {
        let dir = temp_dir("song");
        let mut s = Settings {
            source: Source::Rules,
            seed: 3,
            ..Settings::default()
        };
        s.enable_only(&[PartKind::Chords, PartKind::Bass, PartKind::Drums]);
        let form = bandmate_engine::form::Form::parse("verse:2 chorus:2").expect("form");
        let song = bandmate_engine::form::generate(&s, &form)
            .expect("song")
            .clip;
        let bar = song.bar_ticks();
        let whole = export(&song, None, &dir).expect("export song");
        let m = markers(&std::fs::read(&whole).expect("read"));
        assert!(m.contains(&(0, "Verse 1".into())), "{m:?}");
        assert!(m.contains(&(2 * bar, "Chorus 1".into())), "{m:?}");
        let chorus = export_section(&song, 1, &dir).expect("export chorus");
        assert!(
            chorus.to_string_lossy().ends_with("-all-chorus-1.mid"),
            "{}",
            chorus.display()
        );
        let bytes = std::fs::read(&chorus).expect("read");
        let m = markers(&bytes);
        assert!(m.contains(&(0, "Chorus 1".into())), "{m:?}");
        assert!(!m.iter().any(|(_, t)| t.starts_with("Verse")), "{m:?}");
        let back = bandmate_engine::import::import(&bytes).expect("import");
        assert_eq!(back.bars, 2);
        let want = song.section_clip(1).expect("chorus");
        let notes = |c: &Clip| {
            let mut v: Vec<(u32, u8)> = c
                .parts
                .iter()
                .flat_map(|p| p.notes.iter().map(|n| (n.start, n.pitch.as_int())))
                .collect();
            v.sort_unstable();
            v
        };
        assert!(!notes(&want).is_empty());
        assert_eq!(
            notes(&back),
            notes(&want),
            "the chorus's notes, from tick 0"
        );
        let err = export_section(&song, 2, &dir).expect_err("two sections only");
        assert_eq!(err.to_string(), "the song has no section 3");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn chosen_dir_wins_and_blank_means_default() {
        assert_eq!(resolve_dir(Some("/tmp/x")), PathBuf::from("/tmp/x"));
        assert_eq!(resolve_dir(Some("  ")), default_dir());
        assert_eq!(resolve_dir(None), default_dir());
        assert!(default_dir().ends_with("Bandmate"));
    }
}
