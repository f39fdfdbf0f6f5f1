//! `cargo xtask install [--release]`: bundles the plugin and copies it into ~/.clap and ~/.vst3.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

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

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn run(args: &[String]) -> Result<()> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["xtask", "bundle", "bandmate"])
        .args(args);
    let status = cmd.status().context("running cargo xtask bundle")?;
    if !status.success() {
        bail!("bundling failed");
    }
    let home = PathBuf::from(std::env::var("HOME").context("HOME is not set")?);
    let bundled = root.join("target/bundled");
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
        copy_dir(&clap_src, &clap_dst)?;
    } else {
        std::fs::copy(&clap_src, &clap_dst)?;
    }
    for extra in std::fs::read_dir(&bundled)? {
        let p = extra?.path();
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("libonnxruntime"))
        {
            let name = p.file_name().unwrap_or_default();
            std::fs::copy(&p, clap_dir.join(name))?;
        }
    }
    let vst3_dst = home.join(".vst3/Bandmate.vst3");
    if vst3_dst.exists() {
        std::fs::remove_dir_all(&vst3_dst)?;
    }
    copy_dir(&vst3_src, &vst3_dst)?;
    println!(
        "installed {} and {}",
        clap_dst.display(),
        vst3_dst.display()
    );
    Ok(())
}
