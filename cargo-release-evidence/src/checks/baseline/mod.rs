//! The configuration baseline (`[baseline]`): each release member's version is tied to a tag
//! on the release commit (annotated, signed by a release signer), on a release branch, from a
//! clean tree, with a release-notes entry. [`gather`] collects the facts per member (git,
//! signature checks, the release notes) as a [`Baseline`] record — the manifest's `baseline`
//! section — and [`check`] turns the records into findings. The comparison with earlier
//! releases ([`version::compare`]) runs in the main job, which knows the evidence directory.
//!
//! The tag's SSH signature is checked twice and both must agree: by `git verify-tag` with the
//! policy's allowed_signers, and by our own SSHSIG verification (namespace `git`), which lives
//! in `sign/` (a higher layer) and is handed down as a [`SshVerifier`].

pub mod notes;
pub mod signature;
pub mod version;

use super::Context;
use crate::error::Result;
use crate::findings::{Code, Finding, Kind, Location, PackageRef, Severity, Via};
use crate::policy::Policy;
use crate::policy::baseline::{BaselinePolicy, expand, glob};
use crate::workspace::git::{self, GitFacts};
use crate::workspace::{MemberSet, Workspace};
use notes::NotesEntry;
use serde::Serialize;
use version::{PreviousRelease, PublicApi};

pub use signature::{GIT_NAMESPACE, SignatureCheck, SignatureRecord, SignatureStatus, SshVerifier};
use signature::{signature, signature_finding, unsigned};

/// The baseline of one release member: the manifest's `baseline` section.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    pub package: String,
    pub version: String,
    /// `HEAD` (`null` outside git).
    pub commit: Option<String>,
    pub tree: Option<String>,
    /// No uncommitted changes (`null` outside git).
    pub clean: Option<bool>,
    pub tag: TagRecord,
    pub branch: BranchRecord,
    /// `null` when the policy names no release-notes file.
    pub release_notes: Option<NotesRecord>,
    /// The previous release (from the evidence next to this one), set by the main job.
    pub previous: Option<PreviousRelease>,
    pub public_api: PublicApi,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagRecord {
    /// The name the pattern gives for this version.
    pub name: String,
    pub pattern: String,
    /// The tag exists and points at `HEAD`.
    pub at_head: bool,
    /// The object the tag names (the tag object, or the commit of a lightweight tag).
    pub object: Option<String>,
    /// The commit the tag points at (another commit than `HEAD` when `at_head` is false).
    pub commit: Option<String>,
    pub annotated: Option<bool>,
    pub tagger: Option<String>,
    pub signature: SignatureRecord,
    /// The tag object's text with its signature, so `verify` can check it without git.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BranchRecord {
    /// The checked-out branch (`null`: detached HEAD).
    pub current: Option<String>,
    /// The allowed release branch the commit is on (`null`: none).
    pub release_branch: Option<String>,
    pub patterns: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotesRecord {
    /// Relative to the workspace root.
    pub file: String,
    pub exists: bool,
    /// `null`: no entry for the version.
    pub entry: Option<NotesEntry>,
}

/// Gathers every release member's baseline.
pub fn gather(
    ws: &Workspace,
    policy: &Policy,
    sets: &[MemberSet],
    verifier: Option<SshVerifier>,
) -> Result<(Option<GitFacts>, Vec<Baseline>)> {
    let Some(b) = policy.data.baseline.as_ref().map(|b| b.get_ref()) else {
        return Ok((None, Vec::new()));
    };
    let names: Vec<String> = sets
        .iter()
        .map(|s| expand(b.tag_pattern(&s.name), &s.name, &s.version.to_string()))
        .collect();
    let facts = git::read(&ws.root, &names);
    let signers = policy.allowed_signers_path();
    let release_signers: Vec<String> = policy
        .data
        .approvals
        .as_ref()
        .map(|a| a.get_ref().release_signers.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (set, name) in sets.iter().zip(names) {
        let tag_ref = facts
            .as_ref()
            .and_then(|f| f.tags.iter().find(|t| t.name == name));
        let head = facts.as_ref().map(|f| f.commit.as_str());
        let at_head = tag_ref.is_some_and(|t| Some(t.commit.as_str()) == head);
        let signature = match tag_ref.filter(|_| at_head) {
            Some(t) => signature(&ws.root, t, signers.as_deref(), &release_signers, verifier)?,
            None => unsigned(None),
        };
        let api = ws
            .graph
            .metadata(&set.id)
            .map(|p| version::public_api(&p))
            .unwrap_or_default();
        out.push(Baseline {
            package: set.name.clone(),
            version: set.version.to_string(),
            commit: facts.as_ref().map(|f| f.commit.clone()),
            tree: facts.as_ref().map(|f| f.tree.clone()),
            clean: facts.as_ref().map(|f| f.changes.is_empty()),
            tag: TagRecord {
                pattern: b.tag_pattern(&set.name).to_owned(),
                at_head,
                object: tag_ref.map(|t| t.object.clone()),
                commit: tag_ref.map(|t| t.commit.clone()),
                annotated: tag_ref.map(|t| t.annotated),
                tagger: tag_ref.and_then(|t| t.raw.as_deref()).and_then(git::tagger),
                raw: tag_ref.and_then(|t| t.raw.clone()),
                name,
                signature,
            },
            branch: branch(b, facts.as_ref()),
            release_notes: notes(ws, policy, b, set),
            previous: None,
            public_api: api,
        });
    }
    Ok((facts, out))
}

fn branch(b: &BaselinePolicy, facts: Option<&GitFacts>) -> BranchRecord {
    let patterns: Vec<String> = b.branches.iter().map(|p| p.get_ref().clone()).collect();
    let matches = |name: &str| patterns.iter().any(|p| glob(p, name, true));
    let current = facts.and_then(|f| f.branch.clone());
    let release_branch = current
        .clone()
        .filter(|c| matches(c))
        .or_else(|| facts.and_then(|f| f.containing.iter().find(|c| matches(c)).cloned()));
    BranchRecord {
        current,
        release_branch,
        patterns,
    }
}

fn notes(
    ws: &Workspace,
    policy: &Policy,
    b: &BaselinePolicy,
    set: &MemberSet,
) -> Option<NotesRecord> {
    let file = expand(
        b.release_notes(&set.name)?,
        &set.name,
        &set.version.to_string(),
    );
    let path = policy.base_dir.join(&file);
    let text = std::fs::read_to_string(&path).ok();
    Some(NotesRecord {
        file: crate::util::paths::relative_display(&ws.root, &path),
        exists: text.is_some(),
        entry: text.and_then(|t| {
            notes::find_entry(&t, b.heading_pattern(), &set.name, &set.version.to_string())
        }),
    })
}

/// The findings of the gathered baselines.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Some(b) = cx.policy.data.baseline.as_ref().map(|b| b.get_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rec in cx.baseline {
        let Some(set) = cx.sets.iter().find(|s| s.name == rec.package) else {
            continue;
        };
        let package = member_ref(cx, set);
        let mut push = |code: Code, msg: String, fix: String, key: Option<&str>| {
            out.push(finding(cx.policy, code, &package, msg, fix, key));
        };
        let name = &rec.package;
        let tag = &rec.tag;
        let sign = if b.signed { "-s" } else { "-a" };
        match &rec.commit {
            None => push(
                Code::BaselineNoGit,
                format!("{name} {}: the workspace is not a git checkout with a commit, so the release has no baseline", rec.version),
                "release from a git checkout of the tagged release commit (and make sure `git` is installed)".into(),
                None,
            ),
            Some(head) if !tag.at_head => push(
                Code::BaselineUntagged,
                match &tag.commit {
                    Some(other) => format!("tag `{}` points at commit {}, not at HEAD {}", tag.name, short(other), short(head)),
                    None => format!(
                        "HEAD {} has no tag `{}` (pattern `{}`){}",
                        short(head),
                        tag.name,
                        tag.pattern,
                        head_tags(cx)
                    ),
                },
                if tag.commit.is_some() {
                    format!("release the tagged commit (git checkout {}), or bump the version; never move a published tag", tag.name)
                } else {
                    format!("tag the release commit: git tag {sign} {} -m \"{name} {}\"", tag.name, rec.version)
                },
                Some("tag"),
            ),
            Some(_) => {
                if b.annotated && tag.annotated == Some(false) {
                    push(
                        Code::BaselineTagLightweight,
                        format!("tag `{}` is a lightweight tag (no tagger, date or message)", tag.name),
                        format!("replace it with an annotated tag: git tag -f {sign} {} -m \"{name} {}\"", tag.name, rec.version),
                        Some("tag"),
                    );
                }
                if b.signed {
                    signature_finding(&mut push, rec, sign);
                }
            }
        }
        if !rec.branch.patterns.is_empty()
            && rec.commit.is_some()
            && rec.branch.release_branch.is_none()
        {
            let pats = rec.branch.patterns.join(", ");
            push(
                Code::BaselineBranch,
                match &rec.branch.current {
                    Some(c) => format!("{name} {} is released from branch `{c}`, which matches none of the release branches ({pats}), and no release branch contains the commit", rec.version),
                    None => format!("{name} {}: HEAD is detached and no local or remote-tracking branch matching the release branches ({pats}) contains it", rec.version),
                },
                "merge the release into a release branch and release from there (in CI, fetch the branches: `fetch-depth: 0`)".into(),
                Some("branches"),
            );
        }
        if b.clean && rec.clean == Some(false) {
            let changes = dirty(cx);
            push(
                Code::BaselineDirty,
                format!("the working tree has uncommitted changes: {changes}"),
                "commit or remove the changes (git status), then tag and release the commit".into(),
                None,
            );
        }
        if let Some(n) = &rec.release_notes
            && n.entry.is_none()
        {
            let heading = expand(b.heading_pattern(), name, &rec.version);
            push(
                Code::BaselineNotes,
                if n.exists {
                    format!("{} has no heading containing `{heading}`", n.file)
                } else {
                    format!("the release-notes file {} does not exist", n.file)
                },
                format!(
                    "add a section `## {heading}` to {} describing what changed in this release",
                    n.file
                ),
                Some("release-notes"),
            );
        }
    }
    out
}

/// A baseline finding about a member, located at its `[baseline]` key (or the section), and
/// a warning when `[baseline] warn` lists its code.
pub fn finding(
    policy: &Policy,
    code: Code,
    package: &PackageRef,
    message: String,
    fix: String,
    key: Option<&str>,
) -> Finding {
    let b = policy.data.baseline.as_ref();
    let warns = b.is_some_and(|b| b.get_ref().warns(code));
    let location = key
        .and_then(|k| key_location(policy, k))
        .unwrap_or_else(|| policy.section_location("baseline"));
    let mut f = Finding::new(code, message, fix)
        .package(package.clone())
        .via(vec![Via {
            member: package.name.clone(),
            kind: Kind::Linked,
            path: vec![package.name.clone()],
        }])
        .location(Some(location));
    if warns {
        f = f.severity(Severity::Warning);
    }
    f
}

fn key_location(policy: &Policy, key: &str) -> Option<Location> {
    let b = policy.data.baseline.as_ref()?.get_ref();
    let span = match key {
        "tag" => b.tag.as_ref().map(|t| t.span()),
        "branches" => b.branches.first().map(|t| t.span()),
        "release-notes" => b.release_notes.as_ref().map(|t| t.span()),
        _ => None,
    }?;
    Some(policy.location_at(span.start))
}

/// The member as a finding's package.
pub fn member_ref(cx: &Context<'_>, set: &MemberSet) -> PackageRef {
    cx.packages
        .iter()
        .find(|p| p.id == set.id)
        .map(|p| p.package_ref())
        .unwrap_or_else(|| PackageRef {
            name: set.name.clone(),
            version: set.version.to_string(),
            source: "workspace".into(),
        })
}

fn head_tags(cx: &Context<'_>) -> String {
    match cx.git.map(|g| &g.head_tags) {
        Some(t) if !t.is_empty() => format!(
            "; HEAD is tagged {}",
            crate::util::text::clip(&t.join(", "), 200)
        ),
        _ => String::new(),
    }
}

fn dirty(cx: &Context<'_>) -> String {
    let Some(g) = cx.git else {
        return String::new();
    };
    let shown: Vec<&str> = g.changes.iter().take(5).map(|l| l.trim()).collect();
    let more = g.changes.len().saturating_sub(shown.len());
    let mut t = crate::util::text::clip(&shown.join(", "), 300);
    if more > 0 {
        t.push_str(&format!(" and {more} more"));
    }
    t
}

/// The first 12 characters (of a commit id; safe on any input).
pub fn short(c: &str) -> &str {
    c.char_indices().nth(12).map_or(c, |(i, _)| &c[..i])
}
