//! The verified state of an evidence directory for the page: `sign::verify` (its only caller
//! here is [`verify`], so a change of verify's trust-root options touches one function), then
//! its result, and the approval records themselves for their dates and rationales, as the
//! page's data.

use super::Options;
use crate::error::Result;
use crate::evidence::model::ApprovalPolicy;
use crate::record::html::state::{ApprovalRow, RoleState, Verified};
use crate::sign::approval::Approval;
use crate::sign::verify::{self, Verification};
use std::path::Path;

/// Runs the independent verification (digests, files, approvals, release signature).
pub fn verify(opts: &Options) -> Result<Verification> {
    verify::run(&opts.dir, &opts.trust, opts.time)
}

/// The approval policy recorded in the manifest (who must approve), if any.
fn policy(dir: &Path) -> ApprovalPolicy {
    std::fs::read(dir.join(crate::evidence::MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| serde_json::from_value(m["approval_policy"].clone()).ok())
        .unwrap_or_default()
}

/// The page's view of `v`.
pub fn state(dir: &Path, v: &Verification) -> Verified {
    let policy = policy(dir);
    let roles = policy
        .required_roles
        .iter()
        .map(|role| RoleState {
            role: role.clone(),
            holders: policy.roles.get(role).cloned().unwrap_or_default(),
            approved_by: v
                .approvals
                .iter()
                .filter(|a| &a.role == role)
                .map(|a| a.principal.clone())
                .collect(),
        })
        .collect();
    let mut approvals = Vec::new();
    let mut problems = Vec::new();
    let mut signature = (false, "not checked".to_owned());
    for item in &v.items {
        if let Some(file) = item.item.strip_prefix("approval ") {
            let record: Option<Approval> = std::fs::read(dir.join(file))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            approvals.push(ApprovalRow {
                file: file.to_owned(),
                role: record.as_ref().map(|r| r.role.clone()).unwrap_or_default(),
                principal: record
                    .as_ref()
                    .map(|r| r.principal.clone())
                    .unwrap_or_default(),
                decision: record
                    .as_ref()
                    .map(|r| r.decision.clone())
                    .unwrap_or_default(),
                date: record.as_ref().map(|r| r.date.clone()).unwrap_or_default(),
                rationale: record.as_ref().and_then(|r| r.rationale.clone()),
                comment: record.as_ref().and_then(|r| r.comment.clone()),
                accepted: record
                    .as_ref()
                    .map(|r| {
                        r.accepted_findings
                            .iter()
                            .map(|f| {
                                [
                                    Some(f.code.as_str()),
                                    f.package.as_deref(),
                                    f.advisory.as_deref(),
                                ]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" ")
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                valid: item.ok,
                detail: item.detail.clone(),
            });
        } else if item.item == crate::sign::approval::SIGNATURE_FILE {
            signature = (item.ok, item.detail.clone());
        } else if item.item.starts_with("role ") {
            // Shown per role above.
        } else if !item.ok {
            problems.push((item.item.clone(), item.detail.clone()));
        }
    }
    Verified {
        trust_root: v.trust_root.describe(),
        evidence_digest: v.evidence_digest.clone().unwrap_or_default(),
        ok: v.ok,
        roles,
        approvals,
        signature,
        problems,
        checks: v.items.len(),
    }
}
