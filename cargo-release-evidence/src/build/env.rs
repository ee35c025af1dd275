//! The environment of the controlled build, and the record of every variable that affects a
//! cargo build (paths as placeholders, secrets redacted by name).

use super::rustflags::PathContext;
use std::collections::BTreeMap;
use std::path::Path;

pub fn build_env(source_date_epoch: i64, effective: &[String]) -> Vec<(String, String)> {
    vec![
        ("CARGO_INCREMENTAL".into(), "0".into()),
        ("SOURCE_DATE_EPOCH".into(), source_date_epoch.to_string()),
        ("CARGO_ENCODED_RUSTFLAGS".into(), effective.join("\x1f")),
    ]
}

pub fn recorded_env(added: &[(String, String)], cx: &PathContext) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in std::env::vars() {
        if affects_build(&k) {
            out.insert(k.clone(), record_value(&k, &v, cx));
        }
    }
    out.remove("RUSTFLAGS");
    for (k, v) in added {
        let v = if k == "CARGO_ENCODED_RUSTFLAGS" {
            v.split('\x1f').collect::<Vec<_>>().join(" ")
        } else {
            v.clone()
        };
        out.insert(k.clone(), record_value(k, &v, cx));
    }
    out
}

fn affects_build(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOC",
        "RUSTFLAGS",
        "RUSTUP_TOOLCHAIN",
        "CC",
        "CXX",
        "AR",
        "LD",
        "CFLAGS",
        "CXXFLAGS",
        "LDFLAGS",
        "CPPFLAGS",
        "SOURCE_DATE_EPOCH",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_SYSROOT_DIR",
        "HOST_CC",
        "TARGET_CC",
    ];
    // Set by cargo for the subcommand itself; not an input of the build.
    const IGNORED: &[&str] = &["CARGO", "CARGO_PKG_NAME", "CARGO_MAKEFLAGS"];
    if IGNORED.contains(&name) || name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_TERM_")
    {
        return false;
    }
    EXACT.contains(&name)
        || name.starts_with("CARGO_")
        || name.starts_with("CC_")
        || name.starts_with("CFLAGS_")
        || name.starts_with("CXX_")
        || name.starts_with("AR_")
}

/// Redacts secrets by name (tokens, passwords, keys); replaces local paths with placeholders.
fn record_value(name: &str, value: &str, cx: &PathContext) -> String {
    let upper = name.to_ascii_uppercase();
    if [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE",
        "_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s))
    {
        return "<redacted>".to_owned();
    }
    cx.portable(value)
}

pub fn profile_settings(root: &Path, profile: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(root.join("Cargo.toml"))
        && let Ok(t) = text.parse::<toml::Table>()
        && let Some(p) = t
            .get("profile")
            .and_then(|p| p.get(profile))
            .and_then(|p| p.as_table())
    {
        for (k, v) in p {
            out.insert(k.clone(), v.to_string().trim_matches('"').to_owned());
        }
    }
    let prefix = format!(
        "CARGO_PROFILE_{}_",
        profile.to_ascii_uppercase().replace('-', "_")
    );
    for (k, v) in std::env::vars() {
        if let Some(key) = k.strip_prefix(&prefix) {
            out.insert(key.to_ascii_lowercase().replace('_', "-"), v);
        }
    }
    out
}
