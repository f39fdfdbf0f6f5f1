//! Melody model v2 (`bandmate-melody@2`): its tokens and input features
//! (`models/melody/tokens.json`, mirrored by `models/train/melody2.py`) and the decoder.
//!
//! The chord at each onset is given as a key-relative root, 12-bit key-relative pitch-class mask
//! and bass, so the melody does not depend on the chord model's vocabulary. The register feature
//! (median pitch above the tonic reference, 0..11) and a soft pull towards the middle of the
//! requested range place the melody's median near the middle of `low..=high`.

use super::prior::{self, EventPrior};
use super::sampling;
use super::tokens::{self, bucket, PitchToken};
use super::{lock, runtime, MelodyRequest, ModelError, ModelKind};
use crate::chord::Chord;
use crate::clip::{ChordEvent, Note};
use crate::rng::Rng;
use crate::theory::{Key, Meter};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const TOKENS_JSON: &str = include_str!("../../../models/melody/tokens.json");

/// Number of input features (`tokens.json` "features").
pub const N_FEATURES: usize = 23;

/// Logit penalty (nats) for a pitch at the edge of the requested range, growing with the square
/// of its distance from the middle.
const CENTER_PULL: f32 = 1.5;

/// `models/melody/tokens.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct MelodyTokens {
    pub grid_ticks: u32,
    pub pitch_specials: Vec<String>,
    pub pitch_min: i32,
    pub pitch_max: i32,
    pub durations: Vec<u32>,
    pub positions: u32,
    pub bars_left_buckets: Vec<u32>,
    pub modes: Vec<String>,
    pub meters: Vec<String>,
    pub styles: Vec<String>,
    #[serde(default)]
    pub style_aliases: BTreeMap<String, String>,
    pub sections: Vec<String>,
    pub registers: u32,
    pub features: Vec<String>,
}

/// Chord context of an onset, relative to the key's tonic: root 0..11 (None = no chord), mask of
/// sounding pitch classes (bit i = i semitones above the tonic), bass (None = the root).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChordCtx {
    pub root: Option<u8>,
    pub mask: u16,
    pub bass: Option<u8>,
}

impl ChordCtx {
    pub fn of(chord: &Chord, key: Key) -> ChordCtx {
        let t = key.tonic.index() as u32;
        let m = chord.mask() as u32;
        let rot = ((m >> t) | (m << (12 - t))) & 0xFFF;
        let rel = |pc: u8| ((u32::from(pc) + 12 - t) % 12) as u8;
        ChordCtx {
            root: Some(rel(chord.root.index())),
            mask: rot as u16,
            bass: chord
                .bass
                .filter(|b| *b != chord.root)
                .map(|b| rel(b.index())),
        }
    }
}

/// Per-clip conditioning indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cond {
    pub mode: usize,
    pub meter: usize,
    pub style: usize,
    pub section: usize,
    pub register: usize,
}

/// Style and song section of a melody request (names from `tokens.json`; unknown names map to
/// "pop" and "other").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MelodyCond<'a> {
    pub style: &'a str,
    pub section: &'a str,
}

impl Default for MelodyCond<'_> {
    fn default() -> Self {
        MelodyCond {
            style: "pop",
            section: "verse",
        }
    }
}

static TOKENS: OnceLock<Result<MelodyTokens, ModelError>> = OnceLock::new();

/// The embedded melody tokens, parsed and checked once.
pub fn melody_tokens() -> Result<&'static MelodyTokens, ModelError> {
    TOKENS
        .get_or_init(|| {
            let t: MelodyTokens =
                serde_json::from_str(TOKENS_JSON).map_err(|e| tokens_error(&e.to_string()))?;
            t.validate()?;
            Ok(t)
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn tokens_error(reason: &str) -> ModelError {
    ModelError::Config {
        model: super::MELODY_MODEL_ID,
        reason: format!("tokens.json: {reason}"),
    }
}

/// sha256 of `tokens.json` (the model config's `vocab_hash`).
pub fn tokens_hash() -> String {
    tokens::hex(&Sha256::digest(TOKENS_JSON.as_bytes()))
}

impl MelodyTokens {
    fn validate(&self) -> Result<(), ModelError> {
        let bad = |s: &str| Err(tokens_error(s));
        if self.features.len() != N_FEATURES {
            return bad("feature count");
        }
        if self.pitch_specials != ["BOS", "REST"] || self.pitch_min > 0 || self.pitch_max < 12 {
            return bad("pitch tokens");
        }
        if self.grid_ticks == 0 || self.durations.is_empty() || self.registers != 12 {
            return bad("grid, durations or registers");
        }
        if self
            .durations
            .iter()
            .enumerate()
            .any(|(i, d)| *d != i as u32 + 1)
        {
            return bad("durations must be 1..=n sixteenths");
        }
        if self.sections.is_empty() || self.styles.is_empty() || self.modes.len() != 2 {
            return bad("sections, styles or modes");
        }
        Ok(())
    }

    /// Pitch/rest tokens (head A size).
    pub fn na(&self) -> usize {
        self.pitch_specials.len() + (self.pitch_max - self.pitch_min + 1) as usize
    }

    /// Duration tokens (head B size); index d = d + 1 sixteenths.
    pub fn nb(&self) -> usize {
        self.durations.len()
    }

    pub fn bos(&self) -> usize {
        0
    }

    pub fn rest(&self) -> usize {
        1
    }

    /// Token of a pitch `rel` semitones above the base, folded by octaves into the token range.
    pub fn pitch_token(&self, mut rel: i32) -> usize {
        while rel < self.pitch_min {
            rel += 12;
        }
        while rel > self.pitch_max {
            rel -= 12;
        }
        self.pitch_specials.len() + (rel - self.pitch_min) as usize
    }

    pub fn decode(&self, tok: usize) -> Option<PitchToken> {
        match tok {
            0 => Some(PitchToken::Bos),
            1 => Some(PitchToken::Rest),
            t if t < self.na() => Some(PitchToken::Pitch(
                t as i32 - self.pitch_specials.len() as i32 + self.pitch_min,
            )),
            _ => None,
        }
    }

    pub fn mode_index(&self, key: Key) -> usize {
        let name = if key.mode.is_minor() {
            "minor"
        } else {
            "major"
        };
        self.modes.iter().position(|m| m == name).unwrap_or(0)
    }

    pub fn meter_index(&self, meter: Meter) -> usize {
        let s = format!("{}/{}", meter.numerator, meter.denominator);
        self.meters
            .iter()
            .position(|m| *m == s)
            .or_else(|| self.meters.iter().position(|m| m == "other"))
            .unwrap_or(0)
    }

    /// Index of a style name or alias (case-insensitive); unknown names give "pop".
    pub fn style_index(&self, style: &str) -> usize {
        let s = style.trim().to_ascii_lowercase();
        let s = self.style_aliases.get(&s).map(String::as_str).unwrap_or(&s);
        self.styles
            .iter()
            .position(|x| x == s)
            .or_else(|| self.styles.iter().position(|x| x == "pop"))
            .unwrap_or(0)
    }

    /// Index of a section name (also "pre"/"prechorus", "instrumental", "breakdown"); else "other".
    pub fn section_index(&self, section: &str) -> usize {
        let s = section.trim().to_ascii_lowercase();
        let s = match s.as_str() {
            "pre" | "prechorus" | "build" => "pre-chorus",
            "instrumental" => "solo",
            "a" => "verse",
            "b" => "bridge",
            "drop" => "chorus",
            other => other,
        };
        self.sections
            .iter()
            .position(|x| x == s)
            .or_else(|| self.sections.iter().position(|x| x == "other"))
            .unwrap_or(0)
    }

    /// Input vector of the event starting `pos16` sixteenths into a bar with `bars_left` whole
    /// bars after it. Mirrors `seq_features` in models/train/melody2.py.
    pub fn features(
        &self,
        prev: Option<(usize, usize)>,
        pos16: u32,
        bars_left: u32,
        chord: ChordCtx,
        c: Cond,
    ) -> [i64; N_FEATURES] {
        let (pp, pd) = prev.unwrap_or((self.bos(), self.nb()));
        let mut x = [0i64; N_FEATURES];
        x[0] = pp as i64;
        x[1] = pd as i64;
        x[2] = pos16.min(self.positions - 1) as i64;
        x[3] = bucket(bars_left, &self.bars_left_buckets) as i64;
        x[4] = chord.root.map_or(12, i64::from);
        for i in 0..12 {
            x[5 + i] = i64::from((chord.mask >> i) & 1);
        }
        x[17] = match chord.root {
            None => 12,
            Some(_) => chord.bass.map_or(12, i64::from),
        };
        x[18] = c.mode as i64;
        x[19] = c.meter as i64;
        x[20] = c.style as i64;
        x[21] = c.section as i64;
        x[22] = c.register as i64;
        x
    }
}

/// Base pitch (MIDI of token 0) and register feature placing the median of a melody at `center`:
/// the tonic reference moved by whole octaves so that `center - base` lies in 0..12.
pub fn placement(key: Key, center: i32) -> (i32, usize) {
    let mut base = tokens::tonic_ref(key.tonic);
    base += 12 * (center - base).div_euclid(12);
    (base, (center - base) as usize)
}

/// Register feature and octave shift of a sequence of key-relative pitches (as in training):
/// the median moved by whole octaves into 0..12.
pub fn register_of(rels: &[i32]) -> Option<(i32, usize)> {
    let mut v = rels.to_vec();
    v.sort_unstable();
    let med = *v.get(v.len() / 2)?;
    let shift = -12 * med.div_euclid(12);
    Some((shift, (med + shift) as usize))
}

/// Generates a melody over a chord track with the v2 model (see [`super::generate_melody`]).
pub fn generate(
    req: &MelodyRequest,
    cond: MelodyCond,
    prior: Option<&dyn EventPrior>,
) -> Result<Vec<Note>, ModelError> {
    let prior = prior::active(prior);
    let tk = melody_tokens()?;
    let kind = ModelKind::Melody;
    let (low, high) = (req.low.as_int() as i32, req.high.as_int() as i32);
    if low > high {
        return Err(ModelError::Unsupported {
            reason: format!("melody range {low}..{high} is empty"),
        });
    }
    if req.bars == 0 || req.bars > super::MAX_BARS {
        return Err(ModelError::Unsupported {
            reason: format!("{} bars (1..={})", req.bars, super::MAX_BARS),
        });
    }
    let gt = tk.grid_ticks;
    let bar_ticks = req.meter.bar_ticks(crate::clip::TICKS_PER_QUARTER);
    if !bar_ticks.is_multiple_of(gt) {
        return Err(ModelError::Unsupported {
            reason: format!(
                "meter {}/{} is not a whole number of 16ths",
                req.meter.numerator, req.meter.denominator
            ),
        });
    }
    let bar16 = bar_ticks / gt;
    let m = runtime::shared(kind)?;
    let mut m = lock(m);
    let total = bar16 * req.bars;
    let center2 = low + high; // twice the middle of the range
    let (base, register) = placement(req.key, center2 / 2);
    let c = Cond {
        mode: tk.mode_index(req.key),
        meter: tk.meter_index(req.meter),
        style: tk.style_index(cond.style),
        section: tk.section_index(cond.section),
        register,
    };
    let half = ((high - low) as f32 / 2.0).max(1.0);
    let chord_at = |t16: u32| -> (ChordCtx, u16) {
        let tick = t16 * gt;
        req.chords
            .iter()
            .find(|e| e.start <= tick && tick < e.end())
            .map(|e| (ChordCtx::of(&e.chord, req.key), e.chord.mask()))
            .unwrap_or_default()
    };
    let x_at = |prev, t16: u32, ch: ChordCtx| {
        tk.features(prev, t16 % bar16, req.bars - 1 - t16 / bar16, ch, c)
    };
    let mut rng = Rng::derive(req.seed, "model-melody");
    let mut h = vec![0.0f32; m.state_len()];
    let mut prev: Option<(usize, usize)> = None;
    let mut out: Vec<Note> = Vec::new();
    let mut history = Vec::new();
    let mut buf = Vec::new();
    let (events, mut t) = prime_events(req, gt, total);
    let maxd = tk.nb() as u32;
    let mut t_feed = 0u32;
    for (p, dur) in events {
        let mut left = dur;
        while left > 0 {
            let d = left.min(maxd);
            m.step(&x_at(prev, t_feed, chord_at(t_feed).0), &mut h)?;
            let tok = match p {
                Some(p) => tk.pitch_token(p - base),
                None => tk.rest(),
            };
            if let Some(p) = p {
                if left == dur {
                    out.push(Note::new(t_feed * gt, d * gt, p, 90));
                } else if let Some(last) = out.last_mut() {
                    last.duration += d * gt;
                }
            }
            prev = Some((tok, d as usize - 1));
            history.push(tok);
            t_feed += d;
            left -= d;
        }
    }
    let scale = req.key.scale_mask();
    let midi_of = |tok: usize| match tk.decode(tok) {
        Some(PitchToken::Pitch(r)) => Some(base + r),
        _ => None,
    };
    let mut step = 0usize;
    let mut la = Vec::with_capacity(m.na);
    while t < total {
        let (ch, cmask) = chord_at(t);
        let o = m.step(&x_at(prev, t, ch), &mut h)?;
        la.clear();
        let mut pmask = Vec::with_capacity(m.na);
        for (i, &l) in o.logits_a.iter().enumerate() {
            let (ok, pull) = match (tk.decode(i), midi_of(i)) {
                // At most one leading rest: a melody always has notes.
                (Some(PitchToken::Rest), _) => (!out.is_empty() || t == 0, 0.0),
                (_, Some(p)) => {
                    let pc = p.rem_euclid(12) as u16;
                    let d = (2 * p - center2) as f32 / 2.0 / half;
                    (
                        (low..=high).contains(&p) && ((scale | cmask) & (1 << pc)) != 0,
                        CENTER_PULL * d * d,
                    )
                }
                _ => (false, 0.0),
            };
            pmask.push(ok);
            la.push(l - pull);
        }
        let la = super::blended(&la, prior, &mut buf, |pr, out| pr.tokens(&history, out));
        let p = sampling::sample(&la, &pmask, req.temperature, req.top_p, &mut rng).ok_or(
            ModelError::NoAllowedToken {
                model: kind.id(),
                step,
            },
        )?;
        let room = total - t;
        let lead = p == tk.rest() && out.is_empty();
        let dmask: Vec<bool> = (0..m.nb)
            .map(|d| (d as u32 + 1) <= room && !(lead && d as u32 + 1 >= room))
            .collect();
        let row = &o.logits_b[p * m.nb..(p + 1) * m.nb];
        let row = super::blended(row, prior, &mut buf, |pr, out| {
            pr.durations(t % bar16, bar16, out)
        });
        history.push(p);
        let d = sampling::sample(&row, &dmask, req.temperature, req.top_p, &mut rng).ok_or(
            ModelError::NoAllowedToken {
                model: kind.id(),
                step,
            },
        )?;
        let dur = d as u32 + 1;
        if let Some(pitch) = midi_of(p) {
            let vel = if t.is_multiple_of(bar16) { 100 } else { 88 };
            out.push(Note::new(t * gt, dur * gt, pitch, vel));
        }
        prev = Some((p, d));
        t += dur;
        step += 1;
    }
    Ok(out)
}

/// Quantized prime notes as (pitch or rest, duration in 16ths) from 0, and where they end.
fn prime_events(req: &MelodyRequest, gt: u32, total: u32) -> (Vec<(Option<i32>, u32)>, u32) {
    let mut prime: Vec<(u32, u32, i32)> = req
        .prime
        .iter()
        .map(|n| {
            let s = (n.start + gt / 2) / gt;
            let e = ((n.end() + gt / 2) / gt).max(s + 1);
            (s, e, n.pitch.as_int() as i32)
        })
        .filter(|(s, _, _)| *s < total)
        .collect();
    prime.sort();
    let mut events = Vec::new();
    let mut t = 0u32;
    for (s, e, p) in prime {
        if s < t {
            continue;
        }
        let e = e.min(total);
        if s > t {
            events.push((None, s - t));
        }
        events.push((Some(p), e - s));
        t = e;
    }
    (events, t)
}

/// Key-relative chord context at each onset of a chord track, for feature parity tests.
pub fn chord_ctx_at(chords: &[ChordEvent], key: Key, tick: u32) -> ChordCtx {
    chords
        .iter()
        .find(|e| e.start <= tick && tick < e.end())
        .map(|e| ChordCtx::of(&e.chord, key))
        .unwrap_or_default()
}
