//! Arbitrary argv (NUL-separated) for `bandmate generate` through clap's `try_parse_from`, the
//! CLI's `settings()` and, when those accept it, a rules arrangement written as SMF.
#![no_main]

use bandmate_cli::args::{settings, GenerateArgs};
use bandmate_engine::arrange::{self, Source};
use bandmate_engine::smf;
use clap::Parser;
use libfuzzer_sys::fuzz_target;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Generate(GenerateArgs),
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let argv = ["bandmate", "generate"].into_iter().map(str::to_string).chain(text.split('\0').map(str::to_string));
    let Ok(cli) = Cli::try_parse_from(argv) else { return };
    let Command::Generate(args) = cli.command;
    let Ok(mut s) = settings(&args) else { return };
    s.validate().expect("settings() only returns valid settings");
    // The model path is covered by model_bytes and the engine tests; rules keep runs fast.
    s.source = Source::Rules;
    match arrange::generate(&s) {
        Ok(a) => {
            let len = a.clip.length_ticks();
            for p in &a.clip.parts {
                assert!(p.notes.iter().all(|n| n.duration > 0 && n.end() <= len), "{:?} outside the clip", p.kind);
            }
            smf::write(&a.clip).expect("a generated clip can be written");
        }
        Err(_) => {} // unknown part styles etc. are clear errors
    }
});
