//! Delta review on a real workspace (`tests/fixtures/workspaces/delta-review`: cfg-if 0.1.10
//! and 1.0.0 ship, both fetched by the README's test command): `review diff` from the `.crate`
//! files in cargo's registry cache, `review approve` recording a delta approval that chains onto
//! the full review of 0.1.10, and the gate's verdict when the chain has no full review at its root.

use release_evidence_tests::*;
use std::path::{Path, PathBuf};

/// The fixture with the policy `init` writes, cfg-if 0.1.10 reviewed in full, 1.0.0 pending.
fn fixture() -> Fixture {
    let fx = review::with_policy("delta-review");
    fx.replace(
        "release-evidence.toml",
        "name = \"cfg-if\"\nversion = \"=0.1.10\"\npending-review = true\n",
        "name = \"cfg-if\"\nversion = \"=0.1.10\"\nreviewed-by = \"alice@example.com\"\ndate = 2026-03-01\nrationale = \"read all of it: one macro\"\n",
    );
    fx
}

fn run_with(fx: &Fixture, args: &[&str], cargo_home: Option<&Path>) -> std::process::Output {
    let mut c = fx.cmd();
    c.args(args)
        .args(["--offline", "--date", DATE, "--advisory-db"])
        .arg(fixture_db());
    if let Some(h) = cargo_home {
        c.env("CARGO_HOME", h);
    }
    c.output().unwrap()
}

fn run(fx: &Fixture, args: &[&str]) -> std::process::Output {
    run_with(fx, args, None)
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"))
}

#[test]
fn review_diff_shows_the_source_changes_since_the_approved_version() {
    let fx = fixture();
    let out = run(&fx, &["review", "diff", "cfg-if@1.0.0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let diff = stdout(&out);
    let headers: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
        .collect();
    assert_eq!(
        headers,
        [
            "--- a/cfg-if-0.1.10/.cargo_vcs_info.json",
            "+++ b/cfg-if-1.0.0/.cargo_vcs_info.json",
            "--- a/cfg-if-0.1.10/.github/workflows/main.yml",
            "+++ b/cfg-if-1.0.0/.github/workflows/main.yml",
            "--- a/cfg-if-0.1.10/Cargo.toml",
            "+++ b/cfg-if-1.0.0/Cargo.toml",
            "--- a/cfg-if-0.1.10/Cargo.toml.orig",
            "+++ b/cfg-if-1.0.0/Cargo.toml.orig",
            "--- a/cfg-if-0.1.10/src/lib.rs",
            "+++ b/cfg-if-1.0.0/src/lib.rs",
        ]
    );
    assert!(
        diff.contains(
            "-        if #[cfg($($meta:meta),*)] { $($tokens:tt)* }\n+        if #[cfg($meta:meta)] { $($tokens:tt)* }\n"
        ),
        "{diff}"
    );
    assert!(
        diff.ends_with("cfg-if-0.1.10 → cfg-if-1.0.0: 5 file(s) changed, 0 added, 0 removed\n")
    );

    // A version not in the cache: the message names `cargo fetch`.
    let out = run(&fx, &["review", "diff", "cfg-if@1.0.0", "--from", "0.1.9"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cfg-if-0.1.9.crate is not in cargo's registry cache")
            && err.contains("`cargo fetch`"),
        "{err}"
    );
}

#[test]
fn review_approve_records_a_delta_that_chains_onto_the_full_review() {
    let fx = fixture();
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(with_code(&report, "RE-APPROVAL-PENDING").len(), 1);
    let out = run(
        &fx,
        &[
            "review",
            "approve",
            "cfg-if@1.0.0",
            "--rationale",
            "delta: single-meta cfg only",
            "--reviewer",
            "bob@example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "recorded a delta review of cfg-if 0.1.10 → 1.0.0 in release-evidence.toml (replaced its entry); run `cargo release-evidence check` for the verdict\n"
    );
    let policy = fx.read("release-evidence.toml");
    assert!(
        policy.contains(
            "[[approved]]\nname = \"cfg-if\"\nversion = \"=1.0.0\"\nfrom = \"0.1.10\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-09-01\nrationale = \"delta: single-meta cfg only\"\n\n[licenses]"
        ),
        "{policy}"
    );
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["approvals"]["reviewed"], 2);

    // The root of the chain is only a baseline entry: the delta does not count.
    fx.replace(
        "release-evidence.toml",
        "version = \"=0.1.10\"\nreviewed-by",
        "version = \"=0.1.10\"\nbaseline = true\nreviewed-by",
    );
    let (code, report) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 1);
    let delta = with_code(&report, "RE-APPROVAL-DELTA");
    assert_eq!(delta.len(), 1, "{report:#}");
    assert_eq!(
        delta[0]["message"],
        "cfg-if 1.0.0: its delta approval from 0.1.10 does not chain onto a full review of cfg-if 0.1.10"
    );

    // A delta must build on an approval that counts.
    let out = run(
        &fx,
        &[
            "review",
            "approve",
            "cfg-if@1.0.0",
            "--from",
            "0.1.10",
            "--rationale",
            "x",
            "--reviewer",
            "bob@example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "invalid value for `--from`: no approval of cfg-if 0.1.10 that chains down to a full review"
        ),
        "{}",
        stderr(&out)
    );
    // `--full` records a full review instead.
    let out = run(
        &fx,
        &[
            "review",
            "approve",
            "cfg-if@1.0.0",
            "--full",
            "--rationale",
            "read all of 1.0.0",
            "--reviewer",
            "bob@example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fx.read("release-evidence.toml").contains(
        "version = \"=1.0.0\"\nreviewed-by = \"bob@example.com\"\ndate = 2026-09-01\nrationale = \"read all of 1.0.0\"\n"
    ));
    let (code, _) = fx.check_json(&["--advisory-db", fixture_db().to_str().unwrap()]);
    assert_eq!(code, 0);
}

/// A cargo home whose registry index and sources are the real ones, and whose `.crate` cache
/// holds the real cfg-if 0.1.10 and a hostile cfg-if 1.0.0 written by Python's tarfile.
fn hostile_home(fx: &Fixture, n: usize, member: &str) -> PathBuf {
    let real = cargo_home().join("registry");
    let home = fx.outside(&format!("home-{n}"));
    let registry = home.join("registry");
    std::fs::create_dir_all(&registry).unwrap();
    std::os::unix::fs::symlink(real.join("index"), registry.join("index")).unwrap();
    std::os::unix::fs::symlink(real.join("src"), registry.join("src")).unwrap();
    // Same index directory names as the real cache (cargo looks for its .crate files there).
    for index in std::fs::read_dir(real.join("cache")).unwrap().flatten() {
        let ours = registry.join("cache").join(index.file_name());
        std::fs::create_dir_all(&ours).unwrap();
        let old = index.path().join("cfg-if-0.1.10.crate");
        if old.is_file() {
            std::fs::copy(old, ours.join("cfg-if-0.1.10.crate")).unwrap();
        }
        let script = format!(
            "import io, tarfile\nt = tarfile.open({:?}, 'w:gz')\ndata = b'pwned'\ni = tarfile.TarInfo({member:?})\ni.size = len(data)\nt.addfile(i, io.BytesIO(data))\nt.close()\n",
            ours.join("cfg-if-1.0.0.crate")
        );
        let ok = std::process::Command::new("python3")
            .args(["-c", &script])
            .status()
            .unwrap();
        assert!(ok.success());
    }
    home
}

#[test]
fn a_hostile_crate_archive_is_refused_and_nothing_is_written() {
    let fx = fixture();
    for (n, (member, why)) in [
        (
            "cfg-if-1.0.0/../../escaped.rs",
            "the entry `cfg-if-1.0.0/../../escaped.rs` is outside cfg-if-1.0.0/",
        ),
        (
            "/etc/escaped.rs",
            "the entry `/etc/escaped.rs` is outside cfg-if-1.0.0/",
        ),
        (
            "other-1.0.0/src/lib.rs",
            "the entry `other-1.0.0/src/lib.rs` is outside cfg-if-1.0.0/",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let home = hostile_home(&fx, n, member);
        let out = run_with(&fx, &["review", "diff", "cfg-if@1.0.0"], Some(&home));
        assert_eq!(out.status.code(), Some(2), "{member}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(why), "{member}: {err}");
        assert!(err.contains("is refused"), "{err}");
        assert!(!fx.root.parent().unwrap().join("escaped.rs").exists());
        assert!(!home.join("registry/cache/escaped.rs").exists());
    }
}
