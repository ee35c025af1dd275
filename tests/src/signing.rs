//! Helpers for the signing tests: SSH keys made by `ssh-keygen`, signatures made and checked
//! by `ssh-keygen -Y`, and the edits an attacker makes to evidence.

use crate::{DATE, Fixture};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const APPROVAL_NS: &str = "release-evidence-approval-v1";
pub const ARTIFACT_NS: &str = "release-evidence-artifact-v1";

/// The example's evidence directory.
pub const EVIDENCE: &str = "target/release/release-evidence/thermo-fw-0.9.0";

/// Keys made with `ssh-keygen` in a directory outside the workspace.
pub struct Keys {
    pub dir: PathBuf,
}

impl Keys {
    /// Ed25519 keys with these names.
    pub fn ed25519(fx: &Fixture, names: &[&str]) -> Keys {
        let keys = Keys {
            dir: fx.outside("keys"),
        };
        for name in names {
            keys.make(name, &["-t", "ed25519"]);
        }
        keys
    }

    /// A key `name` made with `ssh-keygen -q -N '' <type_args> -f <dir>/<name>`.
    pub fn make(&self, name: &str, type_args: &[&str]) {
        let out = Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-C", name])
            .args(type_args)
            .arg("-f")
            .arg(self.dir.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", crate::stderr(&out));
    }

    pub fn key(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `type base64` of the public key.
    pub fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.join(format!("{name}.pub"))).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Runs the main job (pinned clock) and asserts its exit code (0 PASS, 1 HOLD).
pub fn build_evidence(fx: &Fixture, expect: i32) -> PathBuf {
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(["--offline", "--date", DATE, "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(expect), "{}", crate::stderr(&out));
    fx.path(EVIDENCE)
}

pub fn approve(fx: &Fixture, keys: &Keys, role: &str, key: &str, extra: &[&str]) -> Output {
    let k = keys.key(key);
    let mut args = vec!["approve", "--date", DATE, "--role", role, "--key", &k];
    args.extend_from_slice(extra);
    fx.run(&args)
}

pub fn sign(fx: &Fixture, keys: &Keys, key: &str) -> Output {
    let k = keys.key(key);
    fx.run(&["sign", "--date", DATE, "--key", &k])
}

/// `verify DIR ARGS…` run in `cwd` (the workspace, or a directory outside any workspace).
pub fn verify_in(fx: &Fixture, cwd: &Path, dir: &Path, args: &[&str]) -> Output {
    fx.cmd()
        .current_dir(cwd)
        .arg("verify")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

/// `verify --format json` in the workspace: exit code and report.
pub fn verify_json(fx: &Fixture, dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = verify_in(fx, &fx.root, dir, &all);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}{}",
            crate::stdout(&out),
            crate::stderr(&out)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// Whether `ssh-keygen -Y verify` accepts `<file>.sig` over `file` for `principal` in `ns`.
pub fn keygen_verify(signers: &Path, principal: &str, ns: &str, file: &Path, time: &str) -> bool {
    let mut sig = file.as_os_str().to_owned();
    sig.push(".sig");
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(signers)
        .args(["-I", principal, "-n", ns, "-s"])
        .arg(sig)
        .arg(format!("-Overify-time={time}"))
        .env("TZ", "UTC")
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .unwrap()
        .status
        .success()
}

/// Signs `file` (replacing `<file>.sig`) with `key` in namespace `ns` using `ssh-keygen`.
pub fn keygen_sign(key: &str, ns: &str, file: &Path) {
    let mut sig = file.as_os_str().to_owned();
    sig.push(".sig");
    let _ = std::fs::remove_file(&sig);
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f", key, "-n", ns])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::stderr(&out));
}

/// sha256 (hex) of a file, by coreutils.
pub fn sha256_file(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success(), "sha256sum {}", path.display());
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// Rewrites SHA256SUMS with the current digest of every file it lists (what someone holding
/// only the release key does after swapping a file).
pub fn rewrite_sums(dir: &Path) {
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut out = String::new();
    for line in sums.lines() {
        let (_, path) = line.split_once("  ").unwrap();
        out.push_str(&format!("{}  {path}\n", sha256_file(&dir.join(path))));
    }
    std::fs::write(dir.join("SHA256SUMS"), out).unwrap();
}

/// Reads, edits and writes back a JSON file.
pub fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
}

/// Names of the approval records (`approval-*.json`) in `dir`, sorted.
pub fn approval_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("approval-") && n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A copy of a fixture with its built artifact and evidence (`Fixture::copy_of` skips
/// `target/`), for one tamper case each.
pub fn clone_with_evidence(fx: &Fixture) -> Fixture {
    let copy = Fixture::copy_of(&fx.root);
    std::fs::create_dir_all(copy.path("target/release")).unwrap();
    std::fs::copy(
        fx.path("target/release/thermo-fw"),
        copy.path("target/release/thermo-fw"),
    )
    .unwrap();
    crate::copy_dir(&fx.path(EVIDENCE), &copy.path(EVIDENCE));
    copy
}

pub const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

/// `[approvals]` of the example, with `{security}` for the holders of role security.
pub const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa", "regulatory", "security"]
allowed-signers = "allowed_signers"
risk-acceptance-roles = ["regulatory", "security"]
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
regulatory = ["ra@example.com"]
security = {security}
"#;

pub fn approvals(security: &str) -> String {
    APPROVALS.replace("{security}", security)
}

pub const SEC_ONLY: &str = r#"["sec@example.com"]"#;

/// allowed_signers for the five test keys; `git_style`: without `namespaces=`.
pub fn allowed_signers(keys: &Keys, git_style: bool) -> String {
    let ns = |n: &str| {
        if git_style {
            String::new()
        } else {
            format!("namespaces=\"{n}\" ")
        }
    };
    format!(
        "qa@example.com {a}{}\nra@example.com {a}{}\nsec@example.com {a}{}\nrelease@example.com {r}{}\n",
        keys.public("qa"),
        keys.public("ra"),
        keys.public("sec"),
        keys.public("release"),
        a = ns(APPROVAL_NS),
        r = ns(ARTIFACT_NS),
    )
}

/// The example with `policy` appended and keys qa, ra, sec, release, outsider; evidence built
/// (PASS with the smallvec exception, else HOLD).
pub fn setup(policy: &str, git_style: bool, pass: bool) -> (Fixture, Keys, PathBuf) {
    let fx = Fixture::example();
    let keys = Keys::ed25519(&fx, &["qa", "ra", "sec", "release", "outsider"]);
    fx.write("allowed_signers", &allowed_signers(&keys, git_style));
    fx.append("release-evidence.toml", policy);
    if pass {
        fx.append("release-evidence.toml", EXCEPTION);
    }
    let dir = build_evidence(&fx, if pass { 0 } else { 1 });
    (fx, keys, dir)
}

/// The example's evidence (PASS with the smallvec exception), approved by every role and
/// signed: `verify` passes in the workspace.
pub fn signed_release() -> (Fixture, PathBuf) {
    let (fx, keys, dir) = setup(&approvals(SEC_ONLY), false, true);
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let out = approve(&fx, &keys, role, key, &[]);
        assert!(out.status.success(), "{}", crate::stderr(&out));
    }
    let out = sign(&fx, &keys, "release");
    assert!(out.status.success(), "{}", crate::stderr(&out));
    let out = verify_in(&fx, &fx.root, &dir, &[]);
    assert!(out.status.success(), "{}", crate::stdout(&out));
    (fx, dir)
}
