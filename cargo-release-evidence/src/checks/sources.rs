//! Sources and supplier inputs: registries and git repositories must be allowed; git,
//! non-default-registry and out-of-workspace path packages need a `[[supplier]]` review
//! pinning exactly what was reviewed; supplier artifacts must match their digests.

use super::Context;
use super::approvals::normalize_url;
use crate::findings::{Code, Finding};
use crate::util::digest;
use crate::workspace::lockfile::LockInfo;
use crate::workspace::{ShippedPackage, Source};

pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let sources = &cx.policy.data.sources;
    let suppliers = &cx.policy.data.supplier;
    let mut used = vec![false; suppliers.len()];
    let mut lock_checksums: Option<LockInfo> = None;
    // (Cargo.lock is read only when a package from another registry needs its checksum.)

    for pkg in cx.third_party() {
        let package = pkg.package_ref();
        let allowed = match &pkg.source {
            Source::CratesIo => sources.allow_registries.iter().any(|r| r == "crates.io"),
            Source::Registry(url) => sources
                .allow_registries
                .iter()
                .any(|r| normalize_url(r) == normalize_url(url)),
            Source::Git { url, .. } => sources
                .allow_git
                .iter()
                .any(|g| normalize_url(g) == normalize_url(url)),
            Source::Path(_) | Source::Workspace(_) => true,
        };
        if !allowed {
            let (what, key) = match &pkg.source {
                Source::Git { url, .. } => (url.clone(), "allow-git"),
                Source::CratesIo => ("crates.io".to_owned(), "allow-registries"),
                Source::Registry(url) => (url.clone(), "allow-registries"),
                _ => (String::new(), ""),
            };
            findings.push(
                Finding::new(
                    Code::SourceNotAllowed,
                    format!("{package} comes from `{what}`, which [sources] does not allow"),
                    format!(
                        "add \"{what}\" to [sources] {key} after reviewing that source, or take the crate from an allowed source"
                    ),
                )
                .package(package.clone())
                .via(cx.via(pkg)),
            );
        }

        if !pkg.is_supplier_input() {
            continue;
        }
        let candidates: Vec<usize> = (0..suppliers.len())
            .filter(|&i| {
                let s = suppliers[i].get_ref();
                s.name == pkg.name && s.reviews_crate()
            })
            .collect();
        if candidates.is_empty() {
            let pin = match pin_of(cx, pkg, &mut lock_checksums) {
                Ok(p) => p,
                Err(e) => format!("<{e}>"),
            };
            findings.push(
                Finding::new(
                    Code::SupplierUnreviewed,
                    format!(
                        "{package} is a supplier input ({}) without a [[supplier]] review",
                        kind_of(&pkg.source)
                    ),
                    format!(
                        "review it and add [[supplier]] name = \"{}\", {pin}, reviewed-by, date, rationale",
                        pkg.name
                    ),
                )
                .package(package)
                .via(cx.via(pkg)),
            );
            continue;
        }
        for &i in &candidates {
            used[i] = true;
        }
        let actual = pin_of(cx, pkg, &mut lock_checksums);
        let matched = candidates.iter().any(|&i| {
            let s = suppliers[i].get_ref();
            let reviewed = s
                .git_commit
                .as_ref()
                .map(|c| format!("git-commit = \"{}\"", c.0))
                .or_else(|| {
                    s.path_sha256
                        .as_ref()
                        .map(|d| format!("path-sha256 = \"{}\"", d.0))
                })
                .or_else(|| {
                    s.checksum
                        .as_ref()
                        .map(|d| format!("checksum = \"{}\"", d.0))
                });
            actual.as_ref().ok() == reviewed.as_ref()
        });
        if !matched {
            let i = candidates[0];
            let actual = match actual {
                Ok(p) => p,
                Err(e) => format!("unknown ({e})"),
            };
            let reviewed_version = suppliers[i]
                .get_ref()
                .version
                .as_ref()
                .filter(|v| !v.0.matches(&pkg.version))
                .map(|v| format!(" (reviewed version `{v}`, now {})", pkg.version))
                .unwrap_or_default();
            findings.push(
                Finding::new(
                    Code::SupplierPinMismatch,
                    format!(
                        "{package} differs from the reviewed supplier input{reviewed_version}: now {actual}"
                    ),
                    format!(
                        "review the changes to {} and update the [[supplier]] entry (version and {actual}), or restore the reviewed delivery",
                        pkg.name
                    ),
                )
                .package(package)
                .via(cx.via(pkg))
                .location(Some(cx.policy.location(&suppliers[i]))),
            );
        }
    }

    for (i, s) in suppliers.iter().enumerate() {
        let entry = s.get_ref();
        if entry.reviews_crate()
            && !used[i]
            && !cx.in_graph(&entry.name, entry.version.as_ref().map(|v| &v.0))
        {
            findings.push(
                Finding::new(
                    Code::SupplierUnused,
                    format!(
                        "[[supplier]] review of crate `{}` matches no package in the dependency graph (any target, any feature)",
                        entry.name
                    ),
                    "remove the entry, or check its name and version".to_owned(),
                )
                .location(Some(cx.policy.location(s))),
            );
        }
        for art in &entry.artifact {
            let a = art.get_ref();
            let path = cx.ws.root.join(&a.path);
            let shown = a.path.display().to_string().replace('\\', "/");
            let problem = match digest::sha256_file(&path) {
                Err(_) if !path.exists() => Some(format!("`{shown}` is missing")),
                Err(e) => Some(format!("`{shown}` cannot be read: {e}")),
                Ok(d) if d != a.sha256.0 => Some(format!(
                    "`{shown}` has sha256 {d}, but {} was reviewed",
                    a.sha256.0
                )),
                Ok(_) => None,
            };
            if let Some(problem) = problem {
                findings.push(
                    Finding::new(
                        Code::SupplierArtifactMismatch,
                        format!("supplier artifact of `{}`: {problem}", entry.name),
                        format!(
                            "restore the reviewed file from {}, or review the new file and update `sha256` in [[supplier.artifact]]",
                            entry.name
                        ),
                    )
                    .location(Some(cx.policy.location(art))),
                );
            }
        }
    }
    findings
}

fn kind_of(source: &Source) -> &'static str {
    match source {
        Source::Git { .. } => "git dependency",
        Source::Registry(_) => "package from a non-default registry",
        Source::Path(_) => "path dependency outside the workspace",
        _ => "package",
    }
}

/// The pin a supplier review must record for this package, as a policy line.
fn pin_of(
    cx: &Context<'_>,
    pkg: &ShippedPackage,
    lock: &mut Option<LockInfo>,
) -> Result<String, String> {
    match &pkg.source {
        Source::Git { commit, .. } => Ok(format!("git-commit = \"{commit}\"")),
        Source::Path(_) => digest::dir_digest(&pkg.dir)
            .map(|d| format!("path-sha256 = \"{d}\""))
            .map_err(|e| e.to_string()),
        Source::Registry(_) => {
            if lock.is_none() {
                *lock =
                    Some(crate::workspace::lockfile::read(&cx.ws.root).map_err(|e| e.to_string())?);
            }
            lock.as_ref()
                .and_then(|l| l.checksum(&pkg.name, &pkg.version.to_string(), &pkg.source))
                .map(|c| format!("checksum = \"{c}\""))
                .ok_or_else(|| "no checksum in Cargo.lock".to_owned())
        }
        _ => Err("not a supplier input".to_owned()),
    }
}
