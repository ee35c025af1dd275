//! Independent verification of an evidence directory (`verify`), against a trust root the
//! verifier chose (`sign::trust`); also used by `approve` and `sign` (with the workspace
//! policy as trust root) to see what the evidence holds.
//!
//! - `files`: every digest in SHA256SUMS, missing and unexpected files, the manifest's digests;
//! - `approvals`: each approval (signature, signer, role, decision, digest);
//! - the readiness rule (`sign::rules`): every required role approved, and a HOLD risk-accepted
//!   by every risk-acceptance role;
//! - `release`: the release signature and the signed readiness record.
//!
//! The evidence digest is the sha256 of `SHA256SUMS` as the main job wrote it: it covers the
//! artifacts, SBOMs, manifest, record and provenance at once, so an approval of it is an
//! approval of all of them, and any later change invalidates it.

pub mod approvals;
pub mod files;
pub mod release;
pub mod report;

pub use report::{Item, Verification};

use crate::error::Result;
use crate::evidence::model::Product;
use crate::sign::approval::{AcceptedFinding, RISK_ACCEPTED, ValidApproval};
use crate::sign::rules;
use crate::sign::trust::TrustRoot;
use std::path::Path;

/// What the directory holds and which approvals verify (everything but the release signature).
pub struct Checked {
    pub files: files::Files,
    pub approval_items: Vec<Item>,
    pub approvals: Vec<ValidApproval>,
}

impl Checked {
    /// The current evidence digest (empty when SHA256SUMS is missing).
    pub fn digest(&self) -> String {
        self.files.digest.clone().unwrap_or_default()
    }

    pub fn gate_decision(&self) -> Option<&str> {
        self.files.gate_decision.as_deref()
    }

    pub fn product(&self) -> Option<&Product> {
        self.files.product.as_ref()
    }

    pub fn blocking(&self) -> &[AcceptedFinding] {
        &self.files.blocking
    }

    /// The file problems (not the approvals'), one line each.
    pub fn file_problems(&self) -> Vec<String> {
        self.files
            .items
            .iter()
            .filter(|i| !i.ok)
            .map(|i| format!("{}: {}", i.item, i.detail))
            .collect()
    }
}

pub fn check(dir: &Path, trust: &TrustRoot, time: i64) -> Result<Checked> {
    let files = files::check(dir)?;
    let (approval_items, approvals) =
        approvals::check_all(dir, &files.names, files.digest.as_deref(), trust, time);
    Ok(Checked {
        files,
        approval_items,
        approvals,
    })
}

/// `verify`: every check, the readiness rule and the release signature.
pub fn run(dir: &Path, trust: &TrustRoot, time: i64) -> Result<Verification> {
    let c = check(dir, trust, time)?;
    let mut items = Vec::new();
    if let Some(problem) = &trust.problem {
        items.push(Item::new("trust root", false, problem.clone()));
    }
    items.extend(c.files.items.iter().cloned());
    items.extend(c.approval_items.iter().cloned());
    let digest = c.digest();
    for role in &trust.rules.required_roles {
        let ok = c.approvals.iter().any(|a| &a.role == role);
        items.push(Item::new(
            format!("role {role}"),
            ok,
            if ok {
                "approved over the current digest"
            } else {
                "MISSING: no valid approval for this required role"
            },
        ));
    }
    items.push(gate_item(&c, trust));
    let (sig, signed) = release::signature(dir, c.files.sums.as_deref(), trust, time);
    items.push(sig);
    if let Some(signed) = &signed {
        items.push(release::readiness(
            dir,
            &digest,
            signed,
            trust,
            time,
            &c.approvals,
        ));
    }
    // The DSSE attestation bundles the release signature's readiness record lists.
    items.extend(crate::sign::attest::check::items(
        dir,
        signed.as_ref(),
        &digest,
        trust,
        time,
    ));
    // The configuration baseline the gate recorded, its tag signature checked again.
    if let Some((ok, detail)) = super::tag::verify_item(
        dir,
        Some(&trust.signers),
        &trust.rules.release_signers,
        time,
    ) {
        items.push(Item::new("baseline", ok, detail));
    }
    let ok = items.iter().all(|i| i.ok);
    Ok(Verification {
        evidence_dir: dir.to_path_buf(),
        evidence_digest: c.files.digest.clone(),
        product: c.files.product.clone(),
        gate_decision: c.files.gate_decision.clone(),
        trust_root: trust.summary.clone(),
        verification_time: crate::util::time::rfc3339(time),
        items,
        approvals: c.approvals,
        ok,
    })
}

/// The gate's decision under the readiness rule: PASS, or a HOLD risk-accepted by every
/// risk-acceptance role of the trusted rules.
fn gate_item(c: &Checked, trust: &TrustRoot) -> Item {
    let decision = c.gate_decision();
    let missing = rules::hold_missing(&trust.rules, &c.approvals, decision);
    let label = "gate decision";
    match decision {
        Some("PASS") => Item::new(label, true, "PASS"),
        _ if !missing.is_empty() => Item::new(label, false, missing.join("; ")),
        d => {
            let by: Vec<&str> = c
                .approvals
                .iter()
                .filter(|a| a.decision == RISK_ACCEPTED)
                .map(|a| a.role.as_str())
                .collect();
            Item::new(
                label,
                true,
                format!(
                    "{}: risk accepted by {}",
                    d.unwrap_or("unknown"),
                    by.join(", ")
                ),
            )
        }
    }
}
