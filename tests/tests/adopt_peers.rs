//! One register, many tools: the real cargo-audit and cargo-deny (installed by `.ci/run` when
//! absent) run on the configuration `export cargo-audit` / `export cargo-deny` writes ignore
//! exactly the advisories the gate accepts by exception.

use release_evidence_tests::*;
use std::collections::BTreeSet;

/// cargo-audit's vulnerability ids for the fixture's Cargo.lock with the fixture DB, offline.
fn cargo_audit_ids(fx: &Fixture) -> BTreeSet<String> {
    let out = std::process::Command::new("cargo")
        .args(["audit", "--no-fetch", "--json", "--db"])
        .arg(fixture_db())
        .current_dir(&fx.root)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run cargo audit");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cargo audit gave no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["advisory"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn cargo_audit_ignores_what_the_gate_accepts() {
    if !installed("audit") {
        // `.ci/run` installs it; only a machine that cannot install it gets here.
        eprintln!(
            "NOTICE: cargo-audit is not installed (cargo install --locked cargo-audit); skipped"
        );
        return;
    }
    let fx = Fixture::example();
    let before = cargo_audit_ids(&fx);
    assert_eq!(before, BTreeSet::from(["RUSTSEC-2021-0003".to_owned()]));

    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n",
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
    let accepted: BTreeSet<String> = with_code(&report, "RE-ADVISORY-ACCEPTED")
        .iter()
        .map(|f| f["advisory"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(accepted, before);

    std::fs::create_dir_all(fx.path(".cargo")).unwrap();
    let out = fx.run(&[
        "export",
        "cargo-audit",
        "--date",
        DATE,
        "-o",
        ".cargo/audit.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = cargo_audit_ids(&fx);
    // What cargo-audit now ignores is exactly what the gate accepted.
    let ignored: BTreeSet<String> = before.difference(&after).cloned().collect();
    assert_eq!(ignored, accepted);
    assert!(after.is_empty(), "{after:?}");
}

fn installed(tool: &str) -> bool {
    std::process::Command::new("cargo")
        .args([tool, "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// cargo-deny's vulnerability ids (`check advisories`, offline, JSON diagnostics) with the
/// fixture DB: cargo-deny reads a git checkout named after its URL under `db-path`, so the
/// fixture DB is committed into a fresh repository there (its name taken from cargo-deny's own
/// message when it differs from the one expected).
fn cargo_deny_ids(fx: &Fixture, config: &str) -> BTreeSet<String> {
    let db_path = fx.outside("deny-db");
    let config = config.replacen(
        "\n[advisories]\n",
        &format!("\n[advisories]\ndb-path = \"{}\"\n", db_path.display()),
        1,
    );
    fx.write("deny.toml", &config);
    let run = || {
        std::process::Command::new("cargo")
            .args([
                "deny",
                "--offline",
                "--format",
                "json",
                "check",
                "advisories",
            ])
            .current_dir(&fx.root)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("run cargo deny")
    };
    let mut out = run();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Some(i) = text.find("advisory-db-") {
        let name: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let repo = db_path.join(&name);
        if !repo.join(".git").is_dir() {
            copy_dir(&fixture_db(), &repo);
            for args in [
                &["init", "-q"][..],
                &["add", "-A"],
                &[
                    "-c",
                    "user.email=db@example.com",
                    "-c",
                    "user.name=db",
                    "commit",
                    "-qm",
                    "fixture DB",
                ],
            ] {
                let o = std::process::Command::new("git")
                    .args(args)
                    .current_dir(&repo)
                    .output()
                    .unwrap();
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
            out = run();
        }
    }
    let diagnostics: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        diagnostics.iter().any(|d| d["type"] == "summary"),
        "cargo deny did not check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    diagnostics
        .iter()
        .filter(|d| d["type"] == "diagnostic" && d["fields"]["advisory"]["id"].is_string())
        .map(|d| d["fields"]["advisory"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn cargo_deny_ignores_what_the_gate_accepts() {
    if !installed("deny") {
        // `.ci/run` installs it; only a machine that cannot install it gets here.
        eprintln!(
            "NOTICE: cargo-deny is not installed (cargo install --locked cargo-deny); skipped"
        );
        return;
    }
    let fx = Fixture::example();
    let export = |fx: &Fixture| {
        let out = fx.run(&["export", "cargo-deny", "--date", DATE]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    // Exported before any exception: cargo-deny reports the shipped smallvec's advisory (and,
    // as the gate, nothing about the dev-only atty: `exclude-dev`).
    let before = cargo_deny_ids(&fx, &export(&fx));
    assert_eq!(before, BTreeSet::from(["RUSTSEC-2021-0003".to_owned()]));

    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n",
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
    let accepted: BTreeSet<String> = with_code(&report, "RE-ADVISORY-ACCEPTED")
        .iter()
        .map(|f| f["advisory"].as_str().unwrap().to_owned())
        .collect();
    let after = cargo_deny_ids(&fx, &export(&fx));
    let ignored: BTreeSet<String> = before.difference(&after).cloned().collect();
    assert_eq!(ignored, accepted);
    assert!(after.is_empty(), "{after:?}");
}
