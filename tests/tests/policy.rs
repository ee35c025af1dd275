//! Policy file errors (file, line, column, exit 2), license expressions, the policy in
//! Cargo.toml, `init` and `publish`.

use release_evidence_tests::*;

/// Runs check and returns (exit code, stderr).
fn check_err(fx: &Fixture) -> (i32, String) {
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    (out.status.code().unwrap(), stderr(&out))
}

/// 1-based line and column of `needle` in the policy file.
fn position(fx: &Fixture, needle: &str) -> (usize, usize) {
    let text = fx.read("release-evidence.toml");
    let i = text.find(needle).unwrap();
    let line = text[..i].matches('\n').count() + 1;
    let col = i - text[..i].rfind('\n').map(|n| n + 1).unwrap_or(0) + 1;
    (line, col)
}

#[test]
fn unknown_key_names_file_line_and_column() {
    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 3650",
        "max-age-days = 3650\nmax-age = 3",
    );
    let (line, col) = position(&fx, "max-age = 3");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: unknown field `max-age`"
        )),
        "{err}"
    );
    assert!(err.contains("expected one of"), "{err}");
}

#[test]
fn wrong_type_names_the_value() {
    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 3650",
        "max-age-days = \"ten\"",
    );
    let (line, col) = position(&fx, "\"ten\"");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: invalid type: string \"ten\", expected u32"
        )),
        "{err}"
    );
}

#[test]
fn bad_date_is_located() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"r\"\napproved-by = \"a\"\nexpires = \"2027-02-30\"\n",
    );
    let (line, col) = position(&fx, "\"2027-02-30\"");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: `2027-02-30` is not a valid date"
        )),
        "{err}"
    );
}

#[test]
fn bad_version_requirement_and_license_id_are_located() {
    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "version = \"=0.6.13\"",
        "version = \"=0.6.x.1\"",
    );
    let (line, col) = position(&fx, "\"=0.6.x.1\"");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: expected a semver requirement"
        )),
        "{err}"
    );

    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "allow = [\"MIT\"",
        "allow = [\"MIT-ish\", \"MIT\"",
    );
    let (line, col) = position(&fx, "\"MIT-ish\"");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: expected an SPDX license id"
        )),
        "{err}"
    );
}

#[test]
fn toml_syntax_error_is_located() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", "\n[licenses\n");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    let lines = fx.read("release-evidence.toml").lines().count();
    assert!(
        err.contains(&format!("release-evidence.toml:{lines}:")),
        "{err}"
    );
}

#[test]
fn approval_without_reviewer_is_an_error_at_the_entry() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[[approved]]\nname = \"serde\"\nversion = \"1\"\nrationale = \"r\"\ndate = 2026-01-01\n",
    );
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(err.contains("is missing `reviewed-by`"), "{err}");
}

/// Replaces acme-hal's license, keeps its supplier review in step, and returns the report.
fn with_vendored_license(license: Option<&str>, allow_extra: &[&str]) -> serde_json::Value {
    let fx = Fixture::example();
    let manifest = fx.read("vendor/acme-hal/Cargo.toml");
    let mut new = manifest
        .lines()
        .filter(|l| !l.starts_with("license"))
        .collect::<Vec<_>>()
        .join("\n");
    new.push('\n');
    if let Some(l) = license {
        new = new.replacen("[package]\n", &format!("[package]\nlicense = \"{l}\"\n"), 1);
    }
    fx.write("vendor/acme-hal/Cargo.toml", &new);
    for extra in allow_extra {
        fx.replace(
            "release-evidence.toml",
            "allow = [\"MIT\"",
            &format!("allow = [\"{extra}\", \"MIT\""),
        );
    }
    let (_, report) = fx.check_json(&[]);
    report
}

fn license_codes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("RE-LICENSE"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn license_or_passes_when_either_side_is_allowed() {
    let r = with_vendored_license(Some("GPL-3.0-only OR MIT"), &[]);
    assert_eq!(license_codes(&r), vec![]);
}

#[test]
fn license_and_needs_both_sides() {
    let r = with_vendored_license(Some("MIT AND GPL-3.0-only"), &[]);
    let codes = license_codes(&r);
    let denied: Vec<_> = codes
        .iter()
        .filter(|c| c.0 == "RE-LICENSE-DENIED")
        .collect();
    assert_eq!(denied.len(), 1, "{codes:?}");
    assert!(
        denied[0].1.ends_with("not allowed: GPL-3.0-only"),
        "{}",
        denied[0].1
    );
    let r = with_vendored_license(Some("MIT AND GPL-3.0-only"), &["GPL-3.0-only"]);
    assert!(license_codes(&r).iter().all(|c| c.0 != "RE-LICENSE-DENIED"));
}

#[test]
fn license_with_exception_must_be_allowed_with_it() {
    let r = with_vendored_license(Some("Apache-2.0 WITH LLVM-exception"), &[]);
    let codes = license_codes(&r);
    assert!(
        codes.iter().any(|c| c.0 == "RE-LICENSE-DENIED"
            && c.1.ends_with("not allowed: Apache-2.0 WITH LLVM-exception")),
        "plain Apache-2.0 does not cover the WITH form: {codes:?}"
    );
    let r = with_vendored_license(
        Some("Apache-2.0 WITH LLVM-exception"),
        &["Apache-2.0 WITH LLVM-exception"],
    );
    assert!(license_codes(&r).iter().all(|c| c.0 != "RE-LICENSE-DENIED"));
}

#[test]
fn missing_license_is_a_finding() {
    let r = with_vendored_license(None, &[]);
    let codes = license_codes(&r);
    assert!(
        codes
            .iter()
            .any(|c| c.0 == "RE-LICENSE-MISSING" && c.1.contains("acme-hal 1.4.2")),
        "{codes:?}"
    );
    assert_eq!(r["decision"], "HOLD");
}

#[test]
fn invalid_license_expression_is_a_finding() {
    let r = with_vendored_license(Some("MIT OR OR Apache"), &[]);
    assert!(
        license_codes(&r)
            .iter()
            .any(|c| c.0 == "RE-LICENSE-INVALID")
    );
}

#[test]
fn policy_in_cargo_toml_is_accepted_and_located() {
    let fx = Fixture::example();
    let policy = fx.read("release-evidence.toml");
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    // Re-root every table under [workspace.metadata.release-evidence].
    let mut moved = String::from("\n[workspace.metadata.release-evidence]\n");
    for line in policy.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("[[") {
            moved.push_str(&format!("[[workspace.metadata.release-evidence.{rest}\n"));
        } else if let Some(rest) = t.strip_prefix('[') {
            moved.push_str(&format!("[workspace.metadata.release-evidence.{rest}\n"));
        } else {
            moved.push_str(line);
            moved.push('\n');
        }
    }
    fx.append("Cargo.toml", &moved);
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["policy"]["path"], "Cargo.toml");
    assert_eq!(
        findings(&report),
        vec![(
            "RE-ADVISORY-VULNERABILITY".to_owned(),
            "smallvec".to_owned(),
            "RUSTSEC-2021-0003".to_owned()
        )]
    );
    fx.replace("Cargo.toml", "max-age-days = 3650", "max-age-dayz = 3650");
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Cargo.toml:"), "{}", stderr(&out));
}

#[test]
fn no_policy_is_an_error_pointing_at_init() {
    let fx = Fixture::example();
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2);
    assert!(err.contains("cargo release-evidence init"), "{err}");
}

#[test]
fn init_writes_a_pending_policy_and_refuses_to_overwrite() {
    let fx = Fixture::example();
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    let out = fx.run(&["init", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = fx.read("release-evidence.toml");
    // No -p and no policy yet: cargo's default members (all of them here).
    assert!(
        written.contains("members = [\"sensor-core\", \"thermo-fw\"]"),
        "{written}"
    );
    assert!(written.contains("# [[advisories.exception]]"));
    assert!(written.contains("allow-registries = [\"crates.io\"]"));
    // The gate holds until people review: every shipped crate is pending.
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 1);
    let mut pending: Vec<String> = with_code(&report, "RE-APPROVAL-PENDING")
        .iter()
        .map(|f| f["package"]["name"].as_str().unwrap().to_owned())
        .collect();
    pending.sort();
    for name in [
        "autocfg",
        "crc",
        "crc-catalog",
        "maybe-uninit",
        "smallvec",
        "unicode-ident",
        "serde_json",
        "sha2",
    ] {
        assert!(
            pending.contains(&name.to_owned()),
            "{name} pending: {pending:?}"
        );
    }
    assert_eq!(pending.len(), 27, "{pending:?}");
    // The vendored crate and the build-script crate beside the workspace are supplier inputs
    // until the policy says otherwise: init proposes their pins, commented out.
    assert_eq!(with_code(&report, "RE-SUPPLIER-UNREVIEWED").len(), 2);
    assert!(written.contains("# name = \"acme-hal\"\n# path-sha256 = \""));

    let again = fx.run(&["init", "--offline"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
    assert_eq!(fx.read("release-evidence.toml"), written);
}

#[test]
fn publish_runs_cargo_publish_only_on_pass() {
    let fx = Fixture::example();
    let out = fx.run(&[
        "publish",
        "--offline",
        "--date",
        DATE,
        "-p",
        "thermo-fw",
        "--",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not publishing thermo-fw"));
    assert!(
        !stderr(&out).contains("Packaging"),
        "cargo publish must not run"
    );

    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"r\"\napproved-by = \"sec@example.com\"\nexpires = 2027-01-01\n",
    );
    let out = fx.run(&[
        "publish",
        "--offline",
        "--date",
        DATE,
        "-p",
        "thermo-fw",
        "--",
        "--dry-run",
    ]);
    // The gate passed, so cargo publish ran; it refuses because the package sets
    // `publish = false`, which proves the call went through to cargo.
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("publish"), "{err}");
    assert!(!err.contains("not publishing"), "{err}");
}

#[test]
fn every_code_is_unique_and_documented_in_the_readme() {
    let out = std::process::Command::new(bin())
        .args(["codes", "--format", "json"])
        .output()
        .unwrap();
    let codes: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let mut seen = std::collections::HashSet::new();
    for c in &codes {
        let code = c["code"].as_str().unwrap();
        assert!(seen.insert(code), "duplicate {code}");
        assert!(
            readme.contains(&format!("| `{code}` |")),
            "{code} is not documented in README.md"
        );
    }
    assert!(codes.len() >= 20);
}

/// The source line and the underline cargo-style diagnostics print under a `file:line:col:`
/// message: `LINE | SOURCE` and `     | ^^^^` under the `len` bytes from `col`.
fn snippet(line: usize, source: &str, col: usize, len: usize) -> String {
    let gutter = " ".repeat(line.to_string().len());
    format!(
        "{line} | {source}\n{gutter} | {}{}",
        " ".repeat(col - 1),
        "^".repeat(len)
    )
}

#[test]
fn date_given_as_a_table_is_rejected_at_the_value() {
    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "date = 2026-10-01",
        "date = { x = \"2026-10-01\" }",
    );
    let (line, col) = position(&fx, "{ x = ");
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: expected a date like 2026-10-01, found a table"
        )),
        "{err}"
    );
    assert!(
        err.contains(&snippet(line, "date = { x = \"2026-10-01\" }", col, 20)),
        "{err}"
    );
}

#[test]
fn every_policy_problem_is_reported_in_one_run() {
    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "date = 2026-10-01",
        "date = { x = \"2026-10-01\" }",
    );
    fx.replace(
        "release-evidence.toml",
        "version = \"=3.4.0\"",
        "version = \"=3.x.y\"",
    );
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 3650",
        "max-age-days = \"ten\"",
    );
    let problems = [
        (
            "{ x = ",
            "date = { x = \"2026-10-01\" }",
            20,
            "expected a date like 2026-10-01, found a table",
        ),
        (
            "\"=3.x.y\"",
            "version = \"=3.x.y\"",
            8,
            "expected a semver requirement like \"=1.2.3\" or \"*\", found `=3.x.y`",
        ),
        (
            "\"ten\"",
            "max-age-days = \"ten\"",
            5,
            "invalid type: string \"ten\", expected u32",
        ),
    ];
    let (code, err) = check_err(&fx);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("error: ").count(), 3, "{err}");
    for (needle, source, len, message) in problems {
        let (line, col) = position(&fx, needle);
        assert!(
            err.contains(&format!("release-evidence.toml:{line}:{col}: {message}")),
            "{message}:\n{err}"
        );
        assert!(
            err.contains(&snippet(line, source, col, len)),
            "{source}:\n{err}"
        );
    }
}
