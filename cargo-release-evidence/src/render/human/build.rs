//! `build` and `verify-build`: artifacts with digests, reproducibility, findings.

use super::finding_line;
use crate::pipeline::build_only::BuildOnly;
use crate::pipeline::verify_build::VerifyBuildReport;

pub fn render_builds(builds: &[BuildOnly]) -> String {
    let mut t = String::new();
    for b in builds {
        t.push_str(&format!("build of {} {}:\n", b.package, b.version));
        for a in &b.record.artifacts {
            t.push_str(&format!("  {}  {} ({} bytes)\n", a.sha256, a.name, a.size));
        }
        if let Some(r) = &b.record.reproducibility {
            t.push_str(&format!(
                "  reproducible: {} (rebuilt from {})\n",
                if r.identical { "yes" } else { "NO" },
                r.rebuilt_from
            ));
        }
        for f in &b.findings {
            t.push_str(&finding_line(f, "  "));
        }
    }
    t
}

pub fn render_verify_build(report: &VerifyBuildReport) -> String {
    let mut t = format!(
        "verify-build of {} {} (rebuilt from {}):\n",
        report.package, report.version, report.rebuilt_from
    );
    if !report.trusted_inputs.is_empty() {
        t.push_str("  applied because of --trust-build-flags (they run code here):\n");
        for i in &report.trusted_inputs {
            t.push_str(&format!("    {i}\n"));
        }
    }
    for a in &report.artifacts {
        let ok = a.rebuilt_sha256.as_deref() == Some(a.sha256.as_str());
        t.push_str(&format!(
            "  {} {}: recorded {}, rebuilt {}\n",
            if ok { "identical" } else { "DIFFERS " },
            a.name,
            a.sha256,
            a.rebuilt_sha256.as_deref().unwrap_or("(missing)")
        ));
    }
    for f in &report.findings {
        t.push_str(&finding_line(f, "  "));
    }
    t.push_str(if report.identical {
        "verify-build: PASS (every artifact rebuilt bit for bit)\n"
    } else {
        "verify-build: FAIL\n"
    });
    t
}
