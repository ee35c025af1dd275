//! The previous release's evidence directory next to this one, for the record's changes since
//! the previous release when the ledger retains none (the comparison is `ledger::diff`'s).

use super::model::Manifest;
use std::path::{Path, PathBuf};

/// The evidence directory of the highest earlier version of the product next to `dir` (not the
/// directory being replaced, so that a re-run gives the same record).
pub fn previous_dir(dir: &Path, manifest: &Manifest) -> Option<PathBuf> {
    let parent = dir.parent()?;
    let prefix = format!("{}-", manifest.product.name);
    let current = semver::Version::parse(&manifest.product.version).ok()?;
    let mut best: Option<(semver::Version, PathBuf)> = None;
    for e in std::fs::read_dir(parent).ok()?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(v) = name
            .strip_prefix(&prefix)
            .and_then(|v| semver::Version::parse(v).ok())
        else {
            continue;
        };
        if v < current && best.as_ref().is_none_or(|(b, _)| v > *b) {
            best = Some((v, e.path()));
        }
    }
    best.map(|(_, d)| d)
}
