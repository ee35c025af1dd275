//! One register, many tools: the real cargo-audit (installed by `.ci/run` when absent) run on
//! the configuration `export cargo-audit` writes ignores exactly the advisories the gate
//! accepts by exception.

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

fn cargo_audit_installed() -> bool {
    std::process::Command::new("cargo")
        .args(["audit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn cargo_audit_ignores_what_the_gate_accepts() {
    if !cargo_audit_installed() {
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
