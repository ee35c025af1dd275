//! `monitor`: every retained release still in support against today's advisory DB and that
//! release's own exceptions (an exception expired at the evaluation date counts as expired),
//! through the one advisory matcher. Reports per advisory the affected products and versions,
//! what changed since the previous run (kept in the ledger), and whether an unaccepted
//! vulnerability affects a supported release (exit 1).

use super::{Run, StateRow, Store, Summary};
use crate::advisories::{AdvisoryDb, DbInfo, matcher};
use crate::error::Result;
use crate::policy::AdvisoryException;
use crate::policy::values::AdvisoryId;
use crate::util::time::Day;
use serde::Serialize;
use serde_spanned::Spanned;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const AFFECTED: &str = "affected";
pub const ACCEPTED: &str = "accepted";
pub const EXCEPTION_EXPIRED: &str = "exception-expired";

/// A release named in the report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReleaseRef {
    pub product: String,
    pub version: String,
    pub target: String,
    pub support_end: Option<String>,
}

/// One affected package of one release.
#[derive(Debug, Clone, Serialize)]
pub struct Affected {
    pub product: String,
    pub version: String,
    pub target: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub crate_version: String,
    /// `linked` or `build-time`.
    pub component_kind: String,
    /// `affected` (no exception), `accepted` (an exception valid at the date) or
    /// `exception-expired` (every matching exception expired).
    pub status: String,
    /// The exception accepting it, or the one that expired (`approved_by`, `expires`, `reason`).
    pub exception: Option<super::index::Exception>,
}

/// One advisory and every retained release it affects.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryImpact {
    pub id: String,
    pub aliases: Vec<String>,
    /// `vulnerability`, or the informational kind (`unmaintained`, `unsound`, …).
    pub kind: String,
    pub title: String,
    pub cvss: Option<String>,
    /// The CVSS base score computed from the vector.
    pub cvss_score: Option<f64>,
    /// `none`, `low`, `medium`, `high` or `critical` (from the CVSS score).
    pub severity: Option<String>,
    /// The advisory's page.
    pub url: String,
    pub patched: String,
    /// The patched version requirements (for the fixed-version statements).
    #[serde(skip)]
    pub patched_reqs: Vec<String>,
    pub affected: Vec<Affected>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    /// The date of the previous run (`None`: first run, everything is new).
    pub previous_run: Option<String>,
    pub new: Vec<StateRow>,
    pub resolved: Vec<StateRow>,
    pub exception_expired: Vec<StateRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonitorReport {
    pub ledger: String,
    pub date: Day,
    pub advisory_db: DbInfo,
    /// Releases checked (in support, or with no declared support end).
    pub monitored: Vec<ReleaseRef>,
    /// Releases past their support end: not monitored.
    pub out_of_support: Vec<ReleaseRef>,
    /// Monitored releases whose evidence declares no support end.
    pub no_support_end: Vec<ReleaseRef>,
    pub advisories: Vec<AdvisoryImpact>,
    pub changes: Changes,
    /// Vulnerabilities (not informational advisories) affecting a monitored release without
    /// a valid exception.
    pub unaccepted_vulnerabilities: usize,
    /// `HOLD` when `unaccepted_vulnerabilities > 0`, else `PASS`.
    pub decision: String,
}

fn reference(s: &Summary) -> ReleaseRef {
    ReleaseRef {
        product: s.product.clone(),
        version: s.version.clone(),
        target: s.target.clone(),
        support_end: s.support_end.clone(),
    }
}

/// Whether `s` is in support on `date` (no declared end: supported).
fn supported(s: &Summary, date: Day) -> bool {
    s.support_end
        .as_deref()
        .and_then(|d| Day::parse(d.get(..10).unwrap_or(d)).ok())
        .is_none_or(|end| end >= date)
}

/// Runs the monitor and records its findings in the ledger.
pub fn run(store: &mut dyn Store, db: &mut AdvisoryDb, date: Day) -> Result<MonitorReport> {
    let (report, run, state) = evaluate(store, db, date)?;
    store.record_run(&run, &state)?;
    Ok(report)
}

/// The monitor's report, and the run and findings to record (with [`Store::record_run`]) once
/// everything the command writes is written: a run that fails records nothing.
pub fn evaluate(
    store: &dyn Store,
    db: &mut AdvisoryDb,
    date: Day,
) -> Result<(MonitorReport, Run, Vec<StateRow>)> {
    let releases = store.releases()?;
    let (monitored, out): (Vec<&Summary>, Vec<&Summary>) =
        releases.iter().partition(|s| supported(s, date));
    let by_id: HashMap<i64, &Summary> = monitored.iter().map(|s| (s.id, *s)).collect();
    let components = store.crates_io_components()?;
    let names: BTreeSet<&str> = components.iter().map(|c| c.name.as_str()).collect();
    db.load(names.iter().copied());
    let mut exceptions: HashMap<i64, Vec<Spanned<AdvisoryException>>> = HashMap::new();
    let mut exception_rows: HashMap<(i64, usize), super::index::Exception> = HashMap::new();
    for (id, e) in store.exceptions()? {
        let Ok(expires) = Day::parse(&e.expires) else {
            continue;
        };
        let list = exceptions.entry(id).or_default();
        exception_rows.insert((id, list.len()), e.clone());
        list.push(Spanned::new(
            0..0,
            AdvisoryException {
                id: AdvisoryId(e.advisory.clone()),
                krate: e.krate.clone(),
                reason: e.reason.clone(),
                approved_by: e.approved_by.clone(),
                expires,
                justification: None,
            },
        ));
    }
    let no_exceptions = Vec::new();
    // The same crate version on the same target is matched once.
    let mut cache: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
    let mut impacts: BTreeMap<String, AdvisoryImpact> = BTreeMap::new();
    let mut state = Vec::new();
    for c in &components {
        let Some(s) = by_id.get(&c.release_id) else {
            continue;
        };
        let Some(list) = db.by_crate.get(&c.name).filter(|l| !l.is_empty()) else {
            continue;
        };
        let key = (c.name.clone(), c.version.clone(), s.target.clone());
        let hits = cache.entry(key).or_insert_with(|| {
            let Ok(version) = semver::Version::parse(&c.version) else {
                return Vec::new();
            };
            matcher::affecting(db, &c.name, &version, matcher::platform(Some(&s.target)))
                .into_iter()
                .filter_map(|a| list.iter().position(|x| std::ptr::eq(x, a)))
                .collect()
        });
        let release_exceptions = exceptions.get(&c.release_id).unwrap_or(&no_exceptions);
        for &i in hits.iter() {
            let adv = &list[i];
            let (valid, matching) = matcher::exceptions_for(release_exceptions, adv, &c.name, date);
            let (status, exception) = match (valid, matching.last()) {
                (Some(v), _) => (ACCEPTED, exception_rows.get(&(c.release_id, v))),
                (None, Some(&m)) => (EXCEPTION_EXPIRED, exception_rows.get(&(c.release_id, m))),
                (None, None) => (AFFECTED, None),
            };
            let id = adv.id().as_str().to_owned();
            let impact = impacts.entry(id.clone()).or_insert_with(|| AdvisoryImpact {
                id: id.clone(),
                aliases: adv
                    .metadata
                    .aliases
                    .iter()
                    .map(|a| a.as_str().to_owned())
                    .collect(),
                kind: matcher::kind_text(adv),
                title: adv.title().trim().to_owned(),
                cvss: adv.metadata.cvss.as_ref().map(ToString::to_string),
                cvss_score: adv.metadata.cvss.as_ref().map(|c| c.score()),
                severity: adv
                    .metadata
                    .cvss
                    .as_ref()
                    .map(|c| c.severity().as_str().to_owned()),
                url: adv
                    .metadata
                    .url
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| format!("https://rustsec.org/advisories/{id}.html")),
                patched: matcher::patched_text(adv),
                patched_reqs: adv
                    .versions
                    .patched()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                affected: Vec::new(),
            });
            impact.affected.push(Affected {
                product: s.product.clone(),
                version: s.version.clone(),
                target: s.target.clone(),
                krate: c.name.clone(),
                crate_version: c.version.clone(),
                component_kind: c.kind.clone(),
                status: status.to_owned(),
                exception: exception.cloned(),
            });
            state.push(StateRow {
                advisory: id,
                product: s.product.clone(),
                version: s.version.clone(),
                target: s.target.clone(),
                krate: c.name.clone(),
                crate_version: c.version.clone(),
                status: status.to_owned(),
            });
        }
    }
    state.sort();
    state.dedup();
    let mut advisories: Vec<AdvisoryImpact> = impacts.into_values().collect();
    for a in &mut advisories {
        a.affected.sort_by(|x, y| {
            (
                &x.product,
                &x.version,
                &x.target,
                &x.krate,
                &x.crate_version,
                &x.component_kind,
            )
                .cmp(&(
                    &y.product,
                    &y.version,
                    &y.target,
                    &y.krate,
                    &y.crate_version,
                    &y.component_kind,
                ))
        });
        a.affected.dedup_by(|x, y| {
            (
                &x.product,
                &x.version,
                &x.target,
                &x.krate,
                &x.crate_version,
            ) == (
                &y.product,
                &y.version,
                &y.target,
                &y.krate,
                &y.crate_version,
            )
        });
    }
    let unaccepted_vulnerabilities = advisories
        .iter()
        .filter(|a| a.kind == "vulnerability")
        .flat_map(|a| &a.affected)
        .filter(|x| x.status != ACCEPTED)
        .count();
    let previous = store.last_run()?;
    let changes = changes(previous, &state);
    let run = Run {
        date: date.to_string(),
        advisory_db_date: db.info.date.clone(),
        advisory_db_commit: db.info.commit.clone(),
    };
    let mut monitored_refs: Vec<ReleaseRef> = monitored.iter().map(|s| reference(s)).collect();
    monitored_refs.sort();
    let report = MonitorReport {
        ledger: store.location().to_owned(),
        date,
        advisory_db: db.info.clone(),
        no_support_end: monitored_refs
            .iter()
            .filter(|r| r.support_end.is_none())
            .cloned()
            .collect(),
        monitored: monitored_refs,
        out_of_support: out.iter().map(|s| reference(s)).collect(),
        advisories,
        changes,
        unaccepted_vulnerabilities,
        decision: if unaccepted_vulnerabilities > 0 {
            "HOLD"
        } else {
            "PASS"
        }
        .to_owned(),
    };
    Ok((report, run, state))
}

/// New, resolved and newly expired findings against the previous run's.
fn changes(previous: Option<(Run, Vec<StateRow>)>, now: &[StateRow]) -> Changes {
    let Some((run, before)) = previous else {
        return Changes {
            previous_run: None,
            new: now.to_vec(),
            ..Changes::default()
        };
    };
    let key = |r: &StateRow| {
        (
            r.advisory.clone(),
            r.product.clone(),
            r.version.clone(),
            r.target.clone(),
            r.krate.clone(),
            r.crate_version.clone(),
        )
    };
    let old: HashMap<_, &StateRow> = before.iter().map(|r| (key(r), r)).collect();
    let cur: HashMap<_, &StateRow> = now.iter().map(|r| (key(r), r)).collect();
    let mut c = Changes {
        previous_run: Some(run.date),
        new: now
            .iter()
            .filter(|r| !old.contains_key(&key(r)))
            .cloned()
            .collect(),
        resolved: before
            .iter()
            .filter(|r| !cur.contains_key(&key(r)))
            .cloned()
            .collect(),
        exception_expired: now
            .iter()
            .filter(|r| {
                r.status == EXCEPTION_EXPIRED
                    && old.get(&key(r)).is_some_and(|o| o.status == ACCEPTED)
            })
            .cloned()
            .collect(),
    };
    c.resolved.sort();
    c
}
