//! The editor's persisted session ([`bandmate_engine::session::Session`]) as a `#[persist]` field.
//!
//! Saved as a JSON value inside nice-plug's state; loading never fails: an unreadable or
//! newer-format session loads as defaults plus what could be recovered, and the warnings are
//! kept for the editor to show. Locked by the GUI thread (and by the host's state save/load on
//! the main thread); never by the audio thread.

use bandmate_engine::session::Session;
use nice_plug::params::persist::PersistentField;
use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use serde_json::Value;

/// The session plus the warnings from the last state load.
#[derive(Debug, Default)]
pub struct SessionSlot {
    session: RwLock<Session>,
    warnings: Mutex<Vec<String>>,
}

impl SessionSlot {
    /// Reads the session. GUI or main thread.
    pub fn read(&self) -> RwLockReadGuard<'_, Session> {
        self.session.read()
    }

    /// Changes the session. GUI thread.
    pub fn write(&self) -> RwLockWriteGuard<'_, Session> {
        self.session.write()
    }

    /// Warnings from the last state load (empty when it was read in full).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().clone()
    }

    /// Forgets the load warnings (the user dismissed them).
    pub fn clear_warnings(&self) {
        self.warnings.lock().clear();
    }
}

impl<'a> PersistentField<'a, Value> for SessionSlot {
    /// A state load: reads what it can, keeps the warnings.
    fn set(&self, new_value: Value) {
        let (session, warnings) = Session::from_value(&new_value);
        *self.session.write() = session;
        *self.warnings.lock() = warnings;
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Value) -> R,
    {
        f(&self.session.read().to_value())
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
    fn session_field_round_trips_through_the_plugin_state() {
        let slot = SessionSlot::default();
        slot.write().advance(snapshot(1));
        slot.write().advance(snapshot(2));
        let saved: String = slot.map(|v| serde_json::to_string(v).expect("json"));
        let other = SessionSlot::default();
        other.set(serde_json::from_str(&saved).expect("value"));
        assert_eq!(*other.read(), *slot.read());
        assert!(other.warnings().is_empty());
    }

    #[test]
    fn session_survives_the_plugin_parameters_state() {
        use nice_plug::params::Params;
        let params = crate::params::BandmateParams::default();
        params.session.write().advance(snapshot(3));
        params.session.write().advance(snapshot(4));
        params.session.write().export_dir = Some("/music/x".into());
        let fields = params.serialize_fields();
        assert!(fields.contains_key("session"));
        let reopened = crate::params::BandmateParams::default();
        reopened.deserialize_fields(&fields);
        assert_eq!(
            *reopened.session.read(),
            *params.session.read(),
            "identical clip, history and folder"
        );
        assert!(reopened.session.warnings().is_empty());
    }

    #[test]
    fn corrupt_session_field_loads_defaults_with_a_warning() {
        let slot = SessionSlot::default();
        slot.set(Value::String("garbage".into()));
        assert_eq!(*slot.read(), Session::default());
        assert_eq!(slot.warnings().len(), 1);
        slot.clear_warnings();
        assert!(slot.warnings().is_empty());
    }
}
