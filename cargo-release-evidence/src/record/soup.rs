//! The release record's SOUP section (IEC 62304 §8.1.2, §7.1.3), from the SOUP list that is
//! also written as `soup.json` and `soup.csv`.

use crate::evidence::soup::SoupList;
use std::fmt::Write as _;

/// Markdown table cell text: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// Puts the section before the release checklist (the record's last section), or at the end.
pub fn insert(record: &mut String, list: &SoupList) {
    let at = record
        .find("\n## Release checklist\n")
        .unwrap_or(record.len());
    record.insert_str(at, &section(list));
}

pub fn section(list: &SoupList) -> String {
    let mut t = String::new();
    let linked = list.items.iter().filter(|i| i.kind == "linked").count();
    let _ = writeln!(
        t,
        "\n## SOUP (IEC 62304 §8.1.2)\n\n{} third-party crates ship ({} linked, {} build-time only); \
         each is designated by its purl and checksum in `soup.csv`/`soup.json`. Known anomalies are \
         the RustSec advisories on the shipped version (informational ones included) with their \
         evaluation, as in the VEX documents.\n",
        list.items.len(),
        linked,
        list.items.len() - linked
    );
    let _ = writeln!(
        t,
        "| crate | version | kind | supplier | license | approved by (date): rationale | known anomalies | support (end of support; latest version; last release) |\n|---|---|---|---|---|---|---|---|"
    );
    for i in &list.items {
        let approval = match &i.approval {
            Some(a) => format!(
                "{} ({}): {}",
                a.reviewed_by.as_deref().unwrap_or("unnamed"),
                a.date.as_deref().unwrap_or("undated"),
                a.rationale.as_deref().unwrap_or("")
            ),
            None => "**not approved**".to_owned(),
        };
        let anomalies = if i.anomalies.is_empty() {
            "none known".to_owned()
        } else {
            i.anomalies
                .iter()
                .map(|a| format!("{} ({}, {}): {}", a.id, a.kind, a.status, a.evaluation))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let support_cell = support(i);
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            cell(&i.name),
            cell(&i.version),
            i.kind,
            cell(&i.supplier),
            cell(i.license.as_deref().unwrap_or("none declared")),
            cell(&approval),
            cell(&anomalies),
            cell(&support_cell)
        );
    }
    t
}

/// The support cell: level, end of support, the latest version in the index cache and the
/// crate's last release (version and day), the approval's criteria when recorded.
pub fn support(i: &crate::evidence::soup::SoupItem) -> String {
    let s = &i.support;
    let mut out = format!("{} (end of support: {}", s.level, s.end_of_support);
    if let Some(id) = &s.end_of_support_source {
        out.push_str(&format!(", {id}"));
    }
    out.push_str(&format!(
        "; latest: {}; last release: {})",
        s.latest_version.as_deref().unwrap_or("unknown"),
        match (&s.last_release_version, &s.last_release_date) {
            (Some(v), Some(d)) => format!("{v} on {d}"),
            _ => "unknown".to_owned(),
        }
    ));
    if i.yanked && s.level != "yanked" {
        out.push_str(", yanked");
    }
    if let Some(c) = i.approval.as_ref().and_then(|a| a.criteria.as_deref()) {
        out.push_str(&format!("; reviewed for {c}"));
    }
    out
}
