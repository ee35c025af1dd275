//! cargo-deny's `deny.toml` (configuration version 2, the v1 keys it still reads reported):
//! `[licenses] allow` and `exceptions`, `[sources] allow-registry` and `allow-git`, `[bans]
//! deny`, `[advisories] ignore`.

use super::toml_read::{Reader, Spanned, key_span};
use super::{Ban, Ignore, Imported, LicenseException};
use crate::policy::values;
use toml_edit::{TableLike, Value};

const CRATES_IO_INDEXES: &[&str] = &[
    "https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
    "crates.io",
];

pub fn read(r: &mut Reader, doc: &toml_edit::Table, imp: &mut Imported) {
    for (key, item) in doc.iter() {
        match key {
            "licenses" => {
                if let Some(t) = r.table(item, "[licenses]") {
                    licenses(r, t, imp);
                }
            }
            "sources" => {
                if let Some(t) = r.table(item, "[sources]") {
                    sources(r, t, imp);
                }
            }
            "bans" => {
                if let Some(t) = r.table(item, "[bans]") {
                    bans(r, t, imp);
                }
            }
            "advisories" => {
                if let Some(t) = r.table(item, "[advisories]") {
                    advisories(r, t, imp);
                }
            }
            "graph" | "output" | "targets" => r.unsupported(
                doc,
                "",
                key,
                "the release members, target and features come from [release] and the command line",
            ),
            _ => r.unknown(doc, "", key),
        }
    }
}

fn licenses(r: &mut Reader, t: &dyn TableLike, imp: &mut Imported) {
    for (key, item) in t.iter() {
        match key {
            "version" => {}
            "allow" => {
                let mut ids = Vec::new();
                for (id, span) in r.strings(item, "[licenses] allow") {
                    if let Some(id) = license_id(r, &id, span) {
                        ids.push(id);
                    }
                }
                r.note(
                    key_span(t, key).as_ref(),
                    format!(
                        "[licenses] allow imported: {} ids replace the ids in use",
                        ids.len()
                    ),
                );
                imp.licenses = Some((r.name.clone(), ids));
            }
            "exceptions" => {
                for v in r.values(item, "[licenses] exceptions") {
                    license_exception(r, v, imp);
                }
            }
            "confidence-threshold"
            | "clarify"
            | "private"
            | "unused-allowed-license"
            | "include-dev"
            | "include-build" => r.unsupported(
                t,
                "licenses",
                key,
                "the gate reads each crate's declared license expression only",
            ),
            "deny" | "copyleft" | "allow-osi-fsf-free" | "default" | "unlicensed" => r.unsupported(
                t,
                "licenses",
                key,
                "a cargo-deny v1 key; the policy allows only the ids in [licenses] allow",
            ),
            _ => r.unknown(t, "licenses", key),
        }
    }
}

/// A license id the policy's allow-list accepts, mapping deprecated ids the way crates.io
/// data is read; `None` (reported) for what has no current id.
fn license_id(r: &mut Reader, id: &str, span: Option<std::ops::Range<usize>>) -> Option<String> {
    if values::licensee(id).is_ok() {
        return Some(id.to_owned());
    }
    let mapped = crate::policy::license::read(id)
        .ok()
        .map(|d| d.requirement_ids().collect::<Vec<_>>())
        .filter(|ids| ids.len() == 1 && values::licensee(&ids[0]).is_ok());
    match mapped {
        Some(ids) => {
            r.note(
                span.as_ref(),
                format!("license `{id}` imported as `{}`", ids[0]),
            );
            ids.into_iter().next()
        }
        None => {
            r.note(
                span.as_ref(),
                format!("license `{id}` not imported: not a current SPDX license id"),
            );
            None
        }
    }
}

/// `{ crate = "name[@version]", allow = [...] }` (v1: `name`, `version`).
fn license_exception(r: &mut Reader, v: &Value, imp: &mut Imported) {
    let what = "[licenses] exceptions entry";
    let Some(t) = v.as_inline_table() else {
        r.error(v.span(), format!("{what}: expected an inline table"));
        return;
    };
    let Some((name, version)) = crate_spec(r, t, what, v.span()) else {
        return;
    };
    let mut allow = Vec::new();
    match (t as &dyn TableLike).get("allow") {
        Some(item) => {
            for (id, span) in r.strings(item, &format!("{what} `allow`")) {
                if let Some(id) = license_id(r, &id, span) {
                    allow.push(id);
                }
            }
        }
        None => r.error(v.span(), format!("{what}: `allow` is missing")),
    }
    for key in t.iter().map(|(k, _)| k) {
        if !matches!(key, "crate" | "name" | "version" | "allow") {
            r.unknown(t, "licenses.exceptions", key);
        }
    }
    if !allow.is_empty() {
        imp.license_exceptions.push(LicenseException {
            name,
            version,
            allow,
            from: r.name.clone(),
        });
    }
}

/// `crate = "name"` or `"name@req"`, or `name` with an optional `version`.
fn crate_spec(
    r: &mut Reader,
    t: &dyn TableLike,
    what: &str,
    whole: Option<std::ops::Range<usize>>,
) -> Option<(String, Option<String>)> {
    let spec = match r.field(t, "crate", what, false, None) {
        Some(s) => Some(s),
        None => r.field(t, "name", what, false, None),
    };
    let Some((spec, span)) = spec else {
        r.error(whole, format!("{what}: `crate` is missing"));
        return None;
    };
    let (name, mut version) = split_spec(r, &spec, span)?;
    if let Some((v, vspan)) = r.field(t, "version", what, false, None) {
        version = Some(requirement(r, &v, vspan)?);
    }
    Some((name, version))
}

/// `name[@req]` → name and a semver requirement (a plain version is exact).
fn split_spec(
    r: &mut Reader,
    spec: &str,
    span: Option<std::ops::Range<usize>>,
) -> Option<(String, Option<String>)> {
    match spec.split_once('@') {
        None => Some((spec.to_owned(), None)),
        Some((name, v)) => Some((name.to_owned(), Some(requirement(r, v, span)?))),
    }
}

fn requirement(r: &mut Reader, v: &str, span: Option<std::ops::Range<usize>>) -> Option<String> {
    let exact = semver::Version::parse(v).ok().map(|v| format!("={v}"));
    let req = exact.unwrap_or_else(|| v.to_owned());
    match semver::VersionReq::parse(&req) {
        Ok(_) => Some(req),
        Err(e) => {
            r.error(span, format!("`{v}` is not a version requirement: {e}"));
            None
        }
    }
}

fn sources(r: &mut Reader, t: &dyn TableLike, imp: &mut Imported) {
    let name = r.name.clone();
    let mut registries = vec!["crates.io".to_owned()];
    for (key, item) in t.iter() {
        match key {
            "allow-registry" => {
                registries.clear();
                for (url, _) in r.strings(item, "[sources] allow-registry") {
                    let url = if CRATES_IO_INDEXES.contains(&url.as_str()) {
                        "crates.io".to_owned()
                    } else {
                        url
                    };
                    if !registries.contains(&url) {
                        registries.push(url);
                    }
                }
            }
            "allow-git" => {
                let git = r.strings(item, "[sources] allow-git");
                imp.git = Some((name.clone(), git.into_iter().map(|(s, _)| s).collect()));
            }
            "unknown-registry" | "unknown-git" => {
                if let Some((level, span)) = r.string(item, &format!("[sources] {key}"))
                    && level != "deny"
                {
                    r.note(
                        span.as_ref(),
                        format!(
                            "[sources] `{key} = \"{level}\"` not imported: the gate holds on every source not allowed"
                        ),
                    );
                }
            }
            "allow-org" | "private" | "required-git-spec" => r.unsupported(
                t,
                "sources",
                key,
                "list each allowed git repository in [sources] allow-git",
            ),
            _ => r.unknown(t, "sources", key),
        }
    }
    imp.registries = Some((name, registries));
}

fn bans(r: &mut Reader, t: &dyn TableLike, imp: &mut Imported) {
    for (key, item) in t.iter() {
        match key {
            "deny" => {
                for v in r.values(item, "[bans] deny") {
                    ban(r, v, imp);
                }
            }
            "multiple-versions"
            | "wildcards"
            | "highlight"
            | "skip"
            | "skip-tree"
            | "allow-wildcard-paths"
            | "workspace-default-features"
            | "external-default-features"
            | "features"
            | "build"
            | "allow-build-scripts"
            | "multiple-versions-include-dev"
            | "workspace-dependencies" => r.unsupported(
                t,
                "bans",
                key,
                "the gate approves each crate version that ships ([[approved]])",
            ),
            "allow" => r.unsupported(
                t,
                "bans",
                key,
                "the policy's allow-list is [[approved]]: each shipped crate needs a review",
            ),
            _ => r.unknown(t, "bans", key),
        }
    }
}

/// `"name[@req]"` or `{ crate = "...", reason = "...", wrappers = [...] }`.
fn ban(r: &mut Reader, v: &Value, imp: &mut Imported) {
    let what = "[bans] deny entry";
    let (name, version, reason) = if let Some(s) = v.as_str() {
        let Some((n, ver)) = split_spec(r, s, v.span()) else {
            return;
        };
        (n, ver, None)
    } else if let Some(t) = v.as_inline_table() {
        let Some((n, ver)) = crate_spec(r, t, what, v.span()) else {
            return;
        };
        let reason = r.field(t, "reason", what, false, None).map(|(s, _)| s);
        for key in t.iter().map(|(k, _)| k) {
            match key {
                "crate" | "name" | "version" | "reason" => {}
                "wrappers" | "use-instead" | "deny-multiple-versions" => {
                    r.unsupported(t, "bans.deny", key, "the crate is banned wherever it ships")
                }
                _ => r.unknown(t, "bans.deny", key),
            }
        }
        (n, ver, reason)
    } else {
        r.error(
            v.span(),
            format!("{what}: expected a string or an inline table"),
        );
        return;
    };
    let reason = match reason {
        Some(s) => format!("{s} (imported from {})", r.name),
        None => format!("banned in {}", r.name),
    };
    r.note(
        v.span().as_ref(),
        format!(
            "ban of `{name}`{} imported as [[banned]]",
            version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default()
        ),
    );
    imp.banned.push(Ban {
        name,
        version,
        reason,
    });
}

fn advisories(r: &mut Reader, t: &dyn TableLike, imp: &mut Imported) {
    for (key, item) in t.iter() {
        match key {
            "version" => {}
            "ignore" => {
                for v in r.values(item, "[advisories] ignore") {
                    ignore(r, v, imp);
                }
            }
            "db-path" | "db-urls" | "git-fetch-with-cli" | "maximum-db-staleness" => {
                r.unsupported(
                    t,
                    "advisories",
                    key,
                    "the DB is --advisory-db or [advisories] db-path, its age max-age-days",
                )
            }
            "yanked" | "unmaintained" | "unsound" | "notice" | "vulnerability"
            | "severity-threshold" | "disable-yanked-checking" => r.unsupported(
                t,
                "advisories",
                key,
                "vulnerabilities and yanked versions always hold; informational kinds are [advisories] block-informational",
            ),
            _ => r.unknown(t, "advisories", key),
        }
    }
}

/// `"RUSTSEC-…"`, `{ id = "…", reason = "…" }`; crate ignores (`"name@version"`) are reported.
fn ignore(r: &mut Reader, v: &Value, imp: &mut Imported) {
    let what = "[advisories] ignore entry";
    let (id, reason): (Spanned, Option<String>) = if let Some(s) = v.as_str() {
        ((s.to_owned(), v.span()), None)
    } else if let Some(t) = v.as_inline_table() {
        if t.contains_key("crate") && !t.contains_key("id") {
            r.note(
                v.span().as_ref(),
                "ignore of a crate (a yanked version) not imported: a yanked version always holds; upgrade it",
            );
            return;
        }
        let Some(id) = r.field(t, "id", what, true, v.span()) else {
            return;
        };
        for key in t.iter().map(|(k, _)| k) {
            if !matches!(key, "id" | "reason") {
                r.unknown(t, "advisories.ignore", key);
            }
        }
        (id, r.field(t, "reason", what, false, None).map(|(s, _)| s))
    } else {
        r.error(
            v.span(),
            format!("{what}: expected a string or an inline table"),
        );
        return;
    };
    push_ignore(r, imp, id, reason, None);
}

pub(super) fn push_ignore(
    r: &mut Reader,
    imp: &mut Imported,
    (id, span): Spanned,
    reason: Option<String>,
    until: Option<crate::util::time::Day>,
) {
    let advisory = ["RUSTSEC-", "CVE-", "GHSA-"]
        .iter()
        .any(|p| id.starts_with(p) && id.len() > p.len());
    if !advisory {
        r.note(
            span.as_ref(),
            format!(
                "ignore of `{id}` not imported: the policy takes RUSTSEC, CVE and GHSA ids (a crate name is a yanked-version ignore: upgrade it)"
            ),
        );
        return;
    }
    let at = r.at(span.as_ref());
    imp.ignores.push(Ignore {
        id,
        reason: reason.filter(|s| !s.trim().is_empty()),
        until,
        from: r.name.clone(),
        at,
    });
}
