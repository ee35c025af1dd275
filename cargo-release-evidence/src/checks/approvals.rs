//! Dependency approval: every shipped third-party package needs a reviewed `[[approved]]`
//! entry whose version requirement matches the locked version. Supplier inputs (git, other
//! registries, out-of-workspace paths) are approved by their `[[supplier]]` review instead,
//! which also pins their content (see `sources`).

use super::{Context, vet};
use crate::findings::{Code, Finding};
use crate::policy::Approval;
use crate::policy::review::BaselineRule;
use crate::policy::values::Day;
use crate::workspace::{ShippedPackage, Source};
use serde_spanned::Spanned;

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
        let rule = baseline_rule(cx, pkg);
        let counts = |i: usize| {
            entry_counts(entries, i, pkg, cx.date) && baseline_allows(&entries[i], &rule, cx.date)
        };
        if full.iter().any(|&i| counts(i)) {
            continue;
        }
        let mut refused = full.iter().copied().find_map(|i| {
            let e = entries[i].get_ref();
            let live = e.baseline && entry_counts(entries, i, pkg, cx.date);
            let why = live.then(|| rule.refuses(e.date, cx.date)).flatten()?;
            Some((Some(i), why))
        });
        let vet_hint = match vet_verdict(cx, pkg) {
            Some(vet::Verdict::Audited(_)) => continue,
            Some(vet::Verdict::Exempted) => match rule.refuses(None, cx.date) {
                None => continue,
                Some(why) => {
                    refused = refused.or(Some((None, why)));
                    String::new()
                }
            },
            Some(vet::Verdict::Missing(hint)) => format!("; {hint}"),
            None => String::new(),
        };
        let package = pkg.package_ref();
        let fix_review = format!(
            "review {} {} (`cargo release-evidence review`) and record it with `review approve {}@{}`",
            pkg.name, pkg.version, pkg.name, pkg.version
        );
        if let Some((at, why)) = refused {
            let kind = if at.is_some() {
                "baseline entry"
            } else {
                "cargo-vet exemption (a baseline entry)"
            };
            let finding = Finding::new(
                Code::ApprovalBaselineRefused,
                format!(
                    "{package}: its {kind} does not approve it: {}",
                    why.describe()
                ),
                fix_review,
            )
            .location(Some(match at {
                Some(i) => cx.policy.location(&entries[i]),
                None => cx.policy.section_location("review"),
            }));
            findings.push(finding.package(package).via(cx.via(pkg)));
            continue;
        }
        let unrooted = full.iter().copied().find(|&i| {
            let e = entries[i].get_ref();
            e.from.is_some() && !e.pending_review && !e.expired(cx.date)
        });
        let expired = full
            .iter()
            .copied()
            .find(|&i| !entries[i].get_ref().pending_review);
        let finding = if let Some(i) = unrooted {
            let from = entries[i].get_ref().from.clone().expect("a delta entry");
            Finding::new(
                Code::ApprovalDeltaUnrooted,
                format!(
                    "{package}: its delta approval from {from} does not chain onto a full review of {} {from}",
                    pkg.name
                ),
                format!(
                    "review {} {} in full (`review approve {}@{} --full`), or record the full review of {from} it builds on",
                    pkg.name, pkg.version, pkg.name, pkg.version
                ),
            )
            .location(Some(cx.policy.location(&entries[i])))
        } else if let Some(i) = expired {
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
        let finding = if vet_hint.is_empty() {
            finding
        } else {
            let fix = format!("{}{vet_hint}", finding.fix);
            Finding { fix, ..finding }
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
        let entries = &cx.policy.data.approved;
        let rule = baseline_rule(cx, pkg);
        let mut valid = (0..entries.len())
            .filter(|&i| {
                let e = entries[i].get_ref();
                e.name == pkg.name
                    && e.version.0.matches(&pkg.version)
                    && source_matches(e.source.as_deref(), pkg)
                    && entry_counts(entries, i, pkg, cx.date)
                    && baseline_allows(&entries[i], &rule, cx.date)
            })
            .map(|i| entries[i].get_ref());
        let (mut reviewed, mut baseline) = (false, false);
        for e in valid.by_ref() {
            if e.baseline {
                baseline = true;
            } else {
                reviewed = true;
            }
        }
        if !reviewed && !baseline {
            match vet_verdict(cx, pkg) {
                Some(vet::Verdict::Audited(_)) => reviewed = true,
                Some(vet::Verdict::Exempted) => {
                    baseline = rule.refuses(None, cx.date).is_none();
                }
                _ => {}
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

/// What `[review]` allows a baseline entry for the package, by the classes of the release
/// members shipping it.
pub fn baseline_rule(cx: &Context<'_>, pkg: &ShippedPackage) -> BaselineRule {
    cx.policy
        .baseline_rule(pkg.via.iter().map(|(member, _)| member.as_str()))
}

/// Whether `[review]` lets the entry count (a review always does).
fn baseline_allows(entry: &Spanned<Approval>, rule: &BaselineRule, date: Day) -> bool {
    let e = entry.get_ref();
    !e.baseline || rule.refuses(e.date, date).is_none()
}

/// The cargo-vet store's verdict on a crates.io package, when the policy imports one.
pub fn vet_verdict(cx: &Context<'_>, pkg: &ShippedPackage) -> Option<vet::Verdict> {
    let store = cx.policy.vet.as_ref()?;
    if !matches!(pkg.source, Source::CratesIo) {
        return None;
    }
    Some(vet::judge(
        store,
        &vet::required(cx.policy),
        &pkg.name,
        &pkg.version,
    ))
}

/// Whether entry `i` counts for `pkg` (whose name, version and source it matches): reviewed
/// (not pending), not expired, and, for a delta approval, chained through counting approvals
/// of each `from` version down to a full review (a baseline entry is no review: no root).
pub fn entry_counts(
    entries: &[Spanned<Approval>],
    i: usize,
    pkg: &ShippedPackage,
    date: Day,
) -> bool {
    let live = |e: &Approval| !e.pending_review && !e.expired(date);
    let first = entries[i].get_ref();
    if !live(first) {
        return false;
    }
    if first.from.is_none() {
        return true;
    }
    let named: Vec<usize> = (0..entries.len())
        .filter(|&j| {
            let e = entries[j].get_ref();
            e.name == first.name && source_matches(e.source.as_deref(), pkg) && live(e)
        })
        .collect();
    let mut seen = vec![false; entries.len()];
    seen[i] = true;
    let mut todo = vec![i];
    while let Some(k) = todo.pop() {
        let e = entries[k].get_ref();
        if e.baseline {
            continue;
        }
        let Some(from) = &e.from else {
            return true;
        };
        for &j in &named {
            if !seen[j] && entries[j].get_ref().version.0.matches(from) {
                seen[j] = true;
                todo.push(j);
            }
        }
    }
    false
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
