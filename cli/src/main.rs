//! `bandmate`: generate clips and analyze MIDI files from the command line.

use anyhow::{Context, Result};
use bandmate_cli::analyze;
use bandmate_cli::args::{settings, GenerateArgs};
use bandmate_engine::{arrange, smf};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "bandmate",
    version,
    about = "Bandmate: chord progressions, melodies and backing parts as MIDI clips"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a clip and write it as a Standard MIDI File.
    Generate(Box<GenerateArgs>),
    /// Print the detected key (with confidence), tempo and meter of a .mid file.
    Analyze {
        /// The MIDI file to read.
        file: PathBuf,
    },
    /// List the styles each part accepts.
    Styles,
    /// Apply a real drummer's feel (learned groove profile) to a MIDI file.
    Groove(bandmate_cli::groove::GrooveArgs),
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
    println!(
        "{} {} {} bpm, {} bars, seed {}",
        clip.key, clip.meter, clip.tempo_bpm, clip.bars, s.seed
    );
    println!("chords: {}", clip.chord_names().join(" | "));
    if let Some(romans) = clip
        .chords
        .iter()
        .map(|c| c.roman.map(|r| r.to_string()))
        .collect::<Option<Vec<_>>>()
    {
        println!("roman:  {}", romans.join(" | "));
    }
    for p in &clip.parts {
        println!(
            "{:<7} {:>4} notes on channel {}",
            p.name,
            p.notes.len(),
            p.channel.as_int() + 1
        );
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
        Command::Groove(a) => bandmate_cli::groove::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
