//! The host parameters and the single mapping between them and engine [`Settings`].
//!
//! Parameter IDs are stable (saved in projects, used for automation); display names may change.
//! Which parameters shape the clip is decided in [`crate::fingerprint`]. Read on any thread;
//! changed only by the host (and through it by the editor and [`crate::host`]).

mod choices;

pub use choices::*;

use crate::persist::SessionSlot;
use bandmate_engine::arrange::{default_parts, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::input::HeardNote;
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use nice_plug::params::internals::ParamPtr;
use nice_plug::prelude::*;
use parking_lot::RwLock;
use std::sync::Arc;

/// The parameters of one part. IDs: `part_<name>`, `lock_<name>`, `ch_<name>`, `oct_<name>`
/// with the part's engine name (`part_melody`, `ch_bass`, …).
pub struct PartParams {
    pub kind: PartKind,
    pub enabled: BoolParam,
    /// Locked parts keep their notes when the clip is generated again (not automatable).
    pub locked: BoolParam,
    /// MIDI channel 1..=16.
    pub channel: IntParam,
    /// Octave shift -3..=3.
    pub octave: IntParam,
}

impl PartParams {
    fn new(kind: PartKind, enabled: bool) -> Self {
        let title = part_title(kind);
        PartParams {
            kind,
            enabled: BoolParam::new(title, enabled),
            locked: BoolParam::new(format!("Lock {}", kind.name()), false).non_automatable(),
            channel: IntParam::new(
                format!("{title} channel"),
                i32::from(kind.default_channel().as_int()) + 1,
                IntRange::Linear { min: 1, max: 16 },
            ),
            octave: IntParam::new(
                format!("{title} octave"),
                0,
                IntRange::Linear { min: -3, max: 3 },
            ),
        }
    }
}

// SAFETY: the pointers point into `self`, which the host keeps alive with the plugin's
// parameters (the same contract as the derived implementations).
unsafe impl Params for PartParams {
    fn param_map(&self) -> Vec<(String, ParamPtr, String)> {
        let n = self.kind.name();
        vec![
            (format!("part_{n}"), self.enabled.as_ptr(), String::new()),
            (format!("lock_{n}"), self.locked.as_ptr(), String::new()),
            (format!("ch_{n}"), self.channel.as_ptr(), String::new()),
            (format!("oct_{n}"), self.octave.as_ptr(), String::new()),
        ]
    }
}

/// Display name of a part ("Chords", "Melody", …).
pub fn part_title(kind: PartKind) -> &'static str {
    match kind {
        PartKind::Chords => "Chords",
        PartKind::Melody => "Melody",
        PartKind::Bass => "Bass",
        PartKind::Keys => "Keys",
        PartKind::Drums => "Drums",
    }
}

#[derive(Params)]
pub struct BandmateParams {
    /// The session the worker owns: current clip, the settings and fingerprint that made it,
    /// the undo history and the export folder (see [`SessionSlot`]).
    #[persist = "clip"]
    pub session: SessionSlot,
    /// Recent notes heard on the input (written by the worker), for key detection and
    /// "continue my idea".
    #[persist = "history"]
    pub heard: Arc<RwLock<Vec<HeardNote>>>,

    #[id = "tonic"]
    pub tonic: EnumParam<Tonic>,
    #[id = "mode"]
    pub mode: EnumParam<ModeChoice>,
    #[id = "meter"]
    pub meter: EnumParam<MeterChoice>,
    #[id = "bars"]
    pub bars: IntParam,
    #[id = "seed"]
    pub seed: IntParam,
    #[id = "source"]
    pub source: EnumParam<SourceChoice>,
    #[id = "style"]
    pub style: EnumParam<StyleChoice>,
    #[id = "harm_rhythm"]
    pub harmonic_rhythm: EnumParam<RhythmChoice>,
    #[id = "complexity"]
    pub complexity: FloatParam,
    #[id = "adventure"]
    pub adventure: FloatParam,
    #[id = "density"]
    pub density: FloatParam,
    #[id = "swing"]
    pub swing: FloatParam,
    #[id = "humanize"]
    pub humanize: FloatParam,
    #[id = "fill_every"]
    pub fill_every: IntParam,
    #[id = "key_source"]
    pub key_source: EnumParam<KeySourceChoice>,
    #[id = "drum_style"]
    pub drum_style: EnumParam<DrumStyleChoice>,
    #[id = "bass_style"]
    pub bass_style: EnumParam<BassStyleChoice>,
    #[nested]
    pub chords: PartParams,
    #[nested]
    pub melody: PartParams,
    #[nested]
    pub bass: PartParams,
    #[nested]
    pub keys: PartParams,
    #[nested]
    pub drums: PartParams,

    #[id = "midi_thru"]
    pub midi_thru: BoolParam,
    #[id = "free_run"]
    pub free_run: BoolParam,
    #[id = "free_tempo"]
    pub free_tempo: FloatParam,
    #[id = "bypass"]
    pub bypass: BoolParam,

    /// Live mode on: the band plays what it makes of the input instead of the clip.
    #[id = "live"]
    pub live: BoolParam,
    #[id = "live_mode"]
    pub live_mode: EnumParam<LiveModeChoice>,
    #[id = "live_phrase"]
    pub live_phrase: EnumParam<PhraseChoice>,
    #[id = "live_silence"]
    pub live_silence: EnumParam<SilenceChoice>,
}

fn unit(name: &str, default: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min: 0.0, max: 1.0 })
        .with_step_size(0.01)
        .with_value_to_string(formatters::v2s_f32_rounded(2))
}

impl Default for BandmateParams {
    /// Defaults equal `bandmate_engine::arrange::Settings::default()` (see docs/plugin.md).
    fn default() -> Self {
        BandmateParams {
            session: SessionSlot::default(),
            heard: Arc::new(RwLock::new(Vec::new())),
            tonic: EnumParam::new("Key", Tonic::C),
            mode: EnumParam::new("Mode", ModeChoice::Major),
            meter: EnumParam::new("Time signature", MeterChoice::Host),
            bars: IntParam::new("Bars", 4, IntRange::Linear { min: 1, max: 64 }),
            seed: IntParam::new("Seed", 1, IntRange::Linear { min: 0, max: 9999 }),
            source: EnumParam::new("Source", SourceChoice::Model),
            style: EnumParam::new("Style", StyleChoice::Pop),
            harmonic_rhythm: EnumParam::new("Harmonic rhythm", RhythmChoice::Bar),
            complexity: unit("Complexity", 0.3),
            adventure: unit("Adventure", 0.5),
            density: unit("Density", 0.5),
            swing: unit("Swing", 0.0),
            humanize: unit("Humanize", 0.0),
            fill_every: IntParam::new("Fill every (bars)", 4, IntRange::Linear { min: 0, max: 16 }),
            key_source: EnumParam::new("Key source", KeySourceChoice::Manual),
            drum_style: EnumParam::new("Drum style", DrumStyleChoice::Pop),
            bass_style: EnumParam::new("Bass style", BassStyleChoice::RootFifth),
            chords: PartParams::new(PartKind::Chords, true),
            melody: PartParams::new(PartKind::Melody, false),
            bass: PartParams::new(PartKind::Bass, false),
            keys: PartParams::new(PartKind::Keys, false),
            drums: PartParams::new(PartKind::Drums, false),
            midi_thru: BoolParam::new("MIDI thru", true),
            free_run: BoolParam::new("Free run", false),
            free_tempo: FloatParam::new(
                "Free-run tempo",
                120.0,
                FloatRange::Linear {
                    min: 20.0,
                    max: 300.0,
                },
            )
            .with_step_size(0.1)
            .with_unit(" bpm"),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            live: BoolParam::new("Live", false),
            live_mode: EnumParam::new("Live mode", LiveModeChoice::Follow),
            live_phrase: EnumParam::new("Phrase", PhraseChoice::Two),
            live_silence: EnumParam::new("On silence", SilenceChoice::Hold),
        }
    }
}

/// The meter clips are generated in: the `meter` parameter, or for `Host` the host's time
/// signature when known, else 4/4.
pub fn effective_meter(p: &BandmateParams, host: Option<Meter>) -> Meter {
    p.meter.value().meter().or(host).unwrap_or(Meter::COMMON)
}

/// The key clips are generated in: with key source "detected", the key the worker follows
/// (`followed`, once there is one); else the `tonic` and `mode` parameters.
pub fn effective_key(p: &BandmateParams, followed: Option<Key>) -> Key {
    let manual = Key::new(
        PitchClass::new(p.tonic.value() as i32),
        Mode::ALL[p.mode.value() as usize % Mode::ALL.len()],
    );
    match p.key_source.value() {
        KeySourceChoice::Detected => followed.unwrap_or(manual),
        KeySourceChoice::Manual => manual,
    }
}

impl BandmateParams {
    /// The per-part parameters, in [`PartKind::ALL`] order.
    pub fn parts(&self) -> [&PartParams; 5] {
        [
            &self.chords,
            &self.melody,
            &self.bass,
            &self.keys,
            &self.drums,
        ]
    }

    /// Enabled parts, in [`PartKind::ALL`] order.
    pub fn enabled_parts(&self) -> Vec<PartKind> {
        self.parts()
            .iter()
            .filter(|p| p.enabled.value())
            .map(|p| p.kind)
            .collect()
    }

    /// Locked parts (they keep their notes when the clip is generated again).
    pub fn locked_parts(&self) -> Vec<PartKind> {
        self.parts()
            .iter()
            .filter(|p| p.locked.value())
            .map(|p| p.kind)
            .collect()
    }
}

/// THE mapping from parameters to engine settings. `host_meter` is the host's time signature
/// when known, `followed` the detected key the worker follows (see [`effective_key`]).
/// `tempo_bpm` is the free-run tempo parameter: it only labels exported files, playback follows
/// the host tempo.
pub fn settings_from_params(
    p: &BandmateParams,
    host_meter: Option<Meter>,
    followed: Option<Key>,
) -> Settings {
    let rhythm =
        HarmonicRhythm::ALL[p.harmonic_rhythm.value() as usize % HarmonicRhythm::ALL.len()];
    let mut s = Settings {
        key: effective_key(p, followed),
        meter: effective_meter(p, host_meter),
        tempo_bpm: f64::from(p.free_tempo.value()),
        bars: p.bars.value().clamp(1, 64) as u32,
        seed: p.seed.value().max(0) as u64,
        source: match p.source.value() {
            SourceChoice::Model => Source::Model,
            SourceChoice::Rules => Source::Rules,
        },
        style: p.style.value().tag().to_string(),
        harmonic_rhythm: rhythm,
        section: None,
        complexity: p.complexity.value(),
        adventure: p.adventure.value(),
        density: p.density.value(),
        swing: p.swing.value(),
        humanize: p.humanize.value(),
        fill_every: p.fill_every.value().max(0) as u32,
        parts: default_parts(&[]),
        // Not a parameter: the worker adds the session's song plan.
        song: None,
    };
    s.enable_only(&p.enabled_parts());
    for pp in p.parts() {
        if let Some(o) = s.part_mut(pp.kind) {
            o.channel = (pp.channel.value().clamp(1, 16) - 1) as u8;
            o.octave = pp.octave.value().clamp(-3, 3) as i8;
            if pp.kind == PartKind::Drums {
                o.style = p.drum_style.value().name().to_string();
            }
            if pp.kind == PartKind::Bass {
                o.style = p.bass_style.value().name().to_string();
            }
        }
    }
    s
}

/// A parameter and the normalized value to give it.
pub type ParamChange = (ParamPtr, f32);

/// The reverse of [`settings_from_params`]: the parameter values (normalized) that map to `s`,
/// for the parameters whose value differs now. The meter parameter changes only when the
/// effective meter would differ; the tempo (free-run tempo) is left alone.
pub fn changes_for(
    p: &BandmateParams,
    s: &Settings,
    host_meter: Option<Meter>,
) -> Vec<ParamChange> {
    fn e<T: Enum + PartialEq + 'static>(param: &EnumParam<T>, index: usize) -> ParamChange {
        (
            param.as_ptr(),
            param.preview_normalized(T::from_index(index)),
        )
    }
    let mut out = vec![
        e(&p.tonic, usize::from(s.key.tonic.index())),
        e(
            &p.mode,
            Mode::ALL.iter().position(|m| *m == s.key.mode).unwrap_or(0),
        ),
        (p.bars.as_ptr(), p.bars.preview_normalized(s.bars as i32)),
        (
            p.seed.as_ptr(),
            p.seed.preview_normalized(s.seed.min(9999) as i32),
        ),
        e(
            &p.source,
            match s.source {
                Source::Model => 0,
                Source::Rules => 1,
            },
        ),
        e(
            &p.style,
            StyleChoice::ALL
                .iter()
                .position(|c| c.tag() == s.style)
                .unwrap_or(0),
        ),
        e(
            &p.harmonic_rhythm,
            HarmonicRhythm::ALL
                .iter()
                .position(|r| *r == s.harmonic_rhythm)
                .unwrap_or(1),
        ),
        (
            p.complexity.as_ptr(),
            p.complexity.preview_normalized(s.complexity),
        ),
        (
            p.adventure.as_ptr(),
            p.adventure.preview_normalized(s.adventure),
        ),
        (p.density.as_ptr(), p.density.preview_normalized(s.density)),
        (p.swing.as_ptr(), p.swing.preview_normalized(s.swing)),
        (
            p.humanize.as_ptr(),
            p.humanize.preview_normalized(s.humanize),
        ),
        (
            p.fill_every.as_ptr(),
            p.fill_every.preview_normalized(s.fill_every.min(16) as i32),
        ),
    ];
    if effective_meter(p, host_meter) != s.meter {
        if let Some(i) = MeterChoice::ALL
            .iter()
            .position(|c| c.meter() == Some(s.meter))
        {
            out.push(e(&p.meter, i));
        }
    }
    for pp in p.parts() {
        let o = s.part(pp.kind);
        let enabled = o.is_some_and(|o| o.enabled);
        out.push((pp.enabled.as_ptr(), pp.enabled.preview_normalized(enabled)));
        if let Some(o) = o.filter(|o| o.enabled) {
            out.push((
                pp.channel.as_ptr(),
                pp.channel
                    .preview_normalized(i32::from(o.channel.min(15)) + 1),
            ));
            out.push((
                pp.octave.as_ptr(),
                pp.octave
                    .preview_normalized(i32::from(o.octave.clamp(-3, 3))),
            ));
            if pp.kind == PartKind::Drums {
                if let Some(i) = (0..DrumStyleChoice::variants().len())
                    .position(|i| DrumStyleChoice::from_index(i).name() == o.style)
                {
                    out.push(e(&p.drum_style, i));
                }
            }
            if pp.kind == PartKind::Bass {
                if let Some(i) = (0..BassStyleChoice::variants().len())
                    .position(|i| BassStyleChoice::from_index(i).name() == o.style)
                {
                    out.push(e(&p.bass_style, i));
                }
            }
        }
    }
    // SAFETY: the pointers point into `p`, which outlives this call.
    out.retain(|(ptr, v)| unsafe { (ptr.unmodulated_normalized_value() - v).abs() > 1e-6 });
    out
}
