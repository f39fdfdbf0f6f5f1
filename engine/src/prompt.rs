//! Reading a text prompt ("moody lo-fi in F minor, lazy swing, no drums in the intro") into
//! settings, visibly: an [`Interpretation`] lists each setting taken with the words it came from,
//! the words ignored and the conflicts it resolved. Pure and deterministic; any thread.
//!
//! - [`explicit`]: exact values (key, mode, tempo, meter, length, form, parts, part styles);
//! - [`describe`]: descriptive words (genre, mood, energy, texture, feel, …) through the
//!   descriptor list and, for words it does not list, the shipped word table ([`embed`]);
//! - [`resolve`]: which value wins, and applying the result to [`Settings`] and a [`Form`].
//!
//! Conflicts are resolved by one rule: a value given with exact words (key, tempo, meter,
//! length, form, parts, part styles) beats one implied by a descriptive word, a more specific
//! descriptive field beats a more general one (style < era < energy < mood < texture <
//! complexity < adventure < feel), and within a field the later mention wins. Every setting that
//! lost is reported with the rule that decided.

pub mod describe;
pub mod embed;
pub mod explicit;
pub mod resolve;
pub mod words;

use crate::arrange::Settings;
use crate::clip::PartKind;
use crate::form::Form;
use std::fmt;

pub use embed::{Table, TableError};
pub use resolve::Target;

/// Longest prompt read, in characters; the rest is ignored with [`PromptNotice::Truncated`].
pub const MAX_CHARS: usize = 2000;

/// A prompt field, as reported and evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Key,
    Tempo,
    Meter,
    Bars,
    Form,
    Parts,
    PartStyle,
    Style,
    Era,
    Energy,
    Mood,
    Texture,
    Complexity,
    Adventure,
    Feel,
    Arc,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::Key,
        Field::Tempo,
        Field::Meter,
        Field::Bars,
        Field::Form,
        Field::Parts,
        Field::PartStyle,
        Field::Style,
        Field::Era,
        Field::Energy,
        Field::Mood,
        Field::Texture,
        Field::Complexity,
        Field::Adventure,
        Field::Feel,
        Field::Arc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Key => "key",
            Field::Tempo => "tempo",
            Field::Meter => "meter",
            Field::Bars => "bars",
            Field::Form => "form",
            Field::Parts => "parts",
            Field::PartStyle => "part-style",
            Field::Style => "style",
            Field::Era => "era",
            Field::Energy => "energy",
            Field::Mood => "mood",
            Field::Texture => "texture",
            Field::Complexity => "complexity",
            Field::Adventure => "adventure",
            Field::Feel => "feel",
            Field::Arc => "arc",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Whether the field takes exact words (the others are descriptive).
    pub fn is_explicit(self) -> bool {
        self <= Field::PartStyle
    }

    /// Priority when two fields set the same setting: higher wins.
    pub fn rank(self) -> u8 {
        match self {
            Field::Style => 0,
            Field::Era => 1,
            Field::Energy => 2,
            Field::Arc => 2,
            Field::Mood => 3,
            Field::Texture => 4,
            Field::Complexity => 5,
            Field::Adventure => 6,
            Field::Feel => 7,
            _ => 10,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a value was found.
#[derive(Debug, Clone, PartialEq)]
pub enum How {
    /// The words are in the lexicon or equal a descriptor anchor.
    Exact,
    /// The word's vector is nearest to `anchor` (cosine `score`) in the word table.
    Similar { anchor: String, score: f32 },
}

/// One thing the prompt set.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub field: Field,
    /// The value as shown ("F minor", "80 bpm", "jazz", "bass=walking").
    pub value: String,
    /// The prompt's words it came from, as written.
    pub words: String,
    pub how: How,
    /// Word position in the prompt (later mentions win within a field).
    pub pos: usize,
    /// False when every setting it implied lost to another (see [`Interpretation::conflicts`]).
    pub used: bool,
}

/// Why a word was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoreReason {
    /// Not in the lexicon, no descriptor anchor, and not close enough to any in the table.
    NotUnderstood,
    /// Not in the word table (the table is unavailable, or the word is not English).
    Unknown,
    /// Negated ("not dark") and nothing to turn off.
    Negated,
    /// A value outside what Bandmate accepts ("500 bars").
    OutOfRange,
}

impl IgnoreReason {
    pub fn text(self) -> &'static str {
        match self {
            IgnoreReason::NotUnderstood => "no musical meaning found",
            IgnoreReason::Unknown => "unknown word",
            IgnoreReason::Negated => "negated",
            IgnoreReason::OutOfRange => "out of range",
        }
    }
}

/// A word of the prompt that set nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Ignored {
    pub words: String,
    pub reason: IgnoreReason,
}

/// Two values for one setting; `kept` won by `rule`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub setting: String,
    /// Indices into [`Interpretation::taken`].
    pub kept: usize,
    pub dropped: usize,
    pub rule: &'static str,
}

/// What the reader wants the user to know about the prompt as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptNotice {
    /// The prompt is empty or blank.
    Empty,
    /// The prompt has no words (only symbols or emoji).
    NoWords,
    /// Nothing in the prompt set a setting; the defaults stand.
    NothingUnderstood,
    /// Only the first [`MAX_CHARS`] characters were read.
    Truncated { chars: usize },
    /// The word table could not be used: only exact words were read.
    ExplicitOnly(TableError),
}

impl fmt::Display for PromptNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PromptNotice::Empty => write!(f, "the prompt is empty; the settings stay as they are"),
            PromptNotice::NoWords => write!(
                f,
                "the prompt has no words Bandmate can read; the settings stay as they are"
            ),
            PromptNotice::NothingUnderstood => write!(
                f,
                "nothing in the prompt names a musical setting (Bandmate reads English music words); the settings stay as they are"
            ),
            PromptNotice::Truncated { chars } => write!(
                f,
                "the prompt is {chars} characters long; only the first {MAX_CHARS} were read"
            ),
            PromptNotice::ExplicitOnly(e) => write!(
                f,
                "{e}; only exact words (key, tempo, meter, length, form, parts) were read"
            ),
        }
    }
}

/// What a prompt was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpretation {
    /// The prompt as read (at most [`MAX_CHARS`] characters).
    pub prompt: String,
    pub taken: Vec<Taken>,
    pub ignored: Vec<Ignored>,
    pub conflicts: Vec<Conflict>,
    pub notices: Vec<PromptNotice>,
    /// The winning value of every setting the prompt set.
    pub resolved: resolve::Resolved,
}

/// Reads `text` with the shipped word table (parsed on first use).
pub fn interpret(text: &str) -> Interpretation {
    let n = describe::Descriptors::get().anchor_count();
    interpret_with(text, Table::shipped(n).as_ref())
}

/// Reads `text` with `table`; an error means explicit-only reading with a notice.
pub fn interpret_with(text: &str, table: Result<&Table, &TableError>) -> Interpretation {
    let mut notices = Vec::new();
    let chars = text.chars().count();
    let prompt: String = if chars > MAX_CHARS {
        notices.push(PromptNotice::Truncated { chars });
        text.chars().take(MAX_CHARS).collect()
    } else {
        text.to_string()
    };
    if let Err(e) = table {
        notices.push(PromptNotice::ExplicitOnly(e.clone()));
    }
    let mut toks = words::tokenize(&prompt);
    if prompt.trim().is_empty() {
        notices.push(PromptNotice::Empty);
        toks.clear();
    } else if toks.is_empty() {
        notices.push(PromptNotice::NoWords);
    }
    let mut used = vec![false; toks.len()];
    let mut found = explicit::parse(&toks, &mut used);
    let mut ignored = std::mem::take(&mut found.ignored);
    let desc = describe::find(&toks, &mut used, table.ok(), found.taken.len());
    found.taken.extend(desc.taken);
    ignored.extend(desc.ignored);
    let (taken, resolved, conflicts) =
        resolve::resolve(found.taken, found.assignments, desc.assignments);
    if taken.is_empty() && !toks.is_empty() {
        notices.push(PromptNotice::NothingUnderstood);
    }
    Interpretation {
        prompt,
        taken,
        ignored,
        conflicts,
        notices,
        resolved,
    }
}

impl Interpretation {
    /// Applies the prompt's settings to `s`, leaving the `keep` targets (set elsewhere, e.g. by
    /// command-line flags) alone. Returns the song form the prompt asks for, if any.
    pub fn apply(&self, s: &mut Settings, keep: &[Target]) -> Option<Form> {
        self.resolved.apply(s, keep)
    }

    /// The prompt for provenance records: `prompt="…"` with quotes and backslashes escaped.
    pub fn provenance(&self) -> String {
        let mut out = String::from("prompt=\"");
        for c in self.prompt.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' | '\r' | '\t' => out.push(' '),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// The canonical value of `field` after resolution, as the eval compares it ("F minor",
    /// "80", "3/4", "chords,bass", "swing+laid-back"); `None` when the prompt did not set it.
    pub fn field_value(&self, field: Field) -> Option<String> {
        self.resolved.field_value(field)
    }

    /// One line per setting taken, conflict, ignored word and notice, for front ends.
    pub fn report(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.taken {
            let how = match &t.how {
                How::Exact => String::new(),
                How::Similar { anchor, score } => format!(" (close to \"{anchor}\", {score:.2})"),
            };
            let lost = if t.used { "" } else { " [overridden]" };
            out.push(format!(
                "{:<10} {:<18} from \"{}\"{how}{lost}",
                t.field.name(),
                t.value,
                t.words
            ));
        }
        for c in &self.conflicts {
            let (k, d) = (&self.taken[c.kept], &self.taken[c.dropped]);
            out.push(format!(
                "conflict   {}: \"{}\" ({}) over \"{}\" ({}): {}",
                c.setting, k.words, k.value, d.words, d.value, c.rule
            ));
        }
        if !self.ignored.is_empty() {
            let words: Vec<String> = self
                .ignored
                .iter()
                .map(|i| format!("\"{}\" ({})", i.words, i.reason.text()))
                .collect();
            out.push(format!("ignored    {}", words.join(", ")));
        }
        for n in &self.notices {
            out.push(format!("note       {n}"));
        }
        out
    }

    /// Parts the prompt turned on or off, `(kind, on)`.
    pub fn parts(&self) -> Vec<(PartKind, bool)> {
        self.resolved.parts()
    }
}

#[cfg(test)]
mod tests;
