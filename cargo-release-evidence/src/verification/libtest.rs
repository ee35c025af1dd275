//! libtest's JSON lines (`cargo test -- -Z unstable-options --format json --report-time`):
//! `{"type":"test","event":"ok"|"failed"|"ignored"|"timeout","name":…}`. Other lines
//! (suite events, benches, captured output) are skipped; a line that is not JSON is an error.

use super::model::{Outcome, TestCase, TestReport};
use crate::util::text::clip;
use serde::Deserialize;

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type")]
    kind: Option<&'a str>,
    event: Option<&'a str>,
    name: Option<String>,
    stdout: Option<String>,
}

/// Parses libtest JSON; the tests are named `<binary>::<name>`.
pub fn parse(text: &str, binary: &str) -> Result<TestReport, String> {
    let mut report = TestReport::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let e: Event<'_> = serde_json::from_str(line)
            .map_err(|err| format!("line {}: not libtest JSON ({err})", i + 1))?;
        if e.kind != Some("test") {
            continue;
        }
        let outcome = match e.event {
            Some("ok") => Outcome::Passed,
            Some("failed") | Some("timeout") => Outcome::Failed,
            Some("ignored") => Outcome::Skipped,
            _ => continue,
        };
        let Some(name) = e.name else {
            return Err(format!("line {}: a test event without a `name`", i + 1));
        };
        report.cases.push(TestCase {
            binary: binary.to_owned(),
            name,
            outcome,
            message: (outcome == Outcome::Failed)
                .then(|| clip(e.stdout.as_deref().unwrap_or("failed").trim(), 200)),
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_events() {
        let text = r#"{ "type": "suite", "event": "started", "test_count": 3 }
{ "type": "test", "event": "started", "name": "a" }
{ "type": "test", "name": "a", "event": "ok" }
{ "type": "test", "name": "b", "event": "failed", "stdout": "boom\n" }
{ "type": "test", "name": "c", "event": "ignored" }
{ "type": "suite", "event": "failed", "passed": 1, "failed": 1, "ignored": 1 }
"#;
        let r = super::parse(text, "unit").unwrap();
        assert_eq!(r.cases.len(), 3);
        assert_eq!(r.cases[1].id(), "unit::b");
        assert_eq!(r.cases[1].message.as_deref(), Some("boom"));
        assert_eq!(r.cases[2].outcome, super::Outcome::Skipped);
        assert!(super::parse("{\"type\":\"test\"\n", "u").is_err());
    }
}
