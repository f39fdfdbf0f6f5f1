//! `cargo xtask bundle bandmate [--release] [--features F] [--no-build]`: one `cargo build` of the
//! plugin and the CLI together (same profile and features, so nothing is compiled twice), then
//! nice-plug-xtask's bundler, then ONNX Runtime copied into Bandmate's private runtime folders:
//! `target/bundled/Bandmate/` beside the .clap and `Bandmate.vst3/Contents/x86_64-linux/`.
//! `--no-build` bundles what an earlier build (e.g. `cargo test --no-run`) left in target/.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The plugin package and the packages built with it.
const PLUGIN: &str = "bandmate";
const WITH: &[&str] = &["bandmate-cli"];
/// The private runtime folder's name, beside `Bandmate.clap`.
pub const RUNTIME_DIR: &str = "Bandmate";

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

/// File name of the plugin's cdylib, e.g. `libbandmate.so`.
fn plugin_library() -> String {
    format!(
        "{}{PLUGIN}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// `cargo test` leaves the plugin's cdylib in `<profile>/deps/` only (a plain build copies it up
/// to `<profile>/`, where the bundler looks): copy it up when it is newer.
fn uplift(profile_dir: &Path) -> Result<()> {
    let name = plugin_library();
    let built = profile_dir.join("deps").join(&name);
    let top = profile_dir.join(&name);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let Some(b) = modified(&built) {
        if modified(&top).is_none_or(|t| t < b) {
            std::fs::copy(&built, &top)
                .with_context(|| format!("copying {} to {}", built.display(), top.display()))?;
        }
    }
    Ok(())
}

/// Cargo arguments for building several packages at once: a bare `--features f` becomes
/// `--features bandmate/f` (cargo only takes bare features for a single package).
fn build_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let qualify = |list: &str| {
            list.split([',', ' '])
                .filter(|f| !f.is_empty())
                .map(|f| {
                    if f.contains('/') {
                        f.to_string()
                    } else {
                        format!("{PLUGIN}/{f}")
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        if a == "--features" || a == "-F" {
            if let Some(list) = it.next() {
                out.push("--features".into());
                out.push(qualify(list));
            }
        } else if let Some(list) = a.strip_prefix("--features=") {
            out.push(format!("--features={}", qualify(list)));
        } else {
            out.push(a.clone());
        }
    }
    out
}

pub fn run(args: &[String]) -> Result<()> {
    let root = crate::root();
    let (flags, packages): (Vec<String>, Vec<String>) = {
        let mut flags = Vec::new();
        let mut packages = Vec::new();
        let mut it = args.iter().peekable();
        while let Some(a) = it.next() {
            if a == "-p" {
                if let Some(p) = it.next() {
                    packages.push(p.clone());
                }
            } else if !a.starts_with('-') && packages.is_empty() && flags.is_empty() {
                packages.push(a.clone());
            } else {
                flags.push(a.clone());
                if a == "--features" || a == "-F" || a == "--profile" || a == "--target" {
                    if let Some(v) = it.next() {
                        flags.push(v.clone());
                    }
                }
            }
        }
        (flags, packages)
    };
    if packages.iter().any(|p| p != PLUGIN) {
        bail!("usage: cargo xtask bundle {PLUGIN} [--release] [--features F] [--no-build]");
    }
    let no_build = flags.iter().any(|f| f == "--no-build");
    let flags: Vec<String> = flags.into_iter().filter(|f| f != "--no-build").collect();
    // The bundler reads bundler.toml and builds from the current folder.
    std::env::set_current_dir(&root)
        .with_context(|| format!("changing to the workspace root {}", root.display()))?;
    if !no_build {
        let mut all = vec![PLUGIN.to_string()];
        all.extend(WITH.iter().map(|s| s.to_string()));
        nice_plug_xtask::build(&all, &build_args(&flags)).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let target = crate::target_dir();
    let profile = if flags.iter().any(|f| f == "--release") {
        "release"
    } else {
        "debug"
    };
    if no_build {
        uplift(&target.join(profile))?;
    }
    let bundled = target.join("bundled");
    // The bundler copies a binary named like the plugin package (here the CLI, `bandmate`) as a
    // standalone app named like the runtime folder: clear the folder first (it is made again
    // below) and remove that copy afterwards.
    let runtime = bundled.join(RUNTIME_DIR);
    if runtime.is_dir() {
        std::fs::remove_dir_all(&runtime)
            .with_context(|| format!("removing {}", runtime.display()))?;
    }
    nice_plug_xtask::bundle(&target, PLUGIN, &flags, false).map_err(|e| anyhow::anyhow!("{e}"))?;
    if runtime.is_file() {
        std::fs::remove_file(&runtime)
            .with_context(|| format!("removing {}", runtime.display()))?;
    }
    if !bundled.join("Bandmate.clap").is_file() {
        bail!(
            "no plugin was bundled: {} has no {}; build it first (cargo test --no-run or cargo build -p {PLUGIN})",
            target.join(profile).display(),
            plugin_library()
        );
    }
    let Some(lib) = onnxruntime_library(&root) else {
        eprintln!(
            "note: libonnxruntime not found (set ORT_DYLIB_PATH or run .ci/deps); the bundles will use the pure-Rust tract backend"
        );
        return Ok(());
    };
    let file_name = lib
        .file_name()
        .map(|n| n.to_os_string())
        .context("ONNX Runtime path has no file name")?;
    let mut dirs = Vec::new();
    if bundled.join("Bandmate.clap").exists() {
        dirs.push(bundled.join(RUNTIME_DIR));
    }
    let vst3_bin = bundled.join("Bandmate.vst3/Contents/x86_64-linux");
    if vst3_bin.is_dir() {
        dirs.push(vst3_bin);
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // One runtime per folder: a stale copy of another version would be tried too.
        for old in std::fs::read_dir(&dir)?.flatten() {
            let n = old.file_name();
            if n.to_str().is_some_and(|n| n.starts_with("libonnxruntime")) && n != file_name {
                std::fs::remove_file(old.path())?;
            }
        }
        let dst = dir.join(&file_name);
        std::fs::copy(&lib, &dst)
            .with_context(|| format!("copying {} to {}", lib.display(), dst.display()))?;
        println!("copied {} to {}", lib.display(), dst.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::build_args;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn features_are_qualified_for_a_multi_package_build() {
        assert_eq!(
            build_args(&s(&["--release", "--features", "assert_process_allocs"])),
            s(&["--release", "--features", "bandmate/assert_process_allocs"])
        );
        assert_eq!(
            build_args(&s(&["--features=a,bandmate-cli/b"])),
            s(&["--features=bandmate/a,bandmate-cli/b"])
        );
    }
}
