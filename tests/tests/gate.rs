//! The release gate (`check`) on the real example workspace, copied to a temp dir and changed
//! the way a team would change it: advisories and their exceptions, approvals, reviews of
//! vendored, path, git and supplier crates. Every test runs the real binary and real cargo.
//! What the gate judges and how it reports it are in `gate_scope.rs`.

use release_evidence_tests::gate::EXCEPTION;
use release_evidence_tests::*;

#[test]
fn example_workspace_holds_on_the_smallvec_advisory() {
    let fx = Fixture::example();
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["decision"], "HOLD");
    assert_eq!(
        findings(&report),
        vec![(
            "RE-ADVISORY-VULNERABILITY".to_owned(),
            "smallvec".to_owned(),
            "RUSTSEC-2021-0003".to_owned()
        )]
    );
    let f = &report["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["package"]["version"], "0.6.13");
    assert_eq!(f["package"]["source"], "crates.io");
    assert_eq!(f["via"][0]["member"], "thermo-fw");
    assert_eq!(f["via"][0]["kind"], "linked");
    assert_eq!(
        f["via"][0]["path"],
        serde_json::json!(["thermo-fw", "sensor-core", "smallvec"])
    );
    assert!(f["fix"].as_str().unwrap().contains("upgrade smallvec"));
    assert_eq!(report["schema"], "cargo-release-evidence/check-report");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["advisory_db"]["date"], "2026-08-21");
    assert_eq!(report["advisory_db"]["date_source"], "snapshot-file");
    assert_eq!(report["yanked_check"]["ran"], true);
}

#[test]
fn exception_turns_hold_into_pass_until_it_expires() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["decision"], "PASS");
    assert_eq!(
        findings(&report),
        vec![(
            "RE-ADVISORY-ACCEPTED".to_owned(),
            "smallvec".to_owned(),
            "RUSTSEC-2021-0003".to_owned()
        )]
    );
    let accepted = &report["findings"][0];
    assert_eq!(accepted["severity"], "warning");
    let msg = accepted["message"].as_str().unwrap();
    assert!(
        msg.contains("security@example.com") && msg.contains("2027-06-30"),
        "{msg}"
    );

    // The last day of the exception still counts …
    let (code, _) = fx.check_json(&["--date", "2027-06-30"]);
    assert_eq!(code, 0);
    // … the day after, it stops counting and is itself a finding.
    let (code, report) = fx.check_json(&["--date", "2027-07-01"]);
    assert_eq!(code, 1);
    let mut got = findings(&report);
    got.retain(|(c, _, _)| c != "RE-DB-STALE");
    assert_eq!(
        got,
        vec![
            (
                "RE-ADVISORY-VULNERABILITY".to_owned(),
                "smallvec".to_owned(),
                "RUSTSEC-2021-0003".to_owned()
            ),
            (
                "RE-EXCEPTION-EXPIRED".to_owned(),
                "smallvec".to_owned(),
                "RUSTSEC-2021-0003".to_owned()
            ),
        ]
    );
    let expired = with_code(&report, "RE-EXCEPTION-EXPIRED")[0];
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2027-06-30")
    );
    assert_eq!(expired["location"]["file"], "release-evidence.toml");
}

#[test]
fn exception_matching_nothing_is_a_warning() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.append(
        "release-evidence.toml",
        r#"
[[advisories.exception]]
id = "RUSTSEC-2020-0071"
crate = "time"
reason = "not used"
approved-by = "security@example.com"
expires = 2027-01-01
"#,
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
    let unused = with_code(&report, "RE-EXCEPTION-UNUSED");
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["severity"], "warning");
    assert!(
        unused[0]["message"]
            .as_str()
            .unwrap()
            .contains("RUSTSEC-2020-0071")
    );
}

#[test]
fn unapproved_crate_is_found_with_its_path() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    remove_approval(&fx, "crc-catalog");
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            (
                "RE-APPROVAL-MISSING".into(),
                "crc-catalog".into(),
                "".into()
            ),
            (
                "RE-ADVISORY-ACCEPTED".into(),
                "smallvec".into(),
                "RUSTSEC-2021-0003".into()
            ),
        ]
    );
    let f = with_code(&report, "RE-APPROVAL-MISSING")[0];
    assert_eq!(
        f["via"][0]["path"],
        serde_json::json!(["thermo-fw", "sensor-core", "crc", "crc-catalog"])
    );
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("name = \"crc-catalog\"")
    );
    // SARIF location: the line of app/Cargo.toml that pulls the chain in.
    assert_eq!(f["location"]["file"], "app/Cargo.toml");
    let line = f["location"]["line"].as_u64().unwrap() as usize;
    assert!(
        fx.read("app/Cargo.toml")
            .lines()
            .nth(line - 1)
            .unwrap()
            .starts_with("sensor-core"),
        "line {line}"
    );
}

#[test]
fn approval_for_another_version_and_unused_approval() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    // The crate is bumped past what was reviewed: the approval names an older version.
    let policy = fx.read("release-evidence.toml");
    let crc_version = locked_version(&fx, "crc");
    let old = format!("name = \"crc\"\nversion = \"={crc_version}\"");
    assert!(policy.contains(&old), "policy approves crc as {old}");
    fx.replace(
        "release-evidence.toml",
        &old,
        "name = \"crc\"\nversion = \"=3.0.1\"",
    );
    fx.append(
        "release-evidence.toml",
        r#"
[[approved]]
name = "tokio"
version = "1"
reviewed-by = "alice@example.com"
date = 2026-01-10
rationale = "used by a tool we no longer ship"
"#,
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    let mismatch = with_code(&report, "RE-APPROVAL-VERSION");
    assert_eq!(mismatch.len(), 1);
    assert_eq!(mismatch[0]["package"]["name"], "crc");
    let msg = mismatch[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`=3.0.1`") && msg.contains(&crc_version),
        "{msg}"
    );
    let unused = with_code(&report, "RE-APPROVAL-UNUSED");
    assert_eq!(unused.len(), 1);
    assert!(unused[0]["message"].as_str().unwrap().contains("tokio"));
    assert_eq!(unused[0]["severity"], "warning");
}

#[test]
fn vendored_crate_bumped_past_its_review() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.replace(
        "vendor/acme-hal/Cargo.toml",
        "version = \"1.4.2\"",
        "version = \"1.5.0\"",
    );
    fx.update_lockfile(&["--offline"]);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    let pin = with_code(&report, "RE-SUPPLIER-PIN");
    assert_eq!(pin.len(), 1, "{report:#}");
    assert_eq!(pin[0]["package"]["name"], "acme-hal");
    assert_eq!(pin[0]["package"]["version"], "1.5.0");
    assert_eq!(pin[0]["package"]["source"], "path+vendor/acme-hal");
    assert!(pin[0]["fix"].as_str().unwrap().contains("path-sha256 = \""));
}

#[test]
fn changed_byte_in_vendored_source_breaks_the_review_pin() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let lib = fx.read("vendor/acme-hal/src/lib.rs");
    fx.write("vendor/acme-hal/src/lib.rs", &format!("{lib}\n"));
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            ("RE-SUPPLIER-PIN".into(), "acme-hal".into(), "".into()),
            (
                "RE-ADVISORY-ACCEPTED".into(),
                "smallvec".into(),
                "RUSTSEC-2021-0003".into()
            ),
        ]
    );
}

#[test]
fn supplier_blob_with_one_changed_byte() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let blob = fx.path("firmware/radio-fw.bin");
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&blob, bytes).unwrap();
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    let art = with_code(&report, "RE-SUPPLIER-ARTIFACT");
    assert_eq!(art.len(), 1, "{report:#}");
    let msg = art[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("firmware/radio-fw.bin") && msg.contains("was reviewed"),
        "{msg}"
    );
    assert_eq!(art[0]["location"]["file"], "release-evidence.toml");

    std::fs::remove_file(&blob).unwrap();
    let (_, report) = fx.check_json(&[]);
    let art = with_code(&report, "RE-SUPPLIER-ARTIFACT");
    assert!(art[0]["message"].as_str().unwrap().contains("is missing"));
}

#[test]
fn path_dependency_outside_the_workspace_needs_a_supplier_review() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let outside = fx.outside("third-party/blinky");
    std::fs::create_dir_all(outside.join("src")).unwrap();
    std::fs::write(
        outside.join("Cargo.toml"),
        "[package]\nname = \"blinky\"\nversion = \"0.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(outside.join("src/lib.rs"), "pub fn blink() {}\n").unwrap();
    fx.replace(
        "app/Cargo.toml",
        "[dependencies]\n",
        "[dependencies]\nblinky = { path = \"../../third-party/blinky\" }\n",
    );
    fx.update_lockfile(&["--offline"]);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    let unreviewed = with_code(&report, "RE-SUPPLIER-UNREVIEWED");
    assert_eq!(unreviewed.len(), 1, "{report:#}");
    assert_eq!(
        unreviewed[0]["package"]["source"],
        "path+../third-party/blinky"
    );
    let fix = unreviewed[0]["fix"].as_str().unwrap();
    let digest = fix
        .split("path-sha256 = \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("fix names the digest")
        .to_owned();
    assert_eq!(digest.len(), 64);
    // The suggested review clears the finding.
    fx.append(
        "release-evidence.toml",
        &format!(
            "\n[[supplier]]\nname = \"blinky\"\npath-sha256 = \"{digest}\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-08-30\nrationale = \"reviewed in full\"\n"
        ),
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn git_dependency_needs_an_allowed_source_and_a_pinned_review() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let repo = fx.outside("git/ledctl");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"ledctl\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/lib.rs"), "pub fn on() {}\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "ledctl"]);
    let url = format!("file://{}", repo.display());
    fx.replace(
        "app/Cargo.toml",
        "[dependencies]\n",
        &format!("[dependencies]\nledctl = {{ git = \"{url}\" }}\n"),
    );
    fx.update_lockfile(&[]);
    // cargo must fetch the (local) git repository: no --offline here.
    let run = |fx: &Fixture| {
        let out = fx.run(&["check", "--date", DATE, "--format", "json"]);
        let code = out.status.code().unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
        (code, v)
    };
    let (code, report) = run(&fx);
    assert_eq!(code, 1);
    let mut got = findings(&report);
    got.retain(|(_, p, _)| p == "ledctl");
    assert_eq!(
        got,
        vec![
            ("RE-SOURCE-DENIED".into(), "ledctl".into(), "".into()),
            ("RE-SUPPLIER-UNREVIEWED".into(), "ledctl".into(), "".into()),
        ]
    );
    let source = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "RE-SUPPLIER-UNREVIEWED")
        .unwrap()["package"]["source"]
        .as_str()
        .unwrap()
        .to_owned();
    let commit = source.rsplit('#').next().unwrap().to_owned();
    assert_eq!(commit.len(), 40, "{source}");
    fx.replace(
        "release-evidence.toml",
        "allow-git = []",
        &format!("allow-git = [\"{url}\"]"),
    );
    fx.append(
        "release-evidence.toml",
        &format!(
            "\n[[supplier]]\nname = \"ledctl\"\ngit-commit = \"{commit}\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-08-30\nrationale = \"reviewed at this commit\"\n"
        ),
    );
    let (code, report) = run(&fx);
    assert_eq!(code, 0, "{report:#}");
    // A reviewed commit that is no longer the locked one is a pin mismatch.
    fx.replace(
        "release-evidence.toml",
        &format!("git-commit = \"{commit}\""),
        &format!("git-commit = \"{}\"", "0".repeat(40)),
    );
    let (code, report) = run(&fx);
    assert_eq!(code, 1);
    assert_eq!(with_code(&report, "RE-SUPPLIER-PIN").len(), 1);
}

fn remove_approval(fx: &Fixture, name: &str) {
    let policy = fx.read("release-evidence.toml");
    let mut out = Vec::new();
    let mut blocks = policy.split("[[approved]]");
    out.push(blocks.next().unwrap().to_owned());
    let mut removed = false;
    for b in blocks {
        if b.contains(&format!("name = \"{name}\"\n")) {
            removed = true;
            // Keep whatever follows the entry that is not part of it (next table).
            if let Some(i) = b.find("\n[") {
                out.push(b[i + 1..].to_owned());
            }
            continue;
        }
        out.push(format!("[[approved]]{b}"));
    }
    assert!(removed, "no approval for {name}");
    fx.write("release-evidence.toml", &out.concat());
}

fn locked_version(fx: &Fixture, name: &str) -> String {
    let lock = fx.read("Cargo.lock");
    let key = format!("name = \"{name}\"\nversion = \"");
    let i = lock
        .find(&key)
        .unwrap_or_else(|| panic!("{name} not locked"))
        + key.len();
    lock[i..].split('"').next().unwrap().to_owned()
}
