//! `[review]`: baseline entries expire or block by the IEC 62304 safety class of the release
//! members shipping a crate (`[release] safety-class`, default C), on a real workspace
//! (`tests/fixtures/workspaces/crates-io-licenses`, member `app`, 10 third-party crates).

use release_evidence_tests::*;
use serde_json::Value;

/// The fixture with the policy `init` writes, the policy additions given, and `fnv` reviewed.
fn fixture(release: &str, review_section: &str) -> Fixture {
    let fx = review::initialized("crates-io-licenses");
    fx.replace(
        "release-evidence.toml",
        "members = [\"app\"]\n",
        &format!("members = [\"app\"]\n{release}"),
    );
    fx.append("release-evidence.toml", review_section);
    let out = run(
        &fx,
        &["review", "approve", "fnv", "--rationale", "reviewed"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

fn run(fx: &Fixture, args: &[&str]) -> std::process::Output {
    review::run(fx, args)
}

fn check_on(fx: &Fixture, date: &str) -> (i32, Value) {
    fx.check_json(&[
        "--advisory-db",
        fixture_db().to_str().unwrap(),
        "--date",
        date,
    ])
}

fn baseline(fx: &Fixture) -> String {
    let out = run(
        fx,
        &[
            "review",
            "baseline",
            "--rationale",
            "in use when we adopted",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

fn message_for(report: &Value, code: &str, name: &str) -> String {
    with_code(report, code)
        .iter()
        .find(|f| f["package"]["name"] == name)
        .unwrap_or_else(|| panic!("no {code} for {name}: {report:#}"))["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn baseline_entries_of_a_class_b_member_expire_after_the_days_the_policy_gives() {
    let fx = fixture(
        "safety-class = { app = \"B\" }\n",
        "\n[review]\nbaseline-expire = { B = 90, C = 30 }\n",
    );
    assert_eq!(
        baseline(&fx),
        "recorded 9 baseline entries in release-evidence.toml (1 crates already reviewed, 0 already baselined); they are counted apart from reviewed crates\n"
    );
    // 2026-09-01 + 90 days = 2026-11-30: the last day the entries count.
    let (code, report) = check_on(&fx, "2026-11-30");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 1, "baseline": 9})
    );
    let (code, report) = check_on(&fx, "2026-12-01");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(with_code(&report, "RE-APPROVAL-BASELINE").len(), 9);
    assert_eq!(
        message_for(&report, "RE-APPROVAL-BASELINE", "unescaper"),
        "unescaper 0.1.8: its baseline entry does not approve it: it ships in `app`, a class B member, and [review] baseline-expire lets a baseline entry count for 90 days after its date: until 2026-11-30"
    );
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 1, "baseline": 0})
    );
    // The reviewed crate is untouched by the rule.
    assert!(
        with_code(&report, "RE-APPROVAL-BASELINE")
            .iter()
            .all(|f| f["package"]["name"] != "fnv")
    );

    // A member without a class is class C (30 days here).
    fx.replace(
        "release-evidence.toml",
        "safety-class = { app = \"B\" }\n",
        "",
    );
    let (code, _) = check_on(&fx, "2026-10-01");
    assert_eq!(code, 0);
    let (code, report) = check_on(&fx, "2026-10-02");
    assert_eq!(code, 1);
    assert_eq!(
        message_for(&report, "RE-APPROVAL-BASELINE", "csv-core"),
        "csv-core 0.1.13: its baseline entry does not approve it: it ships in `app`, a class C member, and [review] baseline-expire lets a baseline entry count for 30 days after its date: until 2026-10-01"
    );
}

#[test]
fn baseline_entries_never_approve_crates_of_a_blocked_class() {
    let fx = fixture(
        "safety-class = { app = \"C\" }\n",
        "\n[review]\nbaseline-block = [\"C\"]\n",
    );
    // `review baseline` writes nothing a blocked class would refuse, and says so per crate.
    let out = baseline(&fx);
    assert!(
        out.starts_with("recorded 0 baseline entries in release-evidence.toml (1 crates already reviewed, 0 already baselined); they are counted apart from reviewed crates\n"),
        "{out}"
    );
    assert!(
        out.contains("not baselined: unescaper 0.1.8: it ships in `app`, a class C member, and [review] baseline-block allows no baseline entry for class C; review it with `review approve unescaper@0.1.8`\n"),
        "{out}"
    );
    assert_eq!(out.matches("not baselined: ").count(), 9);
    assert!(!fx.read("release-evidence.toml").contains("baseline = true"));

    // A baseline entry written by hand is refused by the gate, and `review` lists the crate.
    fx.append(
        "release-evidence.toml",
        "\n[[approved]]\nname = \"csv-core\"\nversion = \"=0.1.13\"\nbaseline = true\nreviewed-by = \"reviewer@example.com\"\ndate = 2026-09-01\nrationale = \"in use\"\n",
    );
    let (code, report) = check_on(&fx, DATE);
    assert_eq!(code, 1);
    let found = with_code(&report, "RE-APPROVAL-BASELINE");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(
        found[0]["message"],
        "csv-core 0.1.13: its baseline entry does not approve it: it ships in `app`, a class C member, and [review] baseline-block allows no baseline entry for class C"
    );
    assert_eq!(
        found[0]["fix"],
        "review csv-core 0.1.13 (`cargo release-evidence review`) and record it with `review approve csv-core@0.1.13`"
    );
    let out = run(&fx, &["review", "--format", "json"]);
    let review: Value = serde_json::from_slice(&out.stdout).unwrap();
    let csv = review["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "csv-core")
        .unwrap()
        .clone();
    assert_eq!(csv["need"], "baseline-refused");

    // Class A is not blocked: the same entry counts there.
    fx.replace(
        "release-evidence.toml",
        "safety-class = { app = \"C\" }",
        "safety-class = { app = \"A\" }",
    );
    let (_, report) = check_on(&fx, DATE);
    assert!(with_code(&report, "RE-APPROVAL-BASELINE").is_empty());
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 1, "baseline": 1})
    );
}

#[test]
fn a_bad_review_section_or_class_is_an_error_naming_the_place() {
    let fx = fixture(
        "safety-class = { app = \"B\" }\n",
        "\n[review]\nbaseline-expire = { B = 90 }\n",
    );
    fx.replace(
        "release-evidence.toml",
        "[review]\n",
        "[review]\nbaseline-block = [\"B\"]\n",
    );
    let out = run(&fx, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("[review] class B is in both `baseline-block` and `baseline-expire`"),
        "{err}"
    );
    let line = fx
        .read("release-evidence.toml")
        .lines()
        .position(|l| l.starts_with("baseline-expire"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("release-evidence.toml:{line}:")),
        "{err}"
    );

    fx.replace("release-evidence.toml", "baseline-block = [\"B\"]\n", "");
    fx.replace(
        "release-evidence.toml",
        "safety-class = { app = \"B\" }",
        "safety-class = { app = \"B\", firmware = \"C\" }",
    );
    let out = run(&fx, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[release] safety-class: `firmware` is not a workspace member"),
        "{}",
        stderr(&out)
    );

    fx.replace(
        "release-evidence.toml",
        "firmware = \"C\"",
        "firmware = \"D\"",
    );
    let out = run(&fx, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("release-evidence.toml:"),
        "{}",
        stderr(&out)
    );
}
