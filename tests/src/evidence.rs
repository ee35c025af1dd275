//! Helpers shared by the main job tests (`evidence.rs`, `evidence_runs.rs`): the main job with
//! JSON output and the example's evidence directory.

use crate::{DATE, Fixture};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

pub const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

/// Runs the main job with JSON output; returns (exit code, summary JSON, output).
pub fn main_job(fx: &Fixture, extra: &[&str]) -> (i32, Value, Output) {
    let mut args = vec!["--offline", "--date", DATE, "--format", "json"];
    args.extend_from_slice(extra);
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(&args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (code, v, out)
}

pub fn evidence_dir(fx: &Fixture) -> PathBuf {
    fx.path("target/release/release-evidence/thermo-fw-0.9.0")
}

pub fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
