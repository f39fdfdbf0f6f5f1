//! The prompt box's translation: what the engine read from a prompt
//! ([`bandmate_engine::prompt::Interpretation`]) as host parameter changes, and what the plugin
//! has no parameter for. Called on the GUI thread; the changes go to the host through
//! [`crate::host::ParamHost`], so they are automatable and undoable in the host.

use crate::params::{
    changes_for, settings_from_params, BandmateParams, KeySourceChoice, MeterChoice, ParamChange,
};
use bandmate_engine::clip::PartKind;
use bandmate_engine::prompt::{Interpretation, Target};
use bandmate_engine::theory::{Key, Meter};
use nice_plug::prelude::*;

/// The parameter changes a prompt asks for, and the settings the plugin cannot take.
#[derive(Debug, Default)]
pub struct PromptChanges {
    pub changes: Vec<ParamChange>,
    /// One line per setting the plugin has no parameter for.
    pub not_applied: Vec<String>,
    /// The song form the prompt names (form text for `Task::SetForm`).
    pub form: Option<String>,
}

/// The changes that make the parameters say what `i` read, from their current values; `seed`
/// also sets a new seed (the prompt box's "Generate").
pub fn changes(
    p: &BandmateParams,
    i: &Interpretation,
    host_meter: Option<Meter>,
    followed: Option<Key>,
    seed: Option<u64>,
) -> PromptChanges {
    let mut s = settings_from_params(p, host_meter, followed);
    let form = i.apply(&mut s, &[]);
    if let Some(seed) = seed {
        s.seed = seed;
    }
    let mut out = PromptChanges {
        changes: changes_for(p, &s, host_meter),
        not_applied: Vec::new(),
        form: form.map(|f| f.to_string()),
    };
    let w = &i.resolved.winners;
    if (w.contains_key(&Target::Tonic) || w.contains_key(&Target::Mode))
        && p.key_source.value() == KeySourceChoice::Detected
    {
        out.changes.push((
            p.key_source.as_ptr(),
            p.key_source.preview_normalized(KeySourceChoice::Manual),
        ));
    }
    if let Some(t) = i.resolved.tempo(f64::from(p.free_tempo.value())) {
        let v = p.free_tempo.preview_normalized(t.clamp(20.0, 300.0) as f32);
        if (p.free_tempo.unmodulated_normalized_value() - v).abs() > 1e-6 {
            out.changes.push((p.free_tempo.as_ptr(), v));
        }
        out.not_applied.push(format!(
            "tempo {t} bpm: set as the free-run tempo; in the host, the host's tempo plays"
        ));
    }
    if w.contains_key(&Target::Meter)
        && !MeterChoice::ALL.iter().any(|c| c.meter() == Some(s.meter))
    {
        out.not_applied.push(format!(
            "meter {}: not one of the plugin's time signatures",
            s.meter
        ));
    }
    for k in [PartKind::Chords, PartKind::Keys, PartKind::Melody] {
        if w.contains_key(&Target::PartStyle(k)) {
            let style = s.part(k).map_or("", |o| o.style.as_str());
            out.not_applied.push(format!(
                "{} style {style}: the plugin has no parameter for it (the CLI takes it)",
                k.name()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bandmate_engine::prompt::interpret;

    #[test]
    fn a_prompt_fills_the_parameters() {
        let p = BandmateParams::default();
        let i = interpret("jazz in D minor, 16 bars, 3/4, with bass and drums, 90 bpm");
        let pc = changes(&p, &i, None, None, Some(42));
        for (ptr, v) in &pc.changes {
            // SAFETY: the pointers point into `p`, alive for the whole test.
            unsafe { ptr._internal_set_normalized_value(*v) };
        }
        let s = settings_from_params(&p, None, None);
        assert_eq!(s.key.to_string(), "D minor");
        assert_eq!(s.bars, 16);
        assert_eq!(s.meter.to_string(), "3/4");
        assert_eq!(s.seed, 42);
        assert_eq!(s.style, "jazz-swing");
        assert!((s.swing - 0.6).abs() < 0.011, "{}", s.swing);
        for k in [PartKind::Chords, PartKind::Bass, PartKind::Drums] {
            assert!(s.part(k).is_some_and(|o| o.enabled), "{k:?}");
        }
        assert_eq!(
            s.part(PartKind::Drums).map(|o| o.style.as_str()),
            Some("jazz")
        );
        assert!((p.free_tempo.value() - 90.0).abs() < 0.01);
        assert_eq!(
            s.part(PartKind::Bass).map(|o| o.style.as_str()),
            Some("walking"),
            "the bass style parameter takes it"
        );
        assert!(!pc.not_applied.iter().any(|l| l.starts_with("bass style")));
        assert!(pc.form.is_none());
        let song = changes(&p, &interpret("verse and chorus"), None, None, None);
        let form = song.form.expect("a form");
        let parsed = bandmate_engine::form::Form::parse(&form).expect("form text parses");
        assert_eq!(parsed.sections.len(), 2);
        // Read again, nothing is left to change.
        assert!(changes(&p, &i, None, None, Some(42)).changes.is_empty());
    }
}
