//! `verify` of the attestation bundles: each listed in the signed readiness record with its
//! sha256, each envelope signed by a key the verifier's allowed_signers holds for a release
//! signer, each statement about the artifact the bundle is named for, the provenance equal to
//! `provenance.intoto.json`, the VSA's verdict, policy, input and database equal to the
//! manifest's. Bundles nothing vouches for are refused.

use super::dsse::{Envelope, PAYLOAD_TYPE, pae};
use super::{BUNDLE_SUFFIX, artifacts, keys, manifest, vsa};
use crate::evidence::PROVENANCE_FILE;
use crate::evidence::provenance::{self, STATEMENT_TYPE};
use crate::sign::approval::{READINESS_FILE, READINESS_SIG_FILE, Readiness};
use crate::sign::sshsig::{self, ARTIFACT_NAMESPACE};
use crate::sign::trust::TrustRoot;
use crate::sign::verify::release::{Signed, release_principal};
use crate::sign::verify::report::Item;
use crate::util::digest;
use crate::util::text::clip;
use serde_json::Value;
use ssh_key::PublicKey;
use std::path::Path;

const LABEL: &str = "attestations";

pub fn items(
    dir: &Path,
    signed: Option<&Signed>,
    digest_now: &str,
    trust: &TrustRoot,
    time: i64,
) -> Vec<Item> {
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(BUNDLE_SUFFIX))
        .collect();
    present.sort();
    let unexpected = |names: &[String]| -> Vec<Item> {
        names
            .iter()
            .map(|n| {
                Item::new(
                    clip(n, 200),
                    false,
                    "UNEXPECTED attestation bundle: the signed readiness record does not list it",
                )
            })
            .collect()
    };
    let Some(signed) = signed else {
        return unexpected(&present);
    };
    let Some(readiness) = signed_readiness(dir, &signed.key) else {
        // The readiness item says why; nothing vouches for the bundles.
        return unexpected(&present);
    };
    let mut items = Vec::new();
    if readiness.attestations.is_empty() {
        items.push(match &readiness.attestations_omitted {
            Some(why) => Item::new(LABEL, true, format!("none made: {}", clip(why, 300))),
            None => Item::new(
                LABEL,
                false,
                "MISSING: the signed readiness record lists no attestation bundle and no reason",
            ),
        });
    }
    let manifest = manifest(dir).ok();
    for listed in &readiness.attestations {
        present.retain(|n| n != &listed.file);
        let label = clip(&listed.file, 200);
        let bytes = match std::fs::read(dir.join(&listed.file)) {
            Ok(b) => b,
            Err(_) => {
                items.push(Item::new(label, false, "MISSING: listed in readiness.json"));
                continue;
            }
        };
        let mut problems = Vec::new();
        let got = digest::sha256_hex(&bytes);
        if got != listed.sha256 {
            problems.push(format!(
                "MODIFIED: sha256 {got}, readiness.json lists {}",
                clip(&listed.sha256, 80)
            ));
        }
        match &manifest {
            Some(m) => problems.extend(bundle(
                dir,
                &listed.file,
                &bytes,
                m,
                digest_now,
                trust,
                time,
            )),
            None => problems.push("the manifest is unreadable".into()),
        }
        items.push(if problems.is_empty() {
            Item::new(
                label,
                true,
                format!(
                    "provenance and VSA signed by {}; subjects and verdict match the evidence",
                    signed.principal
                ),
            )
        } else {
            Item::new(label, false, problems.join("; "))
        });
    }
    items.extend(unexpected(&present));
    items
}

/// The readiness record, if its signature is the release key's.
fn signed_readiness(dir: &Path, key: &PublicKey) -> Option<Readiness> {
    let bytes = std::fs::read(dir.join(READINESS_FILE)).ok()?;
    let sig = std::fs::read(dir.join(READINESS_SIG_FILE)).ok()?;
    let k = sshsig::verify(&sig, ARTIFACT_NAMESPACE, &bytes).ok()?;
    (k.key_data() == key.key_data()).then_some(())?;
    serde_json::from_slice(&bytes).ok()
}

/// The problems of one bundle (empty: it verifies).
fn bundle(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    m: &Value,
    digest_now: &str,
    trust: &TrustRoot,
    time: i64,
) -> Vec<String> {
    let mut problems = Vec::new();
    let artifact = name.strip_suffix(BUNDLE_SUFFIX).unwrap_or(name);
    let Some((_, artifact_sha)) = artifacts(m).into_iter().find(|(p, _)| p == artifact) else {
        return vec![format!(
            "names no artifact of the manifest ({})",
            clip(artifact, 120)
        )];
    };
    let provenance_file = std::fs::read(dir.join(PROVENANCE_FILE)).unwrap_or_default();
    let (mut saw_provenance, mut saw_vsa) = (false, false);
    let text = String::from_utf8_lossy(bytes);
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = |what: String| format!("line {}: {what}", n + 1);
        let env: Envelope = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(e) => {
                problems.push(at(format!(
                    "not a DSSE envelope ({})",
                    clip(&e.to_string(), 120)
                )));
                continue;
            }
        };
        if env.payload_type != PAYLOAD_TYPE {
            problems.push(at(format!(
                "payloadType `{}`, not {PAYLOAD_TYPE}",
                clip(&env.payload_type, 80)
            )));
        }
        let Some((payload, sigs)) = env.open() else {
            problems.push(at("the payload is not base64".into()));
            continue;
        };
        if let Err(why) = signature(&pae(&env.payload_type, &payload), &sigs, trust, time) {
            problems.push(at(why));
            continue;
        }
        let Ok(statement) = serde_json::from_slice::<Value>(&payload) else {
            problems.push(at("the payload is not JSON".into()));
            continue;
        };
        if statement["_type"] != STATEMENT_TYPE {
            problems.push(at("not an in-toto Statement v1".into()));
        }
        let about = statement["subject"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["digest"]["sha256"] == artifact_sha.as_str());
        if !about {
            problems.push(at(format!(
                "no subject has the artifact's sha256 {artifact_sha}"
            )));
        }
        match statement["predicateType"].as_str() {
            Some(provenance::PREDICATE_TYPE) => {
                saw_provenance = true;
                if payload != provenance_file {
                    problems.push(at(format!("the provenance differs from {PROVENANCE_FILE}")));
                }
            }
            Some(vsa::PREDICATE_TYPE) => {
                saw_vsa = true;
                let want = expected_vsa(m, &provenance_file, digest_now);
                for (field, expected) in want {
                    let got = &statement["predicate"]
                        .pointer(field)
                        .cloned()
                        .unwrap_or(Value::Null);
                    if got != &expected {
                        problems.push(at(format!(
                            "VSA {field} is {}, the evidence says {}",
                            clip(&got.to_string(), 120),
                            clip(&expected.to_string(), 120)
                        )));
                    }
                }
            }
            other => problems.push(at(format!(
                "unknown predicateType {}",
                clip(other.unwrap_or("(none)"), 120)
            ))),
        }
    }
    if !saw_provenance {
        problems.push("no signed provenance".into());
    }
    if !saw_vsa {
        problems.push("no signed verification summary (VSA)".into());
    }
    problems
}

/// What the VSA must say, by JSON pointer into its predicate.
fn expected_vsa(m: &Value, provenance: &[u8], digest_now: &str) -> Vec<(&'static str, Value)> {
    let result = vsa::result(m["gate"]["decision"].as_str());
    vec![
        ("/verificationResult", Value::from(result)),
        ("/verifiedLevels", serde_json::json!(vsa::levels(result))),
        ("/policy/digest/sha256", m["policy"]["sha256"].clone()),
        (
            "/inputAttestations/0/digest/sha256",
            Value::from(digest::sha256_hex(provenance)),
        ),
        (
            "/cargo_release_evidence_advisoryDatabase/commit",
            m["advisory_db"]["commit"].clone(),
        ),
        (
            "/cargo_release_evidence_gate/decision",
            m["gate"]["decision"].clone(),
        ),
        (
            "/cargo_release_evidence_gate/evidenceDigest",
            Value::from(digest_now),
        ),
    ]
}

/// At least one signature over `pae` verifies with a key of the verifier's allowed_signers
/// that is a release signer's at `time`.
fn signature(
    pae: &[u8],
    sigs: &[super::dsse::Decoded],
    trust: &TrustRoot,
    time: i64,
) -> Result<(), String> {
    let mut untrusted = None;
    for sig in sigs.iter().flatten() {
        for entry in &trust.signers.entries {
            if !keys::verify(&entry.key, pae, sig) {
                continue;
            }
            match release_principal(trust, &entry.key, time) {
                Ok(_) => return Ok(()),
                Err(why) => untrusted = Some(why),
            }
        }
    }
    Err(match untrusted {
        Some(why) => format!("signed by a key that is not a release signer's: {why}"),
        None if sigs.is_empty() => "the envelope has no signature".into(),
        None => "no signature verifies with a key of the verifier's allowed signers (DSSE signature over the PAE)".into(),
    })
}
