//! `verify DIR`: digests, files, approvals, the readiness rule and the signatures, against the
//! trust root the verifier chooses (see `sign::trust` for the precedence).

use super::{date, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::{EXIT_HOLD, EXIT_PASS, Error, Result};
use crate::render;
use crate::sign::{trust, verify};
use crate::util::paths::absolute;
use crate::workspace::{self, metadata};
use std::path::{Path, PathBuf};

pub struct Args<'a> {
    pub evidence_dir: &'a Path,
    pub allowed_signers: Option<&'a Path>,
    pub trust_evidence_copy: bool,
}

pub fn run(g: &GlobalArgs, a: &Args<'_>) -> Result<u8> {
    let dir = absolute(a.evidence_dir)?;
    let trust = trust_root(g, &dir, a.allowed_signers, a.trust_evidence_copy)?;
    let v = verify::run(&dir, &trust, verification_time(g)?)?;
    let text = if g.format == Format::Json {
        render::json::to_string(&v)
    } else {
        render::human::verify::render(&v)
    };
    print(&text)?;
    Ok(if v.ok { EXIT_PASS } else { EXIT_HOLD })
}

/// The trust root for verifying `dir` from the flags (`--policy`, `--allowed-signers`,
/// `--trust-evidence-copy`) and the workspace (see `sign::trust` for the precedence); shared by
/// `verify` and `report`.
pub fn trust_root(
    g: &GlobalArgs,
    dir: &Path,
    allowed_signers: Option<&Path>,
    trust_evidence_copy: bool,
) -> Result<trust::TrustRoot> {
    let policy = g.policy.as_deref().map(absolute).transpose()?;
    let signers = allowed_signers.map(absolute).transpose()?;
    if trust_evidence_copy && policy.is_some() {
        return Err(Error::usage(
            "--trust-evidence-copy",
            "cannot be combined with --policy: the rules come either from a policy you trust or from the copy inside the evidence",
        ));
    }
    let root = workspace_root(g)?;
    trust::resolve(
        &trust::Options {
            policy: policy.as_deref(),
            workspace_root: root.as_deref(),
            allowed_signers: signers.as_deref(),
            trust_evidence_copy,
        },
        dir,
    )
}

/// The workspace `verify` runs in (`--manifest-path`, else a Cargo.toml at or above the current
/// directory); `None` away from any workspace.
fn workspace_root(g: &GlobalArgs) -> Result<Option<PathBuf>> {
    match metadata::find_manifest(g.manifest_path.as_deref()) {
        Ok(m) => Ok(Some(workspace::guess_workspace_root(&m))),
        Err(e) if g.manifest_path.is_some() => Err(e),
        Err(_) => Ok(None),
    }
}

/// The time keys' `valid-after`/`valid-before` are checked at: `--date` (00:00 UTC), else now,
/// as `ssh-keygen -Y verify` (whose `-Overify-time` `--date` corresponds to).
pub fn verification_time(g: &GlobalArgs) -> Result<i64> {
    Ok(match &g.date {
        Some(_) => date(g)?.epoch_seconds(),
        None => jiff::Timestamp::now().as_second(),
    })
}
