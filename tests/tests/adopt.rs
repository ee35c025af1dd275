//! Adopting the tool on real workspaces: `init` then `check` on license data as crates.io
//! holds it, and on the `cargo metadata` of a large real workspace.

use release_evidence_tests::*;
use std::collections::BTreeSet;

/// A copy of `tests/fixtures/workspaces/crates-io-licenses` (unescaper 0.1.8 `GPL-3.0/MIT`,
/// fnv 1.0.7 `Apache-2.0 / MIT`, csv-core 0.1.13 `Unlicense/MIT`) with a policy from `init`.
pub fn licenses_fixture_after_init() -> Fixture {
    let fx = Fixture::copy_of(&repo_root().join("tests/fixtures/workspaces/crates-io-licenses"));
    let out = fx.run(&["init", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    accept_fixture_db(&fx);
    fx
}

/// The fixture DB is older than the 7 days `init` allows; the tests are about the rest.
fn accept_fixture_db(fx: &Fixture) {
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 7",
        "max-age-days = 3650",
    );
}

fn db() -> String {
    fixture_db().to_str().unwrap().to_owned()
}

fn codes(report: &serde_json::Value) -> BTreeSet<String> {
    findings(report).into_iter().map(|(c, _, _)| c).collect()
}

#[test]
fn init_then_check_reads_crates_io_license_data() {
    let fx = licenses_fixture_after_init();
    let policy = fx.read("release-evidence.toml");
    // Deprecated ids and `/` are mapped to what the strict allow-list accepts.
    assert!(
        policy.contains(
            "allow = [\"Apache-2.0\", \"GPL-3.0-only\", \"MIT\", \"Unicode-3.0\", \"Unlicense\"]\n"
        ),
        "{policy}"
    );
    assert!(
        policy.contains("# linked — GPL-3.0-only OR MIT (declared `GPL-3.0/MIT`)\n"),
        "{policy}"
    );
    assert!(
        policy.contains("# linked — Apache-2.0 OR MIT (declared `Apache-2.0 / MIT`)\n"),
        "{policy}"
    );
    assert!(
        policy.contains("# linked — Unlicense OR MIT (declared `Unlicense/MIT`)\n"),
        "{policy}"
    );
    // `check` reads what `init` wrote: the gate holds on reviews only, never exit 2.
    let (code, report) = fx.check_json(&["--advisory-db", &db()]);
    assert_eq!(code, 1);
    let errors: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        errors,
        BTreeSet::from(["RE-APPROVAL-PENDING".to_owned()]),
        "{report:#}"
    );
    assert_eq!(with_code(&report, "RE-APPROVAL-PENDING").len(), 10);
}

#[test]
fn a_denied_interpreted_license_shows_the_declared_text() {
    let fx = licenses_fixture_after_init();
    fx.replace(
        "release-evidence.toml",
        "allow = [\"Apache-2.0\", \"GPL-3.0-only\", \"MIT\", \"Unicode-3.0\", \"Unlicense\"]",
        "allow = [\"Apache-2.0\", \"Unicode-3.0\", \"Unlicense\"]",
    );
    let (code, report) = fx.check_json(&["--advisory-db", &db()]);
    assert_eq!(code, 1);
    let denied = with_code(&report, "RE-LICENSE-DENIED");
    let messages: Vec<&str> = denied
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(
            &"unescaper 0.1.8 is licensed `GPL-3.0-only OR MIT (declared `GPL-3.0/MIT`)`; not allowed: GPL-3.0-only, MIT"
        ),
        "{messages:#?}"
    );
}

/// `tests/fixtures/metadata/large.json` (made by `large.py` there from the 847-package
/// benchmark workspace) placed as the metadata of a workspace at a temporary root.
fn large_fixture() -> (Fixture, std::path::PathBuf) {
    let src = repo_root().join("tests/fixtures/metadata/large");
    let fx = Fixture::copy_of(&src);
    let json = std::fs::read_to_string(src.join("../large.json")).unwrap();
    let root = std::fs::canonicalize(&fx.root).unwrap();
    let json = json.replace("/fixtures/large", root.to_str().unwrap());
    let path = fx.outside("meta").join("metadata.json");
    std::fs::write(&path, json).unwrap();
    (fx, path)
}

#[test]
fn init_then_check_on_the_metadata_of_a_large_real_workspace() {
    let (fx, meta) = large_fixture();
    let meta = meta.to_str().unwrap();
    let out = fx.run(&["init", "--offline", "--date", DATE, "--metadata-path", meta]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let policy = fx.read("release-evidence.toml");
    let allow = policy
        .lines()
        .find(|l| l.starts_with("allow = ["))
        .unwrap()
        .to_owned();
    assert_eq!(allow, LARGE_ALLOW, "{policy}");
    // 42 crates declare `/` expressions; each is written with what it was read as.
    assert_eq!(policy.matches(" (declared `").count(), 42);
    assert!(policy.contains("# linked — MIT OR Apache-2.0 (declared `MIT/Apache-2.0`)\n"));
    accept_fixture_db(&fx);
    let (code, report) = fx.check_json(&["--advisory-db", &db(), "--metadata-path", meta]);
    assert_eq!(code, 1, "{report:#}");
    let errors: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        errors,
        BTreeSet::from(["RE-APPROVAL-PENDING".to_owned()]),
        "{:?}",
        codes(&report)
    );
    assert_eq!(
        with_code(&report, "RE-APPROVAL-PENDING").len(),
        LARGE_PENDING,
        "{:?}",
        codes(&report)
    );
}

const LARGE_ALLOW: &str = "allow = [\"0BSD\", \"Apache-2.0\", \"Apache-2.0 WITH LLVM-exception\", \"BSD-2-Clause\", \"BSD-3-Clause\", \"BSL-1.0\", \"CC-PDDC\", \"CC0-1.0\", \"CDLA-Permissive-2.0\", \"GPL-2.0-only\", \"ISC\", \"MIT\", \"MIT-0\", \"MPL-2.0\", \"Unicode-3.0\", \"Unlicense\", \"Zlib\"]";
/// Third-party crates shipped for the host with all features (of the 847 in the graph).
const LARGE_PENDING: usize = 681;

/// The README's test command (which fetches this file's fixture workspace) is what CI runs.
#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(repo_root().join(".ci/run")).unwrap();
    let command = readme
        .lines()
        .find(|l| l.contains("cargo nextest run"))
        .expect("README has the test command");
    assert!(
        command.contains("--manifest-path tests/fixtures/workspaces/crates-io-licenses/Cargo.toml"),
        "{command}"
    );
    assert!(
        ci.lines().any(|l| l == command),
        ".ci/run does not run `{command}`"
    );
}
