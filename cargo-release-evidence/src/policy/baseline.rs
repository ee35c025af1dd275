//! `[baseline]`: the configuration baseline of a release — the tag that names the version, its
//! signature, the release branch, a clean tree and the release-notes entry — and its rules
//! that span several fields.

use super::Policy;
use crate::error::Diagnostic;
use crate::findings::Code;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::collections::BTreeMap;

/// The tag pattern when `tag` is not given.
pub const DEFAULT_TAG: &str = "v{version}";
/// What a release-notes heading must contain when `release-notes-heading` is not given.
pub const DEFAULT_HEADING: &str = "{version}";

/// `[baseline]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BaselinePolicy {
    /// The release tag's name: `{version}` (required) and `{name}` are replaced by the
    /// member's version and package name. Default `v{version}`.
    pub tag: Option<Spanned<String>>,
    /// The tag must be an annotated tag object (default true).
    #[serde(default = "yes")]
    pub annotated: bool,
    /// The tag must carry an SSH signature of a release signer (default false); needs
    /// `[approvals] allowed-signers`.
    #[serde(default)]
    pub signed: bool,
    /// Release-branch patterns (`*` within one `/`-separated part, `**` across parts); the
    /// release commit must be on a matching branch. Empty: not checked.
    #[serde(default)]
    pub branches: Vec<Spanned<String>>,
    /// No uncommitted changes under the workspace root (default true).
    #[serde(default = "yes")]
    pub clean: bool,
    /// The release-notes file, relative to the policy file (`{name}` allowed). Absent: not
    /// checked.
    pub release_notes: Option<Spanned<String>>,
    /// What the entry's Markdown heading must contain (`{version}` required, `{name}`
    /// allowed). Default `{version}`.
    pub release_notes_heading: Option<Spanned<String>>,
    /// `RE-BASELINE-…` codes (`*` allowed) whose findings warn instead of blocking.
    #[serde(default)]
    pub warn: Vec<Spanned<String>>,
    /// Per release member: its own `tag` and `release-notes`.
    #[serde(default)]
    pub members: BTreeMap<String, Spanned<MemberBaseline>>,
}

/// `[baseline.members.<name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MemberBaseline {
    pub tag: Option<Spanned<String>>,
    pub release_notes: Option<Spanned<String>>,
}

fn yes() -> bool {
    true
}

impl BaselinePolicy {
    /// The tag pattern of a member.
    pub fn tag_pattern(&self, member: &str) -> &str {
        self.members
            .get(member)
            .and_then(|m| m.get_ref().tag.as_ref())
            .or(self.tag.as_ref())
            .map_or(DEFAULT_TAG, |t| t.get_ref().as_str())
    }

    /// The release-notes file (as written, relative to the policy file) of a member.
    pub fn release_notes(&self, member: &str) -> Option<&str> {
        self.members
            .get(member)
            .and_then(|m| m.get_ref().release_notes.as_ref())
            .or(self.release_notes.as_ref())
            .map(|t| t.get_ref().as_str())
    }

    pub fn heading_pattern(&self) -> &str {
        self.release_notes_heading
            .as_ref()
            .map_or(DEFAULT_HEADING, |h| h.get_ref().as_str())
    }

    /// Whether findings of `code` only warn.
    pub fn warns(&self, code: Code) -> bool {
        self.warn
            .iter()
            .any(|p| glob(p.get_ref(), code.as_str(), false))
    }
}

/// Replaces `{name}` and `{version}` in a pattern.
pub fn expand(pattern: &str, name: &str, version: &str) -> String {
    pattern
        .replace("{name}", name)
        .replace("{version}", version)
}

/// Glob matching: `*` matches any run of characters except `/` (any character at all when
/// `slash_free` is false), `**` any run including `/`, `?` one character.
pub fn glob(pattern: &str, s: &str, slash_free: bool) -> bool {
    fn m(p: &[u8], s: &[u8], stop: bool) -> bool {
        match p {
            [] => s.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=s.len()).any(|i| m(rest, &s[i..], stop)),
            [b'*', rest @ ..] => (0..=s.len())
                .take_while(|&i| i == 0 || !(stop && s[i - 1] == b'/'))
                .any(|i| m(rest, &s[i..], stop)),
            [b'?', rest @ ..] => !s.is_empty() && m(rest, &s[1..], stop),
            [c, rest @ ..] => s.first() == Some(c) && m(rest, &s[1..], stop),
        }
    }
    m(pattern.as_bytes(), s.as_bytes(), slash_free)
}

/// The rules of `[baseline]` that span fields or sections.
pub fn validate(p: &Policy) -> Vec<Diagnostic> {
    let Some(section) = &p.data.baseline else {
        return Vec::new();
    };
    let b = section.get_ref();
    let mut out = Vec::new();
    let mut tag = |t: &Spanned<String>, key: &str| {
        if let Some(why) = tag_problem(t.get_ref()) {
            out.push(p.diagnostic(t.span(), format!("[baseline] `{key}`: {why}")));
        }
    };
    if let Some(t) = &b.tag {
        tag(t, "tag");
    }
    for (name, m) in &b.members {
        if let Some(t) = &m.get_ref().tag {
            tag(t, &format!("members.{name}.tag"));
        }
    }
    if let Some(h) = &b.release_notes_heading
        && let Some(why) = placeholder_problem(h.get_ref())
    {
        out.push(p.diagnostic(
            h.span(),
            format!("[baseline] `release-notes-heading`: {why}"),
        ));
    }
    let notes = b.release_notes.iter().chain(
        b.members
            .values()
            .filter_map(|m| m.get_ref().release_notes.as_ref()),
    );
    for n in notes {
        let text = n.get_ref();
        if text.trim().is_empty() || std::path::Path::new(text).is_absolute() {
            out.push(p.diagnostic(
                n.span(),
                "[baseline] `release-notes` must be a file path relative to the policy file",
            ));
        }
    }
    for br in &b.branches {
        let text = br.get_ref();
        if text.trim().is_empty() || text.chars().any(char::is_whitespace) {
            out.push(p.diagnostic(
                br.span(),
                format!(
                    "[baseline] branch pattern `{}` is empty or contains whitespace",
                    crate::util::text::clip(text, 80)
                ),
            ));
        }
    }
    for w in &b.warn {
        let baseline_codes = Code::ALL
            .iter()
            .filter(|c| c.as_str().starts_with("RE-BASELINE-"));
        if !baseline_codes
            .clone()
            .any(|c| glob(w.get_ref(), c.as_str(), false))
        {
            let known: Vec<&str> = baseline_codes.map(|c| c.as_str()).collect();
            out.push(p.diagnostic(
                w.span(),
                format!(
                    "[baseline] `warn`: `{}` matches no baseline finding code; expected one of {}",
                    crate::util::text::clip(w.get_ref(), 80),
                    known.join(", ")
                ),
            ));
        }
    }
    if b.signed && p.data.approvals.is_none() {
        out.push(p.diagnostic(
            section.span(),
            "[baseline] `signed = true` needs [approvals] with `allowed-signers` (the keys the tag signature is checked against) and `release-signers`",
        ));
    }
    out
}

/// Why a tag pattern is not usable, if it is not.
fn tag_problem(t: &str) -> Option<String> {
    if let Some(why) = placeholder_problem(t) {
        return Some(why);
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c);
    if t.chars().any(bad)
        || t.contains("..")
        || t.contains("@{")
        || t.starts_with(['-', '/'])
        || t.ends_with(['/', '.'])
    {
        return Some(format!(
            "`{}` is not a valid git tag name pattern (no spaces, `~^:?*[\\`, `..`, `@{{`, or leading `-`/`/`)",
            crate::util::text::clip(t, 80)
        ));
    }
    None
}

/// A pattern must contain `{version}` and no placeholder besides `{name}` and `{version}`.
fn placeholder_problem(t: &str) -> Option<String> {
    if !t.contains("{version}") {
        return Some(format!(
            "`{}` must contain `{{version}}`",
            crate::util::text::clip(t, 80)
        ));
    }
    let rest = t.replace("{version}", "").replace("{name}", "");
    if rest.contains('{') || rest.contains('}') {
        return Some(format!(
            "`{}` has a placeholder other than `{{name}}` and `{{version}}`",
            crate::util::text::clip(t, 80)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_globs() {
        assert!(glob("main", "main", true));
        assert!(glob("release/*", "release/1.0", true));
        assert!(!glob("release/*", "release/1.0/hotfix", true));
        assert!(glob("release/**", "release/1.0/hotfix", true));
        assert!(!glob("release/*", "feature/x", true));
        assert!(glob("RE-BASELINE-*", "RE-BASELINE-TAG-SIGNER", false));
    }

    #[test]
    fn tag_patterns() {
        assert_eq!(tag_problem("v{version}"), None);
        assert_eq!(tag_problem("{name}-v{version}"), None);
        assert!(tag_problem("v1").unwrap().contains("{version}"));
        assert!(tag_problem("v{version} x").unwrap().contains("not a valid"));
        assert!(
            tag_problem("{nme}-{version}")
                .unwrap()
                .contains("placeholder")
        );
        assert_eq!(expand("{name}-v{version}", "fw", "1.2.3"), "fw-v1.2.3");
    }
}
