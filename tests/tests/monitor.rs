//! `monitor`: a release made and retained against the fixture advisory DB, re-audited against a
//! newer copy with one added advisory on a shipped crate: the exact affected release, exit 1,
//! what changed since the previous run, and its own exception expiring later. On both
//! backends: the SQLite file and PostgreSQL.

use release_evidence_tests::ledgers::{BACKENDS, Ledger};
use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use serde_json::{Value, json};
use std::path::Path;

const CRC_ADVISORY: &str = r#"```toml
[advisory]
id = "RUSTSEC-2026-0100"
package = "crc"
date = "2026-09-20"
url = "https://github.com/mrhooray/crc-rs/issues/0"
categories = ["memory-corruption"]
keywords = ["out-of-bounds"]

[versions]
patched = [">= 3.4.1"]
```

# Table lookup reads out of bounds in crc

A test advisory: `Crc::checksum` with a custom table could read past it.
"#;

/// A copy of the fixture DB dated 2026-09-20 with one advisory on `crc` (3.4.0 ships).
fn newer_db(fx: &Fixture) -> std::path::PathBuf {
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

fn monitor(fx: &Fixture, l: &str, db: &Path, date: &str, format: &str) -> (i32, String) {
    let out = fx
        .cmd()
        .arg("monitor")
        .arg("--ledger")
        .arg(l)
        .arg("--advisory-db")
        .arg(db)
        .args(["--offline", "--date", date, "--format", format])
        .output()
        .unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    (out.status.code().unwrap(), stdout(&out))
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["advisory"].as_str().unwrap())
        .collect()
}

#[test]
fn monitor_finds_the_release_a_new_advisory_affects() {
    let (fx, dir) = signed_release();
    let db = newer_db(&fx);
    for backend in BACKENDS {
        let l = Ledger::new(&fx, backend);
        eprintln!("backend {backend:?}: {}", l.location);
        monitor_release(&fx, &dir, &db, &l.location, &format!("{backend:?}"));
    }
}

fn monitor_release(fx: &Fixture, dir: &Path, db: &Path, l: &str, backend: &str) {
    let out = fx
        .cmd()
        .args(["ledger", "--ledger"])
        .arg(l)
        .arg("add")
        .arg(dir)
        .args(["--date", DATE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let target = fx.run(&["ledger", "--ledger", l, "list", "--format", "json"]);
    let target: Value = serde_json::from_slice(&target.stdout).unwrap();
    let target = target["releases"][0]["target"].as_str().unwrap().to_owned();

    // Against the DB the release was made with: only the accepted smallvec advisory.
    let (code, text) = monitor(fx, l, &fixture_db(), DATE, "json");
    let first: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code, 0, "{text}");
    assert_eq!(first["decision"], "PASS");
    assert_eq!(first["advisories"].as_array().unwrap().len(), 1, "{text}");
    assert_eq!(first["advisories"][0]["id"], "RUSTSEC-2021-0003");
    assert_eq!(first["advisories"][0]["affected"][0]["status"], "accepted");
    assert_eq!(first["changes"]["previous_run"], Value::Null);
    assert_eq!(ids(&first["changes"]["new"]), ["RUSTSEC-2021-0003"]);
    assert_eq!(first["no_support_end"].as_array().unwrap().len(), 1);

    // A newer DB with an advisory on crc: the exact release, exit 1.
    let (code, text) = monitor(fx, l, db, "2026-10-01", "json");
    assert_eq!(code, 1, "{text}");
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["decision"], "HOLD");
    assert_eq!(r["unaccepted_vulnerabilities"], 1);
    let crc = r["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "RUSTSEC-2026-0100")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        crc["affected"],
        json!([{"product": "thermo-fw", "version": "0.9.0", "target": target, "crate": "crc",
            "crate_version": "3.4.0", "component_kind": "linked", "status": "affected",
            "exception": null}])
    );
    assert_eq!(crc["patched"], "patched versions are >=3.4.1");
    assert_eq!(r["changes"]["previous_run"], DATE);
    assert_eq!(ids(&r["changes"]["new"]), ["RUSTSEC-2026-0100"]);
    assert_eq!(r["changes"]["resolved"], json!([]));

    // Again the next day: nothing new; also as Markdown for the surveillance file.
    let md = fx.outside(&format!("pms-{backend}")).join("monitor.md");
    let out = fx
        .cmd()
        .arg("monitor")
        .arg("--ledger")
        .arg(l)
        .arg("--advisory-db")
        .arg(db)
        .arg("--markdown")
        .arg(&md)
        .args(["--offline", "--date", "2026-10-02"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains(&format!(
            "| thermo-fw | 0.9.0 | {target} | crc | 3.4.0 | linked | affected |  |\n"
        )),
        "{md}"
    );
    assert!(
        md.contains("## Changes since the run of 2026-10-01\n\nNone.\n"),
        "{md}"
    );
    assert!(md.contains("- Decision: **HOLD** (1 unaccepted vulnerability in supported releases)"));
    assert_eq!(code, 1);
    assert!(
        text.contains(&format!(
            "  affected           thermo-fw@0.9.0 ({target}) via crc 3.4.0 (linked)\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("changes since the run of 2026-10-01:\n  none\n"),
        "{text}"
    );
    assert!(text.ends_with("monitor: HOLD (1 unaccepted vulnerability in supported releases)\n"));

    // After the release's own exception expired (2027-06-30): smallvec is no longer accepted.
    let (code, text) = monitor(fx, l, db, "2027-07-01", "json");
    assert_eq!(code, 1);
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["unaccepted_vulnerabilities"], 2, "{text}");
    assert_eq!(
        ids(&r["changes"]["exception_expired"]),
        ["RUSTSEC-2021-0003"]
    );
    let smallvec = r["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(smallvec["affected"][0]["status"], "exception-expired");
    assert_eq!(
        smallvec["affected"][0]["exception"]["expires"],
        "2027-06-30"
    );
}
