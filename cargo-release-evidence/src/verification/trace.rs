//! The trace matrix: requirements linked to tests by the requirements file's `tests` patterns
//! and by a marker in test code, a line comment directly above the test function (attributes
//! and other comments may sit between them):
//!
//! ```text
//! // verifies: REQ-001, REQ-004
//! #[test]
//! fn frames_detect_single_bit_errors() { … }
//! ```
//!
//! A marker links the function `frames_detect_single_bit_errors` of the package whose directory
//! holds the file to every test of that package (any of its test binaries) with that name.

use super::model::{Outcome, Requirement, TestCase, TraceRow, TraceStatus, TraceTest};
use crate::findings::{Code, Finding, Location, Severity};
use crate::policy::verification::SafetyClass;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A `// verifies:` marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub package: String,
    pub function: String,
    pub requirements: Vec<String>,
    /// Relative to the workspace root.
    pub file: String,
    pub line: usize,
}

/// Finds the markers in the `.rs` files of the workspace members (`(name, dir relative to
/// root)`); a file belongs to the member with the longest directory prefix.
pub fn scan_markers(root: &Path, members: &[(String, String)]) -> Vec<Marker> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for (name, dir) in members {
        let mut found = Vec::new();
        collect_rs(&root.join(dir), dir, &mut found);
        for f in found {
            let better = files.get(&f).is_none_or(|owner| {
                let od = members
                    .iter()
                    .find(|(n, _)| n == owner)
                    .map_or(0, |(_, d)| d.len());
                dir.len() > od
            });
            if better {
                files.insert(f, name.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (file, package) in files {
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(ids) = marker_ids(l) else { continue };
            let function = lines[i + 1..].iter().take(30).find_map(|l| {
                let t = l.trim();
                if t.is_empty() || t.starts_with("//") || t.starts_with("#[") {
                    return None;
                }
                Some(fn_name(t))
            });
            if let Some(Some(function)) = function {
                out.push(Marker {
                    package: package.clone(),
                    function,
                    requirements: ids,
                    file: file.clone(),
                    line: i + 1,
                });
            }
        }
    }
    out
}

fn collect_rs(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(ty) = e.file_type() else { continue };
        let child = if rel.is_empty() || rel == "." {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if ty.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect_rs(&e.path(), &child, out);
            }
        } else if ty.is_file() && name.ends_with(".rs") {
            out.push(child);
        }
    }
}

/// `// verifies: REQ-1, REQ-2` (or `///`) → the ids.
fn marker_ids(line: &str) -> Option<Vec<String>> {
    let t = line.trim_start().strip_prefix("//")?;
    let t = t.trim_start_matches('/').trim_start();
    let rest = t
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("verifies:"))
        .map(|_| &t[9..])?;
    let ids: Vec<String> = rest
        .split([',', ' ', '\t'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// The name of the function a line declares (`pub async fn name(`), if it declares one.
fn fn_name(line: &str) -> Option<String> {
    let idx = line.split_whitespace().position(|w| w == "fn")?;
    let word = line.split_whitespace().nth(idx + 1)?;
    let name: String = word
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The matrix and its findings: a requirement without a passing test (blocking for the
/// blocking classes), a marker naming an unknown requirement.
pub fn matrix(
    reqs: &[Requirement],
    cases: &[TestCase],
    markers: &[Marker],
    blocking: &[SafetyClass],
    requirements_file: &str,
) -> (Vec<TraceRow>, Vec<Finding>) {
    let known: BTreeSet<&str> = reqs.iter().map(|r| r.id.as_str()).collect();
    let mut findings = Vec::new();
    for m in markers {
        for id in &m.requirements {
            if !known.contains(id.as_str()) {
                findings.push(
                    Finding::new(
                        Code::VerifyUnknownRequirement,
                        format!(
                            "test `{}` of {} names requirement {id}, which {requirements_file} does not define",
                            m.function, m.package
                        ),
                        format!("correct the id in the `// verifies:` marker, or add {id} to {requirements_file}"),
                    )
                    .location(Some(Location { file: m.file.clone(), line: m.line, column: 1 })),
                );
            }
        }
    }
    let last = |name: &str| name.rsplit("::").next().unwrap_or(name).to_owned();
    let mut rows = Vec::new();
    for r in reqs {
        let patterns: Vec<glob::Pattern> = r
            .tests
            .iter()
            .filter_map(|t| glob::Pattern::new(t).ok())
            .collect();
        let mut linked: BTreeMap<String, Outcome> = BTreeMap::new();
        for c in cases {
            let id = c.id();
            let by_pattern = patterns
                .iter()
                .any(|p| p.matches(&id) || p.matches(&c.name));
            let by_marker = markers.iter().any(|m| {
                m.requirements.contains(&r.id)
                    && m.package == c.package()
                    && m.function == last(&c.name)
            });
            if by_pattern || by_marker {
                // The same test in several reports: the worst outcome counts.
                let e = linked.entry(id).or_insert(c.outcome);
                *e = worst(*e, c.outcome);
            }
        }
        let status = if linked.values().any(|o| *o == Outcome::Failed) {
            TraceStatus::Fail
        } else if linked.values().any(|o| *o == Outcome::Passed) {
            TraceStatus::Pass
        } else if linked.is_empty() {
            TraceStatus::NotRun
        } else {
            TraceStatus::Skipped
        };
        if status != TraceStatus::Pass {
            let blocks = blocking.contains(&r.class);
            let why = match status {
                TraceStatus::NotRun
                    if r.tests.is_empty()
                        && !markers.iter().any(|m| m.requirements.contains(&r.id)) =>
                {
                    "no test is linked to it".to_owned()
                }
                TraceStatus::NotRun => "none of its linked tests ran".to_owned(),
                TraceStatus::Skipped => "its linked tests were skipped".to_owned(),
                _ => format!(
                    "linked test{} failed: {}",
                    if linked.len() == 1 { "" } else { "s" },
                    linked
                        .iter()
                        .filter(|(_, o)| **o == Outcome::Failed)
                        .map(|(k, _)| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            findings.push(
                Finding::new(
                    Code::VerifyUntested,
                    format!("requirement {} (class {}) \"{}\" has no passing test: {why}", r.id, r.class, crate::util::text::clip(&r.title, 80)),
                    format!("write or fix a test for {} and mark it with `// verifies: {}` above its function (or add a `tests` pattern in {requirements_file})", r.id, r.id),
                )
                .severity(if blocks { Severity::Error } else { Severity::Warning })
                .location(Some(Location { file: requirements_file.to_owned(), line: r.line, column: 1 })),
            );
        }
        rows.push(TraceRow {
            id: r.id.clone(),
            title: r.title.clone(),
            class: r.class,
            risk_controls: r.risk_controls.clone(),
            tests: linked
                .into_iter()
                .map(|(id, outcome)| TraceTest { id, outcome })
                .collect(),
            status,
        });
    }
    (rows, findings)
}

fn worst(a: Outcome, b: Outcome) -> Outcome {
    match (a, b) {
        (Outcome::Failed, _) | (_, Outcome::Failed) => Outcome::Failed,
        (Outcome::Skipped, _) | (_, Outcome::Skipped) => Outcome::Skipped,
        _ => Outcome::Passed,
    }
}

/// `trace-matrix.csv`: one row per requirement and linked test (a requirement without a
/// test has one row with an empty test).
pub fn csv(rows: &[TraceRow]) -> String {
    let q = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("requirement,title,class,risk_controls,status,test,test_result\n");
    for r in rows {
        let head = format!(
            "{},{},{},{},{}",
            q(&r.id),
            q(&r.title),
            r.class,
            q(&r.risk_controls.join(";")),
            r.status
        );
        if r.tests.is_empty() {
            out.push_str(&format!("{head},,\n"));
        }
        for t in &r.tests {
            out.push_str(&format!("{head},{},{}\n", q(&t.id), t.outcome));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_names() {
        assert_eq!(
            marker_ids("  // verifies: REQ-1, REQ-2"),
            Some(vec!["REQ-1".into(), "REQ-2".into()])
        );
        assert_eq!(marker_ids("/// Verifies: R"), Some(vec!["R".into()]));
        assert_eq!(marker_ids("// verifies the thing"), None);
        assert_eq!(
            fn_name("pub async fn check_it() {"),
            Some("check_it".into())
        );
        assert_eq!(fn_name("let x = 1;"), None);
    }
}
