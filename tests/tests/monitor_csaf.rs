//! `monitor --csaf-dir`: a release made and retained against the fixture advisory DB,
//! re-audited against a newer copy with one added vulnerability (a CVE alias, a CVSS vector) on
//! a shipped crate: exit 1, and the product's draft CSAF 2.0 VEX document with the exact
//! statuses, validated by the BSI CSAF validator library (strict schema and every mandatory
//! test); a file the tool did not write is never replaced.

use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const CRC_ADVISORY: &str = r#"```toml
[advisory]
id = "RUSTSEC-2026-0100"
package = "crc"
date = "2026-09-20"
url = "https://github.com/mrhooray/crc-rs/issues/0"
categories = ["memory-corruption"]
keywords = ["out-of-bounds"]
aliases = ["CVE-2026-10001", "GHSA-2x2x-3y3y-4z4z"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H"

[versions]
patched = [">= 3.4.1"]
```

# Table lookup reads out of bounds in crc

A test advisory: `Crc::checksum` with a custom table could read past it.
"#;

/// A copy of the fixture DB dated 2026-09-20 with one advisory on `crc` (3.4.0 ships).
pub fn newer_db(fx: &Fixture) -> PathBuf {
    let db = fx.outside("newer-advisory-db");
    copy_dir(&fixture_db(), &db);
    std::fs::create_dir_all(db.join("crates/crc")).unwrap();
    std::fs::write(db.join("crates/crc/RUSTSEC-2026-0100.md"), CRC_ADVISORY).unwrap();
    std::fs::write(
        db.join("SNAPSHOT.txt"),
        "commit 1111111111111111111111111111111111111111\ndate 2026-09-20T00:00:00+00:00\n",
    )
    .unwrap();
    db
}

/// The signed release of the example, retained in a new ledger; the ledger and the target.
pub fn retained() -> (Fixture, PathBuf, PathBuf, String) {
    let (fx, dir) = signed_release();
    let l = fx.outside("ledger").join("ledger.sqlite3");
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
    let list = fx.run(&[
        "ledger",
        "--ledger",
        &l.display().to_string(),
        "list",
        "--format",
        "json",
    ]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let target = list["releases"][0]["target"].as_str().unwrap().to_owned();
    (fx, dir, l, target)
}

fn monitor(fx: &Fixture, l: &Path, db: &Path, args: &[&str]) -> std::process::Output {
    fx.cmd()
        .arg("monitor")
        .arg("--ledger")
        .arg(l)
        .arg("--advisory-db")
        .arg(db)
        .args(["--offline", "--date", "2026-10-01"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn monitor_writes_a_valid_csaf_vex_for_the_newly_affected_release() {
    let (fx, _dir, l, target) = retained();
    let db = newer_db(&fx);
    let csaf = fx.outside("csaf");
    let notes = fx.outside("cra");
    let sarif = fx.outside("sarif").join("monitor.sarif");
    let out = monitor(
        &fx,
        &l,
        &db,
        &[
            "--csaf-dir",
            &csaf.display().to_string(),
            "--notification-dir",
            &notes.display().to_string(),
            "--sarif",
            &sarif.display().to_string(),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    check_notification(&notes, &target);
    check_sarif(&sarif, &target);
    let names: Vec<String> = std::fs::read_dir(&csaf)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["thermo-fw-vex-2026-10-01.json"]);
    let file = csaf.join(&names[0]);
    if let Err(e) = validators::csaf(&file) {
        panic!("{e}\n{}", std::fs::read_to_string(&file).unwrap());
    }
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let pid = format!("thermo-fw-0.9.0-{target}");
    assert_eq!(doc["document"]["category"], "csaf_vex");
    assert_eq!(doc["document"]["tracking"]["status"], "draft");
    assert_eq!(
        doc["document"]["tracking"]["id"],
        "thermo-fw-vex-2026-10-01"
    );
    let product = &doc["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"];
    assert_eq!(product["product_id"], pid);
    assert_eq!(
        product["product_identification_helper"]["purl"],
        "pkg:cargo/thermo-fw@0.9.0"
    );
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulns
        .iter()
        .map(|v| v["ids"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["RUSTSEC-2021-0003", "RUSTSEC-2026-0100"]);
    let crc = &vulns[1];
    assert_eq!(crc["cve"], "CVE-2026-10001");
    assert_eq!(
        crc["ids"],
        json!([{"system_name": "RustSec", "text": "RUSTSEC-2026-0100"},
            {"system_name": "GitHub Security Advisory", "text": "GHSA-2x2x-3y3y-4z4z"}])
    );
    assert_eq!(crc["product_status"], json!({"known_affected": [pid]}));
    assert_eq!(crc["remediations"][0]["category"], "none_available");
    assert_eq!(crc["scores"][0]["cvss_v3"]["baseScore"], 9.1);
    assert_eq!(crc["scores"][0]["cvss_v3"]["baseSeverity"], "CRITICAL");
    // smallvec: the release's exception (no justification) accepts the risk: still affected,
    // the remediation names who accepted it until when.
    let smallvec = &vulns[0];
    assert_eq!(smallvec["product_status"], json!({"known_affected": [pid]}));
    assert_eq!(
        smallvec["remediations"][0],
        json!({"category": "no_fix_planned", "details": "The risk is accepted by security@example.com until 2027-06-30: insert_many is never called", "product_ids": [pid]})
    );

    // A file a person completed (no longer a draft) is not replaced: exit 2, nothing written.
    let mut completed = doc.clone();
    completed["document"]["tracking"]["status"] = json!("final");
    let text = serde_json::to_string_pretty(&completed).unwrap();
    std::fs::write(&file, &text).unwrap();
    let out = monitor(&fx, &l, &db, &["--csaf-dir", &csaf.display().to_string()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("already exists and is not a draft this tool wrote"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

/// The CRA Art. 14 draft of the one unaccepted vulnerability (smallvec's is accepted: none).
fn check_notification(dir: &Path, target: &str) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "thermo-fw-rustsec-2026-0100-cra-art14.json",
            "thermo-fw-rustsec-2026-0100-cra-art14.md"
        ]
    );
    let n: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(&names[0])).unwrap()).unwrap();
    assert_eq!(n["status"], "draft");
    assert_eq!(n["vulnerability"]["id"], "RUSTSEC-2026-0100");
    assert_eq!(
        n["product"]["versions"],
        json!([{"version": "0.9.0", "target": target, "status": "affected",
            "components": ["crc 3.4.0 (linked)"], "support_end": null}])
    );
    assert_eq!(
        n["severity"],
        json!({"cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H",
            "cvss_score": 9.1, "rating": "critical"})
    );
    assert_eq!(
        n["status_summary"],
        format!("thermo-fw of the supported versions 0.9.0 ({target}) is affected: affected")
    );
    assert_eq!(n["mitigation"]["fixed_in"], json!([]));
    assert!(
        n["mitigation"]["corrective_measures"]
            .as_str()
            .unwrap()
            .starts_with("TO COMPLETE: "),
        "{n}"
    );
    assert!(
        n["manufacturer"]["name"]
            .as_str()
            .unwrap()
            .starts_with("TO COMPLETE: ")
    );
    let md = std::fs::read_to_string(dir.join(&names[1])).unwrap();
    assert!(
        md.starts_with("<!-- draft written by cargo-release-evidence monitor"),
        "{md}"
    );
    assert!(
        md.contains(
            "| Severity | critical (CVSS 9.1, `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H`) |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| 0.9.0 | {target} | affected | crc 3.4.0 (linked) | not declared |\n"
        )),
        "{md}"
    );
}

/// SARIF: the gate's advisory codes per affected release, the missing support end; valid
/// against the SARIF 2.1.0 schema.
fn check_sarif(file: &Path, target: &str) {
    let schema = repo_root().join("tests/fixtures/schemas/sarif-schema-2.1.0.json");
    let mut c = std::process::Command::new(validators::venv_bin().join("python"));
    c.arg(repo_root().join("tests/validators/validate.py"))
        .arg("openvex")
        .arg(&schema)
        .arg(file);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    let s: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let results: Vec<(String, String, String)> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["level"].as_str().unwrap().to_owned(),
                r["message"]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].0, "RE-ADVISORY-VULNERABILITY");
    assert_eq!(results[0].1, "error");
    assert!(
        results[0].2.starts_with(&format!(
            "RUSTSEC-2026-0100 (vulnerability: Table lookup reads out of bounds in crc) affects the retained release thermo-fw@0.9.0 ({target}) via crc 3.4.0 (linked)"
        )),
        "{results:?}"
    );
    assert_eq!(
        (results[1].0.as_str(), results[1].1.as_str()),
        ("RE-ADVISORY-ACCEPTED", "warning")
    );
    assert_eq!(
        (results[2].0.as_str(), results[2].2.as_str()),
        (
            "RE-MONITOR-NO-SUPPORT-END",
            format!("thermo-fw@0.9.0 ({target}) declares no support end: monitored as supported. Fix: declare the support period in the policy's [lifecycle] support-until for the next release").as_str()
        )
    );
    assert_eq!(s["runs"][0]["properties"]["decision"], "HOLD");
}
