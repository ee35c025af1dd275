//! The release record's clause map section: each clause (IEC 62304, NIST SSDF, EU CRA) with the
//! evidence file and field that satisfies it, from the map also written as `clause-map.json`.

use crate::evidence::clauses::ClauseMap;
use std::fmt::Write as _;

/// Markdown table cell text: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// Puts the section before the release checklist (the record's last section), or at the end.
pub fn insert(record: &mut String, map: &ClauseMap) {
    let at = record
        .find("\n## Release checklist\n")
        .unwrap_or(record.len());
    record.insert_str(at, &section(map));
}

/// `file` (`field`), for a table cell or a page.
pub fn evidence_text(map: &ClauseMap, row: usize) -> String {
    let refs: Vec<String> = map.rows[row]
        .evidence
        .iter()
        .map(|e| {
            if e.field.is_empty() {
                e.file.clone()
            } else {
                format!("{} `{}`", e.file, e.field)
            }
        })
        .collect();
    if refs.is_empty() {
        "—".to_owned()
    } else {
        refs.join("; ")
    }
}

pub fn section(map: &ClauseMap) -> String {
    let mut t = String::new();
    let count = |s| map.rows.iter().filter(|r| r.status == s).count();
    use crate::evidence::clauses::Status;
    let _ = writeln!(
        t,
        "\n## Clause map\n\n{} clauses: {} evidenced, {} evidenced after sign, {} not evidenced \
         (`clause-map.json`). A required clause (`[evidence] require-clauses`) not evidenced holds \
         the release (RE-CLAUSE-NOT-EVIDENCED).\n",
        map.rows.len(),
        count(Status::Evidenced),
        count(Status::EvidencedAfterSign),
        count(Status::NotEvidenced),
    );
    let _ = writeln!(
        t,
        "| clause | title | status | evidence (file `field`) | note |\n|---|---|---|---|---|"
    );
    for (i, r) in map.rows.iter().enumerate() {
        let _ = writeln!(
            t,
            "| {} {}{} | {} | {} | {} | {} |",
            r.short,
            cell(r.clause),
            if r.required { " (required)" } else { "" },
            cell(r.title),
            if r.status == Status::NotEvidenced && r.required {
                "**not evidenced**"
            } else {
                r.status.as_str()
            },
            cell(&evidence_text(map, i)),
            cell(&r.note),
        );
    }
    t
}
