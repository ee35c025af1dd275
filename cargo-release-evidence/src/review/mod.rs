//! `review`: what needs a person's decision before the gate passes (a crate not approved,
//! pending review, moved past the version its approval covers, from another source, or whose
//! approval expired), with the facts a reviewer needs, riskiest first. `facts` reads the
//! crates' source from cargo's registry cache (offline); `edit` records the decisions in the
//! policy in place (`review approve`, `review baseline`).

pub mod chain;
pub mod delta;
pub mod edit;
pub mod facts;

use crate::checks::approvals::ApprovalCounts;
use crate::findings::{Code, Kind, Via};
use crate::gate::GateRun;
use crate::policy::license;
use crate::workspace::ShippedPackage;
use serde::Serialize;
use std::cmp::Reverse;

/// Why a crate needs a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// No `[[approved]]` entry names it.
    Unapproved,
    /// Its entry is `pending-review = true` (written by `init`).
    PendingReview,
    /// Approved at other versions only: the locked version moved past the approval.
    VersionMoved,
    /// Approved from another source only.
    SourceChanged,
    /// Its approval (or baseline entry) expired.
    Expired,
    /// Covered by a delta approval whose chain does not reach a full review.
    DeltaUnrooted,
    /// Only a baseline entry covers it, and `[review]` does not let it count for the class of
    /// a member shipping it.
    BaselineRefused,
}

impl Need {
    fn of(code: Code) -> Option<Need> {
        Some(match code {
            Code::ApprovalMissing => Need::Unapproved,
            Code::ApprovalPending => Need::PendingReview,
            Code::ApprovalVersionMismatch => Need::VersionMoved,
            Code::ApprovalSourceMismatch => Need::SourceChanged,
            Code::ApprovalExpired => Need::Expired,
            Code::ApprovalDeltaUnrooted => Need::DeltaUnrooted,
            Code::ApprovalBaselineRefused => Need::BaselineRefused,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Need::Unapproved => "not approved",
            Need::PendingReview => "pending review",
            Need::VersionMoved => "version moved past its approval",
            Need::SourceChanged => "approved from another source",
            Need::Expired => "approval expired",
            Need::DeltaUnrooted => "delta approval without a full review to chain onto",
            Need::BaselineRefused => "its baseline entry does not count for its safety class",
        }
    }
}

/// One crate to decide on.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub name: String,
    pub version: String,
    pub source: String,
    pub need: Need,
    /// The license as read (with the declared text when it had to be interpreted).
    pub license: String,
    /// Linked into an artifact, or only run at build time.
    pub kind: Kind,
    pub build_script: bool,
    pub proc_macro: bool,
    /// Size and `unsafe` count of its source; `None`: not in cargo's registry cache.
    pub code: Option<facts::SourceFacts>,
    /// Version requirements of this crate's earlier (non-pending) approvals.
    pub approved_before: Vec<String>,
    /// RustSec advisories for the crate, each `ID (affects this version)` or
    /// `ID (other versions)`.
    pub advisories: Vec<String>,
    pub via: Vec<Via>,
}

impl Item {
    /// Code that runs on the build machine: a build-time dependency, build script or proc-macro.
    pub fn runs_at_build(&self) -> bool {
        self.kind == Kind::BuildTime || self.build_script || self.proc_macro
    }

    fn unsafe_count(&self) -> usize {
        self.code.as_ref().map_or(0, |c| c.unsafe_count)
    }
}

/// The `review` report.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The policy file (relative to the workspace root).
    pub policy: String,
    /// Crates the gate counts as approved, by a review or by a baseline entry.
    pub approved: ApprovalCounts,
    /// What needs a decision, riskiest first.
    pub items: Vec<Item>,
    /// Crates approved by the cargo-vet store's audits, each credited to its auditors (and the
    /// organisation of an imported audit).
    pub cargo_vet: Vec<VetCredit>,
}

/// A crate approved by cargo-vet audits.
#[derive(Debug, Clone, Serialize)]
pub struct VetCredit {
    pub name: String,
    pub version: String,
    /// The audits, the one of the shipped version first.
    pub audits: Vec<String>,
}

/// Builds the review list from a gate run (its approval findings), reading source facts from
/// cargo's registry cache through the cache under `cache_dir`.
pub fn list(run: &GateRun, cache_dir: &std::path::Path) -> Review {
    let entries = &run.policy.data.approved;
    let mut wanted: Vec<(&ShippedPackage, Need, Vec<Via>)> = Vec::new();
    for f in &run.report.findings {
        let (Some(need), Some(p)) = (Need::of(f.code), &f.package) else {
            continue;
        };
        if let Some(pkg) = run.packages.iter().find(|s| {
            s.name == p.name && s.version.to_string() == p.version && s.source.display() == p.source
        }) {
            wanted.push((pkg, need, f.via.clone()));
        }
    }
    let dirs: Vec<_> = wanted.iter().map(|(p, _, _)| facts::locate(p)).collect();
    let code = facts::gather(&dirs, cache_dir);
    let mut items: Vec<Item> = wanted
        .into_iter()
        .zip(code)
        .map(|((pkg, need, via), code)| {
            let meta = run.workspace.graph.metadata(&pkg.id).ok();
            let approved_before = entries
                .iter()
                .map(|e| e.get_ref())
                .filter(|e| e.name == pkg.name && !e.pending_review)
                .map(|e| {
                    let kind = if e.baseline { " (baseline)" } else { "" };
                    format!("{}{kind}", e.version)
                })
                .collect();
            Item {
                name: pkg.name.clone(),
                version: pkg.version.to_string(),
                source: pkg.source.display(),
                need,
                license: license_text(pkg),
                kind: pkg.strongest_kind(),
                build_script: meta.is_some_and(|m| m.has_build_script()),
                proc_macro: meta.is_some_and(|m| m.is_proc_macro()),
                code,
                approved_before,
                advisories: advisories(run, pkg),
                via,
            }
        })
        .collect();
    items.sort_by(|a, b| {
        (
            !a.runs_at_build(),
            Reverse(a.unsafe_count()),
            &a.name,
            &a.version,
        )
            .cmp(&(
                !b.runs_at_build(),
                Reverse(b.unsafe_count()),
                &b.name,
                &b.version,
            ))
    });
    Review {
        policy: run.policy.display_path.clone(),
        approved: run.report.summary.approvals,
        items,
        cargo_vet: vet_credits(run),
    }
}

fn vet_credits(run: &GateRun) -> Vec<VetCredit> {
    let Some(store) = &run.policy.vet else {
        return Vec::new();
    };
    let required = crate::checks::vet::required(&run.policy);
    let mut out: Vec<VetCredit> = run
        .packages
        .iter()
        .filter(|p| p.is_third_party() && matches!(p.source, crate::workspace::Source::CratesIo))
        .filter_map(
            |p| match crate::checks::vet::judge(store, &required, &p.name, &p.version) {
                crate::checks::vet::Verdict::Audited(audits) => Some(VetCredit {
                    name: p.name.clone(),
                    version: p.version.to_string(),
                    audits,
                }),
                _ => None,
            },
        )
        .collect();
    out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    out.dedup_by(|a, b| a.name == b.name && a.version == b.version);
    out
}

fn license_text(pkg: &ShippedPackage) -> String {
    match pkg.license.as_deref() {
        Some(text) => match license::read(text) {
            Ok(d) => d.describe(),
            Err(_) => format!("`{text}` (not an SPDX expression)"),
        },
        None if pkg.license_file.is_some() => "license-file only".to_owned(),
        None => "none declared".to_owned(),
    }
}

fn advisories(run: &GateRun, pkg: &ShippedPackage) -> Vec<String> {
    let Some(list) = run.db.by_crate.get(&pkg.name) else {
        return Vec::new();
    };
    let version = pkg.version.to_string();
    list.iter()
        .map(|a| {
            let id = a.metadata.id.to_string();
            let hit = run
                .hits
                .iter()
                .any(|h| h.name == pkg.name && h.version == version && h.advisory == id);
            let which = if hit {
                "affects this version"
            } else {
                "other versions"
            };
            format!("{id} ({which})")
        })
        .collect()
}
