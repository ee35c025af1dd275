//! Draft EU CRA Art. 14 notifications: per product and vulnerability that affects a monitored
//! release without a valid exception, the fields a manufacturer reports (product, versions,
//! vulnerability, severity, status, mitigation, the notice to users) filled from the ledger
//! and the advisory, and every field only a person can know marked [`TO_COMPLETE`].

use super::Store;
use super::csaf::{self, TO_COMPLETE, VersionStatus};
use super::monitor::{ACCEPTED, AdvisoryImpact, MonitorReport};
use crate::error::Result;
use serde::Serialize;
use std::collections::BTreeSet;

pub const SCHEMA: &str = "cargo-release-evidence/cra-art14-notification-draft";

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub schema: &'static str,
    pub generator: Generator,
    /// `draft` until a person completes it.
    pub status: &'static str,
    /// The monitor run's date (`YYYY-MM-DD`).
    pub drafted: String,
    pub legal_basis: &'static str,
    pub deadlines: Deadlines,
    pub manufacturer: Manufacturer,
    pub product: Product,
    pub vulnerability: Vulnerability,
    pub severity: Severity,
    /// `affected` (no exception) or `exception-expired` for at least one version.
    pub status_summary: String,
    pub actively_exploited: String,
    pub mitigation: Mitigation,
    pub user_notice: String,
    /// The fields a person must complete (JSON pointers).
    pub to_complete: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deadlines {
    pub early_warning: &'static str,
    pub notification: &'static str,
    pub final_report: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Manufacturer {
    pub name: String,
    pub contact: String,
    pub member_states: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub name: String,
    pub purl: String,
    pub versions: Vec<AffectedVersion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AffectedVersion {
    pub version: String,
    pub target: String,
    /// `affected`, `exception-expired` or `accepted` (risk accepted, no justification).
    pub status: String,
    /// The shipped affected packages (`name version (kind)`).
    pub components: Vec<String>,
    pub support_end: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Vulnerability {
    pub id: String,
    pub aliases: Vec<String>,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Severity {
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    /// From the CVSS score, else to complete.
    pub rating: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mitigation {
    /// What the advisory says (patched versions, or none).
    pub advisory: String,
    /// Later retained versions no longer affected.
    pub fixed_in: Vec<String>,
    pub corrective_measures: String,
}

/// The drafts of one run: `(product, advisory id, draft)`.
pub fn drafts(store: &dyn Store, report: &MonitorReport) -> Result<Vec<Notification>> {
    let mut out = Vec::new();
    for product in csaf::products(report) {
        let versions = csaf::versions(store, report, &product)?;
        for a in report
            .advisories
            .iter()
            .filter(|a| a.kind == "vulnerability")
        {
            let mine = AdvisoryImpact {
                affected: a
                    .affected
                    .iter()
                    .filter(|x| x.product == product)
                    .cloned()
                    .collect(),
                ..a.clone()
            };
            if !mine.affected.iter().any(|x| x.status != ACCEPTED) {
                continue;
            }
            out.push(draft(report, &product, &mine, &versions));
        }
    }
    Ok(out)
}

/// The file stem of a draft: `PRODUCT-ADVISORY-cra-art14`.
pub fn stem(n: &Notification) -> String {
    csaf::file_name(&format!(
        "{}-{}-cra-art14",
        n.product.name, n.vulnerability.id
    ))
    .trim_end_matches(".json")
    .to_owned()
}

fn draft(
    report: &MonitorReport,
    product: &str,
    a: &AdvisoryImpact,
    versions: &[csaf::Version],
) -> Notification {
    let statuses = csaf::statuses(a, versions);
    let support = |v: &csaf::Version| {
        report
            .monitored
            .iter()
            .find(|r| r.product == product && r.version == v.version && r.target == v.target)
            .and_then(|r| r.support_end.clone())
    };
    let mut affected = Vec::new();
    let mut fixed_in = Vec::new();
    for (v, s) in versions.iter().zip(&statuses) {
        match s {
            VersionStatus::Affected(status) => affected.push(AffectedVersion {
                version: v.version.clone(),
                target: v.target.clone(),
                status: status.clone(),
                components: a
                    .affected
                    .iter()
                    .filter(|x| x.version == v.version && x.target == v.target)
                    .map(|x| format!("{} {} ({})", x.krate, x.crate_version, x.component_kind))
                    .collect(),
                support_end: support(v),
            }),
            VersionStatus::Fixed => fixed_in.push(v.version.clone()),
            VersionStatus::NotAffected(..) => {}
        }
    }
    fixed_in.dedup();
    let open: BTreeSet<String> = affected
        .iter()
        .filter(|v| v.status != ACCEPTED)
        .map(|v| v.status.clone())
        .collect();
    let listed: Vec<String> = affected
        .iter()
        .map(|v| format!("{} ({})", v.version, v.target))
        .collect();
    let action = match fixed_in.first() {
        Some(f) => format!("Update to {product} {f} or later, which is not affected."),
        None => format!(
            "{TO_COMPLETE}: the corrective measure (the fixed release and when it is available, \
             or a workaround). The advisory: {}.",
            a.patched
        ),
    };
    Notification {
        schema: SCHEMA,
        generator: Generator {
            name: csaf::ENGINE,
            version: env!("CARGO_PKG_VERSION"),
        },
        status: "draft",
        drafted: report.date.to_string(),
        legal_basis: "Regulation (EU) 2024/2847 (Cyber Resilience Act), Article 14",
        deadlines: Deadlines {
            early_warning: "within 24 hours of becoming aware of an actively exploited vulnerability",
            notification: "within 72 hours of becoming aware of it",
            final_report: "within 14 days after a corrective or mitigating measure is available",
        },
        manufacturer: Manufacturer {
            name: format!("{TO_COMPLETE}: the manufacturer"),
            contact: format!("{TO_COMPLETE}: the contact point for this notification"),
            member_states: format!(
                "{TO_COMPLETE}: the Member States where {product} is made available"
            ),
        },
        product: Product {
            name: product.to_owned(),
            purl: format!("pkg:cargo/{product}"),
            versions: affected,
        },
        vulnerability: Vulnerability {
            id: a.id.clone(),
            aliases: a.aliases.clone(),
            title: a.title.clone(),
            url: a.url.clone(),
        },
        severity: Severity {
            cvss_vector: a.cvss.clone(),
            cvss_score: a.cvss_score,
            rating: a
                .severity
                .clone()
                .unwrap_or_else(|| format!("{TO_COMPLETE}: not scored by the advisory")),
        },
        status_summary: format!(
            "{} of the supported versions {} {}: {}",
            product,
            listed.join(", "),
            if listed.len() == 1 {
                "is affected"
            } else {
                "are affected"
            },
            open.into_iter().collect::<Vec<_>>().join(", ")
        ),
        actively_exploited: format!(
            "{TO_COMPLETE}: whether it is actively exploited (Art. 14(1)) and the evidence"
        ),
        mitigation: Mitigation {
            advisory: a.patched.clone(),
            fixed_in,
            corrective_measures: action.clone(),
        },
        user_notice: format!(
            "A vulnerability ({}{}: {}) affects {} {}. {} {TO_COMPLETE}: what users should do \
             until then and how to contact us.",
            a.id,
            a.aliases
                .first()
                .map(|x| format!(", {x}"))
                .unwrap_or_default(),
            a.title,
            product,
            listed.join(", "),
            action
        ),
        to_complete: vec![
            "/manufacturer/name",
            "/manufacturer/contact",
            "/manufacturer/member_states",
            "/actively_exploited",
            "/mitigation/corrective_measures",
            "/user_notice",
        ],
    }
}
