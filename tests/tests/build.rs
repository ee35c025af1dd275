//! The controlled release build: the build record, provenance, the reproducibility check,
//! `verify-build`, and the user's rustflags. Real cargo builds of real workspaces.

use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn evidence_dir(fx: &Fixture, name: &str) -> PathBuf {
    fx.path(&format!("target/release/release-evidence/{name}"))
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn run(fx: &Fixture, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = fx.cmd();
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).output().unwrap()
}

fn git_commit_all(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "release"]);
}

/// A one-crate workspace with no dependencies; `build_rs` and `main_rs` are its code.
fn tiny_workspace(build_rs: Option<&str>, main_rs: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("tiny");
    std::fs::create_dir_all(src.join("src")).unwrap();
    std::fs::write(
        src.join("Cargo.toml"),
        "[package]\nname = \"clock-fw\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\npublish = false\n\n[workspace]\n",
    )
    .unwrap();
    if let Some(b) = build_rs {
        std::fs::write(src.join("build.rs"), b).unwrap();
    }
    std::fs::write(src.join("src/main.rs"), main_rs).unwrap();
    std::fs::write(
        src.join("release-evidence.toml"),
        format!(
            "[licenses]\nallow = [\"MIT\"]\n\n[advisories]\ndb-path = \"{}\"\nmax-age-days = 36500\n",
            fixture_db().display()
        ),
    )
    .unwrap();
    let out = std::process::Command::new("cargo")
        .args(["generate-lockfile", "--offline"])
        .current_dir(&src)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fx = Fixture::copy_of(&src);
    drop(dir);
    fx
}

const CLOCK_BUILD_RS: &str = r#"fn main() {
    // Embeds the build time: the classic way to break reproducibility.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("built_at.rs"), format!("pub const BUILT_AT: u128 = {nanos};\n")).unwrap();
}
"#;

const CLOCK_MAIN_RS: &str = r#"include!(concat!(env!("OUT_DIR"), "/built_at.rs"));
fn main() {
    println!("built at {BUILT_AT}");
}
"#;

#[test]
fn example_builds_reproducibly_and_records_how() {
    let fx = Fixture::example();
    git_commit_all(&fx.root);
    let out = run(
        &fx,
        &[
            "--offline",
            "--date",
            DATE,
            "--check-reproducible",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "HOLD on smallvec: {}",
        stderr(&out)
    );
    let dir = evidence_dir(&fx, "thermo-fw-0.9.0");
    let manifest = read_json(&dir.join("release-evidence.json"));
    let build = &manifest["build"];
    assert_eq!(build["reproducibility"]["identical"], true, "{build:#}");
    let cmp = &build["reproducibility"]["artifacts"][0];
    assert_eq!(cmp["name"], "thermo-fw");
    assert_eq!(cmp["sha256"], cmp["rebuilt_sha256"]);
    assert_eq!(cmp["sha256"], manifest["artifacts"][0]["sha256"]);
    assert_eq!(build["shipped_set_check"]["matches"], true, "{build:#}");
    assert_eq!(build["compiled_packages"], 31);
    assert_eq!(
        build["external_path_dependencies"],
        serde_json::json!(["../release-evidence-build"])
    );
    assert_eq!(build["env"]["CARGO_INCREMENTAL"], "0");
    let commit_time = std::process::Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(&fx.root)
        .output()
        .unwrap();
    let commit_time = String::from_utf8(commit_time.stdout).unwrap();
    assert_eq!(build["env"]["SOURCE_DATE_EPOCH"], commit_time.trim());
    assert_eq!(build["source_date_epoch"].to_string(), commit_time.trim());
    assert_eq!(build["source"]["dirty"], false);
    assert_eq!(build["source"]["commit"].as_str().unwrap().len(), 40);
    assert!(build["toolchain"]["rustc_sha256"].as_str().unwrap().len() == 64);
    assert_eq!(build["command"][0], "cargo");
    assert!(
        build["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--locked")
    );
    let effective: Vec<&str> = build["rustflags"]["effective"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        effective.contains(&"--remap-path-prefix=${WORKSPACE_ROOT}=/build"),
        "{effective:?}"
    );
    assert!(
        effective.contains(&"--remap-path-prefix=${CARGO_HOME}/registry/src=/cargo/registry/src")
    );
    // No absolute path of this machine in the record.
    let text = std::fs::read_to_string(dir.join("release-evidence.json")).unwrap();
    assert!(!text.contains(fx.root.to_str().unwrap()));

    // The provenance: an in-toto Statement v1 with an SLSA Provenance v1 predicate.
    let st = read_json(&dir.join("provenance.intoto.json"));
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(st["subject"][0]["name"], "thermo-fw");
    assert_eq!(st["subject"][0]["digest"]["sha256"], cmp["sha256"]);
    let def = &st["predicate"]["buildDefinition"];
    assert!(def["buildType"].as_str().unwrap().starts_with("https://"));
    assert_eq!(def["externalParameters"]["package"], "thermo-fw");
    assert_eq!(def["externalParameters"]["profile"], "release");
    assert_eq!(def["externalParameters"]["target"], host_triple());
    let deps = def["resolvedDependencies"].as_array().unwrap();
    assert_eq!(deps[0]["digest"]["gitCommit"], build["source"]["commit"]);
    assert!(deps.iter().any(
        |d| d["name"] == "Cargo.lock" && d["digest"]["sha256"] == manifest["cargo_lock_sha256"]
    ));
    assert!(deps.iter().any(|d| d["name"] == "rustc"));
    assert_eq!(def["internalParameters"]["slsaBuildLevel"], 1);
    let run_details = &st["predicate"]["runDetails"];
    assert!(
        run_details["builder"]["id"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(
        run_details["metadata"]["startedOn"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(
        run_details["metadata"]["finishedOn"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    // SHA256SUMS covers the provenance too.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("  provenance.intoto.json\n"));
}

fn host_triple() -> String {
    let out = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .unwrap()
}

#[test]
fn build_script_embedding_the_time_is_caught() {
    let fx = tiny_workspace(Some(CLOCK_BUILD_RS), CLOCK_MAIN_RS);
    let out = run(
        &fx,
        &[
            "--offline",
            "--date",
            DATE,
            "--check-reproducible",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["decision"], "HOLD");
    let dir = evidence_dir(&fx, "clock-fw-1.0.0");
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(manifest["gate"]["decision"], "HOLD");
    let repro = &manifest["build"]["reproducibility"];
    assert_eq!(repro["identical"], false);
    let cmp = &repro["artifacts"][0];
    assert_eq!(cmp["name"], "clock-fw");
    assert_ne!(cmp["sha256"], cmp["rebuilt_sha256"]);
    assert!(cmp["first_difference"].as_u64().is_some());
    let findings = manifest["gate"]["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["code"] == "RE-BUILD-NOT-REPRODUCIBLE")
        .expect("not-reproducible finding");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("artifact clock-fw is not reproducible: sha256 "),
        "{msg}"
    );
    assert!(msg.contains(cmp["sha256"].as_str().unwrap()));
    assert!(msg.contains(cmp["rebuilt_sha256"].as_str().unwrap()));
    assert!(msg.contains(&format!(
        "first difference at byte {}",
        cmp["first_difference"]
    )));
    assert_eq!(f["severity"], "error");

    // `build` alone reports the same and exits 1.
    let out = run(
        &fx,
        &[
            "build",
            "--offline",
            "--check-reproducible",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let builds: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(builds[0]["record"]["reproducibility"]["identical"], false);
    assert_eq!(
        builds[0]["findings"][0]["code"],
        "RE-BUILD-NOT-REPRODUCIBLE"
    );
}

#[test]
fn policy_can_require_a_reproducibility_check() {
    let fx = tiny_workspace(None, "fn main() { println!(\"steady\"); }\n");
    fx.append(
        "release-evidence.toml",
        "\n[build]\nrequire-reproducible = true\n",
    );
    let out = run(&fx, &["--offline", "--date", DATE, "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let manifest = read_json(&evidence_dir(&fx, "clock-fw-1.0.0").join("release-evidence.json"));
    assert_eq!(
        manifest["gate"]["findings"][0]["code"],
        "RE-BUILD-UNCHECKED"
    );
    let out = run(
        &fx,
        &[
            "--offline",
            "--date",
            DATE,
            "--check-reproducible",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn verify_build_passes_untouched_and_fails_after_changes() {
    let fx = tiny_workspace(None, "fn main() { println!(\"firmware 1.0.0\"); }\n");
    let out = run(&fx, &["--offline", "--date", DATE, "-q"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = evidence_dir(&fx, "clock-fw-1.0.0");
    let verify = |fx: &Fixture| {
        run(
            fx,
            &["verify-build", dir.to_str().unwrap(), "--offline"],
            &[],
        )
    };
    let ok = verify(&fx);
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains("verify-build: PASS"));

    // The recorded digest changed: FAIL.
    let manifest_path = dir.join("release-evidence.json");
    let original = std::fs::read_to_string(&manifest_path).unwrap();
    let mut m: Value = serde_json::from_str(&original).unwrap();
    m["build"]["artifacts"][0]["sha256"] = Value::String("0".repeat(64));
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let bad = verify(&fx);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).contains("DIFFERS  clock-fw"),
        "{}",
        stdout(&bad)
    );
    assert!(stdout(&bad).contains("RE-BUILD-NOT-REPRODUCIBLE"));
    std::fs::write(&manifest_path, &original).unwrap();

    // The source changed (not a git checkout: the current tree is rebuilt): FAIL.
    fx.replace("src/main.rs", "firmware 1.0.0", "firmware 1.0.0-patched");
    let bad = verify(&fx);
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    let report: Value = serde_json::from_slice(
        &run(
            &fx,
            &[
                "verify-build",
                dir.to_str().unwrap(),
                "--offline",
                "--format",
                "json",
            ],
            &[],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(report["identical"], false);
    assert!(
        report["artifacts"][0]["first_difference"]
            .as_u64()
            .is_some()
    );
}

#[test]
fn verify_build_rebuilds_the_recorded_commit_when_the_tree_moved_on() {
    let fx = tiny_workspace(None, "fn main() { println!(\"firmware 1.0.0\"); }\n");
    git_commit_all(&fx.root);
    let out = run(&fx, &["--offline", "--date", DATE, "-q"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = evidence_dir(&fx, "clock-fw-1.0.0");
    // Work continues after the release; the evidence still verifies against its commit.
    fx.replace("src/main.rs", "firmware 1.0.0", "firmware 1.1.0-dev");
    let out = run(
        &fx,
        &["verify-build", dir.to_str().unwrap(), "--offline"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("a git worktree of the recorded commit"));
    // The temporary worktree is gone again.
    let list = std::process::Command::new("git")
        .args(["worktree", "list"])
        .current_dir(&fx.root)
        .output()
        .unwrap();
    assert_eq!(stdout(&list).lines().count(), 1, "{}", stdout(&list));
}

#[test]
fn user_rustflags_are_appended_to_not_replaced() {
    let main = "fn main() {\n    #[cfg(fw_trace)]\n    println!(\"trace on\");\n    println!(\"done\");\n}\n";
    let fx = tiny_workspace(None, main);
    let out = run(
        &fx,
        &["--offline", "--date", DATE, "-q"],
        &[("RUSTFLAGS", "--cfg fw_trace")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let manifest = read_json(&evidence_dir(&fx, "clock-fw-1.0.0").join("release-evidence.json"));
    let flags = &manifest["build"]["rustflags"];
    assert_eq!(flags["user_source"], "RUSTFLAGS");
    assert_eq!(flags["user"], serde_json::json!(["--cfg", "fw_trace"]));
    assert_eq!(flags["effective"][0], "--cfg");
    assert_eq!(flags["effective"][1], "fw_trace");
    assert!(
        flags["effective"][2]
            .as_str()
            .unwrap()
            .starts_with("--remap-path-prefix=")
    );
    // The flag reached rustc: the binary was built with the user's cfg.
    let exe = fx.path("target/release/clock-fw");
    let printed = std::process::Command::new(exe).output().unwrap();
    assert_eq!(stdout(&printed), "trace on\ndone\n");

    // Flags from cargo config are found as well.
    fx.write(
        ".cargo/config.toml",
        "[build]\nrustflags = [\"--cfg\", \"fw_trace\"]\n",
    );
    let out = run(&fx, &["--offline", "--date", DATE, "-q"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let manifest = read_json(&evidence_dir(&fx, "clock-fw-1.0.0").join("release-evidence.json"));
    assert_eq!(
        manifest["build"]["rustflags"]["user_source"],
        "config build.rustflags"
    );
    let printed = std::process::Command::new(fx.path("target/release/clock-fw"))
        .output()
        .unwrap();
    assert_eq!(stdout(&printed), "trace on\ndone\n");
}

#[test]
fn failed_build_keeps_cargos_message_and_exits_2() {
    let fx = tiny_workspace(None, "fn main() { let x: u32 = \"not a number\"; }\n");
    let out = run(&fx, &["build", "--offline"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("mismatched types"), "{err}");
    assert!(err.contains("`cargo build"), "{err}");
}
