//! release-evidence-build: the evidence inside the binary. The example app is built with real
//! cargo, read back with `inspect`, with `readelf`, and with the `auditable-info` crate (the
//! reader `cargo audit bin` uses), and the build-time gate stops a build.

use release_evidence_tests::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cargo_build(fx: &Fixture, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new("cargo");
    c.args([
        "build",
        "--release",
        "--offline",
        "--locked",
        "-p",
        "thermo-fw",
    ])
    .current_dir(&fx.root)
    .env_remove("CARGO_TARGET_DIR")
    .env_remove("RELEASE_EVIDENCE_ENFORCE")
    .env_remove("CARGO_AUDITABLE_ORIG_ARGS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn binary(fx: &Fixture) -> PathBuf {
    fx.path("target/release/thermo-fw")
}

fn inspect(fx: &Fixture, bin: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "inspect",
        bin.to_str().unwrap(),
        "--format",
        "json",
        "--date",
        DATE,
    ];
    args.extend_from_slice(extra);
    let out = fx.run(&args);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    (out.status.code().unwrap(), v)
}

fn names_versions(list: &Value) -> BTreeSet<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn sections(bin: &Path) -> String {
    let out = Command::new("readelf")
        .args(["-SW"])
        .arg(bin)
        .output()
        .unwrap();
    stdout(&out)
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    stdout(&out)[..64].to_owned()
}

#[test]
fn the_binary_carries_exactly_the_shipped_set_and_its_evidence() {
    let fx = Fixture::example();
    let out = cargo_build(&fx, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bin = binary(&fx);
    let secs = sections(&bin);
    assert!(secs.contains(" .dep-v0 "), "{secs}");
    assert!(secs.contains(" .release-evidence "), "{secs}");

    // inspect lists exactly the gate's shipped set (linked + build-time) for this target.
    let (_, gate) = fx.check_json(&[]);
    let member = &gate["members"][0];
    let mut shipped = names_versions(&member["linked"]);
    shipped.extend(names_versions(&member["build_time"]));
    let (code, report) = inspect(
        &fx,
        &bin,
        &["--advisory-db", fixture_db().to_str().unwrap()],
    );
    assert_eq!(names_versions(&report["packages"]), shipped);
    let root: Vec<&Value> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["root"] == true)
        .collect();
    assert_eq!(root.len(), 1);
    assert_eq!(root[0]["name"], "thermo-fw");
    assert_eq!(
        report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "autocfg")
            .unwrap()["kind"],
        "build"
    );

    // … and audits what was shipped: smallvec's advisory, exit 1.
    assert_eq!(code, 1);
    assert_eq!(report["audited"], true);
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["advisory"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["RUSTSEC-2021-0003"]);

    // The evidence record.
    let record = &report["record"];
    assert_eq!(record["name"], "thermo-fw");
    assert_eq!(record["version"], "0.9.0");
    assert_eq!(record["evidence_id"], "thermo-fw-0.9.0");
    assert_eq!(record["profile"], "release");
    assert_eq!(
        record["lock_sha256"],
        sha256_hex(&fx.path("Cargo.lock")).as_str()
    );
    assert_eq!(record["dependency_count"], shipped.len());

    // The same list, read by the reader cargo-audit uses.
    let info = auditable_info::audit_info_from_file(&bin, Default::default()).unwrap();
    let theirs: BTreeSet<(String, String)> = info
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.to_string()))
        .collect();
    assert_eq!(theirs, shipped);

    // The firmware reports its evidence at run time (no_std accessor, static data).
    let v = Command::new(&bin).arg("--version").output().unwrap();
    let text = stdout(&v);
    assert!(
        text.starts_with("thermo-fw 0.9.0 (commit unknown, "),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} packages", shipped.len())),
        "{text}"
    );
    assert!(text.contains(&sha256_hex(&fx.path("Cargo.lock"))), "{text}");
    assert!(
        text.trim_end().ends_with("evidence thermo-fw-0.9.0)"),
        "{text}"
    );
}

#[test]
fn survives_fat_lto_and_strip() {
    let fx = Fixture::example();
    fx.replace(
        "Cargo.toml",
        "strip = \"symbols\"",
        "strip = true\nlto = \"fat\"\ncodegen-units = 1",
    );
    let out = cargo_build(&fx, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bin = binary(&fx);
    assert!(sections(&bin).contains(" .dep-v0 "));
    let info = auditable_info::audit_info_from_file(&bin, Default::default()).unwrap();
    assert!(info.packages.iter().any(|p| p.name == "smallvec"));
    let (_, report) = inspect(&fx, &bin, &[]);
    assert_eq!(report["record"]["name"], "thermo-fw");
}

#[test]
fn two_checkouts_at_different_paths_build_identical_binaries() {
    let a = Fixture::example();
    let b = Fixture::example_at("another/much/longer/path");
    for fx in [&a, &b] {
        let out = cargo_build(fx, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(sha256_hex(&binary(&a)), sha256_hex(&binary(&b)));
}

#[test]
fn a_cargo_auditable_build_keeps_dep_v0_to_itself() {
    let fx = Fixture::example();
    let out = cargo_build(&fx, &[("CARGO_AUDITABLE_ORIG_ARGS", "[]")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("leaving the .dep-v0 section to cargo-auditable"));
    let secs = sections(&binary(&fx));
    assert!(!secs.contains(" .dep-v0 "), "{secs}");
    assert!(secs.contains(" .release-evidence "));
}

#[test]
fn enforced_build_stops_on_hold_and_passes_when_approved() {
    let fx = Fixture::example();
    // Accept the known advisory (far in the future, so the test does not age).
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"not reachable\"\napproved-by = \"sec@example.com\"\nexpires = 2099-12-31\n",
    );
    let tool = bin();
    let tool = tool.to_str().unwrap();
    let ok = cargo_build(
        &fx,
        &[
            ("RELEASE_EVIDENCE_ENFORCE", "1"),
            ("RELEASE_EVIDENCE_BIN", tool),
        ],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stderr(&ok).contains("release gate: PASS for thermo-fw"),
        "{}",
        stderr(&ok)
    );

    // An unapproved dependency: the build fails with the finding in its output.
    let policy = fx.read("release-evidence.toml");
    let start = policy.find("[[approved]]\nname = \"crc-catalog\"").unwrap();
    let end = start + policy[start..].find("\n\n").unwrap();
    fx.write(
        "release-evidence.toml",
        &format!("{}{}", &policy[..start], &policy[end + 2..]),
    );
    let bad = cargo_build(
        &fx,
        &[
            ("RELEASE_EVIDENCE_ENFORCE", "1"),
            ("RELEASE_EVIDENCE_BIN", tool),
        ],
    );
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(
        err.contains("error[RE-APPROVAL-MISSING] crc-catalog 2.5.0 is not approved"),
        "{err}"
    );
    assert!(
        err.contains("the release gate decided HOLD for thermo-fw"),
        "{err}"
    );

    // Without enforcement the same build goes through.
    let plain = cargo_build(&fx, &[("RELEASE_EVIDENCE_BIN", tool)]);
    assert!(plain.status.success(), "{}", stderr(&plain));

    // The policy can switch enforcement on for release builds.
    fx.append(
        "release-evidence.toml",
        "\n[build]\nenforce-profiles = [\"release\"]\n",
    );
    let by_policy = cargo_build(&fx, &[("RELEASE_EVIDENCE_BIN", tool)]);
    assert!(!by_policy.status.success());
    assert!(
        stderr(&by_policy).contains("RE-APPROVAL-MISSING"),
        "{}",
        stderr(&by_policy)
    );
}

/// The build crate reads the policy with a TOML parser: a comment after `[build]` or a
/// multi-line `enforce-profiles` switches enforcement on as written; the policy may live in
/// `[workspace.metadata.release-evidence]`; a policy it cannot read stops the build.
#[test]
fn enforcement_reads_the_policy_as_toml_and_stops_on_an_unreadable_one() {
    let fx = Fixture::example();
    let tool = bin();
    let tool = tool.to_str().unwrap();
    let env = [("RELEASE_EVIDENCE_BIN", tool)];
    // The gate holds: the known advisory is accepted, but crc-catalog is no longer approved.
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"not reachable\"\napproved-by = \"sec@example.com\"\nexpires = 2099-12-31\n",
    );
    let policy = fx.read("release-evidence.toml");
    let start = policy.find("[[approved]]\nname = \"crc-catalog\"").unwrap();
    let end = start + policy[start..].find("\n\n").unwrap();
    let holding = format!("{}{}", &policy[..start], &policy[end + 2..]);

    // `[build]` with a comment, and the profiles over several lines.
    fx.write(
        "release-evidence.toml",
        &format!(
            "{holding}\n[build] # release builds are gated\nenforce-profiles = [\n  \"dev\",\n  \"release\", # shipped\n]\n"
        ),
    );
    let out = cargo_build(&fx, &env);
    assert!(!out.status.success(), "enforcement was off");
    let err = stderr(&out);
    assert!(err.contains("RE-APPROVAL-MISSING"), "{err}");
    assert!(
        err.contains("the release gate decided HOLD for thermo-fw"),
        "{err}"
    );

    // The same policy as [workspace.metadata.release-evidence] in the root Cargo.toml.
    let in_cargo_toml: String = fx
        .read("release-evidence.toml")
        .lines()
        .map(|l| {
            if let Some(rest) = l.strip_prefix("[[") {
                format!("[[workspace.metadata.release-evidence.{rest}\n")
            } else if let Some(rest) = l.strip_prefix('[') {
                format!("[workspace.metadata.release-evidence.{rest}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    fx.append("Cargo.toml", &format!("\n{in_cargo_toml}"));
    let out = cargo_build(&fx, &env);
    assert!(!out.status.success(), "enforcement from Cargo.toml was off");
    assert!(
        stderr(&out).contains("RE-APPROVAL-MISSING"),
        "{}",
        stderr(&out)
    );

    // A policy file that is not TOML: the build stops and says why, with the place.
    fx.write(
        "release-evidence.toml",
        "[release]\nmembers = [\"thermo-fw\"\n[build\n",
    );
    let out = cargo_build(&fx, &env);
    assert!(!out.status.success(), "an unreadable policy was ignored");
    let err = stderr(&out);
    assert!(
        err.contains("cannot read the policy in") && err.contains("release-evidence.toml"),
        "{err}"
    );
    assert!(err.contains("line 3"), "{err}");

    // `enforce-profiles` of the wrong type is not "off" either.
    fx.write(
        "release-evidence.toml",
        "[build]\nenforce-profiles = \"release\"\n",
    );
    let out = cargo_build(&fx, &env);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("enforce-profiles must be a list of profile names"),
        "{}",
        stderr(&out)
    );
}
