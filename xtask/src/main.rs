//! Project tasks: `bundle` (nice-plug-xtask), `install`, `train`, `eval`, `bless`.

mod bundle;
mod eval;
mod install;
mod train;

/// The workspace root (xtask's parent folder).
fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("install") => install::run(&args[1..]),
        Some("train") => train::run(&args[1..]),
        Some("eval") => eval::run(&args[1..]),
        Some("bundle") => bundle::run(&root(), args.clone()),
        _ => nice_plug_xtask::main().map_err(|e| anyhow::anyhow!("{e}")),
    }
}
