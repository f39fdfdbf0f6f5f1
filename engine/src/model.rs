//! Learned chord and melody models (ONNX, embedded in the binary) run through `ort` with a backend
//! picked at run time: native ONNX Runtime when `libonnxruntime` can be loaded, tract otherwise.
//!
//! Both models are small GRU decoders exported one step at a time with a fixed-shape recurrent
//! state, so each generated event (a chord with its duration, or a note/rest with its duration) costs
//! exactly one call whatever the prefix length. Constraint masks keep the output valid: chord
//! qualities by complexity, diatonic roots at low complexity, melody range and scale/chord tones,
//! and durations that never cross the end of the bar (chords) or clip (melody).
//!
//! On any failure the caller gets a [`ModelError`] and falls back to the rule-based generators.

mod backend;
pub mod chords2;
pub mod drums;
pub mod guard;
pub mod melody;
pub mod prior;
mod runtime;
pub mod sampling;
pub mod tokens;
pub mod vocab2;

pub use backend::{
    backend_name, backend_report, candidates_for, check_version, init_backend, native_candidates,
    BackendKind, BackendPref, BackendReport, Candidate, RuntimeLocation, MIN_ORT_MINOR,
};
pub use runtime::{verify, ModelConfig, StepOut, MAX_OPSET};

use crate::chord::RomanChord;
use crate::clip::{ChordEvent, Note};
use crate::rng::Rng;
use crate::theory::{Key, Meter};
use midly::num::u7;
use prior::EventPrior;
use std::borrow::Cow;
use tokens::{ChordCond, ChordToken, VocabError};

/// Why a model could not be used. The caller falls back to rules and shows the message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("model vocabulary: {0}")]
    Vocab(VocabError),
    #[error("no ONNX backend: {reason}")]
    Backend { reason: String },
    #[error("backend {wanted} requested but {active} is already active in this process")]
    BackendMismatch { wanted: String, active: String },
    #[error("{model}: config.json does not parse: {reason}")]
    Config { model: &'static str, reason: String },
    #[error("{model}: incompatible {field}: engine expects {expected}, model has {found}")]
    Incompatible {
        model: &'static str,
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error("{model}: embedded model bytes have sha256 {found}, config says {expected}")]
    Checksum {
        model: &'static str,
        expected: String,
        found: String,
    },
    #[error("{model}: cannot load on {backend}: {reason}")]
    Load {
        model: &'static str,
        backend: &'static str,
        reason: String,
    },
    #[error("{model}: inference failed: {reason}")]
    Inference { model: &'static str, reason: String },
    #[error("unsupported request: {reason}")]
    Unsupported { reason: String },
    #[error("{model}: constraints leave no allowed token at step {step}")]
    NoAllowedToken { model: &'static str, step: usize },
}

/// The two shipped models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    Chords,
    Melody,
}

/// Model id + version strings (also in `models/<name>/config.json`), for provenance records.
pub const CHORD_MODEL_ID: &str = "bandmate-chords@1";
pub const MELODY_MODEL_ID: &str = "bandmate-melody@2";

impl ModelKind {
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::Chords => CHORD_MODEL_ID,
            ModelKind::Melody => MELODY_MODEL_ID,
        }
    }
}

/// Model id + version for provenance.
pub fn model_id(kind: ModelKind) -> &'static str {
    kind.id()
}

/// Loads (once per process) and checks a model; useful to report problems early.
pub fn preload(kind: ModelKind) -> Result<(), ModelError> {
    runtime::shared(kind).map(|_| ())
}

/// Runs a fixed sequence of input vectors through a model from the zero state (parity tests,
/// benchmarks). Returns one output per step.
pub fn run_steps(kind: ModelKind, xs: &[Vec<i64>]) -> Result<Vec<StepOut>, ModelError> {
    let m = runtime::shared(kind)?;
    let mut m = lock(m);
    let mut h = vec![0.0f32; m.state_len()];
    xs.iter().map(|x| m.step(x, &mut h)).collect()
}

/// Locks a shared model. A panic while another caller held it (caught by the plugin's worker)
/// leaves the model usable: each step takes its state as an argument, so nothing is half-updated.
fn lock(m: &std::sync::Mutex<runtime::Loaded>) -> std::sync::MutexGuard<'_, runtime::Loaded> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub struct ChordRequest {
    pub key: Key,
    pub meter: Meter,
    pub bars: u32,
    /// Style tag: "chorale", "folk" or "pop" (others map to the nearest; unknown to "pop").
    pub style: String,
    /// 0..1: < 1/3 triads only on scale degrees; < 2/3 adds 7ths and sus4; above, all qualities
    /// and chromatic roots.
    pub complexity: f32,
    pub temperature: f32,
    pub top_p: f32,
    pub seed: u64,
}

pub struct MelodyRequest<'a> {
    pub key: Key,
    pub meter: Meter,
    pub bars: u32,
    pub chords: &'a [ChordEvent],
    pub low: u7,
    pub high: u7,
    pub temperature: f32,
    pub top_p: f32,
    pub seed: u64,
    /// Notes to continue (quantized to 16ths; kept at the start of the result). May be empty.
    pub prime: &'a [Note],
}

const MAX_BARS: u32 = 1024;

fn grid(meter: Meter, bars: u32) -> Result<(&'static tokens::Vocab, u32, u32), ModelError> {
    let v = tokens::vocab().map_err(ModelError::Vocab)?;
    if bars == 0 || bars > MAX_BARS {
        return Err(ModelError::Unsupported {
            reason: format!("{bars} bars (1..={MAX_BARS})"),
        });
    }
    let bar16 = v.bar_steps(meter).ok_or_else(|| ModelError::Unsupported {
        reason: format!(
            "meter {}/{} is not a whole number of 16ths",
            meter.numerator, meter.denominator
        ),
    })?;
    Ok((v, bar16, v.grid_ticks))
}

/// Chord qualities (vocabulary names) allowed at a complexity.
pub fn allowed_qualities(complexity: f32) -> &'static [&'static str] {
    if complexity < 1.0 / 3.0 {
        &["maj", "min", "dim"]
    } else if complexity < 2.0 / 3.0 {
        &["maj", "min", "dim", "dom7", "min7", "sus4"]
    } else {
        &[
            "maj", "min", "dim", "aug", "sus4", "dom7", "maj7", "min7", "hdim7", "dim7",
        ]
    }
}

/// Generates a chord track covering exactly `bars` bars: contiguous, sorted, no chord crossing a
/// barline.
pub fn generate_chords(req: &ChordRequest) -> Result<Vec<ChordEvent>, ModelError> {
    generate_chords_with(req, None)
}

/// [`generate_chords`] with the model's next-chord and duration distributions blended with
/// `prior` (chord tokens); a prior with amount 0 gives exactly [`generate_chords`]'s output.
pub fn generate_chords_with(
    req: &ChordRequest,
    prior: Option<&dyn EventPrior>,
) -> Result<Vec<ChordEvent>, ModelError> {
    let prior = prior::active(prior);
    let (v, bar16, gt) = grid(req.meter, req.bars)?;
    let kind = ModelKind::Chords;
    let m = runtime::shared(kind)?;
    let mut m = lock(m);
    let cond = ChordCond {
        mode: v.mode_index(req.key),
        meter: v.meter_index(req.meter),
        style: v.style_index(&req.style),
        len: v.len_bucket(req.bars),
    };
    let quals = allowed_qualities(req.complexity);
    let diatonic_only = req.complexity < 0.5;
    let scale = req.key.scale_mask();
    let chord_mask: Vec<bool> = (0..v.chords.len())
        .map(|i| match v.decode_chord(i) {
            Some(ChordToken::Chord { root, quality }) => {
                let pc = req.key.tonic.transpose(root as i32).index();
                quals.contains(&v.qualities[quality].name.as_str())
                    && (!diatonic_only
                        || scale & (1 << pc) != 0
                        || (root == 7 && v.qualities[quality].name != "min"))
            }
            _ => false,
        })
        .collect();
    let mut rng = Rng::derive(req.seed, "model-chords");
    let total = bar16 * req.bars;
    let mut h = vec![0.0f32; m.state_len()];
    let mut prev = None;
    let mut t = 0u32;
    let mut out = Vec::new();
    let mut step = 0usize;
    let mut history = Vec::new();
    let mut buf = Vec::new();
    while t < total {
        let x = v.chord_features(prev, t, bar16, req.bars, cond);
        let o = m.step(&x, &mut h)?;
        let la = blended(&o.logits_a, prior, &mut buf, |p, out| {
            p.tokens(&history, out)
        });
        let c = sampling::sample(&la, &chord_mask, req.temperature, req.top_p, &mut rng).ok_or(
            ModelError::NoAllowedToken {
                model: kind.id(),
                step,
            },
        )?;
        let room = bar16 - t % bar16;
        let dmask: Vec<bool> = (0..m.nb).map(|d| (d as u32 + 1) <= room).collect();
        let row = &o.logits_b[c * m.nb..(c + 1) * m.nb];
        let row = blended(row, prior, &mut buf, |p, out| {
            p.durations(t % bar16, bar16, out)
        });
        let d = sampling::sample(&row, &dmask, req.temperature, req.top_p, &mut rng).ok_or(
            ModelError::NoAllowedToken {
                model: kind.id(),
                step,
            },
        )?;
        history.push(c);
        let chord = v.chord_of(c, req.key).ok_or(ModelError::NoAllowedToken {
            model: kind.id(),
            step,
        })?;
        let dur = d as u32 + 1;
        out.push(ChordEvent {
            start: t * gt,
            duration: dur * gt,
            chord,
            roman: Some(RomanChord::of_chord(chord, req.key)),
        });
        prev = Some((c, d));
        t += dur;
        step += 1;
    }
    Ok(out)
}

/// Generates a melody over a chord track: non-overlapping notes inside the clip, inside
/// `low..=high`, on scale or chord tones. Quantized `prime` notes come first and are continued.
pub fn generate_melody(req: &MelodyRequest) -> Result<Vec<Note>, ModelError> {
    generate_melody_with(req, None)
}

/// [`generate_melody`] with the model's next-pitch and duration distributions blended with
/// `prior` (melody pitch tokens); a prior with amount 0 gives exactly [`generate_melody`]'s output.
/// Style "pop", section "verse"; [`melody::generate`] takes both.
pub fn generate_melody_with(
    req: &MelodyRequest,
    prior: Option<&dyn EventPrior>,
) -> Result<Vec<Note>, ModelError> {
    melody::generate(req, melody::MelodyCond::default(), prior)
}

/// `logits` unchanged without a prior, else blended with the prior's distribution (which `fill`
/// writes into `buf`, resized to the logits' length).
fn blended<'a>(
    logits: &'a [f32],
    prior: Option<&dyn EventPrior>,
    buf: &mut Vec<f64>,
    fill: impl FnOnce(&dyn EventPrior, &mut [f64]),
) -> Cow<'a, [f32]> {
    match prior {
        None => Cow::Borrowed(logits),
        Some(p) => {
            buf.clear();
            buf.resize(logits.len(), 0.0);
            fill(p, buf);
            Cow::Owned(prior::blend(logits, buf, p.amount()))
        }
    }
}

/// One chord event to score: vocabulary chord token (NC allowed) and duration index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoredChord {
    pub token: usize,
    pub duration: usize,
}

/// Negative log-likelihood (nats) of each event of a chord track under the chord model (blended
/// with `prior` when given), teacher-forced from the start of the clip with `req`'s conditioning.
/// Distributions are unmasked; `req.complexity`, temperature, top-p and seed are not used.
pub fn score_chords(
    req: &ChordRequest,
    events: &[ScoredChord],
    prior: Option<&dyn EventPrior>,
) -> Result<Vec<f64>, ModelError> {
    let prior = prior::active(prior);
    let (v, bar16, _) = grid(req.meter, req.bars)?;
    let m = runtime::shared(ModelKind::Chords)?;
    let mut m = lock(m);
    let cond = ChordCond {
        mode: v.mode_index(req.key),
        meter: v.meter_index(req.meter),
        style: v.style_index(&req.style),
        len: v.len_bucket(req.bars),
    };
    let mut h = vec![0.0f32; m.state_len()];
    let (mut prev, mut t) = (None, 0u32);
    let mut history = Vec::new();
    let mut buf = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for (step, e) in events.iter().enumerate() {
        if e.token >= m.na || e.duration >= m.nb {
            return Err(ModelError::Unsupported {
                reason: format!("event {step} is outside the vocabulary"),
            });
        }
        let x = v.chord_features(prev, t, bar16, req.bars, cond);
        let o = m.step(&x, &mut h)?;
        let pa = match prior {
            None => prior::softmax(&o.logits_a),
            Some(p) => {
                buf.clear();
                buf.resize(o.logits_a.len(), 0.0);
                p.tokens(&history, &mut buf);
                prior::mix(&o.logits_a, &buf, p.amount())
            }
        };
        let row = &o.logits_b[e.token * m.nb..(e.token + 1) * m.nb];
        let pb = match prior {
            None => prior::softmax(row),
            Some(p) => {
                buf.clear();
                buf.resize(row.len(), 0.0);
                p.durations(t % bar16, bar16, &mut buf);
                prior::mix(row, &buf, p.amount())
            }
        };
        let lp = pa[e.token].max(1e-12).ln() + pb[e.duration].max(1e-12).ln();
        out.push(-lp);
        history.push(e.token);
        prev = Some((e.token, e.duration));
        t += e.duration as u32 + 1;
    }
    Ok(out)
}
