//! `bandmate analyze` and `bandmate styles`.

use anyhow::{Context, Result};
use bandmate_engine::{drums, import, keydetect, parts};
use std::path::Path;

/// Prints the detected key with confidence, the tempo and the meter of a .mid file.
pub fn run(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let clip = import::import(&bytes)
        .with_context(|| format!("{} is not a usable MIDI file", path.display()))?;
    println!("file:   {}", path.display());
    println!("tempo:  {:.2} bpm", clip.tempo_bpm);
    println!("meter:  {}", clip.meter);
    println!(
        "length: {} bars, {} notes in {} tracks",
        clip.bars,
        clip.note_count(),
        clip.parts.len()
    );
    match keydetect::detect_clip(&clip) {
        Some(k) => println!(
            "key:    {} (confidence {:.2}, correlation {:.2})",
            k.key, k.confidence, k.correlation
        ),
        None => println!("key:    unknown (no pitched notes)"),
    }
    Ok(())
}

/// Lists the style names each part generator accepts.
pub fn styles() -> Result<()> {
    println!("styles: {}", bandmate_engine::style::names().join(", "));
    println!(
        "chord model styles ({}): {}",
        bandmate_engine::model::chords2::CHORDS2_MODEL_ID,
        bandmate_engine::style::model_styles().join(", ")
    );
    println!("chords: close, open, drop2");
    println!("bass:   {}", parts::bass::styles().join(", "));
    println!("keys:   {}", parts::keys::styles().join(", "));
    println!("drums:  {}", drums::catalog::labels().join(", "));
    println!("        (model: played by the drum model trained on the Groove MIDI Dataset; pattern: hand-written)");
    println!("bass and drums also take \"personal\": the patterns of the --personal style");
    println!("{}", crate::personal::list_line());
    Ok(())
}
