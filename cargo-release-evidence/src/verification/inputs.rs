//! Finding the report files a policy entry names, and deciding whether each is bound to this
//! release: recorded by `test` for this source state, or (made elsewhere) naming the release
//! commit, or newer than the commit (by its own timestamp, else its modification time); and,
//! when the policy asks, signed by a principal of a role.

use super::Context;
use crate::findings::{Code, Finding, Location};
use crate::util::{paths, text::clip, time};
use std::path::{Path, PathBuf};

/// SSH signature namespace of signed reports (`ssh-keygen -Y sign -n release-evidence-report-v1`).
pub const REPORT_NAMESPACE: &str = "release-evidence-report-v1";

/// Verifies report signatures against the trusted keys (implemented above this layer with
/// `sign::sshsig` and `sign::allowed_signers`).
pub trait ReportSignatures {
    /// Checks `signature` (an armored SSH signature, namespace [`REPORT_NAMESPACE`]) over
    /// `content`, made by a principal holding `role`; returns that principal.
    fn verify(&self, role: &str, content: &[u8], signature: &[u8]) -> Result<String, String>;
}

/// One report file read for evaluation.
pub struct Input {
    /// Relative to the workspace root when inside it.
    pub source: String,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// `run`, `commit`, `timestamp` or `mtime` once established.
    pub bound_by: Option<String>,
    /// The signature file's bytes and the principal whose signature verified.
    pub signature: Option<(Vec<u8>, String)>,
}

impl Input {
    pub fn location(&self) -> Option<Location> {
        Some(Location {
            file: self.source.clone(),
            line: 1,
            column: 1,
        })
    }

    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

/// The files matching `patterns` (relative to the workspace root), sorted and deduplicated;
/// a finding for each pattern that matches nothing.
pub fn find(
    cx: &Context<'_>,
    what: &str,
    patterns: &[String],
    out: &mut Vec<Finding>,
) -> Vec<Input> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for p in patterns {
        let full = if Path::new(p).is_absolute() {
            p.clone()
        } else {
            cx.root.join(p).to_string_lossy().into_owned()
        };
        let found: Vec<PathBuf> = glob::glob(&full)
            .map(|g| g.flatten().filter(|p| p.is_file()).collect())
            .unwrap_or_default();
        if found.is_empty() {
            out.push(Finding::new(
                Code::VerifyReportMissing,
                format!("{what}: no report file matches `{}`", clip(p, 200)),
                "produce the report (or copy it there) before the release, or correct the glob in [verification]",
            ).location(cx.policy_location()));
        }
        paths.extend(found);
    }
    paths.sort();
    paths.dedup();
    let mut inputs = Vec::new();
    for path in paths {
        match std::fs::read(&path) {
            Ok(bytes) => inputs.push(Input {
                source: paths::relative_display(cx.root, &path),
                path,
                bytes,
                bound_by: None,
                signature: None,
            }),
            Err(e) => out.push(Finding::new(
                Code::VerifyReportMissing,
                format!("{what}: cannot read {}: {e}", path.display()),
                "make the report readable",
            )),
        }
    }
    inputs
}

/// Decides whether a report made elsewhere is bound to this release; a stale-evidence
/// finding otherwise.
pub fn bind(
    cx: &Context<'_>,
    input: &mut Input,
    names_commit: bool,
    timestamp: Option<i64>,
    what: &str,
) -> Option<Finding> {
    if names_commit {
        input.bound_by = Some("commit".into());
        return None;
    }
    let (t, how) = match timestamp {
        Some(t) => (Some(t), "timestamp"),
        None => (
            std::fs::metadata(&input.path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64),
            "mtime",
        ),
    };
    match t {
        Some(t) if t >= cx.release_time => {
            input.bound_by = Some(how.into());
            None
        }
        _ => Some(
            Finding::new(
                Code::VerifyStale,
                format!(
                    "stale verification evidence: {what} {} is from {} ({}), before the release commit time {}, and does not name the commit",
                    input.source,
                    t.map_or("an unknown time".to_owned(), time::rfc3339),
                    if how == "timestamp" { "its timestamp" } else { "file modification time" },
                    time::rfc3339(cx.release_time)
                ),
                "re-run the verification on this commit and replace the report (or record the commit in it)",
            )
            .location(input.location()),
        ),
    }
}

/// Whether any of `values` is the release commit (or an abbreviation of at least 12 digits).
pub fn names_commit(cx: &Context<'_>, values: impl IntoIterator<Item = String>) -> bool {
    let Some(commit) = cx.commit else {
        return false;
    };
    values.into_iter().any(|v| {
        let v = v.trim().to_ascii_lowercase();
        v.len() >= 12 && commit.starts_with(&v)
    })
}

/// Checks `<report>.sig` against `role`; a finding when it is missing or does not verify.
pub fn check_signature(
    cx: &Context<'_>,
    input: &mut Input,
    role: &str,
    what: &str,
) -> Option<Finding> {
    let sig_path = PathBuf::from(format!("{}.sig", input.path.display()));
    let fail = |why: String| {
        Some(
            Finding::new(
                Code::VerifySignature,
                format!("{what} {}: {why}", input.source),
                format!(
                    "sign the report on the rig: `ssh-keygen -Y sign -f <rig key> -n {REPORT_NAMESPACE} {}` with a key of a principal holding `{role}` in allowed_signers",
                    input.source
                ),
            )
            .location(input.location()),
        )
    };
    let Ok(sig) = std::fs::read(&sig_path) else {
        return fail(format!(
            "no signature {}.sig (the policy requires one by role `{role}`)",
            input.source
        ));
    };
    let Some(checker) = cx.signatures else {
        return fail(
            "no allowed_signers to check the signature against ([approvals] allowed-signers)"
                .into(),
        );
    };
    match checker.verify(role, &input.bytes, &sig) {
        Ok(principal) => {
            input.signature = Some((sig, principal));
            None
        }
        Err(why) => fail(format!("signature rejected: {}", clip(&why, 200))),
    }
}

/// A file name for the evidence directory: `verification-<what>[-<n>].<ext>`.
pub fn evidence_name(what: &str, index: usize, count: usize, ext: &str) -> String {
    let what = sanitize(what);
    if count <= 1 {
        format!("verification-{what}.{ext}")
    } else {
        format!("verification-{what}-{}.{ext}", index + 1)
    }
}

/// A name safe in a file name: ASCII letters, digits, `-` and `_` (others become `_`).
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
