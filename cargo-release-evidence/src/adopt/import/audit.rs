//! cargo-audit's `audit.toml` (`[advisories] ignore`) and osv-scanner's `osv-scanner.toml`
//! (`[[IgnoredVulns]]` with `ignoreUntil` and `reason`).

use super::Imported;
use super::deny::push_ignore;
use super::toml_read::Reader;
use crate::util::time::Day;
use toml_edit::{Item, TableLike};

pub fn cargo_audit(r: &mut Reader, doc: &toml_edit::Table, imp: &mut Imported) {
    for (key, item) in doc.iter() {
        match key {
            "advisories" => {
                let Some(t) = r.table(item, "[advisories]") else {
                    continue;
                };
                for (k, v) in t.iter() {
                    match k {
                        "ignore" => {
                            for id in r.strings(v, "[advisories] ignore") {
                                push_ignore(r, imp, id, None, None);
                            }
                        }
                        "informational_warnings" | "severity_threshold" => r.unsupported(
                            t,
                            "advisories",
                            k,
                            "vulnerabilities always hold; informational kinds are [advisories] block-informational",
                        ),
                        _ => r.unknown(t, "advisories", k),
                    }
                }
            }
            "database" | "output" | "target" | "yanked" => {
                let Some(t) = r.table(item, &format!("[{key}]")) else {
                    continue;
                };
                let why = match key {
                    "database" => {
                        "the DB is --advisory-db or [advisories] db-path, its age max-age-days"
                    }
                    "output" => "the gate's output is chosen with --format",
                    "target" => "the target is chosen with --target",
                    _ => "yanked versions always hold",
                };
                for (k, _) in t.iter() {
                    r.unsupported(t, key, k, why);
                }
            }
            _ => r.unknown(doc, "", key),
        }
    }
}

pub fn osv_scanner(r: &mut Reader, doc: &toml_edit::Table, imp: &mut Imported) {
    for (key, item) in doc.iter() {
        match key {
            "IgnoredVulns" => {
                let Some(entries) = item.as_array_of_tables() else {
                    r.error(
                        item.span(),
                        "`IgnoredVulns`: expected [[IgnoredVulns]] tables",
                    );
                    continue;
                };
                for t in entries.iter() {
                    ignored_vuln(r, t, imp);
                }
            }
            "PackageOverrides" | "GoVersionOverride" => r.unsupported(
                doc,
                "",
                key,
                "licenses and crates are decided in [licenses] and [[approved]]",
            ),
            _ => r.unknown(doc, "", key),
        }
    }
}

fn ignored_vuln(r: &mut Reader, t: &toml_edit::Table, imp: &mut Imported) {
    let what = "[[IgnoredVulns]]";
    let Some(id) = r.field(t, "id", what, true, t.span()) else {
        return;
    };
    let reason = r.field(t, "reason", what, false, None).map(|(s, _)| s);
    let until = t.get("ignoreUntil").and_then(|item| until(r, item));
    for (k, _) in t.iter() {
        if !matches!(k, "id" | "reason" | "ignoreUntil") {
            r.unknown(t as &dyn TableLike, "IgnoredVulns", k);
        }
    }
    push_ignore(r, imp, id, reason, until);
}

/// The last day an `ignoreUntil` holds: the day before when it is midnight (as `export`
/// writes it), else its day.
fn until(r: &mut Reader, item: &Item) -> Option<Day> {
    let Some(dt) = item.as_datetime() else {
        r.error(
            item.span(),
            "`ignoreUntil`: expected a TOML date-time such as 2027-01-01T00:00:00Z",
        );
        return None;
    };
    let Some(date) = dt.date else {
        r.error(
            item.span(),
            "`ignoreUntil`: expected a date, found a time only",
        );
        return None;
    };
    let day = match Day::parse(&date.to_string()) {
        Ok(d) => d,
        Err(m) => {
            r.error(item.span(), format!("`ignoreUntil`: {m}"));
            return None;
        }
    };
    let midnight = dt.time.is_none_or(|t| {
        t.hour == 0 && t.minute == 0 && t.second.unwrap_or(0) == 0 && t.nanosecond.unwrap_or(0) == 0
    });
    Some(if midnight { day.plus_days(-1) } else { day })
}
