//! The review workflow's setup, shared by its tests: a fixture workspace with the policy `init`
//! writes, the fixture DB accepted as fresh, and a git repository whose `user.email` is the
//! default reviewer (the global and system git config are not read).

use crate::{DATE, Fixture, fixture_db, git, repo_root, stderr};

/// A copy of `tests/fixtures/workspaces/<name>` with the policy `init` writes, the fixture DB's
/// age accepted.
pub fn with_policy(name: &str) -> Fixture {
    let fx = Fixture::copy_of(&repo_root().join("tests/fixtures/workspaces").join(name));
    let out = fx.run(&["init", "--offline", "--date", DATE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx.replace(
        "release-evidence.toml",
        "max-age-days = 7",
        "max-age-days = 3650",
    );
    fx
}

/// [`with_policy`] in a git repository whose `user.email` is the default reviewer.
pub fn initialized(name: &str) -> Fixture {
    let fx = with_policy(name);
    git(&fx.root, &["init", "-q", "-b", "main"]);
    git(&fx.root, &["config", "user.email", "reviewer@example.com"]);
    fx
}

/// Runs the tool offline on [`DATE`] with the fixture DB, reading only the fixture's git config.
pub fn run(fx: &Fixture, args: &[&str]) -> std::process::Output {
    let mut c = fx.cmd();
    c.args(args)
        .args(["--offline", "--date", DATE, "--advisory-db"])
        .arg(fixture_db())
        .env(
            "GIT_CONFIG_GLOBAL",
            fx.outside("no-global").join("gitconfig"),
        )
        .env("GIT_CONFIG_NOSYSTEM", "1");
    c.output().unwrap()
}
