//! SARIF 2.1.0 static-analysis reports, in the `serde-sarif` model: reading any tool's
//! results (clippy converted here, semgrep, CodeQL, …), and converting clippy's JSON
//! diagnostics (`cargo clippy --message-format=json`) into SARIF.

use super::model::StaticResult;
use crate::policy::verification::Level;
use crate::util::{digest, text::clip};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::path::Path;

/// The `$schema` of the SARIF logs written here.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The location fingerprint of a result: rule, file and the trimmed text of its first line
/// (not the line number), plus an ordinal among identical ones.
pub fn fingerprint(rule: &str, file: Option<&str>, line_text: &str, ordinal: usize) -> String {
    let key = format!(
        "{rule}\u{0}{}\u{0}{}\u{0}{ordinal}",
        file.unwrap_or(""),
        line_text.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    format!("re1:{}", &digest::sha256_hex(key.as_bytes())[..16])
}

fn level_of(l: sarif::ResultLevel) -> Level {
    match l {
        sarif::ResultLevel::None => Level::None,
        sarif::ResultLevel::Note => Level::Note,
        sarif::ResultLevel::Warning => Level::Warning,
        sarif::ResultLevel::Error => Level::Error,
    }
}

/// A SARIF file's results with their fingerprints; the text of result lines is read from the
/// workspace (for fingerprints that survive line moves). Also the report's newest invocation
/// time and the revisions it names (`versionControlProvenance`, run properties `commit`).
pub struct Parsed {
    pub results: Vec<StaticResult>,
    pub timestamp: Option<i64>,
    pub revisions: Vec<String>,
}

pub fn parse(bytes: &[u8], root: &Path) -> Result<Parsed, String> {
    let log: sarif::Sarif = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not a SARIF 2.1.0 log (line {}, column {}): {}",
            e.line(),
            e.column(),
            clip(&e.to_string(), 200)
        )
    })?;
    if log.version != serde_json::json!("2.1.0") {
        return Err(format!(
            "SARIF version {} is not 2.1.0",
            clip(&log.version.to_string(), 20)
        ));
    }
    let mut out = Parsed {
        results: Vec::new(),
        timestamp: None,
        revisions: Vec::new(),
    };
    let mut lines_cache: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for run in &log.runs {
        let driver = &run.tool.driver;
        for v in run.version_control_provenance.iter().flatten() {
            if let Some(r) = &v.revision_id {
                out.revisions.push(r.clone());
            }
        }
        if let Some(c) = run
            .properties
            .as_ref()
            .and_then(|p| p.additional_properties.get("commit"))
            .and_then(|c| c.as_str())
        {
            out.revisions.push(c.to_owned());
        }
        for inv in run.invocations.iter().flatten() {
            for t in [&inv.end_time_utc, &inv.start_time_utc]
                .into_iter()
                .flatten()
            {
                if let Some(s) = super::junit::parse_timestamp(t) {
                    out.timestamp = Some(out.timestamp.map_or(s, |x: i64| x.max(s)));
                }
            }
        }
        let rules = driver.rules.as_deref().unwrap_or_default();
        for r in run.results.iter().flatten() {
            let rule_desc = r
                .rule_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| rules.get(i))
                .or_else(|| {
                    r.rule_id
                        .as_ref()
                        .and_then(|id| rules.iter().find(|d| &d.id == id))
                });
            let rule = r
                .rule_id
                .clone()
                .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
                .or_else(|| rule_desc.map(|d| d.id.clone()))
                .unwrap_or_else(|| "(no rule id)".to_owned());
            let default_level = rule_desc
                .and_then(|d| d.default_configuration.as_ref())
                .and_then(|c| c.level.as_ref())
                .and_then(|l| serde_json::from_value::<Level>(l.clone()).ok());
            let failing = r
                .kind
                .as_ref()
                .is_none_or(|k| *k == sarif::ResultKind::Fail);
            let level = if failing {
                r.level
                    .map(level_of)
                    .or(default_level)
                    .unwrap_or(Level::Warning)
            } else {
                Level::None
            };
            let phys = r
                .locations
                .iter()
                .flatten()
                .find_map(|l| l.physical_location.as_ref());
            let file = phys
                .and_then(|p| p.artifact_location.as_ref())
                .and_then(|a| a.uri.as_deref())
                .map(|u| super::coverage::normalize(u, root));
            let region = phys.and_then(|p| p.region.as_ref());
            let line = region
                .and_then(|r| r.start_line)
                .and_then(|l| u64::try_from(l).ok());
            let text = match (&file, line) {
                (Some(f), Some(n)) => lines_cache
                    .entry(f.clone())
                    .or_insert_with(|| {
                        std::fs::read_to_string(root.join(f))
                            .ok()
                            .map(|t| t.lines().map(str::to_owned).collect())
                    })
                    .as_ref()
                    .and_then(|ls| ls.get((n as usize).saturating_sub(1)).cloned()),
                _ => None,
            }
            .or_else(|| {
                region
                    .and_then(|r| r.snippet.as_ref())
                    .and_then(|s| s.text.clone())
            })
            .unwrap_or_else(|| line.map(|n| format!("line {n}")).unwrap_or_default());
            let key = format!("{rule}\u{0}{file:?}\u{0}{}", text.trim());
            let ordinal = seen.entry(key).or_insert(0);
            let fp = fingerprint(&rule, file.as_deref(), &text, *ordinal);
            *ordinal += 1;
            out.results.push(StaticResult {
                tool: driver.name.clone(),
                rule,
                level,
                message: clip(r.message.text.as_deref().unwrap_or("").trim(), 200),
                file,
                line,
                fingerprint: fp,
            });
        }
    }
    Ok(out)
}

/// One diagnostic of clippy's JSON output.
#[derive(serde::Deserialize)]
struct Message {
    reason: String,
    message: Option<Diagnostic>,
}

#[derive(serde::Deserialize)]
struct Diagnostic {
    message: String,
    code: Option<DiagCode>,
    level: String,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(serde::Deserialize)]
struct DiagCode {
    code: String,
}

#[derive(serde::Deserialize)]
struct Span {
    file_name: String,
    line_start: i64,
    column_start: i64,
    line_end: i64,
    column_end: i64,
    is_primary: bool,
    #[serde(default)]
    text: Vec<SpanText>,
}

#[derive(serde::Deserialize)]
struct SpanText {
    text: String,
}

/// Facts about the clippy run that go into the SARIF log.
pub struct ClippyRun<'a> {
    pub command_line: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub exit_code: Option<i32>,
    pub version: &'a str,
    pub commit: Option<&'a str>,
}

/// Converts cargo's JSON messages from `cargo clippy --message-format=json` to a SARIF 2.1.0
/// log: one result per distinct warning or error with a primary span (a lint reported for
/// several targets of one crate appears once), one rule per lint, with fingerprints.
pub fn from_clippy(stdout: &str, run: &ClippyRun<'_>) -> sarif::Sarif {
    let mut rules: Vec<String> = Vec::new();
    let mut results = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut ordinals: BTreeMap<String, usize> = BTreeMap::new();
    for line in stdout.lines() {
        let Ok(m) = serde_json::from_str::<Message>(line) else {
            continue;
        };
        let (true, Some(d)) = (m.reason == "compiler-message", m.message) else {
            continue;
        };
        let level = match d.level.as_str() {
            "error" | "error: internal compiler error" => sarif::ResultLevel::Error,
            "warning" => sarif::ResultLevel::Warning,
            _ => continue,
        };
        let Some(span) = d.spans.iter().find(|s| s.is_primary) else {
            continue;
        };
        let rule = d
            .code
            .as_ref()
            .map_or("rustc", |c| c.code.as_str())
            .to_owned();
        let key = (
            rule.clone(),
            span.file_name.clone(),
            span.line_start,
            span.column_start,
            d.message.clone(),
        );
        if !seen.insert(key) {
            continue;
        }
        let index = match rules.iter().position(|r| *r == rule) {
            Some(i) => i,
            None => {
                rules.push(rule.clone());
                rules.len() - 1
            }
        };
        let line_text = span.text.first().map(|t| t.text.as_str()).unwrap_or("");
        let okey = format!("{rule}\u{0}{}\u{0}{}", span.file_name, line_text.trim());
        let ordinal = ordinals.entry(okey).or_insert(0);
        let fp = fingerprint(&rule, Some(&span.file_name), line_text, *ordinal);
        *ordinal += 1;
        let region = sarif::Region::builder()
            .start_line(span.line_start)
            .start_column(span.column_start)
            .end_line(span.line_end)
            .end_column(span.column_end)
            .build();
        let location = sarif::Location::builder()
            .physical_location(
                sarif::PhysicalLocation::builder()
                    .artifact_location(
                        sarif::ArtifactLocation::builder()
                            .uri(span.file_name.clone())
                            .uri_base_id("%SRCROOT%")
                            .build(),
                    )
                    .region(region)
                    .build(),
            )
            .build();
        results.push(
            sarif::Result::builder()
                .rule_id(rule.clone())
                .rule_index(index as i64)
                .level(level)
                .message(sarif::Message::builder().text(d.message.clone()).build())
                .locations(vec![location])
                .partial_fingerprints(BTreeMap::from([("releaseEvidence/v1".to_owned(), fp)]))
                .build(),
        );
    }
    let rules: Vec<sarif::ReportingDescriptor> = rules
        .iter()
        .map(|r| {
            let b = sarif::ReportingDescriptor::builder().id(r.clone());
            match r.strip_prefix("clippy::") {
                Some(lint) => b
                    .help_uri(format!(
                        "https://rust-lang.github.io/rust-clippy/master/index.html#{lint}"
                    ))
                    .build(),
                None => b.build(),
            }
        })
        .collect();
    let mut props = BTreeMap::new();
    if let Some(c) = run.commit {
        props.insert("commit".to_owned(), serde_json::json!(c));
    }
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(run.exit_code == Some(0))
        .command_line(run.command_line.to_owned())
        .start_time_utc(run.start.to_owned())
        .end_time_utc(run.end.to_owned())
        .build();
    invocation.exit_code = run.exit_code.map(i64::from);
    let tool = sarif::Tool::builder()
        .driver(
            sarif::ToolComponent::builder()
                .name("clippy")
                .version(run.version.to_owned())
                .information_uri("https://rust-lang.github.io/rust-clippy/")
                .rules(rules)
                .build(),
        )
        .build();
    let sarif_run = sarif::Run::builder()
        .tool(tool)
        .results(results)
        .invocations(vec![invocation])
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![sarif_run])
        .build()
}
