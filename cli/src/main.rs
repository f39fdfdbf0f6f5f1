//! `bandmate`: generate clips and analyze MIDI files from the command line.

use anyhow::{Context, Result};
use bandmate_cli::analyze;
use bandmate_cli::args::{settings, GenerateArgs};
use bandmate_engine::arrange::Source;
use bandmate_engine::{arrange, form, model, smf};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    /// List the styles each part accepts, or summarize a personal style.
    Styles {
        /// A personal style to summarize: top progressions, chord vocabulary, grooves, tempo range.
        #[arg(long)]
        show: Option<String>,
    },
    /// Learn a personal style from a folder of your MIDI files (kept on this machine).
    Learn(bandmate_cli::personal::LearnArgs),
    /// List the song-form presets `generate --form` accepts.
    Forms,
    /// Apply a real drummer's feel (learned groove profile) to a MIDI file.
    Groove(bandmate_cli::groove::GrooveArgs),
    /// Respond to a recorded performance as live mode would (follow, answer or continue).
    Live(bandmate_cli::live::LiveArgs),
}

fn forms() {
    for p in form::PRESETS {
        let bars = form::Form::parse(p.form).map_or(0, |f| f.total_bars());
        println!("{:<10} {:>3} bars  {}", p.name, bars, p.description);
        println!("           {}", p.form);
    }
}

/// Which model backend ran, and why (only when models were asked for).
fn print_backend(s: &arrange::Settings) {
    if s.source == Source::Model {
        match model::backend_report() {
            Ok(r) => println!("backend: {r}"),
            Err(e) => println!("backend: none ({e}); the rule-based generators were used"),
        }
    }
}

/// `generate --form` (or a prompt naming a form): the whole song, with a marker and provenance
/// at each section; `prompt` is the prompt's provenance entry.
fn generate_song(
    a: &GenerateArgs,
    s: &arrange::Settings,
    form: &form::Form,
    prompt: Option<&str>,
    personal: Option<bandmate_engine::personal::Personal<'_>>,
) -> Result<()> {
    let mut song = form::generate_with_personal(s, form, &[], personal)?;
    if let Some(p) = prompt {
        song.clip.provenance.parameters.push(' ');
        song.clip.provenance.parameters.push_str(p);
    }
    for notice in &song.notices {
        eprintln!("note: {notice}");
    }
    let bytes = song.to_smf()?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&a.out, &bytes).with_context(|| format!("writing {}", a.out.display()))?;
    let clip = &song.clip;
    println!(
        "{} {} {} bpm, {} bars in {} sections, seed {}",
        clip.key,
        clip.meter,
        clip.tempo_bpm,
        clip.bars,
        song.sections.len(),
        s.seed
    );
    let bar = clip.bar_ticks();
    for sec in &song.sections {
        let from = sec.start_bar * bar;
        let to = from + sec.spec.bars * bar;
        let names: Vec<String> = clip
            .chords
            .iter()
            .filter(|c| c.start >= from && c.start < to)
            .map(|c| c.chord.symbol_in(clip.key))
            .collect();
        println!(
            "{:<13} bars {:>3}-{:<3} energy {:.2}  {}",
            sec.label,
            sec.start_bar + 1,
            sec.start_bar + sec.spec.bars,
            sec.spec.energy,
            names.join(" ")
        );
    }
    for p in &clip.parts {
        println!(
            "{:<7} {:>5} notes on channel {}",
            p.name,
            p.notes.len(),
            p.channel.as_int() + 1
        );
    }
    print_backend(s);
    println!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}

fn generate(a: &GenerateArgs, m: Option<&clap::ArgMatches>) -> Result<()> {
    let mut s = settings(a)?;
    let mut form = match &a.form {
        Some(text) => Some(form::Form::parse(text).with_context(|| format!("--form {text:?}"))?),
        None => None,
    };
    let mut prompt = None;
    if let Some(text) = &a.prompt {
        let kept = m.map(bandmate_cli::prompt::kept).unwrap_or_default();
        let keep: Vec<_> = kept.iter().map(|(t, _)| *t).collect();
        let i = bandmate_cli::prompt::read(text, &kept);
        for line in bandmate_cli::prompt::report(&i, &kept) {
            println!("{line}");
        }
        if let Some(f) = i.apply(&mut s, &keep) {
            form = Some(f);
        }
        s.validate()?;
        prompt = Some(i.provenance());
    }
    let style = a
        .personal
        .as_deref()
        .map(bandmate_cli::personal::load)
        .transpose()?;
    let personal = style
        .as_ref()
        .map(|style| bandmate_engine::personal::Personal {
            style,
            like: a.like,
        });
    if let Some(f) = &form {
        return generate_song(a, &s, f, prompt.as_deref(), personal);
    }
    let mut arrangement = arrange::generate_with(&s, personal)?;
    if let Some(p) = &prompt {
        arrangement.clip.provenance.parameters.push(' ');
        arrangement.clip.provenance.parameters.push_str(p);
    }
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
    if let Some(p) = personal {
        println!("personal: {} like {:.2}", p.label(), p.amount());
    }
    print_backend(&s);
    println!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}

fn main() {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let result = match &cli.command {
        Command::Generate(a) => generate(a, matches.subcommand_matches("generate")),
        Command::Analyze { file } => analyze::run(file),
        Command::Styles { show: None } => analyze::styles(),
        Command::Styles { show: Some(name) } => bandmate_cli::personal::show(name),
        Command::Learn(a) => bandmate_cli::personal::learn(a),
        Command::Forms => {
            forms();
            Ok(())
        }
        Command::Groove(a) => bandmate_cli::groove::run(a),
        Command::Live(a) => bandmate_cli::live::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
