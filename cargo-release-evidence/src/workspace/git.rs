//! The git facts a release baseline is checked against: the commit and tree of `HEAD`, the
//! checked-out branch and every branch (local or remote-tracking) containing the commit, the
//! uncommitted changes, and the release tags asked for (object id, annotated or lightweight,
//! the commit they point at, the raw tag object with its signature). Read with the system git
//! in four concurrent calls (plus one `cat-file` per annotated tag asked for); only when the
//! policy has `[baseline]`.

use crate::util::process;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct GitFacts {
    pub commit: String,
    pub tree: String,
    /// The checked-out branch (`None`: detached HEAD).
    pub branch: Option<String>,
    /// Branches containing `HEAD`: local names, and remote-tracking ones without the remote
    /// (`origin/release/1.0` → `release/1.0`); sorted, deduplicated.
    pub containing: Vec<String>,
    /// `git status --porcelain` lines of uncommitted changes under the workspace root.
    pub changes: Vec<String>,
    /// Every tag pointing at `HEAD`, sorted.
    pub head_tags: Vec<String>,
    /// The tags asked for that exist.
    pub tags: Vec<TagRef>,
}

#[derive(Debug, Clone)]
pub struct TagRef {
    pub name: String,
    /// The object the tag ref names: the tag object (annotated) or the commit (lightweight).
    pub object: String,
    pub annotated: bool,
    /// The commit the tag finally points at.
    pub commit: String,
    /// The tag object's text (annotated tags only), signature included.
    pub raw: Option<String>,
}

/// Reads the facts; `None` when `root` is not in a git repository with a commit (or git is
/// missing). `tags` are the tag names whose details are wanted.
pub fn read(root: &Path, tags: &[String]) -> Option<GitFacts> {
    let refs: Vec<String> = tags.iter().map(|t| format!("refs/tags/{t}")).collect();
    let (head, status, containing, head_tags, found) = std::thread::scope(|s| {
        let status = s.spawn(|| process::git(root, &["status", "--porcelain", "--", "."]));
        let containing = s.spawn(|| {
            process::git(
                root,
                &[
                    "for-each-ref",
                    "--contains",
                    "HEAD",
                    "--format=%(refname)",
                    "refs/heads",
                    "refs/remotes",
                ],
            )
        });
        let head_tags = s.spawn(|| process::git(root, &["tag", "--points-at", "HEAD"]));
        let found = s.spawn(|| {
            if refs.is_empty() {
                return Ok(String::new());
            }
            let mut args = vec![
                "for-each-ref",
                "--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)",
            ];
            args.extend(refs.iter().map(String::as_str));
            process::git(root, &args)
        });
        let head = process::git(
            root,
            &[
                "rev-parse",
                "HEAD",
                "HEAD^{tree}",
                "--symbolic-full-name",
                "HEAD",
            ],
        );
        (
            head,
            status.join(),
            containing.join(),
            head_tags.join(),
            found.join(),
        )
    });
    let head = head.ok()?;
    let mut lines = head.lines();
    let commit = lines.next()?.trim().to_owned();
    let tree = lines.next()?.trim().to_owned();
    let branch = lines
        .next()
        .and_then(|r| r.trim().strip_prefix("refs/heads/"))
        .map(str::to_owned);
    let text = |r: std::thread::Result<crate::error::Result<String>>| {
        r.ok().and_then(Result::ok).unwrap_or_default()
    };
    let changes = text(status).lines().map(str::to_owned).collect();
    let mut containing: Vec<String> = text(containing).lines().filter_map(branch_name).collect();
    containing.sort();
    containing.dedup();
    let mut head_tags: Vec<String> = text(head_tags).lines().map(str::to_owned).collect();
    head_tags.sort();
    let tags = text(found)
        .lines()
        .filter_map(|line| {
            let mut f = line.split('\0');
            let (name, kind, object, peeled) = (f.next()?, f.next()?, f.next()?, f.next()?);
            let annotated = kind == "tag";
            Some(TagRef {
                name: name.to_owned(),
                object: object.to_owned(),
                annotated,
                commit: if annotated { peeled } else { object }.to_owned(),
                raw: annotated
                    .then(|| process::git(root, &["cat-file", "tag", object]).ok())
                    .flatten(),
            })
        })
        .collect();
    Some(GitFacts {
        commit,
        tree,
        branch,
        containing,
        changes,
        head_tags,
        tags,
    })
}

/// `refs/heads/x` → `x`; `refs/remotes/origin/x` → `x` (not `origin/HEAD`).
fn branch_name(r: &str) -> Option<String> {
    if let Some(b) = r.strip_prefix("refs/heads/") {
        return Some(b.to_owned());
    }
    let (_, b) = r.strip_prefix("refs/remotes/")?.split_once('/')?;
    (b != "HEAD").then(|| b.to_owned())
}

/// The signed part and the armored signature of a tag object, split as git splits it: at the
/// last line that starts a signature block.
pub fn split_signature(raw: &str) -> Option<(&str, &str)> {
    const STARTS: [&str; 4] = [
        "-----BEGIN PGP SIGNATURE-----",
        "-----BEGIN PGP MESSAGE-----",
        "-----BEGIN SIGNED MESSAGE-----",
        "-----BEGIN SSH SIGNATURE-----",
    ];
    let mut at = None;
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        if STARTS.iter().any(|s| line.starts_with(s)) {
            at = Some(offset);
        }
        offset += line.len();
    }
    at.map(|i| raw.split_at(i))
}

/// `tagger Name <email> …` of a tag object: `Name <email>`.
pub fn tagger(raw: &str) -> Option<String> {
    let line = raw
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("tagger "))?;
    let end = line.rfind('>').map_or(line.len(), |i| i + 1);
    Some(line[..end].to_owned())
}

/// What `git verify-tag` says about a tag object, checked against `allowed_signers` (as
/// `gpg.ssh.allowedSignersFile`): whether it accepts it, and its first line of output.
pub fn verify_tag(root: &Path, object: &str, allowed_signers: &Path) -> (bool, String) {
    let file = format!("gpg.ssh.allowedSignersFile={}", allowed_signers.display());
    let args = [
        "-c",
        "gpg.format=ssh",
        "-c",
        file.as_str(),
        "verify-tag",
        "--raw",
        object,
    ];
    match process::git_status(root, &args) {
        Ok((ok, out, err)) => {
            let text = format!("{err}\n{out}");
            let first = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            (ok, crate::util::text::clip(&first, 300))
        }
        Err(e) => (false, crate::util::text::clip(&e.to_string(), 300)),
    }
}

/// Whether `commit` is an ancestor of (or equal to) `HEAD`; `None` when git cannot tell (an
/// unknown commit, a shallow clone).
pub fn is_ancestor(root: &Path, commit: &str) -> Option<bool> {
    match process::git_status(root, &["merge-base", "--is-ancestor", commit, "HEAD"]) {
        Ok((true, _, _)) => Some(true),
        Ok((false, _, err)) if err.trim().is_empty() => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_signature_and_reads_the_tagger() {
        let raw = "object 0123\ntype commit\ntag v1\ntagger Rel Eng <rel@example.com> 1780000000 +0000\n\nmsg\n-----BEGIN SSH SIGNATURE-----\nAAA\n-----END SSH SIGNATURE-----\n";
        let (payload, sig) = split_signature(raw).unwrap();
        assert!(payload.ends_with("msg\n"));
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----"));
        assert_eq!(tagger(raw).as_deref(), Some("Rel Eng <rel@example.com>"));
        assert_eq!(split_signature("object 1\n\nno signature\n"), None);
        assert_eq!(
            branch_name("refs/remotes/origin/release/1.0").as_deref(),
            Some("release/1.0")
        );
        assert_eq!(branch_name("refs/remotes/origin/HEAD"), None);
    }
}
