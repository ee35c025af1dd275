//! Dependency changes since the previous release: the components of this release against those
//! of the newest earlier evidence directory of the same product next to it. Packages are keyed
//! by (name, version, source), so two versions of one crate never collapse; a crate whose single
//! version from one source was replaced by another is reported as changed.

use super::MANIFEST_FILE;
use super::model::{DependencyChanges, Manifest};
use crate::sbom::SbomModel;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (name, version, source)
type Key = (String, String, String);

pub fn since_previous(dir: &Path, manifest: &Manifest, models: &[SbomModel]) -> DependencyChanges {
    let now: BTreeSet<Key> = models
        .iter()
        .flat_map(|m| {
            m.components
                .iter()
                .map(|c| (c.name.clone(), c.version.clone(), c.source.clone()))
        })
        .collect();
    let Some((label, previous)) = previous_components(dir, manifest) else {
        return DependencyChanges::default();
    };
    compare(label, &previous, &now)
}

/// The changes from `previous` to `now`.
pub fn compare(label: String, previous: &BTreeSet<Key>, now: &BTreeSet<Key>) -> DependencyChanges {
    let added: Vec<&Key> = now.difference(previous).collect();
    let removed: Vec<&Key> = previous.difference(now).collect();
    // (name, source) → versions added / removed.
    type Versions<'a> = (Vec<&'a str>, Vec<&'a str>);
    let mut by_name: BTreeMap<(&str, &str), Versions<'_>> = BTreeMap::new();
    for (n, v, s) in &added {
        by_name.entry((n, s)).or_default().0.push(v);
    }
    for (n, v, s) in &removed {
        by_name.entry((n, s)).or_default().1.push(v);
    }
    let mut out = DependencyChanges {
        baseline: Some(label),
        ..Default::default()
    };
    for ((name, source), (new, old)) in by_name {
        let shown = |v: &str| {
            if source == "crates.io" {
                format!("{name} {v}")
            } else {
                format!("{name} {v} ({source})")
            }
        };
        if new.len() == 1 && old.len() == 1 {
            out.changed.push(format!("{} → {}", shown(old[0]), new[0]));
            continue;
        }
        out.added.extend(new.iter().map(|v| shown(v)));
        out.removed.extend(old.iter().map(|v| shown(v)));
    }
    out
}

/// The components of the previous release: the evidence directory of the highest earlier
/// version next to this one. (Not the directory being replaced, so that a re-run gives the
/// same record.)
fn previous_components(dir: &Path, manifest: &Manifest) -> Option<(String, BTreeSet<Key>)> {
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
    let (v, d) = best?;
    Some((format!("{} {v}", manifest.product.name), components(&d)?))
}

/// The components listed by the CycloneDX SBOMs of an evidence directory.
pub fn components(d: &Path) -> Option<BTreeSet<Key>> {
    let text = std::fs::read_to_string(d.join(MANIFEST_FILE)).ok()?;
    let m: serde_json::Value = serde_json::from_str(&text).ok()?;
    let mut out = BTreeSet::new();
    for s in m["sbom"].as_array()? {
        let path = s["path"].as_str()?;
        if !path.ends_with(".cdx.json") || !crate::util::paths::stays_inside(path) {
            continue;
        }
        let bom: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join(path)).ok()?).ok()?;
        for c in bom["components"].as_array()? {
            let source = c["properties"]
                .as_array()
                .and_then(|p| {
                    p.iter()
                        .find(|p| p["name"] == "release-evidence:source")
                        .and_then(|p| p["value"].as_str())
                })
                .unwrap_or("crates.io");
            out.insert((
                c["name"].as_str()?.to_owned(),
                c["version"].as_str()?.to_owned(),
                source.to_owned(),
            ));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: &str, v: &str, s: &str) -> Key {
        (n.into(), v.into(), s.into())
    }

    #[test]
    fn two_versions_of_one_crate_do_not_collapse() {
        let prev = BTreeSet::from([
            k("syn", "1.0.0", "crates.io"),
            k("syn", "2.0.0", "crates.io"),
            k("log", "0.4.1", "crates.io"),
        ]);
        let now = BTreeSet::from([
            k("syn", "2.0.0", "crates.io"),
            k("log", "0.4.2", "crates.io"),
            k("log", "0.4.2", "git+https://example.com/log#abc"),
        ]);
        let c = compare("p 1.0.0".into(), &prev, &now);
        assert_eq!(c.removed, vec!["syn 1.0.0"]);
        assert_eq!(c.changed, vec!["log 0.4.1 → 0.4.2"]);
        assert_eq!(c.added, vec!["log 0.4.2 (git+https://example.com/log#abc)"]);
    }
}
