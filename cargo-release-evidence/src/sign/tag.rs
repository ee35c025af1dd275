//! Release tags signed with SSH keys, as git signs them (SSHSIG, namespace `git`, over the tag
//! object without its signature): our own check for the gate ([`verify_ssh`], handed to it as
//! `checks::baseline::SshVerifier`), and `verify`'s line about the recorded baseline, which
//! re-checks the tag's signature from the evidence alone (no git, no repository).

use super::allowed_signers::AllowedSigners;
use super::pattern;
use super::sshsig;
use crate::checks::baseline::{GIT_NAMESPACE, SignatureCheck, short};
use crate::error::Result;
use crate::workspace::git::split_signature;
use serde_json::Value;
use std::path::Path;

/// Checks an armored SSH signature over `message` in `namespace` against an allowed_signers
/// file; see [`check`].
pub fn verify_ssh(
    allowed_signers: &Path,
    release_signers: &[String],
    namespace: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureCheck> {
    let signers = AllowedSigners::load(allowed_signers)?;
    Ok(check(
        &signers,
        release_signers,
        namespace,
        message,
        signature,
        crate::util::time::now_seconds(),
    ))
}

/// The signature's key and the principals allowed_signers lists for it in `namespace` at
/// `time` (Unix seconds); the release signer is the first principal matching
/// `release_signers` (empty: nobody, as for the release signature).
pub fn check(
    signers: &AllowedSigners,
    release_signers: &[String],
    namespace: &str,
    message: &[u8],
    signature: &[u8],
    time: i64,
) -> SignatureCheck {
    let key = match sshsig::verify(signature, namespace, message) {
        Ok(k) => k,
        Err(sshsig::SigError::WrongNamespace { found }) => {
            return SignatureCheck::Invalid(format!(
                "signature has namespace `{}`, not `{namespace}`",
                crate::util::text::clip(&found, 60)
            ));
        }
        Err(e) => return SignatureCheck::Invalid(e.to_string()),
    };
    let principals = signers.literal_principals(&key, namespace, time);
    let release_signer = principals
        .iter()
        .find(|p| release_signers.iter().any(|r| pattern::matches(r, p)))
        .cloned();
    SignatureCheck::Valid {
        key: sshsig::fingerprint(&key),
        principals,
        release_signer,
    }
}

/// `verify`'s `baseline` item, `(ok, detail)`, for the manifest's `baseline` section (`None`
/// when there is none): what the gate recorded, and — when it recorded a tag signed by a
/// release signer — the tag's signature checked again with `signers`, and the tag object
/// naming the recorded commit.
pub fn verify_item(
    dir: &Path,
    signers: Option<&AllowedSigners>,
    release_signers: &[String],
    time: i64,
) -> Option<(bool, String)> {
    let text = std::fs::read(dir.join(crate::evidence::MANIFEST_FILE)).ok()?;
    let m: Value = serde_json::from_slice(&text).ok()?;
    let b = m.get("baseline").filter(|b| b.is_object())?;
    let s = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    let tag = &b["tag"];
    let status = tag["signature"]["status"].as_str().unwrap_or("unsigned");
    let mut detail = format!(
        "{} {}: commit {}, ",
        s(&b["package"]),
        s(&b["version"]),
        short(&s(&b["commit"]))
    );
    detail.push_str(&if tag["at_head"] == true {
        format!(
            "tag {} ({}, signature {status}{})",
            s(&tag["name"]),
            if tag["annotated"] == true {
                "annotated"
            } else {
                "lightweight"
            },
            tag["signature"]["signer"]
                .as_str()
                .map(|p| format!(" by {p}"))
                .unwrap_or_default()
        )
    } else {
        format!("untagged (no {} at HEAD)", s(&tag["name"]))
    });
    detail.push_str(&format!(
        ", branch {}, {}",
        b["branch"]["release_branch"]
            .as_str()
            .unwrap_or("(no release branch)"),
        match b["clean"].as_bool() {
            Some(true) => "clean",
            Some(false) => "DIRTY",
            None => "no git",
        }
    ));
    if let Some(n) = b["release_notes"].as_object() {
        detail.push_str(&match n["entry"].as_object() {
            Some(e) => format!(
                ", release notes {} line {}",
                n["file"].as_str().unwrap_or("-"),
                e["line"]
            ),
            None => format!(
                ", NO release-notes entry in {}",
                n["file"].as_str().unwrap_or("-")
            ),
        });
    }
    let mut ok = true;
    if status == "good" {
        let recheck = recheck(b, signers, release_signers, time);
        ok = recheck.is_ok();
        detail.push_str(&match recheck {
            Ok(p) => format!("; tag signature re-verified: {p}"),
            Err(why) => format!("; TAG SIGNATURE FAILS: {why}"),
        });
    }
    Some((ok, detail))
}

/// The recorded tag object's signature checked again: `Ok(signer and key)`.
fn recheck(
    b: &Value,
    signers: Option<&AllowedSigners>,
    release_signers: &[String],
    time: i64,
) -> std::result::Result<String, String> {
    let raw = b["tag"]["raw"]
        .as_str()
        .ok_or("the manifest records no tag object")?;
    let commit = b["commit"].as_str().unwrap_or_default();
    if raw.lines().next() != Some(&format!("object {commit}")) {
        return Err(format!(
            "the recorded tag object does not name commit {}",
            short(commit)
        ));
    }
    let (payload, sig) = split_signature(raw).ok_or("the recorded tag object has no signature")?;
    let signers = signers.ok_or("no allowed_signers to check the tag signer against")?;
    match check(
        signers,
        release_signers,
        GIT_NAMESPACE,
        payload.as_bytes(),
        sig.as_bytes(),
        time,
    ) {
        SignatureCheck::Valid {
            key,
            release_signer: Some(p),
            ..
        } => Ok(format!("{p} ({key})")),
        SignatureCheck::Valid { key, .. } => Err(format!(
            "key {key} is not an allowed release signer in namespace git"
        )),
        SignatureCheck::Invalid(why) => Err(why),
    }
}
