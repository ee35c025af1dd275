//! A monitor run as findings with the gate's stable codes (for SARIF): each affected package of
//! each monitored release (`RE-ADVISORY-VULNERABILITY`, `RE-ADVISORY-ACCEPTED`,
//! `RE-EXCEPTION-EXPIRED`, `RE-ADVISORY-INFORMATIONAL`), each release out of support
//! (`RE-MONITOR-OUT-OF-SUPPORT`) and each release with no declared support end
//! (`RE-MONITOR-NO-SUPPORT-END`).

use super::monitor::{ACCEPTED, EXCEPTION_EXPIRED, MonitorReport};
use crate::findings::{self, Code, Finding, PackageRef, Severity};

pub fn findings(r: &MonitorReport) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in &r.advisories {
        for x in &a.affected {
            let release = format!("{}@{} ({})", x.product, x.version, x.target);
            let vulnerability = a.kind == "vulnerability";
            let (code, severity) = match (vulnerability, x.status.as_str()) {
                (true, ACCEPTED) => (Code::VulnerabilityAccepted, Severity::Warning),
                (true, EXCEPTION_EXPIRED) => (Code::ExceptionExpired, Severity::Error),
                (true, _) => (Code::Vulnerability, Severity::Error),
                (false, _) => (Code::Informational, Severity::Warning),
            };
            let fix = match (code, &x.exception) {
                (Code::VulnerabilityAccepted, Some(e)) => format!(
                    "accepted by {} until {}: {}; review it before then",
                    e.approved_by, e.expires, e.reason
                ),
                (Code::ExceptionExpired, Some(e)) => format!(
                    "the exception by {} expired {}: release a fixed version ({}) or renew the \
                     acceptance in a new release",
                    e.approved_by, e.expires, a.patched
                ),
                _ => format!(
                    "release a version of {} without it ({})",
                    x.product, a.patched
                ),
            };
            out.push(
                Finding::new(
                    code,
                    format!(
                        "{} ({}: {}) affects the retained release {release} via {} {} ({})",
                        a.id, a.kind, a.title, x.krate, x.crate_version, x.component_kind
                    ),
                    fix,
                )
                .severity(severity)
                .advisory(a.id.clone())
                .package(PackageRef {
                    name: x.krate.clone(),
                    version: x.crate_version.clone(),
                    source: "crates.io".to_owned(),
                }),
            );
        }
    }
    for x in &r.out_of_support {
        out.push(Finding::new(
            Code::MonitorOutOfSupport,
            format!(
                "{}@{} ({}) is out of support since {}: not monitored",
                x.product,
                x.version,
                x.target,
                x.support_end.as_deref().unwrap_or("?")
            ),
            "nothing, unless its support period is extended: then release with the new [lifecycle] support-until",
        ));
    }
    for x in &r.no_support_end {
        out.push(Finding::new(
            Code::MonitorNoSupportEnd,
            format!(
                "{}@{} ({}) declares no support end: monitored as supported",
                x.product, x.version, x.target
            ),
            "declare the support period in the policy's [lifecycle] support-until for the next release",
        ));
    }
    findings::sort(&mut out);
    out
}
