//! The yanked check reads cargo's local index cache (offline). These tests give the binary a
//! CARGO_HOME whose cache is a copy of the real one, with one real entry flipped to yanked,
//! and metadata precomputed by real cargo (`--metadata-path`, so cargo is not run there).

use release_evidence_tests::*;
use std::path::{Path, PathBuf};

fn real_cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"))
}

/// `cargo metadata` of the fixture, written next to it.
fn metadata_file(fx: &Fixture) -> PathBuf {
    let out = std::process::Command::new("cargo")
        .args([
            "metadata",
            "--format-version",
            "1",
            "--all-features",
            "--offline",
        ])
        .current_dir(&fx.root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let path = fx.outside("meta").join("metadata.json");
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// The crates.io index cache directory in the real CARGO_HOME.
fn real_index_cache() -> PathBuf {
    let index = real_cargo_home().join("registry/index");
    std::fs::read_dir(&index)
        .unwrap()
        .flatten()
        .map(|e| e.path().join(".cache"))
        .find(|p| p.join("sm/al/smallvec").is_file())
        .expect("run `cargo fetch` in example-workspace first (the index cache has no smallvec)")
}

fn run_with_home(fx: &Fixture, meta: &Path, home: &Path) -> serde_json::Value {
    let out = fx
        .cmd()
        .env("CARGO_HOME", home)
        .args([
            "check",
            "--offline",
            "--date",
            DATE,
            "--format",
            "json",
            "--metadata-path",
        ])
        .arg(meta)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)))
}

#[test]
fn yanked_version_in_the_local_index_cache_is_a_finding() {
    let fx = Fixture::example();
    let meta = metadata_file(&fx);
    let cache = real_index_cache();
    let home = fx.outside("cargo-home");
    let dir_name = cache.parent().unwrap().file_name().unwrap();
    let fake_cache = home.join("registry/index").join(dir_name).join(".cache");
    copy_dir(&cache, &fake_cache);
    // Flip smallvec 0.6.13 to yanked in cargo's own cache format (version\0json\0 pairs).
    let entry = fake_cache.join("sm/al/smallvec");
    let bytes = std::fs::read(&entry).unwrap();
    let marker = b"0.6.13\0";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("0.6.13 in the cache entry")
        + marker.len();
    let end = at + bytes[at..].iter().position(|b| *b == 0).unwrap();
    let json = String::from_utf8(bytes[at..end].to_vec()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["yanked"], false, "{json}");
    v["yanked"] = serde_json::Value::Bool(true);
    let flipped = v.to_string();
    let mut new = bytes[..at].to_vec();
    new.extend_from_slice(flipped.as_bytes());
    new.extend_from_slice(&bytes[end..]);
    std::fs::write(&entry, new).unwrap();

    let report = run_with_home(&fx, &meta, &home);
    let yanked = with_code(&report, "RE-YANKED");
    assert_eq!(yanked.len(), 1, "{report:#}");
    assert_eq!(yanked[0]["package"]["name"], "smallvec");
    assert_eq!(yanked[0]["package"]["version"], "0.6.13");
    assert!(
        yanked[0]["fix"]
            .as_str()
            .unwrap()
            .contains("cargo update -p smallvec@0.6.13")
    );
    assert_eq!(report["yanked_check"]["ran"], true);
    assert!(report["yanked_check"]["checked"].as_u64().unwrap() >= 6);
}

#[test]
fn without_an_index_cache_the_output_says_the_check_did_not_run() {
    let fx = Fixture::example();
    let meta = metadata_file(&fx);
    let home = fx.outside("empty-cargo-home");
    let report = run_with_home(&fx, &meta, &home);
    assert_eq!(report["yanked_check"]["ran"], false);
    let skipped = with_code(&report, "RE-YANKED-UNCHECKED");
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("yanked check not run")
    );
    assert_eq!(skipped[0]["severity"], "warning");

    let human = fx
        .cmd()
        .env("CARGO_HOME", &home)
        .args(["check", "--offline", "--date", DATE, "--metadata-path"])
        .arg(&meta)
        .output()
        .unwrap();
    assert!(
        stdout(&human).contains("yanked: not checked"),
        "{}",
        stdout(&human)
    );
}
