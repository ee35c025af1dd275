//! Recording review decisions in the policy file in place (`toml_edit`): comments, layout and
//! every other entry stay as they are. A decision replaces the crate's `pending-review` entry
//! (or, for a review, its baseline entry) covering the version, in its place, and drops the
//! hint comments `init` wrote under it; otherwise a new `[[approved]]` entry follows the last
//! one.

use crate::error::{Error, Result};
use crate::util::time::Day;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// One decision about one crate at one version.
#[derive(Debug, Clone)]
pub struct Decision {
    pub name: String,
    pub version: semver::Version,
    /// `source = …` for a crate not from crates.io.
    pub source: Option<String>,
    pub reviewer: String,
    pub date: Day,
    pub rationale: String,
    /// What was checked (`safe-to-deploy`, `safe-to-run`, the team's own).
    pub criteria: Option<String>,
    /// A baseline entry (`review baseline`) rather than a review.
    pub baseline: bool,
    pub expires: Option<Day>,
    /// A delta review from this (approved) version.
    pub from: Option<semver::Version>,
}

/// What an edit did for one decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An existing entry (pending review, or a baseline entry a review supersedes) was
    /// rewritten in its place.
    Replaced,
    /// A new `[[approved]]` entry was added.
    Added,
}

/// Applies the decisions to the policy text. `nested` is the table path of the policy inside
/// the file (`workspace.metadata.release-evidence` in Cargo.toml; empty for
/// release-evidence.toml).
pub fn apply(
    text: &str,
    nested: &[&str],
    decisions: &[Decision],
) -> Result<(String, Vec<Outcome>)> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::Environment(format!("the policy cannot be edited: {e}"))
    })?;
    let mut outcomes = Vec::new();
    for d in decisions {
        outcomes.push(apply_one(&mut doc, nested, d)?);
    }
    Ok((doc.to_string(), outcomes))
}

fn apply_one(doc: &mut DocumentMut, nested: &[&str], d: &Decision) -> Result<Outcome> {
    let base = base_table(doc, nested)?;
    if !base.contains_key("approved") {
        base.insert("approved", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(list) = base
        .get_mut("approved")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Err(Error::Environment(
            "the policy's `approved` is not an array of tables ([[approved]])".into(),
        ));
    };
    let replace = list.iter().position(|t| replaceable(t, d));
    let (outcome, position) = match replace {
        Some(i) => {
            let t = list.get_mut(i).expect("index from position");
            for key in [
                "pending-review",
                "baseline",
                "expires",
                "reviewed-by",
                "date",
                "rationale",
                "criteria",
                "from",
            ] {
                t.remove(key);
            }
            fill(t, d);
            (Outcome::Replaced, t.position())
        }
        None => {
            let mut t = Table::new();
            t.insert("name", value(d.name.as_str()));
            t.insert("version", value(format!("={}", d.version)));
            if let Some(s) = &d.source {
                t.insert("source", value(s.as_str()));
            }
            fill(&mut t, d);
            let after = list.iter().last().and_then(Table::position);
            list.push(t);
            (Outcome::Added, after)
        }
    };
    // The comment lines after an entry belong to the next table's header in TOML's model.
    match (outcome, position) {
        (Outcome::Replaced, Some(pos)) => {
            if let Some(next) = next_table(doc.as_table_mut(), pos) {
                let rest = without_hints(&prefix_of(next));
                next.decor_mut().set_prefix(rest);
            }
        }
        (Outcome::Added, Some(pos)) => {
            // The new entry follows the last one: the comment block under that one (up to the
            // first blank line) stays under it, before the new entry; the rest stays with the
            // next table, after a blank line.
            let prefix = next_table(doc.as_table_mut(), pos).map(|n| prefix_of(n));
            let (ours, theirs) = split_at_blank_line(prefix.as_deref().unwrap_or(""));
            set_added_prefix(doc, nested, &ours)?;
            if let Some(next) = next_table(doc.as_table_mut(), pos) {
                next.decor_mut().set_prefix(format!("\n{theirs}"));
            }
        }
        (Outcome::Added, None) => set_added_prefix(doc, nested, "\n")?,
        (Outcome::Replaced, None) => {}
    }
    Ok(outcome)
}

/// The entry a decision rewrites: the crate's pending entry covering the version, or (for a
/// review) its baseline entry covering it.
fn replaceable(t: &Table, d: &Decision) -> bool {
    let name = t.get("name").and_then(Item::as_str);
    let version = t
        .get("version")
        .and_then(Item::as_str)
        .and_then(|v| semver::VersionReq::parse(v).ok());
    let flag = |k: &str| t.get(k).and_then(Item::as_bool).unwrap_or(false);
    name == Some(d.name.as_str())
        && version.is_some_and(|v| v.matches(&d.version))
        && (flag("pending-review") || (!d.baseline && flag("baseline")))
}

fn fill(t: &mut Table, d: &Decision) {
    if d.baseline {
        t.insert("baseline", value(true));
    }
    if let Some(f) = &d.from {
        t.insert("from", value(f.to_string()));
    }
    t.insert("reviewed-by", value(d.reviewer.as_str()));
    t.insert("date", value(datetime(d.date)));
    t.insert("rationale", value(d.rationale.as_str()));
    if let Some(c) = &d.criteria {
        t.insert("criteria", value(c.as_str()));
    }
    if let Some(x) = d.expires {
        t.insert("expires", value(datetime(x)));
    }
}

fn datetime(d: Day) -> toml_edit::Datetime {
    d.to_string()
        .parse()
        .expect("a Day prints as a TOML local date")
}

fn base_table<'a>(doc: &'a mut DocumentMut, nested: &[&str]) -> Result<&'a mut Table> {
    let mut t = doc.as_table_mut();
    for key in nested {
        t = t.get_mut(key).and_then(Item::as_table_mut).ok_or_else(|| {
            Error::Environment(format!("the policy has no table `{}`", nested.join(".")))
        })?;
    }
    Ok(t)
}

fn set_added_prefix(doc: &mut DocumentMut, nested: &[&str], prefix: &str) -> Result<()> {
    let base = base_table(doc, nested)?;
    if let Some(last) = base
        .get_mut("approved")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|l| {
            let n = l.len();
            l.get_mut(n.wrapping_sub(1))
        })
    {
        let prefix = if prefix.is_empty() { "\n" } else { prefix };
        last.decor_mut().set_prefix(prefix);
    }
    Ok(())
}

/// The header whose decor holds the comments after the table at `pos`: the table with the
/// smallest position after it (implicit tables have no header).
fn next_table(root: &mut Table, pos: isize) -> Option<&mut Table> {
    let mut best: Option<(isize, Path)> = None;
    find_next(root, pos, &mut Vec::new(), &mut best);
    let (_, path) = best?;
    let mut t = root;
    for (key, index) in path {
        let item = t.get_mut(&key)?;
        t = match index {
            Some(i) => item.as_array_of_tables_mut()?.get_mut(i)?,
            None => item.as_table_mut()?,
        };
    }
    Some(t)
}

type Path = Vec<(String, Option<usize>)>;

fn find_next(t: &Table, pos: isize, path: &mut Path, best: &mut Option<(isize, Path)>) {
    for (key, item) in t.iter() {
        let mut visit = |table: &Table, index: Option<usize>, path: &mut Path| {
            path.push((key.to_owned(), index));
            if let Some(p) = table.position()
                && !table.is_implicit()
                && p > pos
                && best.as_ref().is_none_or(|(b, _)| p < *b)
            {
                *best = Some((p, path.clone()));
            }
            find_next(table, pos, path, best);
            path.pop();
        };
        match item {
            Item::Table(table) => visit(table, None, path),
            Item::ArrayOfTables(list) => {
                for (i, table) in list.iter().enumerate() {
                    visit(table, Some(i), path);
                }
            }
            _ => {}
        }
    }
}

/// Splits a prefix after its first blank line: the comment block above it stays with the
/// entry before; what follows goes with the next table. Each part ends in a blank line.
fn split_at_blank_line(prefix: &str) -> (String, String) {
    let mut ours = String::new();
    let mut lines = prefix.split_inclusive('\n');
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
        ours.push_str(line);
    }
    let theirs: String = lines.collect();
    (format!("{ours}\n"), theirs)
}

fn prefix_of(t: &Table) -> String {
    t.decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_owned()
}

/// A prefix without the hint lines `init` writes under a pending entry (`# linked — MIT`,
/// `# reviewed-by = …`, `# date = …`, `# rationale = …`) at its start.
fn without_hints(prefix: &str) -> String {
    const HINTS: [&str; 6] = [
        "# linked — ",
        "# build-time — ",
        "# dev — ",
        "# reviewed-by = \"name@example.com\"",
        "# date = ",
        "# rationale = \"why this crate is acceptable\"",
    ];
    let mut rest = String::new();
    let mut leading = true;
    for line in prefix.split_inclusive('\n') {
        if leading && HINTS.iter().any(|h| line.starts_with(h)) {
            continue;
        }
        leading = false;
        rest.push_str(line);
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::without_hints;

    #[test]
    fn only_leading_init_hints_are_dropped() {
        let prefix = "# linked — MIT\n# reviewed-by = \"name@example.com\"\n# date = 2026-09-01\n# rationale = \"why this crate is acceptable\"\n\n# mine\n# date = kept\n";
        assert_eq!(without_hints(prefix), "\n# mine\n# date = kept\n");
    }

    #[test]
    fn a_prefix_splits_after_its_first_blank_line() {
        assert_eq!(super::split_at_blank_line("\n"), ("\n".into(), "".into()));
        assert_eq!(super::split_at_blank_line(""), ("\n".into(), "".into()));
        assert_eq!(
            super::split_at_blank_line("# a\n\n# b\n"),
            ("# a\n\n".into(), "# b\n".into())
        );
    }
}
