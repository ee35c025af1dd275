//! The SOUP list (IEC 62304 §8.1.2 with §7.1.3's anomaly evaluation): every shipped third-party
//! crate of a release member with its designation (purl + checksum), supplier, license, whether
//! it is linked or build-time only, who approved it when and why, and its known anomalies (the
//! RustSec advisories on that version, informational ones included) with their evaluation, the
//! same statuses the VEX documents carry, and its level of support (`support`). Written as `soup.json` and `soup.csv`; the release
//! record shows it as a section.

use super::support;
use crate::checks::approvals::source_matches;
use crate::findings::{Code, Kind};
use crate::gate::GateRun;
use crate::sbom::SbomModel;
use crate::sbom::vex::{self, Status};
use crate::workspace::ShippedPackage;
use serde::Serialize;

pub const JSON_FILE: &str = "soup.json";
pub const CSV_FILE: &str = "soup.csv";

#[derive(Debug, Clone, Serialize)]
pub struct SoupList {
    pub schema: &'static str,
    pub schema_version: u32,
    pub product: String,
    pub version: String,
    pub items: Vec<SoupItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SoupItem {
    pub name: String,
    pub version: String,
    /// `linked` (in the artifact) or `build-time` (build scripts, proc-macros), or `dev`.
    pub kind: String,
    /// The authors the package names, else its repository.
    pub supplier: String,
    pub purl: String,
    /// The Cargo.lock checksum (registry packages) or the path digest.
    pub sha256: Option<String>,
    pub license: Option<String>,
    pub source: String,
    pub repository: Option<String>,
    pub approval: Option<Approval>,
    pub anomalies: Vec<Anomaly>,
    /// A RustSec `unmaintained` advisory applies to this version.
    pub unmaintained: bool,
    /// The release gate found the locked version yanked.
    pub yanked: bool,
    /// Level of support and end of support, as far as derivable offline.
    pub support: super::support::Support,
}

#[derive(Debug, Clone, Serialize)]
pub struct Approval {
    /// `[[approved]]` or `[[supplier]]`.
    pub entry: &'static str,
    pub reviewed_by: Option<String>,
    pub date: Option<String>,
    pub rationale: Option<String>,
    /// What the review checked (`[[approved]] criteria`), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Anomaly {
    pub id: String,
    /// `vulnerability`, `unmaintained`, `unsound`, `notice`, …
    pub kind: String,
    pub title: String,
    /// The VEX status: `not_affected`, `affected`, `under_investigation`.
    pub status: &'static str,
    pub evaluation: String,
}

/// The SOUP list of the member an SBOM model describes.
pub fn list(run: &GateRun, m: &SbomModel) -> SoupList {
    let statements = vex::statements(m, false);
    let packages: std::collections::HashMap<(&str, String, String), &ShippedPackage> = run
        .packages
        .iter()
        .map(|p| {
            (
                (p.name.as_str(), p.version.to_string(), p.source.display()),
                p,
            )
        })
        .collect();
    let mut items = Vec::new();
    for c in m
        .components
        .iter()
        .filter(|c| !c.is_workspace && (c.is_crates_io || c.supplier_input))
    {
        let pkg = packages
            .get(&(c.name.as_str(), c.version.clone(), c.source.clone()))
            .copied();
        let anomalies: Vec<Anomaly> = statements
            .iter()
            .filter(|s| s.vuln.component_ref == c.bom_ref)
            .map(|s| Anomaly {
                id: s.vuln.id.clone(),
                kind: s.vuln.kind.clone(),
                title: s.vuln.title.clone(),
                status: s.status.openvex(),
                evaluation: evaluation(&s.status),
            })
            .collect();
        let yanked = run.report.findings.iter().any(|f| {
            f.code == Code::Yanked
                && f.package
                    .as_ref()
                    .is_some_and(|p| p.name == c.name && p.version == c.version)
        });
        let unmaintained = statements
            .iter()
            .find(|s| s.vuln.component_ref == c.bom_ref && s.vuln.kind == "unmaintained")
            .map(|s| (s.vuln.id.as_str(), s.vuln.date.as_str()));
        let support = support::support(
            unmaintained,
            yanked,
            support::index(&run.index_facts, &c.name, &c.version, c.is_crates_io),
        );
        items.push(SoupItem {
            name: c.name.clone(),
            version: c.version.clone(),
            kind: match c.kind {
                Kind::Linked => "linked",
                Kind::BuildTime => "build-time",
                Kind::Dev => "dev",
            }
            .to_owned(),
            supplier: if c.authors.is_empty() {
                c.repository.clone().unwrap_or_else(|| "unknown".to_owned())
            } else {
                c.authors.join(", ")
            },
            purl: c.purl.clone(),
            sha256: c.sha256.clone(),
            license: c.license.clone(),
            source: c.source.clone(),
            repository: c.repository.clone(),
            approval: pkg.and_then(|p| approval(run, p, c.supplier_input)),
            unmaintained: anomalies.iter().any(|a| a.kind == "unmaintained"),
            anomalies,
            yanked,
            support,
        });
    }
    items.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    SoupList {
        schema: "cargo-release-evidence/soup",
        schema_version: 1,
        product: m.product_name.clone(),
        version: m.product_version.clone(),
        items,
    }
}

fn evaluation(s: &Status) -> String {
    match s {
        Status::NotAffected {
            justification,
            impact,
        } => format!("not affected ({}): {impact}", justification.as_str()),
        Status::Affected { action, .. } => action.clone(),
        Status::UnderInvestigation => {
            "not evaluated: no decision recorded (the release gate holds when it blocks)".to_owned()
        }
        Status::Fixed => "fixed in this version".to_owned(),
    }
}

/// The reviewed policy entry that approves the package: `[[supplier]]` for supplier inputs,
/// else the first reviewed `[[approved]]` entry whose version and source cover it.
fn approval(run: &GateRun, p: &ShippedPackage, supplier: bool) -> Option<Approval> {
    let data = &run.policy.data;
    if supplier {
        return data
            .supplier
            .iter()
            .map(|s| s.get_ref())
            .find(|s| {
                s.name == p.name && s.version.as_ref().is_none_or(|v| v.0.matches(&p.version))
            })
            .map(|s| Approval {
                entry: "[[supplier]]",
                reviewed_by: s.reviewed_by.clone(),
                date: s.date.map(|d| d.to_string()),
                rationale: s.rationale.clone(),
                criteria: None,
            });
    }
    data.approved
        .iter()
        .map(|a| a.get_ref())
        .find(|a| {
            a.name == p.name
                && !a.pending_review
                && a.version.0.matches(&p.version)
                && source_matches(a.source.as_deref(), p)
        })
        .map(|a| Approval {
            entry: "[[approved]]",
            reviewed_by: a.reviewed_by.clone(),
            date: a.date.map(|d| d.to_string()),
            rationale: a.rationale.clone(),
            criteria: a.criteria.clone(),
        })
}

/// `soup.csv`: one row per item (RFC 4180 quoting, LF line ends).
pub fn csv(list: &SoupList) -> String {
    let mut out = String::from(
        "name,version,kind,supplier,purl,sha256,license,source,approval,approved_by,approved_on,rationale,anomalies,unmaintained,yanked,support_level,end_of_support,latest_version,last_release_date,approval_criteria,version_release_date,last_release_version\n",
    );
    for i in &list.items {
        let anomalies: Vec<String> = i
            .anomalies
            .iter()
            .map(|a| format!("{} ({}, {}): {}", a.id, a.kind, a.status, a.evaluation))
            .collect();
        let a = i.approval.as_ref();
        let fields = [
            i.name.as_str(),
            &i.version,
            &i.kind,
            &i.supplier,
            &i.purl,
            i.sha256.as_deref().unwrap_or(""),
            i.license.as_deref().unwrap_or(""),
            &i.source,
            a.map_or("none", |a| a.entry),
            a.and_then(|a| a.reviewed_by.as_deref()).unwrap_or(""),
            a.and_then(|a| a.date.as_deref()).unwrap_or(""),
            a.and_then(|a| a.rationale.as_deref()).unwrap_or(""),
            &anomalies.join("; "),
            if i.unmaintained { "yes" } else { "no" },
            if i.yanked { "yes" } else { "no" },
            i.support.level,
            &i.support.end_of_support,
            i.support.latest_version.as_deref().unwrap_or(""),
            i.support.last_release_date.as_deref().unwrap_or("unknown"),
            a.and_then(|a| a.criteria.as_deref()).unwrap_or(""),
            i.support
                .version_release_date
                .as_deref()
                .unwrap_or("unknown"),
            i.support.last_release_version.as_deref().unwrap_or(""),
        ];
        let row: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

fn quote(f: &str) -> String {
    let f = f.replace(['\r', '\n'], " ");
    if f.contains([',', '"']) || f.starts_with([' ', '=', '+', '-', '@']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}
