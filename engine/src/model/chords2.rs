//! Chord model v2 (`models/chords/v2/`, `bandmate-chords@2`): embedded, checked against
//! `vocab-v2.json` and this engine's feature order at load, and stepped on the active backend.
//! Tokens, styles, sections and buckets come from its `config.json`, so the style list shown to
//! users is the model's. Runs on the worker thread, never the audio thread.

pub mod prior;
pub mod sample;

use super::runtime::IoSpec;
use super::vocab2::{vocab2, vocab2_hash};
use super::ModelError;
use serde::Deserialize;
use std::sync::{Mutex, OnceLock};

pub const CHORDS2_MODEL_ID: &str = "bandmate-chords@2";
const ONNX: &[u8] = include_bytes!("../../../models/chords/v2/bandmate-chords-v2.onnx");
const CONFIG: &str = include_str!("../../../models/chords/v2/config.json");
/// Input features in the order this engine builds them.
pub const FEATURES: [&str; 10] = [
    "prev_chord",
    "prev_dur",
    "pos",
    "bars_left",
    "mode",
    "meter",
    "style",
    "section",
    "harmonic_rhythm",
    "complexity",
];
const INPUT_NAMES: [&str; 2] = ["x", "h"];
const OUTPUT_NAMES: [&str; 3] = ["logits_a", "logits_b", "h_out"];

/// `models/chords/v2/config.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Chords2Config {
    pub id: String,
    pub sha256: String,
    pub vocab_hash: String,
    pub opset: u32,
    pub tokens: Vec<String>,
    pub durations: Vec<u32>,
    pub styles: Vec<String>,
    pub sections: Vec<String>,
    pub modes: Vec<String>,
    pub meters: Vec<String>,
    pub bars_left_buckets: Vec<u32>,
    pub positions: u32,
    pub harmonic_rhythm: Vec<String>,
    pub complexity: Vec<String>,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    pub layers: usize,
    pub hidden: usize,
}

fn incompatible(field: &'static str, expected: impl ToString, found: impl ToString) -> ModelError {
    ModelError::Incompatible {
        model: CHORDS2_MODEL_ID,
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks a v2 config and model bytes: id, opset, vocabulary hash, styles and sections of
/// `vocab-v2.json`, tokens that parse as v2 chords, input/output names and shapes, feature
/// order, and the sha256 of the bytes. The error names the first field that does not fit.
pub fn verify(config_json: &str, onnx: &[u8]) -> Result<Chords2Config, ModelError> {
    let cfg: Chords2Config = serde_json::from_str(config_json).map_err(|e| ModelError::Config {
        model: CHORDS2_MODEL_ID,
        reason: e.to_string(),
    })?;
    if cfg.id != CHORDS2_MODEL_ID {
        return Err(incompatible("id", CHORDS2_MODEL_ID, &cfg.id));
    }
    if cfg.opset > super::MAX_OPSET {
        return Err(incompatible(
            "opset",
            format!("<= {}", super::MAX_OPSET),
            cfg.opset,
        ));
    }
    let hash = vocab2_hash();
    if cfg.vocab_hash != hash {
        return Err(incompatible(
            "vocab_hash (vocab-v2.json)",
            hash,
            &cfg.vocab_hash,
        ));
    }
    let v = vocab2().map_err(|e| ModelError::Config {
        model: CHORDS2_MODEL_ID,
        reason: e.to_string(),
    })?;
    if cfg.styles != v.styles {
        return Err(incompatible(
            "styles",
            v.styles.join(","),
            cfg.styles.join(","),
        ));
    }
    if cfg.sections != v.sections {
        return Err(incompatible(
            "sections",
            v.sections.join(","),
            cfg.sections.join(","),
        ));
    }
    let key = crate::theory::Key::new(crate::theory::PitchClass::C, crate::theory::Mode::Major);
    if let Some(bad) = cfg
        .tokens
        .iter()
        .skip(2)
        .find(|t| !matches!(v.chord(t, key), Ok(Some(_))))
    {
        return Err(incompatible(
            "tokens",
            "root:quality[/bass] of vocab-v2",
            bad,
        ));
    }
    if cfg.tokens.first().map(String::as_str) != Some("BOS")
        || cfg.tokens.get(1).map(String::as_str) != Some("NC")
    {
        return Err(incompatible(
            "tokens",
            "BOS, NC first",
            cfg.tokens.join(","),
        ));
    }
    let ins: Vec<&str> = cfg.inputs.iter().map(|i| i.name.as_str()).collect();
    if ins != INPUT_NAMES {
        return Err(incompatible("inputs", INPUT_NAMES.join(","), ins.join(",")));
    }
    let outs: Vec<&str> = cfg.outputs.iter().map(|i| i.name.as_str()).collect();
    if outs != OUTPUT_NAMES {
        return Err(incompatible(
            "outputs",
            OUTPUT_NAMES.join(","),
            outs.join(","),
        ));
    }
    if cfg.inputs[0].features != FEATURES {
        return Err(incompatible(
            "features",
            FEATURES.join(","),
            cfg.inputs[0].features.join(","),
        ));
    }
    let (na, nb) = (cfg.tokens.len() as i64, cfg.durations.len() as i64);
    if cfg.outputs[0].shape != [1, na] || cfg.outputs[1].shape != [na, nb] {
        return Err(incompatible(
            "output shapes",
            format!("[1, {na}] and [{na}, {nb}]"),
            format!("{:?} {:?}", cfg.outputs[0].shape, cfg.outputs[1].shape),
        ));
    }
    let want_h = [cfg.layers as i64, 1, cfg.hidden as i64];
    if cfg.inputs[1].shape != want_h || cfg.outputs[2].shape != want_h {
        return Err(incompatible(
            "state shape",
            format!("{want_h:?}"),
            format!("{:?}", cfg.inputs[1].shape),
        ));
    }
    super::runtime::check_sha256(CHORDS2_MODEL_ID, onnx, &cfg.sha256)?;
    Ok(cfg)
}

/// Outputs of one step: symbol logits `[tokens]` and duration logits `[tokens, durations]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step2 {
    pub logits_a: Vec<f32>,
    pub logits_b: Vec<f32>,
}

/// A loaded, checked v2 chord model.
pub struct Chords2Model {
    pub config: Chords2Config,
    session: ort::session::Session,
}

impl Chords2Model {
    /// Checks with [`verify`] and opens a session on the active backend.
    pub fn load(config_json: &str, onnx: &[u8]) -> Result<Chords2Model, ModelError> {
        let config = verify(config_json, onnx)?;
        let session = super::backend::open_session(CHORDS2_MODEL_ID, onnx)?;
        Ok(Chords2Model { config, session })
    }

    /// Size of the recurrent state (layers x hidden).
    pub fn state_len(&self) -> usize {
        self.config.layers * self.config.hidden
    }

    /// One step: reads `h`, writes the new state back into `h`.
    pub fn step(&mut self, x: &[i64], h: &mut [f32]) -> Result<Step2, ModelError> {
        let err = |e: String| ModelError::Inference {
            model: CHORDS2_MODEL_ID,
            reason: e,
        };
        let n = self.state_len();
        if h.len() != n || x.len() != FEATURES.len() {
            return Err(err(format!(
                "state {} (expected {n}), x {} (expected {})",
                h.len(),
                x.len(),
                FEATURES.len()
            )));
        }
        let tx = ort::value::Tensor::from_array(([x.len()], x.to_vec()))
            .map_err(|e| err(e.to_string()))?;
        let th = ort::value::Tensor::from_array((
            [self.config.layers, 1usize, self.config.hidden],
            h.to_vec(),
        ))
        .map_err(|e| err(e.to_string()))?;
        let out = self
            .session
            .run(ort::inputs!["x" => tx, "h" => th])
            .map_err(|e| err(e.to_string()))?;
        let get = |name: &str| -> Result<Vec<f32>, ModelError> {
            let (_, v) = out[name]
                .try_extract_tensor::<f32>()
                .map_err(|e| err(e.to_string()))?;
            Ok(v.to_vec())
        };
        let (a, b, ho) = (get("logits_a")?, get("logits_b")?, get("h_out")?);
        let (na, nb) = (self.config.tokens.len(), self.config.durations.len());
        if a.len() != na || b.len() != na * nb || ho.len() != n {
            return Err(err(format!(
                "output sizes {}, {}, {}",
                a.len(),
                b.len(),
                ho.len()
            )));
        }
        h.copy_from_slice(&ho);
        Ok(Step2 {
            logits_a: a,
            logits_b: b,
        })
    }
}

static SHARED: OnceLock<Result<Mutex<Chords2Model>, ModelError>> = OnceLock::new();

/// The process-wide embedded v2 chord model (loaded and checked on first use).
pub fn shared() -> Result<&'static Mutex<Chords2Model>, ModelError> {
    SHARED
        .get_or_init(|| Chords2Model::load(CONFIG, ONNX).map(Mutex::new))
        .as_ref()
        .map_err(Clone::clone)
}

/// The embedded config and model bytes (tests, tools).
pub fn embedded() -> (&'static str, &'static [u8]) {
    (CONFIG, ONNX)
}

/// The style names of the embedded v2 model's config (what the CLI and the panel offer), or
/// the reason they cannot be read.
pub fn styles() -> Result<Vec<String>, ModelError> {
    let cfg: Chords2Config = serde_json::from_str(CONFIG).map_err(|e| ModelError::Config {
        model: CHORDS2_MODEL_ID,
        reason: e.to_string(),
    })?;
    Ok(cfg.styles)
}

/// Runs input vectors through the embedded model from the zero state (parity tests, benchmarks).
pub fn run_steps(xs: &[Vec<i64>]) -> Result<Vec<Step2>, ModelError> {
    let m = shared()?;
    let mut m = m.lock().map_err(|_| ModelError::Inference {
        model: CHORDS2_MODEL_ID,
        reason: "model lock poisoned".into(),
    })?;
    let mut h = vec![0f32; m.state_len()];
    xs.iter().map(|x| m.step(x, &mut h)).collect()
}
