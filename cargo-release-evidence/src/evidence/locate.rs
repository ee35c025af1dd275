//! Finding the evidence directory `approve`, `sign` and `report` act on.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The evidence directory: the argument, else the only one under
/// `<target>/<profile>/release-evidence/`.
pub fn locate(explicit: Option<&Path>, root: &Path, profile: &str) -> Result<PathBuf> {
    if let Some(d) = explicit {
        return crate::util::paths::absolute(d);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let base = target
        .join(if profile == "dev" { "debug" } else { profile })
        .join("release-evidence");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.join(crate::evidence::MANIFEST_FILE).is_file()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    match dirs.len() {
        1 => Ok(dirs.remove(0)),
        0 => Err(Error::usage(
            "EVIDENCE_DIR",
            format!(
                "no evidence under {}; run `cargo release-evidence` first or name the directory",
                base.display()
            ),
        )),
        _ => Err(Error::usage(
            "EVIDENCE_DIR",
            format!(
                "several evidence directories under {}; name one: {}",
                base.display(),
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}
