//! `generate --prompt`: which settings the flags given on the command line keep, and the report
//! of what the prompt was read as.

use bandmate_engine::clip::PartKind;
use bandmate_engine::prompt::{Field, Interpretation, Target};
use clap::parser::ValueSource;
use clap::ArgMatches;

/// Flag id → the prompt targets it fixes when given on the command line.
fn targets(id: &str, m: &ArgMatches) -> Vec<Target> {
    match id {
        "key" => vec![Target::Tonic, Target::Mode],
        "tempo" => vec![Target::Tempo, Target::TempoFactor],
        "time_sig" => vec![Target::Meter],
        "bars" => vec![Target::Bars],
        "parts" => PartKind::ALL.into_iter().map(Target::PartOn).collect(),
        "style" => vec![Target::Style],
        "complexity" => vec![Target::Complexity],
        "adventure" => vec![Target::Adventure],
        "density" => vec![Target::Density],
        "swing" => vec![Target::Swing],
        "humanize" => vec![Target::Humanize],
        "fill_every" => vec![Target::FillEvery],
        "form" => vec![Target::Form],
        "part_style" => m
            .get_one::<String>("part_style")
            .map(|v| {
                v.split(',')
                    .filter_map(|p| p.split_once('='))
                    .filter_map(|(k, _)| PartKind::parse(k.trim()))
                    .map(Target::PartStyle)
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The targets fixed by flags the user typed (not defaults), with the flag for each.
pub fn kept(m: &ArgMatches) -> Vec<(Target, String)> {
    let ids = [
        "key",
        "tempo",
        "time_sig",
        "bars",
        "parts",
        "style",
        "complexity",
        "adventure",
        "density",
        "swing",
        "humanize",
        "fill_every",
        "form",
        "part_style",
    ];
    let mut out = Vec::new();
    for id in ids {
        if m.value_source(id) == Some(ValueSource::CommandLine) {
            let flag = format!("--{}", id.replace('_', "-"));
            out.extend(targets(id, m).into_iter().map(|t| (t, flag.clone())));
        }
    }
    out
}

/// Reads the prompt; a flagged `--style` also drops what the prompt's genre implied.
pub fn read(text: &str, kept: &[(Target, String)]) -> Interpretation {
    let mut i = bandmate_engine::prompt::interpret(text);
    if kept.iter().any(|(t, _)| *t == Target::Style) {
        i.resolved.drop_field(Field::Style);
    }
    i
}

/// The lines printed before the clip summary.
pub fn report(i: &Interpretation, kept: &[(Target, String)]) -> Vec<String> {
    let mut out = vec![format!("prompt: {:?}", i.prompt)];
    out.extend(i.report().into_iter().map(|l| format!("  {l}")));
    let mut flags: Vec<String> = Vec::new();
    for (t, flag) in kept {
        if i.resolved.winners.contains_key(t) && !flags.iter().any(|f| f.starts_with(flag.as_str()))
        {
            flags.push(format!("{flag} (over the prompt's {})", t.name()));
        }
    }
    if !flags.is_empty() {
        out.push(format!("  flags win: {}", flags.join(", ")));
    }
    out
}
