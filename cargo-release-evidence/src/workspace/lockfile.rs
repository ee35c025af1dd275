//! Cargo.lock: the sha256 of the file and the registry checksums of its packages, keyed by
//! (name, version, source) so two sources of one version never collapse.

use super::model::Source;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// A package as Cargo.lock names it.
pub type LockKey = (String, String, Source);

pub struct LockInfo {
    pub sha256: String,
    /// (name, version, source) → checksum (registry packages only).
    pub checksums: HashMap<LockKey, String>,
}

impl LockInfo {
    pub fn checksum(&self, name: &str, version: &str, source: &Source) -> Option<&String> {
        self.checksums
            .get(&(name.to_owned(), version.to_owned(), source.clone()))
    }
}

pub fn read(root: &Path) -> Result<LockInfo> {
    let path = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    parse(&path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<LockInfo> {
    non_ascii_checksums(path, text)?;
    let lock: rustsec::Lockfile = text.parse().map_err(|e: rustsec::cargo_lock::Error| {
        Error::Environment(format!(
            "{} is not a valid lockfile: {}",
            path.display(),
            crate::util::text::clip(&e.to_string(), 300)
        ))
    })?;
    Ok(LockInfo {
        sha256: crate::util::digest::sha256_hex(text.as_bytes()),
        checksums: lock
            .packages
            .into_iter()
            .filter_map(|p| {
                let source = Source::parse_external(&p.source?.to_string());
                p.checksum.map(|c| {
                    (
                        (p.name.as_str().to_owned(), p.version.to_string(), source),
                        c.to_string(),
                    )
                })
            })
            .collect(),
    })
}

/// cargo-lock slices a checksum by byte offsets and panics on one that is not ASCII (found by
/// the `lockfile` fuzz target): such a lockfile is refused here, before it gets there. TOML
/// escapes (`"\u00e9"`) are decoded by the parse, so the check reads the parsed values.
fn non_ascii_checksums(path: &Path, text: &str) -> Result<()> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(()); // not TOML at all: cargo-lock says why
    };
    let packages = table.get("package").and_then(toml::Value::as_array);
    let checksums = packages
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("checksum"))
        .chain(
            table
                .get("metadata")
                .and_then(toml::Value::as_table)
                .into_iter()
                .flat_map(|m| m.values()),
        );
    for value in checksums {
        if value.as_str().is_some_and(|c| !c.is_ascii()) {
            return Err(Error::Environment(format!(
                "{} is not a valid lockfile: a checksum holds characters other than hexadecimal digits ({})",
                path.display(),
                crate::util::text::clip(&value.to_string(), 80)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_with_other_characters_is_an_error_not_a_panic() {
        for checksum in [
            "d026218ae25ba5c72834245412dd1338f6d270d2c51\\u043cee03a4badec288d4056",
            "d026218ae25ba5c72834245412dd1338f6d270d2c51мee03a4badec288d4056",
        ] {
            let text = format!(
                "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{checksum}\"\n"
            );
            let err = parse(Path::new("Cargo.lock"), &text)
                .err()
                .expect("refused");
            assert!(err.to_string().contains("not a valid lockfile"), "{err}");
        }
    }
}
