//! Verification reports made elsewhere, ingested by `cargo release-evidence test` (no suite is
//! run here, so nothing is compiled): coverage from real cargo-tarpaulin output (LCOV and
//! Cobertura), a HIL rig's JUnit signed with an SSH key made by `ssh-keygen`, stale reports,
//! external SARIF with exceptions, missing and malformed files, requirements in CSV.

use release_evidence_tests::*;
use serde_json::Value;
use std::process::Command;

/// Replaces the example's `[verification]` section (the end of its policy) with `section`.
fn with_verification(fx: &Fixture, section: &str) {
    let policy = fx.read("release-evidence.toml");
    let cut = policy
        .find("\n# Verification evidence:")
        .expect("the example's policy ends with its [verification] section");
    fx.write(
        "release-evidence.toml",
        &format!("{}\n{section}", &policy[..cut]),
    );
}

/// `test --format json`: (exit code, report).
fn verify(fx: &Fixture, env: &[(&str, &str)]) -> (i32, Value) {
    let out = fx
        .cmd()
        .envs(env.iter().copied())
        .args(["test", "--offline", "--date", DATE, "--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("no JSON ({e}), exit {code}\n{}", stderr(&out));
    });
    (code, v)
}

fn codes(report: &Value) -> Vec<String> {
    findings(report).into_iter().map(|(c, _, _)| c).collect()
}

fn message<'a>(report: &'a Value, code: &str) -> &'a str {
    with_code(report, code)
        .first()
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))["message"]
        .as_str()
        .unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/coverage").join(name)).unwrap()
}

const COVERAGE: &str = r#"[verification]
[verification.coverage]
format = "lcov"
reports = ["coverage/*.info"]
min-line = 60.0

[[verification.threshold]]
package = "sensor-core"
min-line = 100.0
"#;

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

const SARIF: &str = r#"{
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "semgrep", "rules": [{"id": "rust.unsafe-block", "defaultConfiguration": {"level": "error"}}]}},
    "invocations": [{"executionSuccessful": true, "endTimeUtc": "2026-11-02T08:00:00Z"}],
    "results": [
      {"ruleId": "rust.unsafe-block", "message": {"text": "unsafe block"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app/src/main.rs"}, "region": {"startLine": 30}}}]},
      {"ruleId": "rust.todo", "level": "note", "message": {"text": "note only"}}
    ]
  }]
}"#;

#[test]
fn sarif_results_above_the_level_block_until_accepted() {
    let fx = Fixture::example_with_verification();
    with_verification(
        &fx,
        "[verification]\n[verification.static-analysis]\nreports = [\"reports/*.sarif\"]\nmax-level = \"warning\"\n",
    );
    fx.write("reports/semgrep.sarif", SARIF);
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    let m = message(&r, "RE-VERIFY-STATIC");
    assert!(
        m.starts_with("semgrep error `rust.unsafe-block` at app/src/main.rs:30 (fingerprint re1:"),
        "{m}"
    );
    let fp = m.split("fingerprint ").nth(1).unwrap()[..20].to_owned();
    let s = &r["verification"]["static_analysis"];
    assert_eq!(s["results"], 2);
    assert_eq!(s["by_level"], serde_json::json!({"error": 1, "note": 1}));
    assert_eq!(s["blocking"], 1);

    // The fingerprint follows the line's text, not its number.
    fx.replace(
        "app/src/main.rs",
        "//! thermo-fw:",
        "//! (moved)\n//! thermo-fw:",
    );
    fx.replace(
        "reports/semgrep.sarif",
        "\"startLine\": 30",
        "\"startLine\": 31",
    );
    let (_, r2) = verify(&fx, &[]);
    assert!(message(&r2, "RE-VERIFY-STATIC").contains(&fp), "{r2:#}");

    fx.append(
        "release-evidence.toml",
        &format!("\n[[verification.exception]]\nrule = \"rust.unsafe-block\"\nfingerprint = \"{fp}\"\nreason = \"GetTickCount64 has no preconditions\"\napproved-by = \"security@example.com\"\nexpires = 2027-03-31\n\n[[verification.exception]]\nrule = \"rust.other\"\nfingerprint = \"re1:0000000000000000\"\nreason = \"gone\"\napproved-by = \"security@example.com\"\nexpires = 2027-03-31\n"),
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(
        codes(&r),
        vec!["RE-VERIFY-STATIC-ACCEPTED", "RE-VERIFY-EXCEPTION-UNUSED"]
    );
    assert_eq!(r["verification"]["checklist"]["static_analysis"], true);
    assert_eq!(
        r["verification"]["residual_anomalies"][0]["kind"],
        "static-analysis"
    );

    fx.write(
        "reports/semgrep.sarif",
        &SARIF.replace("\"2.1.0\"", "\"2.0.0\""),
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        message(&r, "RE-VERIFY-REPORT-INVALID"),
        "static analysis: reports/semgrep.sarif: SARIF version \"2.0.0\" is not 2.1.0"
    );
}

#[test]
fn missing_and_malformed_reports_and_documents() {
    let fx = Fixture::example_with_verification();
    with_verification(
        &fx,
        r#"[verification]
[[verification.suite]]
name = "integration"
reports = ["reports/integration/*.xml"]

[[verification.suite]]
name = "unit"
format = "libtest-json"
reports = ["reports/unit.json"]
allow-skipped = false

[[verification.evidence]]
name = "penetration test"
path = "docs/pentest-2026.pdf"
"#,
    );
    fx.write("reports/unit.json", "{ \"type\": \"test\", \"name\": \"tests::a\", \"event\": \"ok\" }\n{ \"type\": \"test\", \"name\": \"tests::b\", \"event\": \"ignored\" }\n");
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&r),
        vec![
            "RE-VERIFY-REPORT-MISSING",
            "RE-VERIFY-TEST-SKIPPED",
            "RE-VERIFY-DOCUMENT-MISSING"
        ]
    );
    assert_eq!(
        message(&r, "RE-VERIFY-REPORT-MISSING"),
        "suite `integration`: no report file matches `reports/integration/*.xml`"
    );
    assert_eq!(
        message(&r, "RE-VERIFY-TEST-SKIPPED"),
        "suite `unit`: 1 test skipped or ignored: unit::tests::b"
    );
    assert_eq!(
        with_code(&r, "RE-VERIFY-TEST-SKIPPED")[0]["severity"],
        "error"
    );

    fx.write(
        "reports/integration/a.xml",
        "<html><body>502 Bad Gateway</body></html>",
    );
    fx.write("docs/pentest-2026.pdf", "%PDF-1.7 the report");
    let (_, r) = verify(&fx, &[]);
    assert_eq!(
        message(&r, "RE-VERIFY-REPORT-INVALID"),
        "suite `integration`: reports/integration/a.xml is not a JUnit XML report: not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>"
    );
    let doc = &r["verification"]["documents"][0];
    assert_eq!(doc["path"], "docs/pentest-2026.pdf");
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn requirements_in_csv_with_markers_naming_unknown_ones() {
    let fx = Fixture::example_with_verification();
    fx.write(
        "requirements.csv",
        "id,title,class,risk_controls,tests\nREQ-001,\"Frames carry a CRC, checked\",C,RC-03,unit::tests::ring_*\nREQ-010,Display test mode,A,,\nREQ-011,Alarm relay,C,RC-09;RC-10,\n",
    );
    fx.write("reports/unit.json", "{ \"type\": \"test\", \"name\": \"tests::ring_evicts_oldest_and_frames_validate\", \"event\": \"ok\" }\n");
    with_verification(
        &fx,
        "[verification]\nrequirements = \"requirements.csv\"\n[[verification.suite]]\nname = \"unit\"\nformat = \"libtest-json\"\nreports = [\"reports/unit.json\"]\n",
    );
    let (code, r) = verify(&fx, &[]);
    assert_eq!(code, 1);
    let untested = with_code(&r, "RE-VERIFY-UNTESTED");
    assert_eq!(untested.len(), 2);
    assert_eq!(untested[0]["severity"], "error");
    assert!(
        untested[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("requirement REQ-011 (class C)")
    );
    assert_eq!(untested[1]["severity"], "warning");
    assert_eq!(untested[1]["location"]["line"], 3);
    // The example's markers name REQ-002…REQ-004, which this file does not define.
    let unknown = with_code(&r, "RE-VERIFY-UNKNOWN-REQUIREMENT");
    assert_eq!(unknown.len(), 4);
    assert_eq!(
        unknown[0]["message"],
        "test `device_tag_is_a_valid_identifier` of thermo-fw names requirement REQ-004, which requirements.csv does not define"
    );
    assert_eq!(unknown[0]["location"]["file"], "app/src/main.rs");
    let trace = &r["verification"]["trace"];
    assert_eq!(trace["rows"][0]["status"], "pass");
    assert_eq!(trace["rows"][0]["title"], "Frames carry a CRC, checked");
    assert_eq!(
        trace["rows"][2]["risk_controls"],
        serde_json::json!(["RC-09", "RC-10"])
    );
    assert_eq!(
        trace["without_passing_test"],
        serde_json::json!(["REQ-010", "REQ-011"])
    );
}

#[test]
fn policy_mistakes_are_located() {
    let fx = Fixture::example_with_verification();
    with_verification(
        &fx,
        r#"[verification]
blocking-classes = ["B", "D"]

[[verification.suite]]
name = "unit"
run = "nextest"
reports = ["x.xml"]

[[verification.suite]]
name = "hil"
reports = ["[oops"]
signed-by = "hil-rig"

[[verification.threshold]]
path = "a"
min-line = 120.0

[[verification.exception]]
test = "a::b"
rule = "r"
reason = "x"
approved-by = "y"
expires = 2027-01-01
"#,
    );
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown variant `D`, expected one of `A`, `B`, `C`"),
        "{err}"
    );

    fx.replace("release-evidence.toml", "\"B\", \"D\"", "\"B\"");
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let text = fx.read("release-evidence.toml");
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    for (needle, msg) in [
        (
            "[[verification.suite]]\nname = \"unit\"",
            "has both `run` and `reports`",
        ),
        (
            "[[verification.suite]]\nname = \"hil\"",
            "`signed-by` role `hil-rig` is not defined in [approvals.roles]",
        ),
        (
            "[[verification.suite]]\nname = \"hil\"",
            "invalid glob `[oops`",
        ),
        (
            "[[verification.threshold]]",
            "needs [verification.coverage]",
        ),
        ("[[verification.threshold]]", "percentages from 0 to 100"),
        (
            "[[verification.exception]]",
            "accepts either one static-analysis result",
        ),
    ] {
        let line = line_of(needle);
        assert!(
            err.lines()
                .any(|l| l.contains(&format!("release-evidence.toml:{line}:")) && l.contains(msg)),
            "no `{msg}` at line {line}:\n{err}"
        );
    }
}

#[test]
fn the_sarif_we_write_validates_against_the_official_schema() {
    let path = repo_root().join("tests/fixtures/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official schema compiles");
    let fx = Fixture::example_with_verification();
    fx.write("coverage/lcov.info", &fixture("lcov.info"));
    with_verification(&fx, COVERAGE);
    for args in [
        vec!["check", "--offline", "--date", DATE, "--format", "sarif"],
        vec!["test", "--offline", "--date", DATE, "--format", "sarif"],
    ] {
        let out = fx.run(&args);
        let log: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", stderr(&out)));
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{args:?}");
        assert_eq!(log["version"], "2.1.0");
    }
    let out = fx.run(&["test", "--offline", "--date", DATE, "--format", "sarif"]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "RE-VERIFY-COVERAGE");
    assert_eq!(log["runs"][0]["properties"]["decision"], "HOLD");
}
