//! The gate fails closed and `verify-build` treats evidence as untrusted (issue 10). Every
//! case runs the real binary on real inputs: copies of the example workspace and the fixture
//! advisory DB, real cargo builds. Hostile input to `inspect` (bounded resources) is in
//! `trust_failclosed_inputs.rs`.

use release_evidence_tests::failclosed::*;
use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accept_smallvec(fx: &Fixture) {
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"not reachable\"\napproved-by = \"sec@example.com\"\nexpires = 2099-12-31\n",
    );
}

// ---------------------------------------------------------------- the gate fails closed

#[test]
fn unreadable_advisory_files_of_a_shipped_crate_hold() {
    let fx = Fixture::example();
    accept_smallvec(&fx);
    let db = db_copy(&fx);
    // The only vulnerability is accepted: with the whole DB the gate passes.
    let out = check(&fx, &db, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // A directory where an advisory file of smallvec should be: unreadable, blocks.
    std::fs::create_dir(db.join("crates/smallvec/RUSTSEC-2099-0002.md")).unwrap();
    let out = check(&fx, &db, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = json(&out);
    let skipped = with_code(&report, "RE-DB-MALFORMED");
    assert_eq!(skipped.len(), 1, "{report:#}");
    assert_eq!(skipped[0]["severity"], "error");
    let msg = skipped[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("crates/smallvec/RUSTSEC-2099-0002.md") && msg.contains("which ships"),
        "{msg}"
    );
    std::fs::remove_dir(db.join("crates/smallvec/RUSTSEC-2099-0002.md")).unwrap();

    // smallvec's whole directory replaced by a dangling link: its advisories are unknown.
    let real = fx.outside("smallvec-advisories");
    std::fs::rename(db.join("crates/smallvec"), &real).unwrap();
    std::os::unix::fs::symlink("../no-such-dir", db.join("crates/smallvec")).unwrap();
    let out = check(&fx, &db, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = json(&out);
    let skipped = with_code(&report, "RE-DB-MALFORMED");
    assert_eq!(skipped.len(), 1, "{report:#}");
    assert_eq!(skipped[0]["severity"], "error");
    let msg = skipped[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("crates/smallvec about `smallvec`, which ships")
            && msg.contains("cannot read it"),
        "{msg}"
    );

    // A link to a real directory is followed: the advisories count again.
    std::fs::remove_file(db.join("crates/smallvec")).unwrap();
    std::os::unix::fs::symlink(&real, db.join("crates/smallvec")).unwrap();
    let out = check(&fx, &db, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(with_code(&json(&out), "RE-ADVISORY-ACCEPTED").len(), 1);
}

#[test]
fn empty_database_is_an_environment_error() {
    let fx = Fixture::example();
    let db = db_copy(&fx);
    std::fs::remove_dir_all(db.join("crates")).unwrap();
    std::fs::create_dir(db.join("crates")).unwrap();
    let out = check(&fx, &db, &[]);
    error_naming(&out, &["has no advisories", db.to_str().unwrap()]);
    assert!(out.stdout.is_empty());
}

#[test]
fn database_far_smaller_than_on_the_last_run_is_an_environment_error() {
    let fx = Fixture::example();
    let db = db_copy(&fx);
    let out = check(&fx, &db, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["advisory_db"]["advisories"], 11);
    let state = fx.path("target/release-evidence/advisory-db-counts.json");
    assert!(state.is_file());

    // 9 of 11 advisories gone (a half-deleted checkout): refused, naming both counts.
    let aside = fx.outside("aside");
    for c in ["smallvec", "chrono", "ansi_term", "time"] {
        std::fs::rename(db.join("crates").join(c), aside.join(c)).unwrap();
    }
    let out = check(&fx, &db, &[]);
    let canonical = db.canonicalize().unwrap();
    error_naming(
        &out,
        &[
            "has 2 advisories, far fewer than the 11",
            canonical.to_str().unwrap(),
            "advisory-db-counts.json",
        ],
    );
    // Restored: accepted again (and the smallvec advisory holds, as it should).
    for c in ["smallvec", "chrono", "ansi_term", "time"] {
        std::fs::rename(aside.join(c), db.join("crates").join(c)).unwrap();
    }
    assert_eq!(check(&fx, &db, &[]).status.code(), Some(1));
    // A drop to no less than half is not an error.
    std::fs::rename(db.join("crates/time"), aside.join("time")).unwrap();
    std::fs::rename(db.join("crates/chrono"), aside.join("chrono")).unwrap();
    let out = check(&fx, &db, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["advisory_db"]["advisories"], 8);
}

#[test]
fn date_before_the_database_is_an_error() {
    let fx = Fixture::example();
    let out = check(&fx, &fixture_db(), &["--date", "2026-08-01"]);
    error_naming(&out, &["`--date`", "2026-08-01", "2026-08-21"]);
    // The database's own day is fine.
    let out = check(&fx, &fixture_db(), &["--date", "2026-08-21"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn metadata_of_another_workspace_is_an_error() {
    let fx = Fixture::example();
    let other = Fixture::example();
    let metadata = |f: &Fixture| {
        let out = Command::new("cargo")
            .args([
                "metadata",
                "--format-version",
                "1",
                "--all-features",
                "--offline",
            ])
            .current_dir(&f.root)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let file = fx.outside("meta").join(format!(
            "{}.json",
            f.root
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
        ));
        std::fs::write(&file, &out.stdout).unwrap();
        file
    };
    let foreign = metadata(&other);
    let out = check(
        &fx,
        &fixture_db(),
        &["--metadata-path", foreign.to_str().unwrap()],
    );
    error_naming(
        &out,
        &[
            "`--metadata-path`",
            other.root.canonicalize().unwrap().to_str().unwrap(),
            "not this one",
        ],
    );
    // The workspace's own metadata is used as before.
    let own = metadata(&fx);
    let out = check(
        &fx,
        &fixture_db(),
        &["--metadata-path", own.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

// Unknown features and packages are errors in every command that selects packages.

fn refuses_unknown_features_and_packages(fx: &Fixture, command: &[&str], after: &[&str]) {
    for (flag, value, named) in [
        ("--features", "sensor-core/nosuch", "`--features`"),
        ("-p", "nosuch", "`--package`"),
    ] {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--offline", "--date", DATE, flag, value]);
        args.extend_from_slice(after);
        let out = fx.run(&args);
        error_naming(&out, &[named, "nosuch"]);
    }
}

#[test]
fn check_refuses_unknown_features_and_packages() {
    let fx = Fixture::example();
    refuses_unknown_features_and_packages(&fx, &["check"], &[]);
}

#[test]
fn main_job_refuses_unknown_features_and_packages() {
    let fx = Fixture::example();
    refuses_unknown_features_and_packages(&fx, &[], &[]);
    assert!(!fx.path("target/release/release-evidence").exists());
    assert!(!fx.path("target/release/thermo-fw").exists());
}

#[test]
fn build_refuses_unknown_features_and_packages() {
    let fx = Fixture::example();
    refuses_unknown_features_and_packages(&fx, &["build"], &[]);
    assert!(!fx.path("target/release/thermo-fw").exists());
}

#[test]
fn sbom_refuses_unknown_features_and_packages() {
    let fx = Fixture::example();
    let out = fx.outside("sbom");
    refuses_unknown_features_and_packages(&fx, &["sbom", "-o", out.to_str().unwrap()], &[]);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

#[test]
fn init_refuses_unknown_features_and_packages() {
    let fx = Fixture::example();
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    refuses_unknown_features_and_packages(&fx, &["init"], &[]);
    assert!(!fx.path("release-evidence.toml").exists());
}

#[test]
fn publish_refuses_unknown_features_and_packages() {
    let fx = Fixture::example();
    refuses_unknown_features_and_packages(&fx, &["publish"], &["--", "--dry-run"]);
}

// ------------------------------------------------------------- verify-build: untrusted input

/// A one-crate workspace (no dependencies) with evidence from the main job; returns it with the
/// evidence directory.
fn tiny_release() -> (Fixture, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("tiny");
    std::fs::create_dir_all(src.join("src")).unwrap();
    std::fs::write(
        src.join("Cargo.toml"),
        "[package]\nname = \"tiny-fw\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\npublish = false\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(src.join("src/main.rs"), "fn main() { println!(\"fw\"); }\n").unwrap();
    std::fs::write(
        src.join("release-evidence.toml"),
        format!(
            "[licenses]\nallow = [\"MIT\"]\n\n[advisories]\ndb-path = \"{}\"\nmax-age-days = 36500\n",
            fixture_db().display()
        ),
    )
    .unwrap();
    let out = Command::new("cargo")
        .args(["generate-lockfile", "--offline"])
        .current_dir(&src)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fx = Fixture::copy_of(&src);
    let out = fx.run(&["--offline", "--date", DATE, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let evidence = fx.path("target/release/release-evidence/tiny-fw-1.0.0");
    (fx, evidence)
}

fn edit_manifest(evidence: &Path, edit: impl FnOnce(&mut Value)) -> String {
    let path = evidence.join("release-evidence.json");
    let original = std::fs::read_to_string(&path).unwrap();
    let mut m: Value = serde_json::from_str(&original).unwrap();
    edit(&mut m);
    std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    original
}

fn verify_build(fx: &Fixture, evidence: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["verify-build", evidence.to_str().unwrap(), "--offline"];
    args.extend_from_slice(extra);
    fx.run(&args)
}

/// A shell script that records that it ran (touches `marker`), then runs `then "$@"`.
fn spy(dir: &Path, name: &str, marker: &Path, then: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\ntouch '{}'\nexec {then} \"$@\"\n",
            marker.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn verify_build_refuses_code_running_flags_and_env_unless_trusted() {
    let (fx, evidence) = tiny_release();
    let tools = fx.outside("tools");
    let ran_linker = tools.join("linker-ran");
    let linker = spy(&tools, "linker", &ran_linker, "cc");
    let ran_wrapper = tools.join("wrapper-ran");
    let wrapper = spy(&tools, "wrapper", &ran_wrapper, "");

    // A recorded linker flag: refused, listed, nothing runs.
    let original = edit_manifest(&evidence, |m| {
        m["build"]["rustflags"]["user"] =
            serde_json::json!(["-C", format!("linker={}", linker.display()), "--cfg", "x"]);
    });
    let out = verify_build(&fx, &evidence, &[]);
    error_naming(
        &out,
        &[
            &format!("rustflags `-Clinker={}`", linker.display()),
            "--trust-build-flags",
        ],
    );
    assert!(!stderr(&out).contains("--cfg"), "{}", stderr(&out));
    assert!(!ran_linker.exists(), "the recorded linker ran");
    // Trusted: applied (the linker runs) and said so; the binary is the same.
    let out = verify_build(&fx, &evidence, &["--trust-build-flags"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(ran_linker.exists());
    assert!(
        stdout(&out).contains("applied because of --trust-build-flags"),
        "{}",
        stdout(&out)
    );
    std::fs::write(evidence.join("release-evidence.json"), &original).unwrap();

    // A recorded RUSTC_WRAPPER: refused unless trusted, then used.
    edit_manifest(&evidence, |m| {
        m["build"]["env"]["RUSTC_WRAPPER"] = Value::String(wrapper.display().to_string());
    });
    let out = verify_build(&fx, &evidence, &[]);
    error_naming(&out, &["env RUSTC_WRAPPER", "--trust-build-flags"]);
    assert!(!ran_wrapper.exists(), "the recorded wrapper ran");
    let out = verify_build(&fx, &evidence, &["--trust-build-flags", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(ran_wrapper.exists());
    assert_eq!(
        json(&out)["trusted_inputs"][0]["source"],
        "env RUSTC_WRAPPER"
    );
}

#[test]
fn verify_build_refuses_manifest_fields_that_leave_their_directory() {
    let (fx, evidence) = tiny_release();
    let escape = fx.outside("escape");
    // (JSON pointer into the manifest, hostile value, the field the error names)
    let cases = [
        (
            "/product/version",
            Value::from("../../../../tmp/x"),
            "`product.version`",
        ),
        ("/build/package", "../tiny-fw".into(), "`build.package`"),
        (
            "/build/artifacts/0/name",
            "../../../.bashrc".into(),
            "`build.artifacts[].name`",
        ),
        (
            "/build/source/commit",
            "--output=/tmp/x".into(),
            "`build.source.commit`",
        ),
        (
            "/build/features",
            serde_json::json!(["--config=x"]),
            "`build.features`",
        ),
        (
            "/artifacts/0/path",
            "/etc/passwd".into(),
            "`artifacts[].path`",
        ),
        (
            "/build/external_path_dependencies",
            serde_json::json!(["../../../../../../../../../../tmp/owned"]),
            "`build.external_path_dependencies[]`",
        ),
    ];
    for (pointer, value, field) in cases {
        let original = edit_manifest(&evidence, |m| {
            *m.pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{pointer}")) = value
        });
        let out = verify_build(&fx, &evidence, &["--trust-build-flags"]);
        error_naming(&out, &[field, "refusing"]);
        std::fs::write(evidence.join("release-evidence.json"), &original).unwrap();
    }
    assert_eq!(std::fs::read_dir(&escape).unwrap().count(), 0);

    // Hostile values are clipped in the message.
    edit_manifest(&evidence, |m| {
        m["product"]["version"] = Value::String(format!("1.0.0/{}", "x".repeat(100_000)))
    });
    let out = verify_build(&fx, &evidence, &[]);
    let err = error_naming(&out, &["`product.version`"]);
    assert!(err.len() < 1000, "{} bytes", err.len());
}
