//! Which value wins for each setting (the rule is in [`super`]'s module doc), and applying the
//! winners to [`Settings`] and a song [`Form`].

use super::{Conflict, Field, Taken};
use crate::arrange::Settings;
use crate::clip::PartKind;
use crate::form::{Form, SectionKind};
use crate::theory::{Key, Meter, Mode, PitchClass};
use std::collections::BTreeMap;

/// A setting a prompt can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Tonic,
    Mode,
    Tempo,
    /// Multiplies the tempo ("half-time").
    TempoFactor,
    Meter,
    Bars,
    Form,
    /// The arrangement preset's chord-model tag.
    Style,
    Complexity,
    Adventure,
    Density,
    Swing,
    Humanize,
    FillEvery,
    /// Section energy of a song, 0..=1 (shifts the form's energies).
    Energy,
    /// Energy shape over a song.
    Arc,
    PartOn(PartKind),
    PartStyle(PartKind),
    /// Part silent in sections of this kind (through their energy).
    Mute(PartKind, SectionKind),
}

impl Target {
    /// Name in reports ("tempo", "bass style").
    pub fn name(self) -> String {
        match self {
            Target::Tonic => "key".into(),
            Target::Mode => "mode".into(),
            Target::Tempo => "tempo".into(),
            Target::TempoFactor => "tempo factor".into(),
            Target::Meter => "meter".into(),
            Target::Bars => "length".into(),
            Target::Form => "form".into(),
            Target::Style => "style".into(),
            Target::Complexity => "complexity".into(),
            Target::Adventure => "adventure".into(),
            Target::Density => "density".into(),
            Target::Swing => "swing".into(),
            Target::Humanize => "humanize".into(),
            Target::FillEvery => "fill every".into(),
            Target::Energy => "section energy".into(),
            Target::Arc => "energy arc".into(),
            Target::PartOn(k) => format!("{} on/off", k.name()),
            Target::PartStyle(k) => format!("{} style", k.name()),
            Target::Mute(k, s) => format!("{} in {s:?}", k.name()).to_lowercase(),
        }
    }
}

/// The shape of a song's energy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arc {
    Build,
    Fade,
}

/// A value for a [`Target`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Tonic(PitchClass),
    Mode(Mode),
    Number(f64),
    Meter(Meter),
    Count(u32),
    /// Form text in `Form::parse` syntax.
    Form(String),
    /// Arrangement preset name.
    Style(&'static str),
    Unit(f32),
    On(bool),
    Name(String),
    Arc(Arc),
}

/// One value for one setting, from one [`Taken`].
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub target: Target,
    pub value: Value,
    pub field: Field,
    pub pos: usize,
    /// Index of its [`Taken`].
    pub taken: usize,
}

/// The winning value of every setting set, and the fields' values for reports and the eval.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resolved {
    pub winners: BTreeMap<Target, (Value, Field)>,
    /// `(field, value, used)` of every [`Taken`], in order.
    fields: Vec<(Field, String, bool)>,
}

/// Resolves the assignments (explicit ones index `taken` directly; `desc` is added after).
pub fn resolve(
    mut taken: Vec<Taken>,
    explicit: Vec<Assignment>,
    desc: Vec<Assignment>,
) -> (Vec<Taken>, Resolved, Vec<Conflict>) {
    let mut all = explicit;
    all.extend(desc);
    let mut by_target: BTreeMap<Target, Vec<&Assignment>> = BTreeMap::new();
    for a in &all {
        by_target.entry(a.target).or_default().push(a);
    }
    let mut winners = BTreeMap::new();
    let mut conflicts: Vec<Conflict> = Vec::new();
    let mut won = vec![false; taken.len()];
    // Lost a setting to another description (not only to exact words).
    let mut beaten = vec![false; taken.len()];
    for (target, mut list) in by_target {
        list.sort_by_key(|a| (a.field.rank(), a.pos));
        let Some(&w) = list.last() else { continue };
        for a in &list {
            if a.value == w.value {
                won[a.taken] = true;
            } else if a.taken != w.taken {
                beaten[a.taken] |= !w.field.is_explicit();
            }
            if a.value != w.value
                && a.taken != w.taken
                && !conflicts
                    .iter()
                    .any(|c| c.kept == w.taken && c.dropped == a.taken)
            {
                let rule = if w.field.rank() == a.field.rank() {
                    "the later mention wins"
                } else if w.field.is_explicit() {
                    "exact words beat descriptive ones"
                } else {
                    "the more specific description wins"
                };
                conflicts.push(Conflict {
                    setting: target.name(),
                    kept: w.taken,
                    dropped: a.taken,
                    rule,
                });
            }
        }
        winners.insert(target, (w.value.clone(), w.field));
    }
    // A form sets the song's length itself.
    if let (Some(f), Some(b)) = (
        all.iter()
            .rev()
            .find(|a| a.target == Target::Form && won[a.taken]),
        all.iter()
            .rev()
            .find(|a| a.target == Target::Bars && won[a.taken]),
    ) {
        conflicts.push(Conflict {
            setting: "length".into(),
            kept: f.taken,
            dropped: b.taken,
            rule: "a form sets the length itself",
        });
        won[b.taken] = false;
        winners.remove(&Target::Bars);
    }
    for (t, w) in taken.iter_mut().zip(&won) {
        t.used = *w;
    }
    // A description that lost only to exact words was still understood (reported as such).
    let fields = taken
        .iter()
        .zip(&beaten)
        .map(|(t, b)| {
            (
                t.field,
                t.value.clone(),
                t.used || (!t.field.is_explicit() && !b),
            )
        })
        .collect();
    (taken, Resolved { winners, fields }, conflicts)
}

/// The form used when the prompt silences a part in a section but names no form.
const DEFAULT_SONG: &str = "intro:4 verse:8 chorus:8 outro:4";

impl Resolved {
    /// Forgets every winner that came from `field` (e.g. a flag names the style instead).
    pub fn drop_field(&mut self, field: Field) {
        self.winners.retain(|_, (_, f)| *f != field);
    }

    fn get(&self, t: Target) -> Option<&Value> {
        self.winners.get(&t).map(|(v, _)| v)
    }

    fn unit(&self, t: Target) -> Option<f32> {
        match self.get(t) {
            Some(Value::Unit(v)) => Some(*v),
            _ => None,
        }
    }

    /// The tempo the prompt asks for, starting from `base` bpm, within 20..=999.
    pub fn tempo(&self, base: f64) -> Option<f64> {
        let t = match self.get(Target::Tempo) {
            Some(Value::Number(b)) => Some(*b),
            _ => None,
        };
        let f = match self.get(Target::TempoFactor) {
            Some(Value::Number(f)) => Some(*f),
            _ => None,
        };
        match (t, f) {
            (None, None) => None,
            (t, f) => Some((t.unwrap_or(base) * f.unwrap_or(1.0)).clamp(20.0, 999.0)),
        }
    }

    /// Parts turned on or off, `(kind, on)`.
    pub fn parts(&self) -> Vec<(PartKind, bool)> {
        PartKind::ALL
            .into_iter()
            .filter_map(|k| match self.get(Target::PartOn(k)) {
                Some(Value::On(on)) => Some((k, *on)),
                _ => None,
            })
            .collect()
    }

    /// Applies the winners to `s`, except the `keep` targets; returns the song form, if any.
    pub fn apply(&self, s: &mut Settings, keep: &[Target]) -> Option<Form> {
        let take = |t: Target| !keep.contains(&t);
        if let (true, Some(Value::Style(name))) = (take(Target::Style), self.get(Target::Style)) {
            if let Some(p) = crate::style::find(name) {
                s.style = p.model_tag.to_string();
            }
        }
        if let (true, Some(Value::Tonic(pc))) = (take(Target::Tonic), self.get(Target::Tonic)) {
            s.key.tonic = *pc;
        }
        if let (true, Some(Value::Mode(m))) = (take(Target::Mode), self.get(Target::Mode)) {
            s.key.mode = *m;
        }
        if take(Target::Tempo) {
            if let Some(t) = self.tempo(s.tempo_bpm) {
                s.tempo_bpm = t;
            }
        }
        if let (true, Some(Value::Meter(m))) = (take(Target::Meter), self.get(Target::Meter)) {
            s.meter = *m;
        }
        if let (true, Some(Value::Count(b))) = (take(Target::Bars), self.get(Target::Bars)) {
            s.bars = *b;
        }
        for (t, field) in [
            (Target::Complexity, &mut s.complexity),
            (Target::Adventure, &mut s.adventure),
            (Target::Density, &mut s.density),
            (Target::Swing, &mut s.swing),
            (Target::Humanize, &mut s.humanize),
        ] {
            if let (true, Some(v)) = (take(t), self.unit(t)) {
                *field = v.clamp(0.0, 1.0);
            }
        }
        if let (true, Some(Value::Count(n))) =
            (take(Target::FillEvery), self.get(Target::FillEvery))
        {
            s.fill_every = *n;
        }
        let mut on: Vec<PartKind> = s
            .parts
            .iter()
            .filter(|p| p.enabled)
            .map(|p| p.kind)
            .collect();
        for (k, enable) in self.parts() {
            if !take(Target::PartOn(k)) {
                continue;
            }
            on.retain(|&x| x != k);
            if enable {
                on.push(k);
            }
        }
        if !on.is_empty() {
            s.enable_only(&on);
        }
        for k in PartKind::ALL {
            if let (true, Some(Value::Name(style))) =
                (take(Target::PartStyle(k)), self.get(Target::PartStyle(k)))
            {
                if let Some(p) = s.part_mut(k) {
                    p.style = style.clone();
                }
            }
        }
        if take(Target::Form) {
            self.form()
        } else {
            None
        }
    }

    /// The song form: the named one (or the default song when only a silenced section or an
    /// energy arc asks for one), with the energy, arc and silenced parts applied.
    pub fn form(&self) -> Option<Form> {
        let mutes: Vec<(PartKind, SectionKind)> = self
            .winners
            .iter()
            .filter_map(|(t, (v, _))| match (t, v) {
                (Target::Mute(p, s), Value::On(false)) => Some((*p, *s)),
                _ => None,
            })
            .collect();
        let arc = match self.get(Target::Arc) {
            Some(Value::Arc(a)) => Some(*a),
            _ => None,
        };
        let text = match self.get(Target::Form) {
            Some(Value::Form(t)) => t.clone(),
            _ if !mutes.is_empty() => DEFAULT_SONG.to_string(),
            _ => match arc {
                Some(Arc::Build) => "verse:8 build:4 chorus:8".to_string(),
                Some(Arc::Fade) => "chorus:8 verse:8 outro:4".to_string(),
                None => return None,
            },
        };
        let mut form = Form::parse(&text).ok()?;
        let n = form.sections.len();
        if let Some(e) = self.unit(Target::Energy) {
            for sec in &mut form.sections {
                sec.energy = (sec.energy + (e - 0.55) * 0.6).clamp(0.05, 1.0);
            }
        }
        if let Some(a) = arc {
            for (i, sec) in form.sections.iter_mut().enumerate() {
                let x = if n > 1 {
                    i as f32 / (n - 1) as f32
                } else {
                    1.0
                };
                let x = if a == Arc::Build { x } else { 1.0 - x };
                sec.energy = 0.3 + 0.7 * x;
            }
        }
        for (part, kind) in mutes {
            // Section energy decides which parts play (form::section_settings).
            let cap = match part {
                PartKind::Drums => 0.25,
                PartKind::Bass => 0.15,
                _ => 0.55,
            };
            for sec in form.sections.iter_mut().filter(|s| s.kind == kind) {
                sec.energy = sec.energy.min(cap);
            }
        }
        Some(form)
    }

    /// The canonical value of `field` (see [`super::Interpretation::field_value`]).
    pub fn field_value(&self, field: Field) -> Option<String> {
        match field {
            Field::Key => {
                let explicit = |t: Target| {
                    self.winners
                        .get(&t)
                        .filter(|(_, f)| f.is_explicit())
                        .map(|(v, _)| v)
                };
                let tonic = explicit(Target::Tonic);
                let mode = explicit(Target::Mode);
                if tonic.is_none() && mode.is_none() {
                    return None;
                }
                let mut k = Key::new(PitchClass::C, Mode::Major);
                if let Some(Value::Tonic(pc)) = tonic {
                    k.tonic = *pc;
                }
                if let Some(Value::Mode(m)) = mode {
                    k.mode = *m;
                }
                Some(k.to_string())
            }
            Field::Tempo => self.tempo(120.0).map(|t| format!("{t}")),
            Field::Meter => match self.get(Target::Meter) {
                Some(Value::Meter(m)) => Some(m.to_string()),
                _ => None,
            },
            Field::Bars => match self.get(Target::Bars) {
                Some(Value::Count(b)) => Some(b.to_string()),
                _ => None,
            },
            Field::Form => self.form().map(|f| {
                let v: Vec<String> = f
                    .sections
                    .iter()
                    .map(|s| format!("{}:{}", s.name, s.bars))
                    .collect();
                v.join(" ")
            }),
            Field::Parts => {
                let changes = self.parts();
                if changes.is_empty() {
                    return None;
                }
                let mut on = vec![PartKind::Chords];
                for (k, enable) in changes {
                    on.retain(|&x| x != k);
                    if enable {
                        on.push(k);
                    }
                }
                let names: Vec<&str> = PartKind::ALL
                    .into_iter()
                    .filter(|k| on.contains(k))
                    .map(|k| k.name())
                    .collect();
                Some(names.join(","))
            }
            Field::PartStyle => {
                let v: Vec<String> = self
                    .winners
                    .iter()
                    .filter_map(|(t, (v, f))| match (t, v) {
                        (Target::PartStyle(k), Value::Name(n)) if *f == Field::PartStyle => {
                            Some(format!("{}={n}", k.name()))
                        }
                        _ => None,
                    })
                    .collect();
                (!v.is_empty()).then(|| v.join(","))
            }
            Field::Style => match self.get(Target::Style) {
                Some(Value::Style(n)) => Some(n.to_string()),
                _ => None,
            },
            f => {
                let mut v: Vec<&str> = self
                    .fields
                    .iter()
                    .filter(|(ff, _, used)| *ff == f && *used)
                    .map(|(_, v, _)| v.as_str())
                    .collect();
                v.sort_unstable();
                v.dedup();
                (!v.is_empty()).then(|| v.join("+"))
            }
        }
    }
}
