//! CRA Annex I Part II (4)–(6) in the clause map: evidenced by what `[lifecycle]` declares —
//! where fixed vulnerabilities are published (`advisories-url`, with the VEX documents), the
//! coordinated vulnerability disclosure policy (`disclosure-policy`, by digest) and the
//! security contact (`security-contact`) — and a bad declaration refused at its place.

use release_evidence_tests::evidence::read_json;
use release_evidence_tests::signing::{self, EXCEPTION};
use release_evidence_tests::*;
use serde_json::Value;

const M: &str = "release-evidence.json";
const POLICY_TEXT: &str = "# Security policy\n\nReport vulnerabilities to security@example.com; we acknowledge within 3 working days and disclose fixes after 90 days at most.\n";

fn main_job(fx: &Fixture) -> std::process::Output {
    fx.cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .env("XDG_DATA_HOME", fx.outside("xdg"))
        .args(["--offline", "--date", DATE, "--format", "json"])
        .output()
        .unwrap()
}

fn row(map: &Value, id: &str) -> Value {
    map["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
        .clone()
}

#[test]
fn disclosure_policy_contact_and_advisories_url_evidence_cra_annex_i_part_ii_4_to_6() {
    let fx = Fixture::example();
    fx.append("release-evidence.toml", EXCEPTION);
    fx.append(
        "release-evidence.toml",
        "\n[evidence]\nrequire-clauses = [\"CRA-I-II-4\", \"CRA-I-II-5\", \"CRA-I-II-6\"]\n",
    );
    // Required and not declared: the release holds, one finding per clause, each saying why.
    let out = main_job(&fx);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let held: Vec<String> = report["evidence"][0]["build_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RE-CLAUSE-NOT-EVIDENCED")
        .map(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .rsplit(": ")
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        held,
        vec![
            "no [lifecycle] advisories-url is declared (where fixed vulnerabilities are disclosed)",
            "no [lifecycle] disclosure-policy file is declared",
            "no [lifecycle] security-contact is declared",
        ],
        "{report:#}"
    );

    // Declared: evidenced, each row naming the manifest field (and the VEX documents).
    fx.write("SECURITY.md", POLICY_TEXT);
    fx.replace(
        "release-evidence.toml",
        "\n[evidence]",
        "\n[lifecycle]\nsecurity-contact = \"mailto:security@example.com\"\ndisclosure-policy = \"SECURITY.md\"\nadvisories-url = \"https://example.com/security/advisories\"\n\n[evidence]",
    );
    let out = main_job(&fx);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = fx.path(signing::EVIDENCE);
    let map = read_json(&dir.join("clause-map.json"));
    let r4 = row(&map, "CRA-I-II-4");
    assert_eq!(r4["status"], "evidenced");
    assert_eq!(
        r4["evidence"],
        serde_json::json!([
            {"file": M, "field": "lifecycle.advisories_url"},
            {"file": "thermo-fw.cdx.vex.json", "field": "vulnerabilities"}
        ])
    );
    assert_eq!(
        r4["note"],
        "the status of every advisory on the release (fixed ones included) in its VEX documents, published at https://example.com/security/advisories"
    );
    let r5 = row(&map, "CRA-I-II-5");
    assert_eq!(r5["status"], "evidenced");
    assert_eq!(
        r5["evidence"],
        serde_json::json!([{"file": M, "field": "lifecycle.disclosure_policy"}])
    );
    let r6 = row(&map, "CRA-I-II-6");
    assert_eq!(r6["status"], "evidenced");
    assert_eq!(
        r6["note"],
        "vulnerabilities are reported to mailto:security@example.com"
    );
    // The manifest holds what the rows point at; the policy file by its digest.
    let manifest = read_json(&dir.join(M));
    let l = &manifest["lifecycle"];
    assert_eq!(l["security_contact"], "mailto:security@example.com");
    assert_eq!(
        l["advisories_url"],
        "https://example.com/security/advisories"
    );
    assert_eq!(
        l["disclosure_policy"],
        serde_json::json!({"path": "SECURITY.md", "sha256": signing::sha256_file(&fx.path("SECURITY.md"))})
    );
    // SHA256SUMS covers the manifest.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(
        sums.contains(&format!("{}  {M}\n", signing::sha256_file(&dir.join(M)))),
        "{sums}"
    );
}

#[test]
fn a_bad_contact_url_or_missing_disclosure_policy_is_refused_at_its_place() {
    let fx = Fixture::example();
    fx.append(
        "release-evidence.toml",
        "\n[lifecycle]\nsecurity-contact = \"security@example.com\"\nadvisories-url = \"http://example.com/advisories\"\ndisclosure-policy = \"SECURITY.md\"\n",
    );
    let policy = fx.read("release-evidence.toml");
    let line_of = |key: &str| policy.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    let out = fx.run(&["check", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for (key, why) in [
        (
            "security-contact",
            "[lifecycle] `security-contact`: `security@example.com` is not an https:// URL with a host, nor a `mailto:` address",
        ),
        (
            "advisories-url",
            "[lifecycle] `advisories-url`: `http://example.com/advisories` is not an https:// URL with a host",
        ),
        ("disclosure-policy", "[lifecycle] `disclosure-policy`: "),
    ] {
        assert!(
            err.contains(&format!(
                "release-evidence.toml:{}:{}",
                line_of(key),
                key.len() + 4
            )),
            "{key}: {err}"
        );
        assert!(err.contains(why), "{why}: {err}");
    }
    assert!(err.contains("SECURITY.md is not a file"), "{err}");
}
