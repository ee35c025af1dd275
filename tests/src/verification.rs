//! Helpers shared by the verification report tests (`verification_reports.rs`,
//! `verification_inputs.rs`): the example's `[verification]` section replaced, `test --format
//! json` run, and the coverage fixtures.

use crate::{DATE, Fixture, findings, repo_root, stderr, with_code};
use serde_json::Value;

/// Replaces the example's `[verification]` section (the end of its policy) with `section`.
pub fn with_verification(fx: &Fixture, section: &str) {
    let policy = fx.read("release-evidence.toml");
    let cut = policy
        .find("\n# Verification evidence:")
        .expect("the example's policy ends with its [verification] section");
    fx.write(
        "release-evidence.toml",
        &format!("{}\n{section}", &policy[..cut]),
    );
}

/// `test --format json`: (exit code, report).
pub fn verify(fx: &Fixture, env: &[(&str, &str)]) -> (i32, Value) {
    let out = fx
        .cmd()
        .envs(env.iter().copied())
        .args(["test", "--offline", "--date", DATE, "--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("no JSON ({e}), exit {code}\n{}", stderr(&out));
    });
    (code, v)
}

pub fn codes(report: &Value) -> Vec<String> {
    findings(report).into_iter().map(|(c, _, _)| c).collect()
}

pub fn message<'a>(report: &'a Value, code: &str) -> &'a str {
    with_code(report, code)
        .first()
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))["message"]
        .as_str()
        .unwrap()
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/coverage").join(name)).unwrap()
}

pub const COVERAGE: &str = r#"[verification]
[verification.coverage]
format = "lcov"
reports = ["coverage/*.info"]
min-line = 60.0

[[verification.threshold]]
package = "sensor-core"
min-line = 100.0
"#;
