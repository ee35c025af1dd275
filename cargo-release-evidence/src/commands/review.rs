//! `review`, `review approve`, `review baseline`: what needs a decision, and recording it.

use super::{date, gate_options, print};
use crate::cli::{Format, GlobalArgs, ReviewCommand};
use crate::error::{EXIT_PASS, Error, Result};
use crate::gate::{self, GateRun};
use crate::policy::Policy;
use crate::render;
use crate::review::{self, delta, edit};
use crate::util::process;
use crate::util::time::Day;
use crate::workspace::{ShippedPackage, Source};

pub fn run(g: &GlobalArgs, command: Option<&ReviewCommand>) -> Result<u8> {
    match command {
        None => list(g),
        Some(ReviewCommand::Approve {
            spec,
            rationale,
            criteria,
            reviewer,
            from,
            full,
        }) => approve(
            g,
            spec,
            rationale,
            criteria.as_deref(),
            reviewer.as_deref(),
            Delta::of(from.as_deref(), *full)?,
        ),
        Some(ReviewCommand::Diff { spec, from }) => diff(g, spec, from.as_deref()),
        Some(ReviewCommand::Baseline {
            rationale,
            reviewer,
            expires,
        }) => baseline(g, rationale, reviewer.as_deref(), expires.as_deref()),
    }
}

fn review_of(run: &GateRun) -> review::Review {
    let cache = run
        .workspace
        .graph
        .workspace()
        .target_directory()
        .as_std_path()
        .join("release-evidence");
    review::list(run, &cache)
}

fn list(g: &GlobalArgs) -> Result<u8> {
    let opts = gate_options(g)?;
    // The list as an earlier run with exactly these inputs printed it (the gate's cache, its
    // key and the files it watched; gate/cache.rs), plus cargo's registry source directories
    // while a crate's source is missing there (a `cargo fetch` changes the facts).
    let cache = gate::cache::prepare_for(
        &opts,
        "review-result.json",
        &format!("review {:?} quiet={}", g.format, g.quiet),
    );
    if let Some(text) = cache
        .as_ref()
        .and_then(gate::cache::Prepared::lookup_value::<String>)
    {
        print(&text)?;
        return Ok(EXIT_PASS);
    }
    let run = gate::run(&opts)?;
    let r = review_of(&run);
    let text = match g.format {
        Format::Json => render::json::to_string(&r),
        _ => render::human::review::render(&r, g.quiet),
    };
    if let Some(cache) = cache {
        let watched = if r.items.iter().any(|i| i.code.is_none()) {
            review::facts::registry_source_dirs()
        } else {
            Vec::new()
        };
        cache.store_value(&run, &text, watched);
    }
    print(&text)?;
    Ok(EXIT_PASS)
}

fn approve(
    g: &GlobalArgs,
    spec: &str,
    rationale: &str,
    criteria: Option<&str>,
    reviewer: Option<&str>,
    delta: Delta,
) -> Result<u8> {
    let run = gate::run(&gate_options(g)?)?;
    let pkg = shipped(&run, spec)?;
    let from = match delta {
        Delta::Full => None,
        Delta::Auto => {
            review::chain::newest_approved_before(&run.policy.data.approved, pkg, date(g)?)
        }
        Delta::From(v) => Some(approved_from(&run, pkg, v, date(g)?)?),
    };
    let decision = edit::Decision {
        name: pkg.name.clone(),
        version: pkg.version.clone(),
        source: source_key(pkg),
        reviewer: reviewer_of(&run, reviewer)?,
        date: date(g)?,
        rationale: non_empty("--rationale", rationale)?,
        criteria: criteria.map(str::to_owned),
        baseline: false,
        expires: None,
        from: from.clone(),
    };
    let outcomes = record(&run, &[decision])?;
    if !g.quiet {
        let how = match outcomes[0] {
            edit::Outcome::Replaced => "replaced its entry",
            edit::Outcome::Added => "added an entry",
        };
        let what = match &from {
            Some(f) => format!("a delta review of {} {f} → {}", pkg.name, pkg.version),
            None => format!("the review of {} {}", pkg.name, pkg.version),
        };
        println!(
            "recorded {what} in {} ({how}); run `cargo release-evidence check` for the verdict",
            run.policy.display_path
        );
    }
    Ok(EXIT_PASS)
}

fn baseline(
    g: &GlobalArgs,
    rationale: &str,
    reviewer: Option<&str>,
    expires: Option<&str>,
) -> Result<u8> {
    let run = gate::run(&gate_options(g)?)?;
    let expires = expires
        .map(|d| Day::parse(d).map_err(|m| Error::usage("--expires", m)))
        .transpose()?;
    let reviewer = reviewer_of(&run, reviewer)?;
    let rationale = non_empty("--rationale", rationale)?;
    let today = date(g)?;
    let r = review_of(&run);
    // A baseline entry written today is refused only by a blocked class: those crates are
    // left for a review, and each is printed with why.
    let mut wanted = Vec::new();
    let mut blocked = Vec::new();
    for p in r.items.iter().filter_map(|item| {
        run.packages.iter().find(|p| {
            p.name == item.name
                && p.version.to_string() == item.version
                && p.source.display() == item.source
        })
    }) {
        let rule = run
            .policy
            .baseline_rule(p.via.iter().map(|(m, _)| m.as_str()));
        match rule.refuses(Some(today), today) {
            Some(why) => blocked.push((p, why)),
            None => wanted.push(p),
        }
    }
    let decisions: Vec<edit::Decision> = wanted
        .into_iter()
        .map(|p| edit::Decision {
            name: p.name.clone(),
            version: p.version.clone(),
            source: source_key(p),
            reviewer: reviewer.clone(),
            date: today,
            rationale: rationale.clone(),
            criteria: None,
            baseline: true,
            expires,
            from: None,
        })
        .collect();
    if !decisions.is_empty() {
        record(&run, &decisions)?;
    }
    if !g.quiet {
        println!(
            "recorded {} baseline entr{} in {} ({} crates already reviewed, {} already baselined); they are counted apart from reviewed crates",
            decisions.len(),
            if decisions.len() == 1 { "y" } else { "ies" },
            run.policy.display_path,
            r.approved.reviewed,
            r.approved.baseline
        );
        for (p, why) in &blocked {
            println!(
                "not baselined: {} {}: {}; review it with `review approve {}@{}`",
                p.name,
                p.version,
                why.describe(),
                p.name,
                p.version
            );
        }
    }
    Ok(EXIT_PASS)
}

/// How `review approve` records a review: full, a delta from a given approved version, or a
/// delta from the newest earlier approved version when there is one.
enum Delta {
    Full,
    Auto,
    From(semver::Version),
}

impl Delta {
    fn of(from: Option<&str>, full: bool) -> Result<Delta> {
        Ok(match (from, full) {
            (Some(v), _) => Delta::From(version_flag(v)?),
            (None, true) => Delta::Full,
            (None, false) => Delta::Auto,
        })
    }
}

fn version_flag(v: &str) -> Result<semver::Version> {
    semver::Version::parse(v)
        .map_err(|e| Error::usage("--from", format!("`{v}` is not a version: {e}")))
}

/// `--from V`: an approval of V must count, down to a full review.
fn approved_from(
    run: &GateRun,
    pkg: &ShippedPackage,
    from: semver::Version,
    today: Day,
) -> Result<semver::Version> {
    if from >= pkg.version {
        return Err(Error::usage(
            "--from",
            format!(
                "{from} is not earlier than the locked {} {}",
                pkg.name, pkg.version
            ),
        ));
    }
    if review::chain::approved_at(&run.policy.data.approved, pkg, &from, today) {
        Ok(from)
    } else {
        Err(Error::usage(
            "--from",
            format!(
                "no approval of {} {from} that chains down to a full review; a delta review must build on one",
                pkg.name
            ),
        ))
    }
}

fn diff(g: &GlobalArgs, spec: &str, from: Option<&str>) -> Result<u8> {
    let run = gate::run(&gate_options(g)?)?;
    let pkg = shipped(&run, spec)?;
    let from = match from {
        Some(v) => version_flag(v)?,
        None => review::chain::newest_approved_before(&run.policy.data.approved, pkg, date(g)?)
            .ok_or_else(|| {
                Error::usage(
                    "--from",
                    format!(
                        "no earlier approved version of {} to diff from; pass --from VERSION",
                        pkg.name
                    ),
                )
            })?,
    };
    let old = delta::crate_file(&pkg.name, &from)?;
    let new = delta::crate_file(&pkg.name, &pkg.version)?;
    let old = delta::read_crate(&old, &pkg.name, &from)?;
    let new = delta::read_crate(&new, &pkg.name, &pkg.version)?;
    let label = |v: &semver::Version| format!("{}-{v}", pkg.name);
    print(&delta::diff(
        &old,
        &new,
        &label(&from),
        &label(&pkg.version),
    ))?;
    Ok(EXIT_PASS)
}

/// The shipped third-party crate `NAME[@VERSION]` names.
fn shipped<'a>(run: &'a GateRun, spec: &str) -> Result<&'a ShippedPackage> {
    let (name, version) = match spec.split_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (spec, None),
    };
    let found: Vec<&ShippedPackage> = run
        .packages
        .iter()
        .filter(|p| p.is_third_party() && !p.is_supplier_input() && p.name == name)
        .filter(|p| version.is_none_or(|v| p.version.to_string() == v))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::usage(
            "review approve",
            format!(
                "`{spec}` is not a third-party crate that ships (supplier inputs are reviewed in [[supplier]]); `cargo release-evidence review` lists what needs a decision"
            ),
        )),
        many => Err(Error::usage(
            "review approve",
            format!(
                "several versions of `{name}` ship; name one: {}",
                many.iter()
                    .map(|p| format!("{}@{}", p.name, p.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn source_key(p: &ShippedPackage) -> Option<String> {
    match &p.source {
        Source::CratesIo => None,
        other => Some(other.display()),
    }
}

fn non_empty(flag: &str, text: &str) -> Result<String> {
    if text.trim().is_empty() {
        return Err(Error::usage(flag, "must not be empty"));
    }
    Ok(text.to_owned())
}

/// `--reviewer`, else `git config user.email` in the workspace.
fn reviewer_of(run: &GateRun, given: Option<&str>) -> Result<String> {
    if let Some(r) = given {
        return non_empty("--reviewer", r);
    }
    match process::git(&run.workspace.root, &["config", "user.email"]) {
        Ok(email) if !email.trim().is_empty() => Ok(email.trim().to_owned()),
        _ => Err(Error::usage(
            "--reviewer",
            "no reviewer: pass --reviewer EMAIL or set `git config user.email`",
        )),
    }
}

/// Applies the decisions to the policy file in place, and keeps the old text if the result
/// would not load.
fn record(run: &GateRun, decisions: &[edit::Decision]) -> Result<Vec<edit::Outcome>> {
    let path = &run.policy.path;
    let nested: &[&str] = if path.file_name().is_some_and(|n| n == "Cargo.toml") {
        &["workspace", "metadata", "release-evidence"]
    } else {
        &[]
    };
    let (text, outcomes) = edit::apply(&run.policy.text, nested, decisions)?;
    crate::util::fs::write_atomic(path, text.as_bytes())?;
    if let Err(e) = Policy::load(&run.workspace.root, Some(path)) {
        crate::util::fs::write_atomic(path, run.policy.text.as_bytes())?;
        return Err(e);
    }
    Ok(outcomes)
}
