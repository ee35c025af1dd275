//! Helpers shared by the fail-closed tests (`trust_failclosed.rs`,
//! `trust_failclosed_inputs.rs`): the fixture advisory DB copied out, `check` on it, its JSON,
//! and the exit-2 errors they expect.

use crate::{DATE, Fixture, copy_dir, fixture_db, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A copy of the fixture advisory DB next to the workspace (outside it).
pub fn db_copy(fx: &Fixture) -> PathBuf {
    let db = fx.outside("db");
    copy_dir(&fixture_db(), &db);
    db
}

pub fn check(fx: &Fixture, db: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        "--offline",
        "--format",
        "json",
        "--advisory-db",
        db.to_str().unwrap(),
    ];
    if !extra.contains(&"--date") {
        args.extend(["--date", DATE]);
    }
    args.extend_from_slice(extra);
    fx.run(&args)
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {:?}\n{}\n{}",
            out.status.code(),
            stdout(out),
            stderr(out)
        )
    })
}

/// Asserts exit 2 and that stderr names every `needle`; returns stderr.
pub fn error_naming(out: &Output, needles: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{}\n{err}", stdout(out));
    for n in needles {
        assert!(err.contains(n), "`{n}` not in:\n{err}");
    }
    assert!(!err.contains("internal error"), "{err}");
    err
}
