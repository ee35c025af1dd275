//! The evidence directory on disk: a lock serializes runs, files are staged in a sibling
//! directory and swapped in with renames (a failed run leaves the previous evidence intact),
//! and sealed evidence (approved or signed) is never overwritten.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Evidence is sealed once it holds a signature or an approval.
pub fn is_sealed(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.ends_with(".sig") || name.starts_with("approval")
    })
}

/// An exclusive lock on an evidence directory (held until dropped).
pub struct DirLock {
    _file: File,
}

pub fn lock(dir: &Path) -> Result<DirLock> {
    let parent = parent_of(dir)?;
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let path = parent.join(format!(".{}.lock", file_name(dir)));
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("opening lock file {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another run writing {} (lock {})",
                dir.display(),
                path.display()
            );
            file.lock()
                .map_err(|e| Error::io(format!("locking {}", path.display()), e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::io(format!("locking {}", path.display()), e));
        }
    }
    Ok(DirLock { _file: file })
}

/// A staging directory next to the final one; removed on drop unless committed.
pub struct Staging {
    pub path: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn new(dir: &Path) -> Result<Staging> {
        let parent = parent_of(dir)?;
        let path = parent.join(format!(
            ".{}.staging-{}",
            file_name(dir),
            std::process::id()
        ));
        if path.exists() {
            let _ = std::fs::remove_dir_all(&path);
        }
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(Staging {
            path,
            committed: false,
        })
    }

    /// Writes one file into the staging directory (fsynced).
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        crate::util::fs::write_atomic(&self.path.join(name), bytes)
    }

    /// Replaces `dir` with the staged files. The previous directory (if any, unsealed) is
    /// renamed aside first and removed only after the new one is in place.
    pub fn commit(mut self, dir: &Path) -> Result<()> {
        let parent = parent_of(dir)?;
        let old = parent.join(format!(".{}.old-{}", file_name(dir), std::process::id()));
        let had_old = dir.exists();
        if had_old {
            std::fs::rename(dir, &old)
                .map_err(|e| Error::io(format!("moving {} aside", dir.display()), e))?;
        }
        if let Err(e) = std::fs::rename(&self.path, dir) {
            if had_old {
                let _ = std::fs::rename(&old, dir);
            }
            return Err(Error::io(format!("renaming into {}", dir.display()), e));
        }
        self.committed = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        if let Ok(d) = File::open(parent) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Moves sealed evidence aside to `<dir>.1`, `<dir>.2`, … (the first free), never deleting it.
pub fn move_aside(dir: &Path) -> Result<PathBuf> {
    let parent = parent_of(dir)?;
    for n in 1.. {
        let candidate = parent.join(format!("{}.{n}", file_name(dir)));
        if !candidate.exists() {
            std::fs::rename(dir, &candidate).map_err(|e| {
                Error::io(
                    format!("moving {} to {}", dir.display(), candidate.display()),
                    e,
                )
            })?;
            return Ok(candidate);
        }
    }
    unreachable!("some suffix is free")
}

fn parent_of(dir: &Path) -> Result<&Path> {
    dir.parent().ok_or_else(|| {
        Error::usage(
            "--evidence-dir",
            format!("{} has no parent directory", dir.display()),
        )
    })
}

fn file_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".to_owned())
}
