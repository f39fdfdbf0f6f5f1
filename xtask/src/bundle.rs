//! `cargo xtask bundle bandmate [...]`: nice-plug-xtask's bundler, then ONNX Runtime's shared
//! library copied beside the .clap and inside the .vst3 so the native backend loads from there.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Where to take libonnxruntime from: `ORT_DYLIB_PATH`, else the venv `.ci/deps` makes.
fn onnxruntime_library(root: &Path) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return Some(p);
    }
    let lib = root.join("target/ort-venv/lib");
    for py in std::fs::read_dir(&lib).ok()?.flatten() {
        let capi = py.path().join("site-packages/onnxruntime/capi");
        if let Ok(rd) = std::fs::read_dir(&capi) {
            for f in rd.flatten() {
                let name = f.file_name();
                if name
                    .to_str()
                    .is_some_and(|n| n.starts_with("libonnxruntime.so.1"))
                {
                    return Some(f.path());
                }
            }
        }
    }
    None
}

pub fn run(root: &Path, args: Vec<String>) -> Result<()> {
    nice_plug_xtask::main_with_args("cargo xtask", args).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bundled = root.join("target/bundled");
    let Some(lib) = onnxruntime_library(root) else {
        eprintln!(
            "note: libonnxruntime not found (set ORT_DYLIB_PATH or run .ci/deps); the bundles will use the pure-Rust tract backend"
        );
        return Ok(());
    };
    let mut targets = Vec::new();
    if bundled.join("Bandmate.clap").exists() {
        targets.push(bundled.clone());
    }
    let vst3_bin = bundled.join("Bandmate.vst3/Contents/x86_64-linux");
    if vst3_bin.is_dir() {
        targets.push(vst3_bin);
    }
    for dir in targets {
        let dst = dir.join("libonnxruntime.so");
        std::fs::copy(&lib, &dst)
            .with_context(|| format!("copying {} to {}", lib.display(), dst.display()))?;
        println!("copied {} to {}", lib.display(), dst.display());
    }
    Ok(())
}
