//! Parameters, persisted state and the single mapping from parameters to engine [`Settings`].
//!
//! Parameter IDs are stable (they are saved in projects and used for automation); display names
//! may change. Every parameter that changes the clip makes the plugin generate a new clip in the
//! background (see `lib.rs`); `midi_thru`, `free_run`, `free_tempo` and `bypass` only change playback.

use bandmate_engine::arrange::{default_parts, Settings, Source};
use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::playback::PlaybackClip;
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use nice_plug::prelude::*;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use nice_plug::params::persist::PersistentField;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Tonic of the key.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tonic {
    C,
    #[name = "C#/Db"]
    Cs,
    D,
    #[name = "D#/Eb"]
    Ds,
    E,
    F,
    #[name = "F#/Gb"]
    Fs,
    G,
    #[name = "G#/Ab"]
    Gs,
    A,
    #[name = "A#/Bb"]
    As,
    B,
}

/// Mode of the key; the same list, in the same order, as [`Mode::ALL`].
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    Major,
    Minor,
    #[name = "Harmonic minor"]
    HarmonicMinor,
    #[name = "Melodic minor"]
    MelodicMinor,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
}

/// Time signature of generated clips. `Host` follows the host's time signature when the host
/// reports one, else 4/4.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterChoice {
    #[name = "Host"]
    Host,
    #[name = "4/4"]
    M44,
    #[name = "3/4"]
    M34,
    #[name = "2/4"]
    M24,
    #[name = "5/4"]
    M54,
    #[name = "6/8"]
    M68,
    #[name = "7/8"]
    M78,
    #[name = "5/8"]
    M58,
    #[name = "9/8"]
    M98,
    #[name = "12/8"]
    M128,
}

impl MeterChoice {
    /// The fixed meter, or `None` for `Host`.
    pub fn meter(self) -> Option<Meter> {
        let (n, d) = match self {
            MeterChoice::Host => return None,
            MeterChoice::M44 => (4, 4),
            MeterChoice::M34 => (3, 4),
            MeterChoice::M24 => (2, 4),
            MeterChoice::M54 => (5, 4),
            MeterChoice::M68 => (6, 8),
            MeterChoice::M78 => (7, 8),
            MeterChoice::M58 => (5, 8),
            MeterChoice::M98 => (9, 8),
            MeterChoice::M128 => (12, 8),
        };
        Some(Meter { numerator: n, denominator: d })
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceChoice {
    Model,
    Rules,
}

/// Style tag for the chord model.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleChoice {
    Pop,
    Chorale,
    Folk,
}

impl StyleChoice {
    pub fn tag(self) -> &'static str {
        match self {
            StyleChoice::Pop => "pop",
            StyleChoice::Chorale => "chorale",
            StyleChoice::Folk => "folk",
        }
    }
}

/// Same order as [`HarmonicRhythm::ALL`].
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RhythmChoice {
    #[name = "Two bars"]
    TwoBars,
    Bar,
    #[name = "Half bar"]
    HalfBar,
    Mixed,
}

/// The clip the plugin plays and how it was made; saved with the project so reopening it plays
/// the identical clip without regenerating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedClip {
    pub clip: Clip,
    /// The settings that made it (for a part regenerated alone, the arrangement's settings).
    pub settings: Settings,
    /// [`fingerprint`] of the parameters and meter it was made from.
    pub fingerprint: u64,
}

/// The persisted clip. A state load (host restoring a project or preset) goes through
/// [`PersistentField::set`], which raises the `restored` flag; the plugin then switches to the
/// restored clip (in `activate()`, or through the background task while active).
#[derive(Debug, Default)]
pub struct SavedSlot {
    clip: RwLock<Option<SavedClip>>,
    restored: AtomicBool,
}

impl SavedSlot {
    /// A copy of the saved clip. Not for the audio thread.
    pub fn get(&self) -> Option<SavedClip> {
        self.clip.read().clone()
    }

    /// Stores a clip the plugin made (does not raise the `restored` flag). Not for the audio thread.
    pub fn store(&self, saved: SavedClip) {
        *self.clip.write() = Some(saved);
    }

    /// Whether a state load brought a clip that the plugin has not switched to yet. Any thread.
    pub fn is_restored(&self) -> bool {
        self.restored.load(Ordering::SeqCst)
    }

    /// Clears the `restored` flag, returning whether it was set. Any thread.
    pub fn take_restored(&self) -> bool {
        self.restored.swap(false, Ordering::SeqCst)
    }
}

impl<'a> PersistentField<'a, Option<SavedClip>> for SavedSlot {
    fn set(&self, new_value: Option<SavedClip>) {
        let some = new_value.is_some();
        *self.clip.write() = new_value;
        self.restored.store(some, Ordering::SeqCst);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Option<SavedClip>) -> R,
    {
        f(&self.clip.read())
    }
}

#[derive(Params)]
pub struct BandmateParams {
    /// Current clip (persisted, JSON). Written by the background task, read on activation.
    #[persist = "clip"]
    pub saved: SavedSlot,
    /// Recent incoming notes (persisted) for key detection and "continue my idea".
    #[persist = "history"]
    pub history: Arc<RwLock<Vec<crate::worker::HeardNote>>>,

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
    #[id = "part_chords"]
    pub chords: BoolParam,
    #[id = "part_melody"]
    pub melody: BoolParam,
    #[id = "part_bass"]
    pub bass: BoolParam,
    #[id = "part_keys"]
    pub keys: BoolParam,
    #[id = "part_drums"]
    pub drums: BoolParam,

    #[id = "midi_thru"]
    pub midi_thru: BoolParam,
    #[id = "free_run"]
    pub free_run: BoolParam,
    #[id = "free_tempo"]
    pub free_tempo: FloatParam,
    #[id = "bypass"]
    pub bypass: BoolParam,
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
            saved: SavedSlot::default(),
            history: Arc::new(RwLock::new(Vec::new())),
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
            chords: BoolParam::new("Chords", true),
            melody: BoolParam::new("Melody", false),
            bass: BoolParam::new("Bass", false),
            keys: BoolParam::new("Keys", false),
            drums: BoolParam::new("Drums", false),
            midi_thru: BoolParam::new("MIDI thru", true),
            free_run: BoolParam::new("Free run", false),
            free_tempo: FloatParam::new("Free-run tempo", 120.0, FloatRange::Linear { min: 20.0, max: 300.0 })
                .with_step_size(0.1)
                .with_unit(" bpm"),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
        }
    }
}

/// The meter clips are generated in: the `meter` parameter, or for `Host` the host's time
/// signature when known, else 4/4.
pub fn effective_meter(p: &BandmateParams, host: Option<Meter>) -> Meter {
    p.meter.value().meter().or(host).unwrap_or(Meter::COMMON)
}

impl BandmateParams {
    /// Enabled parts, in [`PartKind::ALL`] order.
    pub fn enabled_parts(&self) -> Vec<PartKind> {
        let flags = [
            (PartKind::Chords, self.chords.value()),
            (PartKind::Melody, self.melody.value()),
            (PartKind::Bass, self.bass.value()),
            (PartKind::Keys, self.keys.value()),
            (PartKind::Drums, self.drums.value()),
        ];
        flags.iter().filter(|(_, on)| *on).map(|(k, _)| *k).collect()
    }
}

/// THE mapping from parameters to engine settings (the editor reuses it). `host_meter` is the
/// host's time signature when known. `tempo_bpm` is the free-run tempo parameter: it only labels
/// exported files, playback follows the host tempo.
pub fn settings_from_params(p: &BandmateParams, host_meter: Option<Meter>) -> Settings {
    let tonic = PitchClass::new(p.tonic.value() as i32);
    let mode = Mode::ALL[p.mode.value() as usize % Mode::ALL.len()];
    let rhythm = HarmonicRhythm::ALL[p.harmonic_rhythm.value() as usize % HarmonicRhythm::ALL.len()];
    let mut s = Settings {
        key: Key::new(tonic, mode),
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
        complexity: p.complexity.value(),
        adventure: p.adventure.value(),
        density: p.density.value(),
        swing: p.swing.value(),
        humanize: p.humanize.value(),
        fill_every: p.fill_every.value().max(0) as u32,
        parts: default_parts(&[]),
    };
    s.enable_only(&p.enabled_parts());
    s
}

/// A hash of everything that changes the generated clip: the clip-shaping parameters and the
/// effective meter. Allocation-free; called on the audio thread every block.
pub fn fingerprint(p: &BandmateParams, host_meter: Option<Meter>) -> u64 {
    let m = effective_meter(p, host_meter);
    let words: [u64; 19] = [
        p.tonic.value() as u64,
        p.mode.value() as u64,
        u64::from(m.numerator) << 8 | u64::from(m.denominator),
        p.bars.value() as u64,
        p.seed.value() as u64,
        p.source.value() as u64,
        p.style.value() as u64,
        p.harmonic_rhythm.value() as u64,
        u64::from(p.complexity.value().to_bits()),
        u64::from(p.adventure.value().to_bits()),
        u64::from(p.density.value().to_bits()),
        u64::from(p.swing.value().to_bits()),
        u64::from(p.humanize.value().to_bits()),
        p.fill_every.value() as u64,
        u64::from(p.chords.value()),
        u64::from(p.melody.value()),
        u64::from(p.bass.value()),
        u64::from(p.keys.value()),
        u64::from(p.drums.value()),
    ];
    // FNV-1a over the words.
    words.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, w| (h ^ w).wrapping_mul(0x0000_0100_0000_01b3))
}

/// A clip ready for the audio thread, with the id the editor sees in [`crate::shared::Shared`].
pub struct Loaded {
    pub id: u64,
    pub playback: PlaybackClip,
}
