//! Helpers shared by the evidence store tests (`trust_store.rs`, `trust_store_locks.rs`): the
//! main job, the example's evidence directory, and what a directory holds.

use crate::{DATE, Fixture};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

pub const NAME: &str = "thermo-fw-0.9.0";

pub fn main_args(extra: &[&str]) -> Vec<String> {
    ["--offline", "--date", DATE, "--format", "json"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

pub fn main_job(fx: &Fixture, extra: &[&str]) -> Output {
    fx.cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(main_args(extra))
        .output()
        .unwrap()
}

/// A fake release artifact where a previous build leaves it (for `--no-build`).
pub fn fake_artifact(fx: &Fixture) {
    fx.write("target/release/thermo-fw", "firmware image v1\n");
}

pub fn evidence(fx: &Fixture) -> PathBuf {
    fx.path("target/release/release-evidence").join(NAME)
}

/// Every file under `dir` (recursively, `target/` skipped) with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(base).unwrap().display().to_string();
            let ty = e.file_type().unwrap();
            if rel == "target" {
                continue;
            } else if ty.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &e.path(), out);
            } else if ty.is_symlink() {
                let link = std::fs::read_link(e.path()).unwrap();
                out.insert(rel, link.display().to_string().into_bytes());
            } else {
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `.NAME.staging-*` and `.NAME.old-*` next to the evidence directory.
pub fn leftovers(dir: &Path) -> Vec<String> {
    names(dir.parent().unwrap())
        .into_iter()
        .filter(|n| n.contains(".staging-") || n.contains(".old-"))
        .collect()
}

pub fn sha256sum_ok(dir: &Path) -> bool {
    let out = Command::new("sha256sum")
        .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap();
    out.status.success()
}
