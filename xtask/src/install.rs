//! `cargo xtask install [--release]`: bundles the plugin (and builds the CLI with it), then copies
//! `Bandmate.clap` into ~/.clap with ONNX Runtime in the private folder ~/.clap/Bandmate/, and
//! `Bandmate.vst3` (runtime inside the bundle) into ~/.vst3.

use crate::bundle::RUNTIME_DIR;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| {
                format!("copying {} to {}", entry.path().display(), target.display())
            })?;
        }
    }
    Ok(())
}

/// Replaces `dst` (a folder) with a copy of `src`.
fn replace_dir(src: &Path, dst: &Path) -> Result<()> {
    if dst.exists() {
        std::fs::remove_dir_all(dst).with_context(|| format!("removing {}", dst.display()))?;
    }
    copy_dir(src, dst)
}

pub fn run(args: &[String]) -> Result<()> {
    let mut bundle_args = vec!["bandmate".to_string()];
    bundle_args.extend(args.iter().cloned());
    crate::bundle::run(&bundle_args)?;

    let home = PathBuf::from(std::env::var("HOME").context("HOME is not set")?);
    let bundled = crate::target_dir().join("bundled");
    let clap_src = bundled.join("Bandmate.clap");
    let vst3_src = bundled.join("Bandmate.vst3");
    if !clap_src.exists() || !vst3_src.exists() {
        bail!(
            "expected {} and {} after bundling",
            clap_src.display(),
            vst3_src.display()
        );
    }
    let clap_dir = home.join(".clap");
    std::fs::create_dir_all(&clap_dir)?;
    let clap_dst = clap_dir.join("Bandmate.clap");
    if clap_src.is_dir() {
        replace_dir(&clap_src, &clap_dst)?;
    } else {
        std::fs::copy(&clap_src, &clap_dst)?;
    }
    let runtime_src = bundled.join(RUNTIME_DIR);
    if runtime_src.is_dir() {
        replace_dir(&runtime_src, &clap_dir.join(RUNTIME_DIR))?;
    }
    for stale in std::fs::read_dir(&clap_dir)?.flatten() {
        let name = stale.file_name();
        if name
            .to_str()
            .is_some_and(|n| n.starts_with("libonnxruntime"))
        {
            println!(
                "note: {} is not used by Bandmate any more (its runtime lives in {}); remove it unless another plugin needs it",
                stale.path().display(),
                clap_dir.join(RUNTIME_DIR).display()
            );
        }
    }
    let vst3_dst = home.join(".vst3/Bandmate.vst3");
    replace_dir(&vst3_src, &vst3_dst)?;
    println!(
        "installed {} (runtime in {}) and {}",
        clap_dst.display(),
        clap_dir.join(RUNTIME_DIR).display(),
        vst3_dst.display()
    );
    Ok(())
}
