//! SPDX 3.0.1 JSON-LD (`--sbom-format spdx3`, `<artifact>.spdx3.json`): validated by
//! `spdx-python-model` (the bindings generated from the official SPDX 3.0.1 SHACL model), SPDX
//! 2.3 by `pyspdxtools -i`, CycloneDX 1.6 strictly by `cyclonedx-python-lib`; the three SBOMs
//! say the same (packages, purls, checksums, licenses, dependency edges) on the example's main
//! job and on the `sbom` command over the metadata of a large real workspace; `verify` covers
//! the new file.

use release_evidence_tests::signing::{
    ARTIFACT_NS, Keys, SEC_ONLY, allowed_signers, approvals, approve, sign, verify_json,
};
use release_evidence_tests::validators;
use release_evidence_tests::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const EVIDENCE: &str = "target/release/release-evidence/thermo-fw-0.9.0";
const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// One shipped package as an SBOM states it: name, version, purl, SHA-256, declared license.
type Pkg = (String, String, String, Option<String>, Option<String>);

/// What an SBOM says: the artifact (name, version, purl, SHA-256, SHA-512), the packages, and
/// the dependency edges by purl (`ROOT` for the artifact).
#[derive(Debug, PartialEq)]
struct Facts {
    root: (String, String, String, Option<String>, Option<String>),
    packages: Vec<Pkg>,
    edges: BTreeSet<(String, String)>,
}

fn cyclonedx_facts(bom: &Value) -> Facts {
    let hash = |c: &Value, alg: &str| {
        c["hashes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|h| h["alg"] == alg)
            .map(|h| s(&h["content"]))
    };
    let root = &bom["metadata"]["component"];
    let mut purls: BTreeMap<String, String> = BTreeMap::new();
    purls.insert(s(&root["bom-ref"]), "ROOT".to_owned());
    let mut packages: Vec<Pkg> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            purls.insert(s(&c["bom-ref"]), s(&c["purl"]));
            (
                s(&c["name"]),
                s(&c["version"]),
                s(&c["purl"]),
                hash(c, "SHA-256"),
                c["licenses"][0]["expression"].as_str().map(str::to_owned),
            )
        })
        .collect();
    packages.sort();
    let mut edges = BTreeSet::new();
    for d in bom["dependencies"].as_array().unwrap() {
        for to in d["dependsOn"].as_array().into_iter().flatten() {
            edges.insert((purls[&s(&d["ref"])].clone(), purls[&s(to)].clone()));
        }
    }
    Facts {
        root: (
            s(&root["name"]),
            s(&root["version"]),
            s(&root["purl"]),
            hash(root, "SHA-256"),
            hash(root, "SHA-512"),
        ),
        packages,
        edges,
    }
}

fn spdx2_facts(doc: &Value) -> Facts {
    let rels = doc["relationships"].as_array().unwrap();
    let root_id = rels
        .iter()
        .find(|r| r["relationshipType"] == "DESCRIBES")
        .map(|r| s(&r["relatedSpdxElement"]))
        .unwrap();
    let checksum = |p: &Value, alg: &str| {
        p["checksums"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["algorithm"] == alg)
            .map(|c| s(&c["checksumValue"]))
    };
    let purl = |p: &Value| s(&p["externalRefs"][0]["referenceLocator"]);
    let mut purls: BTreeMap<String, String> = BTreeMap::new();
    let mut packages = Vec::new();
    let mut root = None;
    for p in doc["packages"].as_array().unwrap() {
        let id = s(&p["SPDXID"]);
        if id == root_id {
            purls.insert(id, "ROOT".to_owned());
            root = Some((
                s(&p["name"]),
                s(&p["versionInfo"]),
                purl(p),
                checksum(p, "SHA256"),
                checksum(p, "SHA512"),
            ));
            continue;
        }
        purls.insert(id, purl(p));
        let license = s(&p["licenseDeclared"]);
        packages.push((
            s(&p["name"]),
            s(&p["versionInfo"]),
            purl(p),
            checksum(p, "SHA256"),
            (license != "NOASSERTION").then_some(license),
        ));
    }
    packages.sort();
    let edges = rels
        .iter()
        .filter(|r| r["relationshipType"] == "DEPENDS_ON")
        .map(|r| {
            (
                purls[&s(&r["spdxElementId"])].clone(),
                purls[&s(&r["relatedSpdxElement"])].clone(),
            )
        })
        .collect();
    Facts {
        root: root.unwrap(),
        packages,
        edges,
    }
}

fn spdx3_facts(doc: &Value) -> Facts {
    let graph = doc["@graph"].as_array().unwrap();
    let of_type = |t: &'static str| graph.iter().filter(move |o| o["type"] == t);
    let sbom = of_type("software_Sbom").next().unwrap();
    let root_id = s(&sbom["rootElement"][0]);
    let expressions: BTreeMap<String, String> = of_type("simplelicensing_LicenseExpression")
        .map(|l| (s(&l["spdxId"]), s(&l["simplelicensing_licenseExpression"])))
        .collect();
    let relationships: Vec<&Value> = graph
        .iter()
        .filter(|o| o["type"] == "Relationship" || o["type"] == "LifecycleScopedRelationship")
        .collect();
    let declared: BTreeMap<String, String> = relationships
        .iter()
        .filter(|r| r["relationshipType"] == "hasDeclaredLicense")
        .map(|r| (s(&r["from"]), expressions[&s(&r["to"][0])].clone()))
        .collect();
    let hash = |p: &Value, alg: &str| {
        p["verifiedUsing"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|h| h["algorithm"] == alg)
            .map(|h| s(&h["hashValue"]))
    };
    let mut purls: BTreeMap<String, String> = BTreeMap::new();
    let mut packages = Vec::new();
    let mut root = None;
    for p in of_type("software_Package") {
        let id = s(&p["spdxId"]);
        if id == root_id {
            purls.insert(id, "ROOT".to_owned());
            root = Some((
                s(&p["name"]),
                s(&p["software_packageVersion"]),
                s(&p["software_packageUrl"]),
                hash(p, "sha256"),
                hash(p, "sha512"),
            ));
            continue;
        }
        purls.insert(id.clone(), s(&p["software_packageUrl"]));
        packages.push((
            s(&p["name"]),
            s(&p["software_packageVersion"]),
            s(&p["software_packageUrl"]),
            hash(p, "sha256"),
            declared.get(&id).cloned(),
        ));
    }
    packages.sort();
    let mut edges = BTreeSet::new();
    for r in relationships
        .iter()
        .filter(|r| r["relationshipType"] == "dependsOn")
    {
        for to in r["to"].as_array().unwrap() {
            edges.insert((purls[&s(&r["from"])].clone(), purls[&s(to)].clone()));
        }
    }
    Facts {
        root: root.unwrap(),
        packages,
        edges,
    }
}

/// Validates the three SBOMs of `artifact` in `dir` and asserts that they say the same;
/// returns what they say.
fn three_agree(dir: &Path, artifact: &str) -> Facts {
    let cdx = dir.join(format!("{artifact}.cdx.json"));
    let spdx2 = dir.join(format!("{artifact}.spdx.json"));
    let spdx3 = dir.join(format!("{artifact}.spdx3.json"));
    assert_eq!(validators::spdx3(&spdx3), Ok(()));
    assert_eq!(validators::spdx(&spdx2), Ok(()));
    assert_eq!(validators::cyclonedx("1.6", &cdx), Ok(()));
    let c = cyclonedx_facts(&read_json(&cdx));
    let two = spdx2_facts(&read_json(&spdx2));
    let three = spdx3_facts(&read_json(&spdx3));
    assert_eq!(two, c, "SPDX 2.3 and CycloneDX disagree");
    assert_eq!(three, c, "SPDX 3.0.1 and CycloneDX disagree");
    c
}

/// The example with approvals (one security key), the smallvec exception, both SPDX formats.
fn example_evidence() -> (Fixture, Keys, PathBuf) {
    let fx = Fixture::example();
    let keys = Keys::ed25519(&fx, &["qa", "ra", "sec", "release", "outsider"]);
    fx.write("allowed_signers", &allowed_signers(&keys, false));
    fx.append("release-evidence.toml", &approvals(SEC_ONLY));
    fx.append("release-evidence.toml", EXCEPTION);
    main_job(&fx, &[]);
    (fx, keys, fx_dir())
}

fn fx_dir() -> PathBuf {
    PathBuf::from(EVIDENCE)
}

fn main_job(fx: &Fixture, extra: &[&str]) {
    let mut args = vec![
        "--offline",
        "--date",
        DATE,
        "-q",
        "--sbom-format",
        "spdx",
        "--sbom-format",
        "spdx3",
    ];
    args.extend_from_slice(extra);
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn spdx3_sbom_validates_agrees_with_cyclonedx_and_spdx_2_3_and_is_verified() {
    let (fx, keys, rel) = example_evidence();
    let dir = fx.path(rel.to_str().unwrap());
    let path = dir.join("thermo-fw.spdx3.json");
    let facts = three_agree(&dir, "thermo-fw");
    // The example's shipped set: 30 packages, all with their edges, checksums and licenses.
    assert_eq!(facts.packages.len(), 30);
    assert_eq!(facts.root.0, "thermo-fw");
    assert_eq!(facts.root.2, "pkg:cargo/thermo-fw@0.9.0");
    assert!(facts.root.4.as_deref().is_some_and(|h| h.len() == 128));
    assert!(
        facts
            .edges
            .contains(&("ROOT".to_owned(), "pkg:cargo/sensor-core@0.3.0".to_owned()))
    );
    assert!(facts.edges.contains(&(
        "pkg:cargo/sensor-core@0.3.0".to_owned(),
        "pkg:cargo/smallvec@0.6.13".to_owned()
    )));
    let smallvec = facts.packages.iter().find(|p| p.0 == "smallvec").unwrap();
    let lock = fx.read("Cargo.lock");
    assert!(lock.contains(&format!(
        "checksum = \"{}\"",
        smallvec.3.as_deref().unwrap()
    )));
    assert_eq!(smallvec.4.as_deref(), Some("MIT OR Apache-2.0"));

    // The SPDX 3 shape: one document, one SBOM rooted at the artifact, its file, the tool.
    let doc = read_json(&path);
    assert_eq!(
        doc["@context"],
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    );
    let graph = doc["@graph"].as_array().unwrap();
    let one = |t: &str| {
        let all: Vec<&Value> = graph.iter().filter(|o| o["type"] == t).collect();
        assert_eq!(all.len(), 1, "{t}");
        all[0]
    };
    assert_eq!(one("CreationInfo")["specVersion"], "3.0.1");
    assert_eq!(one("CreationInfo")["created"], "2026-05-28T20:26:40Z");
    let ns = s(&one("SpdxDocument")["spdxId"]);
    let ns = ns.trim_end_matches("#document");
    assert!(
        ns.starts_with("https://spdx.org/spdxdocs/thermo-fw-0.9.0-"),
        "{ns}"
    );
    for o in graph.iter().filter(|o| o.get("spdxId").is_some()) {
        assert!(s(&o["spdxId"]).starts_with(&format!("{ns}#")), "{o}");
    }
    let file = one("software_File");
    assert_eq!(file["name"], "thermo-fw");
    assert_eq!(file["software_primaryPurpose"], "executable");
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(
        file["verifiedUsing"][0]["hashValue"],
        manifest["artifacts"][0]["sha256"]
    );
    let smallvec_pkg = graph
        .iter()
        .find(|o| o["type"] == "software_Package" && o["name"] == "smallvec")
        .unwrap();
    assert_eq!(
        smallvec_pkg["software_downloadLocation"],
        "https://crates.io/api/v1/crates/smallvec/0.6.13/download"
    );
    let supplier = graph
        .iter()
        .find(|o| o["spdxId"] == smallvec_pkg["suppliedBy"])
        .unwrap();
    assert_eq!(supplier["name"], "Simon Sapin");
    assert_eq!(
        supplier["externalIdentifier"][0]["identifier"],
        "simon.sapin@exyr.org"
    );
    // Build-time edges are scoped `build`, linked ones `runtime`.
    let scopes: BTreeSet<&str> = graph
        .iter()
        .filter(|o| o["relationshipType"] == "dependsOn")
        .map(|o| o["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, BTreeSet::from(["build", "runtime"]));

    // Listed in the manifest and SHA256SUMS like the SPDX 2.3 file.
    let sbom: Vec<(String, String)> = manifest["sbom"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (s(&r["path"]), s(&r["kind"])))
        .collect();
    assert_eq!(
        sbom,
        [
            ("thermo-fw.cdx.json", "cyclonedx-1.6"),
            ("thermo-fw.spdx.json", "spdx-2.3"),
            ("thermo-fw.spdx3.json", "spdx-3.0.1"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let line = format!(
        "{}  thermo-fw.spdx3.json\n",
        s(&manifest["sbom"][2]["sha256"])
    );
    assert!(sums.contains(&line), "{sums}");

    // The same inputs give the same bytes.
    let before = std::fs::read(&path).unwrap();
    main_job(&fx, &["--no-build"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // The validator is not a rubber stamp: an edge to a package not in the document fails,
    // and so does a wrong hash algorithm name.
    let broken_dir = fx.outside("broken");
    let mut broken = doc.clone();
    let i = graph
        .iter()
        .position(|o| o["relationshipType"] == "dependsOn")
        .unwrap();
    broken["@graph"][i]["to"]
        .as_array_mut()
        .unwrap()
        .push(Value::String(format!("{ns}#package/pkg:cargo/ghost@1.0.0")));
    let broken_path = broken_dir.join("edge.spdx3.json");
    std::fs::write(&broken_path, broken.to_string()).unwrap();
    let err = validators::spdx3(&broken_path).unwrap_err();
    assert!(err.contains("ghost"), "{err}");
    let mut broken = doc.clone();
    let i = graph
        .iter()
        .position(|o| o["type"] == "software_File")
        .unwrap();
    broken["@graph"][i]["verifiedUsing"][0]["algorithm"] = Value::String("SHA-256".into());
    let broken_path = broken_dir.join("hash.spdx3.json");
    std::fs::write(&broken_path, broken.to_string()).unwrap();
    let err = validators::spdx3(&broken_path).unwrap_err();
    assert!(err.contains("SHA-256"), "{err}");

    // `verify` checks it like every listed file: approved and signed it passes; edited, it
    // fails naming the file.
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let out = approve(&fx, &keys, role, key, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = sign(&fx, &keys, "release");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ARTIFACT_NS, "release-evidence-artifact-v1");
    let (code, report) = verify_json(&fx, &dir, &[]);
    assert_eq!(code, 0, "{report:#}");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push(' ');
    std::fs::write(&path, text).unwrap();
    let (code, report) = verify_json(&fx, &dir, &[]);
    assert_ne!(code, 0, "{report:#}");
    assert!(
        report.to_string().contains("thermo-fw.spdx3.json"),
        "{report:#}"
    );
}

#[test]
fn the_three_sboms_agree_on_the_metadata_of_a_large_real_workspace() {
    // tests/fixtures/metadata/large.json with the workspace's own Cargo.lock (the checksums).
    let src = repo_root().join("tests/fixtures/metadata/large");
    let fx = Fixture::copy_of(&src);
    std::fs::copy(
        repo_root().join("tests/fixtures/metadata/large.Cargo.lock"),
        fx.path("Cargo.lock"),
    )
    .unwrap();
    let root = std::fs::canonicalize(&fx.root).unwrap();
    let json = std::fs::read_to_string(src.join("../large.json"))
        .unwrap()
        .replace("/fixtures/large", root.to_str().unwrap());
    let meta = fx.outside("meta").join("metadata.json");
    std::fs::write(&meta, json).unwrap();
    let meta = meta.to_str().unwrap();
    let db = repo_root().join("tests/fixtures/advisory-db");
    let out = fx.run(&["init", "--offline", "--date", DATE, "--metadata-path", meta]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out_dir = fx.outside("sbom");
    let out = fx.run(&[
        "sbom",
        "--offline",
        "--date",
        DATE,
        "--metadata-path",
        meta,
        "--advisory-db",
        db.to_str().unwrap(),
        "--sbom-format",
        "spdx",
        "--sbom-format",
        "spdx3",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let facts = three_agree(&out_dir, "bench-large-0.1.0");
    // Every shipped third-party package (host, all features; as adopt.rs counts them), each
    // crates.io one with its checksum.
    assert_eq!(facts.packages.len(), 681);
    assert!(
        facts
            .packages
            .iter()
            .filter(|p| p.2.starts_with("pkg:cargo/") && !p.2.contains('?'))
            .all(|p| p.3.is_some()),
        "a crates.io package without its checksum"
    );
    assert!(facts.edges.len() > facts.packages.len());
}
