//! `cargo release-evidence test`: runs what the policy names — `cargo nextest run` with the
//! JUnit output of a nextest profile, `cargo clippy --message-format=json` converted to SARIF
//! here — and records the run (`run.json`: commands, exit codes, tool versions, the source
//! state before and after) in `<target-dir>/release-evidence/verification/`, so the main job
//! can bind the results to the release.

use super::model::{RUN_SCHEMA, RunRecord, Step};
use super::{Context, RUN_FILE, binding, sarif};
use crate::error::{Error, Result};
use crate::policy::verification::Runner;
use crate::util::{canonical, digest, fs, process, time};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How cargo is invoked (the gate's cargo flags and feature selection).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub offline: bool,
    pub locked: bool,
    pub frozen: bool,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub quiet: bool,
}

impl Flags {
    fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        for (on, flag) in [
            (self.offline, "--offline"),
            (self.locked, "--locked"),
            (self.frozen, "--frozen"),
            (self.all_features, "--all-features"),
            (self.no_default_features, "--no-default-features"),
        ] {
            if on {
                a.push(flag.to_owned());
            }
        }
        if !self.features.is_empty() {
            a.push("--features".to_owned());
            a.push(self.features.join(","));
        }
        a
    }
}

/// Runs the suites and clippy as the policy says and writes the run record.
pub fn run(cx: &Context<'_>, flags: &Flags) -> Result<RunRecord> {
    let dir = cx.run_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let before = binding::current(cx.root, &cx.exclusions());
    let started = time::now_seconds();
    let mut steps = Vec::new();
    let mut tools = BTreeMap::new();
    let v = cx.policy.data.verification.as_ref().map(|v| v.get_ref());
    for s in v.map(|v| v.suite.as_slice()).unwrap_or_default() {
        let s = s.get_ref();
        let Some(Runner::Nextest) = s.run else {
            continue;
        };
        if !tools.contains_key("cargo-nextest") {
            tools.insert(
                "cargo-nextest".to_owned(),
                version(&["nextest", "--version"]),
            );
        }
        let profile = s.nextest_profile.clone().unwrap_or_else(|| "ci".to_owned());
        let junit = junit_path(cx.root, &profile)?;
        let mut args: Vec<String> = [
            "nextest",
            "run",
            "--workspace",
            "--no-fail-fast",
            "--profile",
            &profile,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(flags.args());
        let t0 = std::time::SystemTime::now();
        let code = run_visible(cx.root, &args, flags.quiet)?;
        let fresh = std::fs::metadata(&junit)
            .and_then(|m| m.modified())
            .is_ok_and(|m| m >= t0);
        if !fresh {
            return Err(Error::Command {
                command: format!("cargo {}", args.join(" ")),
                message: format!(
                    "exit status {}; it wrote no JUnit report at {} (a build error, or no [profile.{profile}.junit] in .config/nextest.toml)",
                    code.map_or("none".to_owned(), |c| c.to_string()),
                    junit.display()
                ),
            });
        }
        let bytes = std::fs::read(&junit)
            .map_err(|e| Error::io(format!("reading {}", junit.display()), e))?;
        let report = format!("{}.junit.xml", super::inputs::sanitize(&s.name));
        fs::write_atomic(&dir.join(&report), &bytes)?;
        let mut command = vec!["cargo".to_owned()];
        command.extend(args);
        steps.push(Step {
            name: s.name.clone(),
            command,
            exit_code: code,
            report,
            sha256: digest::sha256_hex(&bytes),
        });
    }
    if v.and_then(|v| v.static_analysis.as_ref())
        .is_some_and(|s| s.get_ref().clippy)
    {
        let clippy_version = version(&["clippy", "--version"]);
        tools.insert("clippy".to_owned(), clippy_version.clone());
        let mut args: Vec<String> = [
            "clippy",
            "--workspace",
            "--all-targets",
            "--message-format=json",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(flags.args());
        let start = time::rfc3339(time::now_seconds());
        let out = duct::cmd(process::cargo(), &args)
            .dir(cx.root)
            .stdout_capture()
            .unchecked();
        let out = if flags.quiet { out.stderr_null() } else { out };
        let out = out.run().map_err(|e| Error::Command {
            command: format!("cargo {}", args.join(" ")),
            message: e.to_string(),
        })?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let command_line = format!("cargo {}", args.join(" "));
        let log = sarif::from_clippy(
            &stdout,
            &sarif::ClippyRun {
                command_line: &command_line,
                start: &start,
                end: &time::rfc3339(time::now_seconds()),
                exit_code: out.status.code(),
                version: &clippy_version,
                commit: before.commit.as_deref(),
            },
        );
        let mut text = serde_json::to_string_pretty(&log)
            .map_err(|e| Error::Environment(format!("writing SARIF: {e}")))?;
        text.push('\n');
        fs::write_atomic(&dir.join("clippy.sarif"), text.as_bytes())?;
        let mut command = vec!["cargo".to_owned()];
        command.extend(args);
        steps.push(Step {
            name: "clippy".to_owned(),
            command,
            exit_code: out.status.code(),
            report: "clippy.sarif".to_owned(),
            sha256: digest::sha256_hex(text.as_bytes()),
        });
    }
    let after = binding::current(cx.root, &cx.exclusions());
    if binding::mismatch(&before, &after).is_some() {
        return Err(Error::Environment(
            "the workspace's source files changed while the tests ran (a test writes into the source tree?); the run is not recorded".into(),
        ));
    }
    let toolchain = crate::workspace::toolchain::read()?;
    let record = RunRecord {
        schema: RUN_SCHEMA.to_owned(),
        schema_version: 1,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: time::rfc3339(started),
        finished_at: time::rfc3339(time::now_seconds()),
        source: before,
        rustc: toolchain.rustc,
        cargo: toolchain.cargo,
        tools,
        steps,
    };
    fs::write_atomic(&dir.join(RUN_FILE), canonical::json(&record).as_bytes())?;
    Ok(record)
}

/// Runs cargo with its output shown on stderr (stdout stays ours), returns the exit code.
fn run_visible(root: &Path, args: &[String], quiet: bool) -> Result<Option<i32>> {
    let e = duct::cmd(process::cargo(), args)
        .dir(root)
        .stdout_to_stderr()
        .unchecked();
    let e = if quiet {
        e.stderr_null().stdout_null()
    } else {
        e
    };
    let out = e.run().map_err(|err| Error::Command {
        command: format!("cargo {}", args.join(" ")),
        message: err.to_string(),
    })?;
    Ok(out.status.code())
}

fn version(args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    process::run_capture(&process::cargo(), &args, None)
        .map(|v| v.lines().next().unwrap_or_default().trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Where nextest writes the profile's JUnit report: `<store dir>/<profile>/<path>`, the path
/// from `[profile.<profile>.junit] path` in `.config/nextest.toml`, the store directory from
/// its `[store] dir` (default `target/nextest`, relative to the workspace root).
fn junit_path(root: &Path, profile: &str) -> Result<PathBuf> {
    let config = root.join(".config/nextest.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    let value: toml::Table = toml::from_str(&text).map_err(|e| {
        Error::config_at(&config, &text, e.span(), e.message().trim_end().to_owned())
    })?;
    let path = value
        .get("profile")
        .and_then(|p| p.get(profile))
        .and_then(|p| p.get("junit"))
        .and_then(|j| j.get("path"))
        .and_then(|p| p.as_str())
        .ok_or_else(|| {
            Error::Environment(format!(
                "the nextest profile `{profile}` writes no JUnit report: add\n\n[profile.{profile}.junit]\npath = \"junit.xml\"\n\nto {}",
                config.display()
            ))
        })?;
    let store = value
        .get("store")
        .and_then(|s| s.get("dir"))
        .and_then(|d| d.as_str())
        .unwrap_or("target/nextest");
    Ok(root.join(store).join(profile).join(path))
}
