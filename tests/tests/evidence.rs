//! The main job: real `cargo build` of the example, then SBOM, manifest, release record and
//! SHA256SUMS next to the artifacts; determinism, atomicity and sealing.

use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

/// Runs the main job with JSON output; returns (exit code, summary JSON, output).
fn main_job(fx: &Fixture, extra: &[&str]) -> (i32, Value, Output) {
    let mut args = vec!["--offline", "--date", DATE, "--format", "json"];
    args.extend_from_slice(extra);
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(&args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (code, v, out)
}

fn evidence_dir(fx: &Fixture) -> PathBuf {
    fx.path("target/release/release-evidence/thermo-fw-0.9.0")
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

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

fn sha256sum_check(dir: &Path) -> Output {
    std::process::Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn hold_still_writes_complete_evidence_marked_hold() {
    let fx = Fixture::example();
    fx.without_verification();
    let (code, summary, out) = main_job(&fx, &[]);
    assert_eq!(code, 1, "{}", stderr(&out));
    assert_eq!(summary["decision"], "HOLD");
    let dir = evidence_dir(&fx);
    assert_eq!(
        summary["evidence_dir"].as_str().unwrap(),
        dir.to_str().unwrap()
    );
    assert_eq!(
        listing(&dir),
        vec![
            "SHA256SUMS",
            "clause-map.json",
            "provenance.intoto.json",
            "release-evidence.html",
            "release-evidence.json",
            "release-evidence.md",
            "release-evidence.tag",
            "soup.csv",
            "soup.json",
            "thermo-fw",
            "thermo-fw.cdx.json",
            "thermo-fw.cdx.vex.json",
            "thermo-fw.openvex.json"
        ]
    );
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(manifest["schema"], "cargo-release-evidence/manifest");
    assert_eq!(manifest["schema_version"], 2);
    assert_eq!(manifest["gate"]["decision"], "HOLD");
    assert_eq!(manifest["product"]["name"], "thermo-fw");
    assert_eq!(manifest["product"]["version"], "0.9.0");
    assert_eq!(manifest["profile"], "release");
    assert_eq!(
        manifest["gate"]["findings"][0]["code"],
        "RE-ADVISORY-VULNERABILITY"
    );
    // The artifact is copied into the evidence directory.
    assert_eq!(manifest["artifacts"][0]["path"], "thermo-fw");
    assert_eq!(manifest["artifacts"][0]["kind"], "bin");
    let artifact = fx.path("target/release/thermo-fw");
    assert_eq!(
        manifest["artifacts"][0]["size"].as_u64().unwrap(),
        std::fs::metadata(&artifact).unwrap().len()
    );
    assert_eq!(manifest["sbom"][0]["path"], "thermo-fw.cdx.json");
    assert_eq!(
        manifest["advisory_db"]["commit"],
        "bf5c0d245a92671908518d7e765914d437954ed6"
    );
    assert_eq!(manifest["exceptions_applied"], serde_json::json!([]));
    assert!(
        manifest["toolchain"]["rustc"]
            .as_str()
            .unwrap()
            .starts_with("rustc ")
    );
    assert_eq!(
        manifest["build"]["artifacts"][0]["sha256"],
        manifest["artifacts"][0]["sha256"]
    );
    assert_eq!(manifest["approvals"], serde_json::json!([]));
    assert_eq!(manifest["generated_at"], "2026-05-28T20:26:40Z");
    let text = std::fs::read_to_string(dir.join("release-evidence.json")).unwrap();
    assert!(text.ends_with("}\n") && !text.contains('\r'));

    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(record.starts_with("# Release record: thermo-fw 0.9.0\n\n**Decision: HOLD**"));
    assert!(record.contains("- [ ] Release gate passed (HOLD: 1 blocking)"));
    assert!(record.contains("- [x] SBOM written"));
    assert!(record.contains("RUSTSEC-2021-0003"));

    // SHA256SUMS covers every other file and the artifact, as sha256sum accepts it …
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    // The artifact's copy, the marker, the SBOM, both VEX documents, the SOUP list (CSV and
    // JSON), the clause map, the manifest, both records and the provenance.
    assert_eq!(sums.lines().count(), 12);
    assert!(sums.contains("  thermo-fw\n"));
    let ok = sha256sum_check(&dir);
    assert!(ok.status.success(), "{}", stdout(&ok));
    // … and fails after one byte of the artifact changes.
    let copy = dir.join("thermo-fw");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&artifact).unwrap()
    );
    let mut bytes = std::fs::read(&copy).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&copy, bytes).unwrap();
    let bad = sha256sum_check(&dir);
    assert!(!bad.status.success());
    assert!(
        stdout(&bad).contains("thermo-fw: FAILED"),
        "{}",
        stdout(&bad)
    );
}

#[test]
fn sbom_lists_exactly_the_shipped_set_with_its_analysis() {
    let fx = Fixture::example();
    fx.without_verification();
    fx.append("release-evidence.toml", EXCEPTION);
    let (code, _, out) = main_job(&fx, &[]);
    assert_eq!(code, 0, "{}", stderr(&out));
    let dir = evidence_dir(&fx);
    let bom = read_json(&dir.join("thermo-fw.cdx.json"));
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert!(
        bom["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:")
    );
    let mut comps: Vec<(String, String, String)> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
                c["scope"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    comps.sort();
    let expect = |n: &str, v: &str, s: &str| (n.to_owned(), v.to_owned(), s.to_owned());
    let mut expected = vec![
        expect("acme-hal", "1.4.2", "required"),
        expect("crc", "3.4.0", "required"),
        expect("crc-catalog", "2.5.0", "required"),
        expect("maybe-uninit", "2.0.0", "required"),
        expect("release-evidence-build", "0.1.0", "required"),
        expect("sensor-core", "0.3.0", "required"),
        expect("smallvec", "0.6.13", "required"),
        expect("unicode-ident", "1.0.27", "required"),
    ];
    // Build-time only: sensor-core's build script dependency and release-evidence-build's.
    for (n, v) in [
        ("adler2", "2.0.1"),
        ("autocfg", "1.5.1"),
        ("block-buffer", "0.10.4"),
        ("cfg-if", "1.0.5"),
        ("cpufeatures", "0.2.17"),
        ("crypto-common", "0.1.7"),
        ("digest", "0.10.7"),
        ("generic-array", "0.14.7"),
        ("itoa", "1.0.19"),
        ("memchr", "2.8.3"),
        ("miniz_oxide", "0.8.9"),
        ("serde_core", "1.0.229"),
        ("serde_json", "1.0.154"),
        ("serde_spanned", "1.1.3"),
        ("sha2", "0.10.9"),
        ("toml", "1.2.1+spec-1.1.0"),
        ("toml_datetime", "1.1.3+spec-1.1.0"),
        ("toml_parser", "1.1.6+spec-1.1.0"),
        ("typenum", "1.20.1"),
        ("version_check", "0.9.5"),
        ("winnow", "1.0.5"),
        ("zmij", "1.0.23"),
    ] {
        expected.push(expect(n, v, "excluded"));
    }
    expected.sort();
    assert_eq!(
        comps, expected,
        "no windows-link, no optional hex, no dev atty"
    );
    let smallvec = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "smallvec")
        .unwrap();
    assert_eq!(smallvec["purl"], "pkg:cargo/smallvec@0.6.13");
    assert_eq!(smallvec["licenses"][0]["expression"], "MIT OR Apache-2.0");
    let lock = fx.read("Cargo.lock");
    let checksum = smallvec["hashes"][0]["content"].as_str().unwrap();
    assert!(lock.contains(&format!("checksum = \"{checksum}\"")));
    // The root is the artifact, with its digest; the tool names itself.
    let root = &bom["metadata"]["component"];
    assert_eq!(root["name"], "thermo-fw");
    assert_eq!(root["type"], "application");
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(
        root["hashes"][0]["content"],
        manifest["artifacts"][0]["sha256"]
    );
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["name"],
        "cargo-release-evidence"
    );
    assert_eq!(bom["metadata"]["timestamp"], "2026-05-28T20:26:40Z");
    // The dependency graph.
    let deps = bom["dependencies"].as_array().unwrap();
    let root_deps = deps
        .iter()
        .find(|d| d["ref"] == "artifact:thermo-fw")
        .unwrap();
    assert_eq!(
        root_deps["dependsOn"],
        serde_json::json!([
            "pkg:cargo/acme-hal@1.4.2",
            "pkg:cargo/release-evidence-build@0.1.0",
            "pkg:cargo/sensor-core@0.3.0",
            "pkg:cargo/unicode-ident@1.0.27"
        ])
    );
    // No vulnerability data in the SBOM (BSI TR-03183-2): the accepted advisory, with who
    // accepted it, is in the VEX document.
    assert!(bom.get("vulnerabilities").is_none());
    let vex = read_json(&dir.join("thermo-fw.cdx.vex.json"));
    let vulns: Vec<&Value> = vex["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["analysis"]["state"] != "resolved")
        .collect();
    assert_eq!(vulns.len(), 1);
    assert_eq!(vulns[0]["id"], "RUSTSEC-2021-0003");
    assert_eq!(vulns[0]["analysis"]["state"], "exploitable");
    assert_eq!(
        vulns[0]["analysis"]["response"],
        serde_json::json!(["will_not_fix"])
    );
    assert!(
        vulns[0]["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("security@example.com until 2027-06-30")
    );
    assert!(
        vulns[0]["affects"][0]["ref"]
            .as_str()
            .unwrap()
            .ends_with("/1#pkg%3Acargo%2Fsmallvec%400.6.13")
    );
    assert_eq!(manifest["exceptions_applied"][0]["id"], "RUSTSEC-2021-0003");
    assert_eq!(
        manifest["exceptions_applied"][0]["approved_by"],
        "security@example.com"
    );
    assert_eq!(manifest["gate"]["decision"], "PASS");
}

#[test]
fn windows_sbom_lists_the_windows_only_dependency() {
    let fx = Fixture::example();
    let out_dir = fx.outside("sboms");
    let names = |target: &str| -> Vec<String> {
        let dir = out_dir.join(target);
        let out = fx.run(&[
            "sbom",
            "--offline",
            "--date",
            DATE,
            "--target",
            target,
            "-o",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let file = listing(&dir)
            .into_iter()
            .find(|f| f.ends_with(".cdx.json"))
            .unwrap();
        let bom = read_json(&dir.join(file));
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let linux = names("x86_64-unknown-linux-gnu");
    let windows = names("x86_64-pc-windows-msvc");
    assert!(!linux.contains(&"windows-link".to_owned()));
    assert!(windows.contains(&"windows-link".to_owned()));
    let extra: Vec<_> = windows.iter().filter(|n| !linux.contains(n)).collect();
    assert_eq!(extra, vec!["windows-link"]);
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
fn spdx_yaml_and_no_build() {
    let fx = Fixture::example();
    fx.without_verification();
    let (code, _, out) = main_job(&fx, &["--sbom-format", "spdx", "--manifest-format", "yaml"]);
    assert_eq!(code, 1, "{}", stderr(&out));
    let dir = evidence_dir(&fx);
    assert_eq!(
        listing(&dir),
        vec![
            "SHA256SUMS",
            "clause-map.json",
            "provenance.intoto.json",
            "release-evidence.html",
            "release-evidence.json",
            "release-evidence.md",
            "release-evidence.tag",
            "release-evidence.yaml",
            "soup.csv",
            "soup.json",
            "thermo-fw",
            "thermo-fw.cdx.json",
            "thermo-fw.cdx.vex.json",
            "thermo-fw.openvex.json",
            "thermo-fw.spdx.json"
        ]
    );
    let spdx = read_json(&dir.join("thermo-fw.spdx.json"));
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(spdx["dataLicense"], "CC0-1.0");
    assert_eq!(spdx["relationships"][0]["relationshipType"], "DESCRIBES");
    assert_eq!(
        spdx["hasExtractedLicensingInfos"][0]["licenseId"],
        "LicenseRef-Acme-Proprietary"
    );
    let yaml = std::fs::read_to_string(dir.join("release-evidence.yaml")).unwrap();
    assert!(yaml.starts_with("\"advisory_db\":\n"), "{yaml}");
    assert!(yaml.contains("\"name\": \"thermo-fw\""));

    // --no-build takes the artifact the build left.
    let artifact_sha =
        read_json(&dir.join("release-evidence.json"))["artifacts"][0]["sha256"].clone();
    let (code, _, out) = main_job(&fx, &["--no-build"]);
    assert_eq!(code, 1, "{}", stderr(&out));
    assert_eq!(
        read_json(&dir.join("release-evidence.json"))["artifacts"][0]["sha256"],
        artifact_sha
    );
    std::fs::remove_file(fx.path("target/release/thermo-fw")).unwrap();
    let (code, _, out) = main_job(&fx, &["--no-build"]);
    assert_eq!(code, 2);
    assert!(stderr(&out).contains("`--no-build`"), "{}", stderr(&out));
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
