//! The editor's saved session: the settings and clip of the current generation, the undo/redo
//! history of generations and the export folder, as versioned JSON.
//!
//! Loading never fails: [`Session::from_json`] of a corrupt, partial or newer-version state gives
//! the defaults plus whatever could be recovered, and a list of human-readable warnings.
//! Pure data; no threads. The plugin's worker owns one `Session` (in its persisted slot).

use crate::arrange::Settings;
use crate::clip::Clip;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Format version written by this build. Older versions are read field by field.
pub const VERSION: u32 = 1;
/// Generations kept on each of the undo and redo stacks.
pub const HISTORY_CAP: usize = 32;

/// One generation: the clip, the settings that made it and a label for the undo/redo buttons
/// (e.g. "generate (seed 42)").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub clip: Clip,
    pub settings: Settings,
    pub label: String,
}

/// Undo/redo stacks of generations, each capped at `cap` (the oldest entries go first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    cap: usize,
}

impl Default for History {
    fn default() -> Self {
        History::new(HISTORY_CAP)
    }
}

impl History {
    /// Empty history keeping at most `cap` (at least 1) entries per stack.
    pub fn new(cap: usize) -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            cap: cap.max(1),
        }
    }

    /// A new generation replaced `previous`: it becomes undoable and the redo stack is cleared.
    pub fn record(&mut self, previous: Snapshot) {
        self.redo.clear();
        push_capped(&mut self.undo, previous, self.cap);
    }

    /// Steps back: returns the snapshot to restore; `current` goes onto the redo stack.
    /// `None` (and `current` dropped) when there is nothing to undo.
    pub fn undo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let back = self.undo.pop()?;
        push_capped(&mut self.redo, current, self.cap);
        Some(back)
    }

    /// Steps forward again after [`History::undo`]; `current` goes back onto the undo stack.
    pub fn redo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let fwd = self.redo.pop()?;
        push_capped(&mut self.undo, current, self.cap);
        Some(fwd)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Number of (undo, redo) entries.
    pub fn len(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    pub fn is_empty(&self) -> bool {
        self.undo.is_empty() && self.redo.is_empty()
    }

    /// Label of the generation an undo would bring back.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    /// Label of the generation a redo would bring back.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    pub fn cap(&self) -> usize {
        self.cap
    }
}

fn push_capped(stack: &mut Vec<Snapshot>, s: Snapshot, cap: usize) {
    stack.push(s);
    let excess = stack.len().saturating_sub(cap);
    stack.drain(..excess);
}

/// Everything the editor saves with the project besides the host parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    /// The settings that made `clip` (for a regenerated part, the arrangement's settings).
    pub settings: Settings,
    /// The clip the plugin plays; `None` before the first generation.
    pub clip: Option<Clip>,
    /// Label of the current generation.
    pub label: String,
    pub history: History,
    /// Folder exported MIDI files go to; `None` = the default (`~/Music/Bandmate`).
    pub export_dir: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            version: VERSION,
            settings: Settings::default(),
            clip: None,
            label: String::new(),
            history: History::default(),
            export_dir: None,
        }
    }
}

impl Session {
    /// The current generation as a snapshot, when there is a clip.
    pub fn current(&self) -> Option<Snapshot> {
        let clip = self.clip.clone()?;
        Some(Snapshot {
            clip,
            settings: self.settings.clone(),
            label: self.label.clone(),
        })
    }

    /// Makes `next` the current generation; the previous one (if any) becomes undoable.
    pub fn advance(&mut self, next: Snapshot) {
        if let Some(prev) = self.current() {
            if prev.clip == next.clip {
                self.settings = next.settings;
                self.label = next.label;
                return;
            }
            self.history.record(prev);
        }
        self.set_current(next);
    }

    /// Undo: the previous generation becomes current and is returned (to be played).
    pub fn undo(&mut self) -> Option<&Clip> {
        let cur = self.current()?;
        let back = self.history.undo(cur)?;
        self.set_current(back);
        self.clip.as_ref()
    }

    /// Redo: the next generation becomes current and is returned (to be played).
    pub fn redo(&mut self) -> Option<&Clip> {
        let cur = self.current()?;
        let fwd = self.history.redo(cur)?;
        self.set_current(fwd);
        self.clip.as_ref()
    }

    fn set_current(&mut self, s: Snapshot) {
        self.clip = Some(s.clip);
        self.settings = s.settings;
        self.label = s.label;
    }

    /// The session as JSON (see [`Session::to_value`]).
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// The session as a JSON value. Non-finite numbers are written as `null` (and read back as
    /// defaults with a warning).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({ "version": VERSION }))
    }

    /// Reads a saved session. Never fails: see [`Session::from_value`].
    pub fn from_json(text: &str) -> (Session, Vec<String>) {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Session::from_value(&v),
            Err(e) => (
                Session::default(),
                vec![format!(
                    "the saved editor state is not readable ({e}); started a fresh session"
                )],
            ),
        }
    }

    /// Reads a saved session field by field: fields that are missing or unreadable get their
    /// defaults, unreadable history entries are dropped, and each loss is reported in the
    /// returned warnings (empty when everything was read).
    pub fn from_value(v: &Value) -> (Session, Vec<String>) {
        let mut warnings = Vec::new();
        let mut s = Session::default();
        let Some(obj) = v.as_object() else {
            warnings.push(
                "the saved editor state is not a JSON object; started a fresh session".into(),
            );
            return (s, warnings);
        };
        match obj.get("version").and_then(Value::as_u64) {
            Some(n) if n == u64::from(VERSION) => {}
            Some(n) if n > u64::from(VERSION) => warnings.push(format!(
                "the editor state was saved by a newer Bandmate (format {n}, this one reads {VERSION}); kept what could be read"
            )),
            Some(n) => warnings.push(format!("the editor state is in an old format ({n}); converted what could be read")),
            None => warnings.push("the editor state has no version; kept what could be read".into()),
        }
        if let Some(settings) = field(obj, "settings", &mut warnings) {
            s.settings = settings;
        }
        if let Some(clip) = field::<Option<Clip>>(obj, "clip", &mut warnings) {
            s.clip = clip;
        }
        if let Some(label) = field(obj, "label", &mut warnings) {
            s.label = label;
        }
        if let Some(dir) = field(obj, "export_dir", &mut warnings) {
            s.export_dir = dir;
        }
        if let Some(h) = obj.get("history") {
            s.history = history_from_value(h, &mut warnings);
        }
        (s, warnings)
    }
}

/// Reads one field; `None` (with a warning unless it is simply absent) when it cannot be read.
fn field<T: DeserializeOwned>(
    obj: &serde_json::Map<String, Value>,
    name: &str,
    warnings: &mut Vec<String>,
) -> Option<T> {
    let v = obj.get(name)?;
    match serde_json::from_value(v.clone()) {
        Ok(t) => Some(t),
        Err(e) => {
            warnings.push(format!(
                "could not read the saved {name} ({e}); using the default"
            ));
            None
        }
    }
}

/// Reads the history entry by entry, dropping (and counting) unreadable ones.
fn history_from_value(v: &Value, warnings: &mut Vec<String>) -> History {
    let cap = v
        .get("cap")
        .and_then(Value::as_u64)
        .map_or(HISTORY_CAP, |c| (c as usize).clamp(1, HISTORY_CAP));
    let mut h = History::new(cap);
    let mut dropped = 0usize;
    let read = |name: &str, dropped: &mut usize| -> Vec<Snapshot> {
        let items = v
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut out = Vec::new();
        for item in items {
            match serde_json::from_value::<Snapshot>(item) {
                Ok(s) => out.push(s),
                Err(_) => *dropped += 1,
            }
        }
        let excess = out.len().saturating_sub(cap);
        out.drain(..excess);
        out
    };
    h.undo = read("undo", &mut dropped);
    h.redo = read("redo", &mut dropped);
    if !v.is_object() {
        warnings.push("the saved undo history is not readable; it starts empty".into());
    } else if dropped > 0 {
        warnings.push(format!(
            "{dropped} unreadable step(s) of the undo history were dropped"
        ));
    }
    h
}

#[cfg(test)]
mod tests;
