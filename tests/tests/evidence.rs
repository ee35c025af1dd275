//! The main job: real `cargo build` of the example, then SBOM, manifest, release record and
//! SHA256SUMS next to the artifacts; the shipped set per target, SPDX, YAML and `--no-build`.
//! Determinism, atomicity, sealing and the release record's history are in `evidence_runs.rs`.

use release_evidence_tests::evidence::*;
use release_evidence_tests::*;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

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
