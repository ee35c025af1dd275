//! `review`: one block per crate needing a decision, riskiest first, then the counts.

use super::{BOLD, DIM, YELLOW, plural};
use crate::review::{Item, Review};
use std::fmt::Write;

pub fn render(r: &Review, quiet: bool) -> String {
    let mut t = String::new();
    if !quiet {
        for item in &r.items {
            block(&mut t, item);
        }
    }
    for c in &r.cargo_vet {
        let _ = writeln!(
            t,
            "approved by cargo-vet: {} {} — {}",
            c.name,
            c.version,
            c.audits.join("; ")
        );
    }
    let n = r.items.len();
    let _ = writeln!(
        t,
        "{n} crate{} need{} a decision; approved: {} reviewed, {} by baseline entries ({})",
        plural(n),
        if n == 1 { "s" } else { "" },
        r.approved.reviewed,
        r.approved.baseline,
        r.policy
    );
    if n > 0 && !quiet {
        t.push_str("record a review: cargo release-evidence review approve NAME@VERSION --rationale \"…\" [--criteria safe-to-deploy]\n");
    }
    t
}

fn block(t: &mut String, i: &Item) {
    let _ = writeln!(
        t,
        "{BOLD}{} {}{BOLD:#} ({}) — {YELLOW}{}{YELLOW:#}",
        i.name,
        i.version,
        i.source,
        i.need.describe()
    );
    let _ = writeln!(t, "  license:   {}", i.license);
    let mut runs = vec![i.kind.to_string()];
    if i.build_script {
        runs.push("build script".to_owned());
    }
    if i.proc_macro {
        runs.push("proc-macro".to_owned());
    }
    let _ = writeln!(t, "  kind:      {}", runs.join(", "));
    match &i.code {
        Some(c) => {
            let _ = writeln!(
                t,
                "  source:    {} .rs file{}, {} lines, {} bytes; unsafe: {}",
                c.files,
                plural(c.files),
                c.lines,
                c.bytes,
                c.unsafe_count
            );
        }
        None => {
            let _ = writeln!(
                t,
                "  source:    not in cache (cargo's registry cache has no {}-{}; `cargo fetch` puts it there)",
                i.name, i.version
            );
        }
    }
    let _ = writeln!(
        t,
        "  approved:  {}",
        if i.approved_before.is_empty() {
            "never".to_owned()
        } else {
            i.approved_before.join(", ")
        }
    );
    if !i.advisories.is_empty() {
        let _ = writeln!(t, "  advisories: {}", i.advisories.join(", "));
    }
    for v in &i.via {
        let _ = writeln!(
            t,
            "  {DIM}via{DIM:#}       {} ({}): {}",
            v.member,
            v.kind,
            v.path.join(" → ")
        );
    }
    t.push('\n');
}
