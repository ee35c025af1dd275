//! The release record `release-evidence.md`: the manifest's facts for a person, decision first.

use crate::evidence::model::DependencyChanges;
use crate::evidence::model::Manifest;
use crate::findings::{Decision, Severity};
use crate::sbom::SbomModel;
use std::fmt::Write;

pub fn release_record(m: &Manifest, models: &[SbomModel], changes: &DependencyChanges) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Release record: {} {}\n",
        m.product.name, m.product.version
    );
    let blocking = m.gate.summary.errors;
    match m.gate.decision {
        Decision::Pass => {
            let _ = writeln!(
                t,
                "**Decision: PASS** — the release gate found no blocking finding ({} warning{}).\n",
                m.gate.summary.warnings,
                if m.gate.summary.warnings == 1 {
                    ""
                } else {
                    "s"
                }
            );
        }
        Decision::Hold => {
            let _ = writeln!(
                t,
                "**Decision: HOLD** — {blocking} blocking finding{} (below). This evidence shows exactly what would ship; it must not be signed unless the risk is accepted.\n",
                if blocking == 1 { "" } else { "s" }
            );
        }
    }
    let a = m.gate.summary.approvals;
    if a.baseline > 0 {
        let _ = writeln!(
            t,
            "Third-party crates: {} approved by a review, {} accepted by baseline entries when the tool was adopted (not reviewed).\n",
            a.reviewed, a.baseline
        );
    }
    let source = match &m.source.commit {
        Some(c) => format!(
            "commit `{c}`{}{}",
            if m.source.tags.is_empty() {
                ", untagged".to_owned()
            } else {
                format!(", tag {}", m.source.tags.join(", "))
            },
            match m.source.dirty {
                Some(true) => ", **uncommitted changes**",
                Some(false) => ", clean",
                None => "",
            }
        ),
        None => "not a git checkout".to_owned(),
    };
    let features = if m.features.all_features {
        "all".to_owned()
    } else {
        let mut f = if m.features.no_default_features {
            "no default".to_owned()
        } else {
            "default".to_owned()
        };
        if !m.features.features.is_empty() {
            f.push_str(&format!(" + {}", m.features.features.join(", ")));
        }
        f
    };
    let rustc = m.toolchain.rustc.lines().next().unwrap_or_default();
    let db = &m.advisory_db;
    let _ = writeln!(t, "| | |\n|---|---|");
    let rows = [
        (
            "Product",
            format!("{} {}", m.product.name, m.product.version),
        ),
        ("Source", source),
        ("Target / profile", format!("{} / {}", m.target, m.profile)),
        ("Features", features),
        ("Toolchain", format!("{rustc}; {}", m.toolchain.cargo)),
        ("Cargo.lock", format!("sha256 `{}`", m.cargo_lock_sha256)),
        (
            "Policy",
            format!("{} (sha256 `{}`)", m.policy.path, m.policy.sha256),
        ),
        (
            "Advisory DB",
            format!(
                "{} — {}, {} advisories",
                db.commit
                    .as_deref()
                    .map(|c| format!("commit `{}`", c.chars().take(12).collect::<String>()))
                    .unwrap_or_else(|| "no commit".to_owned()),
                db.date.as_deref().unwrap_or("undated"),
                db.advisories
            ),
        ),
        ("Gate date", m.gate.date.to_string()),
        ("Generated", m.generated_at.clone()),
    ];
    for (k, v) in rows {
        let _ = writeln!(t, "| {k} | {v} |");
    }
    if let Some(b) = &m.baseline {
        t.push_str(&super::baseline::section(b));
    }

    let _ = writeln!(
        t,
        "\n## Artifacts\n\n| file | kind | size | sha256 |\n|---|---|---:|---|"
    );
    for a in &m.artifacts {
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | `{}` |",
            a.path, a.kind, a.size, a.sha256
        );
    }
    let _ = writeln!(t, "\n## SBOM\n\n| file | format | sha256 |\n|---|---|---|");
    for s in &m.sbom {
        let _ = writeln!(t, "| `{}` | {} | `{}` |", s.path, s.kind, s.sha256);
    }
    if !m.vex.is_empty() {
        let _ = writeln!(t, "\n## VEX\n\n| file | format | sha256 |\n|---|---|---|");
        for s in &m.vex {
            let _ = writeln!(t, "| `{}` | {} | `{}` |", s.path, s.kind, s.sha256);
        }
    }

    let (linked, build) = models.first().map_or((0, 0), |model| {
        let linked = model
            .components
            .iter()
            .filter(|c| c.kind == crate::findings::Kind::Linked)
            .count();
        (linked, model.components.len() - linked)
    });
    let _ = writeln!(
        t,
        "\n## Dependencies\n\n{linked} packages are linked into the artifact, {build} more run only at build time (or are dev-only)."
    );
    match &changes.baseline {
        None => {
            let _ = writeln!(t, "No earlier release to compare with.");
        }
        Some(b) => {
            let _ = writeln!(
                t,
                "Changes since {b} (from {}): {} added, {} removed, {} changed version.",
                changes.compared_with.as_deref().unwrap_or("its evidence"),
                changes.added.len(),
                changes.removed.len(),
                changes.changed.len()
            );
            for (label, item) in changes.rows() {
                let _ = writeln!(t, "- {label}: {item}");
            }
        }
    }

    let open: Vec<_> = m
        .gate
        .findings
        .iter()
        .filter(|f| f.code != crate::findings::Code::VulnerabilityAccepted)
        .collect();
    let _ = writeln!(t, "\n## Open findings\n");
    if open.is_empty() {
        let _ = writeln!(t, "None.");
    }
    for f in open {
        let sev = match f.severity {
            Severity::Error => "**error**",
            Severity::Warning => "warning",
        };
        let _ = writeln!(t, "- {sev} `{}`: {}  \n  fix: {}", f.code, f.message, f.fix);
    }

    let _ = writeln!(t, "\n## Accepted risks (advisory exceptions)\n");
    if m.exceptions_applied.is_empty() {
        let _ = writeln!(t, "None.");
    } else {
        let _ = writeln!(
            t,
            "| advisory | crate | approved by | expires | reason |\n|---|---|---|---|---|"
        );
        for e in &m.exceptions_applied {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} |",
                e.id, e.krate, e.approved_by, e.expires, e.reason
            );
        }
    }

    t.push_str(&super::verification::sections(m));

    let tick = |b: bool| if b { "x" } else { " " };
    let _ = writeln!(t, "\n## Release checklist\n");
    for (done, label) in checklist(m) {
        let _ = writeln!(t, "- [{}] {label}", tick(done));
    }
    t
}

/// The release checklist, ticked from the data (the Markdown record and the HTML page show it).
pub fn checklist(m: &Manifest) -> Vec<(bool, String)> {
    let blocking = m.gate.summary.errors;
    let tagged = !m.source.tags.is_empty();
    let clean = m.source.dirty == Some(false);
    let passed = m.gate.decision == Decision::Pass;
    let mut items = vec![
        (tagged, "Version tagged".to_owned()),
        (clean, "Tree clean (no uncommitted changes)".to_owned()),
        (
            passed,
            if passed {
                "Release gate passed".to_owned()
            } else {
                format!("Release gate passed (HOLD: {blocking} blocking)")
            },
        ),
        (!m.sbom.is_empty(), "SBOM written".to_owned()),
        (
            !m.artifacts.is_empty() && m.artifacts.iter().all(|a| a.sha256.len() == 64),
            "Checksums written (SHA256SUMS covers every artifact and evidence file)".to_owned(),
        ),
        approvals_item(m),
        (
            false,
            "Release signed (the signature is added by `sign` after this record was written)"
                .to_owned(),
        ),
    ];
    // With [lifecycle]: whether the rollback plan is documented (before the signature).
    if let Some(l) = &m.lifecycle {
        let at = items.len() - 1;
        items.insert(
            at,
            (
                l.rollback_plan,
                if l.rollback_plan {
                    "Rollback plan documented (update-manifest.json)".to_owned()
                } else {
                    "Rollback plan documented (none in [lifecycle.rollback])".to_owned()
                },
            ),
        );
    }
    // The verification items come after the checksums, before the approvals.
    items.splice(5..5, super::verification::checklist(m));
    // With [baseline], its five items replace "Version tagged" and "Tree clean".
    match &m.baseline {
        Some(b) => super::baseline::checklist(b)
            .into_iter()
            .chain(items.into_iter().skip(2))
            .collect(),
        None => items,
    }
}

/// "Approvals recorded": ticked when the manifest lists approvals; otherwise which roles must
/// approve (from the policy recorded in the manifest).
fn approvals_item(m: &Manifest) -> (bool, String) {
    if !m.approvals.is_empty() {
        return (true, format!("Approvals recorded ({})", m.approvals.len()));
    }
    let roles = m
        .approval_policy
        .as_ref()
        .map(|p| p.required_roles.join(", "))
        .filter(|r| !r.is_empty());
    (
        false,
        match roles {
            Some(r) => format!("Approvals recorded (required: {r}; none at generation time)"),
            None => "Approvals recorded (the policy names no required roles)".to_owned(),
        },
    )
}
