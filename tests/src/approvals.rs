//! Helpers shared by the approval and signing tests (`signing.rs`, `signing_tamper.rs`): the
//! example with approvals configured, keys made by `ssh-keygen`, and the `approve`, `sign` and
//! `verify` commands.

use crate::{DATE, Fixture, stderr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

pub const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa", "regulatory", "security"]
allowed-signers = "allowed_signers"
risk-acceptance-roles = ["regulatory", "security"]
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
regulatory = ["ra@example.com"]
security = ["sec@example.com"]
"#;

pub struct Keys {
    pub dir: PathBuf,
}

impl Keys {
    pub fn new(fx: &Fixture) -> Keys {
        let dir = fx.outside("keys");
        for name in ["qa", "ra", "sec", "release", "outsider"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(dir.join(name))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
        Keys { dir }
    }

    pub fn key(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    pub fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.join(format!("{name}.pub"))).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn allowed_signers(&self) -> String {
        let ns = "namespaces=\"release-evidence-approval-v1\"";
        format!(
            "qa@example.com {ns} {}\nra@example.com {ns} {}\nsec@example.com {ns} {}\nrelease@example.com namespaces=\"release-evidence-artifact-v1\" {}\n",
            self.public("qa"),
            self.public("ra"),
            self.public("sec"),
            self.public("release")
        )
    }
}

/// The example with approvals configured and the smallvec risk accepted (PASS), evidence built.
pub fn signed_ready(pass: bool) -> (Fixture, Keys, PathBuf) {
    let fx = Fixture::example();
    fx.without_verification();
    let keys = Keys::new(&fx);
    fx.write("allowed_signers", &keys.allowed_signers());
    fx.append("release-evidence.toml", APPROVALS);
    if pass {
        fx.append("release-evidence.toml", EXCEPTION);
    }
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(["--offline", "--date", DATE, "-q"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(if pass { 0 } else { 1 }),
        "{}",
        stderr(&out)
    );
    let dir = fx.path("target/release/release-evidence/thermo-fw-0.9.0");
    (fx, keys, dir)
}

pub fn approve(fx: &Fixture, keys: &Keys, role: &str, key: &str, extra: &[&str]) -> Output {
    let k = keys.key(key);
    let mut args = vec!["approve", "--date", DATE, "--role", role, "--key", &k];
    args.extend_from_slice(extra);
    fx.run(&args)
}

pub fn all_approve(fx: &Fixture, keys: &Keys) {
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let out = approve(fx, keys, role, key, &[]);
        assert_eq!(out.status.code(), Some(0), "{role}: {}", stderr(&out));
    }
}

pub fn sign(fx: &Fixture, keys: &Keys) -> Output {
    let k = keys.key("release");
    fx.run(&["sign", "--date", DATE, "--key", &k])
}

pub fn verify(fx: &Fixture, dir: &Path) -> Output {
    fx.run(&["verify", dir.to_str().unwrap()])
}

pub fn approval_file(dir: &Path, role: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("approval-{role}-")) && n.ends_with(".json"))
        .collect();
    names.sort();
    names.remove(0)
}
