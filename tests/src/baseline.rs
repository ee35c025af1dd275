//! Helpers shared by the configuration baseline tests (`baseline.rs`, `baseline_changes.rs`):
//! the example in a real git repository with SSH keys made by `ssh-keygen`, and the baseline
//! findings of a report.

use crate::{DATE, Fixture, git, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

pub const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa"]
allowed-signers = "allowed_signers"
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
"#;

pub const BASELINE: &str = r#"
[baseline]
tag = "v{version}"
annotated = true
signed = true
branches = ["main", "release/*"]
clean = true
release-notes = "CHANGELOG.md"
"#;

pub const CHANGELOG: &str = "# Changelog\n\n## [0.9.0] - 2026-08-30\n\n### Added\n- the configuration baseline\n\n## [0.8.0] - 2026-05-01\n- first field release\n";

/// The example in a git repository on `main`, with keys, allowed_signers, the policy (plus
/// `baseline`, replacing the default [baseline]) and a changelog, committed.
pub struct Repo {
    pub fx: Fixture,
    pub keys: PathBuf,
}

impl Repo {
    pub fn new(baseline: &str) -> Repo {
        let fx = Fixture::example();
        let keys = fx.outside("keys");
        for name in ["release", "qa", "outsider"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(keys.join(name))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
        let repo = Repo { fx, keys };
        repo.signers(&format!(
            "release@example.com namespaces=\"git,release-evidence-artifact-v1\" {}\nqa@example.com namespaces=\"git,release-evidence-approval-v1\" {}\n",
            repo.public("release"),
            repo.public("qa")
        ));
        repo.fx.append("release-evidence.toml", APPROVALS);
        repo.fx.append("release-evidence.toml", EXCEPTION);
        repo.fx.append("release-evidence.toml", baseline);
        repo.fx.write("CHANGELOG.md", CHANGELOG);
        git(&repo.fx.root, &["init", "-q", "-b", "main"]);
        repo.commit("thermo-fw 0.9.0");
        repo
    }

    pub fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.keys.join(format!("{name}.pub"))).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn signers(&self, text: &str) {
        self.fx.write("allowed_signers", text);
    }

    pub fn git(&self, args: &[&str]) {
        git(&self.fx.root, args);
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// `git tag -s` with one of the keys (as git signs: SSHSIG, namespace `git`).
    pub fn sign_tag(&self, key: &str, name: &str) {
        let k = format!("user.signingkey={}", self.keys.join(key).display());
        self.git(&[
            "-c",
            "gpg.format=ssh",
            "-c",
            &k,
            "tag",
            "-f",
            "-s",
            name,
            "-m",
            &format!("thermo-fw {name}"),
        ]);
    }

    /// `git verify-tag` with the workspace's allowed_signers, as the test's own referee.
    pub fn git_accepts(&self, tag: &str) -> bool {
        let file = format!(
            "gpg.ssh.allowedSignersFile={}",
            self.fx.path("allowed_signers").display()
        );
        Command::new("git")
            .args(["-c", "gpg.format=ssh", "-c", &file, "verify-tag", tag])
            .current_dir(&self.fx.root)
            .output()
            .unwrap()
            .status
            .success()
    }

    pub fn check(&self) -> (i32, Value) {
        self.fx.check_json(&[])
    }

    pub fn main_job(&self, extra: &[&str]) -> Output {
        let mut args = vec!["--offline", "--date", DATE, "-q"];
        args.extend_from_slice(extra);
        self.fx
            .cmd()
            .env("SOURCE_DATE_EPOCH", "1780000000")
            .args(&args)
            .output()
            .unwrap()
    }

    pub fn evidence(&self, version: &str) -> PathBuf {
        self.fx.path(&format!(
            "target/release/release-evidence/thermo-fw-{version}"
        ))
    }
}

/// `(code, severity, message)` of the baseline findings.
pub fn baseline_findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("RE-BASELINE"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub fn codes(report: &Value) -> Vec<String> {
    baseline_findings(report)
        .into_iter()
        .map(|(c, _, _)| c)
        .collect()
}

pub fn message(report: &Value, code: &str) -> String {
    baseline_findings(report)
        .into_iter()
        .find(|(c, _, _)| c == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
        .2
}

pub fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}
