//! `sign`: the release signature over SHA256SUMS, made only when the evidence is complete,
//! every required role approved the current digest, and the gate passed or its HOLD was
//! risk-accepted by the roles allowed to (`rules::missing`, the rule `verify` re-checks).
//! `readiness.json` records what was (or is) missing; when ready it is signed too
//! (`readiness.json.sig`, same key and namespace), so `verify` detects any edit of it.
//! Signing is never approval: `sign` makes no decision of its own.

use super::approval::{
    READINESS_FILE, READINESS_SCHEMA, READINESS_SIG_FILE, Readiness, SIGNATURE_FILE,
};
use super::approve::Outcome;
use super::attest;
use super::rules;
use super::sshsig::{self, ARTIFACT_NAMESPACE, Signer};
use super::trust::TrustRoot;
use super::verify::{self, release};
use crate::error::Result;
use crate::util::time::Day;
use std::path::Path;

pub struct SignArgs<'a> {
    pub dir: &'a Path,
    pub key: &'a Path,
    pub passphrase_file: Option<&'a Path>,
    /// The date recorded in readiness.json.
    pub date: Day,
    /// Unix seconds keys' validity is checked at.
    pub time: i64,
    /// The workspace policy's rules and keys.
    pub trust: &'a TrustRoot,
}

pub fn sign(args: &SignArgs<'_>) -> Result<Outcome> {
    let (dir, trust) = (args.dir, args.trust);
    // The one lock of every writer: never between the main job's seal check and its swap.
    let _lock = crate::evidence::store::lock(dir)?;
    if dir.join(SIGNATURE_FILE).exists() {
        return Ok(Outcome::Refused(format!(
            "{} is already signed ({SIGNATURE_FILE} exists)",
            dir.display()
        )));
    }
    let checked = verify::check(dir, trust, args.time)?;
    let digest = checked.digest();
    let mut missing: Vec<String> = checked
        .file_problems()
        .into_iter()
        .map(|p| format!("evidence incomplete: {p}"))
        .collect();
    missing.extend(rules::missing(
        &trust.rules,
        &checked.approvals,
        checked.gate_decision(),
        &digest,
    ));
    let mut readiness = Readiness {
        schema: READINESS_SCHEMA.to_owned(),
        schema_version: 1,
        ready: missing.is_empty(),
        evidence_digest: digest,
        date: args.date.to_string(),
        missing: missing.clone(),
        signed_by: None,
        key_fingerprint: None,
        approvals: checked.approvals.clone(),
        attestations: Vec::new(),
        attestations_omitted: None,
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
    let signer = Signer::load(args.key, args.passphrase_file)?;
    let public = signer.public_key();
    let principal = match release::release_principal(trust, &public, args.time) {
        Ok(p) => p,
        Err(why) => return Ok(Outcome::Refused(why)),
    };
    let Some(sums) = checked.files.sums.as_deref() else {
        return Ok(Outcome::Refused("SHA256SUMS is missing".into()));
    };
    readiness.signed_by = Some(principal.clone());
    readiness.key_fingerprint = Some(sshsig::fingerprint(&public));
    // The provenance and the verification summary, DSSE-signed by the same key; the signed
    // readiness record lists them (SHA256SUMS, fixed before approval, cannot).
    let made = attest::make(
        dir,
        &signer,
        &readiness.evidence_digest,
        args.time,
        &checked.approvals,
    )?;
    readiness.attestations = made.listed;
    readiness.attestations_omitted = made.omitted.clone();
    let record = crate::util::canonical::json(&readiness);
    let record_sig = signer.sign(ARTIFACT_NAMESPACE, record.as_bytes())?;
    let sig = signer.sign(ARTIFACT_NAMESPACE, sums)?;
    for (name, text) in &made.files {
        crate::util::fs::write_atomic(&dir.join(name), text.as_bytes())?;
    }
    crate::util::fs::write_atomic(&dir.join(READINESS_FILE), record.as_bytes())?;
    crate::util::fs::write_atomic(&dir.join(READINESS_SIG_FILE), record_sig.as_bytes())?;
    // The release signature last: it seals the directory.
    crate::util::fs::write_atomic(&dir.join(SIGNATURE_FILE), sig.as_bytes())?;
    let attestations = match &made.omitted {
        Some(why) => format!("no DSSE attestations: {why}"),
        None => format!(
            "attestations (provenance + VSA, DSSE): {}",
            made.files
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Ok(Outcome::Done(format!(
        "signed SHA256SUMS of {} as {principal} ({}); the evidence is sealed; {attestations}",
        dir.display(),
        sshsig::fingerprint(&public)
    )))
}
