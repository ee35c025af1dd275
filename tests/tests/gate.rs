//! The release gate (`check`) on the real example workspace, copied to a temp dir and changed
//! the way a team would change it. Every test runs the real binary and real cargo.

use release_evidence_tests::*;

const EXCEPTION: &str = r#"
[[advisories.exception]]
id = "RUSTSEC-2021-0003"
crate = "smallvec"
reason = "SmallVec::insert_many is never called; the buffer is only pushed and drained"
approved-by = "security@example.com"
expires = 2027-06-30
"#;

#[test]
fn example_workspace_holds_on_the_smallvec_advisory() {
    let fx = Fixture::example();
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["decision"], "HOLD");
    assert_eq!(
        findings(&report),
        vec![(
            "RE-ADVISORY-VULNERABILITY".to_owned(),
            "smallvec".to_owned(),
            "RUSTSEC-2021-0003".to_owned()
        )]
    );
    let f = &report["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["package"]["version"], "0.6.13");
    assert_eq!(f["package"]["source"], "crates.io");
    assert_eq!(f["via"][0]["member"], "thermo-fw");
    assert_eq!(f["via"][0]["kind"], "linked");
    assert_eq!(
        f["via"][0]["path"],
        serde_json::json!(["thermo-fw", "sensor-core", "smallvec"])
    );
    assert!(f["fix"].as_str().unwrap().contains("upgrade smallvec"));
    assert_eq!(report["schema"], "cargo-release-evidence/check-report");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["advisory_db"]["date"], "2026-08-21");
    assert_eq!(report["advisory_db"]["date_source"], "snapshot-file");
    assert_eq!(report["yanked_check"]["ran"], true);
}

#[test]
fn exception_turns_hold_into_pass_until_it_expires() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["decision"], "PASS");
    assert_eq!(
        findings(&report),
        vec![(
            "RE-ADVISORY-ACCEPTED".to_owned(),
            "smallvec".to_owned(),
            "RUSTSEC-2021-0003".to_owned()
        )]
    );
    let accepted = &report["findings"][0];
    assert_eq!(accepted["severity"], "warning");
    let msg = accepted["message"].as_str().unwrap();
    assert!(
        msg.contains("security@example.com") && msg.contains("2027-06-30"),
        "{msg}"
    );

    // The last day of the exception still counts …
    let (code, _) = fx.check_json(&["--date", "2027-06-30"]);
    assert_eq!(code, 0);
    // … the day after, it stops counting and is itself a finding.
    let (code, report) = fx.check_json(&["--date", "2027-07-01"]);
    assert_eq!(code, 1);
    let mut got = findings(&report);
    got.retain(|(c, _, _)| c != "RE-DB-STALE");
    assert_eq!(
        got,
        vec![
            (
                "RE-ADVISORY-VULNERABILITY".to_owned(),
                "smallvec".to_owned(),
                "RUSTSEC-2021-0003".to_owned()
            ),
            (
                "RE-EXCEPTION-EXPIRED".to_owned(),
                "smallvec".to_owned(),
                "RUSTSEC-2021-0003".to_owned()
            ),
        ]
    );
    let expired = with_code(&report, "RE-EXCEPTION-EXPIRED")[0];
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2027-06-30")
    );
    assert_eq!(expired["location"]["file"], "release-evidence.toml");
}

#[test]
fn exception_matching_nothing_is_a_warning() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.append(
        "release-evidence.toml",
        r#"
[[advisories.exception]]
id = "RUSTSEC-2020-0071"
crate = "time"
reason = "not used"
approved-by = "security@example.com"
expires = 2027-01-01
"#,
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
    let unused = with_code(&report, "RE-EXCEPTION-UNUSED");
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["severity"], "warning");
    assert!(
        unused[0]["message"]
            .as_str()
            .unwrap()
            .contains("RUSTSEC-2020-0071")
    );
}

#[test]
fn unapproved_crate_is_found_with_its_path() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    remove_approval(&fx, "crc-catalog");
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            (
                "RE-APPROVAL-MISSING".into(),
                "crc-catalog".into(),
                "".into()
            ),
            (
                "RE-ADVISORY-ACCEPTED".into(),
                "smallvec".into(),
                "RUSTSEC-2021-0003".into()
            ),
        ]
    );
    let f = with_code(&report, "RE-APPROVAL-MISSING")[0];
    assert_eq!(
        f["via"][0]["path"],
        serde_json::json!(["thermo-fw", "sensor-core", "crc", "crc-catalog"])
    );
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("name = \"crc-catalog\"")
    );
    // SARIF location: the line of app/Cargo.toml that pulls the chain in.
    assert_eq!(f["location"]["file"], "app/Cargo.toml");
    let line = f["location"]["line"].as_u64().unwrap() as usize;
    assert!(
        fx.read("app/Cargo.toml")
            .lines()
            .nth(line - 1)
            .unwrap()
            .starts_with("sensor-core"),
        "line {line}"
    );
}

#[test]
fn approval_for_another_version_and_unused_approval() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    // The crate is bumped past what was reviewed: the approval names an older version.
    let policy = fx.read("release-evidence.toml");
    let crc_version = locked_version(&fx, "crc");
    let old = format!("name = \"crc\"\nversion = \"={crc_version}\"");
    assert!(policy.contains(&old), "policy approves crc as {old}");
    fx.replace(
        "release-evidence.toml",
        &old,
        "name = \"crc\"\nversion = \"=3.0.1\"",
    );
    fx.append(
        "release-evidence.toml",
        r#"
[[approved]]
name = "tokio"
version = "1"
reviewed-by = "alice@example.com"
date = 2026-01-10
rationale = "used by a tool we no longer ship"
"#,
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    let mismatch = with_code(&report, "RE-APPROVAL-VERSION");
    assert_eq!(mismatch.len(), 1);
    assert_eq!(mismatch[0]["package"]["name"], "crc");
    let msg = mismatch[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`=3.0.1`") && msg.contains(&crc_version),
        "{msg}"
    );
    let unused = with_code(&report, "RE-APPROVAL-UNUSED");
    assert_eq!(unused.len(), 1);
    assert!(unused[0]["message"].as_str().unwrap().contains("tokio"));
    assert_eq!(unused[0]["severity"], "warning");
}

#[test]
fn vendored_crate_bumped_past_its_review() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.replace(
        "vendor/acme-hal/Cargo.toml",
        "version = \"1.4.2\"",
        "version = \"1.5.0\"",
    );
    fx.update_lockfile(&["--offline"]);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    let pin = with_code(&report, "RE-SUPPLIER-PIN");
    assert_eq!(pin.len(), 1, "{report:#}");
    assert_eq!(pin[0]["package"]["name"], "acme-hal");
    assert_eq!(pin[0]["package"]["version"], "1.5.0");
    assert_eq!(pin[0]["package"]["source"], "path+vendor/acme-hal");
    assert!(pin[0]["fix"].as_str().unwrap().contains("path-sha256 = \""));
}

#[test]
fn changed_byte_in_vendored_source_breaks_the_review_pin() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let lib = fx.read("vendor/acme-hal/src/lib.rs");
    fx.write("vendor/acme-hal/src/lib.rs", &format!("{lib}\n"));
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            ("RE-SUPPLIER-PIN".into(), "acme-hal".into(), "".into()),
            (
                "RE-ADVISORY-ACCEPTED".into(),
                "smallvec".into(),
                "RUSTSEC-2021-0003".into()
            ),
        ]
    );
}

#[test]
fn supplier_blob_with_one_changed_byte() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let blob = fx.path("firmware/radio-fw.bin");
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&blob, bytes).unwrap();
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    let art = with_code(&report, "RE-SUPPLIER-ARTIFACT");
    assert_eq!(art.len(), 1, "{report:#}");
    let msg = art[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("firmware/radio-fw.bin") && msg.contains("was reviewed"),
        "{msg}"
    );
    assert_eq!(art[0]["location"]["file"], "release-evidence.toml");

    std::fs::remove_file(&blob).unwrap();
    let (_, report) = fx.check_json(&[]);
    let art = with_code(&report, "RE-SUPPLIER-ARTIFACT");
    assert!(art[0]["message"].as_str().unwrap().contains("is missing"));
}

#[test]
fn path_dependency_outside_the_workspace_needs_a_supplier_review() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let outside = fx.outside("third-party/blinky");
    std::fs::create_dir_all(outside.join("src")).unwrap();
    std::fs::write(
        outside.join("Cargo.toml"),
        "[package]\nname = \"blinky\"\nversion = \"0.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(outside.join("src/lib.rs"), "pub fn blink() {}\n").unwrap();
    fx.replace(
        "app/Cargo.toml",
        "[dependencies]\n",
        "[dependencies]\nblinky = { path = \"../../third-party/blinky\" }\n",
    );
    fx.update_lockfile(&["--offline"]);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    let unreviewed = with_code(&report, "RE-SUPPLIER-UNREVIEWED");
    assert_eq!(unreviewed.len(), 1, "{report:#}");
    assert_eq!(
        unreviewed[0]["package"]["source"],
        "path+../third-party/blinky"
    );
    let fix = unreviewed[0]["fix"].as_str().unwrap();
    let digest = fix
        .split("path-sha256 = \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("fix names the digest")
        .to_owned();
    assert_eq!(digest.len(), 64);
    // The suggested review clears the finding.
    fx.append(
        "release-evidence.toml",
        &format!(
            "\n[[supplier]]\nname = \"blinky\"\npath-sha256 = \"{digest}\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-08-30\nrationale = \"reviewed in full\"\n"
        ),
    );
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn git_dependency_needs_an_allowed_source_and_a_pinned_review() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let repo = fx.outside("git/ledctl");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"ledctl\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/lib.rs"), "pub fn on() {}\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "ledctl"]);
    let url = format!("file://{}", repo.display());
    fx.replace(
        "app/Cargo.toml",
        "[dependencies]\n",
        &format!("[dependencies]\nledctl = {{ git = \"{url}\" }}\n"),
    );
    fx.update_lockfile(&[]);
    // cargo must fetch the (local) git repository: no --offline here.
    let run = |fx: &Fixture| {
        let out = fx.run(&["check", "--date", DATE, "--format", "json"]);
        let code = out.status.code().unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
        (code, v)
    };
    let (code, report) = run(&fx);
    assert_eq!(code, 1);
    let mut got = findings(&report);
    got.retain(|(_, p, _)| p == "ledctl");
    assert_eq!(
        got,
        vec![
            ("RE-SOURCE-DENIED".into(), "ledctl".into(), "".into()),
            ("RE-SUPPLIER-UNREVIEWED".into(), "ledctl".into(), "".into()),
        ]
    );
    let source = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "RE-SUPPLIER-UNREVIEWED")
        .unwrap()["package"]["source"]
        .as_str()
        .unwrap()
        .to_owned();
    let commit = source.rsplit('#').next().unwrap().to_owned();
    assert_eq!(commit.len(), 40, "{source}");
    fx.replace(
        "release-evidence.toml",
        "allow-git = []",
        &format!("allow-git = [\"{url}\"]"),
    );
    fx.append(
        "release-evidence.toml",
        &format!(
            "\n[[supplier]]\nname = \"ledctl\"\ngit-commit = \"{commit}\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-08-30\nrationale = \"reviewed at this commit\"\n"
        ),
    );
    let (code, report) = run(&fx);
    assert_eq!(code, 0, "{report:#}");
    // A reviewed commit that is no longer the locked one is a pin mismatch.
    fx.replace(
        "release-evidence.toml",
        &format!("git-commit = \"{commit}\""),
        &format!("git-commit = \"{}\"", "0".repeat(40)),
    );
    let (code, report) = run(&fx);
    assert_eq!(code, 1);
    assert_eq!(with_code(&report, "RE-SUPPLIER-PIN").len(), 1);
}

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

fn remove_approval(fx: &Fixture, name: &str) {
    let policy = fx.read("release-evidence.toml");
    let mut out = Vec::new();
    let mut blocks = policy.split("[[approved]]");
    out.push(blocks.next().unwrap().to_owned());
    let mut removed = false;
    for b in blocks {
        if b.contains(&format!("name = \"{name}\"\n")) {
            removed = true;
            // Keep whatever follows the entry that is not part of it (next table).
            if let Some(i) = b.find("\n[") {
                out.push(b[i + 1..].to_owned());
            }
            continue;
        }
        out.push(format!("[[approved]]{b}"));
    }
    assert!(removed, "no approval for {name}");
    fx.write("release-evidence.toml", &out.concat());
}

fn locked_version(fx: &Fixture, name: &str) -> String {
    let lock = fx.read("Cargo.lock");
    let key = format!("name = \"{name}\"\nversion = \"");
    let i = lock
        .find(&key)
        .unwrap_or_else(|| panic!("{name} not locked"))
        + key.len();
    lock[i..].split('"').next().unwrap().to_owned()
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
