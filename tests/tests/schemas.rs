//! What we emit with `--cyclonedx-version 1.5 --sbom-vulnerabilities` (the layout before 1.6)
//! validates against the official CycloneDX 1.5 JSON schema (vendored from the
//! `cyclonedx-python-lib` wheel, see tests/fixtures/schemas/README.md), offline, with the
//! `jsonschema` crate. The default (1.6) is validated strictly by `cyclonedx-python-lib` itself
//! (tests/tests/formats.rs).

use release_evidence_tests::*;
use serde_json::Value;

fn schema(name: &str) -> Value {
    let path = repo_root().join("tests/fixtures/schemas").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Validation errors of `bom` against CycloneDX 1.5 (empty when valid).
fn cyclonedx_errors(bom: &Value) -> Vec<String> {
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
            schema("spdx.SNAPSHOT.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
            schema("jsf-0.82.SNAPSHOT.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema("bom-1.5.SNAPSHOT.schema.json"))
        .expect("the official schema compiles");
    validator
        .iter_errors(bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn cyclonedx_sbom_validates_against_the_official_1_5_schema() {
    let fx = Fixture::example();
    // With an exception, so the vulnerabilities section has an analysis with a response.
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"r\"\napproved-by = \"sec@example.com\"\nexpires = 2027-06-30\n",
    );
    for (target, extra) in [
        ("x86_64-unknown-linux-gnu", vec![]),
        ("x86_64-pc-windows-msvc", vec!["--features", "debug-dump"]),
    ] {
        let out_dir = fx.outside(&format!("sbom-{target}"));
        let mut args = vec![
            "sbom",
            "--cyclonedx-version",
            "1.5",
            "--sbom-vulnerabilities",
            "--offline",
            "--date",
            DATE,
            "--target",
            target,
            "-o",
            out_dir.to_str().unwrap(),
        ];
        args.extend(extra);
        let out = fx.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let file = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".cdx.json"))
            .unwrap();
        let bom: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(cyclonedx_errors(&bom), Vec::<String>::new(), "{target}");
    }
    // The main job's SBOM (with the artifact's digest), including a HOLD analysis.
    let plain = Fixture::example();
    let out = plain.run(&[
        "--offline",
        "--date",
        DATE,
        "-q",
        "--cyclonedx-version",
        "1.5",
        "--sbom-vulnerabilities",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let path = plain.path("target/release/release-evidence/thermo-fw-0.9.0/thermo-fw.cdx.json");
    let bom: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(cyclonedx_errors(&bom), Vec::<String>::new());

    // The validator is not a rubber stamp: a broken document is rejected.
    let mut broken = bom.clone();
    broken["components"][0]["type"] = Value::String("gadget".into());
    broken["vulnerabilities"][0]["analysis"]["state"] = Value::String("fine".into());
    let errors = cyclonedx_errors(&broken);
    assert!(errors.len() >= 2, "{errors:?}");
}
