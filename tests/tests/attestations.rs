//! Signed attestations: `sign` writes `<artifact>.intoto.jsonl` (the SLSA provenance and a SLSA
//! Verification Summary Attestation, each an in-toto Statement in a DSSE envelope signed by the
//! release signer's key); `verify` checks them against the verifier's allowed signers and the
//! evidence; securesystemslib and in-toto-attestation (PyPI) check them independently.

use release_evidence_tests::signing::{ARTIFACT_NS, Keys, approve, build_evidence, sign};
use release_evidence_tests::*;
use serde_json::Value;
use std::path::Path;

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa"]
allowed-signers = "allowed_signers"
risk-acceptance-roles = ["qa"]
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
"#;

/// The example with one required role, a release key of `release_type`, evidence built and
/// approved by QA (`accept`: the HOLD's risk accepted), then signed.
fn signed(release_type: &[&str], pass: bool) -> (Fixture, Keys, std::path::PathBuf) {
    let fx = Fixture::example();
    fx.without_verification();
    let keys = Keys::ed25519(&fx, &["qa"]);
    keys.make("release", release_type);
    fx.write(
        "allowed_signers",
        &format!(
            "qa@example.com namespaces=\"release-evidence-approval-v1\" {}\nrelease@example.com namespaces=\"{ARTIFACT_NS}\" {}\n",
            keys.public("qa"),
            keys.public("release")
        ),
    );
    fx.append("release-evidence.toml", APPROVALS);
    if pass {
        fx.append("release-evidence.toml", EXCEPTION);
    }
    let dir = build_evidence(&fx, if pass { 0 } else { 1 });
    let extra: &[&str] = if pass {
        &[]
    } else {
        &["--accept-risk", "ship it"]
    };
    let out = approve(&fx, &keys, "qa", "qa", extra);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = sign(&fx, &keys, "release");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("attestations (provenance + VSA, DSSE): thermo-fw.intoto.jsonl"),
        "{}",
        stdout(&out)
    );
    (fx, keys, dir)
}

fn verify(fx: &Fixture, dir: &Path) -> std::process::Output {
    fx.run(&["verify", dir.to_str().unwrap()])
}

/// The envelopes of a bundle and their decoded statements.
fn envelopes(bundle: &Path) -> Vec<(Value, Value)> {
    std::fs::read_to_string(bundle)
        .unwrap()
        .lines()
        .map(|l| {
            let env: Value = serde_json::from_str(l).unwrap();
            let payload = base64_decode(env["payload"].as_str().unwrap());
            (env, serde_json::from_slice(&payload).unwrap())
        })
        .collect()
}

fn base64_decode(s: &str) -> Vec<u8> {
    let out = std::process::Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(s.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

fn base64_encode(b: &[u8]) -> String {
    let out = std::process::Command::new("base64")
        .arg("-w0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// The sha256 SHA256SUMS lists for `name`.
fn listed(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .find(|l| l.ends_with(&format!(" {name}")))
        .unwrap()[..64]
        .to_owned()
}

#[test]
fn sign_writes_dsse_attestations_that_verify_and_securesystemslib_agrees() {
    let (fx, keys, dir) = signed(&["-t", "ed25519"], true);
    let bundle = dir.join("thermo-fw.intoto.jsonl");
    let envs = envelopes(&bundle);
    assert_eq!(envs.len(), 2);
    let artifact = listed(&dir, "thermo-fw");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("release-evidence.json")).unwrap())
            .unwrap();
    let (prov_env, prov) = &envs[0];
    assert_eq!(prov_env["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(prov["predicateType"], "https://slsa.dev/provenance/v1");
    // The signed provenance is exactly the evidence's provenance file.
    assert_eq!(
        base64_decode(prov_env["payload"].as_str().unwrap()),
        std::fs::read(dir.join("provenance.intoto.json")).unwrap()
    );
    let (vsa_env, vsa) = &envs[1];
    let keyid = vsa_env["signatures"][0]["keyid"].as_str().unwrap();
    assert!(keyid.starts_with("SHA256:"), "{keyid}");
    assert_eq!(vsa["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        vsa["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(vsa["subject"][0]["name"], "thermo-fw");
    assert_eq!(vsa["subject"][0]["digest"]["sha256"], artifact.as_str());
    let p = &vsa["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(
        p["verifiedLevels"],
        serde_json::json!(["SLSA_BUILD_LEVEL_1"])
    );
    assert_eq!(p["resourceUri"], "pkg:cargo/thermo-fw@0.9.0");
    assert_eq!(
        p["policy"]["digest"]["sha256"],
        manifest["policy"]["sha256"]
    );
    assert_eq!(p["policy"]["uri"], manifest["policy"]["path"]);
    assert_eq!(
        p["inputAttestations"][0]["digest"]["sha256"],
        listed(&dir, "provenance.intoto.json").as_str()
    );
    assert_eq!(
        p["cargo_release_evidence_advisoryDatabase"]["commit"],
        manifest["advisory_db"]["commit"]
    );
    assert_eq!(
        p["cargo_release_evidence_advisoryDatabase"]["date"],
        manifest["advisory_db"]["date"]
    );
    assert_eq!(p["timeVerified"], "2026-09-01T00:00:00Z");
    // The signed readiness record lists the bundle.
    let readiness: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("readiness.json")).unwrap())
            .unwrap();
    assert_eq!(
        readiness["attestations"][0]["file"],
        "thermo-fw.intoto.jsonl"
    );

    let out = verify(&fx, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("ok   thermo-fw.intoto.jsonl: provenance and VSA signed by release@example.com; subjects and verdict match the evidence"),
        "{}",
        stdout(&out)
    );
    // securesystemslib verifies each DSSE signature with the Ed25519 key read from release.pub;
    // in-toto-attestation validates the statements and both predicates.
    let public = keys.dir.join("release.pub");
    assert_eq!(validators::dsse(&bundle, &public), Ok(()));
    // … and rejects them for another key.
    let other = validators::dsse(&bundle, &keys.dir.join("qa.pub")).unwrap_err();
    assert!(other.contains("line 1: DSSE"), "{other}");

    // The VSA's verdict changed to FAILED in the payload, the signature kept.
    let original = std::fs::read_to_string(&bundle).unwrap();
    let mut env = vsa_env.clone();
    let mut statement = vsa.clone();
    statement["predicate"]["verificationResult"] = "FAILED".into();
    env["payload"] = base64_encode(statement.to_string().as_bytes()).into();
    let first = original.lines().next().unwrap();
    std::fs::write(&bundle, format!("{first}\n{env}\n")).unwrap();
    let out = verify(&fx, &dir);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL thermo-fw.intoto.jsonl: MODIFIED: sha256"),
        "{text}"
    );
    assert!(
        text.contains("line 2: no signature verifies with a key of the verifier's allowed signers (DSSE signature over the PAE)"),
        "{text}"
    );
    let err = validators::dsse(&bundle, &public).unwrap_err();
    assert!(err.contains("line 2: DSSE"), "{err}");

    // Removed: the signed readiness record still lists it.
    std::fs::remove_file(&bundle).unwrap();
    let out = verify(&fx, &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("FAIL thermo-fw.intoto.jsonl: MISSING: listed in readiness.json"),
        "{}",
        stdout(&out)
    );
    // Restored, plus a bundle nothing lists.
    std::fs::write(&bundle, &original).unwrap();
    assert_eq!(verify(&fx, &dir).status.code(), Some(0));
    std::fs::write(dir.join("other.intoto.jsonl"), first).unwrap();
    let out = verify(&fx, &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("FAIL other.intoto.jsonl: UNEXPECTED attestation bundle"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_risk_accepted_hold_is_a_failed_vsa_and_ecdsa_and_rsa_keys_sign() {
    // HOLD risk-accepted by QA, signed with an ECDSA P-256 key.
    let (fx, _keys, dir) = signed(&["-t", "ecdsa", "-b", "256"], false);
    let envs = envelopes(&dir.join("thermo-fw.intoto.jsonl"));
    let p = &envs[1].1["predicate"];
    assert_eq!(p["verificationResult"], "FAILED");
    assert_eq!(p["verifiedLevels"], serde_json::json!(["FAILED"]));
    assert_eq!(p["cargo_release_evidence_gate"]["decision"], "HOLD");
    assert_eq!(
        p["cargo_release_evidence_gate"]["riskAcceptedBy"],
        serde_json::json!(["qa"])
    );
    let out = verify(&fx, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("ok   thermo-fw.intoto.jsonl"));

    // RSA (PKCS#1 v1.5, SHA-256).
    let (fx, _keys, dir) = signed(&["-t", "rsa", "-b", "2048"], true);
    let out = verify(&fx, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("ok   thermo-fw.intoto.jsonl"));
}
