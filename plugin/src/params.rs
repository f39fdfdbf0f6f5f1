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
use nice_plug::params::persist::PersistentField;
use nice_plug::prelude::*;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
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
        Some(Meter {
            numerator: n,
            denominator: d,
        })
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

/// Where the key of generated clips comes from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySourceChoice {
    /// The `tonic` and `mode` parameters.
    Manual,
    /// The key detected from the MIDI input (`Shared::detected_key`); the editor copies it into
    /// `tonic` and `mode` when it is confident enough (see docs/editor.md).
    #[name = "Detected from input"]
    Detected,
}

/// Drum style; the same names, in the same order, as `bandmate_engine::drums::styles()`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrumStyleChoice {
    #[name = "pop"]
    Pop,
    #[name = "rock"]
    Rock,
    #[name = "funk"]
    Funk,
    #[name = "disco"]
    Disco,
    #[name = "boom-bap"]
    BoomBap,
    #[name = "trap"]
    Trap,
    #[name = "lo-fi"]
    LoFi,
    #[name = "dnb"]
    Dnb,
    #[name = "reggaeton"]
    Reggaeton,
    #[name = "bossa"]
    Bossa,
    #[name = "jazz"]
    Jazz,
    #[name = "ballad-6/8"]
    Ballad68,
    #[name = "shuffle"]
    Shuffle,
    #[name = "afro-latin"]
    AfroLatin,
}

impl DrumStyleChoice {
    /// The engine's style name (falls back to the default style if the tables diverge).
    pub fn name(self) -> &'static str {
        bandmate_engine::drums::styles()
            .get(self as usize)
            .copied()
            .unwrap_or("pop")
    }
}

/// The per-part parameters of one part, for the editor and the settings mapping.
pub struct PartParams<'a> {
    pub kind: PartKind,
    pub enabled: &'a BoolParam,
    pub locked: &'a BoolParam,
    /// MIDI channel 1..=16.
    pub channel: &'a IntParam,
    /// Octave shift -3..=3.
    pub octave: &'a IntParam,
}

#[derive(Params)]
pub struct BandmateParams {
    /// The editor's session: history of generations and export folder (persisted, JSON; see
    /// `bandmate_engine::session`).
    #[persist = "session"]
    pub session: crate::editor::SessionSlot,
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
    #[id = "key_source"]
    pub key_source: EnumParam<KeySourceChoice>,
    #[id = "drum_style"]
    pub drum_style: EnumParam<DrumStyleChoice>,
    /// Locked parts keep their notes when the clip is generated again (not automatable).
    #[id = "lock_chords"]
    pub lock_chords: BoolParam,
    #[id = "lock_melody"]
    pub lock_melody: BoolParam,
    #[id = "lock_bass"]
    pub lock_bass: BoolParam,
    #[id = "lock_keys"]
    pub lock_keys: BoolParam,
    #[id = "lock_drums"]
    pub lock_drums: BoolParam,
    #[id = "ch_chords"]
    pub ch_chords: IntParam,
    #[id = "ch_melody"]
    pub ch_melody: IntParam,
    #[id = "ch_bass"]
    pub ch_bass: IntParam,
    #[id = "ch_keys"]
    pub ch_keys: IntParam,
    #[id = "ch_drums"]
    pub ch_drums: IntParam,
    #[id = "oct_chords"]
    pub oct_chords: IntParam,
    #[id = "oct_melody"]
    pub oct_melody: IntParam,
    #[id = "oct_bass"]
    pub oct_bass: IntParam,
    #[id = "oct_keys"]
    pub oct_keys: IntParam,
    #[id = "oct_drums"]
    pub oct_drums: IntParam,

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

fn lock(name: &str) -> BoolParam {
    BoolParam::new(name, false).non_automatable()
}

fn channel(name: &str, kind: PartKind) -> IntParam {
    IntParam::new(
        name,
        i32::from(kind.default_channel().as_int()) + 1,
        IntRange::Linear { min: 1, max: 16 },
    )
}

fn octave(name: &str) -> IntParam {
    IntParam::new(name, 0, IntRange::Linear { min: -3, max: 3 })
}

impl Default for BandmateParams {
    /// Defaults equal `bandmate_engine::arrange::Settings::default()` (see docs/plugin.md).
    fn default() -> Self {
        BandmateParams {
            saved: SavedSlot::default(),
            session: crate::editor::SessionSlot::default(),
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
            key_source: EnumParam::new("Key source", KeySourceChoice::Manual),
            drum_style: EnumParam::new("Drum style", DrumStyleChoice::Pop),
            lock_chords: lock("Lock chords"),
            lock_melody: lock("Lock melody"),
            lock_bass: lock("Lock bass"),
            lock_keys: lock("Lock keys"),
            lock_drums: lock("Lock drums"),
            ch_chords: channel("Chords channel", PartKind::Chords),
            ch_melody: channel("Melody channel", PartKind::Melody),
            ch_bass: channel("Bass channel", PartKind::Bass),
            ch_keys: channel("Keys channel", PartKind::Keys),
            ch_drums: channel("Drums channel", PartKind::Drums),
            oct_chords: octave("Chords octave"),
            oct_melody: octave("Melody octave"),
            oct_bass: octave("Bass octave"),
            oct_keys: octave("Keys octave"),
            oct_drums: octave("Drums octave"),
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
        flags
            .iter()
            .filter(|(_, on)| *on)
            .map(|(k, _)| *k)
            .collect()
    }

    /// The per-part parameters, in [`PartKind::ALL`] order.
    pub fn parts(&self) -> [PartParams<'_>; 5] {
        let pp = |kind, enabled, locked, channel, octave| PartParams {
            kind,
            enabled,
            locked,
            channel,
            octave,
        };
        [
            pp(
                PartKind::Chords,
                &self.chords,
                &self.lock_chords,
                &self.ch_chords,
                &self.oct_chords,
            ),
            pp(
                PartKind::Melody,
                &self.melody,
                &self.lock_melody,
                &self.ch_melody,
                &self.oct_melody,
            ),
            pp(
                PartKind::Bass,
                &self.bass,
                &self.lock_bass,
                &self.ch_bass,
                &self.oct_bass,
            ),
            pp(
                PartKind::Keys,
                &self.keys,
                &self.lock_keys,
                &self.ch_keys,
                &self.oct_keys,
            ),
            pp(
                PartKind::Drums,
                &self.drums,
                &self.lock_drums,
                &self.ch_drums,
                &self.oct_drums,
            ),
        ]
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

/// THE mapping from parameters to engine settings (the editor reuses it). `host_meter` is the
/// host's time signature when known. `tempo_bpm` is the free-run tempo parameter: it only labels
/// exported files, playback follows the host tempo.
pub fn settings_from_params(p: &BandmateParams, host_meter: Option<Meter>) -> Settings {
    let tonic = PitchClass::new(p.tonic.value() as i32);
    let mode = Mode::ALL[p.mode.value() as usize % Mode::ALL.len()];
    let rhythm =
        HarmonicRhythm::ALL[p.harmonic_rhythm.value() as usize % HarmonicRhythm::ALL.len()];
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
    for pp in p.parts() {
        if let Some(o) = s.part_mut(pp.kind) {
            o.channel = (pp.channel.value().clamp(1, 16) - 1) as u8;
            o.octave = pp.octave.value().clamp(-3, 3) as i8;
            if pp.kind == PartKind::Drums {
                o.style = p.drum_style.value().name().to_string();
            }
        }
    }
    s
}

/// A hash of everything that changes the generated clip: the clip-shaping parameters and the
/// effective meter. Allocation-free; called on the audio thread every block.
pub fn fingerprint(p: &BandmateParams, host_meter: Option<Meter>) -> u64 {
    let m = effective_meter(p, host_meter);
    let words: [u64; 30] = [
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
        p.drum_style.value() as u64,
        p.ch_chords.value() as u64,
        p.ch_melody.value() as u64,
        p.ch_bass.value() as u64,
        p.ch_keys.value() as u64,
        p.ch_drums.value() as u64,
        p.oct_chords.value() as u64,
        p.oct_melody.value() as u64,
        p.oct_bass.value() as u64,
        p.oct_keys.value() as u64,
        p.oct_drums.value() as u64,
    ];
    // FNV-1a over the words.
    words.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, w| {
        (h ^ w).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A clip ready for the audio thread, with the id the editor sees in [`crate::shared::Shared`].
pub struct Loaded {
    pub id: u64,
    pub playback: PlaybackClip,
}
