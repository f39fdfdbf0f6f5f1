//! Descriptive words: genre, era, mood, energy, texture, feel, complexity, adventure and energy
//! arc. A word or phrase equal to a descriptor anchor (`models/prompt/descriptors.tsv`) takes its
//! concept; any other word takes, per field, the concept whose anchor is nearest in the word
//! table when the cosine similarity reaches [`THRESHOLD`].

use super::embed::{Table, DESCRIPTORS};
use super::resolve::{Arc, Assignment, Target, Value};
use super::words::{Lexicon, Token};
use super::{Field, How, IgnoreReason, Ignored, Taken};
use crate::clip::PartKind;
use crate::theory::Mode;
use std::sync::OnceLock;

/// Least cosine similarity (in the shipped table's space) for a word to take a concept.
pub const THRESHOLD: f32 = 0.65;
/// A word matched by similarity also sets a second field only this close to that field's anchor.
pub const SECOND_FIELD: f32 = 0.72;

/// One concept: a field's value and what it sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub field: Field,
    pub value: &'static str,
    pub effects: Vec<(Target, Value)>,
}

/// The descriptor list: concepts and their anchor phrases (anchor `i` is the table's row `i`).
#[derive(Debug)]
pub struct Descriptors {
    pub concepts: Vec<Concept>,
    /// `(phrase, concept index)`.
    pub anchors: Vec<(&'static str, usize)>,
    longest: usize,
}

fn effect(key: &str, val: &str) -> Vec<(Target, Value)> {
    let unit = |t: Target| {
        val.parse::<f32>()
            .ok()
            .map(|v| vec![(t, Value::Unit(v.clamp(0.0, 1.0)))])
            .unwrap_or_default()
    };
    match key {
        "style" => match crate::style::find(val) {
            Some(p) => vec![
                (Target::Style, Value::Style(p.name)),
                (Target::Swing, Value::Unit(p.swing)),
                (
                    Target::PartStyle(PartKind::Bass),
                    Value::Name(p.bass.into()),
                ),
                (
                    Target::PartStyle(PartKind::Keys),
                    Value::Name(p.keys.into()),
                ),
                (
                    Target::PartStyle(PartKind::Drums),
                    Value::Name(p.drums.into()),
                ),
            ],
            None => Vec::new(),
        },
        "mode" => val
            .parse::<Mode>()
            .map(|m| vec![(Target::Mode, Value::Mode(m))])
            .unwrap_or_default(),
        "complexity" => unit(Target::Complexity),
        "adventure" => unit(Target::Adventure),
        "density" => unit(Target::Density),
        "swing" => unit(Target::Swing),
        "humanize" => unit(Target::Humanize),
        "energy" => unit(Target::Energy),
        "fill_every" => val
            .parse::<u32>()
            .map(|n| vec![(Target::FillEvery, Value::Count(n))])
            .unwrap_or_default(),
        "arc" => match val {
            "build" => vec![(Target::Arc, Value::Arc(Arc::Build))],
            "fade" => vec![(Target::Arc, Value::Arc(Arc::Fade))],
            _ => Vec::new(),
        },
        part => match PartKind::parse(part) {
            Some(k) => vec![(Target::PartStyle(k), Value::Name(val.to_string()))],
            None => Vec::new(),
        },
    }
}

/// Effects written like "mode=harmonic minor adventure=0.7": a value runs to the next `key=`.
fn effects(text: &'static str) -> Vec<(Target, Value)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let next = after.find(' ').and_then(|sp| {
            let tail = &after[sp + 1..];
            let eq = tail.find('=')?;
            let key_start = tail[..eq].rfind(' ').map_or(0, |s| s + 1);
            Some(sp + 1 + key_start)
        });
        let (val, tail) = match next {
            Some(n) => (after[..n].trim(), &after[n..]),
            None => (after.trim(), ""),
        };
        out.extend(effect(key.trim(), val));
        rest = tail;
    }
    out
}

impl Descriptors {
    /// The shipped list, parsed once. Rows that do not parse are skipped (a test checks none is).
    pub fn get() -> &'static Descriptors {
        static D: OnceLock<Descriptors> = OnceLock::new();
        D.get_or_init(|| Descriptors::parse(DESCRIPTORS))
    }

    pub fn parse(text: &'static str) -> Descriptors {
        let mut concepts = Vec::new();
        let mut anchors = Vec::new();
        let mut longest = 1;
        for line in text.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&'static str> = line.split('\t').collect();
            let [field, value, fx, list] = cols[..] else {
                continue;
            };
            let Some(field) = Field::parse(field) else {
                continue;
            };
            let c = concepts.len();
            concepts.push(Concept {
                field,
                value,
                effects: effects(fx),
            });
            for phrase in list.split(',') {
                let phrase = phrase.trim();
                longest = longest.max(phrase.split(' ').count());
                anchors.push((phrase, c));
            }
        }
        Descriptors {
            concepts,
            anchors,
            longest,
        }
    }

    /// Spans `(start, words)` of `toks` that equal an anchor of two or more words, e.g.
    /// "drum and bass", "behind the beat": the exact passes leave them to the descriptions.
    pub fn phrases_in(&self, toks: &[Token]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for i in 0..toks.len() {
            for n in (2..=self.longest.min(toks.len() - i)).rev() {
                if (i..i + n - 1).any(|j| toks[j].brk) {
                    continue;
                }
                let words: Vec<&str> = toks[i..i + n].iter().map(|t| t.lower.as_str()).collect();
                if !self.exact(&words.join(" ")).is_empty() {
                    out.push((i, n));
                    break;
                }
            }
        }
        out
    }

    pub fn anchor_count(&self) -> usize {
        self.anchors.len()
    }

    /// Concepts whose anchor equals `phrase` exactly.
    fn exact(&self, phrase: &str) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .anchors
            .iter()
            .filter(|(p, _)| {
                p.eq_ignore_ascii_case(phrase) || p.replace('-', "") == phrase.replace('-', "")
            })
            .map(|(_, c)| *c)
            .collect();
        v.dedup();
        v
    }
}

/// What the descriptive reader found.
#[derive(Debug, Default)]
pub struct Described {
    pub taken: Vec<Taken>,
    pub assignments: Vec<Assignment>,
    pub ignored: Vec<Ignored>,
}

/// Reads the words not `used` yet; `first` is the index the first new [`Taken`] will have.
pub fn find(toks: &[Token], used: &mut [bool], table: Option<&Table>, first: usize) -> Described {
    let d = Descriptors::get();
    let lex = Lexicon::get();
    let mut out = Described::default();
    let add = |out: &mut Described, c: usize, words: String, how: How, pos: usize| {
        let concept = &d.concepts[c];
        let idx = first + out.taken.len();
        out.taken.push(Taken {
            field: concept.field,
            value: concept.value.to_string(),
            words,
            how,
            pos,
            used: true,
        });
        for (target, value) in &concept.effects {
            out.assignments.push(Assignment {
                target: *target,
                value: value.clone(),
                field: concept.field,
                pos,
                taken: idx,
            });
        }
    };
    let negated = |used: &[bool], i: usize| {
        i > 0 && lex.has("negate", &toks[i - 1].lower) && !used[i - 1] && !toks[i - 1].brk
    };
    // Exact anchors, longest phrase first.
    let mut i = 0;
    while i < toks.len() {
        let mut hit = None;
        for n in (1..=d.longest.min(toks.len() - i)).rev() {
            if (i..i + n).any(|j| used[j]) || (i..i + n - 1).any(|j| toks[j].brk) {
                continue;
            }
            let words: Vec<&str> = toks[i..i + n].iter().map(|t| t.lower.as_str()).collect();
            let cs = d.exact(&words.join(" "));
            if !cs.is_empty() {
                hit = Some((n, cs));
                break;
            }
        }
        let Some((n, cs)) = hit else {
            i += 1;
            continue;
        };
        let words: Vec<&str> = toks[i..i + n].iter().map(|t| t.orig.as_str()).collect();
        let words = words.join(" ");
        if negated(used, i) {
            out.ignored.push(Ignored {
                words: format!("{} {words}", toks[i - 1].orig),
                reason: IgnoreReason::Negated,
            });
            used[i - 1] = true;
        } else {
            for c in cs {
                add(&mut out, c, words.clone(), How::Exact, i);
            }
        }
        for u in &mut used[i..i + n] {
            *u = true;
        }
        i += n;
    }
    // The other words: nearest anchor per field.
    for i in 0..toks.len() {
        if used[i] {
            continue;
        }
        let t = &toks[i];
        if lex.has("stop", &t.lower)
            || lex.has("negate", &t.lower)
            || lex.has("only", &t.lower)
            || !t.lower.chars().any(char::is_alphabetic)
        {
            continue;
        }
        used[i] = true;
        let Some(table) = table else {
            out.ignored.push(Ignored {
                words: t.orig.clone(),
                reason: IgnoreReason::Unknown,
            });
            continue;
        };
        let Some(row) = lookup(table, &t.lower) else {
            out.ignored.push(Ignored {
                words: t.orig.clone(),
                reason: IgnoreReason::Unknown,
            });
            continue;
        };
        // Best anchor of each field.
        let mut best: Vec<(f32, usize, usize)> = Vec::new();
        for (a, &(_, c)) in d.anchors.iter().enumerate() {
            let score = row.cosine(&table.anchor(a));
            let field = d.concepts[c].field;
            match best
                .iter_mut()
                .find(|(_, _, bc)| d.concepts[*bc].field == field)
            {
                Some(b) if b.0 >= score => {}
                Some(b) => *b = (score, a, c),
                None => best.push((score, a, c)),
            }
        }
        best.sort_by(|x, y| y.0.total_cmp(&x.0));
        let top = best.first().map_or(0.0, |b| b.0);
        let picked: Vec<&(f32, usize, usize)> = best
            .iter()
            .enumerate()
            .filter(|(k, b)| b.0 >= THRESHOLD && (*k == 0 || b.0 >= SECOND_FIELD))
            .map(|(_, b)| b)
            .collect();
        if picked.is_empty() || top < THRESHOLD {
            out.ignored.push(Ignored {
                words: t.orig.clone(),
                reason: IgnoreReason::NotUnderstood,
            });
            continue;
        }
        if negated(used, i) {
            out.ignored.push(Ignored {
                words: format!("{} {}", toks[i - 1].orig, t.orig),
                reason: IgnoreReason::Negated,
            });
            continue;
        }
        for &&(score, a, c) in &picked {
            let how = How::Similar {
                anchor: d.anchors[a].0.to_string(),
                score,
            };
            add(&mut out, c, t.orig.clone(), how, i);
        }
    }
    out
}

/// The word's row, or that of its stem ("grooviest" → "groovy", "melodies" → "melody").
fn lookup<'t>(table: &'t Table, word: &str) -> Option<super::embed::Row<'t>> {
    if let Some(r) = table.word(word) {
        return Some(r);
    }
    let w = word.trim_matches('\'');
    let candidates = [
        w.strip_suffix("'s").map(str::to_string),
        w.strip_suffix('s').map(str::to_string),
        w.strip_suffix("ies").map(|s| format!("{s}y")),
        w.strip_suffix("iest").map(|s| format!("{s}y")),
        w.strip_suffix("ier").map(|s| format!("{s}y")),
        w.strip_suffix("ish").map(str::to_string),
        w.strip_suffix("ed").map(str::to_string),
        w.strip_suffix("ing").map(str::to_string),
        w.strip_suffix('y').map(str::to_string),
        Some(w.replace('-', "")),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter(|c| c.len() >= 3)
        .find_map(|c| table.word(&c))
}
