//! The release record's configuration baseline: a table of the manifest's `baseline` section,
//! the release-notes entry itself, and the checklist items ticked from it.

use crate::checks::baseline::{Baseline, SignatureStatus};
use std::fmt::Write;

/// Longest release-notes entry shown in full (its digest covers the whole entry).
const MAX_ENTRY: usize = 20_000;

/// The `## Configuration baseline` section.
pub fn section(b: &Baseline) -> String {
    let mut t = String::from("\n## Configuration baseline\n\n| | |\n|---|---|\n");
    let tag = &b.tag;
    let sig = &tag.signature;
    let version = match &b.previous {
        Some(p) => format!(
            "{} (previous release {}: {} bump, {})",
            b.version,
            p.version,
            p.relation,
            if p.breaking { "breaking" } else { "compatible" }
        ),
        None => format!("{} (no earlier release in the evidence)", b.version),
    };
    let tag_row = if tag.at_head {
        format!(
            "`{}` at HEAD, {} (object `{}`){}",
            tag.name,
            if tag.annotated == Some(true) {
                "annotated"
            } else {
                "lightweight"
            },
            tag.object.as_deref().unwrap_or("-"),
            tag.tagger
                .as_deref()
                .map(|t| format!(", tagger {t}"))
                .unwrap_or_default()
        )
    } else if let Some(c) = &tag.commit {
        format!("**`{}` points at another commit** (`{c}`)", tag.name)
    } else {
        format!("**no tag `{}`** (pattern `{}`)", tag.name, tag.pattern)
    };
    let status = serde_json::to_value(sig.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let signature = format!(
        "{status}{}{}",
        sig.detail
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default(),
        sig.git
            .as_deref()
            .map(|g| format!(" (git verify-tag: {g})"))
            .unwrap_or_default()
    );
    let branch = match (&b.branch.release_branch, b.branch.patterns.is_empty()) {
        (_, true) => format!(
            "{} (the policy names no release branches)",
            b.branch.current.as_deref().unwrap_or("detached HEAD")
        ),
        (Some(r), false) => format!("{r} (release branches: {})", b.branch.patterns.join(", ")),
        (None, false) => format!(
            "**not on a release branch** ({}; release branches: {})",
            b.branch.current.as_deref().unwrap_or("detached HEAD"),
            b.branch.patterns.join(", ")
        ),
    };
    let notes = match &b.release_notes {
        None => "not checked (the policy names no release-notes file)".to_owned(),
        Some(n) => match &n.entry {
            Some(e) => format!("{} line {}, sha256 `{}`", n.file, e.line, e.sha256),
            None if n.exists => format!("**no entry for {} in {}**", b.version, n.file),
            None => format!("**{} does not exist**", n.file),
        },
    };
    let rows = [
        ("Version", version),
        ("Tag", tag_row),
        ("Tag signature", signature),
        ("Branch", branch),
        (
            "Commit / tree",
            format!(
                "`{}` / `{}`",
                b.commit.as_deref().unwrap_or("-"),
                b.tree.as_deref().unwrap_or("-")
            ),
        ),
        (
            "Working tree",
            match b.clean {
                Some(true) => "clean".to_owned(),
                Some(false) => "**uncommitted changes**".to_owned(),
                None => "not a git checkout".to_owned(),
            },
        ),
        ("Release notes", notes),
    ];
    for (k, v) in rows {
        let _ = writeln!(t, "| {k} | {} |", cell(&v));
    }
    if let Some((file, e)) = b
        .release_notes
        .as_ref()
        .and_then(|n| n.entry.as_ref().map(|e| (&n.file, e)))
    {
        let _ = writeln!(t, "\nRelease notes entry ({file}, line {}):\n", e.line);
        let text = if e.text.len() > MAX_ENTRY {
            crate::util::text::clip(&e.text, MAX_ENTRY)
        } else {
            e.text.clone()
        };
        for line in text.lines() {
            let _ = writeln!(t, "> {line}");
        }
    }
    t
}

/// The checklist items the baseline decides, in order: tagged, signed, branch, clean, notes.
pub fn checklist(b: &Baseline) -> Vec<(bool, String)> {
    let tag = &b.tag;
    let sig = &tag.signature;
    vec![
        (
            tag.at_head,
            if tag.at_head {
                format!("Version tagged (`{}` at the release commit)", tag.name)
            } else {
                format!("Version tagged (no `{}` at the release commit)", tag.name)
            },
        ),
        (
            sig.status == SignatureStatus::Good,
            match &sig.signer {
                Some(s) if sig.status == SignatureStatus::Good => {
                    format!("Tag signed by a release signer ({s})")
                }
                _ => "Tag signed by a release signer".to_owned(),
            },
        ),
        (
            b.branch.release_branch.is_some(),
            match &b.branch.release_branch {
                Some(r) => format!("Release branch ({r})"),
                None if b.branch.patterns.is_empty() => {
                    "Release branch (the policy names no release branches)".to_owned()
                }
                None => "Release branch".to_owned(),
            },
        ),
        (
            b.clean == Some(true),
            "Tree clean (no uncommitted changes)".to_owned(),
        ),
        (
            b.release_notes.as_ref().is_some_and(|n| n.entry.is_some()),
            match &b.release_notes {
                Some(n) => format!("Release notes entry ({})", n.file),
                None => "Release notes entry (the policy names no release-notes file)".to_owned(),
            },
        ),
    ]
}

/// A Markdown table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}
