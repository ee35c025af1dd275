//! Cobertura XML (cargo-tarpaulin `--out Xml`, cargo-llvm-cov `--cobertura`, grcov, coverage.py):
//! `<class filename>` holds `<lines><line number hits [branch="true"
//! condition-coverage="50% (1/2)"]>`; the file name is relative to the first `<source>`.
//! The lines repeated under `<methods>` are not counted twice.

use super::lcov::merge_into;
use super::model::{Coverage, FileCoverage};
use crate::util::text::clip;

pub fn parse(text: &str) -> Result<Coverage, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if !root.has_tag_name("coverage") {
        return Err(format!(
            "not a Cobertura report: the root element is <{}>, not <coverage>",
            clip(root.tag_name().name(), 60)
        ));
    }
    let source = root
        .descendants()
        .find(|n| n.has_tag_name("source"))
        .and_then(|n| n.text())
        .map(|s| s.trim().trim_end_matches('/').to_owned())
        .filter(|s| !s.is_empty() && s != ".");
    let mut out = Coverage {
        timestamp: root.attribute("timestamp").and_then(|t| {
            let v: i64 = t.trim().parse().ok()?;
            // Cobertura writes milliseconds; some writers seconds.
            Some(if v > 100_000_000_000 { v / 1000 } else { v })
        }),
        ..Coverage::default()
    };
    for class in root.descendants().filter(|n| n.has_tag_name("class")) {
        let Some(file) = class.attribute("filename") else {
            return Err("a <class> without a `filename`".into());
        };
        let path = match &source {
            Some(s) if !file.starts_with('/') => format!("{s}/{file}"),
            _ => file.to_owned(),
        };
        let mut cov = FileCoverage::default();
        let lines = class
            .children()
            .filter(|n| n.has_tag_name("lines"))
            .flat_map(|l| l.children().filter(|n| n.has_tag_name("line")));
        for line in lines {
            let pos = doc.text_pos_at(line.range().start);
            let bad = || {
                format!(
                    "line {}: a <line> needs numeric `number` and `hits`",
                    pos.row
                )
            };
            let number: u32 = line
                .attribute("number")
                .and_then(|n| n.parse().ok())
                .ok_or_else(bad)?;
            let hits: u64 = line
                .attribute("hits")
                .and_then(|h| h.parse::<i64>().ok())
                .ok_or_else(bad)?
                .max(0) as u64;
            let e = cov.lines.entry(number).or_insert(0);
            *e = e.saturating_add(hits);
            if line.attribute("branch") == Some("true")
                && let Some((taken, total)) =
                    line.attribute("condition-coverage").and_then(condition)
            {
                cov.branches.insert(number, (taken, total));
            }
        }
        merge_into(&mut out, path, cov);
    }
    Ok(out)
}

/// `50% (1/2)` → (1, 2).
fn condition(s: &str) -> Option<(u32, u32)> {
    let inner = s.split_once('(')?.1.trim_end_matches(')');
    let (a, b) = inner.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_classes_once() {
        let t = r#"<?xml version="1.0"?>
<coverage line-rate="0.5" branch-rate="0.5" timestamp="1795521600123" version="1.9">
  <sources><source>/ws</source></sources>
  <packages><package name="a"><classes>
    <class name="lib" filename="a/src/lib.rs" line-rate="0.5">
      <methods><method name="f"><lines><line number="3" hits="1"/></lines></method></methods>
      <lines>
        <line number="3" hits="1"/>
        <line number="4" hits="0" branch="true" condition-coverage="50% (1/2)"/>
      </lines>
    </class>
  </classes></package></packages>
</coverage>"#;
        let c = super::parse(t).unwrap();
        let f = &c.files["/ws/a/src/lib.rs"];
        assert_eq!(f.lines[&3], 1);
        assert_eq!(f.branches[&4], (1, 2));
        assert_eq!(c.timestamp, Some(1795521600));
        assert!(super::parse("<testsuites/>").is_err());
    }
}
