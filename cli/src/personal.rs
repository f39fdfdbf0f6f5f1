//! `bandmate learn DIR --name NAME`, `bandmate styles --show NAME` and the `--personal` option of
//! `bandmate generate`: personal styles in the user's data folder
//! (`$XDG_DATA_HOME/bandmate/styles/NAME`). Ctrl-C stops a learning run before anything is
//! written (the profile is written in one step at the end).

use anyhow::{Context, Result};
use bandmate_engine::personal::{self, store, summary, PersonalStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct LearnArgs {
    /// Folder of your MIDI files (.mid/.midi, read in every subfolder).
    pub dir: PathBuf,
    /// Name of the style to make (replaces one of the same name).
    #[arg(long)]
    pub name: String,
}

/// The folder holding personal styles.
pub fn styles_dir() -> Result<PathBuf> {
    store::styles_dir().ok_or_else(|| personal::PersonalError::NoDataDir.into())
}

/// Loads personal style `name` from the data folder.
pub fn load(name: &str) -> Result<PersonalStyle> {
    Ok(store::load(&styles_dir()?, name)?)
}

/// `bandmate learn`.
pub fn learn(a: &LearnArgs) -> Result<()> {
    let dir = styles_dir()?;
    store::check_name(&a.name)?;
    let t0 = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let cancel = AtomicBool::new(false);
    let mut last_shown = usize::MAX;
    let learned = personal::learn(&a.dir, &a.name, &cancel, |done, total, file| {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        if tty {
            eprint!("\rlearning {done}/{total} files ({pct}%)");
            let _ = std::io::stderr().flush();
        } else if pct / 10 != last_shown || done == total {
            last_shown = pct / 10;
            eprintln!(
                "learning {done}/{total} files ({pct}%) {}",
                shown(file, &a.dir)
            );
        }
    })
    .with_context(|| format!("learning from {}", a.dir.display()))?;
    if tty {
        eprintln!();
    }
    for s in &learned.skipped {
        println!("skipped {}: {}", shown(&s.path, &a.dir), s.reason);
    }
    let path = store::save(&dir, &learned.profile)?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let style = PersonalStyle::new(learned.profile)?;
    println!(
        "learned style {:?} from {} files ({} skipped) in {:.2} s",
        a.name,
        learned.used,
        learned.skipped.len(),
        t0.elapsed().as_secs_f64()
    );
    println!(
        "wrote {} ({} bytes, profile {})",
        path.display(),
        size,
        style.short_hash()
    );
    print!("{}", summary::text(&style));
    Ok(())
}

fn shown(file: &Path, root: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// `bandmate styles --show NAME`.
pub fn show(name: &str) -> Result<()> {
    let style = load(name)?;
    print!("{}", summary::text(&style));
    Ok(())
}

/// The personal styles line of `bandmate styles`.
pub fn list_line() -> String {
    match store::styles_dir() {
        Some(d) => {
            let names = store::list(&d);
            if names.is_empty() {
                format!(
                    "personal: none yet in {} (bandmate learn DIR --name NAME)",
                    d.display()
                )
            } else {
                format!("personal: {} (in {})", names.join(", "), d.display())
            }
        }
        None => "personal: no data folder (set XDG_DATA_HOME or HOME)".into(),
    }
}
