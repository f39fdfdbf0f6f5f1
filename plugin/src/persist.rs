//! The persisted session slot: the one place the current clip lives.
//!
//! Only the worker thread changes it ([`SessionSlot::write`]); the host's state load replaces it
//! (main thread, [`PersistentField::set`], raising the `restored` flag the worker acts on); the
//! editor and the host's state save read it. Never touched by the audio thread.
//!
//! Saved as one JSON object inside nice-plug's state under the key `clip`: the engine's
//! [`Session`] fields (`version`, `clip`, `settings`, `label`, `history`, `export_dir`) plus
//! `fingerprint` and `followed_key`. Loading never fails: an unreadable or newer-format state
//! loads as defaults plus what could be read, with warnings for the editor. The layout before
//! this one (`{clip, settings, fingerprint}`, fingerprint of an older hash) loads its clip and
//! settings, with the fingerprint unknown.

use bandmate_engine::session::{Session, VERSION};
use bandmate_engine::theory::Key;
use nice_plug::params::persist::PersistentField;
use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};

/// The worker's session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    /// Current clip, the settings that made it, its label, the undo history, the export folder.
    pub session: Session,
    /// Fingerprint (see `crate::fingerprint`) of the parameters the clip was made from; `None`
    /// when not known (restored from an older layout): then the clip is kept while the
    /// parameters map to its settings.
    pub fingerprint: Option<u64>,
    /// The detected key being followed (key source "detected"); see `params::effective_key`.
    pub followed_key: Option<Key>,
    /// The personal style new clips use (by name, loaded from the user's styles folder) and
    /// its "like my music" amount.
    pub personal: Option<PersonalChoice>,
}

/// A personal style chosen in the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalChoice {
    pub name: String,
    /// 0..=1.
    pub like: f32,
}

impl State {
    pub fn to_value(&self) -> Value {
        let mut v = self.session.to_value();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("fingerprint".into(), serde_json::json!(self.fingerprint));
            obj.insert(
                "followed_key".into(),
                serde_json::to_value(self.followed_key).unwrap_or(Value::Null),
            );
            if let Some(p) = &self.personal {
                obj.insert(
                    "personal".into(),
                    serde_json::to_value(p).unwrap_or(Value::Null),
                );
            }
        }
        v
    }

    /// Reads a saved state; never fails (see the module docs). Returns the warnings.
    pub fn from_value(v: &Value) -> (State, Vec<String>) {
        let legacy = v
            .as_object()
            .filter(|o| !o.contains_key("version") && o.contains_key("fingerprint"));
        if let Some(obj) = legacy {
            let mut obj = obj.clone();
            obj.insert("version".into(), serde_json::json!(VERSION));
            let (session, warnings) = Session::from_value(&Value::Object(obj));
            let state = State {
                session,
                fingerprint: None,
                followed_key: None,
                personal: None,
            };
            return (state, warnings);
        }
        let (session, mut warnings) = Session::from_value(v);
        let fingerprint = v.get("fingerprint").and_then(Value::as_u64);
        let followed_key = match v.get("followed_key") {
            None | Some(Value::Null) => None,
            Some(k) => serde_json::from_value(k.clone())
                .map_err(|e| warnings.push(format!("could not read the followed key ({e})")))
                .ok(),
        };
        let personal = match v.get("personal") {
            None | Some(Value::Null) => None,
            Some(p) => serde_json::from_value::<PersonalChoice>(p.clone())
                .map_err(|e| warnings.push(format!("could not read the personal style ({e})")))
                .ok()
                .filter(|p| p.like.is_finite()),
        };
        let state = State {
            session,
            fingerprint,
            followed_key,
            personal,
        };
        (state, warnings)
    }
}

/// The state plus the warnings from the last state load.
#[derive(Debug, Default)]
pub struct SessionSlot {
    state: RwLock<State>,
    restored: AtomicBool,
    warnings: Mutex<Vec<String>>,
}

impl SessionSlot {
    /// Reads the state. Any thread but the audio thread.
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read()
    }

    /// Changes the state. Worker thread only (and tests).
    pub fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write()
    }

    /// Worker thread: applies `f` unless a state load has replaced the state since the worker
    /// last looked (then the work done for the old state is dropped); returns whether it did.
    pub fn commit(&self, f: impl FnOnce(&mut State)) -> bool {
        let mut st = self.state.write();
        if self.is_restored() {
            return false;
        }
        f(&mut st);
        true
    }

    /// Whether a state load replaced the state since the worker last looked.
    pub fn is_restored(&self) -> bool {
        self.restored.load(Ordering::SeqCst)
    }

    /// Clears the `restored` flag, returning whether it was set.
    pub fn take_restored(&self) -> bool {
        self.restored.swap(false, Ordering::SeqCst)
    }

    /// Warnings from the last state load (empty when it was read in full).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().clone()
    }

    /// Forgets the load warnings.
    pub fn clear_warnings(&self) {
        self.warnings.lock().clear();
    }
}

impl<'a> PersistentField<'a, Value> for SessionSlot {
    /// A state load (main thread): reads what it can, keeps the warnings.
    fn set(&self, new_value: Value) {
        let (state, warnings) = State::from_value(&new_value);
        // Raised first: a generation that finishes while the state is replaced sees it under
        // the lock and drops its result (see `SessionSlot::commit`).
        self.restored.store(true, Ordering::SeqCst);
        *self.state.write() = state;
        *self.warnings.lock() = warnings;
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Value) -> R,
    {
        f(&self.state.read().to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bandmate_engine::arrange::{generate, Settings, Source};
    use bandmate_engine::session::Snapshot;

    fn snapshot(seed: u64) -> Snapshot {
        let settings = Settings {
            source: Source::Rules,
            seed,
            ..Settings::default()
        };
        let clip = generate(&settings).expect("clip").clip;
        Snapshot {
            clip,
            settings,
            label: format!("seed {seed}"),
        }
    }

    #[test]
    fn the_slot_round_trips_through_the_plugin_state() {
        use nice_plug::params::Params;
        let params = crate::params::BandmateParams::default();
        {
            let mut st = params.session.write();
            st.session.advance(snapshot(3));
            st.session.advance(snapshot(4));
            st.session.export_dir = Some("/music/x".into());
            st.fingerprint = Some(77);
            st.followed_key = Some("G major".parse().expect("key"));
        }
        let fields = params.serialize_fields();
        assert!(fields.contains_key("clip"));
        let reopened = crate::params::BandmateParams::default();
        reopened.deserialize_fields(&fields);
        assert_eq!(*reopened.session.read(), *params.session.read());
        assert!(reopened.session.warnings().is_empty());
        assert!(reopened.session.take_restored());
        assert!(!reopened.session.is_restored());
    }

    #[test]
    fn a_project_of_the_previous_layout_loads_its_clip() {
        use nice_plug::params::Params;
        let s = snapshot(9);
        // The fields as the previous layout saved them: the played clip with an old-hash
        // fingerprint under "clip", the editor's session under "session".
        let old_clip = serde_json::json!({
            "clip": s.clip,
            "settings": s.settings,
            "fingerprint": 1234u64,
        });
        let old_session = serde_json::json!({ "version": 1, "label": "x" });
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("clip".to_string(), old_clip.to_string());
        fields.insert("session".to_string(), old_session.to_string());
        fields.insert("history".to_string(), "[]".to_string());
        let params = crate::params::BandmateParams::default();
        params.deserialize_fields(&fields);
        let st = params.session.read();
        assert_eq!(st.session.clip.as_ref(), Some(&s.clip));
        assert_eq!(st.session.settings, s.settings);
        assert_eq!(
            st.fingerprint, None,
            "an old-hash fingerprint is not trusted"
        );
        assert!(params.session.warnings().is_empty());
    }

    #[test]
    fn a_corrupt_slot_loads_defaults_with_a_warning() {
        let slot = SessionSlot::default();
        slot.set(Value::String("garbage".into()));
        assert_eq!(*slot.read(), State::default());
        assert_eq!(slot.warnings().len(), 1);
        slot.clear_warnings();
        assert!(slot.warnings().is_empty());
    }
}
