//! Command-line arguments of `bandmate generate` and their mapping to engine settings.

use anyhow::{bail, Context, Result};
use bandmate_engine::arrange::{Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::style;
use bandmate_engine::{Key, Meter};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Key, e.g. "A minor", "F# dorian", "Bb".
    #[arg(long, default_value = "C major")]
    pub key: Key,
    /// Tempo in beats per minute (20..=999).
    #[arg(long, default_value_t = 120.0)]
    pub tempo: f64,
    /// Time signature, e.g. 4/4, 6/8, 7/8.
    #[arg(long = "time-sig", default_value = "4/4")]
    pub time_sig: Meter,
    /// Length in bars (1..=64).
    #[arg(long, default_value_t = 8)]
    pub bars: u32,
    /// Comma-separated parts: chords, melody, bass, keys, drums.
    #[arg(long, default_value = "chords", value_delimiter = ',', value_parser = part_kind)]
    pub parts: Vec<PartKind>,
    /// Arrangement style preset (pop, rock, funk, jazz, ...): sets the chord model's style tag and
    /// the default bass, keys and drum styles (see `bandmate styles`).
    #[arg(long, default_value = "pop")]
    pub style: String,
    /// Random seed: the same arguments and seed give a byte-identical file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where chords and melody come from: model (default, falls back to rules with a reason) or rules.
    #[arg(long, default_value = "model", value_parser = source)]
    pub engine: Source,
    /// How often chords change: two-bars, bar, half-bar, mixed.
    #[arg(long = "harmonic-rhythm", default_value = "bar", value_parser = harmonic_rhythm)]
    pub harmonic_rhythm: HarmonicRhythm,
    /// 0 = triads .. 1 = extended chords.
    #[arg(long, default_value_t = 0.3)]
    pub complexity: f32,
    /// 0 = safe .. 1 = surprising (sampling temperature).
    #[arg(long, default_value_t = 0.5)]
    pub adventure: f32,
    /// 0 = sparse .. 1 = busy (bass, keys, drums).
    #[arg(long, default_value_t = 0.5)]
    pub density: f32,
    /// 0 = straight .. 1 = triplet swing (default: the style's).
    #[arg(long)]
    pub swing: Option<f32>,
    /// 0 = quantized .. 1 = loose timing and velocity.
    #[arg(long, default_value_t = 0.0)]
    pub humanize: f32,
    /// Drum fill every N bars (0 = none).
    #[arg(long = "fill-every", default_value_t = 4)]
    pub fill_every: u32,
    /// Style per part, e.g. "bass=walking,keys=arp-up,drums=funk".
    #[arg(long = "part-style", default_value = "")]
    pub part_style: String,
    /// Song form: a preset (see `bandmate forms`) or sections like "intro:4 verse:8 chorus:8@0.9"
    /// (name:bars[@energy 0..1]). Makes a whole song with section markers; --bars is ignored.
    #[arg(long)]
    pub form: Option<String>,
    /// Describe the music in words, e.g. "moody lo-fi in F minor, lazy swing, no drums in the
    /// intro": sets key, tempo, meter, length, form, style, mood, energy and parts. Flags given
    /// with it win over it.
    #[arg(long)]
    pub prompt: Option<String>,
    /// Output .mid path.
    #[arg(long, short, default_value = "clip.mid")]
    pub out: PathBuf,
    /// A personal style learned with `bandmate learn` (chords and melody lean towards it; bass and
    /// drums play its patterns unless --part-style names theirs).
    #[arg(long)]
    pub personal: Option<String>,
    /// "Like my music": how far chords and melody lean towards --personal, 0..1 (0 = base models).
    #[arg(long, default_value_t = 0.8)]
    pub like: f32,
}

/// A part name for `--parts` and `--part-style`.
pub fn part_kind(s: &str) -> std::result::Result<PartKind, String> {
    PartKind::parse(s.trim())
        .ok_or_else(|| format!("unknown part {s:?} (known: chords, melody, bass, keys, drums)"))
}

fn source(s: &str) -> std::result::Result<Source, String> {
    match s {
        "model" => Ok(Source::Model),
        "rules" => Ok(Source::Rules),
        other => Err(format!("expected model or rules, got {other:?}")),
    }
}

fn harmonic_rhythm(s: &str) -> std::result::Result<HarmonicRhythm, String> {
    HarmonicRhythm::parse(s)
        .ok_or_else(|| format!("expected one of two-bars, bar, half-bar, mixed; got {s:?}"))
}

fn unit(name: &str, v: f32) -> Result<f32> {
    if !(0.0..=1.0).contains(&v) {
        bail!("--{name} must be between 0 and 1, got {v}");
    }
    Ok(v)
}

/// Turns command-line arguments into engine settings, rejecting anything out of range.
pub fn settings(a: &GenerateArgs) -> Result<Settings> {
    let mut kinds = Vec::new();
    for &kind in &a.parts {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        bail!("--parts names no part (known: chords, melody, bass, keys, drums)");
    }
    let mut s = Settings {
        key: a.key,
        meter: a.time_sig,
        tempo_bpm: a.tempo,
        bars: a.bars,
        seed: a.seed,
        source: a.engine,
        style: "pop".into(),
        harmonic_rhythm: a.harmonic_rhythm,
        section: None,
        complexity: unit("complexity", a.complexity)?,
        adventure: unit("adventure", a.adventure)?,
        density: unit("density", a.density)?,
        humanize: unit("humanize", a.humanize)?,
        fill_every: a.fill_every,
        ..Settings::default()
    };
    s.enable_only(&kinds);
    let model_styles = style::model_styles();
    match style::find(&a.style) {
        Some(preset) => preset.apply(&mut s),
        // A chord model style with no preset of its name: the chords take it, the parts keep
        // their defaults.
        None if model_styles.iter().any(|m| *m == a.style.trim()) => {
            s.style = a.style.trim().to_string();
        }
        None => anyhow::bail!(
            "unknown --style {:?} (presets: {}; chord model styles: {})",
            a.style,
            style::names().join(", "),
            model_styles.join(", ")
        ),
    }
    if let Some(swing) = a.swing {
        s.swing = unit("swing", swing)?;
    }
    let like = unit("like", a.like)?;
    if a.personal.is_some() && like > 0.0 {
        for kind in [PartKind::Bass, PartKind::Drums] {
            if let Some(p) = s.part_mut(kind) {
                p.style = bandmate_engine::personal::STYLE.into();
            }
        }
    }
    for pair in a.part_style.split(',').filter(|p| !p.trim().is_empty()) {
        let (part, style) = pair
            .split_once('=')
            .with_context(|| format!("--part-style entries look like part=style, got {pair:?}"))?;
        let kind = part_kind(part).map_err(|e| anyhow::anyhow!("--part-style: {e}"))?;
        let opts = s
            .part_mut(kind)
            .with_context(|| format!("part {part:?} is not available"))?;
        opts.style = style.trim().to_string();
    }
    s.validate()?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        Generate(GenerateArgs),
    }

    fn try_args(extra: &[&str]) -> std::result::Result<GenerateArgs, clap::Error> {
        let mut v = vec!["bandmate", "generate"];
        v.extend_from_slice(extra);
        Cli::try_parse_from(v).map(|c| match c.command {
            Command::Generate(a) => a,
        })
    }

    fn args(extra: &[&str]) -> GenerateArgs {
        try_args(extra).expect("parse")
    }

    #[test]
    fn parses_the_documented_example() {
        let a = args(&[
            "--key",
            "A minor",
            "--tempo",
            "93",
            "--time-sig",
            "4/4",
            "--bars",
            "8",
            "--parts",
            "chords",
            "--seed",
            "7",
        ]);
        let s = settings(&a).expect("settings");
        assert_eq!(s.key.to_string(), "A minor");
        assert_eq!(s.bars, 8);
        assert_eq!(s.seed, 7);
    }

    #[test]
    fn rejects_bad_arguments() {
        for bad in [
            &["--key", "H major"][..],
            &["--time-sig", "4/3"],
            &["--bars", "0"],
            &["--tempo", "5"],
            &["--parts", "tuba"],
            &["--complexity", "2"],
            &["--engine", "magic"],
            &["--harmonic-rhythm", "sometimes"],
            &["--part-style", "bass"],
            &["--style", "polka"],
            &["--swing", "1.5"],
        ] {
            let rejected = match try_args(bad) {
                Err(_) => true,
                Ok(a) => settings(&a).is_err(),
            };
            assert!(rejected, "{bad:?}");
        }
    }

    #[test]
    fn every_chord_model_style_is_a_style() {
        let styles = style::model_styles();
        assert!(styles.len() >= 13, "{styles:?}");
        for name in &styles {
            let s = settings(&args(&["--style", name])).expect("settings");
            assert_eq!(&s.style, name);
        }
        // A preset picks its model style and its part styles.
        let s = settings(&args(&["--style", "jazz"])).expect("settings");
        assert_eq!(s.style, "jazz-swing");
        let e = settings(&args(&["--style", "polka"])).expect_err("unknown");
        assert!(e.to_string().contains("jazz-waltz"), "{e}");
    }

    #[test]
    fn typed_values_name_the_bad_token() {
        let Err(e) = try_args(&["--key", "H major"]) else {
            panic!("rejected")
        };
        assert!(e.to_string().contains("H major"), "{e}");
        let Err(e) = try_args(&["--parts", "chords,tuba"]) else {
            panic!("rejected")
        };
        assert!(e.to_string().contains("tuba"), "{e}");
        let a = args(&["--parts", "drums,bass,drums", "--time-sig", "7/8"]);
        assert_eq!(
            a.parts,
            vec![PartKind::Drums, PartKind::Bass, PartKind::Drums]
        );
        let s = settings(&a).expect("settings");
        assert_eq!(s.meter.to_string(), "7/8");
    }
}
