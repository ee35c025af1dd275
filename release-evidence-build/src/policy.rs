//! The build-time gate's switch, `[build] enforce-profiles`, read with the `toml` crate from
//! the workspace's policy, where `cargo release-evidence` reads it: `release-evidence.toml` at
//! the workspace root, else `[workspace.metadata.release-evidence]` in the root `Cargo.toml`.
//! A policy that exists but cannot be read is an error, never "not enforced": it may be the
//! policy that switches the gate on.

use std::path::Path;
use std::prelude::rust_2024::*;
use std::{format, fs, println};
use toml::{Table, Value};

/// The policy file name (as `cargo release-evidence` names it).
const POLICY_FILE: &str = "release-evidence.toml";

/// Whether the workspace's policy enforces the gate for `profile`. `Err` when a policy exists
/// but cannot be read or has the wrong shape.
pub(crate) fn enforces(root: &Path, profile: &str) -> Result<bool, String> {
    let file = root.join(POLICY_FILE);
    let manifest = root.join("Cargo.toml");
    println!("cargo:rerun-if-changed={}", file.display());
    println!("cargo:rerun-if-changed={}", manifest.display());
    let (path, policy) = if file.exists() {
        (file.as_path(), read_table(&file)?)
    } else {
        let cargo_toml = read_table(&manifest)?;
        let found = cargo_toml
            .get("workspace")
            .and_then(|w| w.get("metadata"))
            .and_then(|m| m.get("release-evidence"));
        match found {
            None => return Ok(false),
            Some(Value::Table(t)) => (manifest.as_path(), t.clone()),
            Some(_) => {
                return Err(unreadable(
                    &manifest,
                    "[workspace.metadata.release-evidence] must be a table",
                ));
            }
        }
    };
    let Some(build) = policy.get("build") else {
        return Ok(false);
    };
    let Some(build) = build.as_table() else {
        return Err(unreadable(path, "[build] must be a table"));
    };
    let Some(list) = build.get("enforce-profiles") else {
        return Ok(false);
    };
    let not_a_list = || {
        unreadable(
            path,
            "[build] enforce-profiles must be a list of profile names",
        )
    };
    let mut enforced = false;
    for v in list.as_array().ok_or_else(not_a_list)? {
        enforced |= v.as_str().ok_or_else(not_a_list)? == profile;
    }
    Ok(enforced)
}

/// A TOML file as a table; any problem (missing, unreadable, not TOML) is an error.
pub(crate) fn read_table(path: &Path) -> Result<Table, String> {
    let text = fs::read_to_string(path).map_err(|e| unreadable(path, &e.to_string()))?;
    text.parse::<Table>()
        .map_err(|e| unreadable(path, e.to_string().trim_end()))
}

fn unreadable(path: &Path, why: &str) -> String {
    format!(
        "cannot read the policy in {}: {}\nThe build stops: this policy may switch on the release gate ([build] enforce-profiles). Fix the file (`cargo release-evidence check` shows every problem).",
        path.display(),
        clip(why, 600)
    )
}

/// At most `max` characters of `s` (a policy line can be arbitrarily long).
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_owned(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}
