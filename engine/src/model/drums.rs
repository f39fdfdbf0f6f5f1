//! The drum model (`models/drums/`, trained on the Groove MIDI Dataset): one call per bar gives,
//! for each of the bar's 24 grid slots, logits over the 512 combinations of the nine instrument
//! classes and, per class, velocity and timing-offset logits. A bar is sampled from one call; the
//! recurrent state carries the performance from bar to bar.

use super::runtime::IoSpec;
use super::{sampling, ModelError};
use crate::drums::grid::{self, Feel, Hit, BAR_SLOTS, NCLASS};
use crate::rng::Rng;
use crate::theory::Meter;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Model id + version (also in `models/drums/config.json`), for provenance records.
pub const DRUM_MODEL_ID: &str = "bandmate-drums@1";
/// The data the model was trained on, for provenance and about texts.
pub const DRUM_SOURCE: &str =
    "Groove MIDI Dataset (Gillick, Roberts, Engel, Eck & Bamman 2019), CC BY 4.0";

const ONNX: &[u8] = include_bytes!("../../../models/drums/bandmate-drums.onnx");
const CONFIG: &str = include_str!("../../../models/drums/config.json");

const COND: [&str; 7] = [
    "style",
    "fill",
    "phrase_pos",
    "density",
    "tempo",
    "meter",
    "feel",
];
const NCOMBO: usize = 1 << NCLASS;
const INPUT_NAMES: [&str; 2] = ["x", "h"];
const OUTPUT_NAMES: [&str; 4] = ["hits", "vel", "off", "h_out"];

/// `models/drums/config.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct DrumConfig {
    pub id: String,
    pub sha256: String,
    pub opset: u32,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    pub hidden: usize,
    pub classes: Vec<String>,
    pub styles: Vec<String>,
    pub meters: Vec<String>,
    pub feels: Vec<String>,
    pub slot_ticks: Vec<u32>,
    pub tempo_edges: Vec<f64>,
    pub vel_step: u32,
    pub off_step: i32,
    pub style_feel: HashMap<String, String>,
}

impl DrumConfig {
    fn nvel(&self) -> usize {
        self.outputs[1].shape.get(2).copied().unwrap_or(0) as usize
    }
    fn noff(&self) -> usize {
        self.outputs[2].shape.get(2).copied().unwrap_or(0) as usize
    }
}

fn incompatible(field: &'static str, expected: impl ToString, found: impl ToString) -> ModelError {
    ModelError::Incompatible {
        model: DRUM_MODEL_ID,
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks a drum config and model bytes against what this engine reads: id, opset, input and
/// output names and shapes, feature order, classes, grid, and the sha256 of the bytes.
pub fn verify(config_json: &str, onnx: &[u8]) -> Result<DrumConfig, ModelError> {
    let cfg: DrumConfig = serde_json::from_str(config_json).map_err(|e| ModelError::Config {
        model: DRUM_MODEL_ID,
        reason: e.to_string(),
    })?;
    if cfg.id != DRUM_MODEL_ID {
        return Err(incompatible("id", DRUM_MODEL_ID, &cfg.id));
    }
    if cfg.opset > super::MAX_OPSET {
        return Err(incompatible(
            "opset",
            format!("<= {}", super::MAX_OPSET),
            cfg.opset,
        ));
    }
    let ins: Vec<&str> = cfg.inputs.iter().map(|i| i.name.as_str()).collect();
    if ins != INPUT_NAMES {
        return Err(incompatible("inputs", "x,h", ins.join(",")));
    }
    let outs: Vec<&str> = cfg.outputs.iter().map(|i| i.name.as_str()).collect();
    if outs != OUTPUT_NAMES {
        return Err(incompatible(
            "outputs",
            OUTPUT_NAMES.join(","),
            outs.join(","),
        ));
    }
    let feats = &cfg.inputs[0].features;
    if feats.len() != COND.len() + 1 || feats[..COND.len()] != COND {
        return Err(incompatible("features", COND.join(","), feats.join(",")));
    }
    let nx = (COND.len() + BAR_SLOTS * NCLASS) as i64;
    if cfg.inputs[0].shape != [nx] {
        return Err(incompatible(
            "x shape",
            format!("[{nx}]"),
            format!("{:?}", cfg.inputs[0].shape),
        ));
    }
    let names: Vec<&str> = grid::CLASSES.iter().map(|c| c.0).collect();
    if cfg.classes != names {
        return Err(incompatible(
            "classes",
            names.join(","),
            cfg.classes.join(","),
        ));
    }
    if cfg.slot_ticks != grid::SLOT_TICKS {
        return Err(incompatible(
            "slot_ticks",
            format!("{:?}", grid::SLOT_TICKS),
            format!("{:?}", cfg.slot_ticks),
        ));
    }
    let want_hits = [BAR_SLOTS as i64, NCOMBO as i64];
    if cfg.outputs[0].shape != want_hits
        || cfg.outputs[1].shape.len() != 3
        || cfg.outputs[2].shape.len() != 3
        || cfg.outputs[1].shape[..2] != [BAR_SLOTS as i64, NCLASS as i64]
        || cfg.outputs[2].shape[..2] != [BAR_SLOTS as i64, NCLASS as i64]
    {
        return Err(incompatible(
            "output shapes",
            format!("hits {want_hits:?}, vel/off [24, 9, n]"),
            format!(
                "{:?} {:?} {:?}",
                cfg.outputs[0].shape, cfg.outputs[1].shape, cfg.outputs[2].shape
            ),
        ));
    }
    let want_h = [1, 1, cfg.hidden as i64];
    if cfg.inputs[1].shape != want_h || cfg.outputs[3].shape != want_h {
        return Err(incompatible(
            "state shape",
            format!("{want_h:?}"),
            format!("{:?}", cfg.inputs[1].shape),
        ));
    }
    super::runtime::check_sha256(DRUM_MODEL_ID, onnx, &cfg.sha256)?;
    Ok(cfg)
}

/// Outputs of one bar step, row-major as in the config shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct BarOut {
    /// [24, 512] logits over hit combinations (bit c = class c).
    pub hits: Vec<f32>,
    /// [24, 9, nvel] velocity-bucket logits.
    pub vel: Vec<f32>,
    /// [24, 9, noff] offset-bucket logits.
    pub off: Vec<f32>,
}

/// A loaded, checked drum model. Used from the worker thread (not the audio thread).
pub struct DrumModel {
    pub config: DrumConfig,
    session: ort::session::Session,
}

impl DrumModel {
    /// Checks `config_json` and `onnx` with [`verify`] and opens a session on the active backend.
    pub fn load(config_json: &str, onnx: &[u8]) -> Result<DrumModel, ModelError> {
        let config = verify(config_json, onnx)?;
        let session = super::backend::open_session(DRUM_MODEL_ID, onnx)?;
        let outs: Vec<String> = session
            .outputs()
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        for want in OUTPUT_NAMES {
            if !outs.iter().any(|o| o == want) {
                return Err(incompatible(
                    "session outputs",
                    OUTPUT_NAMES.join(","),
                    outs.join(","),
                ));
            }
        }
        Ok(DrumModel { config, session })
    }

    /// Size of the recurrent state.
    pub fn state_len(&self) -> usize {
        self.config.hidden
    }

    /// One bar: reads `h`, writes the new state back into `h`.
    pub fn step(&mut self, x: &[i64], h: &mut [f32]) -> Result<BarOut, ModelError> {
        let err = |e: String| ModelError::Inference {
            model: DRUM_MODEL_ID,
            reason: e,
        };
        let hd = self.config.hidden;
        if h.len() != hd {
            return Err(err(format!("state has {} values, expected {hd}", h.len())));
        }
        let tx = ort::value::Tensor::from_array(([x.len()], x.to_vec()))
            .map_err(|e| err(e.to_string()))?;
        let th = ort::value::Tensor::from_array(([1usize, 1, hd], h.to_vec()))
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
        let (hits, vel, off, ho) = (get("hits")?, get("vel")?, get("off")?, get("h_out")?);
        let (nv, no) = (self.config.nvel(), self.config.noff());
        if hits.len() != BAR_SLOTS * NCOMBO
            || vel.len() != BAR_SLOTS * NCLASS * nv
            || off.len() != BAR_SLOTS * NCLASS * no
            || ho.len() != hd
        {
            return Err(err(format!(
                "output sizes {}, {}, {}, {}",
                hits.len(),
                vel.len(),
                off.len(),
                ho.len()
            )));
        }
        h.copy_from_slice(&ho);
        Ok(BarOut { hits, vel, off })
    }
}

static SHARED: OnceLock<Result<Mutex<DrumModel>, ModelError>> = OnceLock::new();

/// The process-wide embedded drum model (loaded and checked on first use).
pub fn shared() -> Result<&'static Mutex<DrumModel>, ModelError> {
    SHARED
        .get_or_init(|| DrumModel::load(CONFIG, ONNX).map(Mutex::new))
        .as_ref()
        .map_err(Clone::clone)
}

/// The embedded config and model bytes (tests, tools).
pub fn embedded() -> (&'static str, &'static [u8]) {
    (CONFIG, ONNX)
}

/// Runs input vectors through the embedded model from the zero state (parity tests, benchmarks).
pub fn run_steps(xs: &[Vec<i64>]) -> Result<Vec<BarOut>, ModelError> {
    let mut m = shared()?
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut h = vec![0.0f32; m.state_len()];
    xs.iter().map(|x| m.step(x, &mut h)).collect()
}

/// What to play. `style` is one of the config's data styles ("funk", "jazz", ...).
#[derive(Debug, Clone)]
pub struct DrumRequest<'a> {
    pub style: &'a str,
    pub meter: Meter,
    pub bars: u32,
    pub tempo_bpm: f64,
    /// 0 = the style's sparsest fifth of bars … 1 = its busiest.
    pub density: f32,
    /// A fill ends every `fill_every` bars (0 = none); the bar after a fill starts a section.
    pub fill_every: u32,
    pub temperature: f32,
    pub top_p: f32,
    pub seed: u64,
}

/// Quarters per bar and the model's meter index, for the meters the data has (4/4, 3/4, 6/8;
/// 2/2 is read as 4/4).
pub fn meter_support(cfg: &DrumConfig, meter: Meter) -> Option<(u32, i64)> {
    let (name, beats) = match (meter.numerator, meter.denominator) {
        (4, 4) | (2, 2) => ("4-4", 4),
        (3, 4) => ("3-4", 3),
        (6, 8) => ("6-8", 3),
        _ => return None,
    };
    let i = cfg.meters.iter().position(|m| m == name)?;
    Some((beats, i as i64))
}

/// The feel the model plays a style with (the majority feel of its training performances).
pub fn style_feel(cfg: &DrumConfig, style: &str) -> Feel {
    cfg.style_feel
        .get(style)
        .and_then(|f| Feel::parse(f))
        .unwrap_or(Feel::Straight)
}

/// Input vector of one bar.
#[allow(clippy::too_many_arguments)]
pub fn features(
    style: i64,
    fill: bool,
    phrase_pos: u32,
    density: u32,
    tempo: i64,
    meter: i64,
    feel: Feel,
    prev: &[Hit],
) -> Vec<i64> {
    let mut x = vec![
        style,
        fill as i64,
        phrase_pos.min(3) as i64,
        density.min(4) as i64,
        tempo,
        meter,
        feel.index(),
    ];
    let mut g = vec![0i64; BAR_SLOTS * NCLASS];
    for h in prev {
        let i = h.slot as usize * NCLASS + h.class as usize;
        if let Some(v) = g.get_mut(i) {
            *v = 1;
        }
    }
    x.extend(g);
    x
}

/// [`sampling::sample`] over the logits within `9.2 * temperature` of the best (the rest have
/// under 1e-4 of its probability), so a 512-way choice sorts only its few live candidates.
fn sample_peak(logits: &[f32], temperature: f32, top_p: f32, rng: &mut Rng) -> Option<usize> {
    let best = logits
        .iter()
        .copied()
        .filter(|l| l.is_finite())
        .fold(f32::NEG_INFINITY, f32::max);
    let cut = best - 9.2 * temperature.clamp(0.05, 5.0);
    let idx: Vec<usize> = (0..logits.len())
        .filter(|&i| logits[i].is_finite() && logits[i] >= cut)
        .collect();
    let sub: Vec<f32> = idx.iter().map(|&i| logits[i]).collect();
    let k = sampling::sample(&sub, &vec![true; sub.len()], temperature, top_p, rng)?;
    idx.get(k).copied()
}

/// Generates `bars` bars of hits with `m`. Fills come from the model's fill class on the last bar
/// of each phrase, crashes from its section-start class (first bar of each phrase).
pub fn generate(m: &mut DrumModel, req: &DrumRequest) -> Result<Vec<Vec<Hit>>, ModelError> {
    let cfg = m.config.clone();
    let unsupported = |reason: String| ModelError::Unsupported { reason };
    if req.bars == 0 || req.bars > 1024 {
        return Err(unsupported(format!("{} bars (1..=1024)", req.bars)));
    }
    let style = cfg
        .styles
        .iter()
        .position(|s| s == req.style)
        .ok_or_else(|| unsupported(format!("drum model has no style {:?}", req.style)))?
        as i64;
    let (beats, meter) = meter_support(&cfg, req.meter).ok_or_else(|| {
        unsupported(format!(
            "meter {}/{} is not in the drum data (4/4, 3/4, 6/8)",
            req.meter.numerator, req.meter.denominator
        ))
    })?;
    let feel = style_feel(&cfg, req.style);
    let tempo_bpm = if req.tempo_bpm.is_finite() {
        req.tempo_bpm
    } else {
        120.0
    };
    let tempo = cfg.tempo_edges.iter().filter(|&&e| tempo_bpm >= e).count() as i64;
    let density = if req.density.is_finite() {
        (req.density.clamp(0.0, 1.0) * 5.0).floor().min(4.0) as u32
    } else {
        2
    };
    let (nv, no) = (cfg.nvel(), cfg.noff());
    let max_off = feel.max_offset();
    let off_mask: Vec<bool> = (0..no)
        .map(|b| ((b as i32 - (no as i32) / 2) * cfg.off_step).abs() <= max_off)
        .collect();
    let vel_mask = vec![true; nv];
    let nslots = beats as usize * grid::SLOTS_PER_BEAT;
    let mut rng = Rng::derive(req.seed, "model-drums");
    let mut h = vec![0.0f32; m.state_len()];
    let mut prev: Vec<Hit> = Vec::new();
    let mut out = Vec::with_capacity(req.bars as usize);
    let no_token = |step| ModelError::NoAllowedToken {
        model: DRUM_MODEL_ID,
        step,
    };
    for b in 0..req.bars {
        let fill = req.fill_every > 0 && (b + 1) % req.fill_every == 0;
        let pos = if req.fill_every > 0 {
            b % req.fill_every
        } else {
            b
        };
        let pos = if fill { 3 } else { pos.min(3) };
        let x = features(style, fill, pos, density, tempo, meter, feel, &prev);
        let o = m.step(&x, &mut h)?;
        let mut bar = Vec::new();
        for s in (0..nslots).filter(|&s| feel.has_slot(s)) {
            let row = &o.hits[s * NCOMBO..(s + 1) * NCOMBO];
            let combo = sample_peak(row, req.temperature, req.top_p, &mut rng)
                .ok_or_else(|| no_token(b as usize))?;
            for c in (0..NCLASS).filter(|c| combo & (1 << c) != 0) {
                let k = s * NCLASS + c;
                let vb = sampling::sample(
                    &o.vel[k * nv..(k + 1) * nv],
                    &vel_mask,
                    req.temperature,
                    req.top_p,
                    &mut rng,
                )
                .ok_or_else(|| no_token(b as usize))?;
                let ob = sampling::sample(
                    &o.off[k * no..(k + 1) * no],
                    &off_mask,
                    req.temperature,
                    req.top_p,
                    &mut rng,
                )
                .ok_or_else(|| no_token(b as usize))?;
                let vel = (vb as u32 * cfg.vel_step + cfg.vel_step / 2).clamp(1, 127) as u8;
                let off = (ob as i32 - (no as i32) / 2) * cfg.off_step;
                bar.push(Hit {
                    slot: s as u8,
                    class: c as u8,
                    velocity: vel,
                    offset: off as i16,
                });
            }
        }
        prev = bar.clone();
        out.push(bar);
    }
    Ok(out)
}
