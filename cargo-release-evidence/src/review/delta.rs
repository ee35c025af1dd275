//! Delta review: the source diff between two versions of a registry crate, from the `.crate`
//! files in cargo's registry cache (`$CARGO_HOME/registry/cache/*/NAME-VERSION.crate`), offline.
//! The archives are read into memory and never unpacked on disk. An archive is refused whole
//! when an entry's path is absolute, climbs out (`..`), is not below `NAME-VERSION/`, or is a
//! link or device; sizes are bounded (a `.crate` is a gzipped tar anyone can publish).

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Bounds on one archive: crates.io refuses uploads over 10 MiB compressed; unpacked they
/// stay far below these.
const MAX_UNPACKED: u64 = 256 << 20;
const MAX_ENTRIES: usize = 50_000;

/// The files of one crate version: path below `NAME-VERSION/` → content.
pub type Files = BTreeMap<String, Vec<u8>>;

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// The `.crate` file of `name` `version` in cargo's registry cache; an error naming
/// `cargo fetch` when it is not there.
pub fn crate_file(name: &str, version: &semver::Version) -> Result<PathBuf> {
    let file = format!("{name}-{version}.crate");
    let home = cargo_home();
    let mut found: Vec<PathBuf> = home
        .as_ref()
        .and_then(|h| std::fs::read_dir(h.join("registry/cache")).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|index| index.path().join(&file))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next().ok_or_else(|| {
        Error::Environment(format!(
            "{file} is not in cargo's registry cache ({}/registry/cache); fetch it with `cargo fetch` (for a version no longer locked: add `{name} = \"={version}\"` to a scratch crate's dependencies and run `cargo fetch` there), then run this again",
            home.map(|h| h.display().to_string())
                .unwrap_or_else(|| "$CARGO_HOME".to_owned())
        ))
    })
}

/// Reads the archive's regular files into memory.
pub fn read_crate(path: &Path, name: &str, version: &semver::Version) -> Result<Files> {
    let refuse = |why: String| {
        Error::Environment(format!(
            "{} is refused: {why}; it is not a .crate as cargo publishes them",
            path.display()
        ))
    };
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let gz = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
    let mut archive = tar::Archive::new(gz.take(MAX_UNPACKED + 1));
    let prefix = format!("{name}-{version}");
    let mut files = Files::new();
    let mut total: u64 = 0;
    let entries = archive
        .entries()
        .map_err(|e| refuse(format!("not a tar archive ({e})")))?;
    for (n, entry) in entries.enumerate() {
        if n >= MAX_ENTRIES {
            return Err(refuse(format!("more than {MAX_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| refuse(format!("a damaged entry ({e})")))?;
        let raw = entry
            .path()
            .map_err(|e| refuse(format!("an entry path that is not UTF-8 ({e})")))?
            .into_owned();
        let rel = inside(&raw, &prefix).ok_or_else(|| {
            refuse(format!(
                "the entry `{}` is outside {prefix}/",
                raw.display()
            ))
        })?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() {
            continue;
        }
        if !kind.is_file() {
            return Err(refuse(format!(
                "the entry `{}` is a link or special file",
                raw.display()
            )));
        }
        total += entry.size();
        if total > MAX_UNPACKED {
            return Err(refuse(format!(
                "more than {} MiB unpacked",
                MAX_UNPACKED >> 20
            )));
        }
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data).map_err(|e| {
            refuse(format!(
                "the entry `{}` cannot be read ({e})",
                raw.display()
            ))
        })?;
        files.insert(rel, data);
    }
    Ok(files)
}

/// The path below `prefix/`, `/`-separated, when `raw` is a plain relative path there.
fn inside(raw: &Path, prefix: &str) -> Option<String> {
    let mut parts = Vec::new();
    for c in raw.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?.to_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if parts.first().map(String::as_str) != Some(prefix) {
        return None;
    }
    Some(parts[1..].join("/"))
}

fn text(d: Option<&Vec<u8>>) -> Option<Option<&str>> {
    d.map(|d| std::str::from_utf8(d).ok())
}

/// A unified diff of two versions' files, `a/PATH` → `b/PATH`; binary files are named only.
pub fn diff(old: &Files, new: &Files, old_label: &str, new_label: &str) -> String {
    let mut out = String::new();
    let paths: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let (mut changed, mut added, mut removed) = (0, 0, 0);
    for path in paths {
        let (a, b) = (old.get(path), new.get(path));
        if a == b {
            continue;
        }
        match (a, b) {
            (None, Some(_)) => added += 1,
            (Some(_), None) => removed += 1,
            _ => changed += 1,
        }
        match (text(a), text(b)) {
            (Some(None), _) | (_, Some(None)) => {
                out.push_str(&format!("Binary file {path} differs\n"));
            }
            (ta, tb) => {
                let ta = ta.flatten().unwrap_or("");
                let tb = tb.flatten().unwrap_or("");
                let d = similar::TextDiff::from_lines(ta, tb);
                let from = if a.is_some() {
                    format!("a/{old_label}/{path}")
                } else {
                    "/dev/null".to_owned()
                };
                let to = if b.is_some() {
                    format!("b/{new_label}/{path}")
                } else {
                    "/dev/null".to_owned()
                };
                out.push_str(
                    &d.unified_diff()
                        .context_radius(3)
                        .header(&from, &to)
                        .to_string(),
                );
            }
        }
    }
    out.push_str(&format!(
        "{old_label} → {new_label}: {changed} file(s) changed, {added} added, {removed} removed\n"
    ));
    out
}
