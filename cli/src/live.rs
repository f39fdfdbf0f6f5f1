//! `bandmate live`: the offline twin of the plugin's live mode. Reads a performance, plays it
//! into the live engine with a fixed simulated worker delay and writes the response beside it.

use anyhow::{Context, Result};
use bandmate_engine::live::{offline, LiveMode, LiveSettings, OnSilence};
use bandmate_engine::{import, keydetect, smf};
use std::path::PathBuf;

/// Arguments of `bandmate live`.
#[derive(clap::Args, Debug)]
pub struct LiveArgs {
    /// The performance (.mid) to respond to.
    #[arg(long)]
    pub input: PathBuf,
    /// follow (bass, keys, drums over the heard chords), answer (a melody answer after each
    /// phrase) or continue (a new melody phrase after phrase).
    #[arg(long, default_value = "follow", value_parser = mode)]
    pub mode: LiveMode,
    /// Bars per phrase: 1, 2 or 4.
    #[arg(long = "phrase-bars", default_value_t = 2)]
    pub phrase_bars: u32,
    /// After a bar of silence: hold (the last chord) or own (the band's own progression).
    #[arg(long = "on-silence", default_value = "hold", value_parser = on_silence)]
    pub on_silence: OnSilence,
    /// Simulated worker latency in milliseconds (the plugin's is measured by `cargo xtask eval live`).
    #[arg(long = "delay-ms", default_value_t = offline::DEFAULT_DELAY_MS)]
    pub delay_ms: f64,
    /// Answers and continuations by the rules only (default: the melody model v2, falling back
    /// to the rules with a notice when it cannot run).
    #[arg(long)]
    pub rules: bool,
    /// Random seed: the same input, arguments and seed give a byte-identical file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output .mid path (the input's tracks plus "live ..." tracks).
    #[arg(long, short)]
    pub out: PathBuf,
}

fn mode(s: &str) -> Result<LiveMode, String> {
    LiveMode::parse(s).map_err(|e| e.to_string())
}

fn on_silence(s: &str) -> Result<OnSilence, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "hold" => Ok(OnSilence::Hold),
        "own" => Ok(OnSilence::Own),
        _ => Err(format!("unknown silence behaviour {s:?} (use hold or own)")),
    }
}

/// Runs `bandmate live`.
pub fn run(a: &LiveArgs) -> Result<()> {
    if !(a.delay_ms.is_finite() && (0.0..=2000.0).contains(&a.delay_ms)) {
        anyhow::bail!("--delay-ms must be 0..=2000, got {}", a.delay_ms);
    }
    let bytes =
        std::fs::read(&a.input).with_context(|| format!("reading {}", a.input.display()))?;
    let clip = import::import(&bytes)
        .with_context(|| format!("{} is not a usable MIDI file", a.input.display()))?;
    let key = keydetect::detect_clip(&clip).map_or(clip.key, |k| k.key);
    let settings = LiveSettings {
        mode: a.mode,
        phrase_bars: a.phrase_bars,
        meter: clip.meter,
        key,
        on_silence: a.on_silence,
        delay_ticks: offline::delay_ticks(a.delay_ms, clip.tempo_bpm),
        lead_ticks: 0,
        model: !a.rules,
        seed: a.seed,
    };
    let (out, engine) = offline::respond(&clip, settings)?;
    let bytes = smf::write(&out)?;
    std::fs::write(&a.out, &bytes).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "heard:  {} chord changes, key {}, {} phrases written",
        engine.switches().len(),
        engine.key(),
        engine.phrases().len()
    );
    for n in engine.notices() {
        println!("notice: {n}");
    }
    println!(
        "wrote {} ({} bytes, {} response notes)",
        a.out.display(),
        bytes.len(),
        engine.response().len()
    );
    Ok(())
}
