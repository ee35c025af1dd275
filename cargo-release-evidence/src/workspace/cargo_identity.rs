//! Which cargo would run, identified without running it: asking a rustup proxy `cargo -V`
//! costs about 35 ms, more than the rest of a warm `check`. The fingerprint is the resolved
//! binary (path, size, modification time) and, with rustup, its settings (default toolchain,
//! directory overrides) and every installed toolchain's `cargo`, `rustc` and channel manifest.
//! Installing, updating or overriding a toolchain changes it; so does `CARGO`, `RUSTC`,
//! `RUSTUP_TOOLCHAIN` or `RUSTUP_HOME`. Used only in cache keys: a change means recompute.

use crate::util::digest;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A text that changes whenever the cargo that would run (or its toolchain) changes.
pub fn fingerprint() -> String {
    let mut out = String::new();
    for var in ["CARGO", "RUSTC", "RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "PATH"] {
        let _ = writeln!(out, "env {var}={}", std::env::var(var).unwrap_or_default());
    }
    let program = PathBuf::from(crate::util::process::cargo());
    let resolved = if program.components().count() > 1 {
        Some(program)
    } else {
        on_path(&program)
    };
    match &resolved {
        Some(p) => stat(&mut out, p),
        None => out.push_str("cargo not found on PATH\n"),
    }
    if let Some(home) = rustup_home() {
        match std::fs::read(home.join("settings.toml")) {
            Ok(bytes) => {
                let _ = writeln!(out, "rustup settings {}", digest::sha256_hex(&bytes));
            }
            Err(_) => out.push_str("rustup settings absent\n"),
        }
        let mut toolchains: Vec<PathBuf> = std::fs::read_dir(home.join("toolchains"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        toolchains.sort();
        for t in toolchains {
            for file in [
                "bin/cargo",
                "bin/rustc",
                "lib/rustlib/multirust-channel-manifest.toml",
            ] {
                stat(&mut out, &t.join(file));
            }
        }
    }
    out
}

fn rustup_home() -> Option<PathBuf> {
    std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")))
        .filter(|h| h.is_dir())
}

fn on_path(program: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `path size mtime` (nanoseconds), or `path absent`; symlinks followed and named.
fn stat(out: &mut String, path: &Path) {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match std::fs::metadata(&target) {
        Ok(meta) => {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let _ = writeln!(
                out,
                "{} -> {} {} {mtime}",
                path.display(),
                target.display(),
                meta.len()
            );
        }
        Err(_) => {
            let _ = writeln!(out, "{} absent", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_binary_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cargo");
        std::fs::write(&file, "one").unwrap();
        let mut a = String::new();
        stat(&mut a, &file);
        std::fs::write(&file, "other").unwrap();
        let mut b = String::new();
        stat(&mut b, &file);
        assert_ne!(a, b, "size differs");
        std::fs::remove_file(&file).unwrap();
        let mut c = String::new();
        stat(&mut c, &file);
        assert!(c.ends_with("absent\n"), "{c}");
    }
}
