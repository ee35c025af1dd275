//! The page's SOUP section (IEC 62304 §8.1.2, §7.1.3, with each item's support) and its clause
//! map section, from the same lists as `soup.json` and `clause-map.json`.

use super::data::Page;
use super::text::Html;
use crate::evidence::clauses::Status;

pub fn soup(h: &mut Html, p: &Page<'_>) {
    let Some(list) = p.documents.soup else {
        return;
    };
    let linked = list.items.iter().filter(|i| i.kind == "linked").count();
    h.section(
        "soup",
        &format!("SOUP (IEC 62304 §8.1.2): {} items", list.items.len()),
        |h| {
            h.el(
                "p",
                "note",
                &format!(
                    "{} linked, {} build-time only; each designated by its purl and checksum in soup.json and soup.csv. Known anomalies are the RustSec advisories on the shipped version with their evaluation, as in the VEX documents.",
                    linked,
                    list.items.len() - linked
                ),
            );
            h.table(
                "soup",
                &[
                    "crate",
                    "version",
                    "kind",
                    "supplier",
                    "license",
                    "approval",
                    "known anomalies",
                    "support",
                ],
                &list.items,
                |h, i| {
                    let approval = match &i.approval {
                        Some(a) => format!(
                            "{} ({}): {}",
                            a.reviewed_by.as_deref().unwrap_or("unnamed"),
                            a.date.as_deref().unwrap_or("undated"),
                            a.rationale.as_deref().unwrap_or("")
                        ),
                        None => "not approved".to_owned(),
                    };
                    let anomalies: Vec<String> = i
                        .anomalies
                        .iter()
                        .map(|a| format!("{} ({}, {}): {}", a.id, a.kind, a.status, a.evaluation))
                        .collect();
                    h.td_code(&i.name)
                        .td("", &i.version)
                        .td("", &i.kind)
                        .td("", &i.supplier)
                        .td("", i.license.as_deref().unwrap_or("none declared"))
                        .td("", &approval)
                        .td(
                            "",
                            &if anomalies.is_empty() {
                                "none known".to_owned()
                            } else {
                                anomalies.join("; ")
                            },
                        )
                        .td(
                            &format!("support-{}", i.support.level),
                            &crate::record::soup::support(i),
                        );
                },
            );
        },
    );
}

pub fn clauses(h: &mut Html, p: &Page<'_>) {
    let Some(map) = p.documents.clauses else {
        return;
    };
    let rows: Vec<usize> = (0..map.rows.len()).collect();
    h.section("clauses", "Clause map", |h| {
        h.el(
            "p",
            "note",
            "Each clause with the evidence file and field that satisfies it (clause-map.json); a clause [evidence] require-clauses names that is not evidenced holds the release (RE-CLAUSE-NOT-EVIDENCED).",
        );
        h.table(
            "clauses",
            &["clause", "title", "status", "evidence", "note"],
            &rows,
            |h, &i| {
                let r = &map.rows[i];
                let class = match r.status {
                    Status::Evidenced => "evidenced",
                    Status::EvidencedAfterSign => "after-sign",
                    Status::NotEvidenced => "not-evidenced",
                };
                let clause = format!(
                    "{} {}{}",
                    r.short,
                    r.clause,
                    if r.required { " (required)" } else { "" }
                );
                h.td("", &clause)
                    .td("", r.title)
                    .td(class, r.status.as_str())
                    .td("", &crate::record::clauses::evidence_text(map, i))
                    .td("", &r.note);
            },
        );
    });
}
