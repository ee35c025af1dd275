//! Finding a release's entry in a Markdown release-notes file (e.g. `CHANGELOG.md`): the first
//! heading (ATX `## …` or setext, outside fenced code) whose text contains the heading pattern
//! with the version filled in, where the version is a whole token (`1.2.3` does not match
//! `1.2.30` or `1.2.3-rc.1`). The entry runs to the next heading of the same or a higher level.

use crate::policy::baseline::expand;
use crate::util::digest;
use serde::Serialize;

/// A release-notes entry.
#[derive(Debug, Clone, Serialize)]
pub struct NotesEntry {
    /// 1-based line of the heading.
    pub line: usize,
    pub heading: String,
    /// sha256 of the entry's text (heading included, LF line ends, no trailing blank lines).
    pub sha256: String,
    /// The entry's text: shown in the release record, not stored in the manifest.
    #[serde(skip)]
    pub text: String,
}

struct Heading {
    line: usize,
    level: usize,
    text: String,
}

/// The entry of `version` in `text`, if any.
pub fn find_entry(text: &str, pattern: &str, name: &str, version: &str) -> Option<NotesEntry> {
    let needle = expand(pattern, name, version);
    let lines: Vec<&str> = text.lines().collect();
    let headings = headings(&lines);
    let (i, h) = headings
        .iter()
        .enumerate()
        .find(|(_, h)| contains_token(&h.text, &needle))?;
    let end = headings[i + 1..]
        .iter()
        .find(|n| n.level <= h.level)
        .map_or(lines.len(), |n| n.line - 1);
    let mut body: Vec<&str> = lines[h.line - 1..end]
        .iter()
        .map(|l| l.trim_end())
        .collect();
    while body.last().is_some_and(|l| l.is_empty()) {
        body.pop();
    }
    let entry = body.join("\n") + "\n";
    Some(NotesEntry {
        line: h.line,
        heading: crate::util::text::clip(lines[h.line - 1].trim(), 200),
        sha256: digest::sha256_hex(entry.as_bytes()),
        text: entry,
    })
}

/// The Markdown headings of a document, outside fenced code blocks.
fn headings(lines: &[&str]) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        if indent < 4 {
            for marker in ["```", "~~~"] {
                if line.starts_with(marker) {
                    fence = match fence {
                        None => Some(marker),
                        Some(open) if open == marker => None,
                        keep => keep,
                    };
                }
            }
        }
        if fence.is_some() || line.starts_with("```") || line.starts_with("~~~") || indent >= 4 {
            continue;
        }
        let hashes = line.bytes().take_while(|b| *b == b'#').count();
        if (1..=6).contains(&hashes) {
            let rest = &line[hashes..];
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                out.push(Heading {
                    line: i + 1,
                    level: hashes,
                    text: rest.trim().trim_end_matches('#').trim().to_owned(),
                });
            }
            continue;
        }
        // Setext: a text line underlined with `===` (level 1) or `---` (level 2).
        if let Some(next) = lines.get(i + 1) {
            let under = next.trim();
            let level = if !under.is_empty() && under.bytes().all(|b| b == b'=') {
                1
            } else if under.len() >= 2 && under.bytes().all(|b| b == b'-') {
                2
            } else {
                0
            };
            if level > 0 && !line.is_empty() && !line.starts_with(['-', '*', '+', '>']) {
                out.push(Heading {
                    line: i + 1,
                    level,
                    text: line.trim().to_owned(),
                });
            }
        }
    }
    out
}

/// Whether `hay` contains `needle` with no version characters glued to either end.
fn contains_token(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let bytes = hay.as_bytes();
    hay.match_indices(needle).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let end = at + needle.len();
        let after = bytes.get(end).copied();
        let after2 = bytes.get(end + 1).copied();
        let glued_before = before.is_some_and(|b| b.is_ascii_digit() || b == b'.');
        let glued_after = after.is_some_and(|b| b.is_ascii_digit())
            || (matches!(after, Some(b'.' | b'-' | b'+'))
                && after2.is_some_and(|b| b.is_ascii_alphanumeric()));
        !glued_before && !glued_after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "# Changelog\n\n## [Unreleased]\n\n## [1.2.30] - 2026-01-01\n- later\n\n## [1.2.3] - 2025-12-01\n\n### Fixed\n- a bug\n\n```\n## 9.9.9 not a heading\n```\n\n## [1.2.2]\n- old\n";

    #[test]
    fn finds_the_entry_of_the_version_only() {
        let e = find_entry(LOG, "{version}", "x", "1.2.3").unwrap();
        assert_eq!(e.line, 8);
        assert_eq!(e.heading, "## [1.2.3] - 2025-12-01");
        assert_eq!(
            e.text,
            "## [1.2.3] - 2025-12-01\n\n### Fixed\n- a bug\n\n```\n## 9.9.9 not a heading\n```\n"
        );
        assert!(find_entry(LOG, "{version}", "x", "1.2").is_none());
        assert!(find_entry(LOG, "{version}", "x", "9.9.9").is_none());
        assert!(find_entry(LOG, "{version}", "x", "2.0.30").is_none());
        assert!(find_entry("## 1.2.3-rc.1\n", "{version}", "x", "1.2.3").is_none());
        assert!(find_entry("## v1.2.3\n", "{version}", "x", "1.2.3").is_some());
        assert!(find_entry("## [1.2.3]\n", "[{version}]", "x", "1.2.3").is_some());
        assert!(find_entry("## 1.2.3\n", "[{version}]", "x", "1.2.3").is_none());
    }

    #[test]
    fn setext_headings_count() {
        let e = find_entry(
            "fw 1.0.0\n========\n\ntext\n\nfw 0.9.0\n===\n",
            "{name} {version}",
            "fw",
            "1.0.0",
        )
        .unwrap();
        assert_eq!(e.text, "fw 1.0.0\n========\n\ntext\n");
    }
}
