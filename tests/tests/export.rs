//! `export`: the peer tools' configuration written from the example workspace's policy, with
//! a valid and an expired advisory exception and an allowed git source added.

use release_evidence_tests::*;

fn fixture() -> Fixture {
    let fx = Fixture::example();
    fx.replace(
        "release-evidence.toml",
        "allow-git = []",
        "allow-git = [\"https://github.com/acme/hal-extras\"]",
    );
    fx.append(
        "release-evidence.toml",
        "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n\n[[advisories.exception]]\nid = \"RUSTSEC-2018-0018\"\ncrate = \"smallvec\"\nreason = \"old\"\napproved-by = \"security@example.com\"\nexpires = 2026-01-31\n",
    );
    fx
}

fn export(fx: &Fixture, tool: &str) -> String {
    let out = fx.run(&["export", tool, "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

const HEADER: &str = "# Written by `cargo release-evidence export` from release-evidence.toml on 2026-09-01: edit that file\n# and export again; changes made here are lost.\n";

#[test]
fn export_cargo_deny() {
    let fx = fixture();
    assert_eq!(
        export(&fx, "cargo-deny"),
        format!(
            "{HEADER}
[graph]
exclude-dev = true

[licenses]
version = 2
allow = [\"MIT\", \"Apache-2.0\", \"Unicode-3.0\"]

[[licenses.exceptions]]
crate = \"acme-hal\"
allow = [\"LicenseRef-Acme-Proprietary\"]

[sources]
unknown-registry = \"deny\"
unknown-git = \"deny\"
allow-registry = [\"https://github.com/rust-lang/crates.io-index\"]
allow-git = [\"https://github.com/acme/hal-extras\"]

[advisories]
version = 2
ignore = [
    {{ id = \"RUSTSEC-2021-0003\", reason = \"insert_many is never called (smallvec; approved by security@example.com, expires 2027-06-30)\" }},
]
"
        )
    );
}

#[test]
fn export_cargo_audit_and_osv_scanner() {
    let fx = fixture();
    assert_eq!(
        export(&fx, "cargo-audit"),
        format!(
            "{HEADER}
[advisories]
ignore = [
    \"RUSTSEC-2021-0003\", # smallvec: insert_many is never called (approved by security@example.com, expires 2027-06-30)
]
"
        )
    );
    assert_eq!(
        export(&fx, "osv-scanner"),
        format!(
            "{HEADER}
[[IgnoredVulns]]
id = \"RUSTSEC-2021-0003\"
ignoreUntil = 2027-07-01T00:00:00Z
reason = \"insert_many is never called (smallvec; approved by security@example.com)\"
"
        )
    );
    // `-o` writes the file.
    let path = fx.path("osv-scanner.toml");
    let out = fx.run(&[
        "export",
        "osv-scanner",
        "--date",
        DATE,
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fx.read("osv-scanner.toml"), export(&fx, "osv-scanner"));
}
