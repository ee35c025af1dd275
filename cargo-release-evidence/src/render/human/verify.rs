//! `verify`: one line per checked item, then the verdict.

use crate::sign::verify::Verification;

pub fn render(v: &Verification) -> String {
    let mut t = format!(
        "verify {} (evidence digest {}; keys: {})\n",
        v.evidence_dir.display(),
        v.evidence_digest,
        v.allowed_signers
    );
    for i in &v.items {
        t.push_str(&format!(
            "  {} {}: {}\n",
            if i.ok { "ok  " } else { "FAIL" },
            i.item,
            i.detail
        ));
    }
    t.push_str(if v.ok {
        "verify: PASS\n"
    } else {
        "verify: FAIL\n"
    });
    t
}
