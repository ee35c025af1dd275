//! The trust root `verify` checks the evidence against: the approval rules and the
//! allowed_signers keys, chosen by the verifier, never by whoever wrote the evidence.
//!
//! Approval rules, first that applies:
//! 1. `--policy FILE`: that policy's `[approvals]` (a policy at a revision the verifier trusts);
//! 2. `--trust-evidence-copy`: the `approval_policy` copy in the evidence's manifest;
//! 3. the workspace's policy, when `verify` runs inside a workspace that has one;
//! 4. none: an error (exit 2) naming the flags.
//!
//! Keys: `--allowed-signers FILE`, else the allowed-signers file the chosen policy names,
//! else (rules from the copy) the `allowed_signers` copy inside the evidence.
//!
//! The copies inside the evidence are chosen by whoever signed `SHA256SUMS`: trusting them
//! checks integrity, not who approved. The report says so whenever they are used.

use super::allowed_signers::AllowedSigners;
use super::rules::Rules;
use crate::error::{Error, Result};
use crate::evidence::{self, model::ApprovalPolicy};
use crate::policy::Policy;
use serde::Serialize;
use std::path::Path;

/// Where the verifier's trust comes from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// `--policy FILE` (absolute).
    pub policy: Option<&'a Path>,
    /// The workspace root when run inside a workspace.
    pub workspace_root: Option<&'a Path>,
    /// `--allowed-signers FILE` (absolute).
    pub allowed_signers: Option<&'a Path>,
    /// `--trust-evidence-copy`.
    pub trust_evidence_copy: bool,
}

/// Where each part of the trust root came from, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub rules_from: String,
    pub allowed_signers_from: String,
    /// Whether a copy inside the evidence is trusted (`--trust-evidence-copy`).
    pub evidence_copy: bool,
    /// The warning shown when it is.
    pub notice: Option<String>,
}

impl Summary {
    /// One line naming where the rules and keys came from (and the notice, if any).
    pub fn describe(&self) -> String {
        let mut t = format!(
            "approval rules: {}; allowed signers: {}",
            self.rules_from, self.allowed_signers_from
        );
        if let Some(n) = &self.notice {
            t.push_str("; ");
            t.push_str(n);
        }
        t
    }
}

#[derive(Debug, Clone)]
pub struct TrustRoot {
    pub rules: Rules,
    pub signers: AllowedSigners,
    pub summary: Summary,
    /// A copy the verifier chose to trust is missing or unreadable: verification fails.
    pub problem: Option<String>,
}

pub const NO_TRUST_ROOT: &str = "verify needs a trust root, the approval rules and keys you trust: pass `--policy FILE` (release-evidence.toml at a revision you trust; its allowed-signers file is used, or `--allowed-signers FILE`), run it inside the workspace, or pass `--trust-evidence-copy` to trust the copies inside the evidence (whoever signed SHA256SUMS chose them)";

const COPY_NOTICE: &str = "trusting the copies inside the evidence (--trust-evidence-copy): whoever signed SHA256SUMS chose them, so this checks integrity, not who approved; pass --policy and --allowed-signers from a revision you trust";

/// The trust root for verifying `dir`, by the precedence above.
pub fn resolve(opts: &Options<'_>, dir: &Path) -> Result<TrustRoot> {
    if let Some(path) = opts.policy {
        let root = path.parent().unwrap_or(Path::new("."));
        let policy = Policy::load(root, Some(path))?;
        return from_policy(
            &policy,
            opts.allowed_signers,
            format!("policy {} (--policy)", path.display()),
        );
    }
    if opts.trust_evidence_copy {
        return from_copy(dir, opts.allowed_signers);
    }
    if let Some(root) = opts.workspace_root
        && has_policy(root)
    {
        let policy = Policy::load(root, None)?;
        if policy.data.approvals.is_some() {
            return from_policy(
                &policy,
                opts.allowed_signers,
                format!("the workspace policy {}", policy.path.display()),
            );
        }
        return Err(Error::Environment(format!(
            "the workspace policy {} has no [approvals] section; {NO_TRUST_ROOT}",
            policy.path.display()
        )));
    }
    Err(Error::Environment(NO_TRUST_ROOT.to_owned()))
}

fn has_policy(root: &Path) -> bool {
    root.join(crate::policy::POLICY_FILE).is_file()
        || std::fs::read_to_string(root.join("Cargo.toml"))
            .is_ok_and(|t| t.contains("release-evidence"))
}

/// The rules of `policy`'s `[approvals]` and its allowed-signers file (or `signers_override`).
pub fn from_policy(
    policy: &Policy,
    signers_override: Option<&Path>,
    rules_from: String,
) -> Result<TrustRoot> {
    let approvals = policy.data.approvals.as_ref().ok_or_else(|| {
        Error::Environment(format!(
            "{} has no [approvals] section: name the roles, the allowed_signers file and who holds each role",
            policy.path.display()
        ))
    })?;
    let (signers, from) = match signers_override {
        Some(p) => (
            AllowedSigners::load(p)?,
            format!("{} (--allowed-signers)", p.display()),
        ),
        None => {
            let p = policy
                .allowed_signers_path()
                .unwrap_or_else(|| policy.base_dir.join("allowed_signers"));
            if !p.is_file() {
                return Err(Error::Environment(format!(
                    "the allowed-signers file {} named by {} does not exist; pass `--allowed-signers FILE`",
                    p.display(),
                    policy.path.display()
                )));
            }
            (
                AllowedSigners::load(&p)?,
                format!("{} (named by the policy)", p.display()),
            )
        }
    };
    Ok(TrustRoot {
        rules: Rules::from_policy(approvals.get_ref()),
        signers,
        summary: Summary {
            rules_from,
            allowed_signers_from: from,
            evidence_copy: false,
            notice: None,
        },
        problem: None,
    })
}

/// The copies inside the evidence (`--trust-evidence-copy`).
fn from_copy(dir: &Path, signers_override: Option<&Path>) -> Result<TrustRoot> {
    let mut problems = Vec::new();
    let manifest = dir.join(evidence::MANIFEST_FILE);
    let rules = match std::fs::read(&manifest)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| serde_json::from_value::<ApprovalPolicy>(m["approval_policy"].clone()).ok())
    {
        Some(p) => Rules::from_evidence(&p),
        None => {
            problems.push(format!(
                "{} holds no readable approval_policy to trust",
                evidence::MANIFEST_FILE
            ));
            Rules::default()
        }
    };
    let copy = dir.join(evidence::ALLOWED_SIGNERS_FILE);
    let (signers, from) = match signers_override {
        Some(p) => (
            AllowedSigners::load(p)?,
            format!("{} (--allowed-signers)", p.display()),
        ),
        None => {
            let signers = match AllowedSigners::load(&copy) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!(
                        "the allowed_signers copy is missing or unreadable: {}",
                        crate::util::text::clip(&e.to_string(), 300)
                    ));
                    AllowedSigners {
                        path: copy.clone(),
                        entries: Vec::new(),
                    }
                }
            };
            (
                signers,
                "the allowed_signers copy inside the evidence (--trust-evidence-copy)".to_owned(),
            )
        }
    };
    Ok(TrustRoot {
        rules,
        signers,
        summary: Summary {
            rules_from: "the approval_policy copy inside the evidence (--trust-evidence-copy)"
                .to_owned(),
            allowed_signers_from: from,
            evidence_copy: true,
            notice: Some(COPY_NOTICE.to_owned()),
        },
        problem: (!problems.is_empty()).then(|| problems.join("; ")),
    })
}
