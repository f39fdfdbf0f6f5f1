//! Arrangement styles: one name picks the chord model's style tag and a default style for each
//! backing part. Data only; the part generators own their own style tables.

use crate::arrange::Settings;
use crate::clip::PartKind;

/// One arrangement preset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StylePreset {
    pub name: &'static str,
    /// Style tag for the chord model (one of [`model_styles`]).
    pub model_tag: &'static str,
    pub bass: &'static str,
    pub keys: &'static str,
    pub drums: &'static str,
    /// Default swing, 0..=1.
    pub swing: f32,
}

const fn p(
    name: &'static str,
    model_tag: &'static str,
    bass: &'static str,
    keys: &'static str,
    drums: &'static str,
    swing: f32,
) -> StylePreset {
    StylePreset {
        name,
        model_tag,
        bass,
        keys,
        drums,
        swing,
    }
}

/// The presets, in the order the editor lists them. Each model tag is a style of the chord model's
/// config (checked by a test).
pub const PRESETS: &[StylePreset] = &[
    p("pop", "pop", "pop", "block", "pop", 0.0),
    p("rock", "rock", "pulse", "eighths", "rock", 0.0),
    p("soul", "soul", "pop", "comp", "funk", 0.0),
    p("funk", "funk", "funk", "comp", "funk", 0.0),
    p("disco", "funk", "octave", "offbeat", "disco", 0.0),
    p("country", "country", "root-fifth", "eighths", "pop", 0.0),
    p("blues", "blues", "walking", "comp", "jazz", 0.6),
    p("boom-bap", "soul", "root-fifth", "pad", "boom-bap", 0.35),
    p("trap", "pop", "root", "pad", "trap", 0.0),
    p("lo-fi", "jazz-ballad", "root-fifth", "pad", "lo-fi", 0.45),
    p("dnb", "pop", "root", "pad", "dnb", 0.0),
    p("reggaeton", "pop", "pop", "offbeat", "reggaeton", 0.0),
    p("bossa", "bossa", "root-fifth", "comp", "bossa", 0.0),
    p("jazz", "jazz-swing", "walking", "comp", "jazz", 0.6),
    p(
        "jazz-ballad",
        "jazz-ballad",
        "root-fifth",
        "pad",
        "jazz",
        0.5,
    ),
    p("jazz-waltz", "jazz-waltz", "walking", "comp", "jazz", 0.6),
    p(
        "ballad",
        "cpop-ballad",
        "root",
        "arp-updown",
        "ballad-6/8",
        0.0,
    ),
    p("folk", "folk", "root-fifth", "arp-up", "pop", 0.0),
    p("chorale", "chorale", "root", "pad", "ballad-6/8", 0.0),
];

/// The chord model's styles (from its config; empty if the config cannot be read).
pub fn model_styles() -> Vec<String> {
    crate::model::chords2::styles().unwrap_or_default()
}

/// Known preset names, for messages.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|s| s.name).collect()
}

pub fn find(name: &str) -> Option<&'static StylePreset> {
    let n = name.trim().to_ascii_lowercase();
    PRESETS.iter().find(|s| s.name == n)
}

impl StylePreset {
    /// Applies the preset: sets the model tag and the default style of bass, keys and drums.
    pub fn apply(&self, s: &mut Settings) {
        s.style = self.model_tag.to_string();
        s.swing = self.swing;
        for (kind, style) in [
            (PartKind::Bass, self.bass),
            (PartKind::Keys, self.keys),
            (PartKind::Drums, self.drums),
        ] {
            if let Some(part) = s.part_mut(kind) {
                part.style = style.to_string();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrange::{generate, Source};

    #[test]
    fn every_preset_names_real_part_styles() {
        for preset in PRESETS {
            let mut s = Settings {
                source: Source::Rules,
                bars: 2,
                ..Settings::default()
            };
            s.enable_only(&PartKind::ALL);
            preset.apply(&mut s);
            let a = generate(&s).unwrap_or_else(|e| panic!("{}: {e}", preset.name));
            assert_eq!(a.clip.parts.len(), 5, "{}", preset.name);
        }
        let model = model_styles();
        assert!(!model.is_empty());
        for preset in PRESETS {
            assert!(
                model.iter().any(|m| m == preset.model_tag),
                "{}: {} is not a chord model style",
                preset.name,
                preset.model_tag
            );
        }
        assert!(find("Funk").is_some());
        assert!(find("polka").is_none());
    }
}
