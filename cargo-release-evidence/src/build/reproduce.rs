//! The reproducibility check: a second build from a fresh copy of the source at another path
//! with its own target directory, and the comparison of every artifact (used by
//! `--check-reproducible` and `verify-build`).

use super::cargo::{self as builder, Artifact, RunOptions};
use super::controlled::{Plan, digests, path_context, request};
use super::env::build_env;
use super::record::{ArtifactDigest, Comparison, Reproducibility};
use super::rustflags;
use super::source_copy::{SourceCopy, link_external_paths};
use crate::error::{Error, Result};
use crate::findings::{Code, Finding};
use std::path::Path;

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
    let rebuilt = rebuild_in(plan, &copy.workspace, &tmp.path().join("target"), &[])?;
    drop(copy);
    compare(
        first,
        first_paths,
        &rebuilt,
        keep_dir,
        "a fresh copy of the source",
    )
}

/// Builds the plan's package from another copy of the workspace (used by the check and by
/// `verify-build`); returns the artifacts (absolute paths) and their digests. `extra_env` is
/// set for the build (recorded variables a verifier chose to trust; placeholders resolved).
pub fn rebuild_in(
    plan: &Plan<'_>,
    workspace: &Path,
    target_dir: &Path,
    extra_env: &[(String, String)],
) -> Result<Vec<(Artifact, ArtifactDigest)>> {
    let cx = path_context(workspace)?;
    let triple = plan
        .selection
        .target
        .clone()
        .unwrap_or_else(crate::workspace::graph::host_triple);
    let user = match &plan.user_flags {
        // verify-build: the flags recorded in the evidence, with this machine's paths.
        Some(recorded) => recorded.iter().map(|f| cx.local(f)).collect(),
        None => rustflags::user_flags(workspace, cx.cargo_home.as_deref(), &triple).1,
    };
    let effective: Vec<String> = user.iter().cloned().chain(cx.remap_flags()).collect();
    let mut env: Vec<(String, String)> = extra_env
        .iter()
        .map(|(k, v)| (k.clone(), cx.local(v)))
        .collect();
    env.extend(build_env(plan.source_date_epoch, &effective));
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

/// The offset of the first differing byte of two regular files, read in blocks (never whole:
/// a path from untrusted evidence may name a huge file).
fn first_difference(a: &Path, b: &Path) -> Option<u64> {
    use std::io::Read;
    let open = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|_| std::fs::File::open(p).ok())
            .map(std::io::BufReader::new)
    };
    let (mut x, mut y) = (open(a)?, open(b)?);
    let (mut bx, mut by) = (vec![0u8; 64 << 10], vec![0u8; 64 << 10]);
    let mut offset = 0u64;
    loop {
        let nx = read_full(&mut x, &mut bx).ok()?;
        let ny = read_full(&mut y, &mut by).ok()?;
        if let Some(i) = bx[..nx].iter().zip(&by[..ny]).position(|(p, q)| p != q) {
            return Some(offset + i as u64);
        }
        if nx != ny {
            return Some(offset + nx.min(ny) as u64);
        }
        if nx == 0 {
            return None;
        }
        offset += nx as u64;
    }

    fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match r.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}
