//! Every drum style by where it comes from: model styles are played by the drum model trained on
//! the Groove MIDI Dataset (with a hand-written pattern as fallback), pattern styles only by the
//! patterns in [`super::styles`] (what the data lacks: drum & bass, trap, reggaeton, 6/8 ...).
//! Each style also names the learned groove profile the humanize control applies.

use super::grid;
use crate::clip::Note;
use crate::model::drums::{self as dm, DrumModel, DrumRequest, DRUM_MODEL_ID};
use crate::model::ModelError;
use crate::parts::{PartContext, PartError};

/// Where a drum style's notes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The drum model, conditioned on this Groove MIDI Dataset style.
    Model(&'static str),
    /// Hand-written patterns only.
    Pattern,
}

/// One drum style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub name: &'static str,
    pub source: Source,
    /// The pattern style played by rules and as the model's fallback.
    pub pattern: &'static str,
    /// The learned groove profile (see [`crate::groove::learned`]) humanize applies with this style.
    pub groove: &'static str,
}

macro_rules! e {
    ($n:literal, model $d:literal, $p:literal) => {
        Entry {
            name: $n,
            source: Source::Model($d),
            pattern: $p,
            groove: $d,
        }
    };
    ($n:literal, model $d:literal, $p:literal, groove $g:literal) => {
        Entry {
            name: $n,
            source: Source::Model($d),
            pattern: $p,
            groove: $g,
        }
    };
    ($n:literal, pattern, $g:literal) => {
        Entry {
            name: $n,
            source: Source::Pattern,
            pattern: $n,
            groove: $g,
        }
    };
}

/// The pattern styles first, in [`super::styles()`] order, then the model-only styles.
pub const CATALOG: &[Entry] = &[
    e!("pop", model "pop", "pop"),
    e!("rock", model "rock", "rock"),
    e!("funk", model "funk", "funk"),
    e!("disco", pattern, "other"),
    e!("boom-bap", model "hiphop", "boom-bap"),
    e!("trap", pattern, "hiphop"),
    e!("lo-fi", pattern, "hiphop"),
    e!("dnb", pattern, "funk"),
    e!("reggaeton", pattern, "latin"),
    e!("bossa", model "latin", "bossa"),
    e!("jazz", model "jazz", "jazz"),
    e!("ballad-6/8", pattern, "all"),
    e!("shuffle", pattern, "neworleans"),
    e!("afro-latin", model "afrocuban", "afro-latin"),
    e!("soul", model "soul", "funk"),
    e!("punk", model "punk", "rock"),
    e!("neworleans", model "neworleans", "shuffle"),
    e!("country", model "country", "pop"),
    e!("reggae", model "reggae", "pop"),
    // Gospel has too few beat bars in 4/4 for a profile of its own.
    e!("gospel", model "gospel", "shuffle", groove "soul"),
    e!("afrobeat", model "afrobeat", "afro-latin"),
];

/// The style named `name` (case-insensitive).
pub fn entry(name: &str) -> Option<&'static Entry> {
    let n = name.trim().to_ascii_lowercase();
    CATALOG.iter().find(|e| e.name == n)
}

/// "name (model)" or "name (pattern)" for every style, in catalog order.
pub fn labels() -> Vec<String> {
    CATALOG
        .iter()
        .map(|e| {
            let what = match e.source {
                Source::Model(_) => "model",
                Source::Pattern => "pattern",
            };
            format!("{} ({what})", e.name)
        })
        .collect()
}

/// The learned groove profile humanize applies with drum style `name`: the style's own profile
/// for model styles, the nearest learned style for patterns; a data style name ("funk",
/// "neworleans", "all") names its profile directly.
pub fn groove_profile(name: &str) -> Option<&'static crate::groove::learned::Profile> {
    let g = entry(name).map_or(name, |e| e.groove);
    crate::groove::learned::profile(g).ok()
}

/// One line for about/help texts: which of the plugin's drum styles the model plays, and the
/// credit its data asks for.
pub fn about() -> String {
    let model: Vec<&str> = CATALOG
        .iter()
        .take(super::styles().len())
        .filter(|e| matches!(e.source, Source::Model(_)))
        .map(|e| e.name)
        .collect();
    format!(
        "Model drum styles: {} (others are patterns). Model drums and the humanize feel learned from the {}.",
        model.join(", "),
        crate::model::drums::DRUM_SOURCE
    )
}

/// A drum part and how it was made.
#[derive(Debug, Clone)]
pub struct DrumPart {
    pub notes: Vec<Note>,
    /// For the provenance record: `model(...)` naming the model and its data, or `rules(...)`.
    pub engine: String,
    /// Why the model was not used, when it was asked for and could not play.
    /// Why the pattern played instead of the model, when it did.
    pub notice: Option<DrumFallback>,
}

/// Model settings for a drum part.
#[derive(Debug, Clone, Copy)]
pub struct ModelUse {
    pub tempo_bpm: f64,
    pub temperature: f32,
    pub top_p: f32,
}

/// A drum part for `ctx.style`: from the drum model when `model` is given and the style is a model
/// style, from the style's pattern otherwise or when the model fails (with the reason).
pub fn part(
    ctx: &PartContext,
    fill_every: u32,
    model: Option<ModelUse>,
) -> Result<DrumPart, PartError> {
    part_with(ctx, fill_every, model, || {
        dm::shared().map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    })
}

/// [`part`] with the model supplied by `get` (tests pass a damaged one).
pub fn part_with<G, M>(
    ctx: &PartContext,
    fill_every: u32,
    model: Option<ModelUse>,
    get: G,
) -> Result<DrumPart, PartError>
where
    G: FnOnce() -> Result<M, ModelError>,
    M: std::ops::DerefMut<Target = DrumModel>,
{
    let e = entry(ctx.style);
    let pattern = e.map_or(ctx.style, |e| e.pattern);
    let mut notice = None;
    if let (
        Some(Entry {
            source: Source::Model(data),
            ..
        }),
        Some(mu),
    ) = (e, model)
    {
        let req = DrumRequest {
            style: data,
            meter: ctx.meter,
            bars: ctx.bars,
            tempo_bpm: mu.tempo_bpm,
            density: ctx.density,
            fill_every,
            temperature: mu.temperature,
            top_p: mu.top_p,
            seed: ctx.seed,
        };
        let res = get().and_then(|mut m| {
            let beats = dm::meter_support(&m.config, ctx.meter).map_or(4, |b| b.0);
            dm::generate(&mut m, &req).map(|bars| (bars, beats))
        });
        match res {
            Ok((bars, beats)) => {
                let mut notes = grid::render(&bars, beats);
                notes.retain(|n| n.start < ctx.length());
                return Ok(DrumPart {
                    notes,
                    engine: format!(
                        "model({DRUM_MODEL_ID}, Groove MIDI Dataset style {data}, {})",
                        crate::model::backend_name()
                    ),
                    notice: None,
                });
            }
            Err(err) => {
                notice = Some(DrumFallback {
                    pattern: pattern.to_string(),
                    reason: err.to_string(),
                })
            }
        }
    }
    let mut c = *ctx;
    c.style = pattern;
    Ok(DrumPart {
        notes: super::generate(&c, fill_every)?,
        engine: format!("rules(drums:{pattern})"),
        notice,
    })
}

/// The drum model could not play a part; the named pattern did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrumFallback {
    pub pattern: String,
    pub reason: String,
}

impl std::fmt::Display for DrumFallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "drum model unavailable ({}); played the {} pattern",
            self.reason, self.pattern
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_pattern_and_a_groove() {
        for e in CATALOG {
            assert!(super::super::style(e.pattern).is_ok(), "{}", e.name);
            assert!(
                crate::groove::learned::profile(e.groove).is_ok(),
                "{}: groove {}",
                e.name,
                e.groove
            );
        }
        let names: Vec<&str> = CATALOG
            .iter()
            .take(super::super::styles().len())
            .map(|e| e.name)
            .collect();
        assert_eq!(
            names,
            super::super::styles(),
            "pattern styles keep their order"
        );
        assert!(labels().contains(&"dnb (pattern)".to_string()));
        assert!(labels().contains(&"funk (model)".to_string()));
    }
}
