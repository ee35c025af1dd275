//! Locations for findings that have none of their own, so SARIF can point at a line: a package
//! finding points at the dependency declaration (found with toml spans) in the member's
//! Cargo.toml that starts its path; any other finding at its policy section.

use crate::findings::{Finding, Location};
use crate::policy::Policy;
use crate::util::paths::relative_display;
use crate::workspace::{MemberSet, Workspace};
use std::path::Path;
use toml::de::{DeTable, DeValue};

pub fn add_fallback(found: &mut [Finding], ws: &Workspace, sets: &[MemberSet], policy: &Policy) {
    for f in found.iter_mut().filter(|f| f.location.is_none()) {
        let from_via = f.via.first().and_then(|via| {
            let set = sets.iter().find(|s| s.name == via.member)?;
            let first = via.path.get(1)?;
            Some(dependency_location(ws, set, first))
        });
        f.location = Some(match from_via {
            Some(loc) => loc,
            None if f.via.is_empty() => policy.section_location(section_of(f)),
            None => {
                // The finding is about the member itself.
                let set = sets.iter().find(|s| s.name == f.via[0].member);
                Location {
                    file: set
                        .map(|s| relative_display(&ws.root, &s.manifest_path))
                        .unwrap_or_else(|| policy.display_path.clone()),
                    line: 1,
                    column: 1,
                }
            }
        });
    }
}

/// The policy section a finding without a package belongs to.
fn section_of(f: &Finding) -> &'static str {
    let code = f.code.as_str();
    if code.starts_with("RE-DB")
        || code.starts_with("RE-ADVISORY")
        || code.starts_with("RE-EXCEPTION")
    {
        "advisories"
    } else if code.starts_with("RE-BUILD") {
        "build"
    } else if code.starts_with("RE-LICENSE") {
        "licenses"
    } else if code.starts_with("RE-SUPPLIER") || code.starts_with("RE-SOURCE") {
        "sources"
    } else {
        "approved"
    }
}

/// The declaration, in the member's Cargo.toml, of the dependency the set's first edge to
/// `dep_name` uses: `[dependencies]`, `[build-dependencies]`, `[dev-dependencies]` or their
/// `[target.'cfg(…)'.…]` forms, matched by the name written there (renames included).
fn dependency_location(ws: &Workspace, set: &MemberSet, dep_name: &str) -> Location {
    let file = relative_display(&ws.root, &set.manifest_path);
    let fallback = Location {
        file: file.clone(),
        line: 1,
        column: 1,
    };
    let Ok(member) = ws.graph.metadata(&set.id) else {
        return fallback;
    };
    // The link the set uses: its target is in the set's edges from the member.
    let Some(link) = member.direct_links().find(|l| {
        l.to().name() == dep_name
            && set
                .edges
                .get(&set.id)
                .is_some_and(|to| to.contains(l.to().id()))
    }) else {
        return fallback;
    };
    let sections: &[&str] = if link.normal().is_present() {
        &["dependencies"]
    } else if link.build().is_present() {
        &["build-dependencies"]
    } else {
        &["dev-dependencies"]
    };
    match key_span(&set.manifest_path, link.dep_name(), sections) {
        Some((text, offset)) => {
            let (line, column) = crate::error::line_col(&text, offset);
            Location { file, line, column }
        }
        None => fallback,
    }
}

/// The byte offset of `key` in one of `sections` (top level or under `[target.*]`).
fn key_span(manifest: &Path, key: &str, sections: &[&str]) -> Option<(String, usize)> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let offset = {
        let root = DeTable::parse(&text).ok()?.into_inner();
        let find = |table: &DeTable<'_>| -> Option<usize> {
            sections.iter().find_map(|s| {
                let DeValue::Table(deps) = table.get(*s)?.get_ref() else {
                    return None;
                };
                deps.iter()
                    .find(|(k, _)| k.get_ref() == key)
                    .map(|(k, _)| k.span().start)
            })
        };
        find(&root).or_else(|| {
            let DeValue::Table(targets) = root.get("target")?.get_ref() else {
                return None;
            };
            targets.values().find_map(|t| match t.get_ref() {
                DeValue::Table(t) => find(t),
                _ => None,
            })
        })?
    };
    Some((text, offset))
}
