//! Path helpers: absolute paths, relative display forms, and cargo's home directory.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// `p` made absolute against the current directory (not resolving symlinks).
pub fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::io(format!("resolving {}", p.display()), e))
}

/// `path` relative to `root` with `/` separators when it is inside; otherwise as given.
pub fn relative_display(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// `path` relative to `base` (both absolute), with `/` separators and `..` where needed.
pub fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..b.len() {
        parts.push("..".to_owned());
    }
    for c in &p[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// Whether `rel` (a relative path with `/` separators) stays inside the directory it is
/// joined to: not absolute, no `..`, no root or prefix components.
pub fn stays_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/c"), Path::new("/a/x/y")),
            "../../b/c"
        );
        assert_eq!(
            relative_display(Path::new("/a"), Path::new("/a/b/c")),
            "b/c"
        );
        assert!(stays_inside("a/b"));
        assert!(!stays_inside("../a"));
        assert!(!stays_inside("/etc"));
        assert!(!stays_inside("a/../../b"));
        assert!(!stays_inside(""));
    }
}
