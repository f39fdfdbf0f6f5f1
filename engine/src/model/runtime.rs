//! Embedded models: config checks at load, one session per model per process, one-step inference.

use super::tokens::{self, CHORD_FEATURES};
use super::{ModelError, ModelKind};
use serde::Deserialize;
use std::sync::{Mutex, OnceLock};

const CHORDS_ONNX: &[u8] = include_bytes!("../../../models/chords/bandmate-chords.onnx");
const CHORDS_CONFIG: &str = include_str!("../../../models/chords/config.json");
const MELODY_ONNX: &[u8] = include_bytes!("../../../models/melody/bandmate-melody.onnx");
const MELODY_CONFIG: &str = include_str!("../../../models/melody/config.json");

/// Highest ONNX opset the engine accepts (tract and the pinned ORT both run it).
pub const MAX_OPSET: u32 = 17;
pub const INPUT_NAMES: [&str; 2] = ["x", "h"];
pub const OUTPUT_NAMES: [&str; 3] = ["logits_a", "logits_b", "h_out"];

#[derive(Debug, Clone, Deserialize)]
pub struct IoSpec {
    pub name: String,
    #[serde(default)]
    pub shape: Vec<i64>,
    #[serde(default)]
    pub features: Vec<String>,
}

/// `models/<name>/config.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelConfig {
    pub id: String,
    pub kind: String,
    pub sha256: String,
    pub vocab_hash: String,
    pub opset: u32,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    pub layers: usize,
    pub hidden: usize,
}

/// The embedded bytes and config of a model.
pub fn embedded(kind: ModelKind) -> (&'static [u8], &'static str) {
    match kind {
        ModelKind::Chords => (CHORDS_ONNX, CHORDS_CONFIG),
        ModelKind::Melody => (MELODY_ONNX, MELODY_CONFIG),
    }
}

fn incompatible(
    kind: ModelKind,
    field: &'static str,
    expected: impl ToString,
    found: impl ToString,
) -> ModelError {
    ModelError::Incompatible {
        model: kind.id(),
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks a config and model bytes against what this engine expects (id, vocabulary hash, opset,
/// input/output names and shapes, feature order, sha256 of the bytes).
pub fn verify(kind: ModelKind, config_json: &str, onnx: &[u8]) -> Result<ModelConfig, ModelError> {
    let cfg: ModelConfig = serde_json::from_str(config_json).map_err(|e| ModelError::Config {
        model: kind.id(),
        reason: e.to_string(),
    })?;
    if cfg.id != kind.id() {
        return Err(incompatible(kind, "id", kind.id(), &cfg.id));
    }
    let vh = match kind {
        ModelKind::Chords => tokens::vocab_hash(),
        ModelKind::Melody => super::melody::tokens_hash(),
    };
    if cfg.vocab_hash != vh {
        return Err(incompatible(kind, "vocab_hash", vh, &cfg.vocab_hash));
    }
    if cfg.opset > MAX_OPSET {
        return Err(incompatible(
            kind,
            "opset",
            format!("<= {MAX_OPSET}"),
            cfg.opset,
        ));
    }
    let ins: Vec<&str> = cfg.inputs.iter().map(|i| i.name.as_str()).collect();
    if ins != INPUT_NAMES {
        return Err(incompatible(
            kind,
            "inputs",
            INPUT_NAMES.join(","),
            ins.join(","),
        ));
    }
    let outs: Vec<&str> = cfg.outputs.iter().map(|i| i.name.as_str()).collect();
    if outs != OUTPUT_NAMES {
        return Err(incompatible(
            kind,
            "outputs",
            OUTPUT_NAMES.join(","),
            outs.join(","),
        ));
    }
    let mt = super::melody::melody_tokens()?;
    let feats: Vec<&str> = match kind {
        ModelKind::Chords => CHORD_FEATURES.to_vec(),
        ModelKind::Melody => mt.features.iter().map(String::as_str).collect(),
    };
    if cfg.inputs[0].features != feats {
        return Err(incompatible(
            kind,
            "features",
            feats.join(","),
            cfg.inputs[0].features.join(","),
        ));
    }
    let v = tokens::vocab().map_err(ModelError::Vocab)?;
    let (na, nb) = match kind {
        ModelKind::Chords => (v.chords.len(), v.chord_durations.len()),
        ModelKind::Melody => (mt.na(), mt.nb()),
    };
    let want_b = [na as i64, nb as i64];
    if cfg.outputs[1].shape != want_b {
        return Err(incompatible(
            kind,
            "logits_b shape",
            format!("{want_b:?}"),
            format!("{:?}", cfg.outputs[1].shape),
        ));
    }
    let want_h = [cfg.layers as i64, 1, cfg.hidden as i64];
    if cfg.inputs[1].shape != want_h || cfg.outputs[2].shape != want_h {
        return Err(incompatible(
            kind,
            "state shape",
            format!("{want_h:?}"),
            format!("{:?}", cfg.inputs[1].shape),
        ));
    }
    check_sha256(kind.id(), onnx, &cfg.sha256)?;
    Ok(cfg)
}

/// A loaded model with its recurrent state size.
pub struct Loaded {
    pub kind: ModelKind,
    pub config: ModelConfig,
    session: ort::session::Session,
    pub na: usize,
    pub nb: usize,
}

/// Output of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOut {
    /// Logits over the symbol (chord or pitch), length Na.
    pub logits_a: Vec<f32>,
    /// Duration logits for every symbol, row-major [Na, Nb].
    pub logits_b: Vec<f32>,
}

impl Loaded {
    fn load(kind: ModelKind) -> Result<Loaded, ModelError> {
        let (bytes, cfg_json) = embedded(kind);
        let config = verify(kind, cfg_json, bytes)?;
        let session = super::backend::open_session(kind.id(), bytes)?;
        let names: Vec<String> = session
            .inputs()
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        if sorted != ["h", "x"] {
            return Err(incompatible(kind, "session inputs", "h,x", names.join(",")));
        }
        let outs: Vec<String> = session
            .outputs()
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        for want in OUTPUT_NAMES {
            if !outs.iter().any(|o| o == want) {
                return Err(incompatible(
                    kind,
                    "session outputs",
                    OUTPUT_NAMES.join(","),
                    outs.join(","),
                ));
            }
        }
        let na = config.outputs[1].shape[0] as usize;
        let nb = config.outputs[1].shape[1] as usize;
        Ok(Loaded {
            kind,
            config,
            session,
            na,
            nb,
        })
    }

    /// Size of the recurrent state (layers x hidden).
    pub fn state_len(&self) -> usize {
        self.config.layers * self.config.hidden
    }

    /// One decoding step: reads `h`, writes the new state back into `h` (fixed shape).
    pub fn step(&mut self, x: &[i64], h: &mut [f32]) -> Result<StepOut, ModelError> {
        let kind = self.kind;
        let err = |e: String| ModelError::Inference {
            model: kind.id(),
            reason: e,
        };
        let (l, hd) = (self.config.layers, self.config.hidden);
        if h.len() != l * hd {
            return Err(err(format!(
                "state has {} values, expected {}",
                h.len(),
                l * hd
            )));
        }
        let tx = ort::value::Tensor::from_array(([x.len()], x.to_vec()))
            .map_err(|e| err(e.to_string()))?;
        let th = ort::value::Tensor::from_array(([l, 1usize, hd], h.to_vec()))
            .map_err(|e| err(e.to_string()))?;
        let out = self
            .session
            .run(ort::inputs!["x" => tx, "h" => th])
            .map_err(|e| err(e.to_string()))?;
        let (_, la) = out["logits_a"]
            .try_extract_tensor::<f32>()
            .map_err(|e| err(e.to_string()))?;
        let (_, lb) = out["logits_b"]
            .try_extract_tensor::<f32>()
            .map_err(|e| err(e.to_string()))?;
        let (_, ho) = out["h_out"]
            .try_extract_tensor::<f32>()
            .map_err(|e| err(e.to_string()))?;
        if la.len() != self.na || lb.len() != self.na * self.nb || ho.len() != h.len() {
            return Err(err(format!(
                "output sizes {}, {}, {}",
                la.len(),
                lb.len(),
                ho.len()
            )));
        }
        h.copy_from_slice(ho);
        Ok(StepOut {
            logits_a: la.to_vec(),
            logits_b: lb.to_vec(),
        })
    }
}

static CHORDS: OnceLock<Result<Mutex<Loaded>, ModelError>> = OnceLock::new();
static MELODY: OnceLock<Result<Mutex<Loaded>, ModelError>> = OnceLock::new();

/// The process-wide instance of a model (loaded on first use, shared by all plugin instances).
pub fn shared(kind: ModelKind) -> Result<&'static Mutex<Loaded>, ModelError> {
    let cell = match kind {
        ModelKind::Chords => &CHORDS,
        ModelKind::Melody => &MELODY,
    };
    cell.get_or_init(|| Loaded::load(kind).map(Mutex::new))
        .as_ref()
        .map_err(Clone::clone)
}

/// `ModelError::Checksum` unless `bytes` hash (sha256, hex) to `expected`.
pub(crate) fn check_sha256(
    model: &'static str,
    bytes: &[u8],
    expected: &str,
) -> Result<(), ModelError> {
    let found = tokens::sha256_hex(bytes);
    if found != expected {
        return Err(ModelError::Checksum {
            model,
            expected: expected.to_string(),
            found,
        });
    }
    Ok(())
}
