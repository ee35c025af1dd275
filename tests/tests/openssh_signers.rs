//! allowed_signers read exactly as OpenSSH reads it: each option and pattern form goes through
//! both `verify` and `ssh-keygen -Y verify`, which must agree; and every key type OpenSSH
//! signs with (Ed25519, ECDSA P-256/384/521, RSA with rsa-sha2-512) signs with `approve` and
//! `sign`, and `ssh-keygen -Y verify` accepts each signature.

use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use std::path::Path;

/// The verification time of both verifiers: 2026-09-01T00:00:00Z.
const KEYGEN_TIME: &str = "20260901Z";

/// Whether our `verify` accepts `item` with `signers`, and its detail; exit 2 (a malformed
/// file) is a refusal, whose message must name the file and line 1, where the variant stands.
fn ours(fx: &Fixture, dir: &Path, signers: &Path, item: &str) -> (bool, String) {
    let args = [
        "--allowed-signers",
        signers.to_str().unwrap(),
        "--date",
        DATE,
    ];
    let (code, json) = match verify_json_or_error(fx, dir, &args) {
        Ok(v) => v,
        Err(stderr) => {
            let at = format!("{}:1:", signers.display());
            assert!(stderr.contains(&at), "{at}: {stderr}");
            return (false, stderr);
        }
    };
    assert!(code == 0 || code == 1, "{json}");
    let found = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item)
        .unwrap_or_else(|| panic!("no item {item}: {json}"));
    (
        found["ok"].as_bool().unwrap(),
        found["detail"].as_str().unwrap().to_owned(),
    )
}

fn verify_json_or_error(
    fx: &Fixture,
    dir: &Path,
    args: &[&str],
) -> Result<(i32, serde_json::Value), String> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = verify_in(fx, &fx.root, dir, &all);
    if out.status.code() == Some(2) {
        return Err(stderr(&out));
    }
    Ok((
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    ))
}

#[test]
fn allowed_signers_options_agree_with_ssh_keygen() {
    let (fx, keys, dir) = setup(&approvals(SEC_ONLY), false, true);
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let out = approve(&fx, &keys, role, key, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(sign(&fx, &keys, "release").status.code(), Some(0));
    let qa_file = approval_files(&dir)
        .into_iter()
        .find(|f| f.starts_with("approval-qa-"))
        .unwrap();

    // (whose line is replaced, the line(s), valid for both verifiers?)
    let cases: &[(&str, &str, bool)] = &[
        ("release", "release@example.com {K}", true),
        (
            "release",
            "release@example.com namespaces=\"release-evidence-artifact-v1\" {K}",
            true,
        ),
        (
            "release",
            "release@example.com NameSpaces=\"release-evidence-artifact-v1\" {K}",
            true,
        ),
        (
            "release",
            "release@example.com namespaces=\"release-evidence-approval-v1\" {K}",
            false,
        ),
        (
            "release",
            "release@example.com namespaces=\"release-evidence-*\" {K}",
            true,
        ),
        (
            "release",
            "release@example.com namespaces=\"release-evidence-*,!release-evidence-artifact-v1\" {K}",
            false,
        ),
        (
            "release",
            "release@example.com namespaces=\"file,release-evidence-artifact-v?\" {K}",
            true,
        ),
        ("release", "*@example.com {K}", true),
        ("release", "*@example.com,!release@example.com {K}", false),
        ("release", "rel?ase@example.com {K}", true),
        ("release", "\"release@example.com\" {K}", true),
        ("release", "RELEASE@example.com {K}", false),
        (
            "release",
            "release@example.com valid-before=\"20200101\" {K}",
            false,
        ),
        (
            "release",
            "release@example.com valid-before=\"20200101Z\" {K}",
            false,
        ),
        (
            "release",
            "release@example.com valid-after=\"20990101\" {K}",
            false,
        ),
        (
            "release",
            "release@example.com valid-after=\"20260831\",valid-before=\"20260902\" {K}",
            true,
        ),
        (
            "release",
            "release@example.com valid-after=\"202609010001Z\" {K}",
            false,
        ),
        (
            "release",
            "release@example.com valid-before=\"20260901000000Z\" {K}",
            true,
        ),
        (
            "release",
            "release@example.com VALID-AFTER=\"20260901000000Z\" {K}",
            true,
        ),
        (
            "release",
            "release@example.com valid-before=\"20200101\" {K}\nrelease@example.com {K}",
            true,
        ),
        ("release", "release@example.com {O}", false),
        ("release", "release@example.com cert-authority {K}", false),
        (
            "release",
            "release@example.com namespaces=release-evidence-artifact-v1 {K}",
            false,
        ),
        (
            "release",
            "release@example.com namespaces=\"release-evidence-artifact-v1\",bogus {K}",
            false,
        ),
        (
            "release",
            "release@example.com valid-after=\"20300101\",valid-before=\"20200101\" {K}",
            false,
        ),
        (
            "qa",
            "qa@example.com namespaces=\"release-evidence-artifact-v1\" {K}",
            false,
        ),
        (
            "qa",
            "qa@example.com namespaces=\"release-evidence-approval-v1\",valid-before=\"20260902\" {K}",
            true,
        ),
        ("qa", "qa@example.com,!qa@example.com {K}", false),
        ("qa", "qa@example.com valid-after=\"20270101\" {K}", false),
    ];
    let away = fx.outside("variants");
    let mut disagreements = Vec::new();
    for (n, (who, line, expected)) in cases.iter().enumerate() {
        let text = line
            .replace("{K}", &keys.public(who))
            .replace("{O}", &keys.public("outsider"));
        // The variant first (line 1), then the other signers' lines unchanged.
        let others: String = allowed_signers(&keys, false)
            .lines()
            .filter(|l| !l.starts_with(&format!("{who}@")))
            .map(|l| format!("{l}\n"))
            .collect();
        let path = away.join(format!("variant-{n}"));
        std::fs::write(&path, format!("{text}\n{others}")).unwrap();
        let (item, principal, ns, file) = if *who == "release" {
            (
                "SHA256SUMS.sig",
                "release@example.com",
                ARTIFACT_NS,
                "SHA256SUMS".to_owned(),
            )
        } else {
            ("", "qa@example.com", APPROVAL_NS, qa_file.clone())
        };
        let item = if item.is_empty() {
            format!("approval {qa_file}")
        } else {
            item.to_owned()
        };
        let keygen = keygen_verify(&path, principal, ns, &dir.join(&file), KEYGEN_TIME);
        let (ours, detail) = ours(&fx, &dir, &path, &item);
        // A refusal names the line and why.
        if *line == "release@example.com valid-before=\"20200101\" {K}" {
            let why = format!(
                "({}: line 1: the key has expired (valid-before 2020-01-01T00:00:00Z))",
                path.display()
            );
            assert!(detail.ends_with(&why), "{detail}");
        }
        if line.contains("cert-authority") {
            assert!(detail.contains("`cert-authority` (SSH certificates) is not supported"));
        }
        if keygen != ours || ours != *expected {
            disagreements.push(format!(
                "{line}: ssh-keygen {keygen}, verify {ours}, expected {expected}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn every_key_type_signs_and_openssh_verifies() {
    let fx = Fixture::example();
    let keys = Keys::ed25519(&fx, &["ra", "sec"]);
    let qa = [
        ("qa-ed25519", &["-t", "ed25519"][..]),
        ("qa-rsa", &["-t", "rsa", "-b", "3072"][..]),
        ("qa-p256", &["-t", "ecdsa", "-b", "256"][..]),
        ("qa-p384", &["-t", "ecdsa", "-b", "384"][..]),
        ("qa-p521", &["-t", "ecdsa", "-b", "521"][..]),
    ];
    for (name, args) in qa {
        keys.make(name, args);
    }
    keys.make("release", &["-t", "rsa", "-b", "3072"]);
    let mut signers = String::new();
    for (name, _) in qa {
        signers.push_str(&format!(
            "{name}@example.com namespaces=\"{APPROVAL_NS}\" {}\n",
            keys.public(name)
        ));
    }
    for name in ["ra", "sec"] {
        signers.push_str(&format!(
            "{name}@example.com namespaces=\"{APPROVAL_NS}\" {}\n",
            keys.public(name)
        ));
    }
    signers.push_str(&format!(
        "release@example.com namespaces=\"{ARTIFACT_NS}\" {}\n",
        keys.public("release")
    ));
    fx.write("allowed_signers", &signers);
    let holders: Vec<String> = qa
        .iter()
        .map(|(n, _)| format!("\"{n}@example.com\""))
        .collect();
    let policy = approvals(SEC_ONLY).replace(
        r#"qa = ["qa@example.com"]"#,
        &format!("qa = [{}]", holders.join(", ")),
    );
    fx.append("release-evidence.toml", &policy);
    fx.append("release-evidence.toml", EXCEPTION);
    let dir = build_evidence(&fx, 0);

    for (name, _) in qa {
        let out = approve(&fx, &keys, "qa", name, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    }
    for (role, key) in [("regulatory", "ra"), ("security", "sec")] {
        let out = approve(&fx, &keys, role, key, &[]);
        assert_eq!(out.status.code(), Some(0), "{role}: {}", stderr(&out));
    }
    let out = sign(&fx, &keys, "release");
    assert_eq!(
        out.status.code(),
        Some(0),
        "RSA release key: {}",
        stderr(&out)
    );

    let signers = fx.path("allowed_signers");
    for (name, _) in qa {
        let file = dir.join(format!("approval-qa-{name}_example.com.json"));
        let principal = format!("{name}@example.com");
        assert!(
            keygen_verify(&signers, &principal, APPROVAL_NS, &file, KEYGEN_TIME),
            "ssh-keygen rejects the {name} signature"
        );
    }
    for file in ["SHA256SUMS", "readiness.json"] {
        assert!(
            keygen_verify(
                &signers,
                "release@example.com",
                ARTIFACT_NS,
                &dir.join(file),
                KEYGEN_TIME
            ),
            "ssh-keygen rejects the RSA signature of {file}"
        );
    }
    let (code, json) = verify_json(&fx, &dir, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["approvals"].as_array().unwrap().len(), 7, "{json}");
}
