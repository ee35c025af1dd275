//! Binding verification results to the source they verified: the commit, the dirty flag and
//! a digest over the workspace's source files. A `test` run records it; the main job computes
//! it again and accepts the run only when it is equal.

use super::model::Binding;
use crate::util::{digest, process};
use std::path::{Path, PathBuf};

/// What the digest leaves out: the target directory and the report files the policy names
/// (reports are dropped into the workspace after the run, by design).
pub struct Exclusions {
    pub dirs: Vec<PathBuf>,
    pub globs: Vec<glob::Pattern>,
}

impl Exclusions {
    fn skips(&self, root: &Path, rel: &str) -> bool {
        let abs = root.join(rel);
        self.dirs.iter().any(|d| abs.starts_with(d))
            || self
                .globs
                .iter()
                .any(|g| g.matches(rel) || rel.strip_suffix(".sig").is_some_and(|r| g.matches(r)))
    }
}

/// The binding of the workspace at `root` now.
pub fn current(root: &Path, ex: &Exclusions) -> Binding {
    let info = crate::workspace::source::read(root);
    let files: Vec<String> = match process::git(
        root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            ".",
        ],
    ) {
        Ok(list) if info.commit.is_some() => {
            let mut v: Vec<String> = list
                .split('\0')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            v.sort();
            v.dedup();
            v
        }
        _ => {
            let mut v = Vec::new();
            walk(root, "", &mut v);
            v
        }
    };
    let mut text = String::new();
    for f in files.iter().filter(|f| !ex.skips(root, f)) {
        let p = root.join(f);
        let d = if p.is_file() {
            digest::sha256_file(&p).unwrap_or_else(|_| "unreadable".to_owned())
        } else {
            "absent".to_owned()
        };
        text.push_str(&format!("{d}  {f}\n"));
    }
    Binding {
        commit: info.commit,
        dirty: info.dirty,
        tree_sha256: digest::sha256_hex(text.as_bytes()),
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .flatten()
        .filter_map(|e| {
            let ty = e.file_type().ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), ty.is_dir()))
        })
        .collect();
    names.sort();
    for (name, is_dir) in names {
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if is_dir {
            if !(prefix.is_empty() && (name == "target" || name == ".git")) {
                walk(&dir.join(&name), &rel, out);
            }
        } else {
            out.push(rel);
        }
    }
}

/// Why a recorded binding does not hold now, if it does not.
pub fn mismatch(recorded: &Binding, now: &Binding) -> Option<String> {
    let short = |c: &Option<String>| {
        c.as_deref()
            .map_or("no commit".to_owned(), |c| c.chars().take(12).collect())
    };
    if recorded.commit != now.commit {
        return Some(format!(
            "the run tested {}, the release is {}",
            short(&recorded.commit),
            short(&now.commit)
        ));
    }
    if recorded.tree_sha256 != now.tree_sha256 {
        return Some("the source files changed after the run".to_owned());
    }
    None
}
