//! The checks. Each takes the [`Context`] and returns findings; none renders anything.

pub mod advisories;
pub mod approvals;
pub mod banned;
pub mod baseline;
pub mod licenses;
pub mod sources;
pub mod vet;
pub mod yanked;

use crate::advisories::AdvisoryDb;
use crate::findings::{Finding, Via};
use crate::policy::Policy;
use crate::policy::values::Day;
use crate::workspace::{MemberSet, ShippedPackage, Workspace};

/// Everything a check may look at.
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub policy: &'a Policy,
    pub sets: &'a [MemberSet],
    pub packages: &'a [ShippedPackage],
    pub db: &'a AdvisoryDb,
    /// Evaluation date (expiry, staleness).
    pub date: Day,
    /// `None` with `--all-platforms`.
    pub target: Option<String>,
    /// Each release member's baseline (empty without `[baseline]`) and the git facts behind it.
    pub baseline: &'a [baseline::Baseline],
    pub git: Option<&'a crate::workspace::git::GitFacts>,
    /// Keep each index-cache entry's [`yanked::EntryFacts`] (the main job's SOUP list).
    pub index_facts: bool,
}

impl Context<'_> {
    pub fn via(&self, pkg: &ShippedPackage) -> Vec<Via> {
        self.ws.via(&pkg.id, self.sets)
    }

    /// Whether any package in the whole dependency graph (any target, any feature) has this
    /// name and, if given, a version matching `req`. Policy entries are "unused" only when
    /// this is false, so a policy covering several targets does not warn on each of them.
    pub fn in_graph(&self, name: &str, req: Option<&semver::VersionReq>) -> bool {
        self.ws
            .graph
            .packages()
            .any(|p| p.name() == name && req.is_none_or(|r| r.matches(p.version())))
    }

    /// Versions of `name` anywhere in the dependency graph.
    pub fn graph_versions(&self, name: &str) -> Vec<semver::Version> {
        self.ws
            .graph
            .packages()
            .filter(|p| p.name() == name)
            .map(|p| p.version().clone())
            .collect()
    }

    /// Third-party packages (everything that is not a workspace member).
    pub fn third_party(&self) -> impl Iterator<Item = &ShippedPackage> {
        self.packages.iter().filter(|p| p.is_third_party())
    }
}

/// What the checks produce: findings (unsorted), the advisory hits, the yanked-check status.
pub struct CheckOutput {
    pub findings: Vec<Finding>,
    pub hits: Vec<advisories::AdvisoryHit>,
    pub yanked: yanked::YankedStatus,
    /// What the index cache entries the yanked check read say (for the SOUP list).
    pub index_facts: yanked::IndexFacts,
}

/// Runs every check.
pub fn run_all(cx: &Context<'_>) -> CheckOutput {
    let t = std::time::Instant::now();
    let timings = std::env::var_os("RELEASE_EVIDENCE_TIMINGS").is_some();
    let mark = |what: &str| {
        if timings {
            eprintln!("timing:   check {what} done at +{:?}", t.elapsed());
        }
    };
    let mut findings = Vec::new();
    findings.extend(approvals::check(cx));
    findings.extend(banned::check(cx));
    mark("approvals");
    findings.extend(licenses::check(cx));
    mark("licenses");
    findings.extend(sources::check(cx));
    mark("sources");
    let (advisory_findings, hits) = advisories::check(cx);
    findings.extend(advisory_findings);
    mark("advisories");
    let (yanked_findings, yanked, index_facts) = yanked::check(cx);
    mark("yanked");
    findings.extend(yanked_findings);
    findings.extend(baseline::check(cx));
    mark("baseline");
    CheckOutput {
        findings,
        hits,
        yanked,
        index_facts,
    }
}
