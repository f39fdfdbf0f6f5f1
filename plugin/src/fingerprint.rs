//! Change detection: a hash of every parameter that shapes the clip, plus the effective meter
//! and key. The list is the parameter map minus [`NOT_FINGERPRINTED`], so a new parameter is
//! fingerprinted unless it is added there on purpose. Computed by the worker thread only.

use crate::params::{BandmateParams, ParamChange};
use bandmate_engine::theory::{Key, Meter};
use nice_plug::params::internals::ParamPtr;
use nice_plug::prelude::Params;
use std::sync::Arc;

/// Parameters that do not change the generated clip: playback only (`midi_thru`, `free_run`,
/// `free_tempo` (only labels exports), `bypass`), the locks (which parts a new clip keeps) and
/// `key_source` (it selects the key, and the effective key is hashed itself) and live mode's
/// parameters (live material is made apart from the clip).
pub const NOT_FINGERPRINTED: &[&str] = &[
    "midi_thru",
    "free_run",
    "free_tempo",
    "bypass",
    "key_source",
    "lock_chords",
    "lock_melody",
    "lock_bass",
    "lock_keys",
    "lock_drums",
    "live",
    "live_mode",
    "live_phrase",
    "live_silence",
];

/// The fingerprinted parameters of one parameter object.
pub struct Fingerprinter {
    /// Keeps the pointers valid.
    _params: Arc<BandmateParams>,
    list: Vec<(String, ParamPtr)>,
}

// SAFETY: `ParamPtr` is Send + Sync; the parameters it points into are kept alive by `_params`.
unsafe impl Send for Fingerprinter {}
unsafe impl Sync for Fingerprinter {}

impl Fingerprinter {
    pub fn new(params: Arc<BandmateParams>) -> Self {
        let list = params
            .param_map()
            .into_iter()
            .filter(|(id, _, _)| !NOT_FINGERPRINTED.contains(&id.as_str()))
            .map(|(id, ptr, _)| (id, ptr))
            .collect();
        Fingerprinter {
            _params: params,
            list,
        }
    }

    /// The ids of the fingerprinted parameters, in parameter-map order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|(id, _)| id.as_str())
    }

    /// The fingerprint of the parameters now, generating in `meter` and `key`.
    pub fn current(&self, meter: Meter, key: Key) -> u64 {
        self.with(&[], meter, key)
    }

    /// The fingerprint the parameters will have once `changes` are applied.
    pub fn with(&self, changes: &[ParamChange], meter: Meter, key: Key) -> u64 {
        let mut h = Fnv::default();
        for (id, ptr) in &self.list {
            let v = changes
                .iter()
                .find(|(p, _)| p == ptr)
                .map(|(_, v)| *v)
                // SAFETY: `ptr` points into `_params`.
                .unwrap_or_else(|| unsafe { ptr.modulated_normalized_value() });
            h.bytes(id.as_bytes());
            h.word(u64::from(v.to_bits()));
        }
        h.word(u64::from(meter.numerator) << 8 | u64::from(meter.denominator));
        h.word(u64::from(key.tonic.index()));
        h.bytes(key.mode.name().as_bytes());
        h.0
    }
}

/// FNV-1a, 64 bit.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn word(&mut self, w: u64) {
        self.bytes(&w.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::effective_key;

    fn fp(f: &Fingerprinter, p: &BandmateParams) -> u64 {
        f.current(Meter::COMMON, effective_key(p, None))
    }

    #[test]
    fn the_list_is_the_parameter_map_minus_the_playback_only_set() {
        let params = Arc::new(BandmateParams::default());
        let f = Fingerprinter::new(params.clone());
        let all: Vec<String> = params
            .param_map()
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        for id in NOT_FINGERPRINTED {
            assert!(all.iter().any(|a| a == id), "{id} is not a parameter");
        }
        let listed: Vec<&str> = f.ids().collect();
        let expected: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|id| !NOT_FINGERPRINTED.contains(id))
            .collect();
        assert_eq!(listed, expected);
        for id in [
            "tonic",
            "seed",
            "part_melody",
            "ch_bass",
            "oct_drums",
            "drum_style",
        ] {
            assert!(listed.contains(&id), "{id} must be fingerprinted");
        }
    }

    #[test]
    fn changing_any_fingerprinted_parameter_changes_the_fingerprint() {
        let params = Arc::new(BandmateParams::default());
        // Values as a host leaves them (stepped floats snapped), so that restoring one
        // gives back the same bits.
        for (_, ptr, _) in params.param_map() {
            // SAFETY: the pointers point into `params`.
            unsafe { ptr._internal_set_normalized_value(ptr.unmodulated_normalized_value()) };
        }
        let f = Fingerprinter::new(params.clone());
        let base = fp(&f, &params);
        for (id, ptr, _) in params.param_map() {
            // SAFETY: the pointers point into `params`; values are restored after each check.
            let old = unsafe { ptr.unmodulated_normalized_value() };
            let new = if old < 0.5 { 1.0 } else { 0.0 };
            unsafe { ptr._internal_set_normalized_value(new) };
            let changed = fp(&f, &params) != base;
            // The predicted fingerprint of the same change agrees without touching the value.
            unsafe { ptr._internal_set_normalized_value(old) };
            let predicted = f.with(&[(ptr, new)], Meter::COMMON, effective_key(&params, None));
            if NOT_FINGERPRINTED.contains(&id.as_str()) {
                assert!(!changed, "{id} must not change the fingerprint");
            } else {
                assert!(changed, "{id} must change the fingerprint");
                assert_ne!(predicted, base, "{id}");
            }
            assert_eq!(fp(&f, &params), base, "{id} restored");
        }
        let m78 = Meter {
            numerator: 7,
            denominator: 8,
        };
        assert_ne!(f.current(m78, effective_key(&params, None)), base);
        let g: Key = "G major".parse().expect("key");
        assert_ne!(f.current(Meter::COMMON, g), base);
    }
}
