//! `bandmate groove`: applies a real drummer's feel (a learned groove profile from the Groove MIDI
//! Dataset) to the notes of a MIDI file.

use anyhow::{Context, Result};
use bandmate_engine::clip::PartKind;
use bandmate_engine::drums::catalog;
use bandmate_engine::groove::learned::{self, Voice};
use bandmate_engine::rng::Rng;
use bandmate_engine::{import, smf};
use std::path::PathBuf;

/// Arguments of `bandmate groove`.
#[derive(clap::Args, Debug)]
pub struct GrooveArgs {
    /// Learned style (funk, rock, jazz, latin, hiphop, ..., all) or a drum style name.
    #[arg(long, default_value = "all")]
    pub style: String,
    /// The MIDI file to read.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Where to write the grooved file.
    #[arg(long)]
    pub out: PathBuf,
    /// How much of the drummer's push/pull and accents to apply, 0..=1.
    #[arg(long, default_value_t = 1.0)]
    pub amount: f32,
    /// Seed for the drummer's spread around the mean feel.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Reads `--in`, moves and accents every part's notes by the profile, writes `--out`.
pub fn run(a: &GrooveArgs) -> Result<()> {
    if !(a.amount.is_finite() && (0.0..=1.0).contains(&a.amount)) {
        anyhow::bail!("--amount must be 0..=1, got {}", a.amount);
    }
    let profile = match catalog::groove_profile(&a.style) {
        Some(p) => p,
        None => learned::profile(&a.style)?,
    };
    let bytes =
        std::fs::read(&a.input).with_context(|| format!("reading {}", a.input.display()))?;
    let mut clip = import::import(&bytes)
        .with_context(|| format!("{} is not a usable MIDI file", a.input.display()))?;
    if clip.meter.denominator != 4 {
        eprintln!(
            "note: the profiles are measured in 4/4; {} is read beat by beat",
            clip.meter
        );
    }
    let len = clip.length_ticks();
    let mut moved = 0usize;
    for part in &mut clip.parts {
        let voice = match part.kind {
            PartKind::Drums => Voice::Drums,
            PartKind::Bass => Voice::Bass,
            _ => Voice::Other,
        };
        let before = part.notes.clone();
        let mut rng = Rng::derive(a.seed, &part.name);
        learned::apply(
            &mut part.notes,
            clip.meter,
            profile,
            voice,
            a.amount,
            &mut rng,
        );
        moved += part
            .notes
            .iter()
            .zip(&before)
            .filter(|(x, y)| x.start != y.start)
            .count();
        part.normalize(len);
    }
    clip.provenance.engine = format!(
        "{} groove=learned(Groove MIDI Dataset style {}, amount {:.2}, seed {})",
        clip.provenance.engine, profile.style, a.amount, a.seed
    )
    .trim()
    .to_string();
    let out = smf::write(&clip)?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&a.out, &out).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "grooved {} notes in {} parts with the {} feel ({} bars of real drumming); {} moved; wrote {}",
        clip.note_count(),
        clip.parts.len(),
        profile.style,
        profile.bars,
        moved,
        a.out.display()
    );
    Ok(())
}
