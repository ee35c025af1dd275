//! The clause map (`clause-map.json`, the release record's "Clause map" sections), the
//! `[evidence] require-clauses` policy (a required clause not evidenced holds the release:
//! RE-CLAUSE-NOT-EVIDENCED), and the SOUP list's `support` (RustSec unmaintained, the local
//! crates.io index cache).

use release_evidence_tests::signing::{self, EXCEPTION};
use release_evidence_tests::*;
use serde_json::Value;
use std::path::Path;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `(id, status, [(file, field)])` of a row.
type RowOf = (String, String, Vec<(String, String)>);

/// Every row, in the map's order.
fn rows(map: &Value) -> Vec<RowOf> {
    map["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
                r["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        (
                            e["file"].as_str().unwrap().to_owned(),
                            e["field"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

type Expected<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

const M: &str = "release-evidence.json";

/// The example without `[verification]`, with `[approvals]` naming a release signer, the
/// smallvec exception (PASS), built, not checked for reproducibility.
const SIGNED_EXAMPLE: &[Expected<'static>] = &[
    ("IEC62304-5.8.1", "not-evidenced", &[]),
    ("IEC62304-5.8.2", "not-evidenced", &[]),
    ("IEC62304-5.8.3", "not-evidenced", &[]),
    (
        "IEC62304-5.8.4",
        "evidenced",
        &[(M, "product"), (M, "source"), (M, "artifacts")],
    ),
    (
        "IEC62304-5.8.5",
        "evidenced",
        &[
            (M, "build"),
            (M, "toolchain"),
            ("provenance.intoto.json", "predicate"),
        ],
    ),
    ("IEC62304-5.8.6", "not-evidenced", &[]),
    (
        "IEC62304-5.8.7",
        "evidenced",
        &[
            ("thermo-fw", ""),
            ("thermo-fw.cdx.json", ""),
            ("provenance.intoto.json", ""),
            ("SHA256SUMS", ""),
        ],
    ),
    (
        "IEC62304-5.8.8",
        "evidenced",
        &[("SHA256SUMS", ""), (M, "artifacts[].sha256")],
    ),
    (
        "IEC62304-7.1.3",
        "evidenced",
        &[("soup.json", "items[].anomalies")],
    ),
    ("IEC62304-8.1.2", "evidenced", &[("soup.json", "items[]")]),
    (
        "SSDF-PO.1.3",
        "evidenced",
        &[("soup.json", "items[].approval"), (M, "policy")],
    ),
    (
        "SSDF-PW.4.1",
        "evidenced",
        &[("soup.json", "items[].approval")],
    ),
    (
        "SSDF-PW.4.4",
        "evidenced",
        &[("soup.json", "items[].support"), (M, "advisory_db")],
    ),
    ("SSDF-PS.1", "not-evidenced", &[]),
    (
        "SSDF-PS.2",
        "evidenced-after-sign",
        &[
            ("SHA256SUMS", ""),
            ("SHA256SUMS.sig", ""),
            ("readiness.json", "signed_by"),
            ("thermo-fw.intoto.jsonl", ""),
        ],
    ),
    (
        "SSDF-PS.3",
        "evidenced",
        &[
            ("thermo-fw", ""),
            ("thermo-fw.cdx.json", ""),
            ("provenance.intoto.json", ""),
            ("SHA256SUMS", ""),
        ],
    ),
    (
        "SSDF-RV.1",
        "evidenced",
        &[
            ("thermo-fw.cdx.json", "components"),
            ("thermo-fw.cdx.vex.json", "vulnerabilities"),
            (M, "advisory_db"),
        ],
    ),
    (
        "SSDF-RV.2",
        "evidenced",
        &[
            ("thermo-fw.cdx.vex.json", "vulnerabilities[].analysis"),
            (M, "exceptions_applied"),
            (M, "gate.decision"),
        ],
    ),
    (
        "CRA-I-II-1",
        "evidenced",
        &[
            ("thermo-fw.cdx.json", "components"),
            ("thermo-fw.cdx.vex.json", "vulnerabilities"),
            (M, "advisory_db"),
        ],
    ),
    (
        "CRA-I-II-2",
        "evidenced",
        &[
            ("thermo-fw.cdx.vex.json", "vulnerabilities[].analysis"),
            (M, "exceptions_applied"),
            (M, "gate.decision"),
        ],
    ),
    ("CRA-I-II-3", "not-evidenced", &[]),
    ("CRA-I-II-4", "not-evidenced", &[]),
    ("CRA-I-II-5", "not-evidenced", &[]),
    ("CRA-I-II-6", "not-evidenced", &[]),
    ("CRA-I-II-7", "not-evidenced", &[]),
    ("CRA-I-II-8", "not-evidenced", &[]),
    ("CRA-Art13-8", "not-evidenced", &[]),
];

fn owned(expected: &[Expected<'_>]) -> Vec<RowOf> {
    expected
        .iter()
        .map(|(id, status, ev)| {
            (
                id.to_string(),
                status.to_string(),
                ev.iter()
                    .map(|(f, k)| (f.to_string(), k.to_string()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn clause_map_rows_are_computed_from_the_evidence_and_verify_covers_the_file() {
    // Built, approved by every role and signed: `verify` passes.
    let (fx, dir) = signing::signed_release();
    let map = read_json(&dir.join("clause-map.json"));
    assert_eq!(map["schema"], "cargo-release-evidence/clause-map");
    assert_eq!(map["product"], "thermo-fw");
    assert_eq!(map["version"], "0.9.0");
    assert_eq!(rows(&map), owned(SIGNED_EXAMPLE));
    // Nothing is required by this policy.
    assert!(
        map["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["required"] == false)
    );
    // Every file an evidenced row names exists; after `sign`, so do PS.2's.
    for (_, _, evidence) in rows(&map) {
        for (file, _) in evidence {
            assert!(dir.join(&file).is_file(), "{file} is missing");
        }
    }
    // The manifest lists it with its digest; SHA256SUMS covers it.
    let manifest = read_json(&dir.join("release-evidence.json"));
    let record = &manifest["clause_map"];
    assert_eq!(record["path"], "clause-map.json");
    assert_eq!(record["kind"], "clause-map");
    assert_eq!(
        record["sha256"].as_str().unwrap(),
        signing::sha256_file(&dir.join("clause-map.json"))
    );
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(sums.contains(&format!(
        "{}  clause-map.json\n",
        record["sha256"].as_str().unwrap()
    )));
    // The record and the page show the map.
    let md = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(
        md.contains("\n## Clause map\n\n27 clauses: 14 evidenced, 1 evidenced after sign, 12 not evidenced (`clause-map.json`)."),
        "{md}"
    );
    assert!(md.contains("| IEC 62304 8.1.2 | Identify SOUP | evidenced | soup.json `items[]` |"));
    assert!(md.contains("| NIST SSDF PS.2 | Provide a mechanism for verifying software release integrity | evidenced after sign | SHA256SUMS; SHA256SUMS.sig; readiness.json `signed_by`; thermo-fw.intoto.jsonl |"));
    let page = std::fs::read_to_string(dir.join("release-evidence.html")).unwrap();
    assert!(page.contains("<section id=\"clauses\">\n<h2>Clause map</h2>"));
    assert!(page.contains("<td>EU CRA Art. 13(8)</td><td>Handle vulnerabilities during the support period (at least five years)</td><td class=\"not-evidenced\">not evidenced</td>"), "{page}");
    assert!(page.contains("<section id=\"soup\">"));

    // A tampered clause map (a row claimed evidenced) fails `verify`.
    signing::edit_json(&dir.join("clause-map.json"), |m| {
        m["rows"][0]["status"] = "evidenced".into();
    });
    let out = signing::verify_in(&fx, &fx.root, &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("clause-map.json"), "{}", stdout(&out));
}

#[test]
fn a_required_clause_not_evidenced_holds_the_release() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.append(
        "release-evidence.toml",
        "\n[evidence]\nrequire-clauses = [\"IEC62304-8.1.2\", \"CRA-Art13-8\", \"SSDF-PS.2\"]\n",
    );
    let policy = fx.read("release-evidence.toml");
    let line = policy.lines().count();
    let col = |id: &str| policy.lines().last().unwrap().find(id).unwrap();
    // No ledger: the [lifecycle] below reads none.
    let xdg = fx.outside("xdg");
    let run = |fx: &Fixture| {
        fx.cmd()
            .env("SOURCE_DATE_EPOCH", "1780000000")
            .env("XDG_DATA_HOME", &xdg)
            .args(["--offline", "--date", DATE, "--format", "json"])
            .output()
            .unwrap()
    };
    let out = run(&fx);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["decision"], "HOLD");
    let held: Vec<&Value> = report["evidence"][0]["build_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RE-CLAUSE-NOT-EVIDENCED")
        .collect();
    assert_eq!(held.len(), 2, "{report:#}");
    assert_eq!(
        held[0]["message"],
        "thermo-fw 0.9.0: the policy requires CRA-Art13-8 (EU CRA (Regulation (EU) 2024/2847) Art. 13(8): Handle vulnerabilities during the support period (at least five years)), and this release does not evidence it: no [lifecycle] support-until is declared"
    );
    assert_eq!(held[0]["severity"], "error");
    assert_eq!(held[0]["location"]["file"], "release-evidence.toml");
    assert_eq!(held[0]["location"]["line"], line);
    assert_eq!(held[0]["location"]["column"], col("\"CRA-Art13-8\"") + 1);
    assert!(held[1]["message"].as_str().unwrap().starts_with(
        "thermo-fw 0.9.0: the policy requires SSDF-PS.2 (NIST SP 800-218 (SSDF 1.1) PS.2: Provide a mechanism for verifying software release integrity), and this release does not evidence it: the policy names no release signer"
    ));
    // The map marks the required rows; the manifest's decision is the HOLD.
    let dir = fx.path(signing::EVIDENCE);
    let map = read_json(&dir.join("clause-map.json"));
    let required: Vec<(&str, &str)> = map["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["required"] == true)
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        required,
        vec![
            ("IEC62304-8.1.2", "evidenced"),
            ("SSDF-PS.2", "not-evidenced"),
            ("CRA-Art13-8", "not-evidenced"),
        ]
    );
    let manifest = read_json(&dir.join("release-evidence.json"));
    assert_eq!(manifest["gate"]["decision"], "HOLD");
    let md = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(md.contains("| EU CRA Art. 13(8) (required) | Handle vulnerabilities during the support period (at least five years) | **not evidenced** | — | no [lifecycle] support-until is declared |"), "{md}");

    // Declaring the support end and a release signer evidences both: PASS.
    fx.replace(
        "release-evidence.toml",
        "\n[evidence]",
        "\n[lifecycle]\nsupport-until = 2031-12-31\n\n[evidence]",
    );
    fx.append(
        "release-evidence.toml",
        &signing::approvals(signing::SEC_ONLY),
    );
    let keys = signing::Keys::ed25519(&fx, &["qa", "ra", "sec", "release"]);
    fx.write("allowed_signers", &signing::allowed_signers(&keys, false));
    let out = run(&fx);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let map = read_json(&dir.join("clause-map.json"));
    let art = map["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "CRA-Art13-8")
        .unwrap();
    assert_eq!(art["status"], "evidenced");
    assert_eq!(
        art["evidence"],
        serde_json::json!([{"file": M, "field": "lifecycle.support_until"}])
    );
    assert_eq!(art["note"], "support period declared until 2031-12-31");
}

#[test]
fn an_unknown_clause_id_is_refused_at_its_place() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[evidence]\nrequire-clauses = [\"IEC62304-8.1.2\", \"IEC62304-9.9\"]\n",
    );
    let policy = fx.read("release-evidence.toml");
    let line = policy.lines().count();
    let col = policy
        .lines()
        .last()
        .unwrap()
        .find("\"IEC62304-9.9\"")
        .unwrap()
        + 1;
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("release-evidence.toml:{line}:{col}")),
        "{err}"
    );
    assert!(
        err.contains("[evidence] `require-clauses`: unknown clause id `IEC62304-9.9`; known ids: IEC62304-5.8.1, "),
        "{err}"
    );
    // An unknown key of [evidence] too.
    fx.replace("release-evidence.toml", "require-clauses", "require-clause");
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown field `require-clause`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn soup_support_from_a_rustsec_unmaintained_advisory_and_the_index_cache() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    // thermo-fw takes atty (unmaintained: RUSTSEC-2024-0375 in the example's advisory DB) as a
    // normal dependency; it is approved, with the review's criteria.
    fx.replace(
        "app/Cargo.toml",
        "unicode-ident = \"1\"\n",
        "unicode-ident = \"1\"\natty = \"0.2\"\n",
    );
    fx.update_lockfile(&["--offline"]);
    fx.append(
        "release-evidence.toml",
        "\n[[approved]]\nname = \"atty\"\nversion = \"=0.2.14\"\nreviewed-by = \"alice@example.com\"\ndate = 2026-08-01\nrationale = \"terminal detection for the debug console\"\ncriteria = \"safe-to-deploy\"\n\n[[approved]]\nname = \"libc\"\nversion = \"0.2\"\nreviewed-by = \"alice@example.com\"\ndate = 2026-08-01\nrationale = \"system bindings\"\n",
    );
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(["--offline", "--date", DATE, "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = fx.path(signing::EVIDENCE);
    let soup = read_json(&dir.join("soup.json"));
    let item = |name: &str| {
        soup["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in the SOUP list"))
            .clone()
    };
    let atty = item("atty");
    assert_eq!(atty["unmaintained"], true);
    assert_eq!(atty["approval"]["criteria"], "safe-to-deploy");
    let s = &atty["support"];
    assert_eq!(s["level"], "unmaintained");
    assert_eq!(s["end_of_support"], "2024-09-25");
    assert_eq!(s["end_of_support_source"], "RUSTSEC-2024-0375");
    // atty's last release is 0.2.14 (the index cache holds it: cargo fetched it to build).
    assert_eq!(s["latest_version"], "0.2.14");
    // Its publication days, from the `pubtime` crates.io records in the index cache entries.
    assert_eq!(s["version_release_date"], "2020-01-05");
    assert_eq!(s["last_release_date"], "2020-01-05");
    assert_eq!(s["last_release_version"], "0.2.14");
    assert_eq!(
        s["last_release_note"],
        "from the `pubtime` crates.io records in the local index cache entry"
    );
    assert_eq!(
        s["basis"],
        "RustSec RUSTSEC-2024-0375 declares the crate unmaintained (2024-09-25); the local crates.io index cache lists this version (latest non-yanked: 0.2.14)"
    );
    // A crates.io crate with no notice, published: maintained.
    let crc = item("crc");
    assert_eq!(crc["support"]["level"], "maintained");
    assert_eq!(crc["support"]["end_of_support"], "none declared");
    assert_eq!(crc["support"]["end_of_support_source"], Value::Null);
    assert!(crc["support"]["latest_version"].is_string());
    assert!(crc.get("approval").unwrap().get("criteria").is_none());
    // The supplier's HAL is not on crates.io: unknown.
    let hal = item("acme-hal");
    assert_eq!(hal["support"]["level"], "unknown");
    assert_eq!(
        hal["support"]["basis"],
        "no RustSec unmaintained advisory; not a crates.io package"
    );
    assert_eq!(hal["support"]["latest_version"], Value::Null);
    assert_eq!(hal["support"]["last_release_date"], Value::Null);
    assert_eq!(
        hal["support"]["last_release_note"],
        "unknown: not a crates.io package"
    );

    // The CSV appends the support columns at the end.
    let csv = std::fs::read_to_string(dir.join("soup.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("atty,")).unwrap();
    assert!(
        row.ends_with(
            ",yes,no,unmaintained,2024-09-25,0.2.14,2020-01-05,safe-to-deploy,2020-01-05,0.2.14"
        ),
        "{row}"
    );
    // The record's and the page's SOUP rows show it.
    let md = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    assert!(
        md.contains("| unmaintained (end of support: 2024-09-25, RUSTSEC-2024-0375; latest: 0.2.14; last release: 0.2.14 on 2020-01-05); reviewed for safe-to-deploy |"),
        "{md}"
    );
    let page = std::fs::read_to_string(dir.join("release-evidence.html")).unwrap();
    assert!(page.contains("<td class=\"support-unmaintained\">unmaintained (end of support: 2024-09-25, RUSTSEC-2024-0375; latest: 0.2.14; last release: 0.2.14 on 2020-01-05); reviewed for safe-to-deploy</td>"), "{page}");
}
