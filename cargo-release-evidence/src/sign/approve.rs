//! `approve`: a sign-off for one role, bound to one evidence digest, signed with an SSH key
//! that allowed_signers lists for a principal holding the role.
//!
//! It never changes what a signature already relied on: signed evidence (`SHA256SUMS.sig`) is
//! refused, and an existing approval file of the same role and principal is never replaced
//! (approving again with the same content is a no-op; anything else is refused).

use super::approval::{
    APPROVAL_SCHEMA, APPROVED, Approval, RISK_ACCEPTED, SIGNATURE_FILE, is_signing_file,
};
use super::sshsig::{self, APPROVAL_NAMESPACE, Signer};
use super::trust::TrustRoot;
use super::verify;
use crate::error::Result;
use crate::evidence::model::Product;
use crate::util::text::clip;
use crate::util::time::Day;
use std::path::Path;

pub struct ApproveArgs<'a> {
    pub dir: &'a Path,
    pub role: &'a str,
    pub key: &'a Path,
    pub passphrase_file: Option<&'a Path>,
    pub accept_risk: Option<&'a str>,
    pub comment: Option<&'a str>,
    /// The date recorded in the approval.
    pub date: Day,
    /// Unix seconds keys' validity is checked at.
    pub time: i64,
    /// The workspace policy's rules and keys.
    pub trust: &'a TrustRoot,
}

/// Refusals are decisions, not errors: exit 1 with the reason.
pub enum Outcome {
    Done(String),
    Refused(String),
}

pub fn approve(args: &ApproveArgs<'_>) -> Result<Outcome> {
    // The one lock of every writer: never between the main job's seal check and its swap.
    let _lock = crate::evidence::store::lock(args.dir)?;
    if args.dir.join(SIGNATURE_FILE).exists() {
        return Ok(Outcome::Refused(format!(
            "{} is signed ({SIGNATURE_FILE} exists): the release signature relied on the approvals present when it was made, so approve adds or replaces none; approve new evidence instead",
            args.dir.display()
        )));
    }
    let (rules, signers) = (&args.trust.rules, &args.trust.signers);
    let checked = verify::check(args.dir, args.trust, args.time)?;
    if !checked.files.complete {
        return Ok(Outcome::Refused(format!(
            "the evidence does not match its SHA256SUMS; nothing to approve: {}",
            clip(&checked.file_problems().join("; "), 400)
        )));
    }
    if !rules.roles.contains_key(args.role) {
        return Ok(Outcome::Refused(format!(
            "role `{}` is not defined in [approvals.roles] (roles: {})",
            clip(args.role, 60),
            rules.roles.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let holders = rules.holders(args.role);
    let signer = Signer::load(args.key, args.passphrase_file)?;
    let key = signer.public_key();
    let Some(principal) = signers.find_principal(holders, &key, APPROVAL_NAMESPACE, args.time)
    else {
        return Ok(Outcome::Refused(format!(
            "key {} is not allowed for role {}: allowed_signers lists it in namespace {APPROVAL_NAMESPACE} now for [{}], the role is held by [{}]",
            sshsig::fingerprint(&key),
            args.role,
            signers
                .literal_principals(&key, APPROVAL_NAMESPACE, args.time)
                .join(", "),
            holders.join(", ")
        )));
    };
    let hold = checked.gate_decision() != Some("PASS");
    let (decision, accepted) = match (hold, args.accept_risk) {
        (false, _) => (APPROVED, Vec::new()),
        (true, None) => {
            return Ok(Outcome::Refused(format!(
                "the evidence is {} ({} blocking finding(s)); approving it needs a recorded risk acceptance: --accept-risk \"RATIONALE\"",
                checked.gate_decision().unwrap_or("not PASS"),
                checked.blocking().len()
            )));
        }
        (true, Some(_)) if !rules.may_accept_risk(args.role) => {
            return Ok(Outcome::Refused(format!(
                "role {} may not accept risk; [approvals] risk-acceptance-roles = [{}]",
                args.role,
                rules.risk_acceptance_roles.join(", ")
            )));
        }
        (true, Some(_)) => (RISK_ACCEPTED, checked.blocking().to_vec()),
    };
    let product = checked.product().cloned().unwrap_or(Product {
        name: String::new(),
        version: String::new(),
    });
    let record = Approval {
        schema: APPROVAL_SCHEMA.to_owned(),
        schema_version: 1,
        product,
        evidence_digest: checked.digest(),
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
    let name = format!(
        "approval-{}-{}.json",
        sanitize(args.role),
        sanitize(&principal)
    );
    debug_assert!(is_signing_file(&name));
    let path = args.dir.join(&name);
    if path.exists() {
        return Ok(existing(args.dir, &name, &text, &key));
    }
    let sig = signer.sign(APPROVAL_NAMESPACE, text.as_bytes())?;
    // The signature first: a record without a signature never appears valid.
    crate::util::fs::write_atomic(&args.dir.join(format!("{name}.sig")), sig.as_bytes())?;
    crate::util::fs::write_atomic(&path, text.as_bytes())?;
    Ok(Outcome::Done(format!(
        "{decision} {} as {principal} ({}) over {}: {}",
        args.role,
        sshsig::fingerprint(&key),
        checked.digest(),
        path.display()
    )))
}

/// An approval file of this role and principal exists: unchanged when it is exactly this
/// record, validly signed by this key; otherwise refused (it is never replaced).
fn existing(dir: &Path, name: &str, text: &str, key: &ssh_key::PublicKey) -> Outcome {
    let path = dir.join(name);
    let old = std::fs::read(&path).unwrap_or_default();
    let sig = std::fs::read(dir.join(format!("{name}.sig"))).unwrap_or_default();
    let same_key = sshsig::verify(&sig, APPROVAL_NAMESPACE, &old)
        .is_ok_and(|k| k.key_data() == key.key_data());
    if old == text.as_bytes() && same_key {
        return Outcome::Done(format!(
            "already approved with this exact record; unchanged: {}",
            path.display()
        ));
    }
    let what = serde_json::from_slice::<Approval>(&old)
        .map(|a| {
            format!(
                "{} by {} as {} on {} over {}",
                a.decision,
                clip(&a.principal, 80),
                clip(&a.role, 40),
                clip(&a.date, 20),
                clip(&a.evidence_digest, 80)
            )
        })
        .unwrap_or_else(|_| "not a readable approval record".to_owned());
    Outcome::Refused(format!(
        "{} already exists ({what}); approve never replaces an approval: to change it, move that file and its .sig away yourself, knowing that whoever relied on it loses it",
        path.display()
    ))
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
