//! `diff A B` on two real releases of the example: 0.9.0, then 0.9.1 with sensor-core 0.3.1 and
//! the debug-dump feature on by default (hex ships), and the smallvec exception renewed.

use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use serde_json::{Value, json};

#[test]
fn diff_lists_the_exact_changes_between_two_releases() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    let first = build_evidence(&fx, 0);
    let a = fx.outside("releases").join("thermo-fw-0.9.0");
    copy_dir(&first, &a);

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
    fx.replace(
        "sensor-core/Cargo.toml",
        "version = \"0.3.0\"",
        "version = \"0.3.1\"",
    );
    fx.replace(
        "release-evidence.toml",
        "\nexpires = 2027-06-30",
        "\nexpires = 2027-12-31",
    );
    fx.update_lockfile(&["--offline"]);
    build_evidence(&fx, 0);
    let b = fx.path("target/release/release-evidence/thermo-fw-0.9.1");

    let out = fx
        .cmd()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&d["a"]["version"], &d["b"]["version"]),
        (&"0.9.0".into(), &"0.9.1".into())
    );
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}",
                    c["name"].as_str().unwrap(),
                    c["version"].as_str().unwrap(),
                    c["kind"].as_str().unwrap()
                )
            })
            .collect()
    };
    let hex_version = d["added"][0]["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        names(&d["added"]),
        [format!("hex {hex_version} linked")],
        "{d}"
    );
    assert_eq!(d["removed"], json!([]));
    assert_eq!(
        d["changed"],
        json!([{"name": "sensor-core", "from": "0.3.0", "to": "0.3.1", "bump": "patch",
            "compatible": true, "kind": "linked"}])
    );
    assert_eq!(d["advisories_new"], json!([]));
    assert_eq!(d["advisories_cleared"], json!([]));
    assert_eq!(d["exceptions_added"][0]["expires"], "2027-12-31", "{d}");
    assert_eq!(d["exceptions_removed"][0]["expires"], "2027-06-30");
    assert_eq!(d["artifacts"][0]["path"], "thermo-fw");
    assert_ne!(
        d["artifacts"][0]["from_sha256"],
        d["artifacts"][0]["to_sha256"]
    );

    // The release record of 0.9.1 lists the same changes (0.9.0's evidence is next to it).
    let record = std::fs::read_to_string(b.join("release-evidence.md")).unwrap();
    assert!(
        record.contains(&format!(
            "Changes since thermo-fw 0.9.0 (from the evidence directory thermo-fw-0.9.0): 1 added, 0 removed, 1 changed version.\n\
             - added: hex {hex_version} (linked)\n\
             - changed: sensor-core 0.3.0 → 0.3.1 (patch, compatible)\n\
             - exception added: RUSTSEC-2021-0003 on smallvec until 2027-12-31\n\
             - exception removed: RUSTSEC-2021-0003 on smallvec until 2027-06-30\n\
             - artifact: thermo-fw: "
        )),
        "{record}"
    );

    // --markdown FILE: the change record to keep.
    let md_file = fx.outside("changes").join("thermo-fw-0.9.1.md");
    let out = fx
        .cmd()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .arg("--markdown")
        .arg(&md_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = std::fs::read_to_string(&md_file).unwrap();
    assert!(
        md.starts_with("# Changes from thermo-fw 0.9.0 to thermo-fw 0.9.1\n\n"),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| from | thermo-fw 0.9.0 | {} | PASS | `{}` |\n",
            d["a"]["target"].as_str().unwrap(),
            d["a"]["evidence_digest"].as_str().unwrap()
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "\n1 added, 0 removed, 1 changed version.\n\n| change | item |\n|---|---|\n\
             | added | hex {hex_version} (linked) |\n\
             | changed | sensor-core 0.3.0 → 0.3.1 (patch, compatible) |\n\
             | exception added | RUSTSEC-2021-0003 on smallvec until 2027-12-31 |\n\
             | exception removed | RUSTSEC-2021-0003 on smallvec until 2027-06-30 |\n\
             | artifact | thermo-fw: "
        )),
        "{md}"
    );

    let human = fx.cmd().arg("diff").arg(&a).arg(&b).output().unwrap();
    let text = stdout(&human);
    assert!(
        text.contains(&format!(
            "  added              hex {hex_version} (linked, crates.io)\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "  changed            sensor-core 0.3.0 → 0.3.1 (patch, compatible, linked)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  exception added    RUSTSEC-2021-0003 on smallvec until 2027-12-31\n"),
        "{text}"
    );
}
