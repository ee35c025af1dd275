//! The main job run more than once: identical evidence across runs and checkouts (determinism),
//! a failing run leaving the previous evidence intact (atomicity), sealed evidence never
//! overwritten, and the release record's changes since the previous release and its checklist.

use release_evidence_tests::evidence::*;
use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// (name, sha256) of every file in a directory.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

fn git_init_fixed(dir: &Path) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "Rel Eng")
            .env("GIT_AUTHOR_EMAIL", "releng@example.com")
            .env("GIT_COMMITTER_NAME", "Rel Eng")
            .env("GIT_COMMITTER_EMAIL", "releng@example.com")
            .env("GIT_AUTHOR_DATE", "2026-05-28T20:26:40Z")
            .env("GIT_COMMITTER_DATE", "2026-05-28T20:26:40Z")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    run(&["init", "-q", "-b", "main"]);
    run(&["add", "-A"]);
    run(&["commit", "-q", "-m", "thermo-fw 0.9.0"]);
    run(&["tag", "v0.9.0"]);
}

#[test]
fn two_runs_and_two_checkouts_give_identical_sbom_and_manifest() {
    let a = Fixture::example();
    // A second checkout at a different, longer path.
    let b = Fixture::example_at("some/much/longer/checkout/path");
    git_init_fixed(&a.root);
    git_init_fixed(&b.root);
    let files = [
        "release-evidence.json",
        "thermo-fw.cdx.json",
        "thermo-fw.cdx.vex.json",
        "thermo-fw.openvex.json",
        "thermo-fw.spdx.json",
        "soup.csv",
        "soup.json",
        "clause-map.json",
        "release-evidence.md",
        "release-evidence.html",
        "SHA256SUMS",
    ];
    let run = |fx: &Fixture| -> Vec<Vec<u8>> {
        let (code, _, out) = main_job(fx, &["--sbom-format", "spdx"]);
        assert_eq!(code, 1, "{}", stderr(&out));
        files
            .iter()
            .map(|f| std::fs::read(evidence_dir(fx).join(f)).unwrap())
            .collect()
    };
    let first = run(&a);
    let again = run(&a);
    let other = run(&b);
    for (i, f) in files.iter().enumerate() {
        assert!(first[i] == again[i], "{f} differs between two runs");
        assert!(first[i] == other[i], "{f} differs between two checkouts");
    }
    let manifest: Value = serde_json::from_slice(&first[0]).unwrap();
    assert_eq!(manifest["source"]["tags"], serde_json::json!(["v0.9.0"]));
    assert_eq!(manifest["source"]["dirty"], false);
    assert_eq!(manifest["source"]["commit"].as_str().unwrap().len(), 40);
    let md = files
        .iter()
        .position(|f| *f == "release-evidence.md")
        .unwrap();
    let record = String::from_utf8(first[md].clone()).unwrap();
    assert!(record.contains("- [x] Version tagged"), "{record}");
    assert!(record.contains("- [x] Tree clean"), "{record}");
    // Nothing absolute leaks into the evidence.
    for (i, f) in files.iter().enumerate() {
        let text = String::from_utf8_lossy(&first[i]);
        assert!(
            !text.contains(a.root.to_str().unwrap()),
            "{f} contains the checkout path"
        );
    }
}

#[test]
fn failing_run_leaves_the_previous_evidence_intact() {
    let fx = Fixture::example();
    let (code, _, _) = main_job(&fx, &[]);
    assert_eq!(code, 1);
    let dir = evidence_dir(&fx);
    let before = snapshot(&dir);
    // The next release candidate does not compile.
    fx.append("app/src/main.rs", "\nfn broken( {\n");
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error") && err.contains("cargo build"),
        "{err}"
    );
    assert_eq!(
        snapshot(&dir),
        before,
        "evidence changed after a failed run"
    );
    let parent = dir.parent().unwrap();
    assert!(
        listing(parent).iter().all(|n| !n.contains("staging")),
        "{:?}",
        listing(parent)
    );
}

#[test]
fn sealed_evidence_is_never_overwritten() {
    let fx = Fixture::example();
    fx.without_verification();
    let (code, _, _) = main_job(&fx, &[]);
    assert_eq!(code, 1);
    let dir = evidence_dir(&fx);
    std::fs::write(dir.join("approval-qa.json"), "{}\n").unwrap();
    std::fs::write(dir.join("approval-qa.json.sig"), "sig\n").unwrap();
    let before = snapshot(&dir);
    fx.append("release-evidence.toml", EXCEPTION);
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 2);
    let err = stderr(&out);
    assert!(err.contains("sealed") && err.contains("--force"), "{err}");
    assert_eq!(snapshot(&dir), before);

    let (code, _, out) = main_job(&fx, &["--force"]);
    assert_eq!(code, 0, "{}", stderr(&out));
    let aside = dir.with_file_name("thermo-fw-0.9.0.1");
    assert_eq!(
        snapshot(&aside),
        before,
        "sealed evidence moved aside unchanged"
    );
    assert!(!listing(&dir).contains(&"approval-qa.json.sig".to_owned()));
    assert_eq!(
        read_json(&dir.join("release-evidence.json"))["gate"]["decision"],
        "PASS"
    );
}

#[test]
fn release_record_counts_dependency_changes_since_the_previous_release() {
    let fx = Fixture::example();
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 1, "{}", stderr(&out));
    // 0.9.1 turns on the debug console, which pulls in the optional `hex`.
    fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.0\"",
        "version = \"0.9.1\"",
    );
    fx.replace(
        "app/Cargo.toml",
        "default = []",
        "default = [\"debug-dump\"]",
    );
    fx.update_lockfile(&["--offline"]);
    let (code, summary, out) = main_job(&fx, &[]);
    assert_eq!(code, 1, "{}", stderr(&out));
    let dir = PathBuf::from(summary["evidence_dir"].as_str().unwrap());
    assert!(dir.ends_with("thermo-fw-0.9.1"));
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    // No ledger retains 0.9.0: the evidence directory next to this one is compared with, by
    // `diff`'s rules (every change kind; the artifact's size and digest).
    assert!(
        record.contains("Changes since thermo-fw 0.9.0 (from the evidence directory thermo-fw-0.9.0): 1 added, 0 removed, 0 changed version.\n- added: hex 0.4.3 (linked)\n- artifact: thermo-fw: "),
        "{record}"
    );
    let artifact_line = record
        .lines()
        .find(|l| l.starts_with("- artifact: thermo-fw: "))
        .unwrap();
    assert!(
        artifact_line.ends_with(" bytes, digest changed"),
        "{artifact_line}"
    );
    // The release page shows the same changes.
    let page = std::fs::read_to_string(dir.join("release-evidence.html")).unwrap();
    assert!(
        page.contains("Compared with thermo-fw 0.9.0, from the evidence directory thermo-fw-0.9.0: 1 added, 0 removed, 0 changed version.")
            && page.contains("<td>added</td><td>hex 0.4.3 (linked)</td>"),
        "{page}"
    );
    // The earlier release's evidence is untouched.
    assert!(evidence_dir(&fx).join("release-evidence.json").is_file());
}

// Issue 9: changes are keyed by (name, version, source). A second version of a crate that
// already ships is an added package, not a changed version of the first.
#[test]
fn dependency_changes_keep_two_versions_of_one_crate_apart() {
    let fx = Fixture::example();
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 1, "{}", stderr(&out));
    // 0.9.1 also links smallvec 1.x, next to sensor-core's smallvec 0.6.13.
    fx.replace(
        "app/Cargo.toml",
        "version = \"0.9.0\"",
        "version = \"0.9.1\"",
    );
    fx.replace(
        "app/Cargo.toml",
        "unicode-ident = \"1\"",
        "unicode-ident = \"1\"\nsmallvec1 = { package = \"smallvec\", version = \"=1.16.6\" }",
    );
    fx.update_lockfile(&["--offline"]);
    let (code, summary, out) = main_job(&fx, &[]);
    assert_eq!(code, 1, "{}", stderr(&out));
    let dir = PathBuf::from(summary["evidence"][0]["evidence_dir"].as_str().unwrap());
    assert!(dir.ends_with("thermo-fw-0.9.1"));
    let sbom = read_json(&dir.join("thermo-fw.cdx.json"));
    let mut smallvecs: Vec<&str> = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "smallvec")
        .map(|c| c["version"].as_str().unwrap())
        .collect();
    smallvecs.sort();
    assert_eq!(smallvecs, ["0.6.13", "1.16.6"]);
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(
        record.contains(
            "Changes since thermo-fw 0.9.0 (from the evidence directory thermo-fw-0.9.0): 1 added, 0 removed, 0 changed version.\n- added: smallvec 1.16.6 (linked)\n"
        ),
        "{record}"
    );
}

// The release record's checklist is ticked from the manifest's data, not hard-coded.
#[test]
fn release_record_checklist_is_ticked_from_the_data() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    git(&fx.root, &["init", "-q", "-b", "main"]);
    git(&fx.root, &["add", "-A"]);
    git(&fx.root, &["commit", "-q", "-m", "release 0.9.0"]);
    git(&fx.root, &["tag", "v0.9.0"]);
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 0, "{}", stderr(&out));
    let checklist = |fx: &Fixture| {
        let record = std::fs::read_to_string(evidence_dir(fx).join("release-evidence.md")).unwrap();
        record
            .split("## Release checklist\n\n")
            .nth(1)
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        checklist(&fx),
        "- [x] Version tagged\n\
         - [x] Tree clean (no uncommitted changes)\n\
         - [x] Release gate passed\n\
         - [x] SBOM written\n\
         - [x] Checksums written (SHA256SUMS covers every artifact and evidence file)\n\
         - [ ] Tests and coverage meet thresholds (the policy has no [verification])\n\
         - [ ] Static analysis clean or accepted (the policy has no [verification])\n\
         - [ ] Trace matrix complete (the policy has no [verification])\n\
         - [ ] Approvals recorded (the policy names no required roles)\n\
         - [ ] Release signed (the signature is added by `sign` after this record was written)\n"
    );

    // Uncommitted changes and the exception taken back: the same items, now open.
    fx.replace("release-evidence.toml", EXCEPTION, "");
    fx.append(
        "release-evidence.toml",
        "\n[approvals]\nrequired-roles = [\"qa\"]\nallowed-signers = \"allowed_signers\"\n\n[approvals.roles]\nqa = [\"qa@example.com\"]\n",
    );
    fx.write("allowed_signers", "");
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 1, "{}", stderr(&out));
    assert_eq!(
        checklist(&fx),
        "- [x] Version tagged\n\
         - [ ] Tree clean (no uncommitted changes)\n\
         - [ ] Release gate passed (HOLD: 1 blocking)\n\
         - [x] SBOM written\n\
         - [x] Checksums written (SHA256SUMS covers every artifact and evidence file)\n\
         - [ ] Tests and coverage meet thresholds (the policy has no [verification])\n\
         - [ ] Static analysis clean or accepted (the policy has no [verification])\n\
         - [ ] Trace matrix complete (the policy has no [verification])\n\
         - [ ] Approvals recorded (required: qa; none at generation time)\n\
         - [ ] Release signed (the signature is added by `sign` after this record was written)\n"
    );
}
