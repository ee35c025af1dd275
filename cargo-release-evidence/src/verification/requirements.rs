//! The requirements file: TOML (`[[requirement]]` tables) or CSV (a header row naming `id`,
//! `title`, `class` and optionally `risk_controls` and `tests`; lists separated by `;`). A
//! malformed file is a configuration error located by line.

use super::model::Requirement;
use crate::error::{Diagnostic, Error, Result};
use crate::policy::verification::SafetyClass;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::path::Path;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    requirement: Vec<Spanned<TomlRequirement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TomlRequirement {
    id: String,
    title: String,
    class: SafetyClass,
    #[serde(default)]
    risk_controls: Vec<String>,
    #[serde(default)]
    tests: Vec<String>,
}

/// Loads and checks a requirements file (ids unique and non-empty, classes A/B/C, patterns
/// valid); every problem is reported.
pub fn load(path: &Path) -> Result<Vec<Requirement>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading requirements file {}", path.display()), e))?;
    let text: Arc<str> = Arc::from(text);
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let reqs = if csv {
        from_csv(path, &text)?
    } else {
        from_toml(path, &text)?
    };
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in &reqs {
        let at = |m: String| Diagnostic {
            file: path.to_path_buf(),
            line: r.line,
            column: 1,
            message: m,
            snippet: None,
        };
        if r.id.trim().is_empty() || r.id.contains(char::is_whitespace) {
            problems.push(at(format!(
                "requirement id `{}` is empty or has spaces",
                r.id
            )));
        } else if !seen.insert(r.id.clone()) {
            problems.push(at(format!("requirement id `{}` is used twice", r.id)));
        }
        for t in &r.tests {
            if let Err(e) = glob::Pattern::new(t) {
                problems.push(at(format!("test pattern `{t}` of {}: {}", r.id, e.msg)));
            }
        }
    }
    if problems.is_empty() {
        Ok(reqs)
    } else {
        Err(Error::Config(problems))
    }
}

fn from_toml(path: &Path, text: &Arc<str>) -> Result<Vec<Requirement>> {
    let file: TomlFile = toml::from_str(text).map_err(|e| {
        Error::Config(vec![Diagnostic::at(
            path,
            text,
            e.span(),
            e.message().trim_end().to_owned(),
        )])
    })?;
    Ok(file
        .requirement
        .into_iter()
        .map(|s| {
            let line = crate::error::line_col(text, s.span().start).0;
            let r = s.into_inner();
            Requirement {
                id: r.id,
                title: r.title,
                class: r.class,
                risk_controls: r.risk_controls,
                tests: r.tests,
                line,
            }
        })
        .collect())
}

fn from_csv(path: &Path, text: &str) -> Result<Vec<Requirement>> {
    let err = |line: usize, m: String| {
        Error::Config(vec![Diagnostic {
            file: path.to_path_buf(),
            line,
            column: 1,
            message: m,
            snippet: None,
        }])
    };
    let rows = parse_csv(text).map_err(|(l, m)| err(l, m))?;
    let Some((_, header)) = rows.first() else {
        return Ok(Vec::new());
    };
    let col = |name: &str| {
        header.iter().position(|h| {
            h.trim().eq_ignore_ascii_case(name)
                || h.trim().replace('-', "_").eq_ignore_ascii_case(name)
        })
    };
    let (Some(id), Some(title), Some(class)) = (col("id"), col("title"), col("class")) else {
        return Err(err(1, "the CSV header must name the columns `id`, `title` and `class` (and may name `risk_controls` and `tests`)".into()));
    };
    let (risk, tests) = (col("risk_controls"), col("tests"));
    let list = |row: &[String], c: Option<usize>| -> Vec<String> {
        c.and_then(|c| row.get(c))
            .map(|v| {
                v.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (line, row) in rows.iter().skip(1) {
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: usize| row.get(c).map(|s| s.trim().to_owned()).unwrap_or_default();
        let class_text = get(class);
        let Some(class) = SafetyClass::parse(&class_text) else {
            return Err(err(
                *line,
                format!(
                    "class `{}` is not A, B or C",
                    crate::util::text::clip(&class_text, 20)
                ),
            ));
        };
        out.push(Requirement {
            id: get(id),
            title: get(title),
            class,
            risk_controls: list(row, risk),
            tests: list(row, tests),
            line: *line,
        });
    }
    Ok(out)
}

/// A CSV row and the line it starts on.
pub type Row = (usize, Vec<String>);

/// RFC 4180 CSV: fields separated by commas, optionally quoted with `"` (`""` inside); rows
/// with their 1-based starting line.
pub fn parse_csv(text: &str) -> std::result::Result<Vec<Row>, (usize, String)> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err((row_line, "a quoted field is not closed".into()));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_with_quotes() {
        let rows = super::parse_csv("id,title\nR1,\"a, \"\"b\"\"\"\r\nR2,c").unwrap();
        assert_eq!(rows[1], (2, vec!["R1".to_owned(), "a, \"b\"".to_owned()]));
        assert_eq!(rows[2].0, 3);
        assert!(super::parse_csv("a,\"b").is_err());
    }
}
