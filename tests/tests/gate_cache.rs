//! The gate's result cache (gate/cache.rs): a warm `check` reuses the result of an earlier run
//! only while every input is unchanged. Each change below must give exactly the answer a run
//! without any cache gives (`--no-cache`), never the cached one.

use release_evidence_tests::{DATE, Fixture};

/// `check --offline --format json` plus `extra`: exit code, stdout, and whether the result came
/// from the cache (the timing line the binary prints with `RELEASE_EVIDENCE_TIMINGS`).
fn check(fx: &Fixture, extra: &[&str]) -> (i32, String, bool) {
    let mut args = vec!["check", "--offline", "--format", "json"];
    if !extra.contains(&"--date") {
        args.extend(["--date", DATE]);
    }
    let out = fx
        .cmd()
        .args(&args)
        .args(extra)
        .env("RELEASE_EVIDENCE_TIMINGS", "1")
        .output()
        .expect("run binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        stderr.contains("cached gate result read"),
    )
}

/// The answer computed from scratch (no metadata cache, no result cache).
fn truth(fx: &Fixture, extra: &[&str]) -> (i32, String) {
    let mut args = extra.to_vec();
    args.push("--no-cache");
    let (code, out, cached) = check(fx, &args);
    assert!(!cached, "--no-cache never reads the result cache");
    (code, out)
}

/// After a change: not from the cache, the same as from scratch, different from `before`
/// (when `differs`), and the next run reuses it.
fn recomputed(fx: &Fixture, extra: &[&str], before: &str, differs: bool, what: &str) -> String {
    // An input compared by size and mtime that changed in the last 100 ms keeps the result from
    // being stored (a same-size rewrite within the timestamp granularity could look unchanged).
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (code, after, cached) = check(fx, extra);
    assert!(!cached, "{what}: a stale result was served");
    assert_eq!((code, after.clone()), truth(fx, extra), "{what}");
    if differs {
        assert_ne!(after, before, "{what}: the change must change the result");
    }
    let (_, again, cached) = check(fx, extra);
    assert!(cached, "{what}: the recomputed result is reused next time");
    assert_eq!(again, after, "{what}");
    after
}

#[test]
fn warm_check_reuses_the_result_until_any_input_changes() {
    let fx = Fixture::example();
    // The fixture's files were just copied: older than the racy window first.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (code, first, cached) = check(&fx, &[]);
    assert!(!cached, "nothing cached yet");
    let (code2, second, cached) = check(&fx, &[]);
    assert!(
        cached,
        "the second run with the same inputs reads the cache"
    );
    assert_eq!((code, first.clone()), (code2, second.clone()));
    assert_eq!((code, second.clone()), truth(&fx, &[]));
    assert!(second.contains("RE-ADVISORY"), "{second}");

    // The policy.
    fx.replace(
        "release-evidence.toml",
        "name = \"crc\"\nversion = \"=3.4.0\"",
        "name = \"crc\"\nversion = \"=3.3.0\"",
    );
    let after = recomputed(&fx, &[], &second, true, "policy");
    assert!(after.contains("RE-APPROVAL-VERSION"), "{after}");

    // The advisory DB: a new advisory about a crate that ships.
    let crc = fx.path("advisory-db/crates/crc");
    std::fs::create_dir_all(&crc).unwrap();
    std::fs::write(
        crc.join("RUSTSEC-2099-0001.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"crc\"\ndate = \"2026-08-01\"\n\n[versions]\npatched = [\">= 9.0.0\"]\n```\n\n# A test advisory\n\nAbout crc.\n",
    )
    .unwrap();
    let after = recomputed(&fx, &[], &after, true, "advisory DB");
    assert!(after.contains("RUSTSEC-2099-0001"), "{after}");

    // The lockfile (and manifests): a dependency dropped from the firmware.
    fx.replace("app/Cargo.toml", "unicode-ident = \"1\"\n", "");
    fx.update_lockfile(&["--offline"]);
    let after = recomputed(&fx, &[], &after, true, "lockfile");
    assert!(!after.contains("\"unicode-ident\""), "{after}");

    // The features, the target and the date.
    let with_feature = recomputed(&fx, &["--features", "debug-dump"], &after, true, "features");
    assert!(with_feature.contains("\"hex\""), "{with_feature}");
    let windows = recomputed(
        &fx,
        &["--target", "x86_64-pc-windows-msvc"],
        &after,
        true,
        "target",
    );
    assert!(windows.contains("\"windows-link\""), "{windows}");
    let later = recomputed(&fx, &["--date", "2026-09-02"], &after, true, "date");
    assert!(later.contains("\"2026-09-02\""), "{later}");

    // A supplier's delivered file and the content of a reviewed path package.
    let after = recomputed(&fx, &[], &windows, true, "back to the host");
    std::fs::write(fx.path("firmware/radio-fw.bin"), b"patched firmware").unwrap();
    let after = recomputed(&fx, &[], &after, true, "supplier artifact");
    assert!(after.contains("RE-SUPPLIER-ARTIFACT"), "{after}");
    fx.append(
        "vendor/acme-hal/src/lib.rs",
        "\n// changed after the review\n",
    );
    let after = recomputed(&fx, &[], &after, true, "supplier path package");
    assert!(after.contains("RE-SUPPLIER-PIN"), "{after}");
}

#[test]
fn no_result_is_reused_when_it_depends_on_more_than_the_key() {
    let fx = Fixture::example();
    // Online, the DB may be fetched: nothing is cached.
    for _ in 0..2 {
        let out = fx
            .cmd()
            .args(["check", "--format", "json", "--date", DATE])
            .env("RELEASE_EVIDENCE_TIMINGS", "1")
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&out.stderr).contains("cached gate result read"));
    }
    // With [baseline] the result depends on git state: nothing is cached.
    fx.append("release-evidence.toml", "\n[baseline]\n");
    let (_, first, cached) = check(&fx, &[]);
    assert!(!cached);
    let (_, second, cached) = check(&fx, &[]);
    assert!(!cached, "a result that depends on git is never reused");
    assert_eq!(first, second);
}

#[test]
fn a_metadata_file_is_compared_by_its_state_and_any_rewrite_recomputes() {
    let fx = Fixture::example();
    let metadata = fx.outside("metadata").join("metadata.json");
    let out = std::process::Command::new("cargo")
        .args([
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--all-features",
        ])
        .current_dir(fx.path(""))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8(out.stdout).unwrap();
    std::fs::write(&metadata, &json).unwrap();
    let path = metadata.to_str().unwrap();
    let args = ["--metadata-path", path];
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (_, first, cached) = check(&fx, &args);
    assert!(!cached);
    let (_, second, cached) = check(&fx, &args);
    assert!(cached, "the unchanged metadata file's result is reused");
    assert_eq!(first, second);

    // A rewrite of the same size with the old mtime put back (`touch -r`): the inode's change
    // time still moves, so the result is computed again, and differs.
    let from = "\"license\":\"MIT OR Apache-2.0\"";
    let to = "\"license\":\"AGPL-3.0-or-later\"";
    assert_eq!(from.len(), to.len());
    assert!(
        json.contains(from),
        "the fixture has an MIT OR Apache-2.0 crate"
    );
    let mtime = std::fs::metadata(&metadata).unwrap().modified().unwrap();
    std::fs::write(&metadata, json.replacen(from, to, 1)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&metadata)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&metadata).unwrap().modified().unwrap(),
        mtime
    );
    let after = recomputed(
        &fx,
        &args,
        &second,
        true,
        "metadata file rewritten in place",
    );
    assert!(after.contains("AGPL-3.0-or-later"), "{after}");
}

// The cargo-vet store `[approvals.import]` names is an input of the gate like the policy: an
// audit added to `audits.toml` must change the answer, never be hidden by a kept result.
#[test]
fn a_change_to_the_imported_cargo_vet_store_recomputes() {
    let fx = Fixture::copy_of(
        &release_evidence_tests::repo_root().join("tests/fixtures/workspaces/crates-io-licenses"),
    );
    let out = fx.run(&["init", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0));
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 7",
        "max-age-days = 3650",
    );
    release_evidence_tests::copy_dir(
        &release_evidence_tests::repo_root().join("tests/fixtures/cargo-vet/supply-chain"),
        &fx.path("supply-chain"),
    );
    fx.append(
        "release-evidence.toml",
        "\n[approvals.import]\ncargo-vet = \"supply-chain\"\n",
    );
    let db = release_evidence_tests::fixture_db();
    let extra = ["--advisory-db", db.to_str().unwrap()];
    std::thread::sleep(std::time::Duration::from_millis(200));
    check(&fx, &extra);
    let (_, before, cached) = check(&fx, &extra);
    assert!(cached, "the second run reuses the result");
    // memchr's audit certified safe-to-run only: certify it for safe-to-deploy too.
    fx.replace(
        "supply-chain/audits.toml",
        "criteria = \"safe-to-run\"",
        "criteria = \"safe-to-deploy\"",
    );
    let after = recomputed(&fx, &extra, &before, true, "audits.toml changed");
    assert!(!after.contains("review memchr 2.8.3"), "{after}");

    // `review` keeps its list the same way, and recomputes it on the same changes.
    let review = |fx: &Fixture| {
        let out = fx
            .cmd()
            .args(["review", "--offline", "--date", DATE, "--advisory-db"])
            .arg(&db)
            .env("RELEASE_EVIDENCE_TIMINGS", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8_lossy(&out.stderr).contains("timing:"),
        )
    };
    let (first, _) = review(&fx);
    let (second, computed) = review(&fx);
    assert_eq!(first, second);
    assert!(!computed, "the second review reuses the list");
    std::thread::sleep(std::time::Duration::from_millis(200));
    fx.replace(
        "supply-chain/audits.toml",
        "criteria = \"safe-to-deploy\"",
        "criteria = \"safe-to-run\"",
    );
    let (third, computed) = review(&fx);
    assert!(computed, "a changed store recomputes the review");
    assert_ne!(third, second);
    assert!(third.contains("memchr"), "{third}");
}
