//! The example's verification demo with the real tools: `cargo release-evidence test` runs the
//! real `cargo nextest` (JUnit) and `cargo clippy` (converted to SARIF, validated against the
//! official SARIF 2.1.0 schema) on a copy of the example; the main job then HOLDs naming the
//! untested requirement, a failing test or a change after the run, and PASSes when fixed. The
//! evidence holds the reports and the trace matrix, all in SHA256SUMS, checked by `verify`.

use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

/// `args` plus `--offline --date DATE --format json`, with a pinned SOURCE_DATE_EPOCH.
fn run_json(fx: &Fixture, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--offline", "--date", DATE, "--format", "json"]);
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(&all)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}), exit {code}\n{}", stderr(&out)));
    (code, v)
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn evidence_dir(fx: &Fixture) -> PathBuf {
    fx.path("target/release/release-evidence/thermo-fw-0.9.0")
}

fn sarif_errors(log: &Value) -> Vec<String> {
    let path = repo_root().join("tests/fixtures/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn sha256sum_check(dir: &Path) -> bool {
    std::process::Command::new("sha256sum")
        .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(dir)
        .status()
        .unwrap()
        .success()
}

const REQ_005_TEST: &str = "
    // verifies: REQ-005
    #[test]
    fn frames_shorter_than_the_crc_are_rejected() {
        assert!(!frame_is_valid(&[]));
        assert!(!frame_is_valid(&[0x01, 0x02]));
    }
";

#[test]
fn example_holds_on_the_untested_requirement_and_passes_once_it_is_tested() {
    let fx = Fixture::example_with_verification();
    fx.append("release-evidence.toml", EXCEPTION);

    // No `test` run yet: the suites have no results.
    let (code, r) = run_json(&fx, &[]);
    assert_eq!(code, 1);
    let vf = &r["verification_findings"];
    assert!(
        codes(vf).contains(&"RE-VERIFY-REPORT-MISSING".to_owned()),
        "{vf:#}"
    );

    // The real nextest and clippy.
    let (code, t) = run_json(&fx, &["test"]);
    assert_eq!(code, 1, "{t:#}");
    assert_eq!(
        codes(&t["findings"]),
        vec!["RE-VERIFY-UNTESTED", "RE-VERIFY-STATIC-ACCEPTED"]
    );
    assert!(
        t["findings"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("requirement REQ-005 (class B) \"Frames shorter than the CRC (under 3 bytes) are rejected\" has no passing test"),
        "{t:#}"
    );
    let suite = &t["verification"]["suites"][0];
    assert_eq!(
        (
            &suite["name"],
            suite["tests"].as_u64(),
            suite["passed"].as_u64()
        ),
        (&Value::from("unit"), Some(6), Some(6))
    );
    let steps: Vec<&str> = t["run"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["command"][1].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["nextest", "clippy"]);
    let run_dir = PathBuf::from(t["run_dir"].as_str().unwrap());
    let clippy: Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("clippy.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif_errors(&clippy), Vec::<String>::new());
    assert_eq!(
        clippy["runs"][0]["results"][0]["ruleId"],
        "clippy::items_after_test_module"
    );

    // The main job: HOLD naming the requirement; complete evidence.
    let (code, r) = run_json(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(r["decision"], "HOLD");
    assert_eq!(
        codes(&r["verification_findings"]),
        vec!["RE-VERIFY-UNTESTED", "RE-VERIFY-STATIC-ACCEPTED"]
    );
    let dir = evidence_dir(&fx);
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    for f in [
        "trace-matrix.csv",
        "trace-matrix.json",
        "verification-unit.junit.xml",
        "verification-clippy.sarif",
        "verification-run.json",
        "verification-requirements.toml",
        "verification-anomalies.toml",
    ] {
        assert!(
            sums.contains(&format!("  {f}\n")),
            "{f} not in SHA256SUMS:\n{sums}"
        );
    }
    assert!(sha256sum_check(&dir));
    let csv = std::fs::read_to_string(dir.join("trace-matrix.csv")).unwrap();
    assert!(
        csv.ends_with(
            "REQ-005,Frames shorter than the CRC (under 3 bytes) are rejected,B,RC-03,not run,,\n"
        ),
        "{csv}"
    );
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(record.contains("## Trace matrix"));
    assert!(record.contains("| REQ-005 | B | Frames shorter than the CRC (under 3 bytes) are rejected | RC-03 | — | **not run** |"), "{record}");
    assert!(record.contains("- [ ] Trace matrix complete (REQ-005 without a passing test)"));
    assert!(record.contains("- [x] Static analysis clean or accepted"));

    // verify covers the new files: all match, and a changed trace matrix is caught.
    let out = fx.run(&[
        "verify",
        "--trust-evidence-copy",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = |name: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == name)
            .unwrap_or_else(|| panic!("verify does not check {name}: {v:#}"))
            .clone()
    };
    assert_eq!(item("trace-matrix.csv")["ok"], true);
    assert_eq!(item("verification-unit.junit.xml")["ok"], true);
    std::fs::write(dir.join("trace-matrix.csv"), csv.replace("not run", "pass")).unwrap();
    let out = fx.run(&[
        "verify",
        "--trust-evidence-copy",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let changed = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "trace-matrix.csv")
        .unwrap();
    assert_eq!(changed["ok"], false);
    assert_ne!(out.status.code(), Some(0));

    // The fix: a test for REQ-005, re-run, PASS.
    fx.replace(
        "sensor-core/src/lib.rs",
        "    // verifies: REQ-003\n",
        &format!("{REQ_005_TEST}\n    // verifies: REQ-003\n"),
    );
    let (code, t) = run_json(&fx, &["test"]);
    assert_eq!(code, 0, "{t:#}");
    assert_eq!(t["verification"]["suites"][0]["tests"], 7);
    let (code, r) = run_json(&fx, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["decision"], "PASS");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("release-evidence.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["schema_version"], 2);
    let mv = &manifest["verification"];
    assert_eq!(
        mv["checklist"],
        serde_json::json!({"tests_and_coverage": true, "static_analysis": true, "trace_matrix": true})
    );
    assert_eq!(mv["trace"]["passing"], 5);
    assert_eq!(mv["run"]["steps"][0]["name"], "unit");
    let anomalies: Vec<&str> = mv["residual_anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(anomalies, vec!["problem-report", "static-analysis"]);
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    for line in [
        "- [x] Tests and coverage meet thresholds",
        "- [x] Static analysis clean or accepted",
        "- [x] Trace matrix complete",
        "| RUSTSEC-2021-0003 | advisory | affects smallvec | insert_many is never called | security@example.com | 2027-06-30 |",
        "| PR-0042 | problem-report |",
        "| unit | 7 | 7 | 0 | 0 | 0 | `verification-unit.junit.xml` |",
    ] {
        assert!(record.contains(line), "no `{line}` in\n{record}");
    }
    assert!(record.contains("## Residual anomalies"));
    assert!(sha256sum_check(&dir));
}

#[test]
fn a_failing_test_holds_and_a_change_after_the_run_is_stale() {
    let fx = Fixture::example_with_verification();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.replace(
        "app/src/main.rs",
        "assert!(!is_identifier(\"1st-sensor\"));",
        "assert!(is_identifier(\"1st-sensor\"));",
    );
    let (code, t) = run_json(&fx, &["test"]);
    assert_eq!(code, 1);
    let failed = t["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "RE-VERIFY-TEST-FAILED")
        .unwrap_or_else(|| panic!("{t:#}"));
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .starts_with("test thermo-fw::bin/thermo-fw::tests::device_tag_is_a_valid_identifier failed in suite `unit`: "),
        "{failed:#}"
    );
    assert_eq!(failed["package"]["name"], "thermo-fw");
    let rows = t["verification"]["trace"]["rows"].as_array().unwrap();
    let req4 = rows.iter().find(|r| r["id"] == "REQ-004").unwrap();
    assert_eq!(req4["status"], "fail");

    let (code, r) = run_json(&fx, &[]);
    assert_eq!(code, 1);
    assert!(codes(&r["verification_findings"]).contains(&"RE-VERIFY-TEST-FAILED".to_owned()));

    // Fixed in the source, but not re-run: the recorded run no longer binds.
    fx.replace(
        "app/src/main.rs",
        "assert!(is_identifier(\"1st-sensor\"));",
        "assert!(!is_identifier(\"1st-sensor\"));",
    );
    let (code, r) = run_json(&fx, &[]);
    assert_eq!(code, 1);
    let stale = r["verification_findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "RE-VERIFY-STALE")
        .unwrap_or_else(|| panic!("{r:#}"));
    assert!(
        stale["message"]
            .as_str()
            .unwrap()
            .ends_with("does not match this release (the source files changed after the run)")
    );
}
