//! `sign`: the release signature over SHA256SUMS, made only when the evidence is complete,
//! every required role approved the current digest, and the gate passed or its HOLD was
//! risk-accepted by the roles allowed to. `readiness.json` records what was (or is) missing.
//! Signing is never approval: `sign` makes no decision of its own.

use super::approval::{READINESS_FILE, SIGNATURE_FILE};
use super::approve::{Outcome, load_signers};
use super::sshsig::{self, ARTIFACT_NAMESPACE, Signer};
use super::verify;
use crate::error::Result;
use crate::util::time::Day;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub schema: &'static str,
    pub schema_version: u32,
    pub ready: bool,
    pub evidence_digest: String,
    pub date: String,
    /// What is missing (empty when ready).
    pub missing: Vec<String>,
    pub signed_by: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approvals: Vec<super::verify::ValidApproval>,
}

pub fn sign(
    dir: &Path,
    key: &Path,
    passphrase_file: Option<&Path>,
    date: Day,
    policy: &crate::policy::Policy,
) -> Result<Outcome> {
    // The one lock of every writer: never between the main job's seal check and its swap.
    let _lock = crate::evidence::store::lock(dir)?;
    let (signers, ap) = load_signers(policy)?;
    if dir.join(SIGNATURE_FILE).exists() {
        return Ok(Outcome::Refused(format!(
            "{} is already signed ({SIGNATURE_FILE} exists)",
            dir.display()
        )));
    }
    let checked = verify::check(dir, None)?;
    let mut missing = Vec::new();
    for i in &checked.v.items {
        if !i.ok && !i.item.starts_with("role ") && !i.item.starts_with("approval ") {
            missing.push(format!("evidence incomplete: {}: {}", i.item, i.detail));
        }
    }
    for role in &ap.required_roles {
        if !checked.v.approvals.iter().any(|a| &a.role == role) {
            missing.push(format!(
                "approval of role {role} over {}",
                checked.v.evidence_digest
            ));
        }
    }
    if checked.v.gate_decision.as_deref() != Some("PASS") {
        if ap.risk_acceptance_roles.is_empty() {
            missing
                .push("the gate decided HOLD and the policy names no risk-acceptance-roles".into());
        }
        for role in &ap.risk_acceptance_roles {
            let accepted = checked
                .v
                .approvals
                .iter()
                .any(|a| &a.role == role && a.decision == "risk-accepted");
            if !accepted {
                missing.push(format!(
                    "the gate decided HOLD: risk acceptance by role {role}"
                ));
            }
        }
    }
    let mut readiness = Readiness {
        schema: "cargo-release-evidence/readiness",
        schema_version: 1,
        ready: missing.is_empty(),
        evidence_digest: checked.v.evidence_digest.clone(),
        date: date.to_string(),
        missing: missing.clone(),
        signed_by: None,
        key_fingerprint: None,
        approvals: checked.v.approvals.clone(),
    };
    if !missing.is_empty() {
        crate::util::fs::write_atomic(
            &dir.join(READINESS_FILE),
            crate::util::canonical::json(&readiness).as_bytes(),
        )?;
        return Ok(Outcome::Refused(format!(
            "release hold: not signed; missing:\n  - {}",
            missing.join("\n  - ")
        )));
    }
    let signer = Signer::load(key, passphrase_file)?;
    let public = signer.public_key();
    let principal = signers
        .principals_for(&public, ARTIFACT_NAMESPACE)
        .into_iter()
        .find(|p| {
            ap.release_signers.is_empty()
                || ap
                    .release_signers
                    .iter()
                    .any(|r| crate::sign::allowed_signers::pattern_match(r, p))
        });
    let Some(principal) = principal else {
        return Ok(Outcome::Refused(format!(
            "key {} is not an allowed release signer (release-signers = [{}])",
            sshsig::fingerprint(&public),
            ap.release_signers.join(", ")
        )));
    };
    let sig = signer.sign(ARTIFACT_NAMESPACE, &checked.sums)?;
    readiness.signed_by = Some(principal.clone());
    readiness.key_fingerprint = Some(sshsig::fingerprint(&public));
    crate::util::fs::write_atomic(
        &dir.join(READINESS_FILE),
        crate::util::canonical::json(&readiness).as_bytes(),
    )?;
    crate::util::fs::write_atomic(&dir.join(SIGNATURE_FILE), sig.as_bytes())?;
    Ok(Outcome::Done(format!(
        "signed SHA256SUMS of {} as {principal} ({}); the evidence is sealed",
        dir.display(),
        sshsig::fingerprint(&public)
    )))
}
