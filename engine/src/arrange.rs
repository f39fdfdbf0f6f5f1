//! The arranger: settings in, a whole clip out. Chords and melody come from the models when
//! they load and from the rule-based generators otherwise; the other parts follow the chords.

use crate::clip::{ChordEvent, Clip, Note, Part, PartKind, Provenance, TICKS_PER_QUARTER};
use crate::model::chords2::{self, sample::Chords2Request};
use crate::parts::{PartContext, PartError};
use crate::personal::{self, Personal};
use crate::progression::{self, HarmonicRhythm, ProgressionSettings};
use crate::rng::Rng;
use crate::song::SongPlan;
use crate::theory::{Key, Meter};
use crate::{drums, groove, model, originality, parts};
use midly::num::u7;
use serde::{Deserialize, Serialize};

pub mod clearance;
pub mod idea;
pub mod locks;
mod notice;

pub use idea::{continue_idea, IdeaError};
pub use notice::Notice;

/// Errors that stop an arrangement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArrangeError {
    #[error("bars must be 1..=64, got {0}")]
    Bars(u32),
    #[error("tempo must be 20..=999 bpm, got {0}")]
    Tempo(f64),
    #[error("{0} is not one of the parts an arrangement can regenerate")]
    Part(&'static str),
    #[error(transparent)]
    PartStyle(#[from] PartError),
}

/// Where chords and melody come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    /// The shipped ONNX models, falling back to rules with a reason when they cannot run.
    Model,
    /// The rule-based generators only.
    Rules,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Model => "model",
            Source::Rules => "rules",
        }
    }
}

/// Per-part options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartOptions {
    pub kind: PartKind,
    pub enabled: bool,
    /// Style name from the part's table (see `bandmate styles`).
    pub style: String,
    /// 0-based MIDI channel.
    pub channel: u8,
    /// Octave shift from the part's default register, -3..=3.
    pub octave: i8,
}

/// Everything that determines a clip. Same settings, same clip, byte for byte.
/// Fields missing from saved settings (written before the field existed) take their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub key: Key,
    pub meter: Meter,
    pub tempo_bpm: f64,
    pub bars: u32,
    pub seed: u64,
    pub source: Source,
    /// Style tag for the chord model ("pop", "chorale", "folk", ...).
    pub style: String,
    pub harmonic_rhythm: HarmonicRhythm,
    /// Song section the chord model is conditioned on (a name of its config); None for a loop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// 0 = triads … 1 = extended chords.
    pub complexity: f32,
    /// Sampling temperature / rule randomness, 0..=1.
    pub adventure: f32,
    /// Note density for bass, keys and drums, 0..=1.
    pub density: f32,
    /// Swing amount, 0 (straight) ..= 1 (full triplet).
    pub swing: f32,
    /// Timing and velocity humanization, 0..=1.
    pub humanize: f32,
    /// Drum fills every N bars (0 = none).
    pub fill_every: u32,
    pub parts: Vec<PartOptions>,
    /// A song to generate (`form::generate_plan`) instead of one loop of `bars`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub song: Option<SongPlan>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            key: Key::new(crate::theory::PitchClass::C, crate::theory::Mode::Major),
            meter: Meter::COMMON,
            tempo_bpm: 120.0,
            bars: 4,
            seed: 1,
            source: Source::Model,
            style: "pop".into(),
            harmonic_rhythm: HarmonicRhythm::Bar,
            section: None,
            complexity: 0.3,
            adventure: 0.5,
            density: 0.5,
            swing: 0.0,
            humanize: 0.0,
            fill_every: 4,
            parts: default_parts(&[PartKind::Chords]),
            song: None,
        }
    }
}

/// Default options for each part kind; `enabled` only for those listed.
pub fn default_parts(enabled: &[PartKind]) -> Vec<PartOptions> {
    PartKind::ALL
        .iter()
        .map(|&kind| PartOptions {
            kind,
            enabled: enabled.contains(&kind),
            style: default_style(kind).into(),
            channel: kind.default_channel().as_int(),
            octave: 0,
        })
        .collect()
}

/// The default style name for a part.
pub fn default_style(kind: PartKind) -> &'static str {
    match kind {
        PartKind::Chords => "close",
        PartKind::Melody => "lead",
        PartKind::Bass => "root-fifth",
        PartKind::Keys => "block",
        PartKind::Drums => "pop",
    }
}

impl Settings {
    pub fn part(&self, kind: PartKind) -> Option<&PartOptions> {
        self.parts.iter().find(|p| p.kind == kind)
    }

    pub fn part_mut(&mut self, kind: PartKind) -> Option<&mut PartOptions> {
        self.parts.iter_mut().find(|p| p.kind == kind)
    }

    /// Enables exactly the listed parts.
    pub fn enable_only(&mut self, kinds: &[PartKind]) {
        for p in &mut self.parts {
            p.enabled = kinds.contains(&p.kind);
        }
        for &k in kinds {
            if self.part(k).is_none() {
                self.parts
                    .extend(default_parts(&[k]).into_iter().filter(|p| p.kind == k));
            }
        }
    }

    /// Checks ranges; values outside them are errors, not silently clamped.
    pub fn validate(&self) -> Result<(), ArrangeError> {
        if !(1..=64).contains(&self.bars) {
            return Err(ArrangeError::Bars(self.bars));
        }
        if !(self.tempo_bpm.is_finite() && (20.0..=999.0).contains(&self.tempo_bpm)) {
            return Err(ArrangeError::Tempo(self.tempo_bpm));
        }
        Ok(())
    }

    /// `key=value` pairs for the provenance record.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .parts
            .iter()
            .filter(|p| p.enabled)
            .map(|p| {
                format!(
                    "{}:{}:ch{}:oct{}",
                    p.kind.name(),
                    p.style,
                    u16::from(p.channel) + 1,
                    p.octave
                )
            })
            .collect();
        format!(
            "key={} meter={} tempo={} bars={} source={} style={} harmonic_rhythm={} complexity={:.2} adventure={:.2} density={:.2} swing={:.2} humanize={:.2} fill_every={} parts={}",
            self.key.to_string().replace(' ', "_"),
            self.meter,
            self.tempo_bpm,
            self.bars,
            self.source.name(),
            self.style,
            self.harmonic_rhythm.name(),
            self.complexity,
            self.adventure,
            self.density,
            self.swing,
            self.humanize,
            self.fill_every,
            parts.join(",")
        ) + &self
            .song
            .as_ref()
            .map_or(String::new(), |p| format!(" form={}", p.form.replace(' ', "_")))
    }
}

/// A finished arrangement and what happened on the way.
#[derive(Debug, Clone)]
pub struct Arrangement {
    pub clip: Clip,
    /// What did not go as asked (a model that could not run, locks that could not apply);
    /// empty when everything ran as asked.
    pub notices: Vec<Notice>,
}

/// The program name and version written into provenance records.
pub fn program() -> String {
    format!("bandmate {}", env!("CARGO_PKG_VERSION"))
}

/// Generates the whole clip from settings.
pub fn generate(settings: &Settings) -> Result<Arrangement, ArrangeError> {
    generate_with(settings, None)
}

/// [`generate`] in a personal style: the chord and melody models blend in its statistics at its
/// "like" amount, and bass and drums set to style [`personal::STYLE`] play its patterns. With no
/// style, or "like" 0, the result is byte for byte [`generate`]'s.
pub fn generate_with(
    settings: &Settings,
    personal: Option<Personal<'_>>,
) -> Result<Arrangement, ArrangeError> {
    let personal = personal.filter(Personal::active);
    settings.validate()?;
    let mut notices = Vec::new();
    let mut engines = Vec::new();
    let (chords, chord_engine) = chord_track(settings, &mut notices, personal);
    engines.push(format!("progression={chord_engine}"));
    let mut clip = Clip {
        tempo_bpm: settings.tempo_bpm,
        meter: settings.meter,
        key: settings.key,
        bars: settings.bars,
        chords,
        parts: Vec::new(),
        provenance: Provenance::default(),
        sections: Vec::new(),
    };
    add_parts(settings, &mut clip, engines, &mut notices, personal)?;
    Ok(Arrangement { clip, notices })
}

/// Makes every enabled part over `clip`'s chord track and writes the provenance, whose engine
/// list starts with `engines`.
fn add_parts(
    settings: &Settings,
    clip: &mut Clip,
    mut engines: Vec<String>,
    notices: &mut Vec<Notice>,
    personal: Option<Personal<'_>>,
) -> Result<(), ArrangeError> {
    for opts in settings.parts.iter().filter(|p| p.enabled) {
        let (part, engine) = make_part(settings, clip, opts, notices, personal)?;
        engines.push(format!("{}={engine}", opts.kind.name()));
        clip.set_part(part);
    }
    clearance::apply(clip, &clearance::UNDER_MELODY);
    let mut parameters = settings.describe();
    if let Some(p) = personal {
        parameters.push_str(&p.provenance());
    }
    parameters.push_str(&originality_record(clip, settings.key));
    clip.provenance = Provenance {
        program: program(),
        engine: engines.join(" "),
        seed: settings.seed,
        parameters,
    };
    Ok(())
}

/// Regenerates one part of `clip` with `seed`, keeping the chord track and the other parts.
/// Regenerating chords makes a new chord track and re-follows every other enabled part.
pub fn regenerate(
    settings: &Settings,
    clip: &Clip,
    kind: PartKind,
    seed: u64,
) -> Result<Arrangement, ArrangeError> {
    regenerate_with(settings, clip, kind, seed, None)
}

/// [`regenerate`] in a personal style (see [`generate_with`]).
pub fn regenerate_with(
    settings: &Settings,
    clip: &Clip,
    kind: PartKind,
    seed: u64,
    personal: Option<Personal<'_>>,
) -> Result<Arrangement, ArrangeError> {
    let personal = personal.filter(Personal::active);
    let mut s = settings.clone();
    s.seed = seed;
    if kind == PartKind::Chords {
        let mut a = generate_with(&s, personal)?;
        // Keep parts that do not follow chords? All parts follow chords, so all are new.
        a.clip.provenance.seed = seed;
        return Ok(a);
    }
    s.validate()?;
    let mut notices = Vec::new();
    let mut out = clip.clone();
    let opts = s.part(kind).cloned().unwrap_or_else(|| {
        default_parts(&[kind])
            .into_iter()
            .find(|p| p.kind == kind)
            .unwrap_or(PartOptions {
                kind,
                enabled: true,
                style: default_style(kind).into(),
                channel: kind.default_channel().as_int(),
                octave: 0,
            })
    });
    let (part, engine) = make_part(&s, &out, &opts, &mut notices, personal)?;
    out.set_part(part);
    if kind == PartKind::Melody {
        clearance::apply(&mut out, &clearance::UNDER_MELODY);
    } else {
        clearance::apply(&mut out, &[kind]);
    }
    out.provenance.engine = format!(
        "{} {}=seed{}:{}",
        out.provenance.engine,
        kind.name(),
        seed,
        engine
    );
    Ok(Arrangement { clip: out, notices })
}

/// Re-makes every enabled part of `settings` over `clip`'s chord track (the chords stay), e.g.
/// after the track was edited; parts not enabled are dropped.
pub fn follow(settings: &Settings, clip: &Clip) -> Result<Arrangement, ArrangeError> {
    follow_with(settings, clip, None)
}

/// [`follow`] in a personal style (see [`generate_with`]).
pub fn follow_with(
    settings: &Settings,
    clip: &Clip,
    personal: Option<Personal<'_>>,
) -> Result<Arrangement, ArrangeError> {
    let personal = personal.filter(Personal::active);
    settings.validate()?;
    let mut notices = Vec::new();
    let mut out = clip.clone();
    out.parts.clear();
    let progression = clip
        .provenance
        .engine
        .split_whitespace()
        .find(|t| t.starts_with("progression="))
        .unwrap_or("progression=given")
        .to_string();
    add_parts(
        settings,
        &mut out,
        vec![progression],
        &mut notices,
        personal,
    )?;
    Ok(Arrangement { clip: out, notices })
}

fn chord_track(
    s: &Settings,
    notices: &mut Vec<Notice>,
    personal: Option<Personal<'_>>,
) -> (Vec<ChordEvent>, String) {
    if s.source == Source::Model {
        let req = model::ChordRequest {
            key: s.key,
            meter: s.meter,
            bars: s.bars,
            style: s.style.clone(),
            complexity: s.complexity,
            temperature: temperature(s.adventure),
            top_p: 0.95,
            seed: s.seed,
        };
        let personal = personal.filter(|p| p.style.has_chords());
        let prior = personal.map(|p| p.style.chord_prior(p.amount()));
        let req2 = Chords2Request {
            base: &req,
            section: s
                .section
                .as_deref()
                .unwrap_or(chords2::sample::LOOP_SECTION),
            harmonic_rhythm: s.harmonic_rhythm,
        };
        // A personal style's prior is over v1 chord tokens; chord model v2 takes it mapped.
        let prior = prior.as_ref().map(|p| p as &dyn model::prior::EventPrior);
        let result = chords2::sample::generate_with(&req2, prior);
        let id = chords2::CHORDS2_MODEL_ID;
        match result {
            Ok(chords) if valid_track(&chords, s) => {
                return (
                    chords,
                    format!("model({}, {id}){}", model::backend_name(), suffix(personal)),
                )
            }
            Ok(_) => notices.push(Notice::ModelOutputUnusable {
                part: PartKind::Chords,
            }),
            Err(e) => notices.push(Notice::unavailable(PartKind::Chords, &e)),
        }
    }
    let ps = ProgressionSettings {
        key: s.key,
        meter: s.meter,
        bars: s.bars,
        rhythm: s.harmonic_rhythm,
        complexity: s.complexity,
        adventure: s.adventure,
        phrase_bars: if s.bars.is_multiple_of(4) || s.bars > 4 {
            4
        } else {
            s.bars
        },
    };
    (
        progression::generate(&ps, s.seed),
        "rules(functional-harmony)".into(),
    )
}

/// The melody register (low, high MIDI keys): C4..G5 moved by `octave` (-3..=3) octaves.
pub fn melody_range(octave: i8) -> (u8, u8) {
    let low = (60 + 12 * i32::from(octave.clamp(-3, 3))).clamp(0, 108);
    (low as u8, (low + 19) as u8)
}

/// Maps the 0..1 adventure control to a sampling temperature 0.6..1.4.
pub fn temperature(adventure: f32) -> f32 {
    0.6 + 0.8 * adventure.clamp(0.0, 1.0)
}

fn valid_track(chords: &[ChordEvent], s: &Settings) -> bool {
    let len = s.meter.bar_ticks(TICKS_PER_QUARTER) * s.bars;
    !chords.is_empty()
        && chords.first().map(|c| c.start) == Some(0)
        && chords
            .windows(2)
            .all(|w| w[0].end() == w[1].start && w[0].duration > 0)
        && chords.last().map(|c| c.end()) == Some(len)
}

/// `+personal(NAME@HASH,like=A)` for an engine name, or nothing.
fn suffix(personal: Option<Personal<'_>>) -> String {
    personal.map_or(String::new(), |p| {
        format!("+personal({},like={:.2})", p.label(), p.amount())
    })
}

fn make_part(
    s: &Settings,
    clip: &Clip,
    opts: &PartOptions,
    notices: &mut Vec<Notice>,
    personal: Option<Personal<'_>>,
) -> Result<(Part, String), ArrangeError> {
    let seed = Rng::derive(s.seed, opts.kind.name()).next_u64();
    let ctx = PartContext {
        key: s.key,
        meter: s.meter,
        bars: s.bars,
        chords: &clip.chords,
        style: &opts.style,
        density: s.density,
        complexity: s.complexity,
        octave: opts.octave.clamp(-3, 3),
        seed,
    };
    let wants_personal = opts.style.eq_ignore_ascii_case(personal::STYLE);
    let own = |f: fn(&personal::PersonalStyle, &PartContext) -> Option<Vec<Note>>| {
        personal.and_then(|p| f(p.style, &ctx).map(|n| (n, p.label())))
    };
    let fallback = PartContext {
        style: default_style(opts.kind),
        ..ctx
    };
    let (mut notes, engine): (Vec<Note>, String) = match opts.kind {
        PartKind::Bass | PartKind::Drums if wants_personal => {
            let made = if opts.kind == PartKind::Bass {
                own(personal::parts::bass_line)
            } else {
                own(personal::parts::drum_part)
            };
            match made {
                Some((n, label)) => (n, format!("personal({}:{label})", opts.kind.name())),
                None if opts.kind == PartKind::Bass => (
                    parts::bass::generate(&fallback)?,
                    format!("rules(bass:{}; no personal bass)", fallback.style),
                ),
                None => (
                    drums::catalog::part(&fallback, s.fill_every, None)?.notes,
                    format!("rules(drums:{}; no personal groove)", fallback.style),
                ),
            }
        }
        PartKind::Chords => (
            parts::chords::generate(&ctx)?,
            "rules(voice-leading)".into(),
        ),
        PartKind::Bass => (
            parts::bass::generate(&ctx)?,
            format!("rules(bass:{})", opts.style),
        ),
        PartKind::Keys => (
            parts::keys::generate(&ctx)?,
            format!("rules(keys:{})", opts.style),
        ),
        PartKind::Drums => {
            let model = (s.source == Source::Model).then(|| drums::catalog::ModelUse {
                tempo_bpm: s.tempo_bpm,
                temperature: temperature(s.adventure),
                top_p: 0.95,
            });
            let p = drums::catalog::part(&ctx, s.fill_every, model)?;
            notices.extend(p.notice.map(|f| Notice::DrumPattern {
                pattern: f.pattern,
                reason: f.reason,
            }));
            (p.notes, p.engine)
        }
        PartKind::Melody => melody(s, &ctx, notices, personal)?,
    };
    let mut rng = Rng::derive(seed, "groove");
    if opts.kind != PartKind::Chords {
        groove::swing(&mut notes, s.meter, s.swing);
    }
    // Model drums already carry the drummer's timing and dynamics.
    if !(opts.kind == PartKind::Drums
        && (engine.starts_with("model(") || engine.starts_with("personal(")))
    {
        let drum_style = s
            .part(PartKind::Drums)
            .map(|p| p.style.as_str())
            .filter(|st| !st.eq_ignore_ascii_case(personal::STYLE))
            .unwrap_or(default_style(PartKind::Drums));
        groove::learned::humanize_part(
            &mut notes, s.meter, opts.kind, drum_style, s.humanize, &mut rng,
        );
    }
    let mut part = Part::new(opts.kind, notes);
    part.channel = midly::num::u4::new(opts.channel.min(15));
    part.normalize(clip.length_ticks());
    Ok((part, engine))
}

/// ` shared_with_training=chords:N,melody:M` (longest runs of events shared with one training
/// song; "?" where the index could not be loaded, melody absent without a melody part).
fn originality_record(clip: &Clip, key: Key) -> String {
    let show = |r: Result<usize, originality::OriginalityError>| {
        r.map_or("?".to_string(), |n| n.to_string())
    };
    let mut out = format!(
        " shared_with_training=chords:{}",
        show(originality::chord_run(&clip.chords, key))
    );
    if let Some(p) = clip.part(PartKind::Melody) {
        out.push_str(&format!(
            ",melody:{}",
            show(originality::melody_run(&p.notes))
        ));
    }
    out
}

fn melody(
    s: &Settings,
    ctx: &PartContext,
    notices: &mut Vec<Notice>,
    personal: Option<Personal<'_>>,
) -> Result<(Vec<Note>, String), ArrangeError> {
    let (low, high) = melody_range(ctx.octave);
    if s.source == Source::Model {
        let req = model::MelodyRequest {
            key: s.key,
            meter: s.meter,
            bars: s.bars,
            chords: ctx.chords,
            low: u7::new(low),
            high: u7::new(high),
            temperature: temperature(s.adventure),
            top_p: 0.95,
            seed: ctx.seed,
            prime: &[],
        };
        let prior = personal
            .filter(|p| p.style.has_melody())
            .map(|p| p.style.melody_prior(p.amount()));
        let cond = model::melody::MelodyCond {
            style: &s.style,
            section: s.section.as_deref().unwrap_or("verse"),
        };
        let index = originality::shipped(originality::Track::Melody);
        if let Err(e) = &index {
            notices.push(Notice::unavailable(
                PartKind::Melody,
                &model::ModelError::Unsupported {
                    reason: e.to_string(),
                },
            ));
        }
        let pr = prior.as_ref().map(|p| p as &dyn model::prior::EventPrior);
        let limit = originality::DEFAULT_LIMIT;
        let result = model::guard::generate(&req, cond, pr, index.ok(), limit);
        let tag = if prior.is_some() {
            suffix(personal)
        } else {
            String::new()
        };
        match result {
            Ok(g) if !g.notes.is_empty() => {
                if !g.within_limit {
                    notices.push(Notice::MelodyCopied {
                        run: g.run.unwrap_or(0),
                        limit,
                        tries: g.tries,
                    });
                }
                let copied = g
                    .run
                    .map(|r| format!("; copied {r}/{limit}, tries {}", g.tries))
                    .unwrap_or_default();
                return Ok((
                    g.notes,
                    format!("model({}{copied}){tag}", model::backend_name()),
                ));
            }
            Ok(_) => notices.push(Notice::ModelOutputUnusable {
                part: PartKind::Melody,
            }),
            Err(e) => notices.push(Notice::unavailable(PartKind::Melody, &e)),
        }
    }
    Ok((
        parts::melody::generate(ctx, low, high)?,
        "rules(melody)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_arrangement_is_deterministic_and_complete() {
        let mut s = Settings {
            source: Source::Rules,
            bars: 8,
            ..Settings::default()
        };
        s.enable_only(&PartKind::ALL);
        let a = generate(&s).expect("arrangement");
        let b = generate(&s).expect("arrangement");
        assert_eq!(a.clip, b.clip);
        assert_eq!(a.clip.parts.len(), 5);
        for p in &a.clip.parts {
            assert!(!p.notes.is_empty(), "{:?} empty", p.kind);
            assert!(p.notes.iter().all(|n| n.end() <= a.clip.length_ticks()));
        }
        assert!(a.clip.provenance.parameters.contains("bars=8"));
    }

    #[test]
    fn bad_settings_are_errors() {
        let s = Settings {
            bars: 0,
            ..Settings::default()
        };
        assert_eq!(generate(&s).err(), Some(ArrangeError::Bars(0)));
        let s = Settings {
            tempo_bpm: f64::INFINITY,
            ..Settings::default()
        };
        assert!(matches!(generate(&s), Err(ArrangeError::Tempo(_))));
    }

    #[test]
    fn regenerating_one_part_keeps_the_others() {
        let mut s = Settings {
            source: Source::Rules,
            ..Settings::default()
        };
        s.enable_only(&[PartKind::Chords, PartKind::Bass, PartKind::Drums]);
        let a = generate(&s).expect("arrangement").clip;
        let b = regenerate(&s, &a, PartKind::Drums, 99).expect("regen").clip;
        assert_eq!(a.chords, b.chords);
        assert_eq!(a.part(PartKind::Bass), b.part(PartKind::Bass));
    }
}
