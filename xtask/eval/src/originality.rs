//! `originality [--clips N] [--limit L]`: longest runs of events that generated chord tracks and
//! melodies share with one training song (the shipped indexes), as percentiles, next to the
//! held-out songs' own overlap recorded at training time (models/melody/metrics.json).

use anyhow::{Context, Result};
use bandmate_engine::model::{self, guard, melody::MelodyCond, ChordRequest, MelodyRequest};
use bandmate_engine::originality::{self, Track};
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use midly::num::u7;

const STYLES: [&str; 6] = ["pop", "rock", "soul", "country", "cpop-ballad", "folk"];

fn pct(v: &mut [usize]) -> String {
    v.sort_unstable();
    [10, 25, 50, 75, 90, 99]
        .iter()
        .map(|q| v[(v.len() * q / 100).min(v.len() - 1)].to_string())
        .collect::<Vec<_>>()
        .join("/")
}

pub fn run(args: &[String]) -> Result<()> {
    let clips: usize = crate::opt(args, "--clips").unwrap_or("1000").parse()?;
    let limit: usize = crate::opt(args, "--limit").unwrap_or("8").parse()?;
    let mel_ix = originality::shipped(Track::Melody).context("melody index")?;
    let chord_ix = originality::shipped(Track::Chords).context("chord index")?;
    let (mut raw, mut kept, mut chords_run, mut over) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for i in 0..clips {
        let key = Key::new(
            PitchClass::new((i * 7 % 12) as i32),
            if i % 3 == 2 {
                Mode::NaturalMinor
            } else {
                Mode::Major
            },
        );
        let style = STYLES[i % STYLES.len()];
        let creq = ChordRequest {
            key,
            meter: Meter::COMMON,
            bars: 8,
            style: "pop".into(),
            complexity: 0.5,
            temperature: 1.0,
            top_p: 0.95,
            seed: i as u64,
        };
        let chords = model::generate_chords(&creq)?;
        chords_run.push(chord_ix.longest_run(&originality::chord_events(&chords, key)));
        let req = MelodyRequest {
            key,
            meter: Meter::COMMON,
            bars: 8,
            chords: &chords,
            low: u7::new(60),
            high: u7::new(81),
            temperature: 1.0,
            top_p: 0.95,
            seed: i as u64,
            prime: &[],
        };
        let cond = MelodyCond {
            style,
            section: "verse",
        };
        let first = guard::generate(&req, cond, None, None, limit)?;
        raw.push(mel_ix.longest_run(&originality::melody_events(&first.notes)));
        let g = guard::generate(&req, cond, None, Some(mel_ix), limit)?;
        kept.push(g.run.unwrap_or(0));
        over += usize::from(!g.within_limit);
    }
    println!("originality over {clips} 8-bar clips (4/4, 12 keys, styles {STYLES:?}; chords from {}), longest run shared with one training song, p10/p25/p50/p75/p90/p99:", model::model_id(model::ModelKind::Chords));
    println!("- melody as sampled: {}", pct(&mut raw));
    println!(
        "- melody after the guard (limit {limit}): {} ({over} clips still over the limit)",
        pct(&mut kept)
    );
    println!("- chord track: {}", pct(&mut chords_run));
    Ok(())
}
