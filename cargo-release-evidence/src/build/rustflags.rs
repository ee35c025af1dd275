//! The user's own rustflags, found the way cargo finds them, so the controlled build appends
//! to them instead of silently replacing them: `CARGO_ENCODED_RUSTFLAGS`, else `RUSTFLAGS`,
//! else `target.<triple>.rustflags` from cargo config, else `build.rustflags`.
//!
//! Paths in recorded flags are written with placeholders (`${WORKSPACE_ROOT}`, `${CARGO_HOME}`,
//! `${RUSTC_SYSROOT}`) so the record is the same from every checkout.

use std::path::{Path, PathBuf};

/// Absolute paths the remapping hides, and their placeholder names.
#[derive(Debug, Clone)]
pub struct PathContext {
    pub workspace_root: PathBuf,
    pub cargo_home: Option<PathBuf>,
    pub sysroot: Option<PathBuf>,
}

impl PathContext {
    /// Replaces the context's absolute paths in `s` with placeholders.
    pub fn portable(&self, s: &str) -> String {
        let mut out = s.to_owned();
        let mut pairs: Vec<(String, &str)> = Vec::new();
        if let Some(p) = &self.sysroot {
            pairs.push((p.display().to_string(), "${RUSTC_SYSROOT}"));
        }
        if let Some(p) = &self.cargo_home {
            pairs.push((p.display().to_string(), "${CARGO_HOME}"));
        }
        pairs.push((
            self.workspace_root.display().to_string(),
            "${WORKSPACE_ROOT}",
        ));
        // Longest first, so nested paths are replaced by the most specific name.
        pairs.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        for (path, name) in pairs {
            if !path.is_empty() {
                out = out.replace(&path, name);
            }
        }
        out
    }

    /// The inverse of [`PathContext::portable`]: placeholders back to this machine's paths.
    pub fn local(&self, s: &str) -> String {
        let mut out = s.replace(
            "${WORKSPACE_ROOT}",
            &self.workspace_root.display().to_string(),
        );
        if let Some(p) = &self.cargo_home {
            out = out.replace("${CARGO_HOME}", &p.display().to_string());
        }
        if let Some(p) = &self.sysroot {
            out = out.replace("${RUSTC_SYSROOT}", &p.display().to_string());
        }
        out
    }

    /// `--remap-path-prefix` flags making the output independent of where the checkout,
    /// CARGO_HOME and the toolchain are.
    pub fn remap_flags(&self) -> Vec<String> {
        let mut flags = vec![format!(
            "--remap-path-prefix={}=/build",
            self.workspace_root.display()
        )];
        if let Some(home) = &self.cargo_home {
            flags.push(format!(
                "--remap-path-prefix={}=/cargo/registry/src",
                home.join("registry").join("src").display()
            ));
            flags.push(format!(
                "--remap-path-prefix={}=/cargo/git/checkouts",
                home.join("git").join("checkouts").display()
            ));
        }
        if let Some(sysroot) = &self.sysroot {
            flags.push(format!(
                "--remap-path-prefix={}=/rustc-sysroot",
                sysroot.display()
            ));
        }
        flags
    }
}

/// The user's flags and their source.
pub fn user_flags(
    workspace_root: &Path,
    cargo_home: Option<&Path>,
    triple: &str,
) -> (String, Vec<String>) {
    if let Ok(v) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        let flags: Vec<String> = v
            .split('\x1f')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        return ("CARGO_ENCODED_RUSTFLAGS".into(), flags);
    }
    if let Ok(v) = std::env::var("RUSTFLAGS") {
        return (
            "RUSTFLAGS".into(),
            v.split_whitespace().map(str::to_owned).collect(),
        );
    }
    let configs = config_files(workspace_root, cargo_home);
    let target_flags = collect(&configs, &["target", triple, "rustflags"]);
    if !target_flags.is_empty() {
        return (format!("config target.{triple}.rustflags"), target_flags);
    }
    let build_flags = collect(&configs, &["build", "rustflags"]);
    if !build_flags.is_empty() {
        return ("config build.rustflags".into(), build_flags);
    }
    ("none".into(), Vec::new())
}

/// Cargo config files, closest first: `.cargo/config.toml` (or `.cargo/config`) in the
/// workspace root and every parent, then `$CARGO_HOME/config.toml`.
fn config_files(root: &Path, cargo_home: Option<&Path>) -> Vec<toml::Table> {
    let mut out = Vec::new();
    let mut dir = Some(root);
    let mut seen_home = false;
    while let Some(d) = dir {
        if Some(d.join(".cargo").as_path()) == cargo_home {
            seen_home = true;
        }
        for name in ["config.toml", "config"] {
            if let Some(t) = read_table(&d.join(".cargo").join(name)) {
                out.push(t);
                break;
            }
        }
        dir = d.parent();
    }
    if let Some(home) = cargo_home
        && !seen_home
    {
        for name in ["config.toml", "config"] {
            if let Some(t) = read_table(&home.join(name)) {
                out.push(t);
                break;
            }
        }
    }
    out
}

fn read_table(path: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(path).ok()?.parse().ok()
}

/// Values of a key path in every config (string → split on whitespace; array of strings),
/// concatenated closest first, as cargo merges config arrays.
fn collect(configs: &[toml::Table], key: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for c in configs {
        let mut v: Option<&toml::Value> = c.get(key[0]);
        for k in &key[1..] {
            v = v.and_then(|x| x.get(*k));
        }
        match v {
            Some(toml::Value::String(s)) => out.extend(s.split_whitespace().map(str::to_owned)),
            Some(toml::Value::Array(a)) => {
                out.extend(a.iter().filter_map(|x| x.as_str()).map(str::to_owned))
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_replace_the_most_specific_path() {
        let cx = PathContext {
            workspace_root: PathBuf::from("/home/u/src/fw"),
            cargo_home: Some(PathBuf::from("/home/u/.cargo")),
            sysroot: Some(PathBuf::from("/home/u/.rustup/toolchains/stable")),
        };
        let flags = cx.remap_flags().join(" ");
        assert_eq!(
            cx.portable(&flags),
            "--remap-path-prefix=${WORKSPACE_ROOT}=/build --remap-path-prefix=${CARGO_HOME}/registry/src=/cargo/registry/src --remap-path-prefix=${CARGO_HOME}/git/checkouts=/cargo/git/checkouts --remap-path-prefix=${RUSTC_SYSROOT}=/rustc-sysroot"
        );
    }
}
