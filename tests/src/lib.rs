//! Test support: copies a real fixture workspace into a temp dir and runs the real
//! `cargo-release-evidence` binary on it.

#![forbid(unsafe_code)]

pub mod approvals;
pub mod baseline;
pub mod browser;
pub mod evidence;
pub mod failclosed;
pub mod gate;
pub mod ledgers;
pub mod review;
pub mod signing;
pub mod store;
pub mod validators;
pub mod verification;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The evaluation date the tests pin, so expiry and staleness do not depend on the clock.
/// The fixture advisory DBs are dated 2026-08-21.
pub const DATE: &str = "2026-09-01";

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The binary under test (built by `cargo test`/`cargo nextest` for the workspace).
pub fn bin() -> PathBuf {
    if let Some(p) = std::env::var_os("RELEASE_EVIDENCE_BIN") {
        return PathBuf::from(p);
    }
    #[allow(deprecated)]
    assert_cmd::cargo::cargo_bin("cargo-release-evidence")
}

/// The fixture advisory DB kept in the repository.
pub fn fixture_db() -> PathBuf {
    repo_root().join("tests/fixtures/advisory-db")
}

/// A copy of a fixture workspace in a temporary directory.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Fixture {
    /// A fresh copy of `example-workspace/` (without `target/`), with the build-script crate
    /// it uses (`../release-evidence-build`) beside it, as in the repository — without the
    /// policy's `[verification]` section, so a main job on it needs no `test` run first. Tests
    /// about verification evidence use [`Fixture::example_with_verification`].
    pub fn example() -> Fixture {
        Self::example_at("")
    }

    /// The example exactly as in the repository, `[verification]` included.
    pub fn example_with_verification() -> Fixture {
        Self::copy_example("")
    }

    /// Like [`Fixture::example`], at `<temp>/<sub>/ws` (for checkouts at other paths).
    pub fn example_at(sub: &str) -> Fixture {
        let fx = Self::copy_example(sub);
        fx.without_verification();
        fx
    }

    fn copy_example(sub: &str) -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("re-fixture-")
            .tempdir()
            .expect("temp dir");
        let base = dir.path().join(sub);
        let root = base.join("ws");
        copy_dir(&repo_root().join("example-workspace"), &root);
        copy_dir(
            &repo_root().join("release-evidence-build"),
            &base.join("release-evidence-build"),
        );
        Fixture { _dir: dir, root }
    }

    pub fn copy_of(src: &Path) -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("re-fixture-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path().join("ws");
        copy_dir(src, &root);
        Fixture { _dir: dir, root }
    }

    /// A directory next to the workspace (outside it) for extra inputs.
    pub fn outside(&self, name: &str) -> PathBuf {
        let p = self.root.parent().unwrap().join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// Drops the example policy's `[verification]` section (its end), for tests about other
    /// parts of the release that should not need a `cargo release-evidence test` run.
    pub fn without_verification(&self) {
        let policy = self.read("release-evidence.toml");
        if let Some(cut) = policy.find("\n# Verification evidence:") {
            self.write("release-evidence.toml", &policy[..=cut]);
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn append(&self, rel: &str, text: &str) {
        let mut s = self.read(rel);
        s.push_str(text);
        self.write(rel, &s);
    }

    /// Replaces `from` (which must occur) with `to` in a file.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let s = self.read(rel);
        assert!(s.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &s.replacen(from, to, 1));
    }

    /// `cargo update --workspace ARGS` after a test changed a manifest, as a developer does:
    /// the tool runs cargo with `--locked` and refuses a stale Cargo.lock.
    pub fn update_lockfile(&self, args: &[&str]) {
        let out = std::process::Command::new("cargo")
            .args(["update", "--workspace", "--quiet"])
            .args(args)
            .current_dir(&self.root)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "cargo update failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A command for the binary, run in the workspace root, isolated from the caller's
    /// cargo target/color settings.
    pub fn cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(bin());
        c.current_dir(&self.root)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_TERM_COLOR")
            .env_remove("RELEASE_EVIDENCE_TIMINGS")
            // The per-user default ledger of this test alone: a developer's own ledger never
            // changes a test's evidence (the main job compares with what it retains).
            .env(
                "XDG_DATA_HOME",
                self.root.parent().unwrap().join("xdg-data"),
            )
            .env("NO_COLOR", "1");
        c
    }

    /// Runs `args` and returns the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run binary")
    }

    /// Runs `check --offline --date DATE --format json` plus `extra` (which may give its own
    /// `--date`); returns exit code and JSON.
    pub fn check_json(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["check", "--offline", "--format", "json"];
        if !extra.contains(&"--date") {
            args.extend_from_slice(&["--date", DATE]);
        }
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let code = out.status.code().unwrap_or(-1);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON ({e}); exit {code}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, json)
    }
}

/// `(code, package name, advisory)` of every finding, in report order.
pub fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["package"]["name"].as_str().unwrap_or("").to_owned(),
                f["advisory"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Findings with the given code.
pub fn with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// Names of a member's packages of one kind (`linked`, `build_time`, `dev`).
pub fn member_packages(report: &Value, member: &str, kind: &str) -> Vec<String> {
    let m = report["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == member)
        .unwrap_or_else(|| panic!("member {member} not in report"));
    m[kind]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let ty = entry.file_type().unwrap();
        let to = dst.join(&name);
        if ty.is_symlink() {
            // example-workspace/vendor/release-evidence-build links to ../../release-evidence-build.
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &to).unwrap();
        } else if ty.is_dir() {
            copy_dir(&entry.path(), &to);
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}
