//! The release record's changes since the previous release: `ledger::diff` between that
//! release and this one — the previous release of the product retained in the ledger (the one
//! `update-manifest.json` reads) when there is one, else the evidence directory of the highest
//! earlier version next to this one.

use crate::error::{Error, Result};
use crate::evidence::changes::previous_dir;
use crate::evidence::model::{DependencyChanges, Manifest};
use crate::gate::GateRun;
use crate::ledger::index::{self, Component, Release};
use crate::ledger::{self, diff, query};
use crate::sbom::SbomModel;
use serde_json::Value;
use std::path::Path;

/// The earlier release: where it was read, its index and its manifest.
type Previous = (String, Release, Value);

pub fn since_previous(
    run: &GateRun,
    dir: &Path,
    manifest: &Manifest,
    models: &[SbomModel],
) -> Result<DependencyChanges> {
    let previous = match from_ledger(run, manifest)? {
        Some(p) => Some(p),
        None => from_directory(dir, manifest),
    };
    let Some((compared_with, before, before_manifest)) = previous else {
        return Ok(DependencyChanges::default());
    };
    let value = serde_json::to_value(manifest)
        .map_err(|e| Error::Environment(format!("the manifest as JSON: {e}")))?;
    let components = models
        .iter()
        .flat_map(|m| &m.components)
        .map(|c| Component {
            name: c.name.clone(),
            version: c.version.clone(),
            source: c.source.clone(),
            purl: c.purl.clone(),
            kind: c.kind.to_string(),
        })
        .collect();
    let now = index::from_manifest(&value, components);
    let report = diff::diff(
        &before,
        &diff::advisories(&before_manifest),
        &now,
        &diff::advisories(&value),
    );
    Ok(diff::record_changes(&report, compared_with))
}

/// The highest earlier version of the product the ledger retains (this target preferred).
fn from_ledger(run: &GateRun, manifest: &Manifest) -> Result<Option<Previous>> {
    let Some(location) = super::update::ledger_location(run) else {
        return Ok(None);
    };
    let Ok(mine) = semver::Version::parse(&manifest.product.version) else {
        return Ok(None);
    };
    let store = ledger::open(&location)?;
    let best = store
        .releases()?
        .into_iter()
        .filter(|s| s.product == manifest.product.name)
        .filter_map(|s| Some((semver::Version::parse(&s.version).ok()?, s)))
        .filter(|(v, _)| *v < mine)
        .max_by(|(va, a), (vb, b)| {
            (va, a.target == manifest.target).cmp(&(vb, b.target == manifest.target))
        });
    let Some((_, best)) = best else {
        return Ok(None);
    };
    let (release, value) = query::retained(
        store.as_ref(),
        &best.product,
        &best.version,
        Some(&best.target),
    )?;
    let label = format!(
        "the ledger {} (evidence {})",
        store.location(),
        release.evidence_digest
    );
    Ok(Some((label, release, value)))
}

/// The evidence directory of the highest earlier version next to this one; a directory that
/// cannot be read is no comparison.
fn from_directory(dir: &Path, manifest: &Manifest) -> Option<Previous> {
    let d = previous_dir(dir, manifest)?;
    let (release, value) = index::read_documents(&d).ok()?;
    let name = d.file_name()?.to_string_lossy().into_owned();
    Some((format!("the evidence directory {name}"), release, value))
}
