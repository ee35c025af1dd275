//! Dependency approval: every shipped third-party package needs a reviewed `[[approved]]`
//! entry whose version requirement matches the locked version. Supplier inputs (git, other
//! registries, out-of-workspace paths) are approved by their `[[supplier]]` review instead,
//! which also pins their content (see `sources`).

use super::Context;
use crate::findings::{Code, Finding};
use crate::workspace::{ShippedPackage, Source};

pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let entries = &cx.policy.data.approved;
    let mut used = vec![false; entries.len()];
    let mut findings = Vec::new();
    for pkg in cx.third_party() {
        let named: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].get_ref().name == pkg.name)
            .collect();
        let version_ok: Vec<usize> = named
            .iter()
            .copied()
            .filter(|&i| entries[i].get_ref().version.0.matches(&pkg.version))
            .collect();
        let full: Vec<usize> = version_ok
            .iter()
            .copied()
            .filter(|&i| source_matches(entries[i].get_ref().source.as_deref(), pkg))
            .collect();
        for &i in &named {
            used[i] = true;
        }
        if pkg.is_supplier_input() {
            continue;
        }
        let counts = |i: usize| {
            let e = entries[i].get_ref();
            !e.pending_review && !e.expired(cx.date)
        };
        if full.iter().any(|&i| counts(i)) {
            continue;
        }
        let package = pkg.package_ref();
        let expired = full
            .iter()
            .copied()
            .find(|&i| !entries[i].get_ref().pending_review);
        let finding = if let Some(i) = expired {
            let e = entries[i].get_ref();
            let kind = if e.baseline {
                "baseline entry"
            } else {
                "approval"
            };
            Finding::new(
                Code::ApprovalExpired,
                format!(
                    "{package}: its {kind} expired on {}",
                    e.expires.map(|d| d.to_string()).unwrap_or_default()
                ),
                format!(
                    "review {} {} (`cargo release-evidence review`) and record the approval with `review approve {}@{}`",
                    pkg.name, pkg.version, pkg.name, pkg.version
                ),
            )
            .location(Some(cx.policy.location(&entries[i])))
        } else if let Some(&i) = full.first() {
            Finding::new(
                Code::ApprovalPending,
                format!("{package} is awaiting review (pending-review = true)"),
                format!(
                    "review {} {} and replace `pending-review = true` with reviewed-by, date and rationale",
                    pkg.name, pkg.version
                ),
            )
            .location(Some(cx.policy.location(&entries[i])))
        } else if let Some(&i) = version_ok.first() {
            let e = entries[i].get_ref();
            Finding::new(
                Code::ApprovalSourceMismatch,
                format!(
                    "{package} is approved only from source `{}`",
                    e.source.as_deref().unwrap_or_default()
                ),
                format!(
                    "review the crate from {} and add an [[approved]] entry with that source",
                    pkg.source.display()
                ),
            )
            .location(Some(cx.policy.location(&entries[i])))
        } else if let Some(&i) = named.first() {
            let reqs: Vec<String> = named
                .iter()
                .map(|&i| format!("`{}`", entries[i].get_ref().version))
                .collect();
            Finding::new(
                Code::ApprovalVersionMismatch,
                format!(
                    "{package} is locked, but the approval covers only {}",
                    reqs.join(", ")
                ),
                format!(
                    "re-review {} at {} and update the [[approved]] version requirement, or lock a version the approval covers",
                    pkg.name, pkg.version
                ),
            )
            .location(Some(cx.policy.location(&entries[i])))
        } else {
            Finding::new(
                Code::ApprovalMissing,
                format!("{package} is not approved"),
                format!(
                    "review the crate and add [[approved]] name = \"{}\", version = \"={}\", reviewed-by, date, rationale to {}",
                    pkg.name, pkg.version, cx.policy.display_path
                ),
            )
        };
        findings.push(finding.package(package).via(cx.via(pkg)));
    }
    for (i, entry) in entries.iter().enumerate() {
        let e = entry.get_ref();
        if !used[i] && !cx.in_graph(&e.name, Some(&e.version.0)) {
            findings.push(
                Finding::new(
                    Code::ApprovalUnused,
                    format!(
                        "[[approved]] {} `{}` matches no package in the dependency graph (any target, any feature)",
                        e.name, e.version
                    ),
                    "remove the entry, or check the crate name".to_owned(),
                )
                .location(Some(cx.policy.location(entry))),
            );
        }
    }
    findings
}

/// How the shipped third-party crates (supplier inputs aside) are approved: by a review, or
/// only by a `baseline` entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApprovalCounts {
    pub reviewed: usize,
    pub baseline: usize,
}

pub fn counts(cx: &Context<'_>) -> ApprovalCounts {
    let mut c = ApprovalCounts::default();
    for pkg in cx.third_party().filter(|p| !p.is_supplier_input()) {
        let mut valid = cx
            .policy
            .data
            .approved
            .iter()
            .map(|e| e.get_ref())
            .filter(|e| {
                e.name == pkg.name
                    && e.version.0.matches(&pkg.version)
                    && source_matches(e.source.as_deref(), pkg)
                    && !e.pending_review
                    && !e.expired(cx.date)
            });
        let (mut reviewed, mut baseline) = (false, false);
        for e in valid.by_ref() {
            if e.baseline {
                baseline = true;
            } else {
                reviewed = true;
            }
        }
        if reviewed {
            c.reviewed += 1;
        } else if baseline {
            c.baseline += 1;
        }
    }
    c
}

/// Whether an approval's optional `source` covers the package's source.
pub fn source_matches(wanted: Option<&str>, pkg: &ShippedPackage) -> bool {
    let Some(wanted) = wanted else {
        return true;
    };
    let wanted = wanted.trim_end_matches('/');
    match &pkg.source {
        Source::CratesIo => wanted == "crates.io",
        Source::Registry(url) => normalize_url(wanted) == normalize_url(url),
        Source::Git { url, .. } => normalize_url(wanted) == normalize_url(url),
        Source::Path(p) | Source::Workspace(p) => wanted.trim_start_matches("path+") == p,
    }
}

/// Normalizes a registry or git URL for comparison: no `registry+`/`sparse+`/`git+` prefix,
/// no trailing `/` or `.git`, lowercase.
pub fn normalize_url(url: &str) -> String {
    let u = url
        .trim_start_matches("registry+")
        .trim_start_matches("sparse+")
        .trim_start_matches("git+");
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    u.to_ascii_lowercase()
}
