//! Never destroy what we did not write, with several writers: one lock for every writer with
//! the seal re-checked before the swap, and recovery of killed runs (real SIGKILLs), a run
//! killed mid-swap included.

use release_evidence_tests::store::*;
use release_evidence_tests::*;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
