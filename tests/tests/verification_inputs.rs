//! Verification reports made elsewhere, ingested by `cargo release-evidence test` (no suite is
//! run here, so nothing is compiled): external SARIF with exceptions, missing and malformed
//! reports and documents, requirements in CSV, policy mistakes located, and the SARIF we write
//! validated against the official schema. Coverage and HIL reports are in
//! `verification_reports.rs`.

use release_evidence_tests::verification::*;
use release_evidence_tests::*;
use serde_json::Value;

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
