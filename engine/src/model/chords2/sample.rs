//! Chord track sampling with `bandmate-chords@2`: one model step per chord event, conditioned on
//! style, section, mode, meter, harmonic rhythm and complexity, with constraint masks (qualities
//! by complexity tier, slash chords whose bass is a chord or scale tone, durations that never
//! cross the bar end). Runs on the worker thread.

use super::prior::V1Prior;
use super::{shared, Chords2Config, Chords2Model, CHORDS2_MODEL_ID};
use crate::chord::RomanChord;
use crate::clip::ChordEvent;
use crate::model::prior::{self, EventPrior};
use crate::model::vocab2::{vocab2, Vocab2};
use crate::model::{sampling, ChordRequest, ModelError};
use crate::progression::HarmonicRhythm;
use crate::rng::Rng;
use crate::theory::Key;
use std::borrow::Cow;

/// Quality names of the "triads" and "extended" complexity tiers, as the training recipe
/// (`models/train/train_chords2.py`) labels songs; every other quality is "sevenths".
const TRIADS: [&str; 7] = ["maj", "min", "dim", "aug", "sus2", "sus4", "5"];
const EXTENDED: [&str; 11] = [
    "9", "maj9", "m9", "7b9", "7#9", "11", "m11", "13", "maj13", "add9", "madd9",
];

/// The section a loop is generated as when no song section applies.
pub const LOOP_SECTION: &str = "verse";

/// A v2 chord request: the v1 request's fields plus section and harmonic rhythm.
pub struct Chords2Request<'a> {
    pub base: &'a ChordRequest,
    /// A section name of the model's config ("verse", "chorus", ...); unknown names are "other".
    pub section: &'a str,
    pub harmonic_rhythm: HarmonicRhythm,
}

/// Complexity 0..1 to the tier index of `config.complexity` (triads, sevenths, extended).
pub fn complexity_tier(complexity: f32) -> usize {
    if complexity < 1.0 / 3.0 {
        0
    } else if complexity < 2.0 / 3.0 {
        1
    } else {
        2
    }
}

/// The complexity tier (0 triads, 1 sevenths, 2 extended) of a v2 quality name, as the training
/// recipe labels songs.
pub fn quality_tier(name: &str) -> usize {
    if TRIADS.contains(&name) {
        0
    } else if EXTENDED.contains(&name) {
        2
    } else {
        1
    }
}

/// The harmonic-rhythm bucket (index into `config.harmonic_rhythm`: mean chord length in 16ths
/// <= 4, <= 8, <= 16, > 16) of a setting in a bar of `bar16` 16ths.
pub fn rhythm_bucket(rhythm: HarmonicRhythm, bar16: u32) -> usize {
    let mean4 = match rhythm {
        HarmonicRhythm::TwoBars => 8 * bar16,
        HarmonicRhythm::Bar => 4 * bar16,
        HarmonicRhythm::Mixed => 3 * bar16,
        HarmonicRhythm::HalfBar => 2 * bar16,
    };
    match mean4 {
        m if m <= 16 => 0,
        m if m <= 32 => 1,
        m if m <= 64 => 2,
        _ => 3,
    }
}

fn index_of(list: &[String], name: &str, fallback: &str) -> usize {
    list.iter()
        .position(|s| s == name)
        .or_else(|| list.iter().position(|s| s == fallback))
        .unwrap_or(0)
}

fn bucket(v: u32, edges: &[u32]) -> usize {
    edges.iter().rposition(|e| v >= *e).unwrap_or(0)
}

/// Conditioning indices (into the config's lists) shared by every step of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cond {
    pub mode: i64,
    pub meter: i64,
    pub style: i64,
    pub section: i64,
    pub rhythm: i64,
    pub complexity: i64,
}

impl Cond {
    /// The indices of named conditions ("major", "4/4", a v2 style, a section) and of the
    /// harmonic-rhythm bucket and complexity tier; unknown names take "major", "other", "pop"
    /// and "other".
    pub fn of_names(
        cfg: &Chords2Config,
        style: &str,
        mode: &str,
        meter: &str,
        section: &str,
        rhythm: usize,
        complexity: usize,
    ) -> Cond {
        Cond {
            mode: index_of(&cfg.modes, mode, "major") as i64,
            meter: index_of(&cfg.meters, meter, "other") as i64,
            style: index_of(&cfg.styles, style, "pop") as i64,
            section: index_of(&cfg.sections, section, "other") as i64,
            rhythm: rhythm as i64,
            complexity: complexity as i64,
        }
    }
}

/// `prev` for a clip's first step: the BOS token and the "no duration" index.
pub fn start_prev(cfg: &Chords2Config) -> (i64, i64) {
    (0, cfg.durations.len() as i64)
}

/// The model's input row (the config's feature order) for the step starting `t` 16ths into a
/// clip of `bars` bars of `bar16` 16ths, after the event `prev` (token index, duration index).
pub fn step_input(
    cfg: &Chords2Config,
    c: &Cond,
    prev: (i64, i64),
    t: u32,
    bar16: u32,
    bars: u32,
) -> [i64; 10] {
    let bar16 = bar16.max(1);
    let pos = (t % bar16).min(cfg.positions.saturating_sub(1));
    let bars_left = bars.saturating_sub(1).saturating_sub(t / bar16);
    [
        prev.0,
        prev.1,
        i64::from(pos),
        bucket(bars_left, &cfg.bars_left_buckets) as i64,
        c.mode,
        c.meter,
        c.style,
        c.section,
        c.rhythm,
        c.complexity,
    ]
}

/// The v2 style a stored style name stands for: a v2 name, an old name through the legacy map
/// of `vocab-v2.json`, or else the v1 style the v1 model used for it ("bach" -> chorale,
/// unknown -> pop) through that map. None only when a vocabulary does not load.
pub fn resolve_style(name: &str) -> Option<String> {
    let v = vocab2().ok()?;
    let n = name.trim().to_ascii_lowercase();
    if let Some(s) = v.style(&n) {
        return Some(s.to_string());
    }
    let v1 = crate::model::tokens::vocab().ok()?;
    let old = v1.styles.get(v1.style_index(&n))?;
    v.style(old).map(str::to_string)
}

fn cond(cfg: &Chords2Config, req: &Chords2Request, bar16: u32) -> Cond {
    let b = req.base;
    let style = resolve_style(&b.style).unwrap_or_else(|| "pop".into());
    let mode = if b.key.mode.is_minor() {
        "minor"
    } else {
        "major"
    };
    let meter = format!("{}/{}", b.meter.numerator, b.meter.denominator);
    Cond::of_names(
        cfg,
        &style,
        mode,
        &meter,
        req.section,
        rhythm_bucket(req.harmonic_rhythm, bar16),
        complexity_tier(b.complexity),
    )
}

/// Which tokens may be sampled in `key` at `complexity`: no BOS/NC, qualities up to the tier,
/// slash chords only with a bass on a chord or scale tone (chord tones only at the triad tier).
fn token_mask(cfg: &Chords2Config, v: &Vocab2, key: Key, complexity: f32) -> Vec<bool> {
    let tier = complexity_tier(complexity);
    let scale = key.scale_mask();
    cfg.tokens
        .iter()
        .map(|t| {
            let Ok(Some(chord)) = v.chord(t, key) else {
                return false;
            };
            let name = t
                .split_once(':')
                .map_or("", |(_, r)| r.split('/').next().unwrap_or(""));
            let bass_ok = chord.bass.is_none_or(|b| {
                let bit = 1u16 << b.index();
                chord.mask() & bit != 0 || (tier > 0 && scale & bit != 0)
            });
            quality_tier(name) <= tier && bass_ok
        })
        .collect()
}

/// Generates a chord track covering exactly `bars` bars with the v2 model: contiguous, sorted,
/// no chord crossing a barline. Same request + seed, same events.
pub fn generate(req: &Chords2Request) -> Result<Vec<ChordEvent>, ModelError> {
    generate_with(req, None)
}

/// [`generate`] with the model's distributions blended with `prior`, a distribution over chord
/// model v1's tokens (a personal style's), through [`V1Prior`]; amount 0 gives [`generate`]'s
/// output exactly.
pub fn generate_with(
    req: &Chords2Request,
    prior: Option<&dyn EventPrior>,
) -> Result<Vec<ChordEvent>, ModelError> {
    let b = req.base;
    let (_, bar16, gt) = crate::model::grid(b.meter, b.bars)?;
    let v = vocab2().map_err(|e| ModelError::Config {
        model: CHORDS2_MODEL_ID,
        reason: e.to_string(),
    })?;
    let m = shared()?;
    let mut m = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    run(&mut m, v, req, bar16, gt, prior::active(prior))
}

fn run(
    m: &mut Chords2Model,
    v: &Vocab2,
    req: &Chords2Request,
    bar16: u32,
    gt: u32,
    prior: Option<&dyn EventPrior>,
) -> Result<Vec<ChordEvent>, ModelError> {
    let b = req.base;
    let cfg = m.config.clone();
    let prior = prior.map(|p| V1Prior::new(p, &cfg)).transpose()?;
    let mut history = Vec::new();
    let c = cond(&cfg, req, bar16);
    let mask = token_mask(&cfg, v, b.key, b.complexity);
    let nb = cfg.durations.len();
    let no_token = |step| ModelError::NoAllowedToken {
        model: CHORDS2_MODEL_ID,
        step,
    };
    let mut rng = Rng::derive(b.seed, "model-chords2");
    let total = bar16 * b.bars;
    let mut h = vec![0.0f32; m.state_len()];
    let (mut prev_c, mut prev_d) = start_prev(&cfg);
    let (mut t, mut step) = (0u32, 0usize);
    let mut out = Vec::new();
    while t < total {
        let x = step_input(&cfg, &c, (prev_c, prev_d), t, bar16, b.bars);
        let o = m.step(&x, &mut h)?;
        let la = match &prior {
            Some(p) => Cow::Owned(p.tokens(&o.logits_a, &history)),
            None => Cow::Borrowed(o.logits_a.as_slice()),
        };
        let tok = sampling::sample(&la, &mask, b.temperature, b.top_p, &mut rng)
            .ok_or_else(|| no_token(step))?;
        history.push(tok);
        let room = bar16 - t % bar16;
        let dmask: Vec<bool> = cfg.durations.iter().map(|d| *d <= room).collect();
        let row = o
            .logits_b
            .get(tok * nb..(tok + 1) * nb)
            .ok_or_else(|| no_token(step))?;
        let row = match &prior {
            Some(p) => Cow::Owned(p.durations(row, t % bar16, bar16)),
            None => Cow::Borrowed(row),
        };
        let d = sampling::sample(&row, &dmask, b.temperature, b.top_p, &mut rng)
            .ok_or_else(|| no_token(step))?;
        let chord = v
            .chord(&cfg.tokens[tok], b.key)
            .ok()
            .flatten()
            .ok_or_else(|| no_token(step))?;
        let dur = cfg.durations[d];
        if dur == 0 {
            return Err(no_token(step));
        }
        out.push(ChordEvent {
            start: t * gt,
            duration: dur * gt,
            chord,
            roman: Some(RomanChord::of_chord(chord, b.key)),
        });
        prev_c = tok as i64;
        prev_d = d as i64;
        t += dur;
        step += 1;
    }
    Ok(out)
}
