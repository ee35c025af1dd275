//! The release tag's signature: checked by our own SSHSIG verification (namespace `git`, handed
//! down from `sign/` as an [`SshVerifier`]) and by `git verify-tag` with the policy's
//! allowed_signers; both must agree. And the finding a signature that is not good gives.

use super::Baseline;
use crate::error::Result;
use crate::findings::Code;
use crate::workspace::git::{self, TagRef};
use serde::Serialize;
use std::path::Path;

/// The namespace git signs tags and commits in.
pub const GIT_NAMESPACE: &str = "git";

/// An SSH signature check against an allowed_signers file: `(allowed_signers, release signers,
/// namespace, signed message, armored signature)`. `Err` when the allowed_signers file cannot
/// be read or parsed.
pub type SshVerifier = fn(&Path, &[String], &str, &[u8], &[u8]) -> Result<SignatureCheck>;

/// What an SSH signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The signature is valid for `key` (`SHA256:…`); `principals` are those allowed_signers
    /// lists for the key in the namespace, `release_signer` the first that is a release signer.
    Valid {
        key: String,
        principals: Vec<String>,
        release_signer: Option<String>,
    },
    /// Malformed, wrong namespace, or not a signature over the message.
    Invalid(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureRecord {
    pub status: SignatureStatus,
    /// The release signer (principal) the key belongs to.
    pub signer: Option<String>,
    /// `SHA256:…` fingerprint of the signing key.
    pub key: Option<String>,
    /// What `git verify-tag` said.
    pub git: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// No tag at HEAD, or no signature to check.
    Unsigned,
    /// Valid, by a release signer; git and our check agree.
    Good,
    /// Valid, but the key is not in allowed_signers for namespace `git`.
    UnknownKey,
    /// Valid, but none of the key's principals is a release signer.
    NotReleaseSigner,
    /// Does not verify.
    Bad,
    /// An OpenPGP or X.509 signature (only SSH signatures check against allowed_signers).
    Unsupported,
    /// git and our own check disagree.
    Disagree,
    /// Signed, but the policy names no allowed_signers to check it against.
    Unchecked,
}

pub(super) fn unsigned(detail: Option<&str>) -> SignatureRecord {
    SignatureRecord {
        status: SignatureStatus::Unsigned,
        signer: None,
        key: None,
        git: None,
        detail: detail.map(str::to_owned),
    }
}

/// The tag's signature, checked by our SSHSIG verification and by `git verify-tag`.
pub(super) fn signature(
    root: &Path,
    tag: &TagRef,
    signers: Option<&Path>,
    release_signers: &[String],
    verifier: Option<SshVerifier>,
) -> Result<SignatureRecord> {
    let Some(raw) = &tag.raw else {
        return Ok(unsigned(Some(if tag.annotated {
            "the tag object could not be read"
        } else {
            "a lightweight tag carries no signature"
        })));
    };
    let Some((payload, sig)) = git::split_signature(raw) else {
        return Ok(unsigned(Some("the annotated tag has no signature")));
    };
    let mut rec = SignatureRecord {
        status: SignatureStatus::Unsupported,
        signer: None,
        key: None,
        git: None,
        detail: None,
    };
    if !sig.starts_with("-----BEGIN SSH SIGNATURE-----") {
        rec.detail = Some(
            "an OpenPGP/X.509 signature; only SSH signatures are checked against allowed_signers"
                .into(),
        );
        return Ok(rec);
    }
    let Some(file) = signers else {
        rec.status = SignatureStatus::Unchecked;
        rec.detail = Some("no [approvals] allowed-signers to check the signature against".into());
        return Ok(rec);
    };
    let ours = match verifier {
        Some(v) => v(
            file,
            release_signers,
            GIT_NAMESPACE,
            payload.as_bytes(),
            sig.as_bytes(),
        )?,
        None => SignatureCheck::Invalid("no SSH signature verifier was configured".into()),
    };
    let (git_ok, git_says) = git::verify_tag(root, &tag.object, file);
    rec.git = Some(git_says.clone());
    let (status, detail) = match ours {
        SignatureCheck::Invalid(why) if git_ok => (
            SignatureStatus::Disagree,
            format!("git verify-tag accepts it ({git_says}), our check does not: {why}"),
        ),
        SignatureCheck::Invalid(why) => (SignatureStatus::Bad, why),
        SignatureCheck::Valid {
            key,
            principals,
            release_signer,
        } => {
            rec.key = Some(key.clone());
            if principals.is_empty() {
                if git_ok {
                    (
                        SignatureStatus::Disagree,
                        format!(
                            "git verify-tag accepts it ({git_says}), but allowed_signers lists key {key} for no principal in namespace git"
                        ),
                    )
                } else {
                    (
                        SignatureStatus::UnknownKey,
                        format!("key {key} is not listed in allowed_signers for namespace git"),
                    )
                }
            } else if !git_ok {
                (
                    SignatureStatus::Disagree,
                    format!(
                        "our check accepts key {key} of {}, git verify-tag does not: {git_says}",
                        principals.join(", ")
                    ),
                )
            } else if let Some(s) = release_signer {
                rec.signer = Some(s.clone());
                (SignatureStatus::Good, format!("signed by {s} ({key})"))
            } else {
                (
                    SignatureStatus::NotReleaseSigner,
                    format!(
                        "key {key} belongs to {}, none of them a release signer",
                        principals.join(", ")
                    ),
                )
            }
        }
    };
    rec.status = status;
    rec.detail = Some(crate::util::text::clip(&detail, 400));
    Ok(rec)
}

pub(super) type Push<'a> = dyn FnMut(Code, String, String, Option<&str>) + 'a;

pub(super) fn signature_finding(push: &mut Push<'_>, rec: &Baseline, sign: &str) {
    let tag = &rec.tag;
    let s = &tag.signature;
    let detail = s.detail.clone().unwrap_or_default();
    let resign = format!(
        "re-sign the tag with a release signer's key: git -c gpg.format=ssh -c user.signingkey=KEY tag -f {sign} {} -m \"{} {}\"",
        tag.name, rec.package, rec.version
    );
    match s.status {
        SignatureStatus::Good => {}
        SignatureStatus::Unsigned | SignatureStatus::Unchecked => push(
            Code::BaselineTagUnsigned,
            format!("tag `{}` is not signed ({detail})", tag.name),
            resign,
            Some("tag"),
        ),
        SignatureStatus::Bad | SignatureStatus::Unsupported | SignatureStatus::Disagree => push(
            Code::BaselineTagSignature,
            format!(
                "the signature of tag `{}` does not verify: {detail}",
                tag.name
            ),
            resign,
            Some("tag"),
        ),
        SignatureStatus::UnknownKey | SignatureStatus::NotReleaseSigner => push(
            Code::BaselineTagSigner,
            format!(
                "tag `{}` is not signed by a release signer: {detail}",
                tag.name
            ),
            format!(
                "{resign}; or list the key in allowed_signers (namespace git) under a principal in [approvals] release-signers"
            ),
            Some("tag"),
        ),
    }
}
