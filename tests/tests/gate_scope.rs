//! The release gate (`check`) on the real example workspace: the advisory database it relies
//! on (stale, malformed, missing), which packages ship for a target, a feature or a kind
//! (build-time, dev), findings behind optional dependencies, and its outputs (deterministic
//! JSON, well-formed SARIF, human). Every test runs the real binary and real cargo.

use release_evidence_tests::gate::EXCEPTION;
use release_evidence_tests::*;

#[test]
fn stale_database_holds() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 3650",
        "max-age-days = 7",
    );
    let (code, report) = fx.check_json(&["--date", "2026-08-28"]);
    assert_eq!(code, 0, "7 days old is fresh enough: {report:#}");
    let (code, report) = fx.check_json(&["--date", "2026-08-29"]);
    assert_eq!(code, 1);
    let stale = with_code(&report, "RE-DB-STALE");
    assert_eq!(stale.len(), 1);
    let msg = stale[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("2026-08-21") && msg.contains("8 days"),
        "{msg}"
    );
}

#[test]
fn malformed_advisory_about_a_shipped_crate_holds() {
    let fx = Fixture::example();
    // With the only vulnerability accepted the gate would pass; the unreadable advisory about
    // a crate that ships could hide another one, so it must hold (fail closed).
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"r\"\napproved-by = \"a@example.com\"\nexpires = 2030-01-01\n",
    );
    let db = fx.outside("db");
    copy_dir(&fixture_db(), &db);
    std::fs::write(
        db.join("crates/smallvec/RUSTSEC-2099-0001.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \n```\n# broken\n",
    )
    .unwrap();
    let (code, report) = fx.check_json(&["--advisory-db", db.to_str().unwrap()]);
    assert_eq!(code, 1);
    let skipped = with_code(&report, "RE-DB-MALFORMED");
    assert_eq!(skipped.len(), 1, "{report:#}");
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .contains("crates/smallvec/RUSTSEC-2099-0001.md")
    );
    assert_eq!(skipped[0]["severity"], "error");
    assert_eq!(report["decision"], "HOLD");
    // The rest of the DB still counts.
    assert_eq!(with_code(&report, "RE-ADVISORY-ACCEPTED").len(), 1);
}

#[test]
fn missing_database_offline_is_an_error_naming_the_flag() {
    let fx = Fixture::example();
    let out = fx.run(&[
        "check",
        "--offline",
        "--advisory-db",
        "no-such-db",
        "--date",
        DATE,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`--advisory-db`") && err.contains("no-such-db"),
        "{err}"
    );
}

#[test]
fn windows_only_dependency_ships_only_for_windows() {
    let fx = Fixture::example();
    let (_, linux) = fx.check_json(&["--target", "x86_64-unknown-linux-gnu"]);
    let (_, windows) = fx.check_json(&["--target", "x86_64-pc-windows-msvc"]);
    let linux_set = member_packages(&linux, "thermo-fw", "linked");
    let windows_set = member_packages(&windows, "thermo-fw", "linked");
    assert!(
        !linux_set.contains(&"windows-link".to_owned()),
        "{linux_set:?}"
    );
    assert!(
        windows_set.contains(&"windows-link".to_owned()),
        "{windows_set:?}"
    );
    let mut diff: Vec<_> = windows_set
        .iter()
        .filter(|p| !linux_set.contains(p))
        .collect();
    diff.sort();
    assert_eq!(diff, vec!["windows-link"]);
    assert_eq!(windows["scope"]["target"], "x86_64-pc-windows-msvc");
    // --all-platforms widens to everything the lockfile resolves.
    let (_, all) = fx.check_json(&["--all-platforms", "--all-features"]);
    let all_set = member_packages(&all, "thermo-fw", "linked");
    assert!(all_set.contains(&"windows-link".to_owned()) && all_set.contains(&"hex".to_owned()));
    assert_eq!(all["scope"]["target"], "all");
}

#[test]
fn optional_dependency_ships_only_with_its_feature() {
    let fx = Fixture::example();
    let (_, plain) = fx.check_json(&[]);
    assert!(!member_packages(&plain, "thermo-fw", "linked").contains(&"hex".to_owned()));
    let (_, with) = fx.check_json(&["--features", "debug-dump"]);
    assert!(member_packages(&with, "thermo-fw", "linked").contains(&"hex".to_owned()));
    let (_, lib) = fx.check_json(&["-p", "sensor-core", "--features", "hex-dump"]);
    assert!(member_packages(&lib, "sensor-core", "linked").contains(&"hex".to_owned()));
    let out = fx.run(&["check", "--offline", "--features", "no-such-feature"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--features`"));
}

#[test]
fn build_time_packages_are_reported_as_such() {
    let fx = Fixture::example();
    let (_, report) = fx.check_json(&[]);
    let linked = member_packages(&report, "thermo-fw", "linked");
    let build = member_packages(&report, "thermo-fw", "build_time");
    // sensor-core's build script needs autocfg; release-evidence-build's build half needs
    // serde_json, miniz_oxide, sha2 and toml (and theirs). None of them is linked.
    for b in [
        "autocfg",
        "serde_json",
        "miniz_oxide",
        "sha2",
        "toml",
        "version_check",
    ] {
        assert!(build.contains(&b.to_owned()), "{b} in {build:?}");
        assert!(!linked.contains(&b.to_owned()), "{b} in {linked:?}");
    }
    assert_eq!(build.len(), 22, "{build:?}");
    // The runtime half of release-evidence-build is linked (no dependencies of its own).
    assert!(linked.contains(&"release-evidence-build".to_owned()));
    // Without a dev-dependency option nothing is "dev".
    assert!(report["members"][0].get("dev").is_none());
}

#[test]
fn same_inputs_give_identical_json_and_sarif_is_well_formed() {
    let fx = Fixture::example();
    let a = fx.run(&["check", "--offline", "--date", DATE, "--format", "json"]);
    let b = fx.run(&[
        "check",
        "--offline",
        "--date",
        DATE,
        "--format",
        "json",
        "--no-cache",
    ]);
    assert_eq!(stdout(&a), stdout(&b));
    let out = fx.run(&["check", "--offline", "--date", DATE, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cargo-release-evidence");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "RE-ADVISORY-VULNERABILITY");
    assert_eq!(result["level"], "error");
    let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][rule_index]["id"],
        "RE-ADVISORY-VULNERABILITY"
    );
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "app/Cargo.toml");
    assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);

    // Every rule's helpUri anchor is a heading of the README (GitHub's anchor rules).
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let mut in_code = false;
    let anchors: Vec<String> = readme
        .lines()
        .filter(|l| {
            if l.starts_with("```") {
                in_code = !in_code;
            }
            !in_code
        })
        .filter_map(|l| l.strip_prefix('#'))
        .map(|h| {
            h.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let uri = rule["helpUri"].as_str().unwrap();
        let anchor = uri.split_once('#').map(|(_, a)| a).unwrap_or_default();
        assert!(
            anchors.iter().any(|a| a == anchor),
            "{}: helpUri {uri} has no README heading",
            rule["id"]
        );
    }
}

#[test]
fn human_output_groups_findings_with_fixes_and_a_summary() {
    let fx = Fixture::example();
    let out = fx.run(&["check", "--offline", "--date", DATE, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("error[RE-ADVISORY-VULNERABILITY] RUSTSEC-2021-0003 (vulnerability) affects smallvec 0.6.13"),
        "{text}"
    );
    assert!(text.contains("  fix: upgrade smallvec"), "{text}");
    assert!(text.contains("via thermo-fw (linked): thermo-fw → sensor-core → smallvec"));
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("HOLD: 1 error, 0 warnings")
    );
    assert!(
        !text.contains('\u{1b}'),
        "no color codes with --color never"
    );
    let quiet = fx.run(&["check", "--offline", "--date", DATE, "-q"]);
    assert_eq!(stdout(&quiet).lines().count(), 1);
}

#[test]
fn dev_dependencies_and_informational_advisories() {
    let fx = Fixture::example();
    // By default the test-only atty never ships, so its advisories do not count.
    let (_, plain) = fx.check_json(&["-p", "sensor-core"]);
    assert!(with_code(&plain, "RE-ADVISORY-INFORMATIONAL").is_empty());
    assert!(plain["members"][0].get("dev").is_none());

    // With --include-dev it joins as `dev`; its unmaintained advisory warns (the policy only
    // blocks `unsound`), and its Windows-only unsound advisory does not apply on Linux.
    let (code, linux) = fx.check_json(&[
        "-p",
        "sensor-core",
        "--include-dev",
        "--target",
        "x86_64-unknown-linux-gnu",
    ]);
    assert_eq!(code, 1);
    let mut dev = member_packages(&linux, "sensor-core", "dev");
    dev.sort();
    assert_eq!(dev, vec!["atty", "libc"]);
    let info: Vec<(String, String)> = with_code(&linux, "RE-ADVISORY-INFORMATIONAL")
        .iter()
        .map(|f| {
            (
                f["advisory"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        info,
        vec![("RUSTSEC-2024-0375".to_owned(), "warning".to_owned())]
    );
    let atty = with_code(&linux, "RE-APPROVAL-MISSING")
        .into_iter()
        .find(|f| f["package"]["name"] == "atty")
        .expect("atty is not approved");
    assert_eq!(atty["via"][0]["kind"], "dev");

    let (_, windows) = fx.check_json(&[
        "-p",
        "sensor-core",
        "--include-dev",
        "--target",
        "x86_64-pc-windows-msvc",
    ]);
    let mut info: Vec<(String, String)> = with_code(&windows, "RE-ADVISORY-INFORMATIONAL")
        .iter()
        .map(|f| {
            (
                f["advisory"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    info.sort();
    assert_eq!(
        info,
        vec![
            ("RUSTSEC-2021-0145".to_owned(), "error".to_owned()),
            ("RUSTSEC-2024-0375".to_owned(), "warning".to_owned()),
        ]
    );
}

/// An advisory for `crc-catalog` in a copy of the fixture DB.
const CRC_CATALOG_ADVISORY: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0002"
package = "crc-catalog"
date = "2026-08-01"
url = "https://example.com/crc-catalog"

[versions]
patched = [">= 9.0.0"]
```

# Fixture advisory for crc-catalog
"#;

// Issue 9: `crc` (optional, feature `net`) depends on `crc-catalog`, which is also a
// dev-dependency of `pkg`. The finding's path and location follow what ships: pkg → crc →
// crc-catalog, at the line of the optional `crc` dependency, never at the dev-dependency's.
#[test]
fn advisory_behind_an_optional_dependency_points_at_that_dependency() {
    let fx = Fixture::copy_of(&repo_root().join("tests/fixtures/workspaces/optional-via"));
    let db = fx.outside("db");
    copy_dir(&fixture_db(), &db);
    std::fs::create_dir_all(db.join("crates/crc-catalog")).unwrap();
    std::fs::write(
        db.join("crates/crc-catalog/RUSTSEC-2099-0002.md"),
        CRC_CATALOG_ADVISORY,
    )
    .unwrap();
    fx.write(
        "release-evidence.toml",
        &format!(
            "[licenses]\nallow = [\"MIT\", \"Apache-2.0\"]\n\n[advisories]\ndb-path = \"{}\"\nmax-age-days = 36500\n",
            db.display()
        ),
    );
    let manifest = fx.read("Cargo.toml");
    let line_of = |start: &str| {
        1 + manifest
            .lines()
            .position(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?}"))
    };
    let optional_line = line_of("crc = {");
    assert_ne!(optional_line, line_of("crc-catalog = "));

    for extra in [
        &["--features", "net"][..],
        &["--features", "net", "--include-dev"],
    ] {
        let (code, report) = fx.check_json(extra);
        assert_eq!(code, 1, "{report:#}");
        let found = with_code(&report, "RE-ADVISORY-VULNERABILITY");
        assert_eq!(found.len(), 1, "{extra:?}: {report:#}");
        let f = found[0];
        assert_eq!(f["package"]["name"], "crc-catalog");
        assert_eq!(f["via"][0]["kind"], "linked", "{extra:?}");
        assert_eq!(
            f["via"][0]["path"],
            serde_json::json!(["pkg", "crc", "crc-catalog"]),
            "{extra:?}"
        );
        assert_eq!(
            f["location"],
            serde_json::json!({"file": "Cargo.toml", "line": optional_line, "column": 1}),
            "{extra:?}"
        );
    }
    // Without the feature crc-catalog ships only as a dev-dependency: no finding unless
    // dev-dependencies are included, and then at the dev-dependency's line.
    let (_, report) = fx.check_json(&[]);
    assert!(with_code(&report, "RE-ADVISORY-VULNERABILITY").is_empty());
    let (_, report) = fx.check_json(&["--include-dev"]);
    let found = with_code(&report, "RE-ADVISORY-VULNERABILITY");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["via"][0]["kind"], "dev");
    assert_eq!(
        found[0]["location"]["line"],
        serde_json::json!(line_of("crc-catalog = "))
    );
}
