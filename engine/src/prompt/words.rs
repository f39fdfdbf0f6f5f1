//! Splitting a prompt into words, and the exact-word lexicon (`engine/data/prompt/lexicon.tsv`).

use std::collections::HashMap;
use std::sync::OnceLock;

const LEXICON: &str = include_str!("../../data/prompt/lexicon.tsv");

/// One word of the prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lower case, as matched.
    pub lower: String,
    /// As written.
    pub orig: String,
    /// Whether a clause break (`,` `.` `;` `:` `!` `?`) comes right after it.
    pub brk: bool,
}

/// Splits `text` into words: letters, digits and `# ♯ ♭ / & ' -` stay inside a word, everything
/// else separates words. "80bpm" becomes "80" "bpm".
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<Token>| {
        let w = cur.trim_matches(|c| matches!(c, '\'' | '-' | '/' | '&'));
        if !w.is_empty() {
            split_units(w, out);
        }
        cur.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '#' | '♯' | '♭' | '/' | '&' | '\'' | '-') {
            cur.push(c);
        } else {
            flush(&mut cur, &mut out);
            if matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '\n') {
                if let Some(t) = out.last_mut() {
                    t.brk = true;
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

fn push(word: &str, out: &mut Vec<Token>) {
    out.push(Token {
        lower: word.to_lowercase(),
        orig: word.to_string(),
        brk: false,
    });
}

/// "80bpm" → "80" "bpm"; "8bars" → "8" "bars"; other words unchanged.
fn split_units(w: &str, out: &mut Vec<Token>) {
    let digits = w.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < w.len() {
        let rest = &w[digits..];
        let ordinal = matches!(rest, "st" | "nd" | "rd" | "th");
        if !ordinal && rest.chars().all(|c| c.is_ascii_alphabetic()) {
            push(&w[..digits], out);
            push(rest, out);
            return;
        }
    }
    push(w, out);
}

/// The lexicon: for each kind, phrase (lower case, words separated by one space) → value.
pub struct Lexicon {
    entries: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    /// Longest phrase, in words.
    pub longest: usize,
}

impl Lexicon {
    /// The shipped lexicon, parsed once.
    pub fn get() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| {
            let mut entries: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
            let mut longest = 1;
            for line in LEXICON.lines() {
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut cols = line.split('\t');
                let (Some(kind), Some(phrase)) = (cols.next(), cols.next()) else {
                    continue;
                };
                let value = cols.next().unwrap_or("");
                longest = longest.max(phrase.split(' ').count());
                entries.entry(kind).or_default().push((phrase, value));
            }
            Lexicon { entries, longest }
        })
    }

    /// Every `(phrase, value)` of `kind`.
    pub fn of(&self, kind: &str) -> &[(&'static str, &'static str)] {
        self.entries.get(kind).map_or(&[], |v| v.as_slice())
    }

    /// The value of `phrase` in `kind`.
    pub fn value(&self, kind: &str, phrase: &str) -> Option<&'static str> {
        self.of(kind)
            .iter()
            .find(|(p, _)| *p == phrase)
            .map(|(_, v)| *v)
    }

    /// Whether `word` is in `kind`.
    pub fn has(&self, kind: &str, word: &str) -> bool {
        self.value(kind, word).is_some()
    }

    /// The longest phrase of `kind` starting at word `i` that is not broken by a clause break
    /// inside it: `(words used, value)`.
    pub fn longest_at(
        &self,
        kind: &str,
        toks: &[Token],
        i: usize,
    ) -> Option<(usize, &'static str)> {
        let mut best = None;
        let mut phrase = String::new();
        for n in 1..=self.longest.min(toks.len().saturating_sub(i)) {
            let t = &toks[i + n - 1];
            if n > 1 {
                if toks[i + n - 2].brk {
                    break;
                }
                phrase.push(' ');
            }
            phrase.push_str(&t.lower);
            if let Some(v) = self.value(kind, &phrase) {
                best = Some((n, v));
            }
        }
        best
    }
}

/// A count written in digits or words ("8", "eight").
pub fn number(word: &str) -> Option<u32> {
    if let Ok(n) = word.parse::<u32>() {
        return Some(n);
    }
    Lexicon::get().value("number", word)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_units_and_breaks() {
        let t = tokenize("Moody lo-fi in F#, 80bpm; no drums!");
        let w: Vec<&str> = t.iter().map(|t| t.lower.as_str()).collect();
        assert_eq!(
            w,
            ["moody", "lo-fi", "in", "f#", "80", "bpm", "no", "drums"]
        );
        assert!(t[3].brk && t[5].brk && !t[4].brk);
        assert_eq!(t[3].orig, "F#");
        assert!(tokenize("🎹🎶 ... !!").is_empty());
    }

    #[test]
    fn lexicon_phrases_and_numbers() {
        let lex = Lexicon::get();
        let t = tokenize("very slow waltz");
        assert_eq!(lex.longest_at("tempo", &t, 0), Some((2, "60")));
        assert_eq!(lex.longest_at("tempo", &t, 1), Some((1, "70")));
        assert_eq!(number("twelve"), Some(12));
        assert_eq!(number("16"), Some(16));
        assert_eq!(number("many"), None);
    }
}
