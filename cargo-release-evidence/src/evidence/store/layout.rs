//! The names next to an evidence directory `<name>`: its lock `.<name>.lock`, staging
//! directories `.<name>.staging-<pid>`, backups `.<name>.old-<pid>`, and sealed evidence moved
//! aside `<name>.1`, `<name>.2`, …

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub const STAGING_TAG: &str = "staging";
pub const OLD_TAG: &str = "old";

pub fn parent_of(dir: &Path) -> Result<&Path> {
    dir.parent().ok_or_else(|| {
        Error::usage(
            "--evidence-dir",
            format!("{} has no parent directory", dir.display()),
        )
    })
}

pub fn file_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".to_owned())
}

pub fn lock_file(dir: &Path) -> Result<PathBuf> {
    Ok(parent_of(dir)?.join(format!(".{}.lock", file_name(dir))))
}

/// `.<name>.<tag>-<pid>` of this process.
pub fn leftover(dir: &Path, tag: &str) -> Result<PathBuf> {
    Ok(parent_of(dir)?.join(format!(".{}.{tag}-{}", file_name(dir), std::process::id())))
}

/// The pid in `entry` when it is `.<name>.<tag>-<pid>`.
pub fn leftover_pid(entry: &str, name: &str, tag: &str) -> Option<u32> {
    let pid = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?
        .strip_prefix(tag)?
        .strip_prefix('-')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Renames `from` to `<dir>.1`, `<dir>.2`, … (the first free name). The caller holds the lock.
pub fn rename_aside(from: &Path, dir: &Path) -> Result<PathBuf> {
    let parent = parent_of(dir)?;
    for n in 1u32.. {
        let candidate = parent.join(format!("{}.{n}", file_name(dir)));
        if std::fs::symlink_metadata(&candidate).is_err() {
            std::fs::rename(from, &candidate).map_err(|e| {
                Error::io(
                    format!("moving {} to {}", from.display(), candidate.display()),
                    e,
                )
            })?;
            sync_dir(parent);
            return Ok(candidate);
        }
    }
    Err(Error::Environment(format!(
        "no free name to move {} aside",
        dir.display()
    )))
}

pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names() {
        let name = "thermo-fw-0.9.0";
        assert_eq!(
            leftover_pid(".thermo-fw-0.9.0.staging-42", name, STAGING_TAG),
            Some(42)
        );
        assert_eq!(
            leftover_pid(".thermo-fw-0.9.0.old-7", name, OLD_TAG),
            Some(7)
        );
        assert_eq!(leftover_pid(".thermo-fw-0.9.0.old-", name, OLD_TAG), None);
        assert_eq!(leftover_pid(".thermo-fw-0.9.0.old-7x", name, OLD_TAG), None);
        assert_eq!(leftover_pid(".x.old-7", name, OLD_TAG), None);
    }
}
