//! `anomalies.toml`: the known residual anomalies the team keeps (problem reports), each with
//! its evaluation and who approved it, optionally until when.
//!
//! ```toml
//! [[anomaly]]
//! id = "PR-0042"
//! description = "Display flickers once after a cold start"
//! evaluation = "cosmetic; no effect on the measurement or alarms (risk file RM-7)"
//! approved-by = "qa@example.com"
//! until = 2027-06-30
//! ```

use super::model::Anomaly;
use crate::error::{Diagnostic, Error, Result};
use crate::findings::{Code, Finding, Location};
use crate::util::time::Day;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::path::Path;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    anomaly: Vec<Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Entry {
    id: String,
    description: String,
    evaluation: String,
    approved_by: String,
    until: Option<Day>,
}

/// The anomalies, and a finding for each whose `until` has passed.
pub fn load(path: &Path, display: &str, date: Day) -> Result<(Vec<Anomaly>, Vec<Finding>)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading anomalies file {}", path.display()), e))?;
    let text: Arc<str> = Arc::from(text);
    let file: File = toml::from_str(&text).map_err(|e| {
        Error::Config(vec![Diagnostic::at(
            path,
            &text,
            e.span(),
            e.message().trim_end().to_owned(),
        )])
    })?;
    let mut out = Vec::new();
    let mut findings = Vec::new();
    for s in file.anomaly {
        let (line, column) = crate::error::line_col(&text, s.span().start);
        let e = s.into_inner();
        for (field, v) in [
            ("evaluation", &e.evaluation),
            ("approved-by", &e.approved_by),
        ] {
            if v.trim().is_empty() {
                return Err(Error::Config(vec![Diagnostic {
                    file: path.to_path_buf(),
                    line,
                    column,
                    message: format!("anomaly {} has an empty `{field}`", e.id),
                    snippet: None,
                }]));
            }
        }
        if let Some(u) = e.until
            && u.days_until(date) > 0
        {
            findings.push(
                Finding::new(
                    Code::VerifyExceptionExpired,
                    format!(
                        "residual anomaly {} was accepted until {u}, which has passed",
                        e.id
                    ),
                    "re-evaluate the anomaly and extend `until`, or fix it and remove the entry",
                )
                .location(Some(Location {
                    file: display.to_owned(),
                    line,
                    column,
                })),
            );
        }
        out.push(Anomaly {
            id: e.id,
            kind: "problem-report".to_owned(),
            description: e.description,
            evaluation: e.evaluation,
            approved_by: e.approved_by,
            until: e.until,
        });
    }
    Ok((out, findings))
}
