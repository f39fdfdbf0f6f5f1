//! Parts: "no drums", "just bass and drums", "add a melody", "no drums in the intro", and part
//! styles ("walking bass", "funk drums").

use super::{section_kind, Pass};
use crate::clip::PartKind;
use crate::prompt::resolve::{Target, Value};
use crate::prompt::{Field, IgnoreReason};

impl Pass<'_> {
    pub(super) fn part_styles(&mut self) {
        for i in 0..self.toks.len() {
            if !self.free(i) {
                continue;
            }
            if let Some((len, v)) = self.phrase("partstyle", i) {
                let Some((part, style)) = v.split_once('=') else {
                    continue;
                };
                let Some(kind) = PartKind::parse(part) else {
                    continue;
                };
                if self.negated_before(i) || (i > 0 && self.lex.has("negate", self.word(i - 1))) {
                    self.ignore(i, i + len, IgnoreReason::Negated);
                    continue;
                }
                let mut set = vec![(Target::PartStyle(kind), Value::Name(style.to_string()))];
                if kind != PartKind::Chords {
                    set.push((Target::PartOn(kind), Value::On(true)));
                }
                self.take(Field::PartStyle, v.to_string(), i, i + len, set);
                continue;
            }
            // "<drum style> drums|beat|groove", the style in one or two words.
            for n in [2usize, 1] {
                if i + n >= self.toks.len() || !self.span_free(i, n + 1) {
                    continue;
                }
                if !self.lex.has("drumword", self.word(i + n)) {
                    continue;
                }
                let words: Vec<&str> = (i..i + n).map(|j| self.word(j)).collect();
                let style = crate::drums::styles::find(&words.join("-"))
                    .or_else(|| crate::drums::styles::find(&words.join(" ")))
                    .or_else(|| crate::drums::styles::find(&words.join("")));
                if let Some(st) = style {
                    self.take(
                        Field::PartStyle,
                        format!("drums={}", st.name),
                        i,
                        i + n + 1,
                        vec![
                            (
                                Target::PartStyle(PartKind::Drums),
                                Value::Name(st.name.to_string()),
                            ),
                            (Target::PartOn(PartKind::Drums), Value::On(true)),
                        ],
                    );
                    break;
                }
            }
        }
    }

    /// A list of parts at `i` ("bass and drums", "the piano, bass & drums"): kinds and the end.
    pub(super) fn part_list(&self, mut i: usize) -> Option<(Vec<PartKind>, usize)> {
        let mut kinds = Vec::new();
        loop {
            let start = i;
            while matches!(self.word(i), "a" | "an" | "the" | "any" | "some") && self.free(i) {
                i += 1;
            }
            let item = self.phrase("parts", i).or_else(|| self.phrase("part", i));
            let Some((n, v)) = item else {
                i = start;
                break;
            };
            kinds.extend(v.split(',').filter_map(PartKind::parse));
            i += n;
            let sep = self.word(i);
            let brk = self.toks[i - 1].brk;
            if matches!(sep, "and" | "or" | "&" | "plus" | "+") && self.free(i) {
                if brk {
                    break;
                }
                i += 1;
            } else if brk && self.phrase("part", i).is_some() {
                // "bass, drums"
            } else {
                break;
            }
        }
        if kinds.is_empty() {
            return None;
        }
        // A dangling "and" is not part of the list.
        while i > 0 && matches!(self.word(i - 1), "and" | "or" | "&" | "plus") {
            i -= 1;
        }
        Some((kinds, i))
    }

    pub(super) fn parts_text(kinds: &[PartKind]) -> String {
        let v: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
        v.join(",")
    }

    pub(super) fn parts(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            if !self.free(i) {
                i += 1;
                continue;
            }
            let w = self.word(i).to_string();
            // "drumless"
            if let Some(stem) = w.strip_suffix("less") {
                if let Some(k) = self.lex.value("part", stem).and_then(PartKind::parse) {
                    self.take(
                        Field::Parts,
                        format!("{} off", k.name()),
                        i,
                        i + 1,
                        vec![(Target::PartOn(k), Value::On(false))],
                    );
                    i += 1;
                    continue;
                }
            }
            let neg = self.phrase("negate", i);
            let only = self.phrase("only", i);
            if let Some((len, _)) = neg.or(only) {
                if let Some((kinds, end)) = self.part_list(i + len) {
                    if neg.is_some() {
                        let scoped = self.scoped_mute(i, end, &kinds);
                        if scoped > 0 {
                            i = scoped;
                            continue;
                        }
                        let set = kinds
                            .iter()
                            .map(|&k| (Target::PartOn(k), Value::On(false)))
                            .collect();
                        let text = format!("{} off", Self::parts_text(&kinds));
                        self.take(Field::Parts, text, i, end, set);
                        i = end;
                    } else {
                        self.only(i, end, &kinds);
                        i = end;
                    }
                    continue;
                }
            }
            if let Some((kinds, end)) = self.part_list(i) {
                if self.word(end) == "only" && self.free(end) {
                    self.only(i, end + 1, &kinds);
                    i = end + 1;
                } else {
                    let set = kinds
                        .iter()
                        .map(|&k| (Target::PartOn(k), Value::On(true)))
                        .collect();
                    let text = format!("{} on", Self::parts_text(&kinds));
                    self.take(Field::Parts, text, i, end, set);
                    i = end;
                }
                continue;
            }
            i += 1;
        }
    }

    /// Exactly `kinds`, from words `from..to`.
    pub(super) fn only(&mut self, from: usize, to: usize, kinds: &[PartKind]) {
        let set = PartKind::ALL
            .into_iter()
            .map(|k| (Target::PartOn(k), Value::On(kinds.contains(&k))))
            .collect();
        let text = format!("only {}", Self::parts_text(kinds));
        self.take(Field::Parts, text, from, to, set);
    }

    /// "no drums in the intro": silences the parts in those sections. Returns the end of the
    /// words used, or 0 when no section follows.
    pub(super) fn scoped_mute(&mut self, from: usize, end: usize, kinds: &[PartKind]) -> usize {
        if !matches!(self.word(end), "in" | "during" | "for" | "on" | "until")
            || self.toks[end - 1].brk
        {
            return 0;
        }
        let mut j = end + 1;
        if matches!(self.word(j), "the" | "a" | "an") {
            j += 1;
        }
        let Some((len, name)) = self.phrase("section", j) else {
            return 0;
        };
        let Some(kind) = section_kind(name) else {
            return 0;
        };
        let mut set: Vec<(Target, Value)> = kinds
            .iter()
            .map(|&k| (Target::Mute(k, kind), Value::On(false)))
            .collect();
        // Silent in one section means playing in the others.
        set.extend(kinds.iter().map(|&k| (Target::PartOn(k), Value::On(true))));
        let text = format!("{} off in {name}", Self::parts_text(kinds));
        self.take(Field::Parts, text, from, j + len, set);
        j + len
    }
}
