//! The controlled release build and its record: `--locked`, `CARGO_INCREMENTAL=0`,
//! `SOURCE_DATE_EPOCH`, path remapping appended to the user's rustflags; the build record
//! (command, environment, flags, toolchain, source identity, times, digests); the cross-check
//! of compiled packages against the shipped set; and the reproducibility check (a second build
//! from a fresh copy of the source at another path with its own target directory).

use crate::builder::{self, Artifact, BuildOutcome, BuildRequest, RunOptions};
use crate::digest;
use crate::error::{Error, Result};
use crate::findings::{Code, Finding};
use crate::process;
use crate::rustflags::{self, PathContext};
use crate::workspace::Selection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The build record stored in the manifest (`build`). Paths are written with placeholders
/// (`${WORKSPACE_ROOT}`, `${CARGO_HOME}`, `${RUSTC_SYSROOT}`), so it is the same from every
/// checkout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildRecord {
    pub command: Vec<String>,
    /// Every environment variable that affects the build, secrets redacted by name.
    pub env: BTreeMap<String, String>,
    pub rustflags: RecordedFlags,
    pub source_date_epoch: i64,
    pub toolchain: BuildToolchain,
    pub package: String,
    pub target: Option<String>,
    pub profile: String,
    /// `[profile.<name>]` as declared in the workspace manifest plus `CARGO_PROFILE_*` overrides.
    pub profile_settings: BTreeMap<String, String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub cargo_lock_sha256: String,
    pub source: SourceIdentity,
    /// RFC 3339 (UTC). With `SOURCE_DATE_EPOCH` set by the caller, both are that time, so the
    /// evidence stays reproducible; otherwise the wall clock.
    pub started_at: String,
    pub finished_at: String,
    pub artifacts: Vec<ArtifactDigest>,
    pub compiled_packages: usize,
    /// Path dependencies outside the workspace root (taken from where they are on rebuilds).
    #[serde(default)]
    pub external_path_dependencies: Vec<String>,
    pub shipped_set_check: SetCheck,
    pub reproducibility: Option<Reproducibility>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedFlags {
    pub user_source: String,
    pub user: Vec<String>,
    pub added: Vec<String>,
    pub effective: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildToolchain {
    pub rustc: String,
    pub cargo: String,
    /// sha256 of the real rustc binary (in the sysroot, not a rustup proxy).
    pub rustc_sha256: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SourceIdentity {
    pub commit: Option<String>,
    pub tree: Option<String>,
    pub dirty: Option<bool>,
    /// sha256 of `git diff HEAD` (binary) when dirty.
    pub diff_sha256: Option<String>,
    /// sha256 over the untracked, not ignored files (as `path-sha256` lines) when any.
    pub untracked_sha256: Option<String>,
    /// The workspace root relative to the git top level (`.` when they coincide).
    pub workspace_path: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArtifactDigest {
    /// File name (e.g. `thermo-fw`).
    pub name: String,
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetCheck {
    pub matches: bool,
    /// Compiled, but not in the gate's shipped set.
    pub not_in_shipped_set: Vec<String>,
    /// In the shipped set, but not compiled.
    pub not_compiled: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reproducibility {
    pub identical: bool,
    /// How the second source copy was made.
    pub rebuilt_from: String,
    pub artifacts: Vec<Comparison>,
    /// A suggested command when the artifacts differ and diffoscope is installed.
    pub diffoscope: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub name: String,
    pub sha256: String,
    pub rebuilt_sha256: Option<String>,
    pub size: u64,
    pub rebuilt_size: Option<u64>,
    /// Byte offset of the first difference (`None` when identical or missing).
    pub first_difference: Option<u64>,
}

/// Everything the controlled build needs to know.
pub struct Plan<'a> {
    pub workspace_root: &'a Path,
    pub manifest_path: &'a Path,
    pub package: &'a str,
    pub selection: &'a Selection,
    pub profile: &'a str,
    pub offline: bool,
    pub frozen: bool,
    pub quiet: bool,
    pub expected_units: u64,
    /// The shipped set (package ids) for the cross-check.
    pub shipped: BTreeSet<String>,
    pub cargo_lock_sha256: &'a str,
    /// SOURCE_DATE_EPOCH for the build (commit time unless the caller set one).
    pub source_date_epoch: i64,
    pub toolchain: (&'a str, &'a str),
    /// Use these user rustflags instead of the environment's (verify-build).
    pub user_flags: Option<Vec<String>>,
    /// Path dependencies outside the workspace (relative to its root, `../…`): a source copy
    /// gets them linked at the same relative place, as they are not part of the copied tree.
    pub external_paths: Vec<String>,
}

pub struct ReleaseBuild {
    pub outcome: BuildOutcome,
    pub record: BuildRecord,
    pub findings: Vec<Finding>,
}

/// Runs the controlled build in the workspace itself.
pub fn run(plan: &Plan<'_>) -> Result<ReleaseBuild> {
    let cx = path_context(plan.workspace_root)?;
    let triple = plan
        .selection
        .target
        .clone()
        .unwrap_or_else(crate::workspace::host_triple);
    let (user_source, user) =
        rustflags::user_flags(plan.workspace_root, cx.cargo_home.as_deref(), &triple);
    let added = cx.remap_flags();
    let effective: Vec<String> = user.iter().chain(&added).cloned().collect();
    let env = build_env(plan, &effective);
    let req = request(plan);
    let fixed_clock = std::env::var_os("SOURCE_DATE_EPOCH").is_some();
    let started = now_or_epoch(fixed_clock, plan.source_date_epoch);
    let outcome = builder::build(
        &req,
        &RunOptions {
            env: &env,
            env_remove: &["RUSTFLAGS"],
            target_dir: None,
            dir: None,
            label: plan.package,
            expected_units: plan.expected_units,
        },
    )?;
    let finished = now_or_epoch(fixed_clock, plan.source_date_epoch);
    let artifacts = digests(&outcome.artifacts)?;

    let mut findings = Vec::new();
    let not_in: Vec<String> = outcome
        .compiled
        .difference(&plan.shipped)
        .map(|id| short_id(id))
        .collect();
    let not_compiled: Vec<String> = plan
        .shipped
        .difference(&outcome.compiled)
        .map(|id| short_id(id))
        .collect();
    let matches = not_in.is_empty() && not_compiled.is_empty();
    if !matches {
        findings.push(Finding::new(
            Code::BuildSetMismatch,
            format!(
                "the build of {} compiled a different set of packages than the gate computed: compiled but not in the shipped set: [{}]; in the shipped set but not compiled: [{}]",
                plan.package,
                not_in.join(", "),
                not_compiled.join(", ")
            ),
            "check the target, features and resolver passed to the gate and the build; report a bug if they are the same".to_owned(),
        ));
    }

    let sysroot = cx.sysroot.clone();
    let record = BuildRecord {
        command: std::iter::once("cargo".to_owned())
            .chain(req.args().iter().map(|a| cx.portable(a)))
            .collect(),
        env: recorded_env(&env, &cx),
        rustflags: RecordedFlags {
            user_source,
            user: user.iter().map(|f| cx.portable(f)).collect(),
            added: added.iter().map(|f| cx.portable(f)).collect(),
            effective: effective.iter().map(|f| cx.portable(f)).collect(),
        },
        source_date_epoch: plan.source_date_epoch,
        toolchain: BuildToolchain {
            rustc: plan.toolchain.0.to_owned(),
            cargo: plan.toolchain.1.to_owned(),
            rustc_sha256: sysroot
                .as_ref()
                .map(|s| s.join("bin").join("rustc"))
                .and_then(|p| digest::sha256_file(&p).ok()),
        },
        package: plan.package.to_owned(),
        target: plan.selection.target.clone(),
        profile: plan.profile.to_owned(),
        profile_settings: profile_settings(plan.workspace_root, plan.profile),
        features: plan.selection.features.clone(),
        all_features: plan.selection.all_features,
        no_default_features: plan.selection.no_default_features,
        cargo_lock_sha256: plan.cargo_lock_sha256.to_owned(),
        source: source_identity(plan.workspace_root),
        started_at: crate::sbom::rfc3339(started),
        finished_at: crate::sbom::rfc3339(finished),
        artifacts,
        compiled_packages: outcome.compiled.len(),
        external_path_dependencies: plan.external_paths.clone(),
        shipped_set_check: SetCheck {
            matches,
            not_in_shipped_set: not_in,
            not_compiled,
        },
        reproducibility: None,
    };
    Ok(ReleaseBuild {
        outcome,
        record,
        findings,
    })
}

/// The reproducibility check: copies the source (a git worktree of the commit plus the
/// uncommitted changes, or a plain copy outside git) to a temporary directory at another
/// path, builds it there with its own `CARGO_TARGET_DIR`, and compares every artifact.
pub fn check_reproducible(
    plan: &Plan<'_>,
    first: &[ArtifactDigest],
    first_paths: &[Artifact],
    keep_dir: &Path,
) -> Result<(Reproducibility, Vec<Finding>)> {
    let tmp = tempfile::Builder::new()
        .prefix("release-evidence-rebuild-")
        .tempdir()
        .map_err(|e| Error::io("creating a temporary directory for the rebuild", e))?;
    let copy = SourceCopy::make(plan.workspace_root, &tmp.path().join("src"))?;
    link_external_paths(plan.workspace_root, &copy.workspace, &plan.external_paths)?;
    let rebuilt = rebuild_in(plan, &copy.workspace, &tmp.path().join("target"))?;
    drop(copy);
    compare(
        first,
        first_paths,
        &rebuilt,
        keep_dir,
        "a fresh copy of the source",
    )
}

/// Copies out-of-tree path dependencies into a source copy at the same relative place.
pub fn link_external_paths(original_root: &Path, copy_root: &Path, rels: &[String]) -> Result<()> {
    for rel in rels {
        let at = copy_root.join(rel);
        if at.exists() || std::fs::symlink_metadata(&at).is_ok() {
            continue;
        }
        let from = original_root.join(rel);
        if let Some(parent) = at.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        }
        // A copy, not a symlink: cargo resolves symlinks, and the path of a dependency outside
        // the workspace relative to the workspace root feeds its `-C metadata` hash.
        copy_tree(&from, &at)?;
    }
    Ok(())
}

/// Builds the plan's package from another copy of the workspace (used by the check and by
/// `verify-build`); returns the artifacts (absolute paths) and their digests.
pub fn rebuild_in(
    plan: &Plan<'_>,
    workspace: &Path,
    target_dir: &Path,
) -> Result<Vec<(Artifact, ArtifactDigest)>> {
    let cx = path_context(workspace)?;
    let triple = plan
        .selection
        .target
        .clone()
        .unwrap_or_else(crate::workspace::host_triple);
    let user = match &plan.user_flags {
        // verify-build: the flags recorded in the evidence, with this machine's paths.
        Some(recorded) => recorded.iter().map(|f| cx.local(f)).collect(),
        None => rustflags::user_flags(workspace, cx.cargo_home.as_deref(), &triple).1,
    };
    let effective: Vec<String> = user.iter().cloned().chain(cx.remap_flags()).collect();
    let env = build_env(plan, &effective);
    let rel_manifest = plan
        .manifest_path
        .strip_prefix(plan.workspace_root)
        .unwrap_or(Path::new("Cargo.toml"));
    let manifest = workspace.join(rel_manifest);
    let mut req = request(plan);
    req.manifest_path = &manifest;
    let label = format!("{} (rebuild)", plan.package);
    let outcome = builder::build(
        &req,
        &RunOptions {
            env: &env,
            env_remove: &["RUSTFLAGS"],
            target_dir: Some(target_dir),
            dir: Some(workspace),
            label: &label,
            expected_units: plan.expected_units,
        },
    )?;
    let digests = digests(&outcome.artifacts)?;
    Ok(outcome.artifacts.into_iter().zip(digests).collect())
}

/// Compares the first build's artifacts with rebuilt ones; keeps differing rebuilt files in
/// `keep_dir` for inspection.
pub fn compare(
    first: &[ArtifactDigest],
    first_paths: &[Artifact],
    rebuilt: &[(Artifact, ArtifactDigest)],
    keep_dir: &Path,
    rebuilt_from: &str,
) -> Result<(Reproducibility, Vec<Finding>)> {
    let mut comparisons = Vec::new();
    let mut findings = Vec::new();
    let mut diffoscope = None;
    let have_diffoscope = which("diffoscope");
    for (i, a) in first.iter().enumerate() {
        let other = rebuilt.iter().find(|(_, d)| d.name == a.name);
        let mut c = Comparison {
            name: a.name.clone(),
            sha256: a.sha256.clone(),
            rebuilt_sha256: other.map(|(_, d)| d.sha256.clone()),
            size: a.size,
            rebuilt_size: other.map(|(_, d)| d.size),
            first_difference: None,
        };
        match other {
            Some((_, d)) if d.sha256 == a.sha256 => {}
            Some((art, d)) => {
                let first_path = first_paths.get(i).map(|p| p.path.clone());
                c.first_difference = first_path
                    .as_deref()
                    .and_then(|p| first_difference(p, &art.path));
                std::fs::create_dir_all(keep_dir)
                    .map_err(|e| Error::io(format!("creating {}", keep_dir.display()), e))?;
                let kept = keep_dir.join(&a.name);
                let _ = std::fs::copy(&art.path, &kept);
                let hint = if have_diffoscope {
                    let cmd = format!(
                        "diffoscope {} {}",
                        first_path
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        kept.display()
                    );
                    diffoscope = Some(cmd.clone());
                    format!("; compare with `{cmd}`")
                } else {
                    format!(
                        "; the rebuilt file is kept at {} (install diffoscope to see the differences)",
                        kept.display()
                    )
                };
                findings.push(Finding::new(
                    Code::BuildNotReproducible,
                    format!(
                        "artifact {} is not reproducible: sha256 {} ({} bytes) vs rebuilt {} ({} bytes), first difference at byte {}",
                        a.name,
                        a.sha256,
                        a.size,
                        d.sha256,
                        d.size,
                        c.first_difference.map(|o| o.to_string()).unwrap_or_else(|| "?".into())
                    ),
                    format!(
                        "find what embeds build-specific data (timestamps, absolute paths, randomness in build scripts or proc-macros){hint}"
                    ),
                ));
            }
            None => findings.push(Finding::new(
                Code::BuildNotReproducible,
                format!("artifact {} was not produced by the rebuild", a.name),
                "check that the build does not depend on files outside the source".to_owned(),
            )),
        }
        comparisons.push(c);
    }
    Ok((
        Reproducibility {
            identical: findings.is_empty(),
            rebuilt_from: rebuilt_from.to_owned(),
            artifacts: comparisons,
            diffoscope,
        },
        findings,
    ))
}

fn request<'a>(plan: &'a Plan<'a>) -> BuildRequest<'a> {
    BuildRequest {
        manifest_path: plan.manifest_path,
        package: plan.package,
        selection: plan.selection,
        profile: plan.profile,
        locked: true,
        offline: plan.offline,
        frozen: plan.frozen,
        quiet: plan.quiet,
    }
}

fn build_env(plan: &Plan<'_>, effective: &[String]) -> Vec<(String, String)> {
    vec![
        ("CARGO_INCREMENTAL".into(), "0".into()),
        (
            "SOURCE_DATE_EPOCH".into(),
            plan.source_date_epoch.to_string(),
        ),
        ("CARGO_ENCODED_RUSTFLAGS".into(), effective.join("\x1f")),
    ]
}

pub fn path_context(workspace_root: &Path) -> Result<PathContext> {
    let sysroot = process::run_capture(
        &std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()),
        &["--print".to_owned(), "sysroot".to_owned()],
        Some(workspace_root),
    )
    .ok()
    .map(|s| PathBuf::from(s.trim()));
    Ok(PathContext {
        workspace_root: workspace_root.to_path_buf(),
        cargo_home: crate::metadata::cargo_home(),
        sysroot,
    })
}

fn digests(artifacts: &[Artifact]) -> Result<Vec<ArtifactDigest>> {
    artifacts
        .iter()
        .map(|a| {
            let size = std::fs::metadata(&a.path)
                .map_err(|e| Error::io(format!("reading {}", a.path.display()), e))?
                .len();
            Ok(ArtifactDigest {
                name: a
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                kind: a.kind.clone(),
                size,
                sha256: digest::sha256_file(&a.path)?,
            })
        })
        .collect()
}

/// `name version` of a cargo package id (`path+file:///…#name@1.2.3`, `registry+…#name@1.2.3`,
/// or the older `name 1.2.3 (source)` form).
fn short_id(id: &str) -> String {
    if let Some((_, frag)) = id.rsplit_once('#') {
        return frag.replacen('@', " ", 1);
    }
    id.split(" (").next().unwrap_or(id).to_owned()
}

fn now_or_epoch(fixed: bool, epoch: i64) -> i64 {
    if fixed {
        return epoch;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(epoch)
}

/// Variables that affect a cargo build, with values (paths as placeholders, secrets redacted).
fn recorded_env(added: &[(String, String)], cx: &PathContext) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in std::env::vars() {
        if affects_build(&k) {
            out.insert(k.clone(), record_value(&k, &v, cx));
        }
    }
    out.remove("RUSTFLAGS");
    for (k, v) in added {
        let v = if k == "CARGO_ENCODED_RUSTFLAGS" {
            v.split('\x1f').collect::<Vec<_>>().join(" ")
        } else {
            v.clone()
        };
        out.insert(k.clone(), record_value(k, &v, cx));
    }
    out
}

fn affects_build(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOC",
        "RUSTFLAGS",
        "RUSTUP_TOOLCHAIN",
        "CC",
        "CXX",
        "AR",
        "LD",
        "CFLAGS",
        "CXXFLAGS",
        "LDFLAGS",
        "CPPFLAGS",
        "SOURCE_DATE_EPOCH",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_SYSROOT_DIR",
        "HOST_CC",
        "TARGET_CC",
    ];
    // Set by cargo for the subcommand itself; not an input of the build.
    const IGNORED: &[&str] = &["CARGO", "CARGO_PKG_NAME", "CARGO_MAKEFLAGS"];
    if IGNORED.contains(&name) || name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_TERM_")
    {
        return false;
    }
    EXACT.contains(&name)
        || name.starts_with("CARGO_")
        || name.starts_with("CC_")
        || name.starts_with("CFLAGS_")
        || name.starts_with("CXX_")
        || name.starts_with("AR_")
}

/// Redacts secrets by name (tokens, passwords, keys); replaces local paths with placeholders.
fn record_value(name: &str, value: &str, cx: &PathContext) -> String {
    let upper = name.to_ascii_uppercase();
    if [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE",
        "_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s))
    {
        return "<redacted>".to_owned();
    }
    cx.portable(value)
}

fn profile_settings(root: &Path, profile: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(root.join("Cargo.toml"))
        && let Ok(t) = text.parse::<toml::Table>()
        && let Some(p) = t
            .get("profile")
            .and_then(|p| p.get(profile))
            .and_then(|p| p.as_table())
    {
        for (k, v) in p {
            out.insert(k.clone(), v.to_string().trim_matches('"').to_owned());
        }
    }
    let prefix = format!(
        "CARGO_PROFILE_{}_",
        profile.to_ascii_uppercase().replace('-', "_")
    );
    for (k, v) in std::env::vars() {
        if let Some(key) = k.strip_prefix(&prefix) {
            out.insert(key.to_ascii_lowercase().replace('_', "-"), v);
        }
    }
    out
}

pub fn source_identity(root: &Path) -> SourceIdentity {
    let Ok(top) = process::git(root, &["rev-parse", "--show-toplevel"]) else {
        return SourceIdentity::default();
    };
    let top = PathBuf::from(top.trim());
    let info = crate::source_info::read(root);
    let mut id = SourceIdentity {
        commit: info.commit,
        tree: info.tree,
        dirty: info.dirty,
        diff_sha256: None,
        untracked_sha256: None,
        workspace_path: Some(
            crate::evidence::relative(root, &top)
                .chars()
                .collect::<String>(),
        )
        .map(|p| if p.is_empty() { ".".to_owned() } else { p }),
    };
    if info.dirty == Some(true) {
        if let Ok(diff) = process::git(root, &["diff", "HEAD", "--binary", "--", "."]) {
            id.diff_sha256 = Some(digest::sha256_hex(diff.as_bytes()));
        }
        if let Ok(list) = process::git(
            root,
            &["ls-files", "--others", "--exclude-standard", "--", "."],
        ) && !list.trim().is_empty()
        {
            let mut files: Vec<&str> = list.lines().collect();
            files.sort();
            let mut text = String::new();
            for f in files {
                let d = digest::sha256_file(&root.join(f)).unwrap_or_default();
                text.push_str(&format!("{d}  {f}\n"));
            }
            id.untracked_sha256 = Some(digest::sha256_hex(text.as_bytes()));
        }
    }
    id
}

/// A copy of the workspace source for a second build, removed on drop.
pub struct SourceCopy {
    pub workspace: PathBuf,
    worktree: Option<(PathBuf, PathBuf)>,
}

impl SourceCopy {
    /// A git worktree of `HEAD` plus the uncommitted changes (diff and untracked files), or a
    /// plain copy of the workspace (without `target/`) outside git.
    pub fn make(root: &Path, dest: &Path) -> Result<SourceCopy> {
        Self::make_at(root, dest, None)
    }

    /// Like [`SourceCopy::make`], but of `commit` (without uncommitted changes) when given.
    pub fn make_at(root: &Path, dest: &Path, commit: Option<&str>) -> Result<SourceCopy> {
        if let Ok(top) = process::git(root, &["rev-parse", "--show-toplevel"]) {
            let top = PathBuf::from(top.trim());
            let rel = root
                .strip_prefix(&top)
                .unwrap_or(Path::new(""))
                .to_path_buf();
            let rev = commit.unwrap_or("HEAD");
            process::git(
                &top,
                &[
                    "worktree",
                    "add",
                    "--detach",
                    "--quiet",
                    &dest.display().to_string(),
                    rev,
                ],
            )?;
            let copy = SourceCopy {
                workspace: dest.join(&rel),
                worktree: Some((top.clone(), dest.to_path_buf())),
            };
            if commit.is_none() {
                let diff = process::git(root, &["diff", "HEAD", "--binary", "--", "."])?;
                if !diff.trim().is_empty() {
                    let patch = dest.join(".release-evidence.patch");
                    std::fs::write(&patch, diff)
                        .map_err(|e| Error::io(format!("writing {}", patch.display()), e))?;
                    process::git(
                        dest,
                        &["apply", "--whitespace=nowarn", &patch.display().to_string()],
                    )?;
                    let _ = std::fs::remove_file(&patch);
                }
                let untracked = process::git(
                    root,
                    &["ls-files", "--others", "--exclude-standard", "--", "."],
                )?;
                for f in untracked.lines().filter(|l| !l.is_empty()) {
                    let to = copy.workspace.join(f);
                    if let Some(p) = to.parent() {
                        let _ = std::fs::create_dir_all(p);
                    }
                    std::fs::copy(root.join(f), &to)
                        .map_err(|e| Error::io(format!("copying {f}"), e))?;
                }
            }
            return Ok(copy);
        }
        copy_tree(root, dest)?;
        Ok(SourceCopy {
            workspace: dest.to_path_buf(),
            worktree: None,
        })
    }
}

impl Drop for SourceCopy {
    fn drop(&mut self) {
        if let Some((top, dest)) = &self.worktree {
            let _ = process::git(
                top,
                &["worktree", "remove", "--force", &dest.display().to_string()],
            );
        }
    }
}

fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst)
        .map_err(|e| Error::io(format!("creating {}", dst.display()), e))?;
    let entries =
        std::fs::read_dir(src).map_err(|e| Error::io(format!("reading {}", src.display()), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let ty = entry
            .file_type()
            .map_err(|e| Error::io(format!("reading {}", entry.path().display()), e))?;
        let to = dst.join(&name);
        if ty.is_symlink() {
            // Keep links as links (relative links keep pointing at the same relative place).
            let target = std::fs::read_link(entry.path())
                .map_err(|e| Error::io(format!("reading link {}", entry.path().display()), e))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &to)
                .map_err(|e| Error::io(format!("linking {}", to.display()), e))?;
            #[cfg(not(unix))]
            let _ = target;
        } else if ty.is_dir() {
            copy_tree(&entry.path(), &to)?;
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &to)
                .map_err(|e| Error::io(format!("copying {}", entry.path().display()), e))?;
        }
    }
    Ok(())
}

fn first_difference(a: &Path, b: &Path) -> Option<u64> {
    let x = std::fs::read(a).ok()?;
    let y = std::fs::read(b).ok()?;
    let common = x.iter().zip(&y).position(|(p, q)| p != q);
    match common {
        Some(i) => Some(i as u64),
        None if x.len() != y.len() => Some(x.len().min(y.len()) as u64),
        None => None,
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}
