//! Never destroy what we did not write: where evidence may go, artifacts inside the sealed
//! evidence, one lock for every writer with the seal re-checked before the swap, recovery of
//! killed runs (real SIGKILLs), atomic `init`, and `--locked` cargo metadata.

use release_evidence_tests::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

const NAME: &str = "thermo-fw-0.9.0";

fn main_args(extra: &[&str]) -> Vec<String> {
    ["--offline", "--date", DATE, "--format", "json"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn main_job(fx: &Fixture, extra: &[&str]) -> Output {
    fx.cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(main_args(extra))
        .output()
        .unwrap()
}

/// The main job in its own process group (so a SIGKILL of the group takes cargo along, as a
/// CI runner cancelling a job does).
fn spawn_main_job(fx: &Fixture, extra: &[&str], env: &[(&str, &Path)]) -> Child {
    let mut c = fx.cmd();
    c.env("SOURCE_DATE_EPOCH", "1780000000")
        .args(main_args(extra))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in env {
        c.env(k, v);
    }
    c.spawn().unwrap()
}

fn kill_group(child: &mut Child) {
    let pgid = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-KILL", "--", &pgid]).status();
    let _ = child.wait();
}

/// A fake release artifact where a previous build leaves it (for `--no-build`).
fn fake_artifact(fx: &Fixture) {
    fx.write("target/release/thermo-fw", "firmware image v1\n");
}

fn evidence(fx: &Fixture) -> PathBuf {
    fx.path("target/release/release-evidence").join(NAME)
}

/// Every file under `dir` (recursively, `target/` skipped) with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(base).unwrap().display().to_string();
            let ty = e.file_type().unwrap();
            if rel == "target" {
                continue;
            } else if ty.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &e.path(), out);
            } else if ty.is_symlink() {
                let link = std::fs::read_link(e.path()).unwrap();
                out.insert(rel, link.display().to_string().into_bytes());
            } else {
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `.NAME.staging-*` and `.NAME.old-*` next to the evidence directory.
fn leftovers(dir: &Path) -> Vec<String> {
    names(dir.parent().unwrap())
        .into_iter()
        .filter(|n| n.contains(".staging-") || n.contains(".old-"))
        .collect()
}

fn sha256sum_ok(dir: &Path) -> bool {
    let out = Command::new("sha256sum")
        .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap();
    out.status.success()
}

fn wait_for(path: &Path, child: &mut Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the main job ended ({status}) before {}", path.display());
        }
        assert!(start.elapsed() < Duration::from_secs(600), "timed out");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), stderr(&out))
}

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

const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa"]
allowed-signers = "allowed_signers"
[approvals.roles]
qa = ["qa@example.com"]
"#;

/// A build script that, when `RE_TEST_REACHED`/`RE_TEST_HOLD` are set, says it started and
/// waits for the hold file: a build that takes as long as the test wants.
const SLOW_BUILD_RS: &str = r#"fn main() {
    println!("cargo:rerun-if-env-changed=RE_TEST_HOLD");
    if let (Ok(reached), Ok(hold)) = (std::env::var("RE_TEST_REACHED"), std::env::var("RE_TEST_HOLD")) {
        std::fs::write(&reached, "building\n").unwrap();
        while !std::path::Path::new(&hold).exists() {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    release_evidence_build::embed();
}
"#;

/// The example (PASS) with one approving role, a QA key, and a slow-when-asked build script.
fn approvable() -> (Fixture, String) {
    let fx = Fixture::example();
    let keys = fx.outside("keys");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "qa", "-f"])
        .arg(keys.join("qa"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let public = std::fs::read_to_string(keys.join("qa.pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    fx.write(
        "allowed_signers",
        &format!(
            "qa@example.com namespaces=\"release-evidence-approval-v1\" {}\n",
            public.join(" ")
        ),
    );
    fx.append("release-evidence.toml", APPROVALS);
    fx.append("release-evidence.toml", EXCEPTION);
    fx.write("app/build.rs", SLOW_BUILD_RS);
    (fx, keys.join("qa").display().to_string())
}

fn approve(fx: &Fixture, key: &str) -> Command {
    let mut c = fx.cmd();
    c.args(["approve", "--date", DATE, "--role", "qa", "--key", key]);
    c
}

#[test]
fn an_approval_made_while_the_main_job_builds_is_never_lost() {
    let (fx, key) = approvable();
    let out = main_job(&fx, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = evidence(&fx);
    let hold = fx.outside("sync").join("hold-1");
    let reached = fx.outside("sync").join("reached-1");
    let mut job = spawn_main_job(
        &fx,
        &[],
        &[("RE_TEST_HOLD", &hold), ("RE_TEST_REACHED", &reached)],
    );
    wait_for(&reached, &mut job);
    // The main job is building (it checked the seal before): approving does not wait for it.
    let out = approve(&fx, &key).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let approved = tree(&dir);
    assert!(approved.keys().any(|n| n.starts_with("approval-qa-")));
    std::fs::write(&hold, "go\n").unwrap();
    // Under the lock, right before the swap, the seal is checked again: refused, not replaced.
    let (code, err) = finish(job);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is sealed") && err.contains("`--force`"),
        "{err}"
    );
    assert_eq!(tree(&dir), approved);
    assert!(sha256sum_ok(&dir));
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));

    // A main job killed (with its cargo) in the middle of the build leaves nothing behind.
    let hold = fx.outside("sync").join("hold-2");
    let reached = fx.outside("sync").join("reached-2");
    let mut job = spawn_main_job(
        &fx,
        &["--force"],
        &[("RE_TEST_HOLD", &hold), ("RE_TEST_REACHED", &reached)],
    );
    wait_for(&reached, &mut job);
    kill_group(&mut job);
    assert_eq!(tree(&dir), approved);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn approve_and_the_main_job_wait_for_the_one_lock() {
    let (fx, key) = approvable();
    let out = main_job(&fx, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = evidence(&fx);
    let lock_path = dir.with_file_name(format!(".{NAME}.lock"));
    let lock = std::fs::File::options()
        .write(true)
        .open(&lock_path)
        .unwrap();
    lock.lock().unwrap();
    let before = tree(&dir);

    let mut approving = approve(&fx, &key).stderr(Stdio::piped()).spawn().unwrap();
    let mut main = spawn_main_job(&fx, &["--no-build"], &[]);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        approving.try_wait().unwrap().is_none(),
        "approve did not wait"
    );
    assert!(
        main.try_wait().unwrap().is_none(),
        "the main job did not wait"
    );
    assert_eq!(tree(&dir), before);
    // Killed while it waits for the lock: nothing is left behind.
    kill_group(&mut main);
    drop(lock);
    let out = approving.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waiting for another run"),
        "{}",
        stderr(&out)
    );
    assert!(names(&dir).iter().any(|n| n.starts_with("approval-qa-")));
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn killed_runs_leave_no_orphans_and_the_evidence_intact() {
    let fx = Fixture::example();
    fake_artifact(&fx);
    let out = main_job(&fx, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let dir = evidence(&fx);
    let good = tree(&dir);
    let start = Instant::now();
    assert_eq!(main_job(&fx, &["--no-build"]).status.code(), Some(1));
    let run = start.elapsed();
    // SIGKILL at points spread over a whole run (gate, staging, swap, cleanup).
    let points = 40;
    for i in 0..points {
        let mut job = spawn_main_job(&fx, &["--no-build"], &[]);
        std::thread::sleep(run * i / (points - 4));
        kill_group(&mut job);
        let parent = names(dir.parent().unwrap());
        assert!(
            dir.is_dir() || parent.iter().any(|n| n.contains(".old-")),
            "no evidence and no backup after a kill at point {i}: {parent:?}"
        );
    }
    let out = main_job(&fx, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        leftovers(&dir).is_empty(),
        "{:?}\n{}",
        leftovers(&dir),
        stderr(&out)
    );
    assert_eq!(tree(&dir), good);
    assert!(sha256sum_ok(&dir));
}

/// A pid that no process has now.
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

#[test]
fn leftovers_of_a_run_killed_mid_swap_are_restored_or_cleaned() {
    let fx = Fixture::example();
    fake_artifact(&fx);
    assert_eq!(main_job(&fx, &["--no-build"]).status.code(), Some(1));
    let dir = evidence(&fx);
    let good = tree(&dir);
    let parent = dir.parent().unwrap();
    // Killed between its two renames: the evidence is in the backup, the new one staged.
    let pid = dead_pid();
    let old = parent.join(format!(".{NAME}.old-{pid}"));
    let staging = parent.join(format!(".{NAME}.staging-{pid}"));
    std::fs::rename(&dir, &old).unwrap();
    copy_dir(&old, &staging);
    std::fs::remove_file(staging.join("SHA256SUMS")).unwrap();
    // An older run's empty staging directory, and one that is not ours.
    let empty = parent.join(format!(".{NAME}.staging-{}", dead_pid()));
    std::fs::create_dir(&empty).unwrap();
    let foreign = parent.join(format!(".{NAME}.staging-{}", dead_pid()));
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "not yours\n").unwrap();

    // `sbom` takes the lock too: it restores the evidence before writing into it.
    let out = fx.run(&["sbom", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("restored {}", dir.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("left {} in place", foreign.display())),
        "{err}"
    );
    assert_eq!(
        leftovers(&dir),
        vec![foreign.file_name().unwrap().to_str().unwrap()]
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "not yours\n"
    );
    std::fs::remove_dir_all(&foreign).unwrap();

    // Killed after the swap: a sealed backup is kept (moved aside), never deleted.
    let out = main_job(&fx, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(tree(&dir), good);
    let old = parent.join(format!(".{NAME}.old-{}", dead_pid()));
    copy_dir(&dir, &old);
    std::fs::write(old.join("approval-qa-x.json"), "{}\n").unwrap();
    let sealed = tree(&old);
    let out = main_job(&fx, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("moved sealed evidence"),
        "{}",
        stderr(&out)
    );
    assert_eq!(tree(&dir.with_file_name(format!("{NAME}.1"))), sealed);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    assert_eq!(tree(&dir), good);
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
