//! Finding and parsing the policy. The file is parsed once into a spanned TOML tree; then each
//! section, and each entry of an array of tables, is deserialized on its own, so one run
//! reports every malformed entry (each with file, line, column and a snippet) instead of
//! stopping at the first.

use super::{CompiledLicenses, POLICY_FILE, Policy, PolicyData, validate};
use crate::error::{Diagnostic, Error, Result};
use crate::util::{digest, paths};
use serde::de::DeserializeOwned;
use serde_spanned::Spanned;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// Top-level sections and, for each, the arrays of tables deserialized entry by entry.
const SECTIONS: &[(&str, &[&str])] = &[
    ("release", &[]),
    ("approved", &[]),
    ("banned", &[]),
    ("licenses", &["exception"]),
    ("sources", &[]),
    ("supplier", &[]),
    ("advisories", &["exception"]),
    ("build", &[]),
    ("approvals", &[]),
    ("baseline", &[]),
    (
        "verification",
        &["suite", "threshold", "exception", "evidence"],
    ),
    ("lifecycle", &[]),
    ("evidence", &[]),
    ("review", &[]),
];

pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Policy> {
    if let Some(path) = explicit {
        return load_file(root, path, false);
    }
    let file = root.join(POLICY_FILE);
    if file.exists() {
        return load_file(root, &file, false);
    }
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::io(format!("reading {}", manifest.display()), e))?;
    if text.contains("release-evidence") {
        return load_file(root, &manifest, true);
    }
    Err(Error::Environment(format!(
        "no policy found: neither {} nor a [workspace.metadata.release-evidence] table in {} exists; run `cargo release-evidence init` to write a starting policy, or pass `--policy FILE`",
        file.display(),
        manifest.display()
    )))
}

fn load_file(root: &Path, path: &Path, in_cargo_toml: bool) -> Result<Policy> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading policy file {}", path.display()), e))?;
    let text: Arc<str> = Arc::from(text);
    let (data, sections) = parse(path, &text, in_cargo_toml)?;
    let mut policy = Policy {
        display_path: paths::relative_display(root, path),
        path: path.to_path_buf(),
        base_dir: path.parent().unwrap_or(root).to_path_buf(),
        sha256: digest::sha256_hex(text.as_bytes()),
        text,
        data,
        licenses: CompiledLicenses::default(),
        sections,
        vet: None,
    };
    let mut problems = validate::validate(&policy);
    match validate::compile_licenses(&policy) {
        Ok(l) => policy.licenses = l,
        Err(mut d) => problems.append(&mut d),
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| (d.line, d.column));
        return Err(Error::Config(problems));
    }
    let store = policy
        .data
        .approvals_import
        .as_ref()
        .and_then(|i| i.get_ref().cargo_vet.clone());
    if let Some(dir) = store {
        let display = dir.display().to_string();
        policy.vet = Some(super::vet::load(&policy.base_dir.join(dir), display)?);
    }
    Ok(policy)
}

type Sections = BTreeMap<String, Range<usize>>;

/// Parses policy text (a policy file, or a Cargo.toml holding the policy in
/// `[workspace.metadata.release-evidence]`).
pub fn parse(path: &Path, text: &Arc<str>, in_cargo_toml: bool) -> Result<(PolicyData, Sections)> {
    let lines = crate::error::LineIndex::new(text);
    let diag = |span: Option<Range<usize>>, msg: String| {
        Diagnostic::at_indexed(path, text, &lines, span, msg)
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(Error::Config(
            syntax
                .iter()
                .map(|e| diag(e.span(), e.message().trim_end().to_owned()))
                .collect(),
        ));
    }
    let mut table = root.into_inner();
    if in_cargo_toml {
        let found = table
            .remove("workspace")
            .and_then(|w| take_table(w.into_inner()))
            .and_then(|mut w| w.remove("metadata"))
            .and_then(|m| take_table(m.into_inner()))
            .and_then(|mut m| m.remove("release-evidence"));
        table = match found.map(|t| (t.span(), t.into_inner())) {
            Some((_, DeValue::Table(t))) => t,
            Some((span, _)) => {
                return Err(Error::Config(vec![diag(
                    Some(span),
                    "[workspace.metadata.release-evidence] must be a table".into(),
                )]));
            }
            None => {
                return Err(Error::Environment(format!(
                    "no policy found: {} has no [workspace.metadata.release-evidence] table; run `cargo release-evidence init`",
                    path.display()
                )));
            }
        };
    }

    let mut problems = Vec::new();
    let mut sections = BTreeMap::new();
    let mut data = PolicyData::default();
    let expected: Vec<String> = SECTIONS.iter().map(|(n, _)| format!("`{n}`")).collect();
    for (key, value) in table {
        let name = key.get_ref().to_string();
        let Some((_, split)) = SECTIONS.iter().find(|(n, _)| *n == name) else {
            problems.push(diag(
                Some(key.span()),
                format!(
                    "unknown field `{name}`, expected one of {}",
                    expected.join(", ")
                ),
            ));
            continue;
        };
        sections.insert(name.clone(), key.span());
        if let Err(mut d) = assign(&mut data, &name, value, split, &diag) {
            problems.append(&mut d);
        }
    }
    if problems.is_empty() {
        Ok((data, sections))
    } else {
        Err(Error::Config(problems))
    }
}

fn take_table(v: DeValue<'_>) -> Option<DeTable<'_>> {
    match v {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

type Diag<'a> = dyn Fn(Option<Range<usize>>, String) -> Diagnostic + 'a;

/// Deserializes one top-level section into `data`.
fn assign(
    data: &mut PolicyData,
    name: &str,
    value: Spanned<DeValue<'_>>,
    split: &[&str],
    diag: &Diag<'_>,
) -> std::result::Result<(), Vec<Diagnostic>> {
    match name {
        "release" => data.release = one(value, diag)?,
        "approved" => data.approved = each(value, diag)?,
        "banned" => data.banned = each(value, diag)?,
        "licenses" => {
            let (mut l, parts) = with_parts::<super::Licenses>(value, split, diag)?;
            l.exception = parts;
            data.licenses = l;
        }
        "sources" => data.sources = one(value, diag)?,
        "supplier" => data.supplier = each(value, diag)?,
        "advisories" => {
            let (mut a, parts) = with_parts::<super::Advisories>(value, split, diag)?;
            a.exception = parts;
            data.advisories = a;
        }
        "build" => data.build = one(value, diag)?,
        "approvals" => {
            let span = value.span();
            let DeValue::Table(mut t) = value.into_inner() else {
                return Err(vec![diag(Some(span), "[approvals] must be a table".into())]);
            };
            if let Some(import) = t.remove("import") {
                data.approvals_import = Some(one(import, diag)?);
            }
            if !t.is_empty() {
                data.approvals = Some(one(Spanned::new(span, DeValue::Table(t)), diag)?);
            }
        }
        "baseline" => data.baseline = Some(one(value, diag)?),
        "verification" => data.verification = Some(verification(value, split, diag)?),
        "lifecycle" => data.lifecycle = Some(one(value, diag)?),
        "evidence" => data.evidence = Some(one(value, diag)?),
        "review" => data.review = Some(one(value, diag)?),
        _ => unreachable!("only known sections are assigned"),
    }
    Ok(())
}

fn de_error(e: toml::de::Error, fallback: Range<usize>, diag: &Diag<'_>) -> Diagnostic {
    diag(
        Some(e.span().unwrap_or(fallback)),
        e.message().trim_end().to_owned(),
    )
}

fn one<T: DeserializeOwned>(
    value: Spanned<DeValue<'_>>,
    diag: &Diag<'_>,
) -> std::result::Result<T, Vec<Diagnostic>> {
    let span = value.span();
    T::deserialize(ValueDeserializer::from(value)).map_err(|e| vec![de_error(e, span, diag)])
}

/// An array of tables, each entry deserialized on its own (all errors collected).
fn each<T: DeserializeOwned>(
    value: Spanned<DeValue<'_>>,
    diag: &Diag<'_>,
) -> std::result::Result<Vec<Spanned<T>>, Vec<Diagnostic>> {
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        return Err(vec![diag(
            Some(span),
            "expected an array of tables ([[…]] entries)".into(),
        )]);
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        match one::<Spanned<T>>(item, diag) {
            Ok(v) => out.push(v),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A table whose array-of-tables key `split[0]` (if any) is deserialized entry by entry.
fn with_parts<T: DeserializeOwned + HasParts>(
    value: Spanned<DeValue<'_>>,
    split: &[&str],
    diag: &Diag<'_>,
) -> std::result::Result<WithParts<T>, Vec<Diagnostic>> {
    let span = value.span();
    let DeValue::Table(mut table) = value.into_inner() else {
        return Err(vec![diag(Some(span), "expected a table".into())]);
    };
    let mut problems = Vec::new();
    let parts = match split.first().and_then(|k| table.remove(*k)) {
        Some(v) => each::<T::Part>(v, diag).unwrap_or_else(|mut d| {
            problems.append(&mut d);
            Vec::new()
        }),
        None => Vec::new(),
    };
    let rest = Spanned::new(span.clone(), DeValue::Table(table));
    match one::<T>(rest, diag) {
        Ok(v) if problems.is_empty() => Ok((v, parts)),
        Ok(_) => Err(problems),
        Err(mut d) => {
            problems.append(&mut d);
            Err(problems)
        }
    }
}

/// A section and its separately deserialized array of tables.
type WithParts<T> = (T, Vec<Spanned<<T as HasParts>::Part>>);

/// A section with one array of tables deserialized separately.
pub trait HasParts {
    type Part: DeserializeOwned;
}

impl HasParts for super::Licenses {
    type Part = super::LicenseException;
}

impl HasParts for super::Advisories {
    type Part = super::AdvisoryException;
}

/// `[verification]`: its arrays of tables (`suite`, `threshold`, `exception`, `evidence`) are
/// deserialized entry by entry, so every malformed entry is reported.
fn verification(
    value: Spanned<DeValue<'_>>,
    split: &[&str],
    diag: &Diag<'_>,
) -> std::result::Result<Spanned<super::verification::VerificationPolicy>, Vec<Diagnostic>> {
    let span = value.span();
    let DeValue::Table(mut table) = value.into_inner() else {
        return Err(vec![diag(Some(span), "expected a table".into())]);
    };
    let mut problems = Vec::new();
    let mut parts: BTreeMap<&str, Spanned<DeValue<'_>>> = BTreeMap::new();
    for key in split {
        if let Some(v) = table.remove(*key) {
            parts.insert(key, v);
        }
    }
    let rest = Spanned::new(span.clone(), DeValue::Table(table));
    let mut v: super::verification::VerificationPolicy = one(rest, diag).unwrap_or_else(|mut d| {
        problems.append(&mut d);
        Default::default()
    });
    fn part<T: DeserializeOwned>(
        parts: &mut BTreeMap<&str, Spanned<DeValue<'_>>>,
        key: &str,
        diag: &Diag<'_>,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<Spanned<T>> {
        match parts.remove(key) {
            Some(value) => each(value, diag).unwrap_or_else(|mut d| {
                problems.append(&mut d);
                Vec::new()
            }),
            None => Vec::new(),
        }
    }
    v.suite = part(&mut parts, "suite", diag, &mut problems);
    v.threshold = part(&mut parts, "threshold", diag, &mut problems);
    v.exception = part(&mut parts, "exception", diag, &mut problems);
    v.evidence = part(&mut parts, "evidence", diag, &mut problems);
    if problems.is_empty() {
        Ok(Spanned::new(span, v))
    } else {
        Err(problems)
    }
}
