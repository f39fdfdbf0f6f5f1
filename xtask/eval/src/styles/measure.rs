//! The measures of `eval styles` over 8-bar windows (generated or held-out) and its markdown.

use crate::metrics::jsd;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// A chord event: key-relative v2 token ("root:quality/bass" or "NC"), times in 16ths.
#[derive(Debug, Clone)]
pub struct Ev {
    pub tok: String,
    pub start: u32,
    pub dur: u32,
}

/// A melody note: MIDI pitch, pitch class above the tonic, times in 16ths.
#[derive(Debug, Clone)]
pub struct Mel {
    pub pitch: u8,
    pub rel: u8,
    pub start: u32,
    pub dur: u32,
}

/// Eight bars in one meter and key, with the conditions the engine is asked to generate under.
#[derive(Debug, Clone)]
pub struct Window {
    pub style: String,
    pub meter: String,
    pub bar16: u32,
    pub tonic: u8,
    pub minor: bool,
    pub section: String,
    /// Harmonic-rhythm bucket and complexity tier of the song (the training recipe's).
    pub rhythm: usize,
    pub tier: usize,
    pub chords: Vec<Ev>,
    pub melody: Vec<Mel>,
}

impl Window {
    /// Same conditions, no events.
    pub fn empty(&self) -> Window {
        Window {
            chords: Vec::new(),
            melody: Vec::new(),
            ..self.clone()
        }
    }

    /// 16ths per felt beat (`Meter::pulse_ticks`: dotted quarter in compound meters).
    fn beat16(&self) -> u32 {
        let tpq = bandmate_engine::clip::TICKS_PER_QUARTER;
        super::meter_of(&self.meter).map_or(4, |m| (m.pulse_ticks(tpq) * 4 / tpq).max(1))
    }
}

/// The quality name of a token ("" for NC).
pub fn quality(tok: &str) -> &str {
    tok.split_once(':')
        .map_or("", |(_, r)| r.split('/').next().unwrap_or(""))
}

fn root(tok: &str) -> Option<u32> {
    tok.split_once(':').and_then(|(r, _)| r.parse().ok())
}

const MINORISH: [&str; 8] = ["min", "m7", "m9", "m11", "m6", "madd9", "mmaj7", "m7b5"];
const DOMISH: [&str; 7] = ["7", "9", "13", "11", "7b9", "7#9", "7sus4"];

/// Pooled measures of a set of windows.
#[derive(Debug, Default)]
pub struct Stats {
    pub windows: usize,
    pub tokens: Vec<String>,
    pub qualities: BTreeMap<String, f64>,
    pub motion: [f64; 12],
    pub ii_v_i: f64,
    pub bar_repeats: f64,
    pub melody_windows: usize,
    pub notes_per_bar: f64,
    pub held: f64,
    pub syncopation: f64,
    pub chord_tones: f64,
    /// p10, median, p90 of melody pitches.
    pub pitch: [u8; 3],
}

fn share(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

impl Stats {
    pub fn of(ws: &[Window]) -> Stats {
        let mut s = Stats {
            windows: ws.len(),
            ..Stats::default()
        };
        let (mut iv, mut triples, mut rep, mut bars) = (0, 0, 0, 0);
        let (mut notes, mut held, mut sync, mut tones, mut mbars) = (0, 0, 0, 0, 0u32);
        let mut pitches = Vec::new();
        let v = bandmate_engine::model::vocab2::vocab2().ok();
        let c_major = bandmate_engine::theory::Key::new(
            bandmate_engine::theory::PitchClass::C,
            bandmate_engine::theory::Mode::Major,
        );
        for w in ws {
            s.tokens.extend(w.chords.iter().map(|e| e.tok.clone()));
            let chords: Vec<&Ev> = w.chords.iter().filter(|e| e.tok != "NC").collect();
            for e in &chords {
                *s.qualities.entry(quality(&e.tok).to_string()).or_default() += 1.0;
            }
            for p in chords.windows(2) {
                if let (Some(a), Some(b)) = (root(&p[0].tok), root(&p[1].tok)) {
                    s.motion[((b + 12 - a) % 12) as usize] += 1.0;
                }
            }
            for t in chords.windows(3) {
                triples += 1;
                let (r, q): (Vec<_>, Vec<_>) =
                    t.iter().map(|e| (root(&e.tok), quality(&e.tok))).unzip();
                if let (Some(a), Some(b), Some(c)) = (r[0], r[1], r[2]) {
                    let fourth = |x: u32, y: u32| (y + 12 - x) % 12 == 5;
                    if fourth(a, b)
                        && fourth(b, c)
                        && MINORISH.contains(&q[0])
                        && DOMISH.contains(&q[1])
                        && !DOMISH.contains(&q[2])
                    {
                        iv += 1;
                    }
                }
            }
            let content = bar_content(w);
            for p in content.windows(2) {
                bars += 1;
                rep += usize::from(p[0] == p[1]);
            }
            if w.melody.is_empty() {
                continue;
            }
            s.melody_windows += 1;
            mbars += 8;
            let beat = w.beat16();
            for n in &w.melody {
                notes += 1;
                pitches.push(n.pitch);
                held += usize::from(n.dur >= beat);
                let off = n.start % beat != 0;
                let next_beat = (n.start / beat + 1) * beat;
                sync += usize::from(off && n.start + n.dur > next_beat);
                let sounding = w
                    .chords
                    .iter()
                    .find(|c| c.start <= n.start && n.start < c.start + c.dur);
                let mask = sounding
                    .and_then(|c| v.and_then(|v| v.chord(&c.tok, c_major).ok().flatten()))
                    .map_or(0, |c| c.mask());
                tones += usize::from(mask & (1 << n.rel) != 0);
            }
        }
        s.ii_v_i = share(iv, triples);
        s.bar_repeats = share(rep, bars);
        s.notes_per_bar = share(notes, mbars as usize);
        s.held = share(held, notes);
        s.syncopation = share(sync, notes);
        s.chord_tones = share(tones, notes);
        pitches.sort_unstable();
        if !pitches.is_empty() {
            let at = |q: usize| pitches[(pitches.len() * q / 100).min(pitches.len() - 1)];
            s.pitch = [at(10), at(50), at(90)];
        }
        s
    }

    fn distinct(&self, n: usize) -> usize {
        self.tokens.iter().take(n).collect::<BTreeSet<_>>().len()
    }
}

/// Per bar, the (token, position) of every 16th: equal contents mean a repeated bar.
fn bar_content(w: &Window) -> Vec<Vec<(String, u32)>> {
    let mut bars = vec![Vec::new(); 8];
    for e in &w.chords {
        for x in e.start..e.start + e.dur {
            if let Some(b) = bars.get_mut((x / w.bar16.max(1)) as usize) {
                b.push((e.tok.clone(), x % w.bar16.max(1)));
            }
        }
    }
    bars
}

fn js_quality(a: &Stats, b: &Stats) -> f64 {
    let keys: BTreeSet<&String> = a.qualities.keys().chain(b.qualities.keys()).collect();
    let p: Vec<f64> = keys
        .iter()
        .map(|k| a.qualities.get(*k).copied().unwrap_or(0.0))
        .collect();
    let q: Vec<f64> = keys
        .iter()
        .map(|k| b.qualities.get(*k).copied().unwrap_or(0.0))
        .collect();
    jsd(&p, &q)
}

/// One style's results.
pub struct Row {
    pub style: String,
    pub songs: usize,
    pub clips: usize,
    pub test: Stats,
    pub v2: Stats,
    pub v1: Stats,
    pub rules: Stats,
}

pub const START: &str = "<!-- styles-eval:start -->";
pub const END: &str = "<!-- styles-eval:end -->";

pub fn markdown(rows: &[Row], data: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{START}\n## Styles: chord v2 and v1 and the melody against each style's held-out songs\n"
    );
    let _ = writeln!(s, "Written by `cargo xtask eval styles` (xtask/eval/src/styles.rs) from {}: the held-out (test split) songs cut into non-overlapping 8-bar windows in one meter and key. For an even subsample of each style's windows the engine generates an 8-bar clip under that window's own conditions: its key, mode, meter and section, the song's harmonic-rhythm bucket (as the *Harmonic rhythm* setting) and complexity tier (complexity 0.2 / 0.5 / 0.85), adventure 0.5, one seed per window. **v2** is `arrange::generate` with the model source (chord model v2, melody model v2, the voicing rules); **v1** is chord model v1 (`model::generate_chords`, style pop, or chorale/folk for those); **rules** is the rule source. **test** measures every window of the style. JS = Jensen-Shannon divergence (bits) to the test windows; lower is closer. Distinct chords counts the distinct tokens (root, quality, bass) among the first N chord events pooled over the clips, N the smallest of the three counts.\n", data.file_name().map_or(String::new(), |f| f.to_string_lossy().into_owned()));
    let _ = writeln!(s, "| style | test songs / windows / clips | distinct chords v2, v1, test (N) | JS quality v2 / v1 | JS root motion v2 / v1 | ii-V-I v2, v1, test | bars repeating the bar before v2, v1, test |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let mut both = Vec::new();
    let mut not = Vec::new();
    for r in rows {
        let n =
            r.v2.tokens
                .len()
                .min(r.v1.tokens.len())
                .min(r.test.tokens.len());
        let (q2, q1) = (js_quality(&r.v2, &r.test), js_quality(&r.v1, &r.test));
        let (m2, m1) = (
            jsd(&r.v2.motion, &r.test.motion),
            jsd(&r.v1.motion, &r.test.motion),
        );
        if q2 < q1 && m2 < m1 {
            both.push(r.style.as_str());
        } else {
            not.push(format!(
                "{} (quality {q2:.3} vs {q1:.3}, root motion {m2:.3} vs {m1:.3})",
                r.style
            ));
        }
        let _ = writeln!(
            s,
            "| {} | {} / {} / {} | {}, {}, {} ({n}) | {:.3} / {:.3} | {:.3} / {:.3} | {:.3}, {:.3}, {:.3} | {:.2}, {:.2}, {:.2} |",
            r.style, r.songs, r.test.windows, r.clips,
            r.v2.distinct(n), r.v1.distinct(n), r.test.distinct(n),
            q2, q1, m2, m1,
            r.v2.ii_v_i, r.v1.ii_v_i, r.test.ii_v_i,
            r.v2.bar_repeats, r.v1.bar_repeats, r.test.bar_repeats,
        );
    }
    let _ = writeln!(
        s,
        "\nv2 is closer to the test songs than v1 on both divergences in {} of {} styles ({}).",
        both.len(),
        rows.len(),
        both.join(", ")
    );
    if !not.is_empty() {
        let _ = writeln!(s, "Not on both: {}.", not.join("; "));
    }
    let _ = writeln!(s, "\n### Melody against the held-out melodies\n\nStyles whose test songs have melodies (POP909, the Billboard and RS200 transcriptions). The melody of the v2 and rules clips is generated over that clip's own chords in the default melody range (C4-G5). Held: notes lasting a beat or more. Syncopated: notes starting off the beat and sounding over the next beat. Chord tones: notes whose pitch class is in the chord sounding at their onset.\n");
    let _ = writeln!(s, "| style | windows with melody (test / clips) | notes per bar v2, rules, test | held v2, rules, test | syncopated v2, rules, test | chord tones v2, rules, test | pitch p10-median-p90 v2; rules; test |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let pct = |x: f64| format!("{:.0}%", 100.0 * x);
    let range = |p: &[u8; 3]| format!("{}-{}-{}", p[0], p[1], p[2]);
    for r in rows.iter().filter(|r| r.test.melody_windows > 0) {
        let _ = writeln!(
            s,
            "| {} | {} / {} | {:.2}, {:.2}, {:.2} | {}, {}, {} | {}, {}, {} | {}, {}, {} | {}; {}; {} |",
            r.style, r.test.melody_windows, r.v2.melody_windows,
            r.v2.notes_per_bar, r.rules.notes_per_bar, r.test.notes_per_bar,
            pct(r.v2.held), pct(r.rules.held), pct(r.test.held),
            pct(r.v2.syncopation), pct(r.rules.syncopation), pct(r.test.syncopation),
            pct(r.v2.chord_tones), pct(r.rules.chord_tones), pct(r.test.chord_tones),
            range(&r.v2.pitch), range(&r.rules.pitch), range(&r.test.pitch),
        );
    }
    let _ = writeln!(s, "{END}");
    s
}

/// `doc` with the styles section replaced (or the old Python-written chord section, or appended).
pub fn splice(doc: &str, md: &str) -> String {
    let old = "## Chords: v1 and v2 against each style's held-out songs";
    let old_end = "<!-- chords-v2-eval:end -->";
    if !doc.contains(START) && doc.contains(old) {
        return crate::doc::splice(doc, md, old, old_end);
    }
    crate::doc::splice(doc, md, START, END)
}
