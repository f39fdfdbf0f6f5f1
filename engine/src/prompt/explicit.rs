//! Exact values: key and mode, tempo, meter, length, form, parts and part styles. Each pass marks
//! the words it used so later passes (and the descriptive reader) skip them.

mod key;
mod parts;

pub use key::note_token;

use super::resolve::{Assignment, Target, Value};
use super::words::{number, Lexicon, Token};
use super::{Field, How, IgnoreReason, Ignored, Taken};
use crate::form::SectionKind;
use crate::theory::Meter;

/// What the exact passes found.
#[derive(Debug, Default)]
pub struct Found {
    pub taken: Vec<Taken>,
    pub assignments: Vec<Assignment>,
    pub ignored: Vec<Ignored>,
}

struct Pass<'a> {
    toks: &'a [Token],
    used: &'a mut [bool],
    out: Found,
    lex: &'static Lexicon,
}

/// Runs every exact pass over `toks`, marking the words used in `used`.
pub fn parse(toks: &[Token], used: &mut [bool]) -> Found {
    let mut p = Pass {
        toks,
        used,
        out: Found::default(),
        lex: Lexicon::get(),
    };
    p.form_names();
    p.tempo();
    p.meter();
    // "drum and bass", "synth pop", "behind the beat" name a style or feel, not parts.
    let lex = p.lex;
    let protected: Vec<usize> = super::describe::Descriptors::get()
        .phrases_in(toks)
        .into_iter()
        .filter(|&(i, n)| (i..i + n).any(|j| lex.has("part", &toks[j].lower)))
        .flat_map(|(i, n)| i..i + n)
        .filter(|&j| !p.used[j])
        .collect();
    for &j in &protected {
        p.used[j] = true;
    }
    p.part_styles();
    p.parts();
    for &j in &protected {
        p.used[j] = false;
    }
    p.sections();
    p.bars();
    p.key();
    p.out
}

/// Default length of a section named in words, in bars.
fn section_bars(name: &str) -> u32 {
    match name {
        "intro" | "outro" | "pre" => 4,
        _ => 8,
    }
}

fn section_kind(name: &str) -> Option<SectionKind> {
    crate::form::Form::parse(&format!("{name}:1"))
        .ok()
        .and_then(|f| f.sections.first().map(|s| s.kind))
}

impl Pass<'_> {
    fn free(&self, i: usize) -> bool {
        i < self.toks.len() && !self.used[i]
    }

    fn word(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.lower.as_str())
    }

    /// Whether words `i..i + n` are free and unbroken by a clause break inside.
    fn span_free(&self, i: usize, n: usize) -> bool {
        (i..i + n).all(|j| self.free(j)) && (i..i + n - 1).all(|j| !self.toks[j].brk)
    }

    fn text(&self, from: usize, to: usize) -> String {
        let words: Vec<&str> = self.toks[from..to]
            .iter()
            .map(|t| t.orig.as_str())
            .collect();
        words.join(" ")
    }

    /// Records a setting from words `from..to`.
    fn take(
        &mut self,
        field: Field,
        value: String,
        from: usize,
        to: usize,
        set: Vec<(Target, Value)>,
    ) {
        let idx = self.out.taken.len();
        self.out.taken.push(Taken {
            field,
            value,
            words: self.text(from, to),
            how: How::Exact,
            pos: from,
            used: true,
        });
        for (target, value) in set {
            self.out.assignments.push(Assignment {
                target,
                value,
                field,
                pos: from,
                taken: idx,
            });
        }
        for u in &mut self.used[from..to] {
            *u = true;
        }
    }

    fn ignore(&mut self, from: usize, to: usize, reason: IgnoreReason) {
        let words = self.text(from, to);
        self.out.ignored.push(Ignored { words, reason });
        for u in &mut self.used[from..to] {
            *u = true;
        }
    }

    /// Longest free phrase of `kind` at `i`.
    fn phrase(&self, kind: &str, i: usize) -> Option<(usize, &'static str)> {
        let (n, v) = self.lex.longest_at(kind, self.toks, i)?;
        self.span_free(i, n).then_some((n, v))
    }

    fn negated_before(&self, i: usize) -> bool {
        let w = |k: usize| if i >= k { self.word(i - k) } else { "" };
        w(1) == "not" || w(1) == "non" || (w(1) == "too" && w(2) == "not")
    }

    fn form_names(&mut self) {
        let n = self.toks.len();
        for i in 0..n {
            if !self.free(i) {
                continue;
            }
            let w = |k: usize| self.word(i + k).to_string();
            let (len, preset) = match (w(0).as_str(), w(1).as_str(), w(2).as_str()) {
                ("12-bar", "blues", _) | ("twelve-bar", "blues", _) => (2, "blues"),
                ("12" | "twelve", "bar", "blues") => (3, "blues"),
                ("aaba", _, _) => (1, "jazz-aaba"),
                ("32-bar", "form" | "standard", _) => (2, "jazz-aaba"),
                ("build" | "buildup" | "build-up", "and", "drop") => (3, "edm"),
                ("full" | "whole" | "complete", "song", _) => (2, "pop"),
                (name, "form" | "structure", _) if crate::form::preset(name).is_some() => {
                    (2, crate::form::preset(name).map_or("pop", |p| p.name))
                }
                ("form" | "structure", name, _) if crate::form::preset(name).is_some() => {
                    (2, crate::form::preset(name).map_or("pop", |p| p.name))
                }
                _ => continue,
            };
            if !self.span_free(i, len) {
                continue;
            }
            let text = crate::form::preset(preset)
                .map_or("", |p| p.name)
                .to_string();
            self.take(
                Field::Form,
                preset.to_string(),
                i,
                i + len,
                vec![(Target::Form, Value::Form(text))],
            );
        }
    }

    fn tempo(&mut self) {
        let n = self.toks.len();
        for i in 0..n {
            if !self.free(i) {
                continue;
            }
            let w0 = self.word(i).to_string();
            let w1 = self.word(i + 1).to_string();
            // "80 bpm", "80 beats per minute", "bpm 80", "tempo 80", "at 80"
            let bpm = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
            let found = if let (Some(v), true) = (bpm(&w0), w1 == "bpm" && self.free(i + 1)) {
                Some((v, 2))
            } else if let (Some(v), true) = (
                bpm(&w0),
                w1 == "beats" && self.word(i + 2) == "per" && self.word(i + 3) == "minute",
            ) {
                Some((v, 4))
            } else if (w0 == "bpm" || w0 == "tempo") && self.free(i + 1) {
                bpm(&w1).map(|v| (v, 2))
            } else if w0 == "at" && self.free(i + 1) && !self.lex.has("stop", self.word(i + 2)) {
                bpm(&w1)
                    .filter(|v| (30.0..=300.0).contains(v))
                    .filter(|_| !matches!(self.word(i + 2), "bars" | "bar" | "measures"))
                    .map(|v| (v, 2))
            } else if w0 == "at" && self.free(i + 1) {
                bpm(&w1)
                    .filter(|v| (30.0..=300.0).contains(v))
                    .filter(|_| !matches!(self.word(i + 2), "bars" | "bar" | "measures"))
                    .map(|v| (v, 2))
            } else {
                None
            };
            if let Some((v, len)) = found {
                if !self.span_free(i, len) {
                    continue;
                }
                if (20.0..=999.0).contains(&v) {
                    self.take(
                        Field::Tempo,
                        format!("{v} bpm"),
                        i,
                        i + len,
                        vec![(Target::Tempo, Value::Number(v))],
                    );
                } else {
                    self.ignore(i, i + len, IgnoreReason::OutOfRange);
                }
                continue;
            }
            if let Some((len, v)) = self.phrase("tempo", i) {
                if self.negated_before(i) {
                    self.ignore(i, i + len, IgnoreReason::Negated);
                } else if let Ok(bpm) = v.parse::<f64>() {
                    self.take(
                        Field::Tempo,
                        format!("{bpm} bpm"),
                        i,
                        i + len,
                        vec![(Target::Tempo, Value::Number(bpm))],
                    );
                }
            } else if let Some((len, v)) = self.phrase("tempo-factor", i) {
                if let Ok(f) = v.parse::<f64>() {
                    self.take(
                        Field::Tempo,
                        format!("tempo x{f}"),
                        i,
                        i + len,
                        vec![(Target::TempoFactor, Value::Number(f))],
                    );
                }
            }
        }
    }

    fn meter(&mut self) {
        for i in 0..self.toks.len() {
            if !self.free(i) {
                continue;
            }
            let w = self.word(i).to_string();
            if w.contains('/') && w.chars().all(|c| c.is_ascii_digit() || c == '/') {
                let len = if self.word(i + 1) == "time" && self.free(i + 1) {
                    2
                } else {
                    1
                };
                match w.parse::<Meter>() {
                    Ok(m) => self.take(
                        Field::Meter,
                        m.to_string(),
                        i,
                        i + len,
                        vec![(Target::Meter, Value::Meter(m))],
                    ),
                    Err(_) => self.ignore(i, i + len, IgnoreReason::OutOfRange),
                }
                continue;
            }
            if let Some((len, v)) = self.phrase("meter", i) {
                // "in 3 bars" is a length, not a meter.
                if matches!(self.word(i + len), "bars" | "bar" | "measures" | "measure") {
                    continue;
                }
                if let Ok(m) = v.parse::<Meter>() {
                    self.take(
                        Field::Meter,
                        m.to_string(),
                        i,
                        i + len,
                        vec![(Target::Meter, Value::Meter(m))],
                    );
                }
            }
        }
    }

    fn sections(&mut self) {
        let mut list: Vec<(String, u32)> = Vec::new();
        let (mut first, mut last) = (usize::MAX, 0);
        let mut i = 0;
        while i < self.toks.len() {
            if !self.free(i) {
                i += 1;
                continue;
            }
            // "[two|8-bar|8 bar] verse[s] [of 8 bars]"
            let (mut count, mut bars, mut j) = (1u32, None, i);
            if let Some(c) = number(self.word(j)).filter(|_| self.free(j + 1)) {
                if matches!(self.word(j + 1), "bar" | "bars") {
                    bars = Some(c);
                    j += 2;
                } else {
                    count = c;
                    j += 1;
                }
            } else if let Some(b) = self.word(j).strip_suffix("-bar").and_then(number) {
                bars = Some(b);
                j += 1;
            }
            let Some((len, name)) = self.phrase("section", j) else {
                i += 1;
                continue;
            };
            // "solo piano" means only the piano.
            if name == "solo" && self.phrase("part", j + len).is_some() {
                i += 1;
                continue;
            }
            let mut end = j + len;
            if self.word(end) == "of" {
                if let Some(b) = number(self.word(end + 1)) {
                    if matches!(self.word(end + 2), "bars" | "bar") {
                        bars = Some(b);
                        end += 3;
                    }
                }
            }
            let bars = bars.unwrap_or_else(|| section_bars(name));
            if !(1..=64).contains(&bars) || !(1..=8).contains(&count) {
                self.ignore(i, end, IgnoreReason::OutOfRange);
                i = end;
                continue;
            }
            for _ in 0..count {
                list.push((name.to_string(), bars));
            }
            first = first.min(i);
            last = end;
            for u in &mut self.used[i..end] {
                *u = true;
            }
            i = end;
        }
        if list.is_empty() {
            return;
        }
        let text: Vec<String> = list.iter().map(|(n, b)| format!("{n}:{b}")).collect();
        let text = text.join(" ");
        if list.len() < 2 {
            self.ignore(first, last, IgnoreReason::NotUnderstood);
            return;
        }
        for u in &mut self.used[first..last] {
            *u = false;
        }
        // Only the section words themselves are marked used; report the span they cover.
        let idx = self.out.taken.len();
        self.out.taken.push(Taken {
            field: Field::Form,
            value: text.clone(),
            words: self.text(first, last),
            how: How::Exact,
            pos: first,
            used: true,
        });
        self.out.assignments.push(Assignment {
            target: Target::Form,
            value: Value::Form(text),
            field: Field::Form,
            pos: first,
            taken: idx,
        });
        for j in first..last {
            if self.lex.has("section", self.word(j))
                || matches!(self.word(j), "and" | "then" | "of" | "bars" | "bar")
                || number(self.word(j)).is_some()
                || self.word(j).ends_with("-bar")
            {
                self.used[j] = true;
            }
        }
    }

    fn bars(&mut self) {
        for i in 0..self.toks.len() {
            if !self.free(i) {
                continue;
            }
            let w = self.word(i).to_string();
            let unit = |s: &str| matches!(s, "bar" | "bars" | "measure" | "measures");
            let (count, len) = if let Some(c) = number(&w).filter(|_| unit(self.word(i + 1))) {
                (c, 2)
            } else if let Some(c) = w
                .split_once('-')
                .filter(|(_, u)| unit(u))
                .and_then(|(c, _)| number(c))
            {
                (c, 1)
            } else {
                continue;
            };
            if !self.span_free(i, len) {
                continue;
            }
            if (1..=64).contains(&count) {
                self.take(
                    Field::Bars,
                    format!("{count} bars"),
                    i,
                    i + len,
                    vec![(Target::Bars, Value::Count(count))],
                );
            } else {
                self.ignore(i, i + len, IgnoreReason::OutOfRange);
            }
        }
    }
}
