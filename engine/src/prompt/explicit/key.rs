//! Key and mode: "F# minor", "in Eb", "Am", "D dorian", "key of G", "A flat major", "minor key".

use super::Pass;
use crate::prompt::resolve::{Target, Value};
use crate::prompt::Field;
use crate::theory::{Mode, PitchClass};

impl Pass<'_> {
    /// A mode name of one or two words at `i`: `(words, mode)`.
    pub(super) fn mode_at(&self, i: usize) -> Option<(usize, Mode)> {
        if !self.free(i) {
            return None;
        }
        if self.free(i + 1) && !self.toks[i].brk {
            let two = format!("{} {}", self.word(i), self.word(i + 1));
            if let Ok(m) = two.parse::<Mode>() {
                return Some((2, m));
            }
        }
        let w = self.word(i);
        if w == "m" {
            return None;
        }
        w.parse::<Mode>().ok().map(|m| (1, m))
    }

    pub(super) fn key(&mut self) {
        let n = self.toks.len();
        for i in 0..n {
            if !self.free(i) {
                continue;
            }
            let orig = self.toks[i].orig.clone();
            let Some((pc, mode, strong)) = note_token(&orig) else {
                continue;
            };
            let mut end = i + 1;
            let mut pc = pc;
            if self.free(end) && !self.toks[i].brk {
                match self.word(end) {
                    "sharp" => {
                        pc = pc.transpose(1);
                        end += 1;
                    }
                    "flat" => {
                        pc = pc.transpose(-1);
                        end += 1;
                    }
                    _ => {}
                }
            }
            let mut mode = mode;
            let mut named_mode = false;
            if mode.is_none() && !self.toks[end - 1].brk {
                if let Some((len, m)) = self.mode_at(end) {
                    // "a minor key" names a mode, not the key of A.
                    let article = orig == "a" && end == i + 1 && self.word(end + len) == "key";
                    if !article {
                        mode = Some(m);
                        named_mode = true;
                        end += len;
                    }
                }
            }
            let before = |k: usize| if i >= k { self.word(i - k) } else { "" };
            let context = before(1) == "in"
                || (before(1) == "of" && before(2) == "key")
                || before(1) == "key";
            // A lower-case "a" after "in" is an article unless a mode follows ("in a minor").
            let article = orig == "a" && mode.is_none();
            // A lower-case "am" or "em" needs context: the suffix alone does not make a key.
            if !(named_mode || strong || context) || article {
                continue;
            }
            let mut from = i;
            if before(1) == "in" && !self.used[i - 1] {
                from = i - 1;
            } else if before(1) == "of"
                && before(2) == "key"
                && !self.used[i - 1]
                && !self.used[i - 2]
            {
                from = i - 2;
            }
            let name = match mode {
                Some(m) => format!("{} {m}", orig_name(pc, m)),
                None => orig_name(pc, Mode::Major).to_string(),
            };
            let mut set = vec![(Target::Tonic, Value::Tonic(pc))];
            if let Some(m) = mode {
                set.push((Target::Mode, Value::Mode(m)));
            }
            self.take(Field::Key, name, from, end, set);
        }
        // A mode alone: "minor key", "dorian", "in minor".
        for i in 0..n {
            let Some((len, m)) = self.mode_at(i) else {
                continue;
            };
            let w = self.word(i);
            if matches!(w, "min" | "maj" | "harmonic" | "melodic") && len == 1 {
                continue;
            }
            let mut end = i + len;
            if self.word(end) == "key" || self.word(end) == "mode" {
                end += 1;
            }
            let from = if i > 0 && self.word(i - 1) == "in" && !self.used[i - 1] {
                i - 1
            } else {
                i
            };
            self.take(
                Field::Key,
                m.name().to_string(),
                from,
                end,
                vec![(Target::Mode, Value::Mode(m))],
            );
        }
    }
}

/// The tonic's spelling in a key of `mode`.
fn orig_name(pc: PitchClass, mode: Mode) -> &'static str {
    crate::theory::Key::new(pc, mode).tonic_name()
}

/// A note name, optionally with a mode suffix ("F#", "Eb", "Am", "c#m", "Bbmaj"): the pitch
/// class, the suffix's mode, and whether the spelling alone marks it as a key (capital letter
/// with an accidental or suffix).
pub fn note_token(orig: &str) -> Option<(PitchClass, Option<Mode>, bool)> {
    let (pc, used) = PitchClass::parse_prefix(orig).ok()?;
    let rest = &orig[used..];
    let mode = match rest.to_ascii_lowercase().as_str() {
        "" => None,
        "m" | "min" | "minor" | "-minor" => Some(Mode::NaturalMinor),
        "maj" | "major" | "-major" => Some(Mode::Major),
        _ => return None,
    };
    let capital = orig.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let strong = used > 1 || (capital && mode.is_some());
    // "be", "am", "bam": lower-case words that only look like notes need context.
    Some((pc, mode, strong))
}
