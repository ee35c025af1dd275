//! The source identity of the workspace from the system git: commit, tree, tags, dirty flag
//! and commit time. A workspace that is not in a git repository has none of these.

use crate::process;
use serde::Serialize;
use std::path::Path;

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
