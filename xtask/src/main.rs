//! Project tasks: `bundle` (nice-plug-xtask), `install`, `train`, `eval`, `bless`.

mod install;
mod train;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("install") => install::run(&args[1..]),
        Some("train") => train::run(&args[1..]),
        _ => nice_plug_xtask::main().map_err(|e| anyhow::anyhow!("{e}")),
    }
}
