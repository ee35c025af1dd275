//! `[approvals.import] cargo-vet = "supply-chain"` on a real workspace
//! (`tests/fixtures/workspaces/crates-io-licenses`) with the store the real cargo-vet wrote
//! (`tests/fixtures/cargo-vet/generate.sh`): audits count as approvals when their criteria meet
//! the required ones (full audits, a delta chain, an imported organisation's audit), exemptions
//! as baseline entries, and the finding for an unapproved crate says which audit would cover it.

use release_evidence_tests::*;

fn fixture(import: &str) -> Fixture {
    let fx = review::with_policy("crates-io-licenses");
    copy_dir(
        &repo_root().join("tests/fixtures/cargo-vet/supply-chain"),
        &fx.path("supply-chain"),
    );
    fx.append("release-evidence.toml", import);
    fx
}

fn pending(report: &serde_json::Value) -> Vec<(String, String)> {
    with_code(report, "RE-APPROVAL-PENDING")
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["fix"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn cargo_vet_audits_approve_and_exemptions_are_a_baseline() {
    let fx = fixture("\n[approvals.import]\ncargo-vet = \"supply-chain\"\n");
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    // fnv (full audit), csv-core (full 0.1.12 + delta to 0.1.13) and unescaper (imported from
    // the organisation `peer`) are reviewed; five crates are exempted: a baseline.
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 3, "baseline": 5})
    );
    assert_eq!(
        pending(&report),
        [
            (
                "memchr".to_owned(),
                "review memchr 2.8.3 and replace `pending-review = true` with reviewed-by, date and rationale; cargo-vet: the audit of memchr 2.8.3 by Bob Reviewer <bob@example.com> (full 2.8.3) certifies safe-to-run, not safe-to-deploy; an audit for safe-to-deploy (`cargo vet certify memchr 2.8.3 --criteria safe-to-deploy`) would cover it".to_owned()
            ),
            (
                "thiserror".to_owned(),
                "review thiserror 2.0.21 and replace `pending-review = true` with reviewed-by, date and rationale; cargo-vet: thiserror 2.0.20 is audited for safe-to-deploy; a delta audit 2.0.20 -> 2.0.21 (`cargo vet certify thiserror 2.0.20 2.0.21 --criteria safe-to-deploy`) would cover it".to_owned()
            ),
        ]
    );

    // `review` credits each audit, an imported one to its organisation.
    let out = fx.run(&[
        "review",
        "--offline",
        "--date",
        DATE,
        "--advisory-db",
        fixture_db().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "approved by cargo-vet: csv-core 0.1.13 — Bob Reviewer <bob@example.com> (delta 0.1.12 -> 0.1.13); Alice Auditor <alice@example.com> (full 0.1.12)\n",
        "approved by cargo-vet: fnv 1.0.7 — Alice Auditor <alice@example.com> (full 1.0.7)\n",
        "approved by cargo-vet: unescaper 0.1.8 — Carol Peer <carol@peer.example> (full 0.1.8, imported from peer)\n",
        "2 crates need a decision; approved: 3 reviewed, 5 by baseline entries (release-evidence.toml)\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

#[test]
fn required_criteria_decide_and_safe_to_deploy_implies_safe_to_run() {
    // safe-to-run: memchr's safe-to-run audit now counts; the safe-to-deploy audits imply it.
    let fx =
        fixture("\n[approvals.import]\ncargo-vet = \"supply-chain\"\ncriteria = \"safe-to-run\"\n");
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 4, "baseline": 5})
    );
    let names: Vec<String> = pending(&report).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["thiserror"], "{report:#}");
}

#[test]
fn a_broken_store_is_an_error_at_its_line_and_column() {
    let fx = fixture("\n[approvals.import]\ncargo-vet = \"supply-chain\"\n");
    fx.replace(
        "supply-chain/audits.toml",
        "delta = \"0.1.12 -> 0.1.13\"",
        "delta = \"0.1.12 to 0.1.13\"",
    );
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "supply-chain/audits.toml:13:9: expected a delta `FROM -> TO`, found `0.1.12 to 0.1.13`"
        ),
        "{err}"
    );
}
