//! The gate pipeline: metadata (once) + policy + advisory DB (loaded while cargo runs) →
//! shipped sets → checks → findings → decision.

use crate::advisory_db::{self, AdvisoryDb};
use crate::checks::{self, Context};
use crate::cli::GlobalArgs;
use crate::error::{Error, Result, line_col};
use crate::findings::{self, Decision, Finding, Kind, Location, Severity};
use crate::metadata::{self, CargoFlags, Origin};
use crate::policy::values::Day;
use crate::policy::{Policy, relative_display};
use crate::report::{CheckReport, MemberReport, PolicyInfo, SCHEMA, SCHEMA_VERSION, Summary, Tool};
use crate::workspace::{MemberSet, Selection, ShippedPackage, Workspace};
use std::path::{Path, PathBuf};

/// Everything the gate produced, kept for later stages (init, publish, evidence).
pub struct GateRun {
    pub report: CheckReport,
    pub workspace: Workspace,
    pub sets: Vec<MemberSet>,
    pub packages: Vec<ShippedPackage>,
    pub metadata_origin: Origin,
    pub policy: Policy,
    pub db: AdvisoryDb,
    pub selection: Selection,
    /// The target triple of the shipped sets (`None` with `--all-platforms`).
    pub target: Option<String>,
}

pub fn selection(args: &GlobalArgs) -> Selection {
    Selection {
        target: args.target.clone(),
        all_platforms: args.all_platforms,
        features: args.features.clone(),
        all_features: args.all_features,
        no_default_features: args.no_default_features,
        include_dev: args.include_dev,
    }
}

pub fn cargo_flags(args: &GlobalArgs) -> CargoFlags {
    CargoFlags {
        locked: args.locked,
        offline: args.offline,
        frozen: args.frozen,
    }
}

pub fn eval_date(args: &GlobalArgs) -> Result<Day> {
    match &args.date {
        Some(d) => Day::parse(d).map_err(|m| Error::usage("--date", m)),
        None => Ok(Day::today_utc()),
    }
}

/// Loads the workspace: metadata (file, cache or cargo) and the package graph.
pub fn load_workspace(args: &GlobalArgs) -> Result<(Workspace, Origin)> {
    let manifest = metadata::find_manifest(args.manifest_path.as_deref())?;
    let root = crate::workspace::guess_workspace_root(&manifest);
    let loaded = metadata::load(
        &manifest,
        &root,
        &cargo_flags(args),
        args.metadata_path.as_deref(),
        !args.no_cache,
    )?;
    Ok((Workspace::from_metadata_json(&loaded.json)?, loaded.origin))
}

/// Prints phase timings to stderr when `RELEASE_EVIDENCE_TIMINGS` is set (for benchmarks).
struct Timer {
    start: std::time::Instant,
    on: bool,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            start: std::time::Instant::now(),
            on: std::env::var_os("RELEASE_EVIDENCE_TIMINGS").is_some(),
        }
    }

    fn mark(&self, phase: &str) {
        if self.on {
            eprintln!("timing: {phase} at {:?}", self.start.elapsed());
        }
    }

    /// Peak resident memory of this process (Linux `VmHWM`), for the benchmark.
    fn peak_memory(&self) {
        if self.on
            && let Ok(status) = std::fs::read_to_string("/proc/self/status")
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            eprintln!(
                "timing: peak memory {}",
                line.trim_start_matches("VmHWM:").trim()
            );
        }
    }
}

/// Runs the whole gate.
pub fn run(args: &GlobalArgs) -> Result<GateRun> {
    let timer = Timer::new();
    if args.all_platforms && args.target.is_some() {
        return Err(Error::usage(
            "--all-platforms",
            "cannot be combined with --target",
        ));
    }
    let date = eval_date(args)?;
    let sel = selection(args);
    let flags = cargo_flags(args);
    let manifest = metadata::find_manifest(args.manifest_path.as_deref())?;
    let root_guess = if let Some(p) = &args.metadata_path {
        root_from_metadata_file(p)?
    } else {
        crate::workspace::guess_workspace_root(&manifest)
    };
    let policy_path = args.policy.as_deref().map(metadata::absolute).transpose()?;
    let policy = Policy::load(&root_guess, policy_path.as_deref())?;
    let db_path = db_location(args, &policy)?;
    let db_display = relative_display(&root_guess, &db_path);

    // The advisory DB loads while cargo metadata runs.
    let (db, loaded) = std::thread::scope(|s| {
        let db = s.spawn(|| {
            let db = obtain_db(&db_path, db_display.clone(), flags.offline(), date, &policy);
            timer.mark("advisory db loaded");
            db
        });
        let loaded = metadata::load(
            &manifest,
            &root_guess,
            &flags,
            args.metadata_path.as_deref(),
            !args.no_cache,
        );
        timer.mark("metadata loaded");
        (db.join().expect("advisory DB thread"), loaded)
    });
    let loaded = loaded?;
    let mut db = db?;
    let workspace = Workspace::from_metadata_json(&loaded.json)?;
    timer.mark("package graph built");
    let policy = if workspace.root != root_guess && policy_path.is_none() {
        Policy::load(&workspace.root, None)?
    } else {
        policy
    };

    let policy_members: Vec<String> = policy
        .data
        .release
        .members
        .iter()
        .map(|m| m.get_ref().clone())
        .collect();
    let members = workspace.select_members(&args.packages, args.workspace, &policy_members)?;
    let sets: Vec<MemberSet> = members
        .iter()
        .map(|m| workspace.member_set(m, &sel))
        .collect::<Result<_>>()?;
    let mut packages = workspace.shipped_packages(&sets);
    mark_in_house(&mut packages, &policy);
    timer.mark("shipped sets computed");
    db.load(packages.iter().map(|p| p.name.as_str()));
    db.load(
        policy
            .data
            .advisories
            .exception
            .iter()
            .map(|e| e.get_ref().krate.as_str()),
    );
    timer.mark("advisories parsed");
    let target = if sel.all_platforms {
        None
    } else {
        Some(
            sel.target
                .clone()
                .unwrap_or_else(crate::workspace::host_triple),
        )
    };
    let cx = Context {
        ws: &workspace,
        policy: &policy,
        sets: &sets,
        packages: &packages,
        db: &db,
        date,
        target: target.clone(),
    };
    let (mut found, yanked) = checks::run_all(&cx);
    add_fallback_locations(&mut found, &workspace, &sets, &policy);
    findings::sort(&mut found);
    timer.mark("checks done");
    timer.peak_memory();
    let decision = Decision::from_findings(&found);

    let report = CheckReport {
        schema: SCHEMA,
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        date,
        decision,
        summary: Summary {
            errors: CheckReport::count(&found, Severity::Error),
            warnings: CheckReport::count(&found, Severity::Warning),
            members: sets.len(),
            packages: packages.len(),
        },
        scope: workspace.scope(&sel),
        policy: PolicyInfo {
            path: policy.display_path.clone(),
            sha256: policy.sha256.clone(),
        },
        advisory_db: db.info.clone(),
        yanked_check: yanked,
        members: sets.iter().map(|s| member_report(&workspace, s)).collect(),
        findings: found,
    };
    Ok(GateRun {
        report,
        workspace,
        sets,
        packages,
        metadata_origin: loaded.origin,
        policy,
        db,
        selection: sel,
        target,
    })
}

/// Marks path packages under `[sources] in-house-paths` as first-party.
pub fn mark_in_house(packages: &mut [ShippedPackage], policy: &Policy) {
    let prefixes: Vec<String> = policy
        .data
        .sources
        .in_house_paths
        .iter()
        .map(|p| p.trim_end_matches('/').to_owned())
        .collect();
    for p in packages.iter_mut() {
        if let crate::workspace::Source::Path(rel) = &p.source {
            p.in_house = prefixes
                .iter()
                .any(|pre| rel == pre || rel.starts_with(&format!("{pre}/")));
        }
    }
}

fn root_from_metadata_file(path: &Path) -> Result<PathBuf> {
    #[derive(serde::Deserialize)]
    struct Root {
        workspace_root: PathBuf,
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading --metadata-path {}", path.display()), e))?;
    let root: Root = serde_json::from_str(&text).map_err(|e| {
        Error::usage(
            "--metadata-path",
            format!("{} is not cargo metadata JSON: {e}", path.display()),
        )
    })?;
    Ok(root.workspace_root)
}

/// `--advisory-db`, else the policy's `db-path`, else cargo-audit's default location.
pub fn db_location(args: &GlobalArgs, policy: &Policy) -> Result<PathBuf> {
    if let Some(p) = &args.advisory_db {
        return metadata::absolute(p);
    }
    if let Some(p) = policy.db_path() {
        return Ok(p);
    }
    advisory_db::default_path().ok_or_else(|| {
        Error::usage(
            "--advisory-db",
            "no default advisory DB location (neither CARGO_HOME nor HOME is set)",
        )
    })
}

/// Opens the DB; fetches it first when missing, or when stale and a git checkout, unless
/// offline. Network use is recorded in the DB info.
fn obtain_db(
    path: &Path,
    display: String,
    offline: bool,
    date: Day,
    policy: &Policy,
) -> Result<AdvisoryDb> {
    let missing = !path.join("crates").is_dir();
    if missing {
        if offline {
            return Err(Error::usage(
                "--advisory-db",
                format!(
                    "no advisory database at {} and --offline forbids fetching it; pass --advisory-db PATH (or set [advisories] db-path) to a local copy of the RustSec advisory-db, or run `cargo release-evidence db fetch`",
                    path.display()
                ),
            ));
        }
        let record = advisory_db::fetch(path, advisory_db::DEFAULT_URL);
        if !record.ok {
            return Err(Error::usage(
                "--advisory-db",
                format!(
                    "no advisory database at {} and fetching {} failed: {}; pass --advisory-db PATH to a local copy",
                    path.display(),
                    record.url,
                    record.error.as_deref().unwrap_or("unknown error")
                ),
            ));
        }
        let mut db = advisory_db::open(path, display)?;
        db.info.fetched = Some(record);
        return Ok(db);
    }
    let db = advisory_db::open(path, display.clone())?;
    let stale = db
        .day
        .is_none_or(|d| d.days_until(date) > i64::from(policy.data.advisories.max_age_days));
    if stale && !offline && path.join(".git").exists() {
        let record = advisory_db::fetch(path, advisory_db::DEFAULT_URL);
        let mut db = if record.ok {
            advisory_db::open(path, display)?
        } else {
            db
        };
        db.info.fetched = Some(record);
        return Ok(db);
    }
    Ok(db)
}

fn member_report(ws: &Workspace, set: &MemberSet) -> MemberReport {
    let mut linked = Vec::new();
    let mut build_time = Vec::new();
    let mut dev = Vec::new();
    for (id, kind) in &set.packages {
        let Ok(pkg) = ws.graph.metadata(id) else {
            continue;
        };
        let r = crate::findings::PackageRef {
            name: pkg.name().to_owned(),
            version: pkg.version().to_string(),
            source: crate::workspace::Source::from_guppy(pkg.source()).display(),
        };
        match kind {
            Kind::Linked => linked.push(r),
            Kind::BuildTime => build_time.push(r),
            Kind::Dev => dev.push(r),
        }
    }
    linked.sort();
    build_time.sort();
    dev.sort();
    MemberReport {
        name: set.name.clone(),
        version: set.version.to_string(),
        linked,
        build_time,
        dev,
    }
}

/// Every finding gets a location for SARIF: a package finding points at the line of the
/// member's Cargo.toml that declares the dependency leading to it; a DB finding at the
/// policy's `[advisories]` table.
fn add_fallback_locations(
    found: &mut [Finding],
    ws: &Workspace,
    sets: &[MemberSet],
    policy: &Policy,
) {
    for f in found.iter_mut().filter(|f| f.location.is_none()) {
        if let Some(via) = f.via.first() {
            let Some(set) = sets.iter().find(|s| s.name == via.member) else {
                continue;
            };
            let dep = via.path.get(1).cloned().unwrap_or_default();
            f.location = Some(manifest_location(ws, &set.manifest_path, &dep));
        } else {
            let (line, column) = policy
                .text
                .find("[advisories]")
                .map(|i| line_col(&policy.text, i))
                .unwrap_or((1, 1));
            f.location = Some(Location {
                file: policy.display_path.clone(),
                line,
                column,
            });
        }
    }
}

fn manifest_location(ws: &Workspace, manifest: &Path, dep: &str) -> Location {
    let file = relative_display(&ws.root, manifest);
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    let dep_dash = dep.replace('_', "-");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let declares = [dep, dep_dash.as_str()].iter().any(|d| {
            !d.is_empty()
                && (t.strip_prefix(d).is_some_and(|rest| {
                    let rest = rest.trim_start();
                    rest.starts_with('=') || rest.starts_with('.')
                }) || t.starts_with(&format!("[dependencies.{d}]"))
                    || t.contains(&format!("dependencies.{d}]")))
        });
        if declares {
            let col = line.len() - t.len();
            let (l, c) = line_col(&text, offset + col);
            return Location {
                file,
                line: l,
                column: c,
            };
        }
        offset += line.len();
    }
    Location {
        file,
        line: 1,
        column: 1,
    }
}
