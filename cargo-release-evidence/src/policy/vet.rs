//! A cargo-vet store (`supply-chain/`) named by `[approvals.import] cargo-vet`: the audits of
//! `audits.toml` (this organisation's), those of `imports.lock` (other organisations', credited
//! to them), the exemptions of `config.toml` (a baseline), and the criteria and what they
//! imply. Read as cargo-vet 0.10 writes them; a malformed file is an error at its file, line
//! and column. Wildcard audits, trusted publishers and violations are not counted as approvals
//! (they are listed in `unsupported`).

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `[approvals.import]` in the policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ApprovalsImport {
    /// The cargo-vet store directory, relative to the policy file.
    pub cargo_vet: Option<PathBuf>,
    /// The cargo-vet criteria an audit must meet (default `safe-to-deploy`).
    pub criteria: Option<String>,
}

/// One audit, full (`from` = `None`) or delta.
#[derive(Debug, Clone)]
pub struct Audit {
    pub name: String,
    pub from: Option<semver::Version>,
    pub to: semver::Version,
    pub criteria: Vec<String>,
    pub who: Vec<String>,
    /// `None`: this organisation's `audits.toml`; else the import's name in `imports.lock`.
    pub org: Option<String>,
}

/// An exemption of `config.toml`.
#[derive(Debug, Clone)]
pub struct Exemption {
    pub name: String,
    pub version: semver::Version,
    pub criteria: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Store {
    /// The store directory as the policy names it.
    pub dir: String,
    pub audits: Vec<Audit>,
    pub exemptions: Vec<Exemption>,
    /// Criteria → the criteria each directly implies (built-in and `audits.toml`'s own).
    pub implies: BTreeMap<String, Vec<String>>,
    /// What the store holds that is not counted, e.g. `audits.toml: wildcard-audits for foo`.
    pub unsupported: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn list(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct AuditsFile {
    #[serde(default)]
    criteria: BTreeMap<String, CriteriaEntry>,
    #[serde(default)]
    audits: BTreeMap<String, Vec<AuditEntry>>,
    #[serde(default)]
    wildcard_audits: BTreeMap<String, toml::Value>,
    #[serde(default)]
    trusted: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct CriteriaEntry {
    implies: Option<OneOrMany>,
}

#[derive(Deserialize)]
struct AuditEntry {
    who: Option<OneOrMany>,
    criteria: OneOrMany,
    version: Option<VetVersion>,
    delta: Option<DeltaSpec>,
    violation: Option<String>,
}

/// A version as cargo-vet writes it (git revisions, `1.0.0@git:…`, are refused).
struct VetVersion(semver::Version);

impl<'de> Deserialize<'de> for VetVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_version(&s)
            .map(VetVersion)
            .map_err(serde::de::Error::custom)
    }
}

fn parse_version(s: &str) -> std::result::Result<semver::Version, String> {
    semver::Version::parse(s.trim()).map_err(|e| {
        format!("expected a version (git revisions are not supported), found `{s}`: {e}")
    })
}

/// `delta = "FROM -> TO"`.
struct DeltaSpec(semver::Version, semver::Version);

impl<'de> Deserialize<'de> for DeltaSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let Some((f, t)) = s.split_once("->") else {
            return Err(serde::de::Error::custom(format!(
                "expected a delta `FROM -> TO`, found `{s}`"
            )));
        };
        Ok(DeltaSpec(
            parse_version(f).map_err(serde::de::Error::custom)?,
            parse_version(t).map_err(serde::de::Error::custom)?,
        ))
    }
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    exemptions: BTreeMap<String, Vec<ExemptionEntry>>,
}

#[derive(Deserialize)]
struct ExemptionEntry {
    version: VetVersion,
    criteria: OneOrMany,
}

#[derive(Deserialize)]
struct ImportsFile {
    #[serde(default)]
    audits: BTreeMap<String, AuditsFile>,
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| Error::config_at(path, &text, e.span(), e.message().trim_end().to_owned()))
}

/// Loads the store at `dir`; its `audits.toml` and `config.toml` must exist.
pub fn load(dir: &Path, display: String) -> Result<Store> {
    let audits_path = dir.join("audits.toml");
    let Some(audits) = parse::<AuditsFile>(&audits_path)? else {
        return Err(Error::Environment(format!(
            "[approvals.import] cargo-vet = \"{display}\": {} does not exist (run `cargo vet init` there, or fix the path)",
            audits_path.display()
        )));
    };
    let mut store = Store {
        dir: display,
        ..Store::default()
    };
    store
        .implies
        .insert("safe-to-deploy".into(), vec!["safe-to-run".into()]);
    store.implies.insert("safe-to-run".into(), Vec::new());
    for (name, c) in &audits.criteria {
        let implies = c.implies.as_ref().map(|i| match i {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        });
        store
            .implies
            .insert(name.clone(), implies.unwrap_or_default());
    }
    add_audits(&mut store, audits, None, &audits_path)?;
    let config_path = dir.join("config.toml");
    match parse::<ConfigFile>(&config_path)? {
        Some(config) => {
            for (name, list) in config.exemptions {
                for e in list {
                    store.exemptions.push(Exemption {
                        version: e.version.0,
                        name: name.clone(),
                        criteria: e.criteria.list(),
                    });
                }
            }
        }
        None => {
            return Err(Error::Environment(format!(
                "{} does not exist: not a cargo-vet store",
                config_path.display()
            )));
        }
    }
    let imports_path = dir.join("imports.lock");
    if let Some(imports) = parse::<ImportsFile>(&imports_path)? {
        for (org, file) in imports.audits {
            add_audits(&mut store, file, Some(org), &imports_path)?;
        }
    }
    Ok(store)
}

fn add_audits(store: &mut Store, file: AuditsFile, org: Option<String>, path: &Path) -> Result<()> {
    let place = match &org {
        Some(o) => format!("imports.lock ({o})"),
        None => "audits.toml".to_owned(),
    };
    for name in file.wildcard_audits.keys() {
        store.unsupported.push(format!(
            "{place}: wildcard audits of `{name}` (not counted)"
        ));
    }
    for name in file.trusted.keys() {
        store.unsupported.push(format!(
            "{place}: trusted publishers of `{name}` (not counted)"
        ));
    }
    for (name, list) in file.audits {
        for a in list {
            if a.violation.is_some() {
                store.unsupported.push(format!(
                    "{place}: a violation entry for `{name}` (not counted)"
                ));
                continue;
            }
            let (from, to) = match (a.version, a.delta) {
                (Some(v), None) => (None, v.0),
                (None, Some(DeltaSpec(f, t))) => (Some(f), t),
                _ => {
                    return Err(Error::Environment(format!(
                        "{}: an audit of `{name}` has not exactly one of `version` and `delta`; not what cargo-vet writes",
                        path.display()
                    )));
                }
            };
            store.audits.push(Audit {
                name: name.clone(),
                from,
                to,
                criteria: a.criteria.list(),
                who: a.who.map(OneOrMany::list).unwrap_or_default(),
                org: org.clone(),
            });
        }
    }
    Ok(())
}

impl Store {
    /// Every criteria `criteria` implies, itself included.
    pub fn closure(&self, criteria: &[String]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo: Vec<String> = criteria.to_vec();
        while let Some(c) = todo.pop() {
            if out.insert(c.clone())
                && let Some(next) = self.implies.get(&c)
            {
                todo.extend(next.iter().cloned());
            }
        }
        out
    }

    /// Whether `criteria` meet `required`.
    pub fn meets(&self, criteria: &[String], required: &str) -> bool {
        self.closure(criteria).contains(required)
    }
}
