//! `init --from`: a team's cargo-deny, cargo-audit and osv-scanner configuration
//! (`tests/fixtures/adopt/`) turned into the starting policy of the example workspace, every
//! decision printed, and the gate's verdict after it.

use release_evidence_tests::*;
use std::collections::BTreeMap;

/// The example workspace without its policy, with the three peer configurations beside it.
fn fixture() -> Fixture {
    let fx = Fixture::example();
    std::fs::remove_file(fx.path("release-evidence.toml")).unwrap();
    for f in ["deny.toml", "audit.toml", "osv-scanner.toml"] {
        let text =
            std::fs::read_to_string(repo_root().join("tests/fixtures/adopt").join(f)).unwrap();
        fx.write(f, &text);
    }
    fx
}

fn init(fx: &Fixture, from: &[&str]) -> std::process::Output {
    let db = fixture_db();
    let mut args = vec!["init", "--offline", "--date", DATE, "--advisory-db"];
    args.push(db.to_str().unwrap());
    for f in from {
        args.extend(["--from", f]);
    }
    fx.run(&args)
}

#[test]
fn init_from_cargo_deny_audit_and_osv_scanner_writes_their_decisions() {
    let fx = fixture();
    let out = init(
        &fx,
        &[
            "cargo-deny=deny.toml",
            "cargo-audit=audit.toml",
            "osv-scanner=osv-scanner.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let db = fixture_db();
    let expected = format!(
        "\
deny.toml:2:2: `graph` not imported: the release members, target and features come from [release] and the command line
deny.toml:11:5: ignore of a crate (a yanked version) not imported: a yanked version always holds; upgrade it
deny.toml:13:1: [advisories] `yanked` not imported: vulnerabilities and yanked versions always hold; informational kinds are [advisories] block-informational
deny.toml:17:46: license `GPL-3.0` imported as `GPL-3.0-only`
deny.toml:17:1: [licenses] allow imported: 4 ids replace the ids in use
deny.toml:18:1: [licenses] `confidence-threshold` not imported: the gate reads each crate's declared license expression only
deny.toml:24:1: [bans] `multiple-versions` not imported: the gate approves each crate version that ships ([[approved]])
deny.toml:26:5: ban of `openssl` imported as [[banned]]
deny.toml:27:5: ban of `crc-catalog` 2 imported as [[banned]]
deny.toml:32:15: [sources] `unknown-git = \"warn\"` not imported: the gate holds on every source not allowed
deny.toml:35:1: [sources] `frobnicate` is not a key deny.toml defines; not imported
audit.toml:4:1: [advisories] `informational_warnings` not imported: vulnerabilities always hold; informational kinds are [advisories] block-informational
audit.toml:7:1: [output] `deny` not imported: the gate's output is chosen with --format
deny.toml:8:5: ignore of RUSTSEC-2021-0003 imported as an [[advisories.exception]] for `smallvec` expiring 2026-11-30 (no reason given; no expiry given, expires in 90 days)
deny.toml:9:12: ignore of RUSTSEC-2019-0009 imported as an [[advisories.exception]] for `smallvec` expiring 2026-11-30 (no expiry given, expires in 90 days)
deny.toml:10:5: ignore of RUSTSEC-2099-0001 not imported: the advisory database at {} has no advisory with this id or alias
audit.toml:3:11: ignore of RUSTSEC-2019-0012 imported as an [[advisories.exception]] for `smallvec` expiring 2026-11-30 (no reason given; no expiry given, expires in 90 days)
osv-scanner.toml:3:6: ignore of RUSTSEC-2018-0018 imported as an [[advisories.exception]] for `smallvec` expiring 2027-02-28
osv-scanner.toml:8:6: ignore of RUSTSEC-2018-0003 imported as an [[advisories.exception]] for `smallvec` expiring 2026-11-30 (no reason given; no expiry given, expires in 90 days)
wrote {} with 29 crates pending review; review each, then run `cargo release-evidence check`
",
        db.display(),
        fx.path("release-evidence.toml").display()
    );
    assert_eq!(stdout(&out), expected);

    let policy = fx.read("release-evidence.toml");
    for section in [
        "[licenses]
# Imported from deny.toml.
allow = [\"MIT\", \"Apache-2.0\", \"Unicode-3.0\", \"GPL-3.0-only\"]

[[licenses.exception]]
name = \"acme-hal\"
allow = [\"LicenseRef-Acme-Proprietary\"]
reason = \"imported from deny.toml: review\"
",
        "[sources]
# allow-registries imported from deny.toml.
# allow-git imported from deny.toml.
allow-registries = [\"crates.io\"]
allow-git = []

# Crates that must never ship (RE-BANNED).
[[banned]]
name = \"openssl\"
reason = \"we use rustls (imported from deny.toml)\"

[[banned]]
name = \"crc-catalog\"
version = \"2\"
reason = \"banned in deny.toml\"
",
        "
[[advisories.exception]]
id = \"RUSTSEC-2021-0003\"
crate = \"smallvec\"
reason = \"imported from deny.toml: review\"
approved-by = \"imported from deny.toml\"
expires = 2026-11-30

[[advisories.exception]]
id = \"RUSTSEC-2019-0009\"
crate = \"smallvec\"
reason = \"insert_many is never called (imported from deny.toml: review)\"
approved-by = \"imported from deny.toml\"
expires = 2026-11-30

[[advisories.exception]]
id = \"RUSTSEC-2019-0012\"
crate = \"smallvec\"
reason = \"imported from audit.toml: review\"
approved-by = \"imported from audit.toml\"
expires = 2026-11-30

[[advisories.exception]]
id = \"RUSTSEC-2018-0018\"
crate = \"smallvec\"
reason = \"no untrusted input reaches it (imported from osv-scanner.toml: review)\"
approved-by = \"imported from osv-scanner.toml\"
expires = 2027-02-28

[[advisories.exception]]
id = \"RUSTSEC-2018-0003\"
crate = \"smallvec\"
reason = \"imported from osv-scanner.toml: review\"
approved-by = \"imported from osv-scanner.toml\"
expires = 2026-11-30
",
    ] {
        assert!(
            policy.contains(section),
            "missing:\n{section}\nin:\n{policy}"
        );
    }
    assert!(policy.ends_with("expires = 2026-11-30\n"), "{policy}");

    // The gate after the import: the imported exception accepts the advisory affecting
    // smallvec 0.6.13, the imported ban holds crc-catalog, the imported license exception
    // covers acme-hal; the rest is the review `init` always asks for.
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 7",
        "max-age-days = 3650",
    );
    let (code, report) = fx.check_json(&["--advisory-db", db.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (c, _, _) in findings(&report) {
        *counts.entry(c).or_default() += 1;
    }
    assert_eq!(
        counts,
        BTreeMap::from([
            ("RE-ADVISORY-ACCEPTED".to_owned(), 1),
            ("RE-APPROVAL-PENDING".to_owned(), 27),
            ("RE-BANNED".to_owned(), 1),
            ("RE-EXCEPTION-UNUSED".to_owned(), 4),
            ("RE-SUPPLIER-UNREVIEWED".to_owned(), 2),
        ])
    );
    let banned = with_code(&report, "RE-BANNED");
    assert_eq!(
        banned[0]["message"],
        "crc-catalog 2.5.0 is banned: banned in deny.toml"
    );
    let accepted = with_code(&report, "RE-ADVISORY-ACCEPTED");
    assert_eq!(accepted[0]["advisory"], "RUSTSEC-2021-0003");
}

#[test]
fn without_the_import_the_advisory_holds_the_gate() {
    // The counterpart: the same workspace initialised without --from reports the advisory as
    // a blocking finding, so the import is what accepted it.
    let fx = fixture();
    let out = init(&fx, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 7",
        "max-age-days = 3650",
    );
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 1);
    let advisories: Vec<String> = findings(&report)
        .into_iter()
        .filter(|(c, _, _)| c == "RE-ADVISORY-VULNERABILITY")
        .map(|(_, _, a)| a)
        .collect();
    assert_eq!(advisories, ["RUSTSEC-2021-0003"]);
    assert!(with_code(&report, "RE-BANNED").is_empty());
}

#[test]
fn bad_peer_configuration_is_an_error_at_its_line_and_column() {
    let fx = fixture();
    fx.write(
        "deny.toml",
        "[licenses]\nallow = \"MIT\"\n\n[bans]\ndeny = [42]\n",
    );
    let out = init(&fx, &["cargo-deny=deny.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("deny.toml:2:9: [licenses] allow: expected an array of strings"),
        "{err}"
    );
    assert!(
        err.contains("deny.toml:5:9: [bans] deny entry: expected a string or an inline table"),
        "{err}"
    );
    assert!(!fx.path("release-evidence.toml").exists());

    fx.write("osv-scanner.toml", "[[IgnoredVulns]\nid = 1\n");
    let out = init(&fx, &["osv-scanner=osv-scanner.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("osv-scanner.toml:1:16: not a TOML file"),
        "{}",
        stderr(&out)
    );

    let out = init(&fx, &["cargo-vet=supply-chain"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "invalid value for `--from`: unknown tool `cargo-vet`; expected cargo-deny, cargo-audit or osv-scanner"
        ),
        "{}",
        stderr(&out)
    );
}
