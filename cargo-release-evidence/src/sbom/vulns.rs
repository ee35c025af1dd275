//! The advisory data of an SBOM model: the gate's hits on the shipped set (decided once, in the
//! gate) and the advisories whose fix the shipped versions carry.

use super::{Accepted, Component, Context, Vuln};
use crate::advisories::matcher;
use crate::workspace::MemberSet;
use rustsec::advisory::Advisory;
use std::collections::BTreeMap;

/// The gate's advisory hits for this member's packages.
pub(super) fn hits(
    cx: &Context<'_>,
    set: &MemberSet,
    refs: &BTreeMap<guppy::PackageId, String>,
) -> Vec<Vuln> {
    let mut out = Vec::new();
    for hit in cx
        .run
        .hits
        .iter()
        .filter(|h| set.packages.contains_key(&h.package))
    {
        let (Some(component_ref), Some(adv)) = (
            refs.get(&hit.package),
            cx.run
                .db
                .by_crate
                .get(&hit.name)
                .and_then(|l| l.get(hit.index)),
        ) else {
            continue;
        };
        let accepted = hit.accepted.map(|i| {
            let e = cx.run.policy.data.advisories.exception[i].get_ref();
            Accepted {
                reason: e.reason.clone(),
                approved_by: e.approved_by.clone(),
                expires: e.expires,
                justification: e.justification,
            }
        });
        out.push(vuln(adv, &hit.name, component_ref, &hit.version, accepted));
    }
    sort(&mut out);
    out
}

/// Advisories about shipped crates.io packages whose shipped version is in a patched range.
pub(super) fn fixed(cx: &Context<'_>, components: &[Component]) -> Vec<Vuln> {
    let target = matcher::platform(cx.run.target.as_deref());
    let mut out = Vec::new();
    for c in components.iter().filter(|c| c.is_crates_io) {
        let Ok(version) = semver::Version::parse(&c.version) else {
            continue;
        };
        for adv in matcher::patched_in(&cx.run.db, &c.name, &version, target) {
            out.push(vuln(adv, &c.name, &c.bom_ref, &c.version, None));
        }
    }
    sort(&mut out);
    out
}

fn vuln(
    adv: &Advisory,
    package: &str,
    component_ref: &str,
    version: &str,
    accepted: Option<Accepted>,
) -> Vuln {
    let id = adv.id().as_str().to_owned();
    let mut aliases: Vec<String> = adv
        .metadata
        .aliases
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    aliases.sort();
    Vuln {
        url: Some(format!("https://rustsec.org/advisories/{id}.html")),
        id,
        package: package.to_owned(),
        aliases,
        title: adv.title().trim().to_owned(),
        date: adv.metadata.date.as_str().to_owned(),
        recommendation: matcher::patched_text(adv),
        kind: matcher::kind_text(adv),
        component_ref: component_ref.to_owned(),
        version: version.to_owned(),
        accepted,
    }
}

fn sort(v: &mut [Vuln]) {
    v.sort_by(|a, b| (&a.id, &a.component_ref).cmp(&(&b.id, &b.component_ref)));
}
