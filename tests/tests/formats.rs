//! The evidence's standard documents, each checked by an independent validator from PyPI (the
//! virtualenv of `tests/validators/setup.sh`): CycloneDX 1.6 (default) and 1.5 strictly by
//! `cyclonedx-python-lib`, SPDX 2.3 by `pyspdxtools`, OpenVEX by its JSON schema, the
//! CycloneDX VEX document by the CycloneDX schema; and what the VEX documents say.

use release_evidence_tests::validators;
use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const EVIDENCE: &str = "target/release/release-evidence/thermo-fw-0.9.0";

fn exception(justification: Option<&str>) -> String {
    let mut s = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n".to_owned();
    if let Some(j) = justification {
        s.push_str(&format!("justification = \"{j}\"\n"));
    }
    s
}

/// The main job (pinned time); returns the evidence directory.
fn main_job(fx: &Fixture, extra: &[&str], expect: i32) -> PathBuf {
    let mut args = vec!["--offline", "--date", DATE, "-q"];
    args.extend_from_slice(extra);
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(expect), "{}", stderr(&out));
    fx.path(EVIDENCE)
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn sha512sum(p: &Path) -> String {
    let out = std::process::Command::new("sha512sum")
        .arg(p)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn prop<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

/// (advisory, subcomponent purl, status) of every OpenVEX statement.
fn openvex_statuses(doc: &Value) -> Vec<(String, String, String)> {
    doc["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["vulnerability"]["name"].as_str().unwrap().to_owned(),
                s["products"][0]["subcomponents"][0]["@id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn cyclonedx_1_6_sbom_and_vex_validate_strictly_with_bsi_fields_and_no_vulnerabilities() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        &exception(Some("vulnerable_code_not_in_execute_path")),
    );
    let dir = main_job(&fx, &["--sbom-format", "spdx"], 0);
    let sbom_path = dir.join("thermo-fw.cdx.json");
    let vex_path = dir.join("thermo-fw.cdx.vex.json");
    assert_eq!(validators::cyclonedx("1.6", &sbom_path), Ok(()));
    assert_eq!(validators::cyclonedx("1.6", &vex_path), Ok(()));
    assert_eq!(
        validators::openvex(&dir.join("thermo-fw.openvex.json")),
        Ok(())
    );
    assert_eq!(validators::spdx(&dir.join("thermo-fw.spdx.json")), Ok(()));

    let bom = read_json(&sbom_path);
    assert_eq!(bom["specVersion"], "1.6");
    assert!(
        bom.get("vulnerabilities").is_none(),
        "no vulnerability data in the SBOM"
    );
    // BSI TR-03183-2: the deployable artifact's SHA-512 and SHA-256, file name, executable.
    let root = &bom["metadata"]["component"];
    let artifact = dir.join("thermo-fw");
    let sha512 = sha512sum(&artifact);
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(
        root["hashes"],
        serde_json::json!([
            {"alg": "SHA-256", "content": manifest["artifacts"][0]["sha256"]},
            {"alg": "SHA-512", "content": sha512},
        ])
    );
    assert_eq!(root["externalReferences"][0]["type"], "distribution");
    assert_eq!(root["externalReferences"][0]["url"], "thermo-fw");
    assert_eq!(
        root["externalReferences"][0]["hashes"][0]["content"],
        sha512
    );
    assert_eq!(prop(root, "bsi:component:filename"), Some("thermo-fw"));
    assert_eq!(prop(root, "bsi:component:executable"), Some("executable"));
    assert_eq!(prop(root, "bsi:component:archive"), Some("no archive"));
    // A crates.io component: the lockfile's checksum is the digest of its .crate file.
    let smallvec = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "smallvec")
        .unwrap();
    let lock = fx.read("Cargo.lock");
    let checksum = smallvec["hashes"][0]["content"].as_str().unwrap();
    assert!(lock.contains(&format!("checksum = \"{checksum}\"")));
    assert_eq!(smallvec["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        prop(smallvec, "bsi:component:filename"),
        Some("smallvec-0.6.13.crate")
    );
    assert_eq!(
        smallvec["licenses"],
        serde_json::json!([{"expression": "MIT OR Apache-2.0", "acknowledgement": "declared"}])
    );
    assert_eq!(smallvec["authors"][0]["name"], "Simon Sapin");
    assert_eq!(
        smallvec["supplier"]["name"],
        "Simon Sapin <simon.sapin@exyr.org>"
    );

    // The manifest lists the VEX documents with the digests SHA256SUMS has.
    let vex: Vec<(&str, &str)> = manifest["vex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        vex,
        vec![
            ("thermo-fw.cdx.vex.json", "cyclonedx-1.6-vex"),
            ("thermo-fw.openvex.json", "openvex-0.2.0"),
        ]
    );
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    for r in manifest["vex"].as_array().unwrap() {
        let line = format!(
            "{}  {}\n",
            r["sha256"].as_str().unwrap(),
            r["path"].as_str().unwrap()
        );
        assert!(sums.contains(&line), "{line}");
    }

    // The CycloneDX VEX document points into the SBOM by BOM-Link.
    let vex = read_json(&vex_path);
    assert!(vex.get("components").is_none());
    let uuid = bom["serialNumber"]
        .as_str()
        .unwrap()
        .trim_start_matches("urn:uuid:");
    let hit = vex["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(
        hit["affects"][0]["ref"],
        format!("urn:cdx:{uuid}/1#pkg%3Acargo%2Fsmallvec%400.6.13")
    );
    assert_eq!(hit["analysis"]["state"], "not_affected");
    assert_eq!(hit["analysis"]["justification"], "code_not_reachable");

    // The validator is not a rubber stamp: a 1.5-only field layout and a bad state fail.
    let mut broken = bom.clone();
    broken["components"][0]["type"] = Value::String("gadget".into());
    let broken_path = fx.outside("broken").join("bom.json");
    std::fs::write(&broken_path, broken.to_string()).unwrap();
    let err = validators::cyclonedx("1.6", &broken_path).unwrap_err();
    assert!(err.contains("gadget"), "{err}");
    // 1.6's contacts are not valid 1.5.
    let err = validators::cyclonedx("1.5", &sbom_path).unwrap_err();
    assert!(!err.is_empty());
}

#[test]
fn cyclonedx_1_5_on_request_with_the_old_layout_validates_strictly() {
    let fx = Fixture::example();
    // Without an exception: a HOLD, the hit under investigation.
    let dir = main_job(
        &fx,
        &["--cyclonedx-version", "1.5", "--sbom-vulnerabilities"],
        1,
    );
    let sbom_path = dir.join("thermo-fw.cdx.json");
    let vex_path = dir.join("thermo-fw.cdx.vex.json");
    assert_eq!(validators::cyclonedx("1.5", &sbom_path), Ok(()));
    assert_eq!(validators::cyclonedx("1.5", &vex_path), Ok(()));
    let bom = read_json(&sbom_path);
    assert_eq!(bom["specVersion"], "1.5");
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 1, "the gate's hits only, as before");
    assert_eq!(vulns[0]["id"], "RUSTSEC-2021-0003");
    assert_eq!(vulns[0]["analysis"]["state"], "in_triage");
    assert_eq!(vulns[0]["affects"][0]["ref"], "pkg:cargo/smallvec@0.6.13");
    let smallvec = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "smallvec")
        .unwrap();
    assert_eq!(smallvec["author"], "Simon Sapin <simon.sapin@exyr.org>");
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(manifest["sbom"][0]["kind"], "cyclonedx-1.5");
    assert_eq!(manifest["vex"][0]["kind"], "cyclonedx-1.5-vex");
}

#[test]
fn vex_documents_state_each_decision_and_are_byte_identical_across_runs() {
    let fx = Fixture::example();
    // 1. No decision: the gate holds; the hit is under investigation; the advisories smallvec
    //    0.6.13 is patched for are `fixed`.
    let dir = main_job(&fx, &[], 1);
    let doc = read_json(&dir.join("thermo-fw.openvex.json"));
    assert_eq!(
        validators::openvex(&dir.join("thermo-fw.openvex.json")),
        Ok(())
    );
    let smallvec = "pkg:cargo/smallvec@0.6.13".to_owned();
    let s = |id: &str, status: &str| (id.to_owned(), smallvec.clone(), status.to_owned());
    let fixed = [
        "RUSTSEC-2018-0003",
        "RUSTSEC-2018-0018",
        "RUSTSEC-2019-0009",
        "RUSTSEC-2019-0012",
    ];
    let mut expected: Vec<_> = fixed.iter().map(|id| s(id, "fixed")).collect();
    expected.push(s("RUSTSEC-2021-0003", "under_investigation"));
    expected.sort();
    assert_eq!(openvex_statuses(&doc), expected);
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(doc["timestamp"], "2026-05-28T20:26:40Z");
    let product = &doc["statements"][0]["products"][0];
    assert_eq!(product["@id"], "pkg:cargo/thermo-fw@0.9.0");
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(
        product["hashes"]["sha-256"],
        manifest["artifacts"][0]["sha256"]
    );
    let first: Vec<Vec<u8>> = ["thermo-fw.openvex.json", "thermo-fw.cdx.vex.json"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    // The same inputs give the same bytes.
    main_job(&fx, &["--no-build"], 1);
    for (f, before) in ["thermo-fw.openvex.json", "thermo-fw.cdx.vex.json"]
        .iter()
        .zip(&first)
    {
        assert_eq!(&std::fs::read(dir.join(f)).unwrap(), before, "{f}");
    }

    // 2. An accepted risk: `affected`, with who accepted it until when.
    fx.append("release-evidence.toml", &exception(None));
    let dir = main_job(&fx, &["--no-build"], 0);
    let path = dir.join("thermo-fw.openvex.json");
    assert_eq!(validators::openvex(&path), Ok(()));
    let doc = read_json(&path);
    let st = doc["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["vulnerability"]["name"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(st["status"], "affected");
    assert_eq!(
        st["action_statement"],
        "Risk accepted by security@example.com until 2027-06-30: insert_many is never called"
    );
    let cdx_path = dir.join("thermo-fw.cdx.vex.json");
    assert_eq!(validators::cyclonedx("1.6", &cdx_path), Ok(()));
    let cdx = read_json(&cdx_path);
    let v = cdx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(v["analysis"]["state"], "exploitable");
    assert_eq!(
        v["analysis"]["response"],
        serde_json::json!(["will_not_fix"])
    );
    assert_eq!(
        prop(v, "release-evidence:exception-expires"),
        Some("2027-06-30")
    );
    let fixed_states: Vec<&str> = cdx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] != "RUSTSEC-2021-0003")
        .map(|v| v["analysis"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(fixed_states, vec!["resolved"; 4]);

    // 3. Not affected, with the exception's justification.
    fx.replace(
        "release-evidence.toml",
        "approved-by = \"security@example.com\"\nexpires = 2027-06-30\n",
        "approved-by = \"security@example.com\"\nexpires = 2027-06-30\njustification = \"vulnerable_code_not_in_execute_path\"\n",
    );
    let dir = main_job(&fx, &["--no-build"], 0);
    let path = dir.join("thermo-fw.openvex.json");
    assert_eq!(validators::openvex(&path), Ok(()));
    let doc = read_json(&path);
    let st = doc["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["vulnerability"]["name"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(st["status"], "not_affected");
    assert_eq!(st["justification"], "vulnerable_code_not_in_execute_path");
    assert_eq!(
        st["impact_statement"],
        "insert_many is never called (decided by security@example.com, valid until 2027-06-30)"
    );

    // The schema is not a rubber stamp: `not_affected` without a justification fails.
    let mut broken = doc.clone();
    let i = doc["statements"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["status"] == "not_affected")
        .unwrap();
    let obj = broken["statements"][i].as_object_mut().unwrap();
    obj.remove("justification");
    obj.remove("impact_statement");
    let broken_path = fx.outside("broken").join("vex.json");
    std::fs::write(&broken_path, broken.to_string()).unwrap();
    assert!(validators::openvex(&broken_path).is_err());
}

#[test]
fn an_unknown_vex_justification_names_file_line_and_column() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", &exception(Some("not_reachable")));
    let text = fx.read("release-evidence.toml");
    let i = text.find("\"not_reachable\"").unwrap();
    let line = text[..i].matches('\n').count() + 1;
    let col = i - text[..i].rfind('\n').unwrap();
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "release-evidence.toml:{line}:{col}: unknown variant `not_reachable`, expected one of `component_not_present`"
        )),
        "{err}"
    );
}

#[test]
fn cyclonedx_1_7_on_request_validates_strictly() {
    let fx = Fixture::example();
    let dir = main_job(&fx, &["--cyclonedx-version", "1.7"], 1);
    let sbom_path = dir.join("thermo-fw.cdx.json");
    let vex_path = dir.join("thermo-fw.cdx.vex.json");
    assert_eq!(validators::cyclonedx("1.7", &sbom_path), Ok(()));
    assert_eq!(validators::cyclonedx("1.7", &vex_path), Ok(()));
    let bom = read_json(&sbom_path);
    assert_eq!(bom["specVersion"], "1.7");
    assert!(bom.get("vulnerabilities").is_none());
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(manifest["sbom"][0]["kind"], "cyclonedx-1.7");
    assert_eq!(manifest["vex"][0]["kind"], "cyclonedx-1.7-vex");
}
