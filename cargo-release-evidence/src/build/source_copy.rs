//! A copy of the workspace source for a second build: a git worktree of the commit plus the
//! uncommitted changes, or a plain copy outside git; and out-of-tree path dependencies placed
//! at the same relative place.

use crate::error::{Error, Result};
use crate::util::process;
use std::path::{Path, PathBuf};

/// Copies out-of-tree path dependencies into a source copy at the same relative place.
pub fn link_external_paths(original_root: &Path, copy_root: &Path, rels: &[String]) -> Result<()> {
    for rel in rels {
        let at = copy_root.join(rel);
        if at.exists() || std::fs::symlink_metadata(&at).is_ok() {
            continue;
        }
        let from = original_root.join(rel);
        if let Some(parent) = at.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        }
        // A copy, not a symlink: cargo resolves symlinks, and the path of a dependency outside
        // the workspace relative to the workspace root feeds its `-C metadata` hash.
        copy_tree(&from, &at)?;
    }
    Ok(())
}

/// A copy of the workspace source for a second build, removed on drop.
pub struct SourceCopy {
    pub workspace: PathBuf,
    worktree: Option<(PathBuf, PathBuf)>,
}

impl SourceCopy {
    /// A git worktree of `HEAD` plus the uncommitted changes (diff and untracked files), or a
    /// plain copy of the workspace (without `target/`) outside git.
    pub fn make(root: &Path, dest: &Path) -> Result<SourceCopy> {
        Self::make_at(root, dest, None)
    }

    /// Like [`SourceCopy::make`], but of `commit` (without uncommitted changes) when given.
    pub fn make_at(root: &Path, dest: &Path, commit: Option<&str>) -> Result<SourceCopy> {
        if let Ok(top) = process::git(root, &["rev-parse", "--show-toplevel"]) {
            let top = PathBuf::from(top.trim());
            let rel = root
                .strip_prefix(&top)
                .unwrap_or(Path::new(""))
                .to_path_buf();
            let rev = commit.unwrap_or("HEAD");
            process::git(
                &top,
                &[
                    "worktree",
                    "add",
                    "--detach",
                    "--quiet",
                    &dest.display().to_string(),
                    rev,
                ],
            )?;
            let copy = SourceCopy {
                workspace: dest.join(&rel),
                worktree: Some((top.clone(), dest.to_path_buf())),
            };
            if commit.is_none() {
                let diff = process::git(root, &["diff", "HEAD", "--binary", "--", "."])?;
                if !diff.trim().is_empty() {
                    let patch = dest.join(".release-evidence.patch");
                    std::fs::write(&patch, diff)
                        .map_err(|e| Error::io(format!("writing {}", patch.display()), e))?;
                    process::git(
                        dest,
                        &["apply", "--whitespace=nowarn", &patch.display().to_string()],
                    )?;
                    let _ = std::fs::remove_file(&patch);
                }
                let untracked = process::git(
                    root,
                    &["ls-files", "--others", "--exclude-standard", "--", "."],
                )?;
                for f in untracked.lines().filter(|l| !l.is_empty()) {
                    let to = copy.workspace.join(f);
                    if let Some(p) = to.parent() {
                        let _ = std::fs::create_dir_all(p);
                    }
                    std::fs::copy(root.join(f), &to)
                        .map_err(|e| Error::io(format!("copying {f}"), e))?;
                }
            }
            return Ok(copy);
        }
        copy_tree(root, dest)?;
        Ok(SourceCopy {
            workspace: dest.to_path_buf(),
            worktree: None,
        })
    }
}

impl Drop for SourceCopy {
    fn drop(&mut self) {
        if let Some((top, dest)) = &self.worktree {
            let _ = process::git(
                top,
                &["worktree", "remove", "--force", &dest.display().to_string()],
            );
        }
    }
}

fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst)
        .map_err(|e| Error::io(format!("creating {}", dst.display()), e))?;
    let entries =
        std::fs::read_dir(src).map_err(|e| Error::io(format!("reading {}", src.display()), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let ty = entry
            .file_type()
            .map_err(|e| Error::io(format!("reading {}", entry.path().display()), e))?;
        let to = dst.join(&name);
        if ty.is_symlink() {
            // Keep links as links (relative links keep pointing at the same relative place).
            let target = std::fs::read_link(entry.path())
                .map_err(|e| Error::io(format!("reading link {}", entry.path().display()), e))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &to)
                .map_err(|e| Error::io(format!("linking {}", to.display()), e))?;
            #[cfg(not(unix))]
            let _ = target;
        } else if ty.is_dir() {
            copy_tree(&entry.path(), &to)?;
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &to)
                .map_err(|e| Error::io(format!("copying {}", entry.path().display()), e))?;
        }
    }
    Ok(())
}
