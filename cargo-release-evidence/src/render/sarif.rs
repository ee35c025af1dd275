//! SARIF 2.1.0 for GitHub code scanning, in the `serde-sarif` model: one rule per finding code,
//! one result per finding, located at the policy or Cargo.toml line the finding concerns.

use crate::findings::{Code, Decision, Finding, Severity};
use crate::gate::report::Tool;
use serde_json::json;
use serde_sarif::sarif;
use std::collections::BTreeMap;

pub use crate::verification::sarif::SCHEMA_URI;
/// Where every rule is documented: the README's findings table.
pub const HELP_URI: &str =
    "https://github.com/cargo-release-evidence/cargo-release-evidence#findings";

fn text(s: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(s).build()
}

fn props(map: BTreeMap<String, serde_json::Value>) -> sarif::PropertyBag {
    sarif::PropertyBag::builder()
        .additional_properties(map)
        .build()
}

/// SARIF of a set of findings and the decision they led to (the gate's, or the main job's
/// with the build findings).
pub fn render(tool: &Tool, findings: &[Finding], decision: Decision) -> String {
    let rules: Vec<sarif::ReportingDescriptor> = Code::ALL
        .iter()
        .map(|c| {
            sarif::ReportingDescriptor::builder()
                .id(c.as_str())
                .name(rule_name(*c))
                .short_description(text(c.summary()))
                .full_description(text(c.summary()))
                .help_uri(HELP_URI)
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(json!(level(c.default_severity())))
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = findings.iter().map(result).collect();
    let base = BTreeMap::from([(
        "%SRCROOT%".to_owned(),
        sarif::ArtifactLocation::builder()
            .description(
                sarif::Message::builder()
                    .text("The workspace root.")
                    .build(),
            )
            .build(),
    )]);
    let run = sarif::Run::builder()
        .tool(
            sarif::Tool::builder()
                .driver(
                    sarif::ToolComponent::builder()
                        .name(tool.name.clone())
                        .version(tool.version.clone())
                        .information_uri(
                            "https://github.com/cargo-release-evidence/cargo-release-evidence",
                        )
                        .rules(rules)
                        .build(),
                )
                .build(),
        )
        .original_uri_base_ids(base)
        .results(results)
        .properties(props(BTreeMap::from([(
            "decision".to_owned(),
            json!(decision),
        )])))
        .build();
    let log = sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    crate::render::json::to_string(&log)
}

fn result(f: &Finding) -> sarif::Result {
    let rule_index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
    let mut message = f.message.clone();
    message.push_str(". Fix: ");
    message.push_str(&f.fix);
    let mut extra = BTreeMap::new();
    if let Some(p) = &f.package {
        extra.insert("package".to_owned(), json!(p));
    }
    if let Some(a) = &f.advisory {
        extra.insert("advisory".to_owned(), json!(a));
    }
    // Stable identity across runs for GitHub's alert tracking.
    let fp = format!(
        "{}:{}:{}",
        f.code,
        f.package
            .as_ref()
            .map(|p| format!("{}@{}", p.name, p.version))
            .unwrap_or_default(),
        f.advisory.as_deref().unwrap_or_default()
    );
    let mut r = sarif::Result::builder()
        .rule_id(f.code.as_str())
        .rule_index(rule_index as i64)
        .level(match f.severity {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
        })
        .message(sarif::Message::builder().text(message).build())
        .partial_fingerprints(BTreeMap::from([(
            "releaseEvidenceFinding/v1".to_owned(),
            fp,
        )]))
        .build();
    if let Some(loc) = &f.location {
        r.locations = Some(vec![
            sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(loc.file.clone())
                                .uri_base_id("%SRCROOT%")
                                .build(),
                        )
                        .region(
                            sarif::Region::builder()
                                .start_line(loc.line as i64)
                                .start_column(loc.column as i64)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        ]);
    }
    if !extra.is_empty() {
        r.properties = Some(props(extra));
    }
    r
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// PascalCase rule name from the code (`RE-APPROVAL-MISSING` → `ApprovalMissing`).
fn rule_name(c: Code) -> String {
    c.as_str()
        .trim_start_matches("RE-")
        .split('-')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(f) => f.to_string() + &chars.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}
