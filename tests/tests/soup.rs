//! The SOUP list (IEC 62304 §8.1.2, §7.1.3): `soup.json`, `soup.csv` and the release record's
//! section, from the gate's data and the policy's approvals.

use release_evidence_tests::*;
use serde_json::Value;

#[test]
fn soup_list_names_every_shipped_third_party_crate_with_approval_and_anomalies() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n",
    );
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(["--offline", "--date", DATE, "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = fx.path("target/release/release-evidence/thermo-fw-0.9.0");
    let soup: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("soup.json")).unwrap()).unwrap();
    assert_eq!(soup["schema"], "cargo-release-evidence/soup");
    let items = soup["items"].as_array().unwrap();
    let names: Vec<(&str, &str)> = items
        .iter()
        .filter(|i| i["kind"] == "linked")
        .map(|i| (i["name"].as_str().unwrap(), i["version"].as_str().unwrap()))
        .collect();
    // Third-party only: not the workspace's sensor-core, not the in-house build-script crate.
    assert_eq!(
        names,
        vec![
            ("acme-hal", "1.4.2"),
            ("crc", "3.4.0"),
            ("crc-catalog", "2.5.0"),
            ("maybe-uninit", "2.0.0"),
            ("smallvec", "0.6.13"),
            ("unicode-ident", "1.0.27"),
        ]
    );
    assert_eq!(items.len(), 6 + 22, "and the 22 build-time crates");
    let smallvec = items.iter().find(|i| i["name"] == "smallvec").unwrap();
    assert_eq!(smallvec["purl"], "pkg:cargo/smallvec@0.6.13");
    let lock = fx.read("Cargo.lock");
    assert!(lock.contains(&format!(
        "checksum = \"{}\"",
        smallvec["sha256"].as_str().unwrap()
    )));
    assert_eq!(smallvec["supplier"], "Simon Sapin <simon.sapin@exyr.org>");
    assert_eq!(smallvec["license"], "MIT OR Apache-2.0");
    assert_eq!(
        smallvec["approval"],
        serde_json::json!({
            "entry": "[[approved]]",
            "reviewed_by": "alice@example.com",
            "date": "2026-10-01",
            "rationale": "fixed-capacity sample buffer; pinned to the certified v0.9 baseline until sensor-core moves to 1.x"
        })
    );
    // The hit with its evaluation (the accepted risk); unsound/patched advisories of other
    // versions are no anomaly of this one.
    assert_eq!(
        smallvec["anomalies"],
        serde_json::json!([{
            "id": "RUSTSEC-2021-0003",
            "kind": "vulnerability",
            "title": "Buffer overflow in SmallVec::insert_many",
            "status": "affected",
            "evaluation": "Risk accepted by security@example.com until 2027-06-30: insert_many is never called"
        }])
    );
    assert_eq!(smallvec["unmaintained"], false);
    assert_eq!(smallvec["yanked"], false);
    // The supplier delivery is approved by its [[supplier]] review.
    let hal = items.iter().find(|i| i["name"] == "acme-hal").unwrap();
    assert_eq!(hal["approval"]["entry"], "[[supplier]]");
    assert_eq!(hal["approval"]["reviewed_by"], "dave@example.com");
    assert_eq!(hal["license"], "LicenseRef-Acme-Proprietary");

    // The CSV: a header and one row per item, quoted where needed.
    let csv = std::fs::read_to_string(dir.join("soup.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), items.len() + 1);
    assert!(lines[0].starts_with("name,version,kind,supplier,purl,sha256,license,"));
    let row = lines.iter().find(|l| l.starts_with("smallvec,")).unwrap();
    assert!(
        row.contains(",[[approved]],alice@example.com,2026-10-01,fixed-capacity sample buffer;"),
        "{row}"
    );
    // unmaintained, yanked, then the support columns appended at the end (tests/clause_map.rs).
    assert!(row.contains(",no,no,"), "{row}");
    assert!(lines[0].ends_with(
        ",unmaintained,yanked,support_level,end_of_support,latest_version,last_release_date,approval_criteria,version_release_date,last_release_version"
    ));

    // The release record shows it; SHA256SUMS covers both files.
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(record.contains("\n## SOUP (IEC 62304 §8.1.2)\n\n28 third-party crates ship (6 linked, 22 build-time only)"), "{record}");
    assert!(record.contains("| `smallvec` | 0.6.13 | linked | Simon Sapin <simon.sapin@exyr.org> | MIT OR Apache-2.0 | alice@example.com (2026-10-01): fixed-capacity sample buffer;"), "{record}");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("  soup.csv\n") && sums.contains("  soup.json\n"));
}
