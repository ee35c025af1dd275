//! The version against earlier releases: the semver relation to the previous release, whether
//! the version increased at all, and whether the bump is as large as what can be proven
//! offline to need it (a removed feature, a re-exported dependency with a breaking bump).

use super::{Baseline, finding, short};
use crate::findings::{Code, Finding, PackageRef};
use crate::policy::Policy;
use guppy::graph::{BuildTargetId, PackageMetadata};
use semver::Version;
use serde::{Deserialize, Serialize};

/// What of the member's public interface can be compared offline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicApi {
    /// Declared features (`[features]` and optional dependencies), sorted.
    pub features: Vec<String>,
    /// Dependencies the library re-exports from its root (`pub use dep…`,
    /// `pub extern crate dep`), with their versions; sorted.
    pub reexports: Vec<Reexport>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reexport {
    pub name: String,
    pub version: String,
}

/// The release this one follows, and how the version moved.
#[derive(Debug, Clone, Serialize)]
pub struct PreviousRelease {
    pub version: String,
    /// The evidence directory it was read from (its name).
    pub evidence: String,
    pub commit: Option<String>,
    /// `major`, `minor`, `patch` or `pre-release` (the highest part that changed).
    pub relation: &'static str,
    /// Cargo-incompatible (the leftmost non-zero part changed): a breaking release.
    pub breaking: bool,
}

/// An earlier release of the product, as its evidence records it.
#[derive(Debug, Clone)]
pub struct PriorRelease {
    pub version: Version,
    pub evidence: String,
    pub commit: Option<String>,
    /// Approved or signed: a release, not a candidate.
    pub sealed: bool,
    pub public_api: Option<PublicApi>,
}

/// The member's public interface as far as it can be read offline.
pub fn public_api(pkg: &PackageMetadata<'_>) -> PublicApi {
    let mut features: Vec<String> = pkg.named_features().map(str::to_owned).collect();
    features.sort();
    let root = pkg
        .build_targets()
        .find(|t| t.id() == BuildTargetId::Library)
        .and_then(|t| std::fs::read_to_string(t.path()).ok())
        .unwrap_or_default();
    let used = reexported_names(&root);
    let mut reexports: Vec<Reexport> = pkg
        .direct_links()
        .filter(|l| l.normal().is_present())
        .filter(|l| used.contains(&l.resolved_name().replace('-', "_")))
        .map(|l| Reexport {
            name: l.to().name().to_owned(),
            version: l.to().version().to_string(),
        })
        .collect();
    reexports.sort();
    reexports.dedup();
    PublicApi {
        features,
        reexports,
    }
}

/// Crate names a crate root re-exports: `pub use name…;`, `pub use ::name…;`,
/// `pub extern crate name;`.
fn reexported_names(root: &str) -> Vec<String> {
    root.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let rest = l
                .strip_prefix("pub use ")
                .or_else(|| l.strip_prefix("pub extern crate "))?;
            let rest = rest.trim_start().trim_start_matches("::");
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty() && !["crate", "self", "super"].contains(&name.as_str()))
                .then_some(name)
        })
        .collect()
}

/// The highest part that changed from `old` to `new`.
pub fn relation(old: &Version, new: &Version) -> &'static str {
    if old.major != new.major {
        "major"
    } else if old.minor != new.minor {
        "minor"
    } else if old.patch != new.patch {
        "patch"
    } else {
        "pre-release"
    }
}

/// Cargo's compatibility rule: a change of the leftmost non-zero part breaks.
pub fn breaking(old: &Version, new: &Version) -> bool {
    if old.major != new.major {
        return true;
    }
    if old.major == 0 && old.minor != new.minor {
        return true;
    }
    old.major == 0 && old.minor == 0 && old.patch != new.patch
}

/// Compares the release with the earlier ones: fills `record.previous` (the highest earlier
/// version) and returns RE-BASELINE-VERSION / RE-BASELINE-BUMP findings. `is_ancestor` tells
/// whether a commit is an ancestor of HEAD (`None`: cannot tell).
pub fn compare(
    record: &mut Baseline,
    package: &PackageRef,
    policy: &Policy,
    priors: &[PriorRelease],
    is_ancestor: &dyn Fn(&str) -> Option<bool>,
) -> Vec<Finding> {
    let Ok(current) = Version::parse(&record.version) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let name = &package.name;
    let commit = record.commit.clone();
    for p in priors.iter().filter(|p| p.sealed) {
        let other = p
            .commit
            .as_deref()
            .filter(|c| Some(*c) != commit.as_deref());
        let Some(other) = other else { continue };
        let why = if p.version == current {
            format!(
                "{name} {current} was already released from commit {} (evidence {}); this is commit {}",
                short(other),
                p.evidence,
                commit.as_deref().map_or("(none)", short)
            )
        } else if p.version > current && is_ancestor(other) == Some(true) {
            format!(
                "{name} {} was released from commit {}, an ancestor of this commit; {current} goes back",
                p.version,
                short(other)
            )
        } else {
            continue;
        };
        out.push(finding(
            policy,
            Code::BaselineVersion,
            package,
            format!("version did not increase: {why}"),
            format!(
                "bump the version of {name} in its Cargo.toml above {} (and tag and note the new version)",
                p.version
            ),
            None,
        ));
    }
    let previous = priors
        .iter()
        .filter(|p| p.version < current)
        .max_by(|a, b| a.version.cmp(&b.version));
    if let Some(p) = previous {
        let brk = breaking(&p.version, &current);
        record.previous = Some(PreviousRelease {
            version: p.version.to_string(),
            evidence: p.evidence.clone(),
            commit: p.commit.clone(),
            relation: relation(&p.version, &current),
            breaking: brk,
        });
        if let (Some(before), false) = (&p.public_api, brk) {
            let reasons = needs_breaking(before, &record.public_api);
            if !reasons.is_empty() {
                out.push(finding(
                    policy,
                    Code::BaselineBump,
                    package,
                    format!(
                        "{name} {} → {current} is a compatible bump, but {}",
                        p.version,
                        reasons.join("; ")
                    ),
                    format!(
                        "release a breaking version ({}), or restore what was removed",
                        next_breaking(&p.version)
                    ),
                    None,
                ));
            }
        }
    }
    out
}

/// What changed in the public interface that only a breaking release may change.
fn needs_breaking(before: &PublicApi, now: &PublicApi) -> Vec<String> {
    let mut out = Vec::new();
    for f in &before.features {
        if !now.features.contains(f) {
            out.push(format!("feature `{f}` was removed"));
        }
    }
    for old in &before.reexports {
        let (Ok(v0), Some(new)) = (
            Version::parse(&old.version),
            now.reexports.iter().find(|r| r.name == old.name),
        ) else {
            continue;
        };
        if let Ok(v1) = Version::parse(&new.version)
            && breaking(&v0, &v1)
        {
            out.push(format!(
                "the re-exported dependency {} went from {} to {} (a breaking bump)",
                old.name, old.version, new.version
            ));
        }
    }
    out
}

fn next_breaking(v: &Version) -> String {
    if v.major > 0 {
        format!("{}.0.0", v.major + 1)
    } else if v.minor > 0 {
        format!("0.{}.0", v.minor + 1)
    } else {
        format!("0.0.{}", v.patch + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn relations_follow_cargo() {
        assert_eq!(relation(&v("0.9.0"), &v("0.10.0")), "minor");
        assert!(breaking(&v("0.9.0"), &v("0.10.0")));
        assert!(!breaking(&v("0.9.0"), &v("0.9.1")));
        assert!(!breaking(&v("1.2.0"), &v("1.3.0")));
        assert!(breaking(&v("1.2.0"), &v("2.0.0")));
        assert!(breaking(&v("0.0.1"), &v("0.0.2")));
        assert_eq!(relation(&v("1.0.0-rc.1"), &v("1.0.0")), "pre-release");
        assert_eq!(next_breaking(&v("0.9.3")), "0.10.0");
        assert_eq!(short("0123456789abcdef"), "0123456789ab");
        assert_eq!(short("éééééééééééééé"), "éééééééééééé");
    }

    #[test]
    fn reexports_are_read_from_the_crate_root() {
        let root = "//! x\npub use smallvec::SmallVec;\npub use ::hex;\npub extern crate crc;\nuse log::info;\npub use crate::a;\n";
        assert_eq!(reexported_names(root), vec!["smallvec", "hex", "crc"]);
        let before = PublicApi {
            features: vec!["default".into(), "hex-dump".into()],
            reexports: vec![Reexport {
                name: "smallvec".into(),
                version: "0.6.13".into(),
            }],
        };
        let now = PublicApi {
            features: vec!["default".into()],
            reexports: vec![Reexport {
                name: "smallvec".into(),
                version: "1.13.2".into(),
            }],
        };
        assert_eq!(
            needs_breaking(&before, &now),
            vec![
                "feature `hex-dump` was removed".to_owned(),
                "the re-exported dependency smallvec went from 0.6.13 to 1.13.2 (a breaking bump)"
                    .to_owned()
            ]
        );
    }
}
