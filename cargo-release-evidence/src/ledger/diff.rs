//! `diff A B`: what changed between two releases (evidence directories or ledger entries):
//! shipped packages added, removed and changed (with the semver kind of each bump), source and
//! linked/build-time changes, advisories newly affecting or cleared, exceptions and approvals
//! added or removed, artifact size and digest.

use super::index::{Approval, Component, Exception, Release};
use crate::evidence::model::DependencyChanges;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One side of the diff.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub product: String,
    pub version: String,
    pub target: String,
    pub decision: String,
    pub evidence_digest: String,
}

/// A package whose version changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Changed {
    pub name: String,
    pub from: String,
    pub to: String,
    /// `major`, `minor`, `patch`, `pre-release`, `build` or `downgrade`.
    pub bump: String,
    /// Whether cargo treats the two as compatible (`^from` matches `to`).
    pub compatible: bool,
    /// `linked` or `build-time` in B.
    pub kind: String,
}

/// A package at the same version whose source or kind changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Moved {
    pub name: String,
    pub version: String,
    pub from: String,
    pub to: String,
}

/// An advisory on a package, as the gate recorded it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct AdvisoryRef {
    pub advisory: String,
    pub package: String,
    pub code: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactChange {
    pub path: String,
    pub from_sha256: Option<String>,
    pub to_sha256: Option<String>,
    pub from_size: Option<u64>,
    pub to_size: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub a: Side,
    pub b: Side,
    pub added: Vec<Component>,
    pub removed: Vec<Component>,
    pub changed: Vec<Changed>,
    pub source_changed: Vec<Moved>,
    pub kind_changed: Vec<Moved>,
    pub advisories_new: Vec<AdvisoryRef>,
    pub advisories_cleared: Vec<AdvisoryRef>,
    pub exceptions_added: Vec<Exception>,
    pub exceptions_removed: Vec<Exception>,
    /// Approvals as recorded (`verify` checks them).
    pub approvals_added: Vec<Approval>,
    pub approvals_removed: Vec<Approval>,
    pub artifacts: Vec<ArtifactChange>,
}

fn side(r: &Release) -> Side {
    Side {
        product: r.product.clone(),
        version: r.version.clone(),
        target: r.target.clone(),
        decision: r.decision.clone(),
        evidence_digest: r.evidence_digest.clone(),
    }
}

/// The advisories the gate recorded in a manifest (`gate.findings[]` with an advisory).
pub fn advisories(manifest: &Value) -> Vec<AdvisoryRef> {
    let mut out: Vec<AdvisoryRef> = manifest["gate"]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            Some(AdvisoryRef {
                advisory: f["advisory"].as_str()?.to_owned(),
                package: f["package"].as_str().unwrap_or_default().to_owned(),
                code: f["code"].as_str().unwrap_or_default().to_owned(),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The kind of the bump from `a` to `b` and whether cargo treats them as compatible.
pub fn bump(a: &str, b: &str) -> (String, bool) {
    let (Ok(x), Ok(y)) = (semver::Version::parse(a), semver::Version::parse(b)) else {
        return ("unknown".to_owned(), false);
    };
    let compatible = semver::VersionReq::parse(&format!("^{x}")).is_ok_and(|r| r.matches(&y));
    let kind = if y < x {
        "downgrade"
    } else if x.major != y.major {
        "major"
    } else if x.minor != y.minor {
        "minor"
    } else if x.patch != y.patch {
        "patch"
    } else if x.pre != y.pre {
        "pre-release"
    } else {
        "build"
    };
    (kind.to_owned(), compatible)
}

fn minus<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

/// Compares release `a` (with its manifest's advisories) with release `b`.
pub fn diff(a: &Release, adv_a: &[AdvisoryRef], b: &Release, adv_b: &[AdvisoryRef]) -> DiffReport {
    let by_name = |r: &Release| {
        let mut m: BTreeMap<String, Vec<Component>> = BTreeMap::new();
        for c in &r.components {
            m.entry(c.name.clone()).or_default().push(c.clone());
        }
        m
    };
    let (ma, mb) = (by_name(a), by_name(b));
    let names: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    let mut report = DiffReport {
        a: side(a),
        b: side(b),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        source_changed: Vec::new(),
        kind_changed: Vec::new(),
        advisories_new: minus(adv_b, adv_a),
        advisories_cleared: minus(adv_a, adv_b),
        exceptions_added: minus(&b.exceptions, &a.exceptions),
        exceptions_removed: minus(&a.exceptions, &b.exceptions),
        approvals_added: Vec::new(),
        approvals_removed: Vec::new(),
        artifacts: Vec::new(),
    };
    let empty = Vec::new();
    for name in names {
        let (xa, xb) = (
            ma.get(name).unwrap_or(&empty),
            mb.get(name).unwrap_or(&empty),
        );
        let va: BTreeSet<&str> = xa.iter().map(|c| c.version.as_str()).collect();
        let vb: BTreeSet<&str> = xb.iter().map(|c| c.version.as_str()).collect();
        if va.len() == 1 && vb.len() == 1 && va != vb {
            let (from, to) = (xa[0].version.clone(), xb[0].version.clone());
            let (bump, compatible) = bump(&from, &to);
            report.changed.push(Changed {
                name: name.clone(),
                from,
                to,
                bump,
                compatible,
                kind: xb[0].kind.clone(),
            });
            continue;
        }
        for c in xb.iter().filter(|c| !va.contains(c.version.as_str())) {
            report.added.push(c.clone());
        }
        for c in xa.iter().filter(|c| !vb.contains(c.version.as_str())) {
            report.removed.push(c.clone());
        }
        for ca in xa {
            for cb in xb.iter().filter(|cb| cb.version == ca.version) {
                let moved = |from: &str, to: &str| Moved {
                    name: name.clone(),
                    version: ca.version.clone(),
                    from: from.to_owned(),
                    to: to.to_owned(),
                };
                if ca.source != cb.source {
                    report.source_changed.push(moved(&ca.source, &cb.source));
                }
                if ca.kind != cb.kind {
                    report.kind_changed.push(moved(&ca.kind, &cb.kind));
                }
            }
        }
    }
    report.source_changed.dedup();
    report.kind_changed.dedup();
    let approval_key = |x: &Approval| (x.role.clone(), x.principal.clone(), x.decision.clone());
    let ka: Vec<_> = a.approvals.iter().map(approval_key).collect();
    let kb: Vec<_> = b.approvals.iter().map(approval_key).collect();
    report.approvals_added = b
        .approvals
        .iter()
        .filter(|x| !ka.contains(&approval_key(x)))
        .cloned()
        .collect();
    report.approvals_removed = a
        .approvals
        .iter()
        .filter(|x| !kb.contains(&approval_key(x)))
        .cloned()
        .collect();
    let paths: BTreeSet<&String> = a
        .artifacts
        .iter()
        .chain(&b.artifacts)
        .map(|x| &x.path)
        .collect();
    for path in paths {
        let fa = a.artifacts.iter().find(|x| &x.path == path);
        let fb = b.artifacts.iter().find(|x| &x.path == path);
        report.artifacts.push(ArtifactChange {
            path: path.clone(),
            from_sha256: fa.map(|x| x.sha256.clone()),
            to_sha256: fb.map(|x| x.sha256.clone()),
            from_size: fa.map(|x| x.size),
            to_size: fb.map(|x| x.size),
        });
    }
    report
}

/// The diff as the release record lists it, one line per change (`compared_with`: where the
/// earlier release was read). Approvals are left out: the release being written has none yet.
pub fn record_changes(r: &DiffReport, compared_with: String) -> DependencyChanges {
    let component = |c: &Component| {
        if c.source == "crates.io" {
            format!("{} {} ({})", c.name, c.version, c.kind)
        } else {
            format!("{} {} ({}, {})", c.name, c.version, c.kind, c.source)
        }
    };
    let advisory = |a: &AdvisoryRef| format!("{} on {} ({})", a.advisory, a.package, a.code);
    let exception = |e: &Exception| format!("{} on {} until {}", e.advisory, e.krate, e.expires);
    let size = |s: Option<u64>| s.map_or_else(|| "-".to_owned(), |s| s.to_string());
    DependencyChanges {
        baseline: Some(format!("{} {}", r.a.product, r.a.version)),
        compared_with: Some(compared_with),
        added: r.added.iter().map(component).collect(),
        removed: r.removed.iter().map(component).collect(),
        changed: r
            .changed
            .iter()
            .map(|c| {
                let compat = if c.compatible {
                    "compatible"
                } else {
                    "breaking"
                };
                format!("{} {} → {} ({}, {compat})", c.name, c.from, c.to, c.bump)
            })
            .collect(),
        moved: r
            .source_changed
            .iter()
            .map(|m| format!("{} {}: source {} → {}", m.name, m.version, m.from, m.to))
            .chain(
                r.kind_changed
                    .iter()
                    .map(|m| format!("{} {}: {} → {}", m.name, m.version, m.from, m.to)),
            )
            .collect(),
        advisories_new: r.advisories_new.iter().map(advisory).collect(),
        advisories_cleared: r.advisories_cleared.iter().map(advisory).collect(),
        exceptions_added: r.exceptions_added.iter().map(exception).collect(),
        exceptions_removed: r.exceptions_removed.iter().map(exception).collect(),
        artifacts: r
            .artifacts
            .iter()
            .map(|x| {
                let digest = match (&x.from_sha256, &x.to_sha256) {
                    (None, _) => "new",
                    (_, None) => "no longer released",
                    (a, b) if a == b => "identical",
                    _ => "digest changed",
                };
                format!(
                    "{}: {} → {} bytes, {digest}",
                    x.path,
                    size(x.from_size),
                    size(x.to_size)
                )
            })
            .collect(),
    }
}
