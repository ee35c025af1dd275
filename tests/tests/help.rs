//! The command line as users see it: `--help` of the binary and of every subcommand clap knows
//! (snapshots), and the README's command table listing exactly those subcommands.

use release_evidence_tests::*;
use std::collections::BTreeSet;
use std::process::Command;

fn help(path: &[&str]) -> String {
    let out = Command::new(bin())
        .args(path)
        .arg("--help")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{path:?}: {}", stderr(&out));
    stdout(&out)
}

/// The subcommands a help text lists under `Commands:` (clap's own `help` left out).
fn listed(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command path clap knows, parents before their subcommands: `check`, …, `db`,
/// `db fetch`.
fn command_paths() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = listed(&help(&[])).into_iter().map(|c| vec![c]).collect();
    todo.reverse();
    while let Some(path) = todo.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut children: Vec<Vec<String>> = listed(&help(&args))
            .into_iter()
            .map(|c| {
                let mut p = path.clone();
                p.push(c);
                p
            })
            .collect();
        children.reverse();
        todo.extend(children);
        out.push(path);
    }
    out
}

#[test]
fn help_of_every_subcommand() {
    insta::assert_snapshot!("help", help(&[]));
    let paths = command_paths();
    assert!(paths.len() > 10, "{paths:?}");
    for path in paths {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        insta::assert_snapshot!(format!("help_{}", path.join("_")), help(&args));
    }
}

/// The command each row of the README's `## Commands` table documents: the words after
/// `cargo release-evidence` up to the first option, placeholder or argument (`""` for the main
/// job).
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Commands\n")
        .nth(1)
        .expect("README has a `## Commands` section");
    let section = section.split("\n#").next().unwrap();
    let mut out = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cell = row.trim_start_matches("| `");
        let command = cell.split('`').next().unwrap();
        let rest = command
            .strip_prefix("cargo release-evidence")
            .unwrap_or_else(|| panic!("row does not document a command: {row}"));
        let words: Vec<&str> = rest
            .split_whitespace()
            .take_while(|w| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() && !w.contains(['<', '[']))
            })
            .collect();
        out.push(words.join(" "));
    }
    out
}

#[test]
fn readme_command_table_lists_exactly_the_subcommands() {
    let documented = readme_commands();
    let unique: BTreeSet<&String> = documented.iter().collect();
    assert_eq!(
        unique.len(),
        documented.len(),
        "a row repeats: {documented:?}"
    );
    assert!(
        documented.contains(&String::new()),
        "the main job (`cargo release-evidence`) has no row"
    );
    // Leaves, and parents that run on their own (`review [COMMAND]`): `db` (`db <COMMAND>`)
    // is documented by its subcommand `db fetch`.
    let paths = command_paths();
    let known: BTreeSet<String> = paths
        .iter()
        .filter(|p| {
            let args: Vec<&str> = p.iter().map(String::as_str).collect();
            !paths.iter().any(|q| q.len() > p.len() && q.starts_with(p))
                || help(&args).contains(" [COMMAND]\n")
        })
        .map(|p| p.join(" "))
        .collect();
    let documented: BTreeSet<String> = documented.into_iter().filter(|c| !c.is_empty()).collect();
    assert_eq!(
        documented, known,
        "README `## Commands` rows vs. the subcommands of `--help`"
    );
}
