//! Verification reports made elsewhere, ingested by `cargo release-evidence test` (no suite is
//! run here, so nothing is compiled): coverage from real cargo-tarpaulin output (LCOV and
//! Cobertura), a HIL rig's JUnit signed with an SSH key made by `ssh-keygen`, stale reports.
//! External SARIF, missing and malformed files, requirements and policy mistakes are in
//! `verification_inputs.rs`.

use release_evidence_tests::verification::*;
use release_evidence_tests::*;
use std::process::Command;

#[test]
fn coverage_under_a_threshold_names_the_gap_and_passes_when_lowered() {
    let fx = Fixture::example_with_verification();
    fx.write("coverage/lcov.info", &fixture("lcov.info"));
    with_verification(&fx, COVERAGE);
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(codes(&r), vec!["RE-VERIFY-COVERAGE"]);
    assert_eq!(
        message(&r, "RE-VERIFY-COVERAGE"),
        "line coverage (package sensor-core) is 96.77% (30/31), below min-line 100%; lowest: sensor-core/src/lib.rs 96.8%"
    );
    let cov = &r["verification"]["coverage"];
    assert_eq!(
        cov["line"],
        serde_json::json!({"covered": 36, "total": 60, "percent": 60.0})
    );
    assert_eq!(cov["files"], 3);
    assert_eq!(cov["thresholds"][0]["met"], true);
    assert_eq!(cov["thresholds"][1]["scope"], "package sensor-core");
    assert_eq!(r["verification"]["checklist"]["tests_and_coverage"], false);
    // The files are those of this workspace, though tarpaulin ran in another checkout.
    assert!(
        r["verification"]["files"]
            .to_string()
            .contains("coverage-summary.json")
    );

    fx.replace(
        "release-evidence.toml",
        "min-line = 100.0",
        "min-line = 96.5",
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["decision"], "PASS");
    assert_eq!(r["verification"]["checklist"]["tests_and_coverage"], true);

    // A path threshold on code no test reaches.
    fx.append(
        "release-evidence.toml",
        "\n[[verification.threshold]]\npath = \"vendor/acme-hal\"\nmin-line = 10.0\n",
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert!(
        message(&r, "RE-VERIFY-COVERAGE").starts_with(
            "line coverage (path vendor/acme-hal) is 0.00% (0/11), below min-line 10%"
        ),
        "{r:#}"
    );

    // A package name that is not a member is not silently an empty scope.
    fx.append(
        "release-evidence.toml",
        "\n[[verification.threshold]]\npackage = \"sensor-kore\"\nmin-line = 10.0\n",
    );
    let (_, r) = verify(&fx, &[]);
    assert!(
        with_code(&r, "RE-VERIFY-COVERAGE")
            .iter()
            .any(|f| f["message"]
                == "line coverage (package sensor-kore): no workspace member has this name"),
        "{r:#}"
    );
}

#[test]
fn cobertura_gives_the_same_numbers_and_its_timestamp_binds_it() {
    let fx = Fixture::example_with_verification();
    fx.write("coverage/cobertura.xml", &fixture("cobertura.xml"));
    with_verification(
        &fx,
        &COVERAGE
            .replace("\"lcov\"", "\"cobertura\"")
            .replace("coverage/*.info", "coverage/cobertura.xml"),
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        message(&r, "RE-VERIFY-COVERAGE"),
        "line coverage (package sensor-core) is 96.77% (30/31), below min-line 100%; lowest: sensor-core/src/lib.rs 96.8%"
    );
    let file = r["verification"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "cobertura")
        .unwrap()
        .clone();
    assert_eq!(file["bound_by"], "timestamp");
    assert_eq!(file["file"], "verification-coverage.cobertura.xml");

    // A release whose commit is newer than the report: stale.
    let (code, r) = verify(&fx, &[("SOURCE_DATE_EPOCH", "1800000000")]);
    assert_eq!(code, 1);
    assert!(
        message(&r, "RE-VERIFY-STALE").starts_with(
            "stale verification evidence: coverage report coverage/cobertura.xml is from 2026-11-24T13:00:13Z (its timestamp), before the release commit time 2027-01-15T08:00:00Z"
        ),
        "{r:#}"
    );
}

#[test]
fn an_lcov_file_older_than_the_release_is_stale() {
    let fx = Fixture::example_with_verification();
    fx.write("coverage/lcov.info", &fixture("lcov.info"));
    with_verification(
        &fx,
        &COVERAGE.replace("min-line = 100.0", "min-line = 90.0"),
    );
    let touch = Command::new("touch")
        .args(["-d", "2026-01-02T00:00:00Z"])
        .arg(fx.path("coverage/lcov.info"))
        .status()
        .unwrap();
    assert!(touch.success());
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&r), vec!["RE-VERIFY-STALE"]);
    assert!(message(&r, "RE-VERIFY-STALE").contains("(file modification time)"));
}

fn keygen(dir: &std::path::Path, name: &str) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap()
}

fn sign(key: &std::path::Path, file: &std::path::Path) {
    let _ = std::fs::remove_file(format!("{}.sig", file.display()));
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "release-evidence-report-v1", "-f"])
        .arg(key)
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

const HIL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ts200-hil" tests="3" failures="FAILURES" timestamp="2026-11-01T10:00:00">
  <testsuite name="rig" tests="3" timestamp="2026-11-01T10:00:00">
    <properties><property name="rig" value="TS-200 rig 2"/></properties>
    <testcase classname="rig" name="boot_within_2s" time="1.2"/>
    <testcase classname="rig" name="alarm_relay_trips_at_40C" time="9.0"/>
    <testcase classname="rig" name="thermal_drift_24h" time="86400">FAILURE</testcase>
  </testsuite>
</testsuites>
"#;

const SIGNED_HIL: &str = r#"
[approvals]
allowed-signers = "allowed_signers"

[approvals.roles]
hil-rig = ["rig2@lab.example.com"]

[verification]
[[verification.suite]]
name = "hil"
reports = ["reports/hil/*.xml"]
signed-by = "hil-rig"
"#;

#[test]
fn hil_report_signed_by_the_rig_role() {
    let fx = Fixture::example_with_verification();
    let keys = fx.outside("keys");
    let rig = keygen(&keys, "rig");
    keygen(&keys, "intruder");
    fx.write(
        "allowed_signers",
        &format!("rig2@lab.example.com namespaces=\"release-evidence-report-v1\" {rig}"),
    );
    with_verification(&fx, SIGNED_HIL);
    fx.write(
        "reports/hil/run-1187.xml",
        &HIL.replace("FAILURES", "0").replace("FAILURE", ""),
    );
    let report = fx.path("reports/hil/run-1187.xml");

    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&r), vec!["RE-VERIFY-SIGNATURE"]);
    assert!(message(&r, "RE-VERIFY-SIGNATURE").contains(
        "no signature reports/hil/run-1187.xml.sig (the policy requires one by role `hil-rig`)"
    ));

    sign(&keys.join("intruder"), &report);
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert!(
        message(&r, "RE-VERIFY-SIGNATURE").contains("which no principal of role `hil-rig` holds"),
        "{r:#}"
    );

    sign(&keys.join("rig"), &report);
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 0, "{r:#}");
    let suite = &r["verification"]["suites"][0];
    assert_eq!(
        (suite["tests"].as_u64(), suite["passed"].as_u64()),
        (Some(3), Some(3))
    );
    let files = r["verification"]["files"].as_array().unwrap();
    let junit = files.iter().find(|f| f["kind"] == "junit").unwrap();
    assert_eq!(junit["signed_by"], "rig2@lab.example.com");
    assert_eq!(junit["bound_by"], "timestamp");
    assert!(
        files
            .iter()
            .any(|f| f["file"] == "verification-hil.junit.xml.sshsig")
    );

    // One byte changed after signing.
    fx.replace("reports/hil/run-1187.xml", "time=\"1.2\"", "time=\"1.3\"");
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert!(message(&r, "RE-VERIFY-SIGNATURE").contains("signature rejected"));
}

#[test]
fn failed_hil_test_blocks_until_an_exception_accepts_it() {
    let fx = Fixture::example_with_verification();
    with_verification(
        &fx,
        "[verification]\n[[verification.suite]]\nname = \"hil\"\nreports = [\"reports/hil/*.xml\"]\n",
    );
    fx.write(
        "reports/hil/run.xml",
        &HIL.replace("FAILURES", "1").replace(
            "FAILURE",
            "<failure message=\"drift 0.7 K over 24 h (limit 0.5 K)\"/>",
        ),
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        message(&r, "RE-VERIFY-TEST-FAILED"),
        "test rig::thermal_drift_24h failed in suite `hil`: drift 0.7 K over 24 h (limit 0.5 K)"
    );
    assert_eq!(
        r["verification"]["suites"][0]["failed_tests"],
        serde_json::json!(["rig::thermal_drift_24h"])
    );

    fx.append(
        "release-evidence.toml",
        "\n[[verification.exception]]\ntest = \"rig::thermal_drift_24h\"\nreason = \"rig 2 chamber out of calibration (ticket LAB-77); drift is 0.3 K on rig 1\"\napproved-by = \"qa@example.com\"\nexpires = 2026-12-31\n",
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(codes(&r), vec!["RE-VERIFY-TEST-ACCEPTED"]);
    let anomaly = &r["verification"]["residual_anomalies"][0];
    assert_eq!(anomaly["id"], "rig::thermal_drift_24h");
    assert_eq!(anomaly["kind"], "test");
    assert_eq!(anomaly["approved_by"], "qa@example.com");
    assert_eq!(anomaly["until"], "2026-12-31");

    // Past its date the exception no longer counts.
    fx.replace(
        "release-evidence.toml",
        "expires = 2026-12-31",
        "expires = 2026-08-31",
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&r),
        vec!["RE-VERIFY-TEST-FAILED", "RE-VERIFY-EXCEPTION-EXPIRED"]
    );
}

#[test]
fn a_report_older_than_the_commit_is_stale_unless_it_names_the_commit() {
    let fx = Fixture::example_with_verification();
    with_verification(
        &fx,
        "[verification]\n[[verification.suite]]\nname = \"hil\"\nreports = [\"reports/hil/*.xml\"]\n",
    );
    let old = HIL
        .replace("FAILURES", "0")
        .replace("FAILURE", "")
        .replace("2026-11-01T10:00:00", "2026-01-05T10:00:00");
    fx.write("reports/hil/run.xml", &old);
    git(&fx.root, &["init", "-q"]);
    git(&fx.root, &["add", "-A"]);
    git(&fx.root, &["commit", "-q", "-m", "release"]);
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert!(
        message(&r, "RE-VERIFY-STALE").starts_with(
            "stale verification evidence: suite `hil` report reports/hil/run.xml is from 2026-01-05T10:00:00Z (its timestamp), before the release commit time"
        ),
        "{r:#}"
    );
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&fx.root)
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    fx.write(
        "reports/hil/run.xml",
        &old.replace(
            "TS-200 rig 2",
            &format!("rig 2\"/><property name=\"commit\" value=\"{}", head.trim()),
        ),
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["verification"]["files"][0]["bound_by"], "commit");
}
