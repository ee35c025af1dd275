//! The update handoff: `update-manifest.json` in the evidence (with `[lifecycle]` in the
//! policy) — product, version, target, the artifacts and their digests, the release it
//! supersedes, the rollback target with its evidence digest from the ledger, the anti-rollback
//! minimum version, the support end, the patch policy and the vulnerability status at release —
//! and the finding when the policy requires a rollback plan and none is documented.

use crate::error::{Error, Result};
use crate::evidence::model::{FileRecord, LifecycleRecord, PolicyFile};
use crate::evidence::store::Staging;
use crate::findings::{Code, Decision, Finding};
use crate::gate::GateRun;
use crate::ledger::{self, Summary};
use crate::policy::lifecycle::LifecyclePolicy;
use crate::util::canonical;
use crate::workspace::MemberSet;
use serde::Serialize;

pub const FILE: &str = "update-manifest.json";
pub const SCHEMA: &str = "cargo-release-evidence/update-manifest";

#[derive(Debug, Serialize)]
pub struct UpdateManifest {
    pub schema: &'static str,
    pub schema_version: u32,
    pub product: String,
    pub version: String,
    pub target: String,
    pub artifacts: Vec<ArtifactRef>,
    /// The latest retained release of the product before this version (from the ledger).
    pub supersedes: Option<ReleaseRef>,
    pub rollback: Option<Rollback>,
    /// The anti-rollback minimum version: never roll a device back below it.
    pub minimum_safe_version: Option<String>,
    pub support_until: Option<String>,
    pub patch_policy: Option<String>,
    pub vulnerability_status: VulnerabilityStatus,
    /// Where the ledger was read (`None`: no ledger known, so no evidence digests).
    pub ledger: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ArtifactRef {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Serialize)]
pub struct ReleaseRef {
    pub version: String,
    pub target: String,
    pub evidence_digest: String,
}

#[derive(Debug, Serialize)]
pub struct Rollback {
    /// `[lifecycle.rollback] previous-good`.
    pub target_version: Option<String>,
    /// The retained evidence of that version (same target when retained), from the ledger.
    pub target_evidence_digest: Option<String>,
    pub how: Option<String>,
    /// `how-file`: its path as the policy names it and its sha256.
    pub how_file: Option<HowFile>,
}

#[derive(Debug, Serialize)]
pub struct HowFile {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct VulnerabilityStatus {
    pub decision: Decision,
    /// Every advisory finding of the release: code, advisory, package.
    pub advisories: Vec<AdvisoryStatus>,
}

#[derive(Debug, Serialize)]
pub struct AdvisoryStatus {
    pub code: Code,
    pub advisory: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub version: String,
}

fn policy(run: &GateRun) -> Option<&LifecyclePolicy> {
    run.policy.data.lifecycle.as_ref().map(|l| l.get_ref())
}

/// `RE-ROLLBACK-PLAN-MISSING` when the policy requires a rollback plan and documents none.
pub fn findings(run: &GateRun, set: &MemberSet) -> Vec<Finding> {
    let Some(l) = policy(run) else {
        return Vec::new();
    };
    if !l.require_rollback_plan || l.has_rollback_plan() {
        return Vec::new();
    }
    vec![
        Finding::new(
            Code::RollbackPlanMissing,
            format!(
                "{} {}: the policy requires a rollback plan and [lifecycle.rollback] documents none",
                set.name, set.version
            ),
            "add [lifecycle.rollback] with `previous-good` and `how` (or `how-file`)",
        )
        .location(Some(run.policy.section_location("lifecycle"))),
    ]
}

/// The ledger the policy names (`[lifecycle] ledger`, relative to the policy), else the
/// per-user default ledger when it exists; `None` when there is none.
pub fn ledger_location(run: &GateRun) -> Option<String> {
    let explicit = policy(run).and_then(|l| l.ledger.as_ref()).map(|p| {
        if p.starts_with("postgres://") || p.starts_with("postgresql://") {
            p.clone()
        } else {
            run.policy.base_dir.join(p).display().to_string()
        }
    });
    match explicit {
        Some(l) => Some(l),
        None => match ledger::location(None) {
            Ok(l) if std::path::Path::new(&l).is_file() => Some(l),
            _ => None,
        },
    }
}

/// The retained releases of `product` in the ledger of [`ledger_location`].
fn retained(run: &GateRun, product: &str) -> Result<Option<(String, Vec<Summary>)>> {
    let Some(location) = ledger_location(run) else {
        return Ok(None);
    };
    let store = ledger::open(&location)?;
    let releases = store
        .releases()?
        .into_iter()
        .filter(|s| s.product == product)
        .collect();
    Ok(Some((store.location().to_owned(), releases)))
}

fn pick<'a>(releases: &'a [Summary], version: &str, target: &str) -> Option<&'a Summary> {
    let same: Vec<&Summary> = releases.iter().filter(|s| s.version == version).collect();
    same.iter()
        .find(|s| s.target == target)
        .or(same.first())
        .copied()
}

/// Writes `update-manifest.json` into `staging` when the policy has `[lifecycle]`; the
/// manifest's lifecycle record.
pub fn write(
    staging: &Staging,
    run: &GateRun,
    set: &MemberSet,
    artifacts: &[FileRecord],
    decision: Decision,
    findings: &[Finding],
) -> Result<Option<LifecycleRecord>> {
    let Some(l) = policy(run) else {
        return Ok(None);
    };
    let version = set.version.to_string();
    let target = run.report.scope.target.clone();
    let retained = retained(run, &set.name)?;
    let releases = retained.as_ref().map(|(_, r)| r.as_slice()).unwrap_or(&[]);
    let supersedes = releases
        .iter()
        .filter(|s| {
            matches!(
                (semver::Version::parse(&s.version), &set.version),
                (Ok(v), mine) if v < *mine
            )
        })
        .max_by(|a, b| {
            let key = |s: &Summary| (semver::Version::parse(&s.version).ok(), s.target == target);
            key(a).cmp(&key(b))
        })
        .map(|s| ReleaseRef {
            version: s.version.clone(),
            target: s.target.clone(),
            evidence_digest: s.evidence_digest.clone(),
        });
    let rollback = match l.rollback.as_ref().map(|r| r.get_ref()) {
        None => None,
        Some(r) => {
            let how_file = match &r.how_file {
                None => None,
                Some(f) => {
                    let path = run.policy.base_dir.join(f.get_ref());
                    let bytes = std::fs::read(&path)
                        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
                    Some(HowFile {
                        path: f.get_ref().display().to_string(),
                        sha256: crate::util::digest::sha256_hex(&bytes),
                    })
                }
            };
            let good = r.previous_good.as_ref().map(|v| v.get_ref().clone());
            Some(Rollback {
                target_evidence_digest: good
                    .as_deref()
                    .and_then(|g| pick(releases, g, &target))
                    .map(|s| s.evidence_digest.clone()),
                target_version: good,
                how: r.how.clone(),
                how_file,
            })
        }
    };
    let mut advisories: Vec<AdvisoryStatus> = findings
        .iter()
        .filter_map(|f| {
            let p = f.package.as_ref()?;
            Some(AdvisoryStatus {
                code: f.code,
                advisory: f.advisory.clone()?,
                krate: p.name.clone(),
                version: p.version.clone(),
            })
        })
        .collect();
    advisories.sort_by(|a, b| (&a.advisory, &a.krate).cmp(&(&b.advisory, &b.krate)));
    let manifest = UpdateManifest {
        schema: SCHEMA,
        schema_version: 1,
        product: set.name.clone(),
        version,
        target,
        artifacts: artifacts
            .iter()
            .map(|a| ArtifactRef {
                path: a.path.clone(),
                sha256: a.sha256.clone(),
                size: a.size,
            })
            .collect(),
        supersedes,
        minimum_safe_version: l
            .rollback
            .as_ref()
            .and_then(|r| r.get_ref().minimum_version.as_ref())
            .map(|v| v.get_ref().clone()),
        rollback,
        support_until: l.support_until.map(|d| d.to_string()),
        patch_policy: l.patch_policy.clone(),
        vulnerability_status: VulnerabilityStatus {
            decision,
            advisories,
        },
        ledger: retained.map(|(l, _)| l),
    };
    let text = canonical::json(&manifest);
    let sha256 = staging.write(FILE, text.as_bytes())?;
    let disclosure_policy = match &l.disclosure_policy {
        None => None,
        Some(f) => {
            let path = run.policy.base_dir.join(f.get_ref());
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            Some(PolicyFile {
                path: f.get_ref().display().to_string(),
                sha256: crate::util::digest::sha256_hex(&bytes),
            })
        }
    };
    Ok(Some(LifecycleRecord {
        support_until: l.support_until,
        patch_policy: l.patch_policy.clone(),
        rollback_plan: l.has_rollback_plan(),
        security_contact: l.security_contact.as_ref().map(|c| c.get_ref().clone()),
        disclosure_policy,
        advisories_url: l.advisories_url.as_ref().map(|u| u.get_ref().clone()),
        update_manifest: FileRecord::written(
            FILE.to_owned(),
            "update-manifest".to_owned(),
            &text,
            sha256,
        ),
    }))
}
