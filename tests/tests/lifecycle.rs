//! `[lifecycle]` and the update handoff: 0.9.0 of the example released, signed and retained in
//! a ledger; 0.9.1 released with `require-rollback-plan` and no plan holds
//! (`RE-ROLLBACK-PLAN-MISSING`); with `[lifecycle.rollback]` it passes and its evidence holds
//! `update-manifest.json` (listed in SHA256SUMS and the manifest) naming the superseded release
//! and the rollback target with their evidence digests from the ledger; `verify` passes; the
//! ledger then knows its support end, and `monitor`'s CSAF VEX (validated) states smallvec
//! known_affected in 0.9.0 (risk accepted) and known_not_affected in 0.9.1 with the
//! justification its exception gave. Bad `[lifecycle]` values are refused at file:line:col.

use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use serde_json::{Value, json};

/// Every role approves the evidence in `dir` and the release key signs it.
fn sign_all(fx: &Fixture, keys: &Keys, dir: &std::path::Path) {
    let dir = dir.display().to_string();
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let out = approve(fx, keys, role, key, &[dir.as_str()]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let k = keys.key("release");
    let out = fx.run(&["sign", "--date", DATE, "--key", &k, &dir]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn ledger_json(fx: &Fixture, l: &std::path::Path, args: &[&str]) -> Value {
    let out = fx
        .cmd()
        .args(["ledger", "--ledger"])
        .arg(l)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_update_manifest_names_the_rollback_target_retained_in_the_ledger() {
    let (fx, keys, first) = setup(&approvals(SEC_ONLY), false, true);
    sign_all(&fx, &keys, &first);
    let l = fx.outside("ledger").join("ledger.sqlite3");
    let out = fx
        .cmd()
        .args(["ledger", "--ledger"])
        .arg(&l)
        .arg("add")
        .arg(&first)
        .args(["--date", DATE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list = ledger_json(&fx, &l, &["list"]);
    let old = &list["releases"][0];
    let target = old["target"].as_str().unwrap().to_owned();
    let old_digest = old["evidence_digest"].as_str().unwrap().to_owned();
    assert!(old_digest.starts_with("sha256:"), "{list}");

    // 0.9.1 with [lifecycle] requiring a rollback plan, and none: HOLD.
    fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.0\"",
        "version = \"0.9.1\"",
    );
    fx.update_lockfile(&["--offline"]);
    // 0.9.1's exception says why the product is not affected (0.9.0's did not).
    fx.replace(
        "release-evidence.toml",
        "\nexpires = 2027-06-30\n",
        "\nexpires = 2027-06-30\njustification = \"vulnerable_code_not_in_execute_path\"\n",
    );
    fx.append(
        "release-evidence.toml",
        &format!(
            "\n[lifecycle]\nsupport-until = 2031-12-31\npatch-policy = \"security fixes within 30 days\"\nrequire-rollback-plan = true\nledger = \"{}\"\n",
            l.display()
        ),
    );
    build_evidence(&fx, 1);
    let dir = fx.path("target/release/release-evidence/thermo-fw-0.9.1");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("release-evidence.json")).unwrap())
            .unwrap();
    let codes: Vec<&str> = manifest["gate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"RE-ROLLBACK-PLAN-MISSING"), "{codes:?}");
    assert_eq!(manifest["gate"]["decision"], "HOLD");
    assert_eq!(manifest["lifecycle"]["rollback_plan"], false);
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(
        record.contains("- [ ] Rollback plan documented (none in [lifecycle.rollback])\n"),
        "{record}"
    );

    // With the plan: PASS, and the update manifest.
    fx.write(
        "ROLLBACK.md",
        "Flash the previous image with the bootloader's A/B switch.\n",
    );
    fx.append(
        "release-evidence.toml",
        "\n[lifecycle.rollback]\nprevious-good = \"0.9.0\"\nhow-file = \"ROLLBACK.md\"\nminimum-version = \"0.9.0\"\n",
    );
    build_evidence(&fx, 0);
    let text = std::fs::read_to_string(dir.join("update-manifest.json")).unwrap();
    let u: Value = serde_json::from_str(&text).unwrap();
    let rollback_sha = sha256_file(&fx.path("ROLLBACK.md"));
    assert_eq!(u["schema"], "cargo-release-evidence/update-manifest");
    assert_eq!(
        (&u["product"], &u["version"]),
        (&json!("thermo-fw"), &json!("0.9.1"))
    );
    assert_eq!(
        u["supersedes"],
        json!({"version": "0.9.0", "target": target, "evidence_digest": old_digest})
    );
    assert_eq!(
        u["rollback"],
        json!({"target_version": "0.9.0", "target_evidence_digest": old_digest, "how": null,
            "how_file": {"path": "ROLLBACK.md", "sha256": rollback_sha}})
    );
    assert_eq!(u["minimum_safe_version"], "0.9.0");
    assert_eq!(u["support_until"], "2031-12-31");
    assert_eq!(u["patch_policy"], "security fixes within 30 days");
    assert_eq!(u["vulnerability_status"]["decision"], "PASS");
    assert_eq!(
        u["vulnerability_status"]["advisories"],
        json!([{"code": "RE-ADVISORY-ACCEPTED", "advisory": "RUSTSEC-2021-0003",
            "crate": "smallvec", "version": "0.6.13"}])
    );
    let artifacts = u["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 1, "{u}");
    assert_eq!(artifacts[0]["path"], "thermo-fw");
    // Listed in SHA256SUMS and in the manifest with the same digest.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let digest = sha256_file(&dir.join("update-manifest.json"));
    assert!(
        sums.contains(&format!("{digest}  update-manifest.json\n")),
        "{sums}"
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("release-evidence.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["lifecycle"],
        json!({"support_until": "2031-12-31", "patch_policy": "security fixes within 30 days",
            "rollback_plan": true, "update_manifest": {"path": "update-manifest.json",
            "kind": "update-manifest", "size": text.len(), "sha256": digest}})
    );
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(
        record.contains("- [x] Rollback plan documented (update-manifest.json)\n"),
        "{record}"
    );
    // The record's changes are the diff against 0.9.0 as the ledger retains it (issue 13).
    assert!(
        record.contains(&format!(
            "Changes since thermo-fw 0.9.0 (from the ledger {} (evidence {old_digest})): 0 added, 0 removed, 0 changed version.\n- artifact: thermo-fw: ",
            l.display()
        )),
        "{record}"
    );

    // Approved, signed, verified, retained: the ledger knows its support end.
    sign_all(&fx, &keys, &dir);
    let out = verify_in(&fx, &fx.root, &dir, &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    let out = fx
        .cmd()
        .args(["ledger", "--ledger"])
        .arg(&l)
        .arg("add")
        .arg(&dir)
        .args(["--date", DATE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list = ledger_json(&fx, &l, &["list"]);
    assert_eq!(list["releases"][1]["version"], "0.9.1");
    assert_eq!(list["releases"][1]["support_end"], "2031-12-31");

    // The product's CSAF VEX: smallvec known_affected in 0.9.0 (risk accepted, no
    // justification), known_not_affected in 0.9.1 with the flag its own VEX recorded.
    let csaf = fx.outside("csaf");
    let out = fx
        .cmd()
        .arg("monitor")
        .arg("--ledger")
        .arg(&l)
        .arg("--advisory-db")
        .arg(fixture_db())
        .arg("--csaf-dir")
        .arg(&csaf)
        .args(["--offline", "--date", DATE, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["no_support_end"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["no_support_end"][0]["version"], "0.9.0");
    let file = csaf.join(format!("thermo-fw-vex-{DATE}.json"));
    if let Err(e) = validators::csaf(&file) {
        panic!("{e}\n{}", std::fs::read_to_string(&file).unwrap());
    }
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let (a, b) = (
        format!("thermo-fw-0.9.0-{target}"),
        format!("thermo-fw-0.9.1-{target}"),
    );
    let v = &doc["vulnerabilities"][0];
    assert_eq!(v["ids"][0]["text"], "RUSTSEC-2021-0003");
    assert_eq!(
        v["product_status"],
        json!({"known_affected": [a], "known_not_affected": [b]})
    );
    assert_eq!(
        v["flags"],
        json!([{"label": "vulnerable_code_not_in_execute_path", "product_ids": [b]}])
    );
    assert_eq!(v["remediations"][0]["category"], "no_fix_planned");
    assert_eq!(v["threats"][0]["product_ids"], json!([b]));
}

#[test]
fn bad_lifecycle_values_are_refused_at_their_place() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[lifecycle]\nsupport-until = 2031-12-31\n\n[lifecycle.rollback]\nprevious-good = \"zero\"\nhow = \"reflash\"\n",
    );
    let text = fx.read("release-evidence.toml");
    let line = text
        .lines()
        .position(|l| l.starts_with("previous-good"))
        .unwrap()
        + 1;
    let out = fx
        .cmd()
        .args(["check", "--offline", "--date", DATE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:17: [lifecycle.rollback] `previous-good`: `zero` is not a semver version"
        )),
        "{err}"
    );

    fx.replace(
        "release-evidence.toml",
        "previous-good = \"zero\"",
        "rollback-to = \"0.9.0\"",
    );
    let out = fx
        .cmd()
        .args(["check", "--offline", "--date", DATE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("release-evidence.toml:{line}:1:")) && err.contains("rollback-to"),
        "{err}"
    );
}
