//! Writing one eval's section into a shared markdown document (docs/QUALITY.md,
//! docs/BENCHMARKS.md) between its own markers, leaving the other sections as they are.

use anyhow::{Context, Result};
use std::path::Path;

/// `doc` with the text from `start` to `end` (markers included) replaced by `md`, or `md`
/// appended when the markers are missing.
pub fn splice(doc: &str, md: &str, start: &str, end: &str) -> String {
    match (doc.find(start), doc.find(end)) {
        (Some(i), Some(j)) if i < j => {
            format!("{}{}{}", &doc[..i], md.trim_end(), &doc[j + end.len()..])
        }
        _ => format!("{}\n\n{}\n", doc.trim_end(), md.trim_end()),
    }
}

/// Prints `md`, then splices it into the file at `path` unless `path` is `-`.
pub fn write_section(path: &Path, md: &str, start: &str, end: &str) -> Result<()> {
    print!("{md}");
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let old = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, splice(&old, md, start, end))
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_between_markers_and_keeps_the_rest() {
        let doc = "head\n<!-- a:start -->\nold\n<!-- a:end -->\ntail\n";
        let new = splice(
            doc,
            "<!-- a:start -->\nnew\n<!-- a:end -->\n",
            "<!-- a:start -->",
            "<!-- a:end -->",
        );
        assert_eq!(new, "head\n<!-- a:start -->\nnew\n<!-- a:end -->\ntail\n");
        let appended = splice(
            "head\n",
            "<!-- b:start -->x<!-- b:end -->",
            "<!-- b:start -->",
            "<!-- b:end -->",
        );
        assert_eq!(appended, "head\n\n<!-- b:start -->x<!-- b:end -->\n");
    }
}
