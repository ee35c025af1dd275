//! `verify` from a trust root the verifier chooses: forgeries by the holder of one key, a HOLD
//! without every risk acceptance, the signed readiness record, missing files, and `approve`
//! never replacing an approval. Keys by `ssh-keygen`, signatures forged with `ssh-keygen -Y
//! sign`, exactly as an attacker holding the key would.

use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use std::path::Path;
use std::process::Command;

fn ok(out: &std::process::Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    format!("{}{}", stdout(out), stderr(out))
}

fn approve_all(fx: &Fixture, keys: &Keys) {
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        ok(&approve(fx, keys, role, key, &[]), 0);
    }
}

fn fingerprint(keys: &Keys, name: &str) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-f"])
        .arg(keys.dir.join(format!("{name}.pub")))
        .output()
        .unwrap();
    stdout(&out).split_whitespace().nth(1).unwrap().to_owned()
}

/// What the holder of `key` alone can do: a readiness record saying "ready, signed by
/// `principal`" over the current SHA256SUMS, and both signed with `ssh-keygen -Y sign`.
fn forge_signatures(dir: &Path, keys: &Keys, key: &str, principal: &str) {
    let digest = format!("sha256:{}", sha256_file(&dir.join("SHA256SUMS")));
    let readiness = serde_json::json!({
        "schema": "cargo-release-evidence/readiness", "schema_version": 1, "ready": true,
        "evidence_digest": digest, "date": DATE, "missing": [], "signed_by": principal,
        "key_fingerprint": fingerprint(keys, key), "approvals": [],
        // The release key's holder can sign anything, attestations included; the forger here
        // drops them (they name the reviewed binary) and says so in the signed record.
        "attestations_omitted": "forged",
    });
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.to_string_lossy().ends_with(".intoto.jsonl") {
            std::fs::remove_file(path).unwrap();
        }
    }
    std::fs::write(dir.join("readiness.json"), readiness.to_string()).unwrap();
    keygen_sign(&keys.key(key), ARTIFACT_NS, &dir.join("readiness.json"));
    keygen_sign(&keys.key(key), ARTIFACT_NS, &dir.join("SHA256SUMS"));
}

/// Swaps the released binary, edits the manifest's copy of the rules, drops the approvals and
/// rewrites SHA256SUMS to match: everything `sha256sum -c` checks stays consistent.
fn swap_binary_and_rules(_fx: &Fixture, dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    // The released artifact is the copy inside the evidence directory.
    let bin = dir.join("thermo-fw");
    std::fs::write(&bin, b"\x7fELF not the reviewed firmware\n").unwrap();
    let sha = sha256_file(&bin);
    edit_json(&dir.join("release-evidence.json"), |m| {
        for a in m["artifacts"].as_array_mut().unwrap() {
            a["sha256"] = sha.clone().into();
        }
        edit(&mut m["approval_policy"]);
    });
    for f in approval_files(dir) {
        std::fs::remove_file(dir.join(&f)).unwrap();
        std::fs::remove_file(dir.join(format!("{f}.sig"))).unwrap();
    }
    rewrite_sums(dir);
    let check = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn the_verifier_chooses_the_trust_root() {
    // The workspace's policy lets qa@ hold security too; the auditor's trusted revision does not.
    let (fx, keys, dir) = setup(
        &approvals(r#"["sec@example.com", "qa@example.com"]"#),
        false,
        true,
    );
    approve_all(&fx, &keys);
    ok(&approve(&fx, &keys, "security", "qa", &[]), 0);
    ok(&sign(&fx, &keys, "release"), 0);

    // In the workspace: its policy and the allowed_signers file it names.
    let text = ok(&verify_in(&fx, &fx.root, &dir, &[]), 0);
    let policy = fx.path("release-evidence.toml");
    assert!(
        text.contains(&format!(
            "approval rules     the workspace policy {}",
            policy.display()
        )),
        "{text}"
    );
    assert!(text.contains("gate decision      PASS"), "{text}");
    assert!(!text.contains("NOTICE"), "{text}");
    let (code, json) = verify_json(&fx, &dir, &[]);
    assert_eq!((code, &json["gate_decision"]), (0, &"PASS".into()));
    assert_eq!(json["trust_root"]["evidence_copy"], false);

    // Away from the workspace with nothing to trust: exit 2 naming the flags.
    let away = fx.outside("auditor");
    for args in [&[][..], &["--allowed-signers", "keys"][..]] {
        let text = ok(&verify_in(&fx, &away, &dir, args), 2);
        for flag in [
            "--policy FILE",
            "--allowed-signers FILE",
            "--trust-evidence-copy",
        ] {
            assert!(text.contains(flag), "{args:?}: {text}");
        }
    }

    // The auditor's own policy and keys, under any names.
    std::fs::copy(&policy, away.join("ws-policy.toml")).unwrap();
    std::fs::copy(fx.path("allowed_signers"), away.join("keys")).unwrap();
    let trusted = fx.read("release-evidence.toml").replace(
        r#"security = ["sec@example.com", "qa@example.com"]"#,
        &format!("security = {SEC_ONLY}"),
    );
    std::fs::write(away.join("trusted.toml"), trusted).unwrap();
    let args = ["--policy", "ws-policy.toml", "--allowed-signers", "keys"];
    let text = ok(&verify_in(&fx, &away, &dir, &args), 0);
    assert!(
        text.contains(&format!(
            "approval rules     policy {} (--policy)",
            away.join("ws-policy.toml").display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "allowed signers    {} (--allowed-signers)",
            away.join("keys").display()
        )),
        "{text}"
    );
    // The role comes from the trusted policy, not from the copy the evidence carries.
    let args = ["--policy", "trusted.toml", "--allowed-signers", "keys"];
    let text = ok(&verify_in(&fx, &away, &dir, &args), 1);
    assert!(
        text.contains("FAIL approval approval-security-qa_example.com.json: principal qa@example.com is not in role security (holders: sec@example.com)"),
        "{text}"
    );

    // --policy alone: the allowed-signers file it names, next to it …
    std::fs::copy(fx.path("allowed_signers"), away.join("allowed_signers")).unwrap();
    let text = ok(
        &verify_in(&fx, &away, &dir, &["--policy", "ws-policy.toml"]),
        0,
    );
    assert!(
        text.contains(&format!(
            "allowed signers    {} (named by the policy)",
            away.join("allowed_signers").display()
        )),
        "{text}"
    );
    // … which must exist.
    std::fs::remove_file(away.join("allowed_signers")).unwrap();
    let text = ok(
        &verify_in(&fx, &away, &dir, &["--policy", "ws-policy.toml"]),
        2,
    );
    assert!(text.contains("pass `--allowed-signers FILE`"), "{text}");
    // A policy without [approvals] is no trust root.
    std::fs::copy(
        repo_root().join("example-workspace/release-evidence.toml"),
        away.join("plain.toml"),
    )
    .unwrap();
    let text = ok(
        &verify_in(
            &fx,
            &away,
            &dir,
            &["--policy", "plain.toml", "--allowed-signers", "keys"],
        ),
        2,
    );
    assert!(text.contains("has no [approvals] section"), "{text}");
    // A policy naming no release signer accepts no release signature.
    let nobody = fx
        .read("release-evidence.toml")
        .replace(r#"release-signers = ["release@example.com"]"#, "");
    std::fs::write(away.join("nobody.toml"), nobody).unwrap();
    let args = ["--policy", "nobody.toml", "--allowed-signers", "keys"];
    let text = ok(&verify_in(&fx, &away, &dir, &args), 1);
    assert!(
        text.contains(
            "FAIL SHA256SUMS.sig: signed by an untrusted key: the policy names no release-signers"
        ),
        "{text}"
    );

    // The copies inside the evidence only when asked, and the output says so plainly.
    let text = ok(&verify_in(&fx, &away, &dir, &["--trust-evidence-copy"]), 0);
    assert!(
        text.contains("NOTICE: trusting the copies inside the evidence (--trust-evidence-copy): whoever signed SHA256SUMS chose them"),
        "{text}"
    );
    assert!(
        text.contains("approval rules     the approval_policy copy inside the evidence"),
        "{text}"
    );
    let out = verify_in(
        &fx,
        &away,
        &dir,
        &["--trust-evidence-copy", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["trust_root"]["evidence_copy"], true);
    assert!(json["trust_root"]["notice"].is_string());
    let args = ["--trust-evidence-copy", "--policy", "ws-policy.toml"];
    let text = ok(&verify_in(&fx, &away, &dir, &args), 2);
    assert!(
        text.contains(
            "invalid value for `--trust-evidence-copy`: cannot be combined with --policy"
        ),
        "{text}"
    );
}

#[test]
fn a_forgery_with_only_the_release_key_fails() {
    let (fx, keys, dir) = setup(&approvals(SEC_ONLY), false, true);
    approve_all(&fx, &keys);
    ok(&sign(&fx, &keys, "release"), 0);
    // Swap the binary, set required_roles = [] in the manifest, drop the approvals, rewrite
    // SHA256SUMS and re-sign it (and a readiness record) with the release key.
    swap_binary_and_rules(&fx, &dir, |rules| {
        rules["required_roles"] = serde_json::json!([]);
    });
    forge_signatures(&dir, &keys, "release", "release@example.com");

    // The workspace's policy still requires the three roles.
    let text = ok(&verify_in(&fx, &fx.root, &dir, &[]), 1);
    assert!(
        text.contains("FAIL role qa: MISSING: no valid approval for this required role"),
        "{text}"
    );
    assert!(
        text.ends_with("verify: FAIL (role qa, role regulatory, role security)\n"),
        "{text}"
    );
    // So does an auditor's trusted policy and allowed_signers, away from the workspace.
    let away = fx.outside("auditor");
    std::fs::copy(fx.path("release-evidence.toml"), away.join("policy.toml")).unwrap();
    std::fs::copy(fx.path("allowed_signers"), away.join("keys")).unwrap();
    let args = ["--policy", "policy.toml", "--allowed-signers", "keys"];
    let text = ok(&verify_in(&fx, &away, &dir, &args), 1);
    assert!(text.contains("FAIL role security: MISSING"), "{text}");
    // Trusting the evidence's own copy trusts whoever holds the release key: the output says so.
    let text = ok(&verify_in(&fx, &away, &dir, &["--trust-evidence-copy"]), 0);
    assert!(text.contains("NOTICE: trusting the copies"), "{text}");
}

#[test]
fn one_role_key_alone_forges_nothing_with_git_style_allowed_signers() {
    // allowed_signers without namespaces= (as git's): every key may sign in every namespace.
    let (fx, keys, dir) = setup(&approvals(SEC_ONLY), true, true);
    approve_all(&fx, &keys);
    ok(&sign(&fx, &keys, "release"), 0);
    ok(&verify_in(&fx, &fx.root, &dir, &[]), 0);
    let forged = clone_with_evidence(&fx);
    let fdir = forged.path(EVIDENCE);

    // QA alone: its own release signer in the evidence's copy, a release signature by its key.
    swap_binary_and_rules(&forged, &fdir, |rules| {
        rules["required_roles"] = serde_json::json!([]);
        rules["release_signers"] = serde_json::json!(["qa@example.com"]);
    });
    forge_signatures(&fdir, &keys, "qa", "qa@example.com");
    // OpenSSH accepts it for qa@example.com: only the trusted release-signers stop it.
    let signers = fx.path("allowed_signers");
    let sums = fdir.join("SHA256SUMS");
    assert!(keygen_verify(
        &signers,
        "qa@example.com",
        ARTIFACT_NS,
        &sums,
        "20260901Z"
    ));
    let text = ok(&verify_in(&forged, &forged.root, &fdir, &[]), 1);
    assert!(
        text.contains(&format!(
            "FAIL SHA256SUMS.sig: signed by an untrusted key: key {} is not an allowed release signer: release-signers = [release@example.com], allowed_signers lists this key in namespace {ARTIFACT_NS} for [qa@example.com]",
            fingerprint(&keys, "qa")
        )),
        "{text}"
    );

    // QA signs an approval claiming to be sec@example.com: the principal is checked against
    // the keys allowed_signers lists for it, not taken from the record.
    let file = "approval-security-sec_example.com.json";
    edit_json(&dir.join(file), |a| {
        a["key_fingerprint"] = fingerprint(&keys, "qa").into();
    });
    keygen_sign(&keys.key("qa"), APPROVAL_NS, &dir.join(file));
    let text = ok(&verify_in(&fx, &fx.root, &dir, &[]), 1);
    assert!(
        text.contains(&format!(
            "FAIL approval {file}: signed by key {} which allowed_signers does not list for principal sec@example.com in namespace {APPROVAL_NS}",
            fingerprint(&keys, "qa")
        )),
        "{text}"
    );
}

#[test]
fn a_hold_needs_a_risk_acceptance_by_every_risk_acceptance_role() {
    // No required roles: only the HOLD rule stands between a release signature and PASS.
    let policy = approvals(SEC_ONLY).replace(
        r#"required-roles = ["qa", "regulatory", "security"]"#,
        "required-roles = []",
    );
    let (fx, keys, dir) = setup(&policy, false, false);
    let text = ok(&sign(&fx, &keys, "release"), 1);
    assert!(
        text.contains("the gate decided HOLD: risk acceptance by role regulatory"),
        "{text}"
    );

    // The release key alone signs the genuine HOLD evidence with ssh-keygen.
    let forged = clone_with_evidence(&fx);
    let fdir = forged.path(EVIDENCE);
    forge_signatures(&fdir, &keys, "release", "release@example.com");
    let text = ok(&verify_in(&forged, &forged.root, &fdir, &[]), 1);
    assert!(text.contains("  gate decision      HOLD\n"), "{text}");
    assert!(
        text.contains("FAIL gate decision: the gate decided HOLD: risk acceptance by role regulatory; the gate decided HOLD: risk acceptance by role security"),
        "{text}"
    );
    assert!(text.ends_with("verify: FAIL (gate decision)\n"), "{text}");
    let (_, json) = verify_json(&forged, &fdir, &[]);
    assert_eq!(json["gate_decision"], "HOLD");

    // One risk acceptance of two is not enough.
    let rationale = ["--accept-risk", "field units are isolated; fix in 0.9.1"];
    ok(&approve(&fx, &keys, "regulatory", "ra", &rationale), 0);
    ok(&sign(&fx, &keys, "release"), 1);
    let forged = clone_with_evidence(&fx);
    let fdir = forged.path(EVIDENCE);
    forge_signatures(&fdir, &keys, "release", "release@example.com");
    let text = ok(&verify_in(&forged, &forged.root, &fdir, &[]), 1);
    assert!(
        text.contains(
            "FAIL gate decision: the gate decided HOLD: risk acceptance by role security\n"
        ),
        "{text}"
    );

    // Every risk-acceptance role: `sign` signs, verify passes and shows the HOLD.
    ok(&approve(&fx, &keys, "security", "sec", &rationale), 0);
    ok(&sign(&fx, &keys, "release"), 0);
    let text = ok(&verify_in(&fx, &fx.root, &dir, &[]), 0);
    assert!(text.contains("  gate decision      HOLD\n"), "{text}");
    assert!(
        text.contains("ok   gate decision: HOLD: risk accepted by regulatory, security"),
        "{text}"
    );
}

/// Applies `tamper`, expects verify to fail with `expect`, then undoes it and verifies again.
fn tamper(fx: &Fixture, dir: &Path, file: &Path, tamper: impl FnOnce(&Path), expect: &str) {
    let backup = fx.outside("backup").join(file.file_name().unwrap());
    std::fs::copy(file, &backup).unwrap();
    tamper(file);
    let text = ok(&verify_in(fx, &fx.root, dir, &[]), 1);
    assert!(text.contains(expect), "{expect}:\n{text}");
    let _ = std::fs::remove_file(file);
    std::fs::rename(&backup, file).unwrap();
    ok(&verify_in(fx, &fx.root, dir, &[]), 0);
}

#[test]
fn readiness_is_signed_and_every_listed_file_is_required() {
    let (fx, keys, dir) = setup(&approvals(SEC_ONLY), false, true);
    approve_all(&fx, &keys);
    ok(&sign(&fx, &keys, "release"), 0);
    ok(&verify_in(&fx, &fx.root, &dir, &[]), 0);
    // OpenSSH verifies the readiness record as the release signer's, in the artifact namespace.
    let readiness = dir.join("readiness.json");
    let signers = fx.path("allowed_signers");
    let who = "release@example.com";
    assert!(keygen_verify(
        &signers,
        who,
        ARTIFACT_NS,
        &readiness,
        "20260901Z"
    ));

    let edit_signer = |p: &Path| edit_json(p, |r| r["signed_by"] = "ra@example.com".into());
    let bad_sig =
        "FAIL readiness.json: readiness.json.sig: signature does not match the signed file";
    tamper(&fx, &dir, &readiness, edit_signer, bad_sig);
    let remove = |p: &Path| std::fs::remove_file(p).unwrap();
    let sig = dir.join("readiness.json.sig");
    let unsigned = "FAIL readiness.json: MISSING signature readiness.json.sig";
    tamper(&fx, &dir, &sig, remove, unsigned);
    let missing = "FAIL readiness.json: MISSING: the signed record";
    tamper(&fx, &dir, &readiness, remove, missing);

    // A deleted artifact fails, as with `sha256sum -c`; so does a dangling symlink.
    let bin = dir.join("thermo-fw");
    let gone = "FAIL thermo-fw: MISSING: listed in SHA256SUMS but not present";
    tamper(&fx, &dir, &bin, remove, gone);
    let dangling = |p: &Path| {
        std::fs::remove_file(p).unwrap();
        std::os::unix::fs::symlink("no-such-file", p).unwrap();
    };
    let link = "FAIL thermo-fw: MISSING: listed in SHA256SUMS but a dangling symlink";
    tamper(&fx, &dir, &bin, dangling, link);
    let sums = "FAIL SHA256SUMS: MISSING: the evidence has no SHA256SUMS";
    tamper(&fx, &dir, &dir.join("SHA256SUMS"), remove, sums);

    // No such directory: nothing to verify, exit 2.
    let text = ok(&verify_in(&fx, &fx.root, &dir.join("nope"), &[]), 2);
    assert!(text.contains("is not a directory"), "{text}");
}

#[test]
fn approve_never_replaces_an_approval() {
    let (fx, keys, dir) = setup(&approvals(SEC_ONLY), false, true);
    ok(&approve(&fx, &keys, "qa", "qa", &[]), 0);
    let file = dir.join("approval-qa-qa_example.com.json");
    let before = std::fs::read(&file).unwrap();
    // The same approval again changes nothing.
    let text = ok(&approve(&fx, &keys, "qa", "qa", &[]), 0);
    assert!(text.contains("unchanged"), "{text}");
    // A different one is refused, naming the approval in place.
    let text = ok(
        &approve(&fx, &keys, "qa", "qa", &["--comment", "second thoughts"]),
        1,
    );
    assert!(
        text.contains("approval-qa-qa_example.com.json already exists (approved by qa@example.com as qa on 2026-09-01 over sha256:"),
        "{text}"
    );
    assert!(
        text.contains("approve never replaces an approval"),
        "{text}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // Signed evidence takes no approval at all.
    for (role, key) in [("regulatory", "ra"), ("security", "sec")] {
        ok(&approve(&fx, &keys, role, key, &[]), 0);
    }
    ok(&sign(&fx, &keys, "release"), 0);
    let text = ok(&approve(&fx, &keys, "qa", "qa", &["--comment", "late"]), 1);
    assert!(
        text.contains("is signed (SHA256SUMS.sig exists): the release signature relied on the approvals present when it was made"),
        "{text}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}
