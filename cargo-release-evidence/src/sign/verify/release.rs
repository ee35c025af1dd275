//! The release signature over `SHA256SUMS` and the signed readiness record.
//!
//! The release signer is a principal of the trusted rules' `release-signers` that
//! allowed_signers lists for the signing key in the artifact namespace at the verification
//! time, exactly as `ssh-keygen -Y verify -I <release-signer> -n release-evidence-artifact-v1`
//! decides. `readiness.json` is signed by the same key in the same namespace
//! (`readiness.json.sig`): it must be ready, cover the current digest, name a release signer the
//! key is allowed for, and the approvals it relied on must still verify.

use super::report::Item;
use crate::sign::approval::{
    READINESS_FILE, READINESS_SIG_FILE, Readiness, SIGNATURE_FILE, ValidApproval,
};
use crate::sign::sshsig::{self, ARTIFACT_NAMESPACE};
use crate::sign::trust::TrustRoot;
use crate::util::text::clip;
use ssh_key::PublicKey;
use std::path::Path;

/// A release signature that verified.
pub struct Signed {
    pub key: PublicKey,
    pub principal: String,
}

/// The release signer `key` stands for, by the trusted rules and keys; else why none.
pub fn release_principal(
    trust: &TrustRoot,
    key: &PublicKey,
    time: i64,
) -> std::result::Result<String, String> {
    let rules = &trust.rules;
    if rules.release_signers.is_empty() {
        return Err(
            "the policy names no release-signers ([approvals] release-signers), so no release signature is valid"
                .into(),
        );
    }
    trust
        .signers
        .find_principal(&rules.release_signers, key, ARTIFACT_NAMESPACE, time)
        .ok_or_else(|| {
            let allowed_for = trust
                .signers
                .literal_principals(key, ARTIFACT_NAMESPACE, time);
            // Why the file refuses each literal release signer (expired, other namespace, …).
            let why: Vec<String> = rules
                .release_signers
                .iter()
                .filter(|r| !crate::sign::pattern::has_wildcard(r))
                .filter_map(|r| trust.signers.why_not(r, key, ARTIFACT_NAMESPACE, time))
                .collect();
            format!(
                "key {} is not an allowed release signer: release-signers = [{}], allowed_signers lists this key in namespace {ARTIFACT_NAMESPACE} for [{}] ({})",
                sshsig::fingerprint(key),
                clip(&rules.release_signers.join(", "), 200),
                clip(&allowed_for.join(", "), 200),
                clip(&why.join("; "), 300)
            )
        })
}

/// `SHA256SUMS.sig`.
pub fn signature(
    dir: &Path,
    sums: Option<&[u8]>,
    trust: &TrustRoot,
    time: i64,
) -> (Item, Option<Signed>) {
    let fail = |detail: String| (Item::new(SIGNATURE_FILE, false, detail), None);
    let Ok(sig) = std::fs::read(dir.join(SIGNATURE_FILE)) else {
        return fail("MISSING: the release is not signed".into());
    };
    let Some(sums) = sums else {
        return fail("nothing to check it against: SHA256SUMS is missing".into());
    };
    let key = match sshsig::verify(&sig, ARTIFACT_NAMESPACE, sums) {
        Ok(k) => k,
        Err(e) => return fail(e.to_string()),
    };
    match release_principal(trust, &key, time) {
        Ok(principal) => (
            Item::new(
                SIGNATURE_FILE,
                true,
                format!("signed by {principal} ({})", sshsig::fingerprint(&key)),
            ),
            Some(Signed { key, principal }),
        ),
        Err(why) => fail(format!("signed by an untrusted key: {why}")),
    }
}

/// `readiness.json` and its signature, against the verified release signature.
pub fn readiness(
    dir: &Path,
    digest: &str,
    signed: &Signed,
    trust: &TrustRoot,
    time: i64,
    approvals: &[ValidApproval],
) -> Item {
    let item = |ok: bool, detail: String| Item::new(READINESS_FILE, ok, detail);
    let Ok(bytes) = std::fs::read(dir.join(READINESS_FILE)) else {
        return item(
            false,
            "MISSING: the signed record of what the release signature relied on".into(),
        );
    };
    let Ok(sig) = std::fs::read(dir.join(READINESS_SIG_FILE)) else {
        return item(
            false,
            format!("MISSING signature {READINESS_SIG_FILE}: the readiness record is not covered"),
        );
    };
    match sshsig::verify(&sig, ARTIFACT_NAMESPACE, &bytes) {
        Ok(k) if k.key_data() == signed.key.key_data() => {}
        Ok(k) => {
            return item(
                false,
                format!(
                    "signed by key {}, not by the release signer's key {}",
                    sshsig::fingerprint(&k),
                    sshsig::fingerprint(&signed.key)
                ),
            );
        }
        Err(e) => return item(false, format!("{READINESS_SIG_FILE}: {e}")),
    }
    let r: Readiness = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return item(
                false,
                format!("not a readiness record: {}", clip(&e.to_string(), 200)),
            );
        }
    };
    if !r.ready {
        return item(
            false,
            "the signed record says the release was not ready".into(),
        );
    }
    if r.evidence_digest != digest {
        return item(
            false,
            format!(
                "covers evidence digest {}, not the current {digest}",
                clip(&r.evidence_digest, 80)
            ),
        );
    }
    let fingerprint = sshsig::fingerprint(&signed.key);
    if r.key_fingerprint.as_deref() != Some(fingerprint.as_str()) {
        return item(
            false,
            format!(
                "names key {}, but the release was signed by {fingerprint}",
                clip(r.key_fingerprint.as_deref().unwrap_or("none"), 80)
            ),
        );
    }
    let by = r.signed_by.as_deref().unwrap_or_default();
    if !trust.rules.is_release_signer(by)
        || !trust
            .signers
            .allows(by, &signed.key, ARTIFACT_NAMESPACE, time)
    {
        return item(
            false,
            format!(
                "signed_by `{}` is not a release signer allowed for the signing key",
                clip(by, 120)
            ),
        );
    }
    let gone: Vec<&str> = r
        .approvals
        .iter()
        .filter(|a| !approvals.contains(a))
        .map(|a| a.file.as_str())
        .collect();
    if !gone.is_empty() {
        return item(
            false,
            format!(
                "relied on approvals that are no longer valid here: {}",
                clip(&gone.join(", "), 300)
            ),
        );
    }
    item(
        true,
        format!(
            "signed by {by}: ready over the current digest, relying on {} approval(s)",
            r.approvals.len()
        ),
    )
}
