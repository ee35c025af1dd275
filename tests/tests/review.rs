//! The review workflow on a real workspace (`tests/fixtures/workspaces/crates-io-licenses`,
//! 10 third-party crates): `review` lists what needs a decision with its facts, `review
//! approve` and `review baseline` write the policy in place, and the gate's verdict follows.

use release_evidence_tests::*;
use serde_json::Value;

fn fixture() -> Fixture {
    review::initialized("crates-io-licenses")
}

fn run(fx: &Fixture, args: &[&str]) -> std::process::Output {
    review::run(fx, args)
}

fn review_json(fx: &Fixture) -> Value {
    let out = run(fx, &["review", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(review: &Value) -> Vec<String> {
    review["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["name"].as_str().unwrap(),
                i["need"].as_str().unwrap()
            )
        })
        .collect()
}

fn check(fx: &Fixture) -> (i32, Value) {
    fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()])
}

#[test]
fn review_lists_what_needs_a_decision_riskiest_first() {
    let fx = fixture();
    let r = review_json(&fx);
    // Build-time code first (by unsafe count), then linked crates by unsafe count.
    assert_eq!(
        names(&r),
        [
            "syn pending-review",
            "proc-macro2 pending-review",
            "unicode-ident pending-review",
            "thiserror-impl pending-review",
            "quote pending-review",
            "thiserror pending-review",
            "memchr pending-review",
            "csv-core pending-review",
            "fnv pending-review",
            "unescaper pending-review",
        ]
    );
    let item = |name: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()
            .clone()
    };
    let impl_ = item("thiserror-impl");
    assert_eq!(impl_["kind"], "build-time");
    assert_eq!(impl_["proc_macro"], true);
    assert_eq!(item("proc-macro2")["build_script"], true);
    let fnv = item("fnv");
    assert_eq!(
        fnv["license"],
        "Apache-2.0 OR MIT (declared `Apache-2.0 / MIT`)"
    );
    assert_eq!(fnv["code"]["files"], 1);
    assert_eq!(fnv["code"]["unsafe_count"], 0);
    assert_eq!(fnv["via"][0]["path"], serde_json::json!(["app", "fnv"]));

    // The human form: one block a crate.
    let out = run(&fx, &["review"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "fnv 1.0.7 (crates.io) — pending review\n  license:   Apache-2.0 OR MIT (declared `Apache-2.0 / MIT`)\n  kind:      linked\n  source:    1 .rs file, 367 lines, 19179 bytes; unsafe: 0\n  approved:  never\n  via       app (linked): app → fnv\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "10 crates need a decision; approved: 0 reviewed, 0 by baseline entries (release-evidence.toml)\n"
        ),
        "{text}"
    );
}

#[test]
fn review_approve_rewrites_the_pending_entry_in_place() {
    let fx = fixture();
    let before = fx.read("release-evidence.toml");
    let out = run(
        &fx,
        &[
            "review",
            "approve",
            "fnv",
            "--rationale",
            "tiny FNV hasher, no unsafe",
            "--criteria",
            "safe-to-deploy",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "recorded the review of fnv 1.0.7 in release-evidence.toml (replaced its entry); run `cargo release-evidence check` for the verdict\n"
    );
    let after = fx.read("release-evidence.toml");
    let expected = before.replace(
        "[[approved]]\nname = \"fnv\"\nversion = \"=1.0.7\"\npending-review = true\n# linked — Apache-2.0 OR MIT (declared `Apache-2.0 / MIT`)\n# reviewed-by = \"name@example.com\"\n# date = 2026-09-01\n# rationale = \"why this crate is acceptable\"\n",
        "[[approved]]\nname = \"fnv\"\nversion = \"=1.0.7\"\nreviewed-by = \"reviewer@example.com\"\ndate = 2026-09-01\nrationale = \"tiny FNV hasher, no unsafe\"\ncriteria = \"safe-to-deploy\"\n",
    );
    assert_ne!(expected, before);
    assert_eq!(after, expected);

    let (code, report) = check(&fx);
    assert_eq!(code, 1);
    let pending: Vec<String> = with_code(&report, "RE-APPROVAL-PENDING")
        .iter()
        .map(|f| f["package"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pending.len(), 9);
    assert!(!pending.contains(&"fnv".to_owned()));
    assert_eq!(report["summary"]["approvals"]["reviewed"], 1);
    assert!(!names(&review_json(&fx)).contains(&"fnv pending-review".to_owned()));
}

#[test]
fn review_approve_names_the_version_and_refuses_what_does_not_ship() {
    let fx = fixture();
    let out = run(&fx, &["review", "approve", "fnv@9.9.9", "--rationale", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`fnv@9.9.9` is not a third-party crate that ships"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &fx,
        &["review", "approve", "fnv@1.0.7", "--rationale", "  "],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn review_approve_adds_an_entry_when_the_version_moved() {
    let fx = fixture();
    // memchr was approved at an earlier version: its pending entry becomes that approval.
    fx.replace(
        "release-evidence.toml",
        "name = \"memchr\"\nversion = \"=2.8.3\"\npending-review = true\n",
        "name = \"memchr\"\nversion = \"=2.7.4\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-01-10\nrationale = \"reviewed the SIMD code\"\n",
    );
    let r = review_json(&fx);
    let memchr = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "memchr")
        .unwrap();
    assert_eq!(memchr["need"], "version-moved");
    assert_eq!(memchr["approved_before"], serde_json::json!(["=2.7.4"]));
    let before = fx.read("release-evidence.toml");
    let out = run(
        &fx,
        &[
            "review",
            "approve",
            "memchr",
            "--rationale",
            "delta 2.7.4 → 2.8.3 reviewed",
            "--reviewer",
            "carol@example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("(added an entry)"));
    let after = fx.read("release-evidence.toml");
    // memchr 2.7.4 is approved in full: the review is recorded as a delta from it.
    assert!(stdout(&out).contains("recorded a delta review of memchr 2.7.4 → 2.8.3"));
    // After the last [[approved]] entry (unicode-ident, still pending with its hints), before
    // [licenses].
    let last = "# build-time — (MIT OR Apache-2.0) AND Unicode-3.0\n# reviewed-by = \"name@example.com\"\n# date = 2026-09-01\n# rationale = \"why this crate is acceptable\"\n\n";
    let expected = before.replacen(
        last,
        &format!("{last}[[approved]]\nname = \"memchr\"\nversion = \"=2.8.3\"\nfrom = \"2.7.4\"\nreviewed-by = \"carol@example.com\"\ndate = 2026-09-01\nrationale = \"delta 2.7.4 → 2.8.3 reviewed\"\n\n"),
        1,
    );
    assert_ne!(expected, before);
    assert_eq!(after, expected);
    let (_, report) = check(&fx);
    assert!(with_code(&report, "RE-APPROVAL-VERSION").is_empty());
}

#[test]
fn review_baseline_records_every_crate_apart_from_reviewed_ones() {
    let fx = fixture();
    let out = run(
        &fx,
        &["review", "approve", "fnv", "--rationale", "reviewed"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        &fx,
        &[
            "review",
            "baseline",
            "--rationale",
            "in use when we adopted the gate",
            "--expires",
            "2027-03-01",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "recorded 9 baseline entries in release-evidence.toml (1 crates already reviewed, 0 already baselined); they are counted apart from reviewed crates\n"
    );
    let policy = fx.read("release-evidence.toml");
    assert!(
        policy.contains("[[approved]]\nname = \"unescaper\"\nversion = \"=0.1.8\"\nbaseline = true\nreviewed-by = \"reviewer@example.com\"\ndate = 2026-09-01\nrationale = \"in use when we adopted the gate\"\nexpires = 2027-03-01\n\n[[approved]]"),
        "{policy}"
    );
    assert!(!policy.contains("\npending-review = true\n"));
    assert!(!policy.contains("# rationale = \"why this crate is acceptable\""));

    // The gate passes, counting reviewed and baseline crates apart.
    let (code, report) = check(&fx);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 1, "baseline": 9})
    );
    let out = fx.run(&[
        "check",
        "--offline",
        "--date",
        DATE,
        "--advisory-db",
        fixture_db().to_str().unwrap(),
    ]);
    assert!(
        stdout(&out).contains(
            "approvals: 1 crates reviewed, 9 accepted by baseline entries (not reviewed)\n"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(names(&review_json(&fx)), Vec::<String>::new());

    // After `expires`, baseline entries stop counting and the crates are back in review.
    let (code, report) = fx.check_json(&[
        "--advisory-db",
        fixture_db().to_str().unwrap(),
        "--date",
        "2027-03-02",
    ]);
    assert_eq!(code, 1);
    assert_eq!(with_code(&report, "RE-APPROVAL-EXPIRED").len(), 9);
    let msg = with_code(&report, "RE-APPROVAL-EXPIRED")
        .iter()
        .find(|f| f["package"]["name"] == "unescaper")
        .unwrap()["message"]
        .clone();
    assert_eq!(
        msg,
        "unescaper 0.1.8: its baseline entry expired on 2027-03-01"
    );
    let out = fx
        .cmd()
        .args([
            "review",
            "--format",
            "json",
            "--offline",
            "--date",
            "2027-03-02",
            "--advisory-db",
        ])
        .arg(fixture_db())
        .output()
        .unwrap();
    let later: Value = serde_json::from_slice(&out.stdout).unwrap();
    let needs: Vec<String> = names(&later);
    assert_eq!(needs.len(), 9);
    assert!(needs.contains(&"unescaper expired".to_owned()), "{needs:?}");

    // Reviewing a baselined crate replaces its baseline entry.
    let out = run(
        &fx,
        &[
            "review",
            "approve",
            "unescaper",
            "--rationale",
            "read it all",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let policy = fx.read("release-evidence.toml");
    assert!(
        policy.contains("[[approved]]\nname = \"unescaper\"\nversion = \"=0.1.8\"\nreviewed-by = \"reviewer@example.com\"\ndate = 2026-09-01\nrationale = \"read it all\"\n\n"),
        "{policy}"
    );
    let (_, report) = check(&fx);
    assert_eq!(
        report["summary"]["approvals"],
        serde_json::json!({"reviewed": 2, "baseline": 8})
    );
}
