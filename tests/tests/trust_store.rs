//! Never destroy what we did not write: where evidence may go, artifacts inside the sealed
//! evidence, evidence recognised as ours, atomic `init`, and `--locked` cargo metadata. The one
//! lock for every writer and the recovery of killed runs are in `trust_store_locks.rs`.

use release_evidence_tests::store::*;
use release_evidence_tests::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn assert_refused(out: &Output, reason: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`--evidence-dir`"), "{err}");
    assert!(err.contains(reason), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
}

#[test]
fn evidence_dir_at_the_workspace_its_ancestors_or_its_sources_is_refused() {
    let fx = Fixture::example();
    fake_artifact(&fx);
    let before = tree(&fx.root);
    let parent_before = names(fx.root.parent().unwrap());

    // `--evidence-dir .` deleted the whole workspace and passed.
    let out = main_job(&fx, &["--no-build", "--evidence-dir", "."]);
    assert_refused(&out, "is the workspace root");
    assert_eq!(tree(&fx.root), before, "the workspace changed");
    assert_eq!(fx.read("target/release/thermo-fw"), "firmware image v1\n");

    let out = main_job(&fx, &["--no-build", "--evidence-dir", ".."]);
    assert_refused(&out, "is an ancestor of the workspace root");
    assert_eq!(names(fx.root.parent().unwrap()), parent_before);

    let out = main_job(&fx, &["--no-build", "--evidence-dir", "app"]);
    assert_refused(&out, "is inside the source tree");
    // A new directory inside the sources (not under target/) is refused and not created …
    let out = main_job(&fx, &["--no-build", "--evidence-dir", "app/src/evidence"]);
    assert_refused(&out, "is inside the source tree");
    // … also through `..` and symbolic links.
    let out = main_job(&fx, &["--no-build", "--evidence-dir", "target/../docs"]);
    assert_refused(&out, "is inside the source tree");
    std::os::unix::fs::symlink(&fx.root, fx.outside("links").join("ws")).unwrap();
    let via_link = fx.outside("links").join("ws/evidence");
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", via_link.to_str().unwrap()],
    );
    assert_refused(&out, "is inside the source tree");
    // The path package beside the workspace is source too.
    let out = main_job(
        &fx,
        &[
            "--no-build",
            "--evidence-dir",
            "../release-evidence-build/ev",
        ],
    );
    assert_refused(&out, "is inside the source tree");
    assert_eq!(tree(&fx.root), before, "the workspace changed");

    // `sbom` into an evidence directory follows the same rules.
    let out = fx.run(&["sbom", "--offline", "--date", DATE, "--evidence-dir", "."]);
    assert_refused(&out, "is the workspace root");
    assert_eq!(tree(&fx.root), before, "the workspace changed");

    // Under the target directory, or outside the workspace, is fine.
    let out = main_job(&fx, &["--no-build", "--evidence-dir", "target/ev"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(sha256sum_ok(&fx.path("target/ev")));
}

#[test]
fn existing_folder_or_file_that_is_not_our_evidence_is_refused_untouched() {
    let fx = Fixture::example();
    fake_artifact(&fx);
    let base = fx.outside("out");

    let folder = base.join("release");
    std::fs::create_dir_all(folder.join("keep")).unwrap();
    std::fs::write(folder.join("notes.txt"), "my notes\n").unwrap();
    std::fs::write(folder.join("keep/data.bin"), "data\n").unwrap();
    let before = tree(&folder);
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", folder.to_str().unwrap()],
    );
    assert_refused(&out, "is not evidence written by cargo-release-evidence");
    assert_eq!(tree(&folder), before);

    let file = base.join("evidence.txt");
    std::fs::write(&file, "a file\n").unwrap();
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", file.to_str().unwrap()],
    );
    assert_refused(&out, "exists and is a file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "a file\n");
    // Nothing was moved aside or created next to them (no lock file either).
    assert_eq!(names(&base), vec!["evidence.txt", "release"]);

    // A manifest of another schema does not make a folder ours.
    std::fs::write(folder.join("release-evidence.json"), "{\"schema\":\"x\"}\n").unwrap();
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", folder.to_str().unwrap()],
    );
    assert_refused(&out, "is not evidence written by cargo-release-evidence");

    // Our evidence with a file we did not write in it is not replaced either.
    let ours = base.join("ours");
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", ours.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(names(&ours).contains(&"release-evidence.tag".to_owned()));
    std::fs::write(ours.join("review-notes.txt"), "mine\n").unwrap();
    let before = tree(&ours);
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", ours.to_str().unwrap()],
    );
    assert_refused(
        &out,
        "holds files cargo-release-evidence did not write (review-notes.txt)",
    );
    assert_eq!(tree(&ours), before);
    std::fs::remove_file(ours.join("review-notes.txt")).unwrap();
    let out = main_job(
        &fx,
        &["--no-build", "--evidence-dir", ours.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// Evidence as an earlier version wrote it: no marker, the artifact outside (`../../thermo-fw`).
fn make_legacy(dir: &Path, artifact_sha: &str) {
    std::fs::remove_file(dir.join("release-evidence.tag")).unwrap();
    std::fs::remove_file(dir.join("thermo-fw")).unwrap();
    let sums: String = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with("  release-evidence.tag") && !l.ends_with("  thermo-fw"))
        .map(|l| format!("{l}\n"))
        .chain([format!("{artifact_sha}  ../../thermo-fw\n")])
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
}

#[test]
fn evidence_without_a_marker_is_recognised_by_its_manifest() {
    let fx = Fixture::example();
    fake_artifact(&fx);
    assert_eq!(main_job(&fx, &["--no-build"]).status.code(), Some(1));
    let dir = evidence(&fx);
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("release-evidence.json")).unwrap())
            .unwrap();
    make_legacy(&dir, m["artifacts"][0]["sha256"].as_str().unwrap());
    assert!(sha256sum_ok(&dir), "legacy evidence verifies");
    let out = main_job(&fx, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(names(&dir).contains(&"release-evidence.tag".to_owned()));
    assert!(sha256sum_ok(&dir));

    // Sealed legacy evidence: --force would leave its moved copy pointing at an artifact the
    // new build overwrites, so it is refused, untouched.
    make_legacy(&dir, m["artifacts"][0]["sha256"].as_str().unwrap());
    std::fs::write(dir.join("approval-qa-x.json"), "{}\n").unwrap();
    std::fs::write(dir.join("approval-qa-x.json.sig"), "sig\n").unwrap();
    let before = tree(&dir);
    let out = main_job(&fx, &["--no-build", "--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`--force`") && err.contains("../../thermo-fw"),
        "{err}"
    );
    assert_eq!(tree(&dir), before);
}

#[test]
fn sealed_evidence_keeps_its_artifacts_through_build_and_force() {
    let fx = Fixture::example();
    let out = main_job(&fx, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let dir = evidence(&fx);
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("release-evidence.json")).unwrap())
            .unwrap();
    // The artifact is copied into the evidence; SHA256SUMS lists it inside.
    assert_eq!(m["artifacts"][0]["path"], "thermo-fw");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(!sums.contains("../"), "{sums}");
    assert!(sums.contains("  thermo-fw\n") && sums.contains("  release-evidence.tag\n"));
    assert_eq!(
        std::fs::read(dir.join("thermo-fw")).unwrap(),
        std::fs::read(fx.path("target/release/thermo-fw")).unwrap()
    );
    let command = m["build"]["command"].as_array().unwrap();
    assert!(command.iter().any(|a| a == "--locked"), "{command:?}");
    // Sealed (an approval), then the next candidate is built over the artifact.
    std::fs::write(dir.join("approval-qa-x.json"), "{}\n").unwrap();
    std::fs::write(dir.join("approval-qa-x.json.sig"), "sig\n").unwrap();
    let sealed = tree(&dir);
    fx.replace(
        "app/src/main.rs",
        "fn main() {",
        "fn main() {\n    println!(\"0.9.0-rc2\");",
    );
    let out = fx.run(&["build", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_ne!(
        std::fs::read(fx.path("target/release/thermo-fw")).unwrap(),
        sealed["thermo-fw"],
        "the build changed the artifact"
    );
    assert_eq!(tree(&dir), sealed);
    assert!(sha256sum_ok(&dir), "sealed evidence still verifies");

    // --force moves the evidence with its artifact: the moved copy still verifies.
    fx.append("release-evidence.toml", EXCEPTION);
    let out = main_job(&fx, &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let aside = dir.with_file_name(format!("{NAME}.1"));
    assert_eq!(tree(&aside), sealed);
    assert!(sha256sum_ok(&aside), "moved copy verifies");
    assert!(sha256sum_ok(&dir));
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn sbom_into_a_new_evidence_directory_marks_it_ours() {
    let fx = Fixture::example();
    fake_artifact(&fx);
    let out = fx.run(&["sbom", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = evidence(&fx);
    assert_eq!(
        names(&dir),
        vec!["release-evidence.tag", "thermo-fw.cdx.json"]
    );
    // The main job recognises it and replaces it with complete evidence.
    let out = main_job(&fx, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(sha256sum_ok(&dir));
}

#[test]
fn init_writes_atomically() {
    let fx = Fixture::example();
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    // A file-size limit makes the write fail half-way (EFBIG): no half-written policy.
    let out = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 1; exec \"$0\" init --offline --no-cache",
        ])
        .arg(bin())
        .current_dir(&fx.root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        !fx.path("release-evidence.toml").exists(),
        "a truncated policy was left"
    );
    assert!(
        names(&fx.root).iter().all(|n| !n.contains(".tmp-")),
        "{:?}",
        names(&fx.root)
    );
    let out = fx.run(&["init", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = fx.read("release-evidence.toml");
    assert!(written.ends_with("\n") && written.contains("pending-review = true"));
    let again = fx.run(&["init", "--offline", "--date", DATE]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
    assert_eq!(fx.read("release-evidence.toml"), written);
}

#[test]
fn a_stale_empty_or_missing_lockfile_is_an_error_naming_the_fix() {
    let fx = Fixture::example();
    let lock = std::fs::read(fx.path("Cargo.lock")).unwrap();
    fx.replace(
        "app/Cargo.toml",
        "[dependencies]\n",
        "[dependencies]\nhex = \"0.4\"\n",
    );
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`cargo update --workspace`")
            && err.contains("`cargo generate-lockfile`")
            && err.contains("--no-locked"),
        "{err}"
    );
    assert_eq!(std::fs::read(fx.path("Cargo.lock")).unwrap(), lock);
    // The main job stops before building, with the lockfile untouched.
    let out = main_job(&fx, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read(fx.path("Cargo.lock")).unwrap(), lock);
    assert!(!fx.path("target/release/thermo-fw").exists());

    std::fs::write(fx.path("Cargo.lock"), "").unwrap();
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read(fx.path("Cargo.lock")).unwrap(), b"");
    std::fs::remove_file(fx.path("Cargo.lock")).unwrap();
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cargo generate-lockfile"));
    assert!(!fx.path("Cargo.lock").exists());

    // --no-locked lets cargo write it, and the build record says how cargo ran.
    std::fs::write(fx.path("Cargo.lock"), &lock).unwrap();
    let out = main_job(&fx, &["--no-locked"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_ne!(std::fs::read(fx.path("Cargo.lock")).unwrap(), lock);
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(evidence(&fx).join("release-evidence.json")).unwrap(),
    )
    .unwrap();
    let command = m["build"]["command"].as_array().unwrap();
    assert!(!command.iter().any(|a| a == "--locked"), "{command:?}");
    let out = fx.run(&["check", "--no-locked", "--locked"]);
    assert_eq!(out.status.code(), Some(2));
}
