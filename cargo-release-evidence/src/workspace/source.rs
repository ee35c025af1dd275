//! The source identity of the workspace from the system git: commit, tree, tags, dirty flag
//! and commit time. A workspace that is not in a git repository has none of these.

use crate::util::{digest, process};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceInfo {
    pub commit: Option<String>,
    pub tree: Option<String>,
    /// Tags pointing at the commit, sorted.
    pub tags: Vec<String>,
    /// Uncommitted changes (tracked or untracked, not ignored) under the workspace root.
    pub dirty: Option<bool>,
    /// Commit time, seconds since the epoch.
    pub commit_time: Option<i64>,
}

pub fn read(root: &Path) -> SourceInfo {
    let Ok(head) = process::git(root, &["log", "-1", "--format=%H%n%T%n%ct"]) else {
        return SourceInfo::default();
    };
    let mut lines = head.lines();
    let commit = lines.next().map(str::to_owned);
    let tree = lines.next().map(str::to_owned);
    let commit_time = lines.next().and_then(|t| t.trim().parse().ok());
    let mut tags: Vec<String> = process::git(root, &["tag", "--points-at", "HEAD"])
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    tags.sort();
    let dirty = process::git(root, &["status", "--porcelain", "--", "."])
        .ok()
        .map(|s| !s.trim().is_empty());
    SourceInfo {
        commit,
        tree,
        tags,
        dirty,
        commit_time,
    }
}
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SourceIdentity {
    pub commit: Option<String>,
    pub tree: Option<String>,
    pub dirty: Option<bool>,
    /// sha256 of `git diff HEAD` (binary) when dirty.
    pub diff_sha256: Option<String>,
    /// sha256 over the untracked, not ignored files (as `path-sha256` lines) when any.
    pub untracked_sha256: Option<String>,
    /// The workspace root relative to the git top level (`.` when they coincide).
    pub workspace_path: Option<String>,
}

pub fn source_identity(root: &Path) -> SourceIdentity {
    let Ok(top) = process::git(root, &["rev-parse", "--show-toplevel"]) else {
        return SourceIdentity::default();
    };
    let top = PathBuf::from(top.trim());
    let info = read(root);
    let mut id = SourceIdentity {
        commit: info.commit,
        tree: info.tree,
        dirty: info.dirty,
        diff_sha256: None,
        untracked_sha256: None,
        workspace_path: Some(
            crate::util::paths::relative(root, &top)
                .chars()
                .collect::<String>(),
        )
        .map(|p| if p.is_empty() { ".".to_owned() } else { p }),
    };
    if info.dirty == Some(true) {
        if let Ok(diff) = process::git(root, &["diff", "HEAD", "--binary", "--", "."]) {
            id.diff_sha256 = Some(digest::sha256_hex(diff.as_bytes()));
        }
        if let Ok(list) = process::git(
            root,
            &["ls-files", "--others", "--exclude-standard", "--", "."],
        ) && !list.trim().is_empty()
        {
            let mut files: Vec<&str> = list.lines().collect();
            files.sort();
            let mut text = String::new();
            for f in files {
                let d = digest::sha256_file(&root.join(f)).unwrap_or_default();
                text.push_str(&format!("{d}  {f}\n"));
            }
            id.untracked_sha256 = Some(digest::sha256_hex(text.as_bytes()));
        }
    }
    id
}
