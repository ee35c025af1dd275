//! `init`: writes a starting `release-evidence.toml` from the current shipped sets. Every
//! crate is listed as pending review, so the gate holds until a person reviews it.

use super::import::{Imported, render};
use crate::error::{Error, Result};
use crate::policy::{POLICY_FILE, license, values};
use crate::util::digest;
use crate::util::time::Day;
use crate::workspace::{ShippedPackage, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

pub fn policy_text(
    members: &[String],
    packages: &[ShippedPackage],
    date: Day,
    imported: &Imported,
) -> Result<String> {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# {POLICY_FILE}: the release policy of this workspace, read by `cargo release-evidence`."
    );
    let _ = writeln!(
        t,
        "# Written by `cargo release-evidence init` on {date}. Every crate below is pending review:"
    );
    let _ = writeln!(
        t,
        "# the gate holds (RE-APPROVAL-PENDING) until a person reviews each crate and replaces"
    );
    let _ = writeln!(
        t,
        "# `pending-review = true` with reviewed-by, date and rationale. Unknown keys are errors.\n"
    );
    t.push_str("[release]\n# Workspace members whose artifacts ship.\n");
    let _ = writeln!(
        t,
        "members = [{}]\n",
        quoted(members.iter().map(String::as_str))
    );

    t.push_str(
        "# One entry per third-party crate that ships. `version` is a semver requirement:\n",
    );
    t.push_str("# \"=1.2.3\" approves one version, \"^1.2\" or \"*\" a range. Optional: source = \"crates.io\".\n");
    for p in packages.iter().filter(|p| p.is_third_party()) {
        let _ = writeln!(t, "[[approved]]");
        let _ = writeln!(t, "name = \"{}\"", p.name);
        let _ = writeln!(t, "version = \"={}\"", p.version);
        let _ = writeln!(t, "pending-review = true");
        let license = match p.license.as_deref().map(license::read) {
            Some(Ok(d)) => d.describe(),
            Some(Err(_)) => format!(
                "`{}`, not an SPDX expression",
                p.license.as_deref().unwrap_or("")
            ),
            None => "no license declared".to_owned(),
        };
        let _ = writeln!(t, "# {} — {license}", p.strongest_kind());
        let _ = writeln!(t, "# reviewed-by = \"name@example.com\"");
        let _ = writeln!(t, "# date = {date}");
        let _ = writeln!(t, "# rationale = \"why this crate is acceptable\"\n");
    }

    t.push_str("[licenses]\n");
    match &imported.licenses {
        Some((from, ids)) => {
            let _ = writeln!(t, "# Imported from {from}.");
            let _ = writeln!(
                t,
                "allow = {}\n",
                render::list(ids.iter().map(String::as_str))
            );
        }
        None => {
            let (licenses, refused) = licenses_in_use(packages);
            t.push_str("# SPDX ids in use today; remove what your organisation does not accept.\n");
            for (id, crates) in &refused {
                let _ = writeln!(
                    t,
                    "# `{id}` (declared by {}) is no current SPDX id: review those terms and add a [[licenses.exception]].",
                    crates.join(", ")
                );
            }
            let _ = writeln!(
                t,
                "allow = [{}]\n",
                quoted(licenses.iter().map(String::as_str))
            );
        }
    }
    render::license_exceptions(&mut t, imported);
    t.push_str("# [[licenses.exception]]\n# name = \"some-crate\"\n# allow = [\"LicenseRef-Vendor\"]\n# reason = \"contract 2026-17 grants use\"\n\n");

    let mut registries = BTreeSet::new();
    let mut git = BTreeSet::new();
    for p in packages {
        match &p.source {
            Source::CratesIo => {
                registries.insert("crates.io".to_owned());
            }
            Source::Registry(u) => {
                registries.insert(u.clone());
            }
            Source::Git { url, .. } => {
                git.insert(url.clone());
            }
            _ => {}
        }
    }
    t.push_str("[sources]\n");
    if let Some((from, r)) = &imported.registries {
        let _ = writeln!(t, "# allow-registries imported from {from}.");
        registries = r.iter().cloned().collect();
    }
    if let Some((from, g)) = &imported.git {
        let _ = writeln!(t, "# allow-git imported from {from}.");
        git = g.iter().cloned().collect();
    }
    let _ = writeln!(
        t,
        "allow-registries = [{}]",
        quoted(registries.iter().map(String::as_str))
    );
    let _ = writeln!(
        t,
        "allow-git = [{}]\n",
        quoted(git.iter().map(String::as_str))
    );
    render::banned(&mut t, imported);

    t.push_str("# Supplier inputs (git, other registries, path dependencies outside the workspace) need a\n");
    t.push_str("# review that pins what was reviewed. Uncomment each after reviewing it.\n");
    for p in packages.iter().filter(|p| p.is_supplier_input()) {
        let pin = match &p.source {
            Source::Git { commit, .. } => format!("git-commit = \"{commit}\""),
            Source::Path(_) => format!("path-sha256 = \"{}\"", digest::dir_digest(&p.dir)?),
            _ => "checksum = \"<sha256 from Cargo.lock>\"".to_owned(),
        };
        let _ = writeln!(t, "# [[supplier]]");
        let _ = writeln!(t, "# name = \"{}\"", p.name);
        let _ = writeln!(t, "# {pin}");
        let _ = writeln!(t, "# reviewed-by = \"name@example.com\"");
        let _ = writeln!(t, "# date = {date}");
        let _ = writeln!(t, "# rationale = \"…\"\n");
    }
    t.push_str(
        "# Non-crate supplier inputs (firmware blobs, vendored binaries), nested in a supplier:\n",
    );
    t.push_str(
        "# [[supplier]]\n# name = \"vendor firmware\"\n# reviewed-by = \"name@example.com\"\n",
    );
    let _ = writeln!(t, "# date = {date}");
    t.push_str("# [[supplier.artifact]]\n# path = \"firmware/blob.bin\"   # relative to the workspace root\n# sha256 = \"<sha256sum of the file>\"\n# description = \"…\"\n\n");

    t.push_str("[advisories]\n");
    t.push_str("# db-path = \"advisory-db\"     # default: ~/.cargo/advisory-db (shared with cargo-audit)\n");
    t.push_str("max-age-days = 7\n");
    t.push_str("# Informational kinds that block: unmaintained, unsound, notice (others warn).\n");
    t.push_str("block-informational = [\"unsound\"]\n\n");
    t.push_str("# A decided, time-limited acceptance of an advisory:\n");
    t.push_str("# [[advisories.exception]]\n# id = \"RUSTSEC-YYYY-NNNN\"\n# crate = \"some-crate\"\n# reason = \"not reachable: …\"\n# approved-by = \"name@example.com\"\n");
    let _ = writeln!(t, "# expires = {date}");
    render::exceptions(&mut t, imported);
    Ok(t)
}

/// Writes the policy atomically, never over an existing one: the text goes to a temporary
/// file next to it (fsynced), which is then linked into place only if no policy exists (a
/// no-clobber rename). A run that fails or is killed half-way leaves no policy (the next `init`
/// is not refused by a truncated one) and never a changed one.
pub fn write(root: &Path, text: &str) -> Result<std::path::PathBuf> {
    let path = root.join(POLICY_FILE);
    let exists = || {
        Error::Environment(format!(
            "{} already exists; init never overwrites a policy (edit it, or move it away first)",
            path.display()
        ))
    };
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(exists());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{POLICY_FILE}.tmp-"))
        .tempfile_in(root)
        .map_err(|e| {
            Error::io(
                format!("creating a temporary file in {}", root.display()),
                e,
            )
        })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(format!("setting permissions of {}", path.display()), e))?;
    }
    use std::io::Write as _;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    match tmp.persist_noclobber(&path) {
        Ok(_) => {}
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
        Err(e) => return Err(Error::io(format!("creating {}", path.display()), e.error)),
    }
    if let Ok(d) = std::fs::File::open(root) {
        let _ = d.sync_all();
    }
    Ok(path)
}

/// The license ids the shipped third-party crates use, as the policy's strict allow-list
/// accepts them (`check` validates it with the same parser), and the ids it would refuse (a
/// deprecated id with no successor) with the crates declaring them.
fn licenses_in_use(
    packages: &[ShippedPackage],
) -> (BTreeSet<String>, BTreeMap<String, Vec<String>>) {
    let mut allow = BTreeSet::new();
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in packages.iter().filter(|p| p.is_third_party()) {
        let Some(Ok(declared)) = p.license.as_deref().map(license::read) else {
            continue;
        };
        for id in declared.requirement_ids() {
            if values::licensee(&id).is_ok() {
                allow.insert(id);
            } else {
                let crates = refused.entry(id).or_default();
                if !crates.contains(&p.name) {
                    crates.push(p.name.clone());
                }
            }
        }
    }
    (allow, refused)
}

fn quoted<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.map(render::quote).collect::<Vec<_>>().join(", ")
}
