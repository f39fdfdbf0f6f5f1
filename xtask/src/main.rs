//! Project tasks: `bundle` and `install` (nice-plug-xtask, plus ONNX Runtime in Bandmate's
//! private runtime folder), `train` (the Python recipe), `eval` (runs the `bandmate-eval`
//! package). xtask itself never depends on the engine, so these build in seconds.

mod bundle;
mod install;
mod train;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (xtask's parent folder).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The cargo target folder: `CARGO_TARGET_DIR` or `<root>/target`.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The cargo that runs this task (so `cargo +toolchain xtask` stays on that toolchain).
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs `cmd` to completion, failing with its exit status.
pub(crate) fn run_cmd(cmd: &mut Command) -> Result<()> {
    eprintln!("+ {cmd:?}");
    let st = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !st.success() {
        bail!("{cmd:?} failed with {st}");
    }
    Ok(())
}

/// `cargo xtask eval [--release] ARGS`: builds and runs `bandmate-eval` (debug by default, sharing
/// the test build's artifacts).
fn eval(args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some("corpus") {
        return eval_corpus(&args[1..]);
    }
    let (release, rest): (Vec<&String>, Vec<&String>) =
        args.iter().partition(|a| a.as_str() == "--release");
    let mut cmd = cargo();
    cmd.current_dir(root()).args(["run", "-p", "bandmate-eval"]);
    if !release.is_empty() {
        cmd.arg("--release");
    }
    run_cmd(cmd.arg("--").args(rest))
}

/// `cargo xtask eval corpus --data DIR [--json] [--split S]`: NLL per event of chord model v2
/// and of the 3-gram on a folder laid out like ../shared/data, read by the training recipe's own
/// corpus readers (models/train/eval_corpus.py), so evaluation and training parse alike.
fn eval_corpus(args: &[String]) -> Result<()> {
    if !args.iter().any(|a| a == "--data") {
        bail!("usage: cargo xtask eval corpus --data DIR [--json] [--split all|train|valid|test]");
    }
    let py = train::recipe_python()?;
    run_cmd(
        Command::new(py)
            .arg(root().join("models").join("train").join("eval_corpus.py"))
            .args(args)
            .current_dir(root()),
    )
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("install") => install::run(&args[1..]),
        Some("train") => train::run(&args[1..]),
        Some("eval") => eval(&args[1..]),
        Some("bundle") => bundle::run(&args[1..]),
        _ => nice_plug_xtask::main().map_err(|e| anyhow::anyhow!("{e}")),
    }
}
