//! `export`: the peer tools' configuration written from our policy, so a team keeps one source
//! of truth and cargo-deny, cargo-audit or osv-scanner in CI agree with the gate: the license
//! allow-list and exceptions, the allowed registries and git sources, and the advisory
//! exceptions still valid on the evaluation date (with their expiry where the tool has one:
//! osv-scanner's `ignoreUntil`; in the reason elsewhere).

use crate::policy::{AdvisoryException, POLICY_FILE, Policy};
use crate::util::time::Day;
use std::fmt::Write;

/// A peer tool whose configuration `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// `deny.toml`.
    CargoDeny,
    /// `.cargo/audit.toml`.
    CargoAudit,
    /// `osv-scanner.toml`.
    OsvScanner,
}

const CRATES_IO_INDEX: &str = "https://github.com/rust-lang/crates.io-index";

pub fn render(policy: &Policy, peer: Peer, date: Day) -> String {
    let mut t = format!(
        "# Written by `cargo release-evidence export` from {POLICY_FILE} on {date}: edit that file\n# and export again; changes made here are lost.\n"
    );
    let exceptions: Vec<&AdvisoryException> = policy
        .data
        .advisories
        .exception
        .iter()
        .map(|e| e.get_ref())
        .filter(|e| e.expires >= date)
        .collect();
    match peer {
        Peer::CargoDeny => cargo_deny(&mut t, policy, &exceptions),
        Peer::CargoAudit => cargo_audit(&mut t, &exceptions),
        Peer::OsvScanner => osv_scanner(&mut t, &exceptions),
    }
    t
}

fn cargo_deny(t: &mut String, policy: &Policy, exceptions: &[&AdvisoryException]) {
    let lic = &policy.data.licenses;
    // The gate checks what ships: dev-dependencies only with `--include-dev`.
    t.push_str("\n[graph]\nexclude-dev = true\n");
    t.push_str("\n[licenses]\nversion = 2\n");
    let allow: Vec<&str> = lic.allow.iter().map(|a| a.get_ref().as_str()).collect();
    let _ = writeln!(t, "allow = {}", list(&allow));
    for e in &lic.exception {
        let e = e.get_ref();
        let ids: Vec<&str> = e.allow.iter().map(|a| a.get_ref().as_str()).collect();
        t.push_str("\n[[licenses.exceptions]]\n");
        let _ = writeln!(t, "crate = {}", quote(&e.name));
        let _ = writeln!(t, "allow = {}", list(&ids));
        if let Some(v) = &e.version {
            let _ = writeln!(t, "# only for version {v} in {POLICY_FILE}");
        }
    }
    let src = &policy.data.sources;
    let registries: Vec<&str> = src
        .allow_registries
        .iter()
        .map(|r| {
            if r == "crates.io" {
                CRATES_IO_INDEX
            } else {
                r.as_str()
            }
        })
        .collect();
    let git: Vec<&str> = src.allow_git.iter().map(String::as_str).collect();
    t.push_str("\n[sources]\nunknown-registry = \"deny\"\nunknown-git = \"deny\"\n");
    let _ = writeln!(t, "allow-registry = {}", list(&registries));
    let _ = writeln!(t, "allow-git = {}", list(&git));
    t.push_str("\n[advisories]\nversion = 2\nignore = [\n");
    for e in exceptions {
        let _ = writeln!(
            t,
            "    {{ id = {}, reason = {} }},",
            quote(&e.id.0),
            quote(&format!(
                "{} ({}; approved by {}, expires {})",
                e.reason, e.krate, e.approved_by, e.expires
            ))
        );
    }
    t.push_str("]\n");
}

fn cargo_audit(t: &mut String, exceptions: &[&AdvisoryException]) {
    t.push_str("\n[advisories]\nignore = [\n");
    for e in exceptions {
        let _ = writeln!(
            t,
            "    {}, # {}: {} (approved by {}, expires {})",
            quote(&e.id.0),
            e.krate,
            one_line(&e.reason),
            e.approved_by,
            e.expires
        );
    }
    t.push_str("]\n");
}

fn osv_scanner(t: &mut String, exceptions: &[&AdvisoryException]) {
    for e in exceptions {
        t.push_str("\n[[IgnoredVulns]]\n");
        let _ = writeln!(t, "id = {}", quote(&e.id.0));
        // Valid through the expiry day: ignored until the start of the next one.
        let _ = writeln!(t, "ignoreUntil = {}T00:00:00Z", e.expires.plus_days(1));
        let _ = writeln!(
            t,
            "reason = {}",
            quote(&format!(
                "{} ({}; approved by {})",
                e.reason, e.krate, e.approved_by
            ))
        );
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_owned()
}

fn list(items: &[&str]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
