//! Independent verification of an evidence directory (`verify`), also used by `sign` to decide
//! readiness: every digest in SHA256SUMS, extra and missing files, the manifest's own digests,
//! every approval (signature, signer, role, digest) and the release signature.
//!
//! The evidence digest is the sha256 of `SHA256SUMS` as the main job wrote it: it covers the
//! artifacts, SBOMs, manifest, record and provenance at once, so an approval of it is an
//! approval of all of them, and any later change invalidates it.

use super::allowed_signers::{self, AllowedSigners};
use super::approval::{
    AcceptedFinding, Approval, SIGNATURE_FILE, evidence_digest, is_signing_file,
};
use super::sshsig::{self, APPROVAL_NAMESPACE, ARTIFACT_NAMESPACE};
use crate::error::{Error, Result};
use crate::evidence::model::{ApprovalPolicy, Product};
use crate::evidence::{self, checksums};
use crate::util::digest;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One checked item and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub item: String,
    pub ok: bool,
    pub detail: String,
}

/// An approval that verified.
#[derive(Debug, Clone, Serialize)]
pub struct ValidApproval {
    pub file: String,
    pub role: String,
    pub principal: String,
    pub decision: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub evidence_dir: PathBuf,
    pub evidence_digest: String,
    pub product: Option<Product>,
    pub gate_decision: Option<String>,
    /// Where the trusted keys came from.
    pub allowed_signers: String,
    pub items: Vec<Item>,
    pub approvals: Vec<ValidApproval>,
    /// Whether every check holds.
    pub ok: bool,
}

/// Everything about the directory except the release signature.
pub struct Checked {
    pub v: Verification,
    pub complete: bool,
    pub policy: ApprovalPolicy,
    pub signers: Option<AllowedSigners>,
    pub sums: Vec<u8>,
    pub blocking: Vec<AcceptedFinding>,
}

/// The digest approvals sign: `sha256:` + sha256 of SHA256SUMS.
/// auditor's own allowed_signers file.
pub fn check(dir: &Path, signers_override: Option<&Path>) -> Result<Checked> {
    let sums_path = dir.join(evidence::SUMS_FILE);
    let sums = std::fs::read(&sums_path)
        .map_err(|e| Error::io(format!("reading {}", sums_path.display()), e))?;
    let digest = evidence_digest(&sums);
    let mut items = Vec::new();
    let mut push = |item: String, ok: bool, detail: String| items.push(Item { item, ok, detail });

    let entries = checksums::parse(&String::from_utf8_lossy(&sums));
    let mut complete = true;
    let mut listed: BTreeSet<String> = BTreeSet::new();
    match &entries {
        None => {
            complete = false;
            push(
                "SHA256SUMS".into(),
                false,
                "malformed: not in sha256sum format".into(),
            );
        }
        Some(entries) => {
            push(
                "SHA256SUMS".into(),
                true,
                format!("{} entries, evidence digest {digest}", entries.len()),
            );
            for (path, want) in entries {
                listed.insert(path.clone());
                let file = dir.join(path);
                let is_artifact = path.starts_with("../") || path.contains('/');
                match digest::sha256_file(&file) {
                    Ok(got) if &got == want => push(path.clone(), true, "sha256 matches".into()),
                    Ok(got) => {
                        complete = false;
                        push(
                            path.clone(),
                            false,
                            format!("MODIFIED: sha256 {got}, SHA256SUMS says {want}"),
                        )
                    }
                    Err(_) if is_artifact && !file.exists() => push(
                        path.clone(),
                        true,
                        "artifact not present here (optional); its digest is covered by SHA256SUMS"
                            .into(),
                    ),
                    Err(_) => {
                        complete = false;
                        push(
                            path.clone(),
                            false,
                            "MISSING: listed in SHA256SUMS but not present".into(),
                        )
                    }
                }
            }
        }
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        if name == evidence::SUMS_FILE || listed.contains(name) || is_signing_file(name) {
            continue;
        }
        complete = false;
        push(
            name.clone(),
            false,
            "UNEXPECTED file: not in SHA256SUMS".into(),
        );
    }

    // The manifest's own digests must agree with SHA256SUMS.
    let manifest: Option<serde_json::Value> = std::fs::read(dir.join(evidence::MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let mut policy = ApprovalPolicy::default();
    let mut product = None;
    let mut gate_decision = None;
    let mut blocking = Vec::new();
    if let (Some(m), Some(entries)) = (&manifest, &entries) {
        for section in ["artifacts", "sbom"] {
            for rec in m[section].as_array().into_iter().flatten() {
                let (Some(path), Some(sha)) = (rec["path"].as_str(), rec["sha256"].as_str()) else {
                    continue;
                };
                let agrees = entries.iter().any(|(p, d)| p == path && d == sha);
                if !agrees {
                    complete = false;
                    push(
                        format!("manifest {section} {path}"),
                        false,
                        "the manifest's digest disagrees with SHA256SUMS".into(),
                    );
                }
            }
        }
        if let Ok(p) = serde_json::from_value(m["approval_policy"].clone()) {
            policy = p;
        }
        product = serde_json::from_value(m["product"].clone()).ok();
        gate_decision = m["gate"]["decision"].as_str().map(str::to_owned);
        for f in m["gate"]["findings"].as_array().into_iter().flatten() {
            if f["severity"] == "error" {
                blocking.push(AcceptedFinding {
                    code: f["code"].as_str().unwrap_or_default().to_owned(),
                    package: f["package"]["name"].as_str().map(str::to_owned),
                    advisory: f["advisory"].as_str().map(str::to_owned),
                });
            }
        }
    }

    // The keys.
    let (signers, signers_from) = match signers_override {
        Some(p) => (
            Some(AllowedSigners::load(p)?),
            format!("{} (given)", p.display()),
        ),
        None => {
            let p = dir.join(evidence::ALLOWED_SIGNERS_FILE);
            if p.exists() {
                (
                    Some(AllowedSigners::load(&p)?),
                    "allowed_signers inside the evidence (pass --allowed-signers for a trust anchor of your own)".to_owned(),
                )
            } else {
                (None, "none".to_owned())
            }
        }
    };

    // Approvals.
    let mut approvals = Vec::new();
    for name in names
        .iter()
        .filter(|n| n.starts_with("approval-") && n.ends_with(".json"))
    {
        let label = format!("approval {name}");
        match check_approval(dir, name, &digest, signers.as_ref(), &policy) {
            Ok(a) => {
                push(
                    label,
                    true,
                    format!(
                        "{} by {} as {} over the current digest",
                        a.decision, a.principal, a.role
                    ),
                );
                approvals.push(ValidApproval {
                    file: name.clone(),
                    role: a.role,
                    principal: a.principal,
                    decision: a.decision,
                });
            }
            Err(why) => push(label, false, why),
        }
    }
    for role in &policy.required_roles {
        let ok = approvals.iter().any(|a| &a.role == role);
        push(
            format!("role {role}"),
            ok,
            if ok {
                "approved".into()
            } else {
                "MISSING: no valid approval for this required role".into()
            },
        );
    }
    let ok = items.iter().all(|i| i.ok);
    Ok(Checked {
        v: Verification {
            evidence_dir: dir.to_path_buf(),
            evidence_digest: digest,
            product,
            gate_decision,
            allowed_signers: signers_from,
            items,
            approvals,
            ok,
        },
        complete,
        policy,
        signers,
        sums,
        blocking,
    })
}

fn check_approval(
    dir: &Path,
    name: &str,
    digest: &str,
    signers: Option<&AllowedSigners>,
    policy: &ApprovalPolicy,
) -> std::result::Result<Approval, String> {
    let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("unreadable: {e}"))?;
    let approval: Approval =
        serde_json::from_slice(&bytes).map_err(|e| format!("not an approval record: {e}"))?;
    let sig = std::fs::read(dir.join(format!("{name}.sig")))
        .map_err(|_| format!("MISSING signature {name}.sig"))?;
    let key = sshsig::verify(&sig, APPROVAL_NAMESPACE, &bytes).map_err(|e| match e {
        sshsig::SigError::WrongNamespace { found } => {
            format!("signature has namespace `{found}`, not `{APPROVAL_NAMESPACE}`")
        }
        other => other.to_string(),
    })?;
    let Some(signers) = signers else {
        return Err("no allowed_signers to check the signer against".into());
    };
    if !signers.allows(&approval.principal, &key, APPROVAL_NAMESPACE) {
        return Err(format!(
            "signed by key {} which allowed_signers does not list for principal {} in namespace {APPROVAL_NAMESPACE}",
            sshsig::fingerprint(&key),
            approval.principal
        ));
    }
    let holders = policy
        .roles
        .get(&approval.role)
        .cloned()
        .unwrap_or_default();
    if !holders
        .iter()
        .any(|p| allowed_signers::pattern_match(p, &approval.principal))
    {
        return Err(format!(
            "principal {} is not in role {} (holders: {})",
            approval.principal,
            approval.role,
            if holders.is_empty() {
                "none".to_owned()
            } else {
                holders.join(", ")
            }
        ));
    }
    if approval.evidence_digest != digest {
        return Err(format!(
            "covers evidence digest {}, not the current {digest}",
            approval.evidence_digest
        ));
    }
    Ok(approval)
}

/// The release signature over SHA256SUMS.
pub fn check_release_signature(c: &Checked, dir: &Path) -> Item {
    let item = SIGNATURE_FILE.to_owned();
    let Ok(sig) = std::fs::read(dir.join(SIGNATURE_FILE)) else {
        return Item {
            item,
            ok: false,
            detail: "MISSING: the release is not signed".into(),
        };
    };
    let key = match sshsig::verify(&sig, ARTIFACT_NAMESPACE, &c.sums) {
        Ok(k) => k,
        Err(e) => {
            return Item {
                item,
                ok: false,
                detail: e.to_string(),
            };
        }
    };
    let Some(signers) = &c.signers else {
        return Item {
            item,
            ok: false,
            detail: "no allowed_signers to check the signer against".into(),
        };
    };
    let principals = signers.principals_for(&key, ARTIFACT_NAMESPACE);
    let allowed: Vec<&String> = principals
        .iter()
        .filter(|p| {
            c.policy.release_signers.is_empty()
                || c.policy
                    .release_signers
                    .iter()
                    .any(|r| allowed_signers::pattern_match(r, p))
        })
        .collect();
    match allowed.first() {
        Some(p) => Item {
            item,
            ok: true,
            detail: format!("signed by {p} ({})", sshsig::fingerprint(&key)),
        },
        None => Item {
            item,
            ok: false,
            detail: format!(
                "signed by key {} which is not an allowed release signer",
                sshsig::fingerprint(&key)
            ),
        },
    }
}

/// `verify`: all checks, including the release signature.
pub fn run(dir: &Path, signers_override: Option<&Path>) -> Result<Verification> {
    let c = check(dir, signers_override)?;
    let sig = check_release_signature(&c, dir);
    let mut v = c.v;
    v.items.push(sig);
    if let Some((ok, detail)) =
        super::tag::verify_item(dir, c.signers.as_ref(), &c.policy.release_signers)
    {
        let item = "baseline".into();
        v.items.push(Item { item, ok, detail });
    }
    v.ok = v.items.iter().all(|i| i.ok);
    Ok(v)
}
