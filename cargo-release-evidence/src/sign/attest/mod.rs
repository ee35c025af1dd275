//! Signed attestations: the SLSA provenance and a SLSA Verification Summary Attestation of each
//! released artifact, as in-toto Statement v1 in DSSE envelopes signed by the release signer's
//! key when `sign` runs, one envelope per line in `<artifact>.intoto.jsonl` (the name OpenSSF
//! Scorecard and in-toto tools look for next to release assets).
//!
//! `sign` runs after the evidence digest is fixed, so the bundles are files of the signing
//! stage, like `readiness.json`: SHA256SUMS does not list them; the signed readiness record
//! lists each with its sha256 (or says why none were made), and `verify` checks them
//! (`check`): digest, every envelope's signature against the verifier's allowed signers, the
//! subjects against the artifacts, the VSA's verdict against the manifest.

pub mod check;
pub mod dsse;
pub mod keys;
pub mod vsa;

use crate::error::{Error, Result};
use crate::evidence::{self, PROVENANCE_FILE};
use crate::sign::approval::{AttestationFile, RISK_ACCEPTED, ValidApproval};
use crate::sign::sshsig::{self, Signer};
use crate::util::digest;
use dsse::Envelope;
use serde_json::Value;
use std::path::Path;

pub use crate::sign::approval::BUNDLE_SUFFIX;

/// The bundle of an artifact (`path` as the manifest lists it).
pub fn bundle_name(artifact: &str) -> String {
    format!("{artifact}{BUNDLE_SUFFIX}")
}

pub struct Made {
    /// File name and content of each bundle.
    pub files: Vec<(String, String)>,
    /// What the readiness record lists.
    pub listed: Vec<AttestationFile>,
    /// Why no bundle was made.
    pub omitted: Option<String>,
}

/// The manifest of a complete evidence directory, as JSON.
pub fn manifest(dir: &Path) -> Result<Value> {
    let path = dir.join(evidence::MANIFEST_FILE);
    let bytes =
        std::fs::read(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::Environment(format!("{} is not JSON: {e}", path.display())))
}

/// `(path, sha256)` of every artifact the manifest lists.
pub fn artifacts(m: &Value) -> Vec<(String, String)> {
    m["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a["path"].as_str()?.to_owned(),
                a["sha256"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The bundles for the evidence in `dir` (complete: `sign` checked it), signed by `signer`.
pub fn make(
    dir: &Path,
    signer: &Signer,
    evidence_digest: &str,
    time: i64,
    approvals: &[ValidApproval],
) -> Result<Made> {
    let omitted = |why: String| Made {
        files: Vec::new(),
        listed: Vec::new(),
        omitted: Some(why),
    };
    let m = manifest(dir)?;
    let arts = artifacts(&m);
    let provenance = std::fs::read(dir.join(PROVENANCE_FILE)).ok();
    let (Some(provenance), false) = (provenance, arts.is_empty()) else {
        return Ok(omitted(
            "the evidence has no build (--no-build): no artifact and no provenance to attest"
                .into(),
        ));
    };
    let Signer::Native(key) = signer else {
        return Ok(omitted(
            "the release key is used through ssh-keygen (ssh-agent, a token, or a key file the ssh-key crate cannot read), which makes SSH signatures only, not DSSE signatures".into(),
        ));
    };
    let public = key.public_key().clone();
    if keys::scheme(&public).is_none() {
        return Ok(omitted(format!(
            "a {} key does not sign DSSE attestations (Ed25519, ECDSA and RSA keys do)",
            public.algorithm()
        )));
    }
    let keyid = sshsig::fingerprint(&public);
    let seal = |payload: &[u8]| -> Result<String> {
        let env = Envelope::sign(payload, &keyid, |pae| keys::sign(key, pae))
            .map_err(Error::Environment)?;
        serde_json::to_string(&env).map_err(|e| Error::Environment(e.to_string()))
    };
    let provenance_line = seal(&provenance)?;
    let mut risk_accepted_by: Vec<String> = approvals
        .iter()
        .filter(|a| a.decision == RISK_ACCEPTED)
        .map(|a| a.role.clone())
        .collect();
    risk_accepted_by.sort();
    risk_accepted_by.dedup();
    let mut made = Made {
        files: Vec::new(),
        listed: Vec::new(),
        omitted: None,
    };
    for (path, sha256) in &arts {
        let statement = vsa::statement(&vsa::Input {
            manifest: &m,
            artifact: (path, sha256),
            provenance_sha256: &digest::sha256_hex(&provenance),
            evidence_digest,
            time_verified: crate::util::time::rfc3339(time),
            risk_accepted_by: risk_accepted_by.clone(),
        });
        let vsa_line = seal(
            crate::util::canonical::json(&statement)
                .trim_end()
                .as_bytes(),
        )?;
        let text = format!("{provenance_line}\n{vsa_line}\n");
        let name = bundle_name(path);
        made.listed.push(AttestationFile {
            file: name.clone(),
            sha256: digest::sha256_hex(text.as_bytes()),
        });
        made.files.push((name, text));
    }
    Ok(made)
}
