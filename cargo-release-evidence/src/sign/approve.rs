//! `approve`: a sign-off for one role, bound to one evidence digest, signed with an SSH key
//! that allowed_signers lists for a principal holding the role.

use super::allowed_signers::{self, AllowedSigners};
use super::approval::{APPROVAL_SCHEMA, Approval};
use super::sshsig::{self, APPROVAL_NAMESPACE, Signer};
use super::verify;
use crate::error::{Error, Result};
use crate::evidence::model::Product;
use crate::policy::{ApprovalsPolicy, Policy};
use crate::util::time::Day;
use std::path::Path;

pub struct ApproveArgs<'a> {
    pub dir: &'a Path,
    pub role: &'a str,
    pub key: &'a Path,
    pub passphrase_file: Option<&'a Path>,
    pub accept_risk: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub date: Day,
    pub policy: &'a Policy,
}

/// Refusals are decisions, not errors: exit 1 with the reason.
pub enum Outcome {
    Done(String),
    Refused(String),
}

pub fn load_signers(policy: &Policy) -> Result<(AllowedSigners, &ApprovalsPolicy)> {
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
    // The one lock of every writer: never between the main job's seal check and its swap.
    let _lock = crate::evidence::store::lock(args.dir)?;
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
        .find(|p| holders.iter().any(|h| allowed_signers::pattern_match(h, p)));
    let Some(principal) = principal else {
        return Ok(Outcome::Refused(format!(
            "key {} is not allowed for role {}: allowed_signers lists it for [{}], the role is held by [{}]",
            sshsig::fingerprint(&key),
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
        key_fingerprint: sshsig::fingerprint(&key),
        decision: decision.to_owned(),
        rationale: args.accept_risk.map(str::to_owned),
        accepted_findings: accepted,
        date: args.date.to_string(),
        comment: args.comment.map(str::to_owned),
    };
    let text = crate::util::canonical::json(&record);
    let sig = signer.sign(APPROVAL_NAMESPACE, text.as_bytes())?;
    let name = format!(
        "approval-{}-{}.json",
        sanitize(args.role),
        sanitize(&principal)
    );
    // The signature first: a record without a signature never appears valid.
    crate::util::fs::write_atomic(&args.dir.join(format!("{name}.sig")), sig.as_bytes())?;
    crate::util::fs::write_atomic(&args.dir.join(&name), text.as_bytes())?;
    Ok(Outcome::Done(format!(
        "{decision} {} as {principal} ({}) over {}: {}",
        args.role,
        sshsig::fingerprint(&key),
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
