//! `report`: where the page went and the verified state it shows.

use crate::report::Report;

pub fn render(r: &Report) -> String {
    let mut t = format!(
        "report: {} (evidence {}, digest {})\n",
        r.html.display(),
        r.evidence_dir.display(),
        r.evidence_digest
    );
    t.push_str(&format!(
        "  approvals: {} valid, {} not valid; release signature: {}; verification: {}\n",
        r.approvals_valid,
        r.approvals_invalid,
        if r.signed {
            "valid"
        } else {
            "missing or not valid"
        },
        if r.verified {
            "every check holds"
        } else {
            "some checks fail (shown on the page; `verify` lists them)"
        }
    ));
    if let Some(p) = &r.pdf {
        t.push_str(&format!("  pdf: {}\n", p.display()));
    }
    t
}
