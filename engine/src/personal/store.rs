//! Where personal styles live: `$XDG_DATA_HOME/bandmate/styles/NAME/profile.json`
//! (`~/.local/share` when XDG_DATA_HOME is unset or not absolute).

use super::adapt::PersonalStyle;
use super::profile::StyleProfile;
use super::PersonalError;
use std::path::{Path, PathBuf};

/// File name of the profile inside a style's folder.
pub const PROFILE_FILE: &str = "profile.json";

/// The folder holding every personal style, from the environment; None without a home folder.
pub fn styles_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".local/share"))
    })?;
    Some(base.join("bandmate").join("styles"))
}

/// Checks a style name: 1..=64 letters, digits, spaces, '-', '_' or '.', not starting with '.'.
pub fn check_name(name: &str) -> Result<(), PersonalError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.trim() == name
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(PersonalError::BadName {
            name: name.to_string(),
        })
    }
}

/// The profile path of style `name` under `dir`.
pub fn profile_path(dir: &Path, name: &str) -> Result<PathBuf, PersonalError> {
    check_name(name)?;
    Ok(dir.join(name).join(PROFILE_FILE))
}

fn io(path: &Path, e: std::io::Error) -> PersonalError {
    PersonalError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Writes a profile under `dir` (via a temporary file, so a crash never leaves half a profile).
pub fn save(dir: &Path, profile: &StyleProfile) -> Result<PathBuf, PersonalError> {
    let path = profile_path(dir, &profile.name)?;
    let folder = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(folder).map_err(|e| io(folder, e))?;
    let tmp = folder.join(format!("{PROFILE_FILE}.tmp"));
    std::fs::write(&tmp, profile.to_bytes()).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
    Ok(path)
}

/// Reads and indexes a profile file.
pub fn load_file(path: &Path) -> Result<PersonalStyle, PersonalError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let profile = StyleProfile::from_bytes(&bytes).map_err(|e| e.in_file(path))?;
    PersonalStyle::new(profile)
}

/// Reads style `name` from `dir`.
pub fn load(dir: &Path, name: &str) -> Result<PersonalStyle, PersonalError> {
    let path = profile_path(dir, name)?;
    if !path.is_file() {
        return Err(PersonalError::NotFound {
            name: name.to_string(),
            dir: dir.display().to_string(),
        });
    }
    load_file(&path)
}

/// Names of the styles under `dir` (folders holding a profile file), sorted.
pub fn list(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join(PROFILE_FILE).is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| check_name(n).is_ok())
        .collect();
    out.sort();
    out
}
