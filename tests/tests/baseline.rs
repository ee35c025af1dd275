//! The configuration baseline (`[baseline]`) on real git repositories made here from the
//! example: annotated, lightweight and SSH-signed tags (keys made by `ssh-keygen`, tags signed
//! by git itself), missing tags, release branches and detached HEADs. Every signature verdict is
//! compared with `git verify-tag` run by the test. Dirty trees, release notes, the version and
//! the policy's errors are in `baseline_changes.rs`.

use release_evidence_tests::baseline::*;
use release_evidence_tests::*;
use serde_json::Value;
use std::process::Command;

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
