//! SARIF 2.1.0 for GitHub code scanning: one rule per finding code, one result per finding,
//! located at the policy or Cargo.toml line the finding concerns.

use crate::findings::{Code, Decision, Finding, Severity};
use crate::gate::report::Tool;
use serde_json::{Value, json};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where every rule is documented: the README's findings table.
pub const HELP_URI: &str =
    "https://github.com/cargo-release-evidence/cargo-release-evidence#findings";

/// SARIF of a set of findings and the decision they led to (the gate's, or the main job's
/// with the build findings).
pub fn render(tool: &Tool, findings: &[Finding], decision: Decision) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": rule_name(*c),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.summary() },
                "helpUri": HELP_URI,
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let rule_index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
            let mut text = f.message.clone();
            text.push_str(". Fix: ");
            text.push_str(&f.fix);
            let mut result = json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": { "text": text },
            });
            if let Some(loc) = &f.location {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": loc.file, "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": loc.line, "startColumn": loc.column },
                    }
                }]);
            }
            let mut props = serde_json::Map::new();
            if let Some(p) = &f.package {
                props.insert("package".into(), json!(p));
            }
            if let Some(a) = &f.advisory {
                props.insert("advisory".into(), json!(a));
            }
            if !props.is_empty() {
                result["properties"] = Value::Object(props);
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
            result["partialFingerprints"] = json!({ "releaseEvidenceFinding/v1": fp });
            result
        })
        .collect();
    let sarif = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": tool.name,
                "version": tool.version,
                "informationUri": "https://github.com/cargo-release-evidence/cargo-release-evidence",
                "rules": rules,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The workspace root." } } },
            "results": results,
            "properties": { "decision": decision },
        }],
    });
    crate::render::json::to_string(&sarif)
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
