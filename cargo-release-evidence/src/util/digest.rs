//! SHA-256 helpers, including the documented digest of a directory of files.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256, Sha512};
use std::io::Read;
use std::path::Path;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn sha256_file(path: &Path) -> Result<String> {
    hash_file::<Sha256>(path)
}

/// SHA-512 of a file (the digest BSI TR-03183-2 asks for each deployable artifact).
pub fn sha512_file(path: &Path) -> Result<String> {
    hash_file::<Sha512>(path)
}

/// SHA-256 and SHA-512 of a file (an artifact needs both), each taken on its own core.
pub fn sha256_and_sha512_file(path: &Path) -> Result<(String, String)> {
    // One digest per core: the file is read twice from the page cache, which costs less than
    // the slower digest does.
    std::thread::scope(|s| {
        let sha512 = s.spawn(|| hash_file::<Sha512>(path));
        let sha256 = hash_file::<Sha256>(path)?;
        let sha512 = sha512
            .join()
            .map_err(|_| Error::Environment(format!("hashing {} panicked", path.display())))??;
        Ok((sha256, sha512))
    })
}

fn hash_file<H: Digest>(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let mut hasher = H::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Digest of a directory (used for reviewed path dependencies): every regular file below it,
/// except inside its top-level `target/` and `.git/`, as lines `<sha256>  <relative/path>\n` sorted bytewise
/// by path; the digest is the sha256 of that text. The same value comes from
/// `find . -type f -not -path './target/*' -not -path './.git/*' | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
pub fn dir_digest(dir: &Path) -> Result<String> {
    let mut files = Vec::new();
    collect_files(dir, "", &mut files)?;
    files.sort();
    let mut text = String::new();
    for rel in &files {
        let digest = sha256_file(&dir.join(rel))?;
        text.push_str(&digest);
        text.push_str("  ");
        text.push_str(rel);
        text.push('\n');
    }
    Ok(sha256_hex(text.as_bytes()))
}

fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let ty = entry
            .file_type()
            .map_err(|e| Error::io(format!("reading {}", entry.path().display()), e))?;
        if ty.is_dir() {
            if prefix.is_empty() && (name == "target" || name == ".git") {
                continue;
            }
            collect_files(&entry.path(), &rel, out)?;
        } else if ty.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}
