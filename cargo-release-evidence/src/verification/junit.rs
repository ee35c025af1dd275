//! JUnit XML as cargo-nextest writes it (`[profile.<name>.junit]`), and as HIL rigs and other
//! languages' runners do: every `<testcase>` anywhere below the root; `<failure>` or
//! `<error>` fails it, `<skipped>` skips it (nextest's `<flakyFailure>` of a test that passed
//! on retry does not). DTDs are refused (no entity expansion).

use super::model::{Outcome, TestCase, TestReport};
use crate::util::text::clip;

/// Parses a JUnit report; `default_binary` names tests whose `classname` is missing.
pub fn parse(text: &str, default_binary: &str) -> Result<TestReport, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if !matches!(root.tag_name().name(), "testsuites" | "testsuite") {
        return Err(format!(
            "not a JUnit report: the root element is <{}>, not <testsuites> or <testsuite>",
            clip(root.tag_name().name(), 60)
        ));
    }
    let mut report = TestReport::default();
    for node in root.descendants().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "testsuites" | "testsuite" => {
                if let Some(t) = node.attribute("timestamp").and_then(parse_timestamp) {
                    report.timestamp = Some(report.timestamp.map_or(t, |r: i64| r.max(t)));
                }
            }
            "property" => {
                if let (Some(n), Some(v)) = (node.attribute("name"), node.attribute("value")) {
                    report.properties.push((n.to_owned(), v.to_owned()));
                }
            }
            "testcase" => report.cases.push(case(node, default_binary)?),
            _ => {}
        }
    }
    Ok(report)
}

fn case(node: roxmltree::Node<'_, '_>, default_binary: &str) -> Result<TestCase, String> {
    let name = node.attribute("name").ok_or_else(|| {
        let pos = node.document().text_pos_at(node.range().start);
        format!("<testcase> without a `name` at line {}", pos.row)
    })?;
    let binary = node
        .attribute("classname")
        .filter(|c| !c.is_empty())
        .or_else(|| {
            node.parent_element()
                .filter(|p| p.has_tag_name("testsuite"))
                .and_then(|p| p.attribute("name"))
        })
        .unwrap_or(default_binary);
    let mut outcome = Outcome::Passed;
    let mut message = None;
    for child in node.children().filter(|n| n.is_element()) {
        let kind = child.tag_name().name();
        let o = match kind {
            "failure" | "error" => Outcome::Failed,
            "skipped" => Outcome::Skipped,
            _ => continue,
        };
        if outcome != Outcome::Failed {
            outcome = o;
            let text = child
                .attribute("message")
                .or_else(|| child.text())
                .unwrap_or(kind);
            message = Some(clip(text.trim(), 200));
        }
    }
    Ok(TestCase {
        binary: binary.to_owned(),
        name: name.to_owned(),
        outcome,
        message,
    })
}

/// An RFC 3339 timestamp, or an ISO 8601 date-time without offset (taken as UTC, as most
/// JUnit writers mean it), to seconds since the epoch.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let dt: jiff::civil::DateTime = s.parse().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEXTEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" failures="1" errors="0" uuid="x" timestamp="2026-11-24T12:00:00.123+00:00" time="0.1">
  <testsuite name="sensor-core" tests="3" disabled="1" errors="0" failures="1">
    <testcase name="tests::a" classname="sensor-core" timestamp="2026-11-24T12:00:00+00:00" time="0.01"></testcase>
    <testcase name="tests::b" classname="sensor-core" time="0.01">
      <failure type="test failure">thread 'tests::b' panicked</failure>
    </testcase>
    <testcase name="tests::c" classname="sensor-core" time="0"><skipped/></testcase>
    <testcase name="tests::d" classname="sensor-core" time="0.2">
      <flakyFailure type="test failure" message="flaky"/>
    </testcase>
  </testsuite>
  <testsuite name="rig"><properties><property name="commit" value="abc"/></properties>
    <testcase name="boot"/>
  </testsuite>
</testsuites>"#;

    #[test]
    fn reads_nextest_junit() {
        let r = parse(NEXTEST, "unit").unwrap();
        let got: Vec<(String, Outcome)> = r.cases.iter().map(|c| (c.id(), c.outcome)).collect();
        assert_eq!(
            got,
            vec![
                ("sensor-core::tests::a".to_owned(), Outcome::Passed),
                ("sensor-core::tests::b".to_owned(), Outcome::Failed),
                ("sensor-core::tests::c".to_owned(), Outcome::Skipped),
                ("sensor-core::tests::d".to_owned(), Outcome::Passed),
                ("rig::boot".to_owned(), Outcome::Passed),
            ]
        );
        assert_eq!(
            r.cases[1].message.as_deref(),
            Some("thread 'tests::b' panicked")
        );
        assert_eq!(r.timestamp, Some(1795521600));
        assert_eq!(r.properties, vec![("commit".to_owned(), "abc".to_owned())]);
    }

    #[test]
    fn refuses_what_is_not_junit() {
        assert!(parse("<html/>", "u").unwrap_err().contains("<html>"));
        assert!(parse("<testsuites><testcase/></testsuites>", "u").is_err());
        assert!(parse("not xml", "u").is_err());
        let dtd = r#"<!DOCTYPE lol [<!ENTITY a "aaaa">]><testsuites>&a;</testsuites>"#;
        assert!(parse(dtd, "u").is_err());
        assert_eq!(parse_timestamp("2026-11-24T12:00:00"), Some(1795521600));
    }
}
