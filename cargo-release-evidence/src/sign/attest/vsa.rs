//! The SLSA Verification Summary Attestation v1 (slsa.dev/spec/v1.0/verification_summary) of
//! one released artifact: the gate's decision as verified when `sign` ran, made from the
//! evidence's manifest (which SHA256SUMS covers) only.

use crate::evidence::provenance::STATEMENT_TYPE;
use serde_json::{Value, json};

pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// The verifier: `cargo release-evidence sign`, which re-verifies the evidence, the approvals
/// and the readiness rule before it signs.
pub const VERIFIER_ID: &str =
    "https://github.com/cargo-release-evidence/cargo-release-evidence/verifiers/sign/v1";
/// The extension field holding the advisory database the gate used (`<vendor>_<name>`).
pub const DB_FIELD: &str = "cargo_release_evidence_advisoryDatabase";
pub const GATE_FIELD: &str = "cargo_release_evidence_gate";

/// `PASSED` when the gate passed; a HOLD is `FAILED` even when risk-accepted (the acceptance
/// is in the approvals, `cargo_release_evidence_gate.riskAcceptedBy`).
pub fn result(decision: Option<&str>) -> &'static str {
    if decision == Some("PASS") {
        "PASSED"
    } else {
        "FAILED"
    }
}

/// The levels verified: SLSA Build L1 (provenance exists; it is not made by a hosted build
/// platform), or `FAILED` when the policy verification failed, as the spec asks.
pub fn levels(result: &str) -> Vec<&'static str> {
    if result == "PASSED" {
        vec!["SLSA_BUILD_LEVEL_1"]
    } else {
        vec!["FAILED"]
    }
}

pub struct Input<'a> {
    pub manifest: &'a Value,
    /// `{"name","sha256"}` of the artifact.
    pub artifact: (&'a str, &'a str),
    pub provenance_sha256: &'a str,
    pub evidence_digest: &'a str,
    pub time_verified: String,
    pub risk_accepted_by: Vec<String>,
}

pub fn statement(i: &Input<'_>) -> Value {
    let m = i.manifest;
    let decision = m["gate"]["decision"].as_str();
    let result = result(decision);
    let purl = format!(
        "pkg:cargo/{}@{}",
        m["product"]["name"].as_str().unwrap_or_default(),
        m["product"]["version"].as_str().unwrap_or_default()
    );
    json!({
        "_type": STATEMENT_TYPE,
        "subject": [{ "name": i.artifact.0, "digest": { "sha256": i.artifact.1 } }],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "verifier": {
                "id": VERIFIER_ID,
                "version": { "cargo-release-evidence": env!("CARGO_PKG_VERSION") },
            },
            "timeVerified": i.time_verified,
            "resourceUri": purl,
            "policy": {
                "uri": m["policy"]["path"],
                "digest": { "sha256": m["policy"]["sha256"] },
            },
            "inputAttestations": [{
                "uri": crate::evidence::PROVENANCE_FILE,
                "digest": { "sha256": i.provenance_sha256 },
            }],
            "verificationResult": result,
            "verifiedLevels": levels(result),
            "slsaVersion": "1.0",
            DB_FIELD: {
                "commit": m["advisory_db"]["commit"],
                "date": m["advisory_db"]["date"],
                "advisories": m["advisory_db"]["advisories"],
            },
            GATE_FIELD: {
                "decision": decision,
                "date": m["gate"]["date"],
                "evidenceDigest": i.evidence_digest,
                "riskAcceptedBy": i.risk_accepted_by,
            },
        },
    })
}
