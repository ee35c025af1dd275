//! The gate: metadata (once) + policy + advisory DB (loaded while cargo runs) → shipped sets →
//! checks → findings → decision. Takes its own [`Options`]; knows nothing about the CLI.

pub mod cache;
pub mod locations;
pub mod report;

use crate::advisories::AdvisoryDb;
use crate::advisories::{history, obtain};
use crate::checks::advisories::AdvisoryHit;
use crate::checks::{self, Context};
use crate::error::{Error, Result};
use crate::findings::{self, Decision, Kind, PackageRef, Severity};
use crate::policy::Policy;
use crate::util::paths::{absolute, relative_display};
use crate::util::time::Day;
use crate::workspace::metadata::{self, CargoFlags, Origin};
use crate::workspace::{self, MemberSet, Selection, ShippedPackage, Source, Workspace};
use report::{CheckReport, MemberReport, PolicyInfo, SCHEMA, SCHEMA_VERSION, Summary, Tool};
use std::path::{Path, PathBuf};

/// What the gate is asked to look at.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--manifest-path` (else the nearest Cargo.toml upwards).
    pub manifest_path: Option<PathBuf>,
    /// `-p` release members; `--workspace`.
    pub packages: Vec<String>,
    pub workspace: bool,
    pub selection: Selection,
    pub cargo: CargoFlags,
    /// Precomputed `cargo metadata` JSON (cargo is not run).
    pub metadata_path: Option<PathBuf>,
    /// `--policy FILE` (else the workspace's).
    pub policy: Option<PathBuf>,
    /// `--advisory-db PATH` (else the policy's, else the default).
    pub advisory_db: Option<PathBuf>,
    /// The evaluation date (expiry, staleness).
    pub date: Day,
    /// Reuse cached cargo metadata when its inputs are unchanged.
    pub use_cache: bool,
    /// Our own SSH signature check of release tags (`sign::tag::verify`, a higher layer);
    /// without it a signed tag never verifies (fail closed).
    pub tag_verifier: Option<checks::baseline::SshVerifier>,
    /// Keep what the yanked check reads from each crate's index-cache entry beyond the yanked
    /// flag (latest version, publication days) for the SOUP list: the main job sets it; `check`,
    /// `sbom` and the others do not pay for it.
    pub index_facts: bool,
}

/// Everything the gate produced, kept for later stages (init, publish, evidence).
pub struct GateRun {
    pub report: CheckReport,
    pub workspace: Workspace,
    pub sets: Vec<MemberSet>,
    pub packages: Vec<ShippedPackage>,
    pub metadata_origin: Origin,
    pub policy: Policy,
    pub db: AdvisoryDb,
    /// Every advisory affecting a shipped package, with the exception accepting it (if any).
    pub hits: Vec<AdvisoryHit>,
    pub selection: Selection,
    /// The target triple of the shipped sets (`None` with `--all-platforms`).
    pub target: Option<String>,
    /// Each release member's configuration baseline (empty without `[baseline]`).
    pub baseline: Vec<checks::baseline::Baseline>,
    /// What the crates.io index cache entries read by the yanked check say, by (name,
    /// version): the SOUP list's level of support reuses them.
    pub index_facts: checks::yanked::IndexFacts,
}

/// Loads the workspace: metadata (file, cache or cargo) and the package graph.
pub fn load_workspace(opts: &Options) -> Result<(Workspace, Origin)> {
    let manifest = metadata::find_manifest(opts.manifest_path.as_deref())?;
    let root = workspace::guess_workspace_root(&manifest);
    let loaded = metadata::load(
        &manifest,
        &root,
        &opts.cargo,
        opts.metadata_path.as_deref(),
        opts.use_cache,
    )?;
    let origin = loaded.origin;
    let ws = Workspace::from_metadata(loaded.json, workspace::declared_resolver(&root)?)?;
    same_workspace(opts, &ws.root, &root)?;
    Ok((ws, origin))
}

/// `--metadata-path` must describe this workspace: metadata of another one would gate another
/// dependency graph under this workspace's policy and name.
fn same_workspace(opts: &Options, metadata_root: &Path, root: &Path) -> Result<()> {
    let Some(file) = &opts.metadata_path else {
        return Ok(());
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if canonical(metadata_root) == canonical(root) {
        return Ok(());
    }
    Err(Error::usage(
        "--metadata-path",
        format!(
            "{} describes the workspace at {}, not this one at {}; write it for this workspace with `cargo metadata --format-version 1 --all-features --manifest-path {}`, or drop --metadata-path",
            file.display(),
            metadata_root.display(),
            root.display(),
            root.join("Cargo.toml").display()
        ),
    ))
}

/// Prints phase timings to stderr when `RELEASE_EVIDENCE_TIMINGS` is set (for benchmarks).
pub struct Timer {
    start: std::time::Instant,
    on: bool,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            start: std::time::Instant::now(),
            on: std::env::var_os("RELEASE_EVIDENCE_TIMINGS").is_some(),
        }
    }

    pub fn mark(&self, phase: &str) {
        if self.on {
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
                    Some(line.trim_start_matches("VmRSS:").trim().to_owned())
                })
                .unwrap_or_default();
            eprintln!("timing: {phase} at {:?} (rss {rss})", self.start.elapsed());
        }
    }

    /// Peak resident memory of this process (Linux `VmHWM`), for the benchmark.
    pub fn peak_memory(&self) {
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

impl Default for Timer {
    fn default() -> Self {
        Timer::new()
    }
}

/// Runs the whole gate.
pub fn run(opts: &Options) -> Result<GateRun> {
    let timer = Timer::new();
    let sel = &opts.selection;
    if sel.all_platforms && sel.target.is_some() {
        return Err(Error::usage(
            "--all-platforms",
            "cannot be combined with --target",
        ));
    }
    let date = opts.date;
    let manifest = metadata::find_manifest(opts.manifest_path.as_deref())?;
    let root_guess = workspace::guess_workspace_root(&manifest);
    let policy_path = opts.policy.as_deref().map(absolute).transpose()?;
    let policy = Policy::load(&root_guess, policy_path.as_deref())?;
    let db_path = obtain::location(opts.advisory_db.as_deref(), Some(&policy))?;
    let db_display = relative_display(&root_guess, &db_path);
    let declared = workspace::declared_resolver(&root_guess)?;

    // The advisory DB loads while cargo metadata runs.
    let (db, loaded) = std::thread::scope(|s| {
        let db = s.spawn(|| {
            let db = obtain::obtain(
                &db_path,
                db_display.clone(),
                opts.cargo.offline(),
                date,
                policy.data.advisories.max_age_days,
            );
            timer.mark("advisory db loaded");
            db
        });
        // The package graph is built while the DB may still be loading.
        let workspace = metadata::load(
            &manifest,
            &root_guess,
            &opts.cargo,
            opts.metadata_path.as_deref(),
            opts.use_cache,
        )
        .and_then(|loaded| {
            timer.mark("metadata loaded");
            let origin = loaded.origin;
            Ok((Workspace::from_metadata(loaded.json, declared)?, origin))
        });
        (db.join(), workspace)
    });
    let (workspace, metadata_origin) = loaded?;
    let mut db = db.map_err(|_| Error::Environment("the advisory DB loader panicked".into()))??;
    db.check_date(date)?;
    same_workspace(opts, &workspace.root, &root_guess)?;
    let state_dir = workspace
        .graph
        .workspace()
        .target_directory()
        .as_std_path()
        .join("release-evidence");
    history::check_and_record(&state_dir, &db_path, &db.info)?;
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
    let members = workspace.select_members(&opts.packages, opts.workspace, &policy_members)?;
    for (name, class) in &policy.data.release.safety_class {
        if workspace.graph.workspace().member_by_name(name).is_err() {
            return Err(policy.error_at(
                class.span(),
                format!("[release] safety-class: `{name}` is not a workspace member"),
            ));
        }
    }
    workspace.check_features(&members, sel)?;
    let sets: Vec<MemberSet> = members
        .iter()
        .map(|m| workspace.member_set(m, sel))
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
        Some(sel.target.clone().unwrap_or_else(workspace::host_triple))
    };
    // Git is asked only when the policy has [baseline].
    let (git, baseline) = checks::baseline::gather(&workspace, &policy, &sets, opts.tag_verifier)?;
    timer.mark("baseline gathered");
    let cx = Context {
        ws: &workspace,
        policy: &policy,
        sets: &sets,
        packages: &packages,
        db: &db,
        date,
        target: target.clone(),
        baseline: &baseline,
        git: git.as_ref(),
        index_facts: opts.index_facts,
    };
    let out = checks::run_all(&cx);
    let approvals = checks::approvals::counts(&cx);
    let mut found = out.findings;
    locations::add_fallback(&mut found, &workspace, &sets, &policy);
    findings::sort(&mut found);
    timer.mark("checks done");
    timer.peak_memory();
    let decision = Decision::from_findings(&found);

    let report = CheckReport {
        schema: SCHEMA.to_owned(),
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        date,
        decision,
        summary: Summary {
            errors: findings::count(&found, Severity::Error),
            warnings: findings::count(&found, Severity::Warning),
            members: sets.len(),
            packages: packages.len(),
            approvals,
        },
        scope: workspace.scope(sel),
        policy: PolicyInfo {
            path: policy.display_path.clone(),
            sha256: policy.sha256.clone(),
        },
        advisory_db: db.info.clone(),
        yanked_check: out.yanked,
        members: sets.iter().map(|s| member_report(&workspace, s)).collect(),
        findings: found,
    };
    Ok(GateRun {
        report,
        workspace,
        sets,
        packages,
        metadata_origin,
        policy,
        db,
        hits: out.hits,
        selection: sel.clone(),
        target,
        baseline,
        index_facts: out.index_facts,
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
        if let Source::Path(rel) = &p.source {
            p.in_house = prefixes
                .iter()
                .any(|pre| rel == pre || rel.starts_with(&format!("{pre}/")));
        }
    }
}

fn member_report(ws: &Workspace, set: &MemberSet) -> MemberReport {
    let mut linked = Vec::new();
    let mut build_time = Vec::new();
    let mut dev = Vec::new();
    for (id, kind) in &set.packages {
        let Ok(pkg) = ws.graph.metadata(id) else {
            continue;
        };
        let r = PackageRef {
            name: pkg.name().to_owned(),
            version: pkg.version().to_string(),
            source: Source::from_guppy(pkg.source()).display(),
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
