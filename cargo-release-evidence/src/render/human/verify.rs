//! `verify`: what was verified against which trust root, one line per checked item, then the
//! verdict naming what failed.

use crate::sign::verify::Verification;

pub fn render(v: &Verification) -> String {
    let mut t = format!("verify {}\n", v.evidence_dir.display());
    let line = |t: &mut String, k: &str, val: &str| t.push_str(&format!("  {k:<18} {val}\n"));
    line(
        &mut t,
        "evidence digest",
        v.evidence_digest
            .as_deref()
            .unwrap_or("none (SHA256SUMS is missing)"),
    );
    if let Some(p) = &v.product {
        line(&mut t, "product", &format!("{} {}", p.name, p.version));
    }
    line(
        &mut t,
        "gate decision",
        v.gate_decision.as_deref().unwrap_or("unknown"),
    );
    line(&mut t, "approval rules", &v.trust_root.rules_from);
    line(
        &mut t,
        "allowed signers",
        &v.trust_root.allowed_signers_from,
    );
    line(&mut t, "verification time", &v.verification_time);
    if let Some(notice) = &v.trust_root.notice {
        t.push_str(&format!("  NOTICE: {notice}\n"));
    }
    for i in &v.items {
        t.push_str(&format!(
            "  {} {}: {}\n",
            if i.ok { "ok  " } else { "FAIL" },
            i.item,
            i.detail
        ));
    }
    if v.ok {
        t.push_str("verify: PASS\n");
    } else {
        let failed: Vec<&str> = v
            .items
            .iter()
            .filter(|i| !i.ok)
            .map(|i| i.item.as_str())
            .collect();
        t.push_str(&format!("verify: FAIL ({})\n", failed.join(", ")));
    }
    t
}
