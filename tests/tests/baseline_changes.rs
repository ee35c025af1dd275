//! The configuration baseline (`[baseline]`) on real git repositories made here from the
//! example: dirty trees and release notes, a workspace that is not a git checkout, the policy's
//! errors located, and the version that must increase with a bump matching the changes. Tags
//! and branches are in `baseline.rs`.

use release_evidence_tests::baseline::*;
use release_evidence_tests::*;
use serde_json::Value;

#[test]
fn dirty_tree_and_release_notes() {
    let r = Repo::new(BASELINE);
    r.sign_tag("release", "v0.9.0");
    r.fx.append("app/src/main.rs", "\n// local experiment\n");
    r.fx.write("notes.txt", "scratch\n");
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-DIRTY"]);
    assert_eq!(
        message(&report, "RE-BASELINE-DIRTY"),
        "the working tree has uncommitted changes: M app/src/main.rs, ?? notes.txt"
    );

    // The changelog has no entry for 0.9.0 (0.9.0-rc.1 and 0.9.00 are not it).
    let r = Repo::new(BASELINE);
    r.fx.write(
        "CHANGELOG.md",
        "# Changelog\n\n## 0.9.0-rc.1\n- candidate\n\n```\n## 0.9.0\n```\n",
    );
    r.commit("changelog without the release");
    r.sign_tag("release", "v0.9.0");
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-NOTES"]);
    assert_eq!(
        message(&report, "RE-BASELINE-NOTES"),
        "CHANGELOG.md has no heading containing `0.9.0`"
    );
    let f = &with_code(&report, "RE-BASELINE-NOTES")[0];
    let line =
        r.fx.read("release-evidence.toml")
            .lines()
            .position(|l| l.starts_with("release-notes = "))
            .unwrap()
            + 1;
    assert_eq!(f["location"]["line"], line as u64);
    // No file at all.
    std::fs::remove_file(r.fx.path("CHANGELOG.md")).unwrap();
    r.commit("no changelog");
    r.sign_tag("release", "v0.9.0");
    let (_, report) = r.check();
    assert_eq!(
        message(&report, "RE-BASELINE-NOTES"),
        "the release-notes file CHANGELOG.md does not exist"
    );
}

#[test]
fn not_a_git_checkout() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.append("release-evidence.toml", "\n[baseline]\nannotated = false\n");
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-NO-GIT"]);
}

#[test]
fn policy_errors_name_the_line() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[baseline]\ntag = \"release-{ver}\"\nsigned = true\nwarn = [\"RE-BASELINE-NOPE\"]\nrelease-notes-heading = \"Release\"\nbranches = [\"\"]\nsurprise = 1\n",
    );
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown field `surprise`"), "{err}");
    fx.replace("release-evidence.toml", "surprise = 1\n", "");
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let lines = fx.read("release-evidence.toml").lines().count();
    for (what, line) in [
        ("`tag`: `release-{ver}` must contain `{version}`", lines - 5),
        ("`signed = true` needs [approvals]", lines - 6),
        (
            "`RE-BASELINE-NOPE` matches no baseline finding code",
            lines - 3,
        ),
        (
            "`release-notes-heading`: `Release` must contain `{version}`",
            lines - 2,
        ),
        ("branch pattern `` is empty", lines - 1),
    ] {
        assert!(err.contains(what), "{what}\n{err}");
        assert!(
            err.contains(&format!("release-evidence.toml:{}:", line + 1)),
            "{what} at line {}\n{err}",
            line + 1
        );
    }
}

#[test]
fn the_version_must_increase_and_the_bump_must_match_the_changes() {
    let r = Repo::new(BASELINE);
    r.sign_tag("release", "v0.9.0");
    let out = r.main_job(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v090 = r.evidence("0.9.0");

    // 0.9.1 removes the feature `debug-dump`: a compatible bump cannot do that.
    r.fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.0\"",
        "version = \"0.9.1\"",
    );
    r.fx.replace(
        "app/Cargo.toml",
        "debug-dump = [\"sensor-core/hex-dump\"]\n",
        "",
    );
    r.fx.replace(
        "CHANGELOG.md",
        "## [0.9.0]",
        "## [0.9.1] - 2026-09-01\n- no debug console\n\n## [0.9.0]",
    );
    // The version moved: update Cargo.lock on purpose before the commit (the gate runs
    // cargo with --locked).
    r.fx.update_lockfile(&["--offline"]);
    r.check();
    r.commit("thermo-fw 0.9.1");
    r.sign_tag("release", "v0.9.1");
    let out = r.main_job(&["--no-build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning only: {}",
        stderr(&out)
    );
    let m = read_json(&r.evidence("0.9.1").join("release-evidence.json"));
    let bump: Vec<&Value> = m["gate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RE-BASELINE-BUMP")
        .collect();
    assert_eq!(bump.len(), 1, "{m:#}");
    assert_eq!(bump[0]["severity"], "warning");
    assert_eq!(
        bump[0]["message"],
        "thermo-fw 0.9.0 → 0.9.1 is a compatible bump, but feature `debug-dump` was removed"
    );
    assert!(bump[0]["fix"].as_str().unwrap().contains("(0.10.0)"));
    let prev = &m["baseline"]["previous"];
    assert_eq!(prev["version"], "0.9.0");
    assert_eq!(prev["evidence"], "thermo-fw-0.9.0");
    assert_eq!(prev["relation"], "patch");
    assert_eq!(prev["breaking"], false);
    let record = std::fs::read_to_string(r.evidence("0.9.1").join("release-evidence.md")).unwrap();
    assert!(
        record.contains("| Version | 0.9.1 (previous release 0.9.0: patch bump, compatible) |"),
        "{record}"
    );

    // 0.9.0 was released (sealed: approved); releasing new code as 0.9.0 again holds.
    std::fs::write(v090.join("approval-qa-qa_example.com.json"), "{}\n").unwrap();
    r.fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.1\"",
        "version = \"0.9.0\"",
    );
    r.fx.update_lockfile(&["--offline"]);
    r.check();
    r.commit("thermo-fw 0.9.0 again");
    r.sign_tag("release", "v0.9.0");
    let out = r.main_job(&["--no-build", "--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let m = read_json(&v090.join("release-evidence.json"));
    let msgs: Vec<&str> = m["gate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RE-BASELINE-VERSION")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 1, "{m:#}");
    assert!(
        msgs[0].starts_with(
            "version did not increase: thermo-fw 0.9.0 was already released from commit "
        ) && msgs[0].contains("(evidence thermo-fw-0.9.0, moved aside by --force)"),
        "{}",
        msgs[0]
    );
}
