//! The configuration baseline (`[baseline]`) on real git repositories made here from the
//! example: annotated, lightweight and SSH-signed tags (keys made by `ssh-keygen`, tags signed
//! by git itself), release branches, detached HEADs, dirty trees and release notes. Every
//! signature verdict is compared with `git verify-tag` run by the test.

use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa"]
allowed-signers = "allowed_signers"
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
"#;

const BASELINE: &str = r#"
[baseline]
tag = "v{version}"
annotated = true
signed = true
branches = ["main", "release/*"]
clean = true
release-notes = "CHANGELOG.md"
"#;

const CHANGELOG: &str = "# Changelog\n\n## [0.9.0] - 2026-08-30\n\n### Added\n- the configuration baseline\n\n## [0.8.0] - 2026-05-01\n- first field release\n";

/// The example in a git repository on `main`, with keys, allowed_signers, the policy (plus
/// `baseline`, replacing the default [baseline]) and a changelog, committed.
struct Repo {
    fx: Fixture,
    keys: PathBuf,
}

impl Repo {
    fn new(baseline: &str) -> Repo {
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

    fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.keys.join(format!("{name}.pub"))).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn signers(&self, text: &str) {
        self.fx.write("allowed_signers", text);
    }

    fn git(&self, args: &[&str]) {
        git(&self.fx.root, args);
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// `git tag -s` with one of the keys (as git signs: SSHSIG, namespace `git`).
    fn sign_tag(&self, key: &str, name: &str) {
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
    fn git_accepts(&self, tag: &str) -> bool {
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

    fn check(&self) -> (i32, Value) {
        self.fx.check_json(&[])
    }

    fn main_job(&self, extra: &[&str]) -> Output {
        let mut args = vec!["--offline", "--date", DATE, "-q"];
        args.extend_from_slice(extra);
        self.fx
            .cmd()
            .env("SOURCE_DATE_EPOCH", "1780000000")
            .args(&args)
            .output()
            .unwrap()
    }

    fn evidence(&self, version: &str) -> PathBuf {
        self.fx.path(&format!(
            "target/release/release-evidence/thermo-fw-{version}"
        ))
    }
}

/// `(code, severity, message)` of the baseline findings.
fn baseline_findings(report: &Value) -> Vec<(String, String, String)> {
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

fn codes(report: &Value) -> Vec<String> {
    baseline_findings(report)
        .into_iter()
        .map(|(c, _, _)| c)
        .collect()
}

fn message(report: &Value, code: &str) -> String {
    baseline_findings(report)
        .into_iter()
        .find(|(c, _, _)| c == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
        .2
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn signed_tag_on_the_release_branch_with_notes_passes_and_the_evidence_records_it() {
    let r = Repo::new(BASELINE);
    r.sign_tag("release", "v0.9.0");
    let (code, report) = r.check();
    assert_eq!(codes(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(code, 0, "{report:#}");

    let out = r.main_job(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = r.evidence("0.9.0");
    let m = read_json(&dir.join("release-evidence.json"));
    let b = &m["baseline"];
    let head = m["source"]["commit"].as_str().unwrap();
    assert_eq!(b["version"], "0.9.0");
    assert_eq!(b["commit"], head);
    assert_eq!(b["tree"], m["source"]["tree"]);
    assert_eq!(b["clean"], true);
    assert_eq!(b["tag"]["name"], "v0.9.0");
    assert_eq!(b["tag"]["at_head"], true);
    assert_eq!(b["tag"]["annotated"], true);
    assert_eq!(b["tag"]["commit"], head);
    assert_eq!(b["tag"]["tagger"], "Test <test@example.com>");
    let object = b["tag"]["object"].as_str().unwrap();
    assert_eq!(object.len(), 40);
    assert_ne!(object, head, "an annotated tag is its own object");
    let sig = &b["tag"]["signature"];
    assert_eq!(sig["status"], "good");
    assert_eq!(sig["signer"], "release@example.com");
    assert!(sig["key"].as_str().unwrap().starts_with("SHA256:"));
    assert!(
        sig["git"]
            .as_str()
            .unwrap()
            .contains("Good \"git\" signature for release@example.com"),
        "{sig}"
    );
    assert_eq!(b["branch"]["current"], "main");
    assert_eq!(b["branch"]["release_branch"], "main");
    let entry = "## [0.9.0] - 2026-08-30\n\n### Added\n- the configuration baseline\n";
    assert_eq!(b["release_notes"]["file"], "CHANGELOG.md");
    assert_eq!(b["release_notes"]["entry"]["line"], 3);
    assert_eq!(
        b["release_notes"]["entry"]["sha256"],
        sha256_hex(entry.as_bytes())
    );
    assert_eq!(b["previous"], Value::Null);
    assert_eq!(
        b["public_api"]["features"],
        serde_json::json!(["debug-dump", "default"])
    );

    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    for line in [
        "## Configuration baseline",
        "| Branch | main (release branches: main, release/*) |",
        "> ## [0.9.0] - 2026-08-30\n> \n> ### Added\n> - the configuration baseline\n",
        "- [x] Version tagged (`v0.9.0` at the release commit)",
        "- [x] Tag signed by a release signer (release@example.com)",
        "- [x] Release branch (main)",
        "- [x] Tree clean (no uncommitted changes)",
        "- [x] Release notes entry (CHANGELOG.md)",
    ] {
        assert!(record.contains(line), "{line}\n{record}");
    }

    // verify re-checks the tag's signature from the evidence alone.
    let v = r.fx.run(&["verify", dir.to_str().unwrap()]);
    let text = stdout(&v);
    let line = text
        .lines()
        .find(|l| l.contains(" baseline: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.starts_with("  ok   baseline: thermo-fw 0.9.0: commit ")
            && line.contains("tag v0.9.0 (annotated, signature good by release@example.com)")
            && line.contains("branch main, clean, release notes CHANGELOG.md line 3")
            && line.contains("tag signature re-verified: release@example.com (SHA256:"),
        "{line}"
    );
    // …and fails when the trust anchor given does not list the tagger's key.
    let other = r.fx.outside("auditor").join("allowed_signers");
    std::fs::write(
        &other,
        format!("release@example.com {}\n", r.public("outsider")),
    )
    .unwrap();
    let v = r.fx.run(&[
        "verify",
        dir.to_str().unwrap(),
        "--allowed-signers",
        other.to_str().unwrap(),
    ]);
    assert!(
        stdout(&v).contains("FAIL baseline: ")
            && stdout(&v).contains("TAG SIGNATURE FAILS: key SHA256:"),
        "{}",
        stdout(&v)
    );
}

#[test]
fn tag_signatures_are_judged_as_git_verify_tag_judges_them() {
    let r = Repo::new(BASELINE);
    let release = r.public("release");
    let qa = r.public("qa");
    // (signing key, allowed_signers, expected finding, words of its message, what
    // `git verify-tag` must say: the same verdict on the signature and its key; being a
    // release signer is a further rule git does not know)
    let cases: Vec<(&str, String, Option<&str>, &str, bool)> = vec![
        (
            "release",
            format!("release@example.com namespaces=\"git\" {release}\n"),
            None,
            "",
            true,
        ),
        (
            "outsider",
            format!("release@example.com namespaces=\"git\" {release}\n"),
            Some("RE-BASELINE-TAG-SIGNER"),
            "is not listed in allowed_signers for namespace git",
            false,
        ),
        (
            "qa",
            format!(
                "release@example.com namespaces=\"git\" {release}\nqa@example.com namespaces=\"git\" {qa}\n"
            ),
            Some("RE-BASELINE-TAG-SIGNER"),
            "belongs to qa@example.com, none of them a release signer",
            true,
        ),
        (
            // The release key, but allowed_signers does not allow it to sign in namespace git.
            "release",
            format!("release@example.com namespaces=\"release-evidence-artifact-v1\" {release}\n"),
            Some("RE-BASELINE-TAG-SIGNER"),
            "is not listed in allowed_signers for namespace git",
            false,
        ),
        (
            // Expired (valid-before): OpenSSH and our allowed_signers reader both reject the
            // key, so the tag is not signed by a release signer.
            "release",
            format!("release@example.com valid-before=\"20200101\",namespaces=\"git\" {release}\n"),
            Some("RE-BASELINE-TAG-SIGNER"),
            "is not signed by a release signer",
            false,
        ),
    ];
    for (key, signers, want, words, git_ok) in cases {
        r.signers(&signers);
        r.commit(&format!("allowed signers for {key}"));
        r.sign_tag(key, "v0.9.0");
        let (code, report) = r.check();
        let got = codes(&report);
        match want {
            None => {
                assert_eq!(got, Vec::<String>::new(), "{key}: {report:#}");
                assert_eq!(code, 0);
            }
            Some(c) => {
                assert_eq!(got, vec![c.to_owned()], "{key}: {signers}");
                assert!(message(&report, c).contains(words), "{key}: {report:#}");
                assert_eq!(code, 1);
            }
        }
        assert_eq!(r.git_accepts("v0.9.0"), git_ok, "{key}: {signers}");
    }

    // A tag whose message was changed after signing: both reject it.
    r.signers(&format!(
        "release@example.com namespaces=\"git\" {release}\n"
    ));
    r.commit("back to the release key");
    r.sign_tag("release", "v0.9.0");
    let raw = Command::new("git")
        .args(["cat-file", "tag", "v0.9.0"])
        .current_dir(&r.fx.root)
        .output()
        .unwrap()
        .stdout;
    let forged = String::from_utf8(raw).unwrap().replacen(
        "thermo-fw v0.9.0",
        "thermo-fw v0.9.0 (approved)",
        1,
    );
    let file = r.fx.outside("forged").join("tag");
    std::fs::write(&file, forged).unwrap();
    let out = Command::new("git")
        .arg("mktag")
        .stdin(std::fs::File::open(&file).unwrap())
        .current_dir(&r.fx.root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let id = String::from_utf8(out.stdout).unwrap();
    r.git(&["update-ref", "refs/tags/v0.9.0", id.trim()]);
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-TAG-SIGNATURE"]);
    assert!(
        message(&report, "RE-BASELINE-TAG-SIGNATURE")
            .contains("signature does not match the signed file"),
        "{report:#}"
    );
    assert!(!r.git_accepts("v0.9.0"));

    // An annotated tag without a signature.
    r.git(&["tag", "-f", "-a", "v0.9.0", "-m", "unsigned"]);
    let (_, report) = r.check();
    assert_eq!(codes(&report), vec!["RE-BASELINE-TAG-UNSIGNED"]);
    assert!(message(&report, "RE-BASELINE-TAG-UNSIGNED").contains("has no signature"));
}

#[test]
fn lightweight_tag_when_an_annotated_one_is_required() {
    let r = Repo::new(&BASELINE.replace("signed = true", "signed = false"));
    r.git(&["tag", "v0.9.0"]);
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-TAG-LIGHTWEIGHT"]);
    let f = &with_code(&report, "RE-BASELINE-TAG-LIGHTWEIGHT")[0];
    assert_eq!(f["package"]["name"], "thermo-fw");
    assert_eq!(f["via"][0]["member"], "thermo-fw");
    assert_eq!(f["location"]["file"], "release-evidence.toml");
    assert!(
        f["fix"].as_str().unwrap().contains("git tag -f -a v0.9.0"),
        "{f}"
    );
    // Signed required too: the lightweight tag also carries no signature.
    let r = Repo::new(BASELINE);
    r.git(&["tag", "v0.9.0"]);
    let (_, report) = r.check();
    assert_eq!(
        codes(&report),
        vec!["RE-BASELINE-TAG-LIGHTWEIGHT", "RE-BASELINE-TAG-UNSIGNED"]
    );
}

#[test]
fn missing_tag_and_tag_on_another_commit() {
    let r = Repo::new(BASELINE);
    r.sign_tag("release", "v0.9.0-rc.1");
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-UNTAGGED"]);
    let m = message(&report, "RE-BASELINE-UNTAGGED");
    assert!(
        m.contains("has no tag `v0.9.0` (pattern `v{version}`); HEAD is tagged v0.9.0-rc.1"),
        "{m}"
    );
    // Tagged, then a further commit: the tag is on another commit.
    r.sign_tag("release", "v0.9.0");
    r.fx.append("CHANGELOG.md", "\n- late fix\n");
    r.commit("late fix");
    let (_, report) = r.check();
    assert_eq!(codes(&report), vec!["RE-BASELINE-UNTAGGED"]);
    let m = message(&report, "RE-BASELINE-UNTAGGED");
    assert!(
        m.starts_with("tag `v0.9.0` points at commit ") && m.contains(", not at HEAD "),
        "{m}"
    );
    // A per-member pattern.
    let r = Repo::new(&format!(
        "{BASELINE}\n[baseline.members.thermo-fw]\ntag = \"{{name}}-v{{version}}\"\n"
    ));
    r.sign_tag("release", "v0.9.0");
    let (_, report) = r.check();
    assert!(message(&report, "RE-BASELINE-UNTAGGED").contains("no tag `thermo-fw-v0.9.0`"));
    r.sign_tag("release", "thermo-fw-v0.9.0");
    let (code, report) = r.check();
    assert_eq!((code, codes(&report)), (0, Vec::<String>::new()));
}

#[test]
fn release_branches_detached_heads_and_warn() {
    let r = Repo::new(BASELINE);
    r.git(&["checkout", "-q", "-b", "feature/x"]);
    r.fx.append("CHANGELOG.md", "- feature\n");
    r.commit("feature");
    r.sign_tag("release", "v0.9.0");
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-BRANCH"]);
    assert_eq!(
        message(&report, "RE-BASELINE-BRANCH"),
        "thermo-fw 0.9.0 is released from branch `feature/x`, which matches none of the release branches (main, release/*), and no release branch contains the commit"
    );
    // Detached on that commit (as CI checks out a tag): still no release branch contains it.
    r.git(&["checkout", "-q", "--detach", "v0.9.0"]);
    let (_, report) = r.check();
    assert!(message(&report, "RE-BASELINE-BRANCH").contains("HEAD is detached"));
    // Once a release branch contains the commit, a detached HEAD is accepted.
    r.git(&["branch", "release/0.9", "HEAD"]);
    let (code, report) = r.check();
    assert_eq!((code, codes(&report)), (0, Vec::<String>::new()));
    // `warn` makes the finding non-blocking.
    r.git(&["branch", "-D", "release/0.9"]);
    r.fx.append("release-evidence.toml", "warn = [\"RE-BASELINE-BRANCH\"]\n");
    let (code, report) = r.check();
    assert_eq!(code, 1, "the policy change is uncommitted");
    assert_eq!(
        baseline_findings(&report)
            .into_iter()
            .map(|(c, s, _)| (c, s))
            .collect::<Vec<_>>(),
        vec![
            ("RE-BASELINE-DIRTY".to_owned(), "error".to_owned()),
            ("RE-BASELINE-BRANCH".to_owned(), "warning".to_owned())
        ]
    );
}

#[test]
fn dirty_tree_and_release_notes() {
    let r = Repo::new(BASELINE);
    r.sign_tag("release", "v0.9.0");
    r.fx.append("app/src/main.rs", "\n// local experiment\n");
    r.fx.write("notes.txt", "scratch\n");
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-DIRTY"]);
    assert_eq!(
        message(&report, "RE-BASELINE-DIRTY"),
        "the working tree has uncommitted changes: M app/src/main.rs, ?? notes.txt"
    );

    // The changelog has no entry for 0.9.0 (0.9.0-rc.1 and 0.9.00 are not it).
    let r = Repo::new(BASELINE);
    r.fx.write(
        "CHANGELOG.md",
        "# Changelog\n\n## 0.9.0-rc.1\n- candidate\n\n```\n## 0.9.0\n```\n",
    );
    r.commit("changelog without the release");
    r.sign_tag("release", "v0.9.0");
    let (code, report) = r.check();
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-NOTES"]);
    assert_eq!(
        message(&report, "RE-BASELINE-NOTES"),
        "CHANGELOG.md has no heading containing `0.9.0`"
    );
    let f = &with_code(&report, "RE-BASELINE-NOTES")[0];
    let line =
        r.fx.read("release-evidence.toml")
            .lines()
            .position(|l| l.starts_with("release-notes = "))
            .unwrap()
            + 1;
    assert_eq!(f["location"]["line"], line as u64);
    // No file at all.
    std::fs::remove_file(r.fx.path("CHANGELOG.md")).unwrap();
    r.commit("no changelog");
    r.sign_tag("release", "v0.9.0");
    let (_, report) = r.check();
    assert_eq!(
        message(&report, "RE-BASELINE-NOTES"),
        "the release-notes file CHANGELOG.md does not exist"
    );
}

#[test]
fn not_a_git_checkout() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.append("release-evidence.toml", "\n[baseline]\nannotated = false\n");
    let (code, report) = fx.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), vec!["RE-BASELINE-NO-GIT"]);
}

#[test]
fn policy_errors_name_the_line() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[baseline]\ntag = \"release-{ver}\"\nsigned = true\nwarn = [\"RE-BASELINE-NOPE\"]\nrelease-notes-heading = \"Release\"\nbranches = [\"\"]\nsurprise = 1\n",
    );
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown field `surprise`"), "{err}");
    fx.replace("release-evidence.toml", "surprise = 1\n", "");
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let lines = fx.read("release-evidence.toml").lines().count();
    for (what, line) in [
        ("`tag`: `release-{ver}` must contain `{version}`", lines - 5),
        ("`signed = true` needs [approvals]", lines - 6),
        (
            "`RE-BASELINE-NOPE` matches no baseline finding code",
            lines - 3,
        ),
        (
            "`release-notes-heading`: `Release` must contain `{version}`",
            lines - 2,
        ),
        ("branch pattern `` is empty", lines - 1),
    ] {
        assert!(err.contains(what), "{what}\n{err}");
        assert!(
            err.contains(&format!("release-evidence.toml:{}:", line + 1)),
            "{what} at line {}\n{err}",
            line + 1
        );
    }
}

#[test]
fn the_version_must_increase_and_the_bump_must_match_the_changes() {
    let r = Repo::new(BASELINE);
    r.sign_tag("release", "v0.9.0");
    let out = r.main_job(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v090 = r.evidence("0.9.0");

    // 0.9.1 removes the feature `debug-dump`: a compatible bump cannot do that.
    r.fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.0\"",
        "version = \"0.9.1\"",
    );
    r.fx.replace(
        "app/Cargo.toml",
        "debug-dump = [\"sensor-core/hex-dump\"]\n",
        "",
    );
    r.fx.replace(
        "CHANGELOG.md",
        "## [0.9.0]",
        "## [0.9.1] - 2026-09-01\n- no debug console\n\n## [0.9.0]",
    );
    // The version moved: update Cargo.lock on purpose before the commit (the gate runs
    // cargo with --locked).
    r.fx.update_lockfile(&["--offline"]);
    r.check();
    r.commit("thermo-fw 0.9.1");
    r.sign_tag("release", "v0.9.1");
    let out = r.main_job(&["--no-build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning only: {}",
        stderr(&out)
    );
    let m = read_json(&r.evidence("0.9.1").join("release-evidence.json"));
    let bump: Vec<&Value> = m["gate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RE-BASELINE-BUMP")
        .collect();
    assert_eq!(bump.len(), 1, "{m:#}");
    assert_eq!(bump[0]["severity"], "warning");
    assert_eq!(
        bump[0]["message"],
        "thermo-fw 0.9.0 → 0.9.1 is a compatible bump, but feature `debug-dump` was removed"
    );
    assert!(bump[0]["fix"].as_str().unwrap().contains("(0.10.0)"));
    let prev = &m["baseline"]["previous"];
    assert_eq!(prev["version"], "0.9.0");
    assert_eq!(prev["evidence"], "thermo-fw-0.9.0");
    assert_eq!(prev["relation"], "patch");
    assert_eq!(prev["breaking"], false);
    let record = std::fs::read_to_string(r.evidence("0.9.1").join("release-evidence.md")).unwrap();
    assert!(
        record.contains("| Version | 0.9.1 (previous release 0.9.0: patch bump, compatible) |"),
        "{record}"
    );

    // 0.9.0 was released (sealed: approved); releasing new code as 0.9.0 again holds.
    std::fs::write(v090.join("approval-qa-qa_example.com.json"), "{}\n").unwrap();
    r.fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.1\"",
        "version = \"0.9.0\"",
    );
    r.fx.update_lockfile(&["--offline"]);
    r.check();
    r.commit("thermo-fw 0.9.0 again");
    r.sign_tag("release", "v0.9.0");
    let out = r.main_job(&["--no-build", "--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let m = read_json(&v090.join("release-evidence.json"));
    let msgs: Vec<&str> = m["gate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RE-BASELINE-VERSION")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 1, "{m:#}");
    assert!(
        msgs[0].starts_with(
            "version did not increase: thermo-fw 0.9.0 was already released from commit "
        ) && msgs[0].contains("(evidence thermo-fw-0.9.0, moved aside by --force)"),
        "{}",
        msgs[0]
    );
}
