//! The evidence model: the release manifest `release-evidence.json` (schema
//! `cargo-release-evidence/manifest`, version 2), its records, and the dependency changes since
//! the previous release. Types only; serialized canonically (sorted keys, LF, trailing newline).

use crate::advisories::DbInfo;
use crate::build::record::BuildRecord;
use crate::findings::{Decision, Finding};
use crate::gate::report::{PolicyInfo, Summary, Tool};
use crate::util::time::Day;
use crate::workspace::source::SourceInfo;
use crate::workspace::toolchain::Toolchain;
use serde::Serialize;

pub const SCHEMA: &str = "cargo-release-evidence/manifest";
/// 2: `verification` is the typed record of `[verification]` (was always `null`).
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool: Tool,
    /// SOURCE_DATE_EPOCH, else the commit time, else the evaluation date (RFC 3339, UTC).
    pub generated_at: String,
    pub product: Product,
    pub source: SourceInfo,
    pub cargo_lock_sha256: String,
    pub policy: PolicyInfo,
    pub toolchain: Toolchain,
    pub target: String,
    pub profile: String,
    pub features: Features,
    /// The release artifacts; `path` is relative to the evidence directory.
    pub artifacts: Vec<FileRecord>,
    pub sbom: Vec<FileRecord>,
    /// The VEX documents beside the SBOM (CycloneDX VEX, OpenVEX).
    pub vex: Vec<FileRecord>,
    pub gate: Gate,
    pub advisory_db: DbInfo,
    pub exceptions_applied: Vec<ExceptionRecord>,
    /// The controlled build's record; `null` with `--no-build`.
    pub build: Option<BuildRecord>,
    /// Approvals are separate signed files next to the manifest (`approval-*.json`); the
    /// manifest, written before any approval, keeps this list empty.
    pub approvals: Vec<serde_json::Value>,
    /// Who must approve and sign (from the policy), so `verify` needs only this directory.
    pub approval_policy: Option<ApprovalPolicy>,
    /// Verification evidence (tests, coverage, static analysis, trace matrix, residual
    /// anomalies); `null` when the policy has no `[verification]`.
    pub verification: Option<crate::verification::model::VerificationRecord>,
    /// The configuration baseline (tag, signature, branch, tree, release notes, previous
    /// release); present only when the policy has `[baseline]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::checks::baseline::Baseline>,
    /// The support period and the update handoff; present only when the policy has
    /// `[lifecycle]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<LifecycleRecord>,
    /// `clause-map.json`: each clause mapped to the evidence that satisfies it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause_map: Option<FileRecord>,
}

/// `[lifecycle]` as released: the support end (`monitor` reads it from the ledger), the patch
/// policy, whether a rollback plan is documented, and `update-manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct LifecycleRecord {
    pub support_until: Option<Day>,
    pub patch_policy: Option<String>,
    pub rollback_plan: bool,
    pub update_manifest: FileRecord,
    /// Where vulnerabilities can be reported (`mailto:` or `https://`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<String>,
    /// The coordinated vulnerability disclosure policy: its path as the policy names it, and
    /// its sha256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure_policy: Option<PolicyFile>,
    /// Where information about fixed vulnerabilities is published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisories_url: Option<String>,
}

/// A file the policy names (relative to the policy file), recorded by digest.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyFile {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Product {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Features {
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileRecord {
    pub path: String,
    /// `bin`/`cdylib`/… for artifacts; `cyclonedx-1.6`/`spdx-2.3`/`spdx-3.0.1` for SBOMs;
    /// `cyclonedx-1.6-vex`/`openvex-0.2.0` for VEX documents.
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

impl FileRecord {
    /// The record of a text file the job wrote, with the sha256 taken as it was written.
    pub fn written(path: String, kind: String, text: &str, sha256: String) -> FileRecord {
        FileRecord {
            path,
            kind,
            size: text.len() as u64,
            sha256,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub decision: Decision,
    pub date: Day,
    pub scope: String,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExceptionRecord {
    pub id: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub reason: String,
    pub approved_by: String,
    pub expires: Day,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default)]
pub struct ApprovalPolicy {
    pub required_roles: Vec<String>,
    pub roles: std::collections::BTreeMap<String, Vec<String>>,
    pub risk_acceptance_roles: Vec<String>,
    pub release_signers: Vec<String>,
    /// The allowed_signers file copied into the evidence directory.
    pub allowed_signers: String,
}

/// What changed since the previous release of this product (`diff` of the two): the previous
/// release retained in the ledger when there is one, else the evidence directory of the highest
/// earlier version next to this one. Each item is one line as people read it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DependencyChanges {
    /// `name version` of the release compared with (`None`: no earlier release).
    pub baseline: Option<String>,
    /// Where that release was read: `the ledger LOCATION (evidence sha256:…)` or `the evidence
    /// directory NAME`.
    pub compared_with: Option<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// A crate whose one version was replaced by another, with the semver kind of the bump
    /// (`name old → new (patch)`).
    pub changed: Vec<String>,
    /// Same version, another source or linked ↔ build-time.
    pub moved: Vec<String>,
    /// Advisories the gate recorded for this release and not for the previous one.
    pub advisories_new: Vec<String>,
    pub advisories_cleared: Vec<String>,
    pub exceptions_added: Vec<String>,
    pub exceptions_removed: Vec<String>,
    /// Artifacts added, removed, or with another size or digest.
    pub artifacts: Vec<String>,
}

impl DependencyChanges {
    /// Every change as (kind, item), in the order the record lists them.
    pub fn rows(&self) -> Vec<(&'static str, &str)> {
        [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
            ("source or kind", &self.moved),
            ("advisory new", &self.advisories_new),
            ("advisory cleared", &self.advisories_cleared),
            ("exception added", &self.exceptions_added),
            ("exception removed", &self.exceptions_removed),
            ("artifact", &self.artifacts),
        ]
        .into_iter()
        .flat_map(|(label, list)| list.iter().map(move |i| (label, i.as_str())))
        .collect()
    }
}
