//! Live response material: the timeline of written notes (with cuts at switches) and the parts
//! written over the band's chords, by the arrangement's own part generators.

use super::{Energy, LiveSettings, ResponseNote, SIXTEENTH};
use crate::arrange::{default_style, melody_range};
use crate::chord::Chord;
use crate::clip::{ChordEvent, Note, PartKind};
use crate::parts::{bass, keys, melody, PartContext};
use crate::progression::{self, HarmonicRhythm, ProgressionSettings};
use crate::theory::{Key, Meter};
use crate::{drums, TICKS_PER_QUARTER};

/// The parts follow mode writes.
pub const BACKING: [PartKind; 3] = [PartKind::Bass, PartKind::Keys, PartKind::Drums];
/// Bars of the band's own progression (looped).
const OWN_BARS: u32 = 4;

/// Written response notes, sorted by start. Replacing material from a tick cuts the notes of
/// those parts that sound across it (they end there) and drops the ones after it.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    notes: Vec<ResponseNote>,
    /// The earliest tick changed since [`Timeline::take_changed`].
    changed: Option<u32>,
}

impl Timeline {
    pub fn notes(&self) -> &[ResponseNote] {
        &self.notes
    }

    pub fn between(&self, from: u32, to: u32) -> impl Iterator<Item = &ResponseNote> {
        self.notes
            .iter()
            .filter(move |n| n.note.start >= from && n.note.start < to)
    }

    /// The earliest tick changed since the last call, if any.
    pub fn take_changed(&mut self) -> Option<u32> {
        self.changed.take()
    }

    /// Forgets notes that ended before `tick`.
    pub fn forget_before(&mut self, tick: u32) {
        self.notes.retain(|n| n.note.end() >= tick);
    }

    fn touch(&mut self, at: u32) {
        self.changed = Some(self.changed.map_or(at, |c| c.min(at)));
    }

    /// Cuts the notes of `parts` (all when `None`) at `at`: later ones go, sounding ones end there.
    pub fn cut(&mut self, at: u32, parts: Option<&[PartKind]>) {
        self.touch(at);
        self.cut_quietly(at, parts);
    }

    fn cut_quietly(&mut self, at: u32, parts: Option<&[PartKind]>) {
        let hit = |p: PartKind| parts.is_none_or(|ps| ps.contains(&p));
        self.notes.retain(|n| !(hit(n.part) && n.note.start >= at));
        for n in &mut self.notes {
            if hit(n.part) && n.note.end() > at {
                n.note.duration = at - n.note.start;
            }
        }
        self.notes.retain(|n| n.note.duration > 0);
    }

    /// Replaces the material of `parts` from `at` on with `notes` (those starting before `at`
    /// are dropped).
    pub fn replace_from(
        &mut self,
        at: u32,
        parts: &[PartKind],
        notes: impl IntoIterator<Item = ResponseNote>,
    ) {
        self.touch(at);
        self.settle(at, parts, notes);
    }

    /// Like [`Timeline::replace_from`] but not counted as a change: for material the audio
    /// thread already has (a candidate it chose at a boundary).
    pub fn settle(
        &mut self,
        at: u32,
        parts: &[PartKind],
        notes: impl IntoIterator<Item = ResponseNote>,
    ) {
        self.cut_quietly(at, Some(parts));
        self.notes
            .extend(notes.into_iter().filter(|n| n.note.start >= at));
        self.notes
            .sort_by_key(|n| (n.note.start, n.part, n.note.pitch, n.note.duration));
    }

    /// Makes the bass play the root of `chord` at `at`: bass notes starting within the next
    /// sixteenth go, and a root lasts until the next bass note (at most one beat).
    pub fn force_root(&mut self, at: u32, chord: Chord, meter: Meter) {
        let beat = meter.beat_ticks(TICKS_PER_QUARTER);
        self.notes.retain(|n| {
            !(n.part == PartKind::Bass && n.note.start >= at && n.note.start < at + SIXTEENTH)
        });
        let next = self
            .notes
            .iter()
            .filter(|n| n.part == PartKind::Bass && n.note.start > at)
            .map(|n| n.note.start)
            .min()
            .unwrap_or(at + beat);
        let (low, _) = bass::range(0);
        let root = i32::from(chord.root.index());
        let pitch = low + (root - low).rem_euclid(12);
        let velocity = 100;
        let note = Note::new(at, (next - at).clamp(1, beat), pitch, velocity);
        self.replace_from(
            at,
            &[],
            [ResponseNote {
                part: PartKind::Bass,
                note,
            }],
        );
    }
}

/// The band's own chords in `key`: [`OWN_BARS`] bars, one chord per bar, seeded.
pub fn own_progression(s: &LiveSettings, key: Key) -> Vec<Chord> {
    let ps = ProgressionSettings {
        key,
        meter: s.meter,
        bars: OWN_BARS,
        rhythm: HarmonicRhythm::Bar,
        complexity: 0.2,
        adventure: 0.3,
        phrase_bars: OWN_BARS,
    };
    let bar = s.bar_ticks();
    let track = progression::generate(&ps, s.seed);
    (0..OWN_BARS)
        .filter_map(|b| {
            track
                .iter()
                .rev()
                .find(|c| c.start <= b * bar)
                .map(|c| c.chord)
        })
        .collect()
}

/// The chord track of bars `bar0..bar1` relative to `bar0`, from `harmony`; a bar before the
/// first chord takes that chord.
pub(super) fn window(harmony: &[ChordEvent], bar: u32, bar0: u32, bar1: u32) -> Vec<ChordEvent> {
    let (lo, hi) = (bar0 * bar, bar1 * bar);
    let mut out: Vec<ChordEvent> = harmony
        .iter()
        .filter(|c| c.end() > lo && c.start < hi)
        .map(|c| {
            let s = c.start.max(lo);
            let e = c.end().min(hi);
            ChordEvent {
                start: s - lo,
                duration: e - s,
                ..*c
            }
        })
        .collect();
    if let Some(first) = out.first_mut() {
        first.duration += first.start;
        first.start = 0;
    }
    if let Some(last) = out.last_mut() {
        last.duration = hi - lo - last.start;
    }
    out
}

fn context<'a>(
    s: &LiveSettings,
    key: Key,
    chords: &'a [ChordEvent],
    bars: u32,
    style: &'a str,
    density: f32,
    seed: u64,
) -> PartContext<'a> {
    PartContext {
        key,
        meter: s.meter,
        bars,
        chords,
        style,
        density,
        complexity: 0.3,
        octave: 0,
        seed,
    }
}

/// Shifts part notes of a window starting at `offset` into live time, keeping `from..to` and
/// scaling velocities towards the player's.
fn place(
    part: PartKind,
    notes: Vec<Note>,
    offset: u32,
    from: u32,
    to: u32,
    energy: Energy,
) -> impl Iterator<Item = ResponseNote> {
    let scale = if energy.velocity == 0 {
        1.0
    } else {
        (0.6 + f32::from(energy.velocity) / 254.0).min(1.2)
    };
    notes.into_iter().filter_map(move |n| {
        let start = n.start + offset;
        (start >= from && start < to).then(|| {
            let v = (f32::from(n.velocity.as_int()) * scale).round() as i32;
            ResponseNote {
                part,
                note: Note::new(
                    start,
                    n.duration.min(to - start),
                    i32::from(n.pitch.as_int()),
                    v,
                ),
            }
        })
    })
}

/// Bass, keys and drums over `harmony` for `from..to` (generated by whole bars, then trimmed).
pub fn backing(
    s: &LiveSettings,
    key: Key,
    harmony: &[ChordEvent],
    energy: Energy,
    from: u32,
    to: u32,
    seed: u64,
) -> Vec<ResponseNote> {
    let bar = s.bar_ticks();
    let (bar0, bar1) = (from / bar, to.div_ceil(bar).max(from / bar + 1));
    let chords = window(harmony, bar, bar0, bar1);
    if chords.is_empty() {
        return Vec::new();
    }
    let density = energy.density();
    let offset = bar0 * bar;
    let mut out = Vec::new();
    for kind in BACKING {
        let style = default_style(kind);
        let ctx = context(s, key, &chords, bar1 - bar0, style, density, seed);
        let notes = match kind {
            PartKind::Bass => bass::generate(&ctx),
            PartKind::Keys => keys::generate(&ctx),
            _ => drums::generate(&ctx, 0),
        };
        if let Ok(notes) = notes {
            out.extend(place(kind, notes, offset, from, to, energy));
        }
    }
    out
}

/// A melody phrase from `at` (one phrase long) over `harmony` at `density` (0..1), velocities
/// towards the player's.
pub fn continuation(
    s: &LiveSettings,
    key: Key,
    harmony: &[ChordEvent],
    energy: Energy,
    density: f32,
    at: u32,
    seed: u64,
) -> Vec<ResponseNote> {
    let bar = s.bar_ticks();
    let bar0 = at / bar;
    let chords = window(harmony, bar, bar0, bar0 + s.phrase_bars);
    if chords.is_empty() {
        return Vec::new();
    }
    let style = default_style(PartKind::Melody);
    let ctx = context(s, key, &chords, s.phrase_bars, style, density, seed);
    let (low, high) = melody_range(0);
    match melody::generate(&ctx, low, high) {
        Ok(notes) => place(
            PartKind::Melody,
            notes,
            at,
            at,
            at + s.phrase_ticks(),
            energy,
        )
        .collect(),
        Err(_) => Vec::new(),
    }
}
