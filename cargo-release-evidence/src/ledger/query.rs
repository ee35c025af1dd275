//! Reading the ledger: the list, one release in full, the evidence directory back byte for
//! byte, and "which retained releases ship this crate?". Each returns a typed report that
//! `render/` prints.

use super::index::{Component, Release};
use super::{Added, Store, Summary};
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `ledger add`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct AddReport {
    pub ledger: String,
    pub outcome: Added,
    pub product: String,
    pub version: String,
    pub target: String,
    pub decision: String,
    pub evidence_digest: String,
    pub bundle_digest: String,
    pub files: usize,
    pub components: usize,
    pub exceptions: usize,
    pub approvals: usize,
}

impl AddReport {
    pub fn new(ledger: &str, outcome: Added, r: &Release) -> AddReport {
        AddReport {
            ledger: ledger.to_owned(),
            outcome,
            product: r.product.clone(),
            version: r.version.clone(),
            target: r.target.clone(),
            decision: r.decision.clone(),
            evidence_digest: r.evidence_digest.clone(),
            bundle_digest: r.bundle_digest.clone(),
            files: r.files.len(),
            components: r.components.len(),
            exceptions: r.exceptions.len(),
            approvals: r.approvals.len(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ListReport {
    pub ledger: String,
    pub releases: Vec<Summary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShowReport {
    pub ledger: String,
    pub releases: Vec<Release>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub product: String,
    pub version: String,
    pub target: String,
    pub evidence_digest: String,
    pub to: PathBuf,
    pub files: usize,
}

/// One retained release shipping the queried crate.
#[derive(Debug, Clone, Serialize)]
pub struct QueryHit {
    pub product: String,
    pub version: String,
    pub target: String,
    pub release_date: String,
    pub support_end: Option<String>,
    pub component: Component,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryReport {
    pub ledger: String,
    #[serde(rename = "crate")]
    pub krate: String,
    /// The version requirement (`None`: every version).
    pub requirement: Option<String>,
    pub releases: Vec<QueryHit>,
}

/// `NAME@VERSION` split at the last `@` (`flag` names the argument in errors).
pub fn split_spec<'a>(spec: &'a str, flag: &str) -> Result<(&'a str, Option<&'a str>)> {
    match spec.rsplit_once('@') {
        Some((n, v)) if !n.is_empty() && !v.is_empty() => Ok((n, Some(v))),
        Some(_) => Err(Error::usage(flag, format!("`{spec}` is not NAME@VERSION"))),
        None if spec.is_empty() => Err(Error::usage(flag, "empty")),
        None => Ok((spec, None)),
    }
}

pub fn list(store: &dyn Store) -> Result<ListReport> {
    Ok(ListReport {
        ledger: store.location().to_owned(),
        releases: store.releases()?,
    })
}

/// The retained releases of `product@version` (on `target` when given).
pub fn find(
    store: &dyn Store,
    product: &str,
    version: &str,
    target: Option<&str>,
) -> Result<Vec<Summary>> {
    Ok(store
        .releases()?
        .into_iter()
        .filter(|s| s.product == product && s.version == version)
        .filter(|s| target.is_none_or(|t| s.target == t))
        .collect())
}

fn not_retained(store: &dyn Store, product: &str, version: &str) -> Error {
    Error::Environment(format!(
        "the ledger {} retains no release {product}@{version}; `ledger list` shows what it holds",
        store.location()
    ))
}

pub fn show(
    store: &dyn Store,
    product: &str,
    version: &str,
    target: Option<&str>,
) -> Result<ShowReport> {
    let found = find(store, product, version, target)?;
    if found.is_empty() {
        return Err(not_retained(store, product, version));
    }
    Ok(ShowReport {
        ledger: store.location().to_owned(),
        releases: found
            .iter()
            .map(|s| store.release(s.id))
            .collect::<Result<_>>()?,
    })
}

/// Writes the retained evidence directory of `product@version` to `to`, which must not exist
/// (or be an empty directory): staged beside it, then renamed into place.
pub fn export(
    store: &dyn Store,
    product: &str,
    version: &str,
    target: Option<&str>,
    to: &Path,
) -> Result<ExportReport> {
    let found = find(store, product, version, target)?;
    let one = match found.as_slice() {
        [] => return Err(not_retained(store, product, version)),
        [one] => one,
        many => {
            let targets: Vec<&str> = many.iter().map(|s| s.target.as_str()).collect();
            return Err(Error::usage(
                "--target",
                format!(
                    "{product}@{version} is retained for several targets ({}); name one with --target",
                    targets.join(", ")
                ),
            ));
        }
    };
    let empty_dir = to.is_dir()
        && std::fs::read_dir(to)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
    if std::fs::symlink_metadata(to).is_ok() && !empty_dir {
        return Err(Error::usage(
            "--to",
            format!(
                "{} already exists; export writes a new directory and never overwrites",
                to.display()
            ),
        ));
    }
    let release = store.release(one.id)?;
    let parent = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let staging = tempfile::Builder::new()
        .prefix(".ledger-export-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(format!("creating a directory in {}", parent.display()), e))?;
    for f in &release.files {
        if !crate::util::paths::stays_inside(&f.path) {
            return Err(Error::Environment(format!(
                "the ledger names a file outside the evidence directory: {}",
                f.path
            )));
        }
        let path = staging.path().join(&f.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)
                .map_err(|e| Error::io(format!("creating {}", p.display()), e))?;
        }
        let content = store.blob(&f.sha256)?;
        std::fs::write(&path, content)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        set_executable(&path, f.executable)?;
    }
    if empty_dir {
        std::fs::remove_dir(to).map_err(|e| Error::io(format!("replacing {}", to.display()), e))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, to).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        Error::io(format!("moving the export to {}", to.display()), e)
    })?;
    Ok(ExportReport {
        product: release.product,
        version: release.version,
        target: release.target,
        evidence_digest: release.evidence_digest,
        to: to.to_path_buf(),
        files: release.files.len(),
    })
}

#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(format!("setting the mode of {}", path.display()), e))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path, _executable: bool) -> Result<()> {
    Ok(())
}

/// The retained releases shipping `name` (at a version matching `req` when given).
pub fn query_crate(store: &dyn Store, name: &str, req: Option<&str>) -> Result<QueryReport> {
    let parsed = req
        .map(|r| {
            semver::VersionReq::parse(r).map_err(|e| {
                Error::usage(
                    "--crate",
                    format!("`{r}` is not a version requirement: {e}"),
                )
            })
        })
        .transpose()?;
    let releases: std::collections::HashMap<i64, Summary> =
        store.releases()?.into_iter().map(|s| (s.id, s)).collect();
    let mut hits: Vec<QueryHit> = store
        .components_named(name)?
        .into_iter()
        .filter(|(_, c)| {
            parsed
                .as_ref()
                .is_none_or(|req| semver::Version::parse(&c.version).is_ok_and(|v| req.matches(&v)))
        })
        .filter_map(|(id, c)| {
            let s = releases.get(&id)?;
            Some(QueryHit {
                product: s.product.clone(),
                version: s.version.clone(),
                target: s.target.clone(),
                release_date: s.release_date.clone(),
                support_end: s.support_end.clone(),
                component: c,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        (&a.product, &a.version, &a.target, &a.component).cmp(&(
            &b.product,
            &b.version,
            &b.target,
            &b.component,
        ))
    });
    Ok(QueryReport {
        ledger: store.location().to_owned(),
        krate: name.to_owned(),
        requirement: req.map(str::to_owned),
        releases: hits,
    })
}

/// A retained release of `product@version` and its manifest (for `diff`).
pub fn retained(
    store: &dyn Store,
    product: &str,
    version: &str,
    target: Option<&str>,
) -> Result<(Release, serde_json::Value)> {
    let found = find(store, product, version, target)?;
    let Some(one) = found.first() else {
        return Err(not_retained(store, product, version));
    };
    if found.len() > 1 {
        return Err(Error::usage(
            "--target",
            format!("{product}@{version} is retained for several targets; name one with --target"),
        ));
    }
    let release = store.release(one.id)?;
    let manifest = release
        .files
        .iter()
        .find(|f| f.path == crate::evidence::MANIFEST_FILE)
        .map(|f| store.blob(&f.sha256))
        .transpose()?
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok((release, manifest))
}
