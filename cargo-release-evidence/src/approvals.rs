//! `approve` and `sign`: sign-offs bound to one evidence digest with SSH keys, and the release
//! signature, made only when the evidence is complete, every required role approved the current
//! digest, and the gate passed or its HOLD was risk-accepted by the roles allowed to.
//! Signing is never approval: `sign` makes no decision of its own.

use crate::allowed_signers::AllowedSigners;
use crate::error::{Error, Result};
use crate::evidence::manifest::Product;
use crate::policy::values::Day;
use crate::signing::{self, APPROVAL_NAMESPACE, ARTIFACT_NAMESPACE, Signer};
use crate::verify::{self, APPROVAL_SCHEMA, Approval, READINESS_FILE, SIGNATURE_FILE};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub struct ApproveArgs<'a> {
    pub dir: &'a Path,
    pub role: &'a str,
    pub key: &'a Path,
    pub passphrase_file: Option<&'a Path>,
    pub accept_risk: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub date: Day,
    pub policy: &'a crate::policy::Policy,
}

/// Refusals are decisions, not errors: exit 1 with the reason.
pub enum Outcome {
    Done(String),
    Refused(String),
}

fn load_signers(
    policy: &crate::policy::Policy,
) -> Result<(AllowedSigners, &crate::policy::ApprovalsPolicy)> {
    let a = policy.data.approvals.as_ref().ok_or_else(|| {
        Error::Environment(format!(
            "{} has no [approvals] section: name the roles, the allowed_signers file and who holds each role",
            policy.display_path
        ))
    })?;
    let path = policy
        .allowed_signers_path()
        .expect("approvals section present");
    Ok((AllowedSigners::load(&path)?, a.get_ref()))
}

pub fn approve(args: &ApproveArgs<'_>) -> Result<Outcome> {
    let (signers, ap) = load_signers(args.policy)?;
    let checked = verify::check(args.dir, None)?;
    if !checked.complete {
        let bad: Vec<String> = checked
            .v
            .items
            .iter()
            .filter(|i| !i.ok && !i.item.starts_with("approval") && !i.item.starts_with("role "))
            .map(|i| format!("{}: {}", i.item, i.detail))
            .collect();
        return Ok(Outcome::Refused(format!(
            "the evidence does not match its SHA256SUMS; nothing to approve: {}",
            bad.join("; ")
        )));
    }
    let Some(holders) = ap.roles.get(args.role) else {
        return Ok(Outcome::Refused(format!(
            "role `{}` is not defined in [approvals.roles] (roles: {})",
            args.role,
            ap.roles.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    };
    let signer = Signer::load(args.key, args.passphrase_file)?;
    let key = signer.public_key();
    let principal = signers
        .principals_for(&key, APPROVAL_NAMESPACE)
        .into_iter()
        .find(|p| {
            holders
                .iter()
                .any(|h| crate::allowed_signers::pattern_match(h, p))
        });
    let Some(principal) = principal else {
        return Ok(Outcome::Refused(format!(
            "key {} is not allowed for role {}: allowed_signers lists it for [{}], the role is held by [{}]",
            signing::fingerprint(&key),
            args.role,
            signers.principals_for(&key, APPROVAL_NAMESPACE).join(", "),
            holders.join(", ")
        )));
    };
    let hold = checked.v.gate_decision.as_deref() == Some("HOLD");
    let (decision, accepted) = match (hold, args.accept_risk) {
        (false, _) => ("approved", Vec::new()),
        (true, None) => {
            return Ok(Outcome::Refused(format!(
                "the evidence is HOLD ({} blocking finding(s)); approving it needs a recorded risk acceptance: --accept-risk \"RATIONALE\"",
                checked.blocking.len()
            )));
        }
        (true, Some(_)) if !ap.risk_acceptance_roles.iter().any(|r| r == args.role) => {
            return Ok(Outcome::Refused(format!(
                "role {} may not accept risk; [approvals] risk-acceptance-roles = [{}]",
                args.role,
                ap.risk_acceptance_roles.join(", ")
            )));
        }
        (true, Some(_)) => ("risk-accepted", checked.blocking.clone()),
    };
    let product = checked.v.product.clone().unwrap_or(Product {
        name: String::new(),
        version: String::new(),
    });
    let record = Approval {
        schema: APPROVAL_SCHEMA.to_owned(),
        schema_version: 1,
        product,
        evidence_digest: checked.v.evidence_digest.clone(),
        role: args.role.to_owned(),
        principal: principal.clone(),
        key_fingerprint: signing::fingerprint(&key),
        decision: decision.to_owned(),
        rationale: args.accept_risk.map(str::to_owned),
        accepted_findings: accepted,
        date: args.date.to_string(),
        comment: args.comment.map(str::to_owned),
    };
    let text = crate::canonical::json(&record);
    let sig = signer.sign(APPROVAL_NAMESPACE, text.as_bytes())?;
    let name = format!(
        "approval-{}-{}.json",
        sanitize(args.role),
        sanitize(&principal)
    );
    // The signature first: a record without a signature never appears valid.
    crate::fsutil::write_atomic(&args.dir.join(format!("{name}.sig")), sig.as_bytes())?;
    crate::fsutil::write_atomic(&args.dir.join(&name), text.as_bytes())?;
    Ok(Outcome::Done(format!(
        "{decision} {} as {principal} ({}) over {}: {}",
        args.role,
        signing::fingerprint(&key),
        checked.v.evidence_digest,
        args.dir.join(&name).display()
    )))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

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
    pub approvals: Vec<verify::ValidApproval>,
}

pub fn sign(
    dir: &Path,
    key: &Path,
    passphrase_file: Option<&Path>,
    date: Day,
    policy: &crate::policy::Policy,
) -> Result<Outcome> {
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
        crate::fsutil::write_atomic(
            &dir.join(READINESS_FILE),
            crate::canonical::json(&readiness).as_bytes(),
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
                    .any(|r| crate::allowed_signers::pattern_match(r, p))
        });
    let Some(principal) = principal else {
        return Ok(Outcome::Refused(format!(
            "key {} is not an allowed release signer (release-signers = [{}])",
            signing::fingerprint(&public),
            ap.release_signers.join(", ")
        )));
    };
    let sig = signer.sign(ARTIFACT_NAMESPACE, &checked.sums)?;
    readiness.signed_by = Some(principal.clone());
    readiness.key_fingerprint = Some(signing::fingerprint(&public));
    crate::fsutil::write_atomic(
        &dir.join(READINESS_FILE),
        crate::canonical::json(&readiness).as_bytes(),
    )?;
    crate::fsutil::write_atomic(&dir.join(SIGNATURE_FILE), sig.as_bytes())?;
    Ok(Outcome::Done(format!(
        "signed SHA256SUMS of {} as {principal} ({}); the evidence is sealed",
        dir.display(),
        signing::fingerprint(&public)
    )))
}

/// The evidence directory: the argument, else the only one under
/// `<target>/<profile>/release-evidence/`.
pub fn locate(explicit: Option<&Path>, root: &Path, profile: &str) -> Result<PathBuf> {
    if let Some(d) = explicit {
        return crate::metadata::absolute(d);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let base = target
        .join(if profile == "dev" { "debug" } else { profile })
        .join("release-evidence");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.join(crate::evidence::MANIFEST_FILE).is_file()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    match dirs.len() {
        1 => Ok(dirs.remove(0)),
        0 => Err(Error::usage(
            "EVIDENCE_DIR",
            format!(
                "no evidence under {}; run `cargo release-evidence` first or name the directory",
                base.display()
            ),
        )),
        _ => Err(Error::usage(
            "EVIDENCE_DIR",
            format!(
                "several evidence directories under {}; name one: {}",
                base.display(),
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}
