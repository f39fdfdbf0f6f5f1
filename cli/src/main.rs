//! `bandmate`: generate clips and analyze MIDI files from the command line.

use anyhow::{bail, Context, Result};
use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::{smf, Key, Meter};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod analyze;

#[derive(Parser)]
#[command(name = "bandmate", version, about = "Bandmate: chord progressions, melodies and backing parts as MIDI clips")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a clip and write it as a Standard MIDI File.
    Generate(GenerateArgs),
    /// Print the detected key (with confidence), tempo and meter of a .mid file.
    Analyze {
        /// The MIDI file to read.
        file: PathBuf,
    },
    /// List the styles each part accepts.
    Styles,
}

#[derive(clap::Args, Debug)]
struct GenerateArgs {
    /// Key, e.g. "A minor", "F# dorian", "Bb".
    #[arg(long, default_value = "C major")]
    key: String,
    /// Tempo in beats per minute (20..=999).
    #[arg(long, default_value_t = 120.0)]
    tempo: f64,
    /// Time signature, e.g. 4/4, 6/8, 7/8.
    #[arg(long = "time-sig", default_value = "4/4")]
    time_sig: String,
    /// Length in bars (1..=64).
    #[arg(long, default_value_t = 8)]
    bars: u32,
    /// Comma-separated parts: chords, melody, bass, keys, drums.
    #[arg(long, default_value = "chords")]
    parts: String,
    /// Arrangement style; also the default drum style and the chord model's style tag.
    #[arg(long, default_value = "pop")]
    style: String,
    /// Random seed: the same arguments and seed give a byte-identical file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where chords and melody come from: model (default, falls back to rules with a reason) or rules.
    #[arg(long, default_value = "model")]
    engine: String,
    /// How often chords change: two-bars, bar, half-bar, mixed.
    #[arg(long = "harmonic-rhythm", default_value = "bar")]
    harmonic_rhythm: String,
    /// 0 = triads .. 1 = extended chords.
    #[arg(long, default_value_t = 0.3)]
    complexity: f32,
    /// 0 = safe .. 1 = surprising (sampling temperature).
    #[arg(long, default_value_t = 0.5)]
    adventure: f32,
    /// 0 = sparse .. 1 = busy (bass, keys, drums).
    #[arg(long, default_value_t = 0.5)]
    density: f32,
    /// 0 = straight .. 1 = triplet swing.
    #[arg(long, default_value_t = 0.0)]
    swing: f32,
    /// 0 = quantized .. 1 = loose timing and velocity.
    #[arg(long, default_value_t = 0.0)]
    humanize: f32,
    /// Drum fill every N bars (0 = none).
    #[arg(long = "fill-every", default_value_t = 4)]
    fill_every: u32,
    /// Style per part, e.g. "bass=walking,keys=arp-up,drums=funk".
    #[arg(long = "part-style", default_value = "")]
    part_style: String,
    /// Output .mid path.
    #[arg(long, short, default_value = "clip.mid")]
    out: PathBuf,
}

fn unit(name: &str, v: f32) -> Result<f32> {
    if !(0.0..=1.0).contains(&v) {
        bail!("--{name} must be between 0 and 1, got {v}");
    }
    Ok(v)
}

/// Turns command-line arguments into engine settings, rejecting anything out of range.
fn settings(a: &GenerateArgs) -> Result<Settings> {
    let key: Key = a.key.parse().with_context(|| format!("--key {:?}", a.key))?;
    let meter: Meter = a.time_sig.parse().with_context(|| format!("--time-sig {:?}", a.time_sig))?;
    let source = match a.engine.as_str() {
        "model" => Source::Model,
        "rules" => Source::Rules,
        other => bail!("--engine must be model or rules, got {other:?}"),
    };
    let harmonic_rhythm = HarmonicRhythm::parse(&a.harmonic_rhythm).with_context(|| {
        format!("--harmonic-rhythm must be one of two-bars, bar, half-bar, mixed; got {:?}", a.harmonic_rhythm)
    })?;
    let mut kinds = Vec::new();
    for name in a.parts.split(',').filter(|s| !s.trim().is_empty()) {
        let kind = PartKind::parse(name).with_context(|| {
            format!("unknown part {name:?} in --parts (known: chords, melody, bass, keys, drums)")
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        bail!("--parts names no part (known: chords, melody, bass, keys, drums)");
    }
    let mut s = Settings {
        key,
        meter,
        tempo_bpm: a.tempo,
        bars: a.bars,
        seed: a.seed,
        source,
        style: a.style.clone(),
        harmonic_rhythm,
        complexity: unit("complexity", a.complexity)?,
        adventure: unit("adventure", a.adventure)?,
        density: unit("density", a.density)?,
        swing: unit("swing", a.swing)?,
        humanize: unit("humanize", a.humanize)?,
        fill_every: a.fill_every,
        ..Settings::default()
    };
    s.enable_only(&kinds);
    if let Some(drums) = s.part_mut(PartKind::Drums) {
        drums.style = a.style.clone();
    }
    for pair in a.part_style.split(',').filter(|p| !p.trim().is_empty()) {
        let (part, style) = pair
            .split_once('=')
            .with_context(|| format!("--part-style entries look like part=style, got {pair:?}"))?;
        let kind = PartKind::parse(part).with_context(|| format!("unknown part {part:?} in --part-style"))?;
        let opts = s.part_mut(kind).with_context(|| format!("part {part:?} is not available"))?;
        opts.style = style.trim().to_string();
    }
    s.validate()?;
    Ok(s)
}

fn generate(a: &GenerateArgs) -> Result<()> {
    let s = settings(a)?;
    let arrangement = arrange::generate(&s)?;
    let clip = &arrangement.clip;
    for notice in &arrangement.notices {
        eprintln!("note: {notice}");
    }
    let bytes = smf::write(clip)?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&a.out, &bytes).with_context(|| format!("writing {}", a.out.display()))?;
    println!("{} {} {} bpm, {} bars, seed {}", clip.key, clip.meter, clip.tempo_bpm, clip.bars, s.seed);
    println!("chords: {}", clip.chord_names().join(" | "));
    if let Some(romans) = clip.chords.iter().map(|c| c.roman.map(|r| r.to_string())).collect::<Option<Vec<_>>>() {
        println!("roman:  {}", romans.join(" | "));
    }
    for p in &clip.parts {
        println!("{:<7} {:>4} notes on channel {}", p.name, p.notes.len(), p.channel.as_int() + 1);
    }
    println!("engine: {}", clip.provenance.engine);
    println!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Generate(a) => generate(a),
        Command::Analyze { file } => analyze::run(file),
        Command::Styles => analyze::styles(),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> GenerateArgs {
        let mut v = vec!["bandmate", "generate"];
        v.extend_from_slice(extra);
        match Cli::try_parse_from(v).expect("parse").command {
            Command::Generate(a) => a,
            _ => panic!("not generate"),
        }
    }

    #[test]
    fn parses_the_documented_example() {
        let a = args(&["--key", "A minor", "--tempo", "93", "--time-sig", "4/4", "--bars", "8", "--parts", "chords", "--seed", "7"]);
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
        ] {
            assert!(settings(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
