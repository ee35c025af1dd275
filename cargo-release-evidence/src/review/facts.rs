//! Facts about a crate's source for a reviewer, read offline from cargo's registry cache
//! (`$CARGO_HOME/registry/src/*/NAME-VERSION`): how much code, and how often `unsafe` occurs.
//! A registry crate's unpacked source never changes, so the counts are kept in a small cache
//! file (under the target directory) and a warm `review` reads no source at all.

use crate::workspace::{ShippedPackage, Source};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Counted over the crate's `.rs` files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFacts {
    /// `.rs` files.
    pub files: usize,
    /// Lines of those files.
    pub lines: usize,
    /// Bytes of those files.
    pub bytes: u64,
    /// Occurrences of the `unsafe` keyword outside `//` comments.
    pub unsafe_count: usize,
}

const CACHE_FILE: &str = "review-facts.json";

/// The directory holding the crate's source in cargo's registry cache, if it is there. Only
/// registry crates: their unpacked source is what was published (a path or git checkout may
/// change under the same version).
pub fn locate(pkg: &ShippedPackage) -> Option<PathBuf> {
    if !matches!(pkg.source, Source::CratesIo | Source::Registry(_)) {
        return None;
    }
    if pkg.dir.join("Cargo.toml").is_file() {
        return Some(pkg.dir.clone());
    }
    let home = cargo_home()?;
    let dir_name = format!("{}-{}", pkg.name, pkg.version);
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .flatten()
        .map(|index| index.path().join(&dir_name))
        .filter(|d| d.join("Cargo.toml").is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Cargo's registry source directories (`$CARGO_HOME/registry/src` and one per index): a
/// crate unpacked there changes its directory's state.
pub fn registry_source_dirs() -> Vec<PathBuf> {
    let Some(home) = cargo_home() else {
        return Vec::new();
    };
    let src = home.join("registry/src");
    let mut out = vec![src.clone()];
    if let Ok(entries) = std::fs::read_dir(&src) {
        let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        dirs.sort();
        out.extend(dirs);
    }
    out
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// Facts for each directory (`None` stays `None`: not in the cache), computed on all cores
/// for those the cache file under `cache_dir` does not hold yet.
pub fn gather(dirs: &[Option<PathBuf>], cache_dir: &Path) -> Vec<Option<SourceFacts>> {
    let cache_path = cache_dir.join(CACHE_FILE);
    let mut cache: BTreeMap<String, SourceFacts> = std::fs::read(&cache_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let missing: Vec<&PathBuf> = dirs
        .iter()
        .flatten()
        .filter(|d| !cache.contains_key(&key(d)))
        .collect();
    if !missing.is_empty() {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let chunk = missing.len().div_ceil(threads);
        let counted: Vec<(String, SourceFacts)> = std::thread::scope(|s| {
            let handles: Vec<_> = missing
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || part.iter().map(|d| (key(d), count(d))).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        cache.extend(counted);
        // A cache that cannot be written only costs time on the next run.
        if std::fs::create_dir_all(cache_dir).is_ok()
            && let Ok(json) = serde_json::to_vec(&cache)
        {
            let _ = crate::util::fs::write_atomic(&cache_path, &json);
        }
    }
    dirs.iter()
        .map(|d| d.as_ref().and_then(|d| cache.get(&key(d)).cloned()))
        .collect()
}

fn key(dir: &Path) -> String {
    dir.display().to_string()
}

/// Counts the `.rs` files under `dir` (symlinks are not followed).
pub fn count(dir: &Path) -> SourceFacts {
    let mut facts = SourceFacts {
        files: 0,
        lines: 0,
        bytes: 0,
        unsafe_count: 0,
    };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(ty) = e.file_type() else { continue };
            let path = e.path();
            if ty.is_dir() {
                stack.push(path);
            } else if ty.is_file() && path.extension().is_some_and(|x| x == "rs") {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&bytes);
                facts.files += 1;
                facts.bytes += bytes.len() as u64;
                facts.lines += text.lines().count();
                facts.unsafe_count += text.lines().map(unsafe_in_line).sum::<usize>();
            }
        }
    }
    facts
}

/// `unsafe` as a whole word, before any `//` comment on the line.
fn unsafe_in_line(line: &str) -> usize {
    let code = line.split("//").next().unwrap_or("");
    let b = code.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    code.match_indices("unsafe")
        .filter(|&(i, _)| (i == 0 || !word(b[i - 1])) && b.get(i + 6).is_none_or(|&c| !word(c)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::unsafe_in_line;

    #[test]
    fn counts_the_keyword_not_words_containing_it_nor_comments() {
        assert_eq!(unsafe_in_line("unsafe { f() }"), 1);
        assert_eq!(unsafe_in_line("pub unsafe fn g() { unsafe { h() } }"), 2);
        assert_eq!(unsafe_in_line("let unsafe_cell = 1; // unsafe"), 0);
        assert_eq!(unsafe_in_line("#![forbid(unsafe_code)]"), 0);
    }
}
