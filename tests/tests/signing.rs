//! Approvals, signing readiness and independent verification, with keys made by OpenSSH's
//! `ssh-keygen` in a temp dir, and every signature checked by `ssh-keygen -Y verify` too.
//! Tampering with signed evidence is in `signing_tamper.rs`.

use release_evidence_tests::approvals::*;
use release_evidence_tests::*;
use std::path::Path;
use std::process::Command;

fn ssh_keygen_verify(dir: &Path, signers: &Path, principal: &str, ns: &str, file: &str) -> bool {
    let out = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(signers)
        .args(["-I", principal, "-n", ns, "-s"])
        .arg(dir.join(format!("{file}.sig")))
        .stdin(std::fs::File::open(dir.join(file)).unwrap())
        .output()
        .unwrap();
    out.status.success()
}

#[test]
fn three_roles_approve_then_sign_then_verify_and_openssh_agrees() {
    let (fx, keys, dir) = signed_ready(true);
    all_approve(&fx, &keys);
    let out = sign(&fx, &keys);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("signed SHA256SUMS"));
    let ok = verify(&fx, &dir);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).ends_with("verify: PASS\n"));
    let json: serde_json::Value = serde_json::from_slice(
        &fx.run(&["verify", dir.to_str().unwrap(), "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["approvals"].as_array().unwrap().len(), 3);

    // OpenSSH itself accepts every signature with the same allowed_signers file.
    let signers = fx.path("allowed_signers");
    for (role, principal) in [
        ("qa", "qa@example.com"),
        ("regulatory", "ra@example.com"),
        ("security", "sec@example.com"),
    ] {
        let file = approval_file(&dir, role);
        assert!(
            ssh_keygen_verify(
                &dir,
                &signers,
                principal,
                "release-evidence-approval-v1",
                &file
            ),
            "ssh-keygen rejects {file}"
        );
    }
    assert!(ssh_keygen_verify(
        &dir,
        &signers,
        "release@example.com",
        "release-evidence-artifact-v1",
        "SHA256SUMS"
    ));
    // … and only in the right namespace.
    assert!(!ssh_keygen_verify(
        &dir,
        &signers,
        "release@example.com",
        "release-evidence-approval-v1",
        "SHA256SUMS"
    ));

    // The approval binds the evidence digest: sha256 of SHA256SUMS.
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(approval_file(&dir, "qa"))).unwrap(),
    )
    .unwrap();
    let sums = std::fs::read(dir.join("SHA256SUMS")).unwrap();
    let expected = format!("sha256:{}", sha256_hex(&sums));
    assert_eq!(record["evidence_digest"], expected.as_str());
    assert_eq!(record["decision"], "approved");
    assert_eq!(record["principal"], "qa@example.com");
    let readiness: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("readiness.json")).unwrap())
            .unwrap();
    assert_eq!(readiness["ready"], true);
    assert_eq!(readiness["signed_by"], "release@example.com");

    // Sealed now: the main job writes nothing.
    let again = fx.run(&["--offline", "--date", DATE, "-q"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("sealed"));
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn signing_the_same_content_twice_gives_the_same_bytes() {
    let (fx, keys, dir) = signed_ready(true);
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = approval_file(&dir, "qa");
    let first = std::fs::read(dir.join(format!("{file}.sig"))).unwrap();
    let record = std::fs::read(dir.join(&file)).unwrap();
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(dir.join(format!("{file}.sig"))).unwrap(),
        first
    );
    assert_eq!(std::fs::read(dir.join(&file)).unwrap(), record);
}

#[test]
fn refusals() {
    // sign before approvals: a readiness record saying what is missing, nothing signed.
    let (fx, keys, dir) = signed_ready(true);
    let out = sign(&fx, &keys);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("approval of role qa"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("SHA256SUMS.sig").exists());
    let readiness: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("readiness.json")).unwrap())
            .unwrap();
    assert_eq!(readiness["ready"], false);
    assert_eq!(readiness["missing"].as_array().unwrap().len(), 3);

    // A key not allowed for the role.
    let out = approve(&fx, &keys, "security", "qa", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not allowed for role security"),
        "{}",
        stderr(&out)
    );
    let out = approve(&fx, &keys, "qa", "outsider", &[]);
    assert_eq!(out.status.code(), Some(1));

    // HOLD without --accept-risk.
    let (fx, keys, dir) = signed_ready(false);
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--accept-risk"), "{}", stderr(&out));
    // A role that may not accept risk.
    let out = approve(&fx, &keys, "qa", "qa", &["--accept-risk", "ship it"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("may not accept risk"));
    // The roles that may: a recorded risk acceptance listing the blocking findings.
    for (role, key) in [("regulatory", "ra"), ("security", "sec")] {
        let out = approve(
            &fx,
            &keys,
            role,
            key,
            &["--accept-risk", "field units are isolated; fix in 0.9.1"],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(approval_file(&dir, "security"))).unwrap(),
    )
    .unwrap();
    assert_eq!(record["decision"], "risk-accepted");
    assert_eq!(
        record["accepted_findings"][0]["advisory"],
        "RUSTSEC-2021-0003"
    );
    // QA still has to approve before the HOLD can be signed … and cannot without accepting risk.
    let out = sign(&fx, &keys);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("approval of role qa"));
}

#[test]
fn allowed_signers_errors_name_the_line() {
    let (fx, keys, _dir) = signed_ready(true);
    let mut text = keys.allowed_signers();
    text.push_str("broken@example.com ssh-ed25519 not-base64\n");
    fx.write("allowed_signers", &text);
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("allowed_signers:5:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn encrypted_keys_and_agent_keys_sign_too() {
    let (fx, keys, dir) = signed_ready(true);
    // An encrypted key for QA, with its passphrase in a file.
    let enc = keys.dir.join("qa-enc");
    let out = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "correct horse",
            "-C",
            "qa",
            "-f",
        ])
        .arg(&enc)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(enc.with_extension("pub")).unwrap();
    let public: String = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    fx.append(
        "allowed_signers",
        &format!("qa@example.com namespaces=\"release-evidence-approval-v1\" {public}\n"),
    );
    // allowed_signers changed after the evidence: approve reads the policy's file.
    let pass = keys.dir.join("pass.txt");
    std::fs::write(&pass, "correct horse\n").unwrap();
    let out = fx.run(&[
        "approve",
        "--date",
        DATE,
        "--role",
        "qa",
        "--key",
        enc.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(&pass, "wrong\n").unwrap();
    let out = fx.run(&[
        "approve",
        "--date",
        DATE,
        "--role",
        "qa",
        "--key",
        enc.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );

    // A key held by ssh-agent: --key names the public key, ssh-keygen -Y sign signs.
    let sock = keys.dir.join("agent.sock");
    let agent = Command::new("ssh-agent")
        .args(["-a"])
        .arg(&sock)
        .output()
        .unwrap();
    assert!(agent.status.success(), "{}", stderr(&agent));
    let pid = stdout(&agent)
        .split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap()
        .to_owned();
    let added = Command::new("ssh-add")
        .arg(keys.key("sec"))
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", stderr(&added));
    // The private key file is moved away: only the agent can sign now.
    std::fs::rename(keys.key("sec"), keys.dir.join("sec.moved")).unwrap();
    let out = fx
        .cmd()
        .env("SSH_AUTH_SOCK", &sock)
        .args(["approve", "--date", DATE, "--role", "security", "--key"])
        .arg(keys.dir.join("sec.pub"))
        .output()
        .unwrap();
    let _ = Command::new("kill").arg(&pid).output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = approval_file(&dir, "security");
    assert!(ssh_keygen_verify(
        &dir,
        &fx.path("allowed_signers"),
        "sec@example.com",
        "release-evidence-approval-v1",
        &file
    ));
}
