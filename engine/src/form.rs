//! Song form: a list of sections (intro, verse, pre-chorus, chorus, bridge, ...) with lengths and
//! energy, and the song generated from it. Each distinct section (same name and length) is made
//! once from its own seed; its repeats reuse its chords and vary the end of its melody. Energy
//! sets density, which parts play and the keys' register; every section but the last ends on a
//! dominant turnaround with a drum fill, the last ends on the tonic.

mod build;
mod presets;

pub use presets::{find as preset, Preset, PRESETS};

use crate::arrange::{self, ArrangeError, Notice, Settings};
use crate::clip::{Clip, PartKind, Provenance};
use crate::personal::Personal;
use crate::rng::Rng;
use crate::song::{Section, SongPlan};
use crate::theory::{Key, Mode};
use build::{append, cadence, fixed_progression, vary_melody};
use std::fmt;

/// Longest song, in bars.
pub const MAX_SONG_BARS: u32 = 512;

/// Errors in a form or while generating a song from it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormError {
    #[error("the form is empty: give sections like \"verse:8 chorus:8\" or a preset ({0})")]
    Empty(String),
    #[error("bad section {token:?}: {reason}")]
    Token { token: String, reason: String },
    #[error("the song is {0} bars long; at most {MAX_SONG_BARS} are allowed")]
    TooLong(u32),
    #[error("bad progression for section {section:?} in the preset: {reason}")]
    Progression { section: String, reason: String },
    #[error(transparent)]
    Arrange(#[from] ArrangeError),
}

/// The fixed set of section kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    Intro,
    Verse,
    PreChorus,
    Chorus,
    Bridge,
    Solo,
    Breakdown,
    Outro,
}

/// Accepted section names: (name, kind, label shown in markers).
const NAMES: &[(&str, SectionKind, &str)] = &[
    ("intro", SectionKind::Intro, "Intro"),
    ("verse", SectionKind::Verse, "Verse"),
    ("a", SectionKind::Verse, "A"),
    ("pre", SectionKind::PreChorus, "Pre-chorus"),
    ("pre-chorus", SectionKind::PreChorus, "Pre-chorus"),
    ("prechorus", SectionKind::PreChorus, "Pre-chorus"),
    ("build", SectionKind::PreChorus, "Build"),
    ("chorus", SectionKind::Chorus, "Chorus"),
    ("drop", SectionKind::Chorus, "Drop"),
    ("bridge", SectionKind::Bridge, "Bridge"),
    ("b", SectionKind::Bridge, "B"),
    ("solo", SectionKind::Solo, "Solo"),
    ("instrumental", SectionKind::Solo, "Instrumental"),
    ("breakdown", SectionKind::Breakdown, "Breakdown"),
    ("break", SectionKind::Breakdown, "Breakdown"),
    ("outro", SectionKind::Outro, "Outro"),
];

impl SectionKind {
    /// The chord model's section name for this kind (its fixed set has no breakdown).
    pub fn model_section(self) -> &'static str {
        match self {
            SectionKind::Intro => "intro",
            SectionKind::Verse => "verse",
            SectionKind::PreChorus => "pre-chorus",
            SectionKind::Chorus => "chorus",
            SectionKind::Bridge => "bridge",
            SectionKind::Solo => "solo",
            SectionKind::Breakdown => "other",
            SectionKind::Outro => "outro",
        }
    }

    /// Energy when the form does not give one, 0..=1.
    pub fn default_energy(self) -> f32 {
        match self {
            SectionKind::Intro => 0.3,
            SectionKind::Verse => 0.5,
            SectionKind::PreChorus => 0.65,
            SectionKind::Chorus => 0.85,
            SectionKind::Bridge => 0.6,
            SectionKind::Solo => 0.75,
            SectionKind::Breakdown => 0.25,
            SectionKind::Outro => 0.35,
        }
    }
}

/// One section of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    /// The name as written, lower case ("verse", "pre", "a").
    pub name: String,
    pub kind: SectionKind,
    pub bars: u32,
    pub energy: f32,
}

impl SectionSpec {
    /// "Verse", "Pre-chorus", "A".
    pub fn label(&self) -> &'static str {
        NAMES
            .iter()
            .find(|(n, _, _)| *n == self.name)
            .map_or("Section", |(_, _, l)| *l)
    }
}

/// A song form: sections in order, with fixed progressions from a preset.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub sections: Vec<SectionSpec>,
    /// `(section name, numerals per bar)` from a preset.
    pub progressions: Vec<(String, String)>,
}

impl Form {
    /// A preset name ("pop") or sections `name:bars[@energy]` separated by spaces or commas.
    pub fn parse(text: &str) -> Result<Form, FormError> {
        if let Some(p) = preset(text) {
            let mut f = Form::parse_sections(p.form)?;
            f.progressions = p
                .progressions
                .iter()
                .map(|(s, p)| (s.to_string(), p.to_string()))
                .collect();
            return Ok(f);
        }
        Form::parse_sections(text)
    }

    fn parse_sections(text: &str) -> Result<Form, FormError> {
        let mut sections = Vec::new();
        for token in text.split([' ', ',', '\t', '\n']).filter(|t| !t.is_empty()) {
            sections.push(parse_token(token)?);
        }
        if sections.is_empty() {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            return Err(FormError::Empty(names.join(", ")));
        }
        let total: u32 = sections.iter().map(|s| s.bars).sum();
        if total > MAX_SONG_BARS {
            return Err(FormError::TooLong(total));
        }
        Ok(Form {
            sections,
            progressions: Vec::new(),
        })
    }

    pub fn total_bars(&self) -> u32 {
        self.sections.iter().map(|s| s.bars).sum()
    }

    /// Each distinct section `(name, bars)` once, in order of first appearance.
    pub fn distinct(&self) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for s in &self.sections {
            if !out.iter().any(|(n, b)| *n == s.name && *b == s.bars) {
                out.push((s.name.clone(), s.bars));
            }
        }
        out
    }
}

impl fmt::Display for Form {
    /// The form in its own syntax, e.g. "verse:8@0.50 chorus:8@0.85".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .sections
            .iter()
            .map(|s| format!("{}:{}@{:.2}", s.name, s.bars, s.energy))
            .collect();
        write!(f, "{}", parts.join(" "))
    }
}

fn parse_token(token: &str) -> Result<SectionSpec, FormError> {
    let bad = |reason: String| FormError::Token {
        token: token.to_string(),
        reason,
    };
    let (name, rest) = token
        .split_once(':')
        .ok_or_else(|| bad("expected name:bars, e.g. chorus:8".into()))?;
    let name = name.trim().to_ascii_lowercase();
    let (_, kind, _) = NAMES.iter().find(|(n, _, _)| *n == name).ok_or_else(|| {
        let known: Vec<&str> = NAMES.iter().map(|(n, _, _)| *n).collect();
        bad(format!(
            "unknown section {name:?} (known: {})",
            known.join(", ")
        ))
    })?;
    let (bars, energy) = match rest.split_once('@') {
        Some((b, e)) => (b, Some(e)),
        None => (rest, None),
    };
    let bars: u32 = bars
        .trim()
        .parse()
        .map_err(|_| bad(format!("bars must be a whole number, got {bars:?}")))?;
    if !(1..=64).contains(&bars) {
        return Err(bad(format!("a section has 1..=64 bars, got {bars}")));
    }
    let energy = match energy {
        None => kind.default_energy(),
        Some(e) => match e.trim().parse::<f32>() {
            Ok(v) if (0.0..=1.0).contains(&v) => v,
            _ => return Err(bad(format!("energy must be 0..=1, got {e:?}"))),
        },
    };
    Ok(SectionSpec {
        name,
        kind: *kind,
        bars,
        energy,
    })
}

/// A section as placed in a generated song.
#[derive(Debug, Clone, PartialEq)]
pub struct SongSection {
    pub spec: SectionSpec,
    /// "Verse 2"; the number counts sections of the same name.
    pub label: String,
    /// 0-based bar where the section starts.
    pub start_bar: u32,
    /// The seed its material was made from (shared by its repeats).
    pub seed: u64,
    /// How the section was made (engines, seed, settings).
    pub provenance: String,
}

/// A generated song: one clip over the whole form, and where its sections are.
#[derive(Debug, Clone)]
pub struct Song {
    pub clip: Clip,
    pub sections: Vec<SongSection>,
    pub notices: Vec<Notice>,
}

impl Song {
    /// `(tick, marker text)` at each section start, e.g. `(7680, "Chorus 1")`.
    pub fn markers(&self) -> Vec<(u32, String)> {
        self.clip.section_markers()
    }
}

impl Song {
    /// The song as a Standard MIDI File: every part, a marker at each section start and the
    /// section's provenance as a text event there.
    pub fn to_smf(&self) -> Result<Vec<u8>, crate::smf::SmfError> {
        crate::smf::write(&self.clip)
    }

    /// The section that starts at or contains 0-based bar `bar`.
    pub fn section_at(&self, bar: u32) -> Option<&SongSection> {
        self.sections
            .iter()
            .find(|s| s.start_bar <= bar && bar < s.start_bar + s.spec.bars)
    }
}

/// The seed of a distinct section: the song seed, its name and length, and an optional override.
fn section_seed(base: u64, spec: &SectionSpec, overrides: &[(String, u32, u64)]) -> u64 {
    overrides
        .iter()
        .find(|(n, b, _)| *n == spec.name && *b == spec.bars)
        .map(|(_, _, s)| *s)
        .unwrap_or_else(|| {
            Rng::derive(base, &format!("section:{}:{}", spec.name, spec.bars)).next_u64()
        })
}

/// Settings for one section: its length and seed, and what its energy implies.
fn section_settings(base: &Settings, spec: &SectionSpec, seed: u64, last: bool) -> Settings {
    let mut s = base.clone();
    s.bars = spec.bars;
    s.seed = seed;
    s.section = Some(spec.kind.model_section().to_string());
    let e = spec.energy;
    s.density = (0.15 + 0.75 * e).clamp(0.0, 1.0);
    s.fill_every = if last { 0 } else { spec.bars };
    for p in &mut s.parts {
        if !p.enabled {
            continue;
        }
        p.enabled = match p.kind {
            PartKind::Chords | PartKind::Keys => true,
            PartKind::Bass => e >= 0.2,
            PartKind::Drums => e >= 0.3,
            PartKind::Melody => {
                !matches!(spec.kind, SectionKind::Intro | SectionKind::Breakdown) || e >= 0.6
            }
        };
        if p.kind == PartKind::Keys && e >= 0.8 {
            p.octave = (p.octave + 1).min(3);
        }
    }
    s
}

/// A distinct section of a song being made.
struct Distinct {
    id: (String, u32),
    /// Its chord track before the cadence (and the engine that made it).
    clip: Clip,
    /// Its first occurrence's melody part, once made.
    melody: Option<crate::clip::Part>,
}

/// Generates the song `form` describes from `base` (its bars are ignored).
pub fn generate(base: &Settings, form: &Form) -> Result<Song, FormError> {
    generate_with(base, form, &[])
}

/// Generates the song `plan` describes (its form and section seeds) from `base`.
pub fn generate_plan(base: &Settings, plan: &SongPlan) -> Result<Song, FormError> {
    generate_plan_with(base, plan, None)
}

/// [`generate_plan`] in a personal style (see `arrange::generate_with`); with none, or "like"
/// 0, the song is byte for byte [`generate_plan`]'s.
pub fn generate_plan_with(
    base: &Settings,
    plan: &SongPlan,
    personal: Option<Personal<'_>>,
) -> Result<Song, FormError> {
    let form = Form::parse(&plan.form)?;
    generate_with_personal(base, &form, &plan.overrides(), personal)
}

/// The clip `settings` ask for, keeping the `locked` parts of `previous`: the song of its plan
/// (locked parts other than chords put back when `previous` has the same length and meter; a
/// chord lock is reported, sections are locked instead), else the loop (`arrange::locks`).
pub fn generate_clip(
    settings: &Settings,
    previous: Option<&Clip>,
    locked: &[PartKind],
    personal: Option<Personal<'_>>,
) -> Result<arrange::Arrangement, FormError> {
    let Some(plan) = &settings.song else {
        return Ok(arrange::locks::generate_with_locks_personal(
            settings, previous, locked, personal,
        )?);
    };
    let Song {
        mut clip,
        mut notices,
        ..
    } = generate_plan_with(settings, plan, personal)?;
    if locked.contains(&PartKind::Chords) {
        notices.push(Notice::SongChordLock);
    }
    let kept: Vec<PartKind> = locked
        .iter()
        .copied()
        .filter(|k| *k != PartKind::Chords)
        .collect();
    if let Some(prev) = previous.filter(|_| !kept.is_empty()) {
        if prev.bars == clip.bars && prev.meter == clip.meter {
            arrange::locks::restore_locked(&mut clip, prev, &kept, settings);
            let names: Vec<&str> = kept.iter().map(|k| k.name()).collect();
            clip.provenance.engine =
                format!("{} locked={}", clip.provenance.engine, names.join(","));
        } else {
            notices.push(Notice::LocksRemade);
        }
    }
    Ok(arrange::Arrangement { clip, notices })
}

/// The key a bridge moves to: the subdominant in major modes, the relative major in minor ones.
fn away_key(home: Key) -> Key {
    if home.mode.is_minor() {
        Key::new(home.tonic.transpose(3), Mode::Major)
    } else {
        Key::new(home.tonic.transpose(5), home.mode)
    }
}

/// Like [`generate`], with the seed of some distinct sections replaced: `(name, bars, seed)`.
/// Regenerating one section this way leaves every other section byte-identical.
pub fn generate_with(
    base: &Settings,
    form: &Form,
    overrides: &[(String, u32, u64)],
) -> Result<Song, FormError> {
    generate_with_personal(base, form, overrides, None)
}

/// [`generate_with`] in an optional personal style (see `arrange::generate_with`); with none,
/// or "like" 0, the song is byte for byte [`generate_with`]'s.
pub fn generate_with_personal(
    base: &Settings,
    form: &Form,
    overrides: &[(String, u32, u64)],
    personal: Option<Personal<'_>>,
) -> Result<Song, FormError> {
    let personal = personal.filter(Personal::active);
    if form.sections.is_empty() {
        return Err(FormError::Empty(String::new()));
    }
    let total = form.total_bars();
    if total > MAX_SONG_BARS {
        return Err(FormError::TooLong(total));
    }
    base.validate()?;
    let bar = base.meter.bar_ticks(crate::clip::TICKS_PER_QUARTER);
    let mut song = Clip {
        tempo_bpm: base.tempo_bpm,
        meter: base.meter,
        key: base.key,
        bars: total,
        chords: Vec::new(),
        parts: Vec::new(),
        provenance: Provenance::default(),
        sections: Vec::new(),
    };
    let mut sections = Vec::new();
    let mut notices: Vec<Notice> = Vec::new();
    // The first arrangement of each distinct section, by (name, bars).
    // Each distinct section, by (name, bars): its chord track (before the cadence, with the
    // engine that made it) and the melody of its first occurrence.
    let mut made: Vec<Distinct> = Vec::new();
    // Followed sections by (name, bars, energy bits, last).
    let mut followed: Vec<((String, u32, u32, bool), Clip)> = Vec::new();
    let mut start_bar = 0;
    let last_index = form.sections.len() - 1;
    for (i, spec) in form.sections.iter().enumerate() {
        let last = i == last_index;
        let id = (spec.name.clone(), spec.bars);
        let seed = section_seed(base.seed, spec, overrides);
        let home = section_settings(base, spec, seed, last);
        let fixed = form.progressions.iter().find(|(n, _)| *n == spec.name);
        // A bridge without a fixed progression leaves the tonic area: it is made in a related
        // key and its turnaround leads back home.
        let mut s = home.clone();
        if spec.kind == SectionKind::Bridge && fixed.is_none() {
            s.key = away_key(base.key);
        }
        let occurrence = sections
            .iter()
            .filter(|x: &&SongSection| x.spec.name == spec.name)
            .count();
        let melody_on = s.part(PartKind::Melody).is_some_and(|p| p.enabled);
        let known = made.iter().position(|d| d.id == id);
        let mut clip = match known {
            Some(k) => made[k].clip.clone(),
            None => {
                // Only the chord track here (fixed by the preset, or from the arranger); the
                // parts follow it once its cadence is set.
                let mut chords_only = s.clone();
                for p in &mut chords_only.parts {
                    p.enabled = false;
                }
                let mut a = arrange::generate_with(&chords_only, personal)?;
                notices.extend(a.notices.iter().cloned());
                if let Some((_, numerals)) = fixed {
                    a.clip.chords = fixed_progression(&s, &spec.name, numerals)?;
                    a.clip.provenance.engine = format!("progression=preset({})", spec.name);
                }
                made.push(Distinct {
                    id: id.clone(),
                    clip: a.clip.clone(),
                    melody: None,
                });
                a.clip
            }
        };
        cadence(&home, &mut clip.chords, last);
        let stored = known.and_then(|k| made[k].melody.clone());
        let repeat_melody = stored.as_ref().filter(|_| melody_on);
        // Parts depend only on the chord track and the settings: a section played again with the
        // same energy and ending reuses them (its melody still varies below).
        let fkey = (spec.name.clone(), spec.bars, spec.energy.to_bits(), last);
        let cached = followed
            .iter()
            .find(|(k, _)| *k == fkey)
            .map(|(_, c)| c.clone());
        let mut clip = match cached {
            Some(c) => c,
            None => {
                let mut follow_settings = s.clone();
                if repeat_melody.is_some() {
                    if let Some(p) = follow_settings.part_mut(PartKind::Melody) {
                        p.enabled = false;
                    }
                }
                let a = arrange::follow_with(&follow_settings, &clip, personal)?;
                notices.extend(a.notices.iter().cloned());
                followed.push((fkey, a.clip.clone()));
                a.clip
            }
        };
        if let Some(melody) = repeat_melody {
            // A repeat whose first occurrence has a melody: it comes back with a varied end.
            vary_melody(
                &s,
                &mut clip,
                melody,
                occurrence as u64,
                personal,
                &mut notices,
            )?;
        }
        if let Some(d) = made.iter_mut().find(|d| d.id == id) {
            if d.melody.is_none() {
                d.melody = clip.part(PartKind::Melody).cloned();
            }
        }
        let provenance = format!(
            "section {} {} bars {}-{} energy {:.2}: engine {}; seed {}",
            i + 1,
            spec.name,
            start_bar + 1,
            start_bar + spec.bars,
            spec.energy,
            clip.provenance.engine,
            seed
        );
        append(&mut song, &clip, start_bar * bar);
        sections.push(SongSection {
            spec: spec.clone(),
            label: format!("{} {}", spec.label(), occurrence + 1),
            start_bar,
            seed,
            provenance,
        });
        start_bar += spec.bars;
    }
    song.sections = sections
        .iter()
        .map(|x: &SongSection| Section {
            name: x.spec.name.clone(),
            label: x.label.clone(),
            start_bar: x.start_bar,
            bars: x.spec.bars,
            energy: x.spec.energy,
            seed: x.seed,
            provenance: x.provenance.clone(),
        })
        .collect();
    let mut parameters = base.describe();
    if let Some(p) = personal {
        parameters.push_str(&p.provenance());
    }
    song.provenance = Provenance {
        program: arrange::program(),
        engine: format!("form({form})"),
        seed: base.seed,
        parameters,
    };
    let mut unique: Vec<Notice> = Vec::new();
    for n in notices {
        if !unique.contains(&n) {
            unique.push(n);
        }
    }
    let notices = unique;
    Ok(Song {
        clip: song,
        sections,
        notices,
    })
}

#[cfg(test)]
mod tests;
