//! Coverage against the policy: paths made relative to the workspace root, the overall line
//! and branch ratios, and each threshold (overall, per package, per path) met or not.

use super::model::{Coverage, CoverageSummary, Ratio, ThresholdResult};
use crate::findings::{Code, Finding};
use crate::policy::Policy;
use crate::policy::verification::CoveragePolicy;
use std::path::Path;

/// A coverage path relative to the workspace root: absolute paths inside it lose the prefix;
/// paths recorded on another machine (another checkout) become the longest suffix naming a
/// file of this workspace; anything else is kept as written.
pub fn normalize(path: &str, root: &Path) -> String {
    let p = path.strip_prefix("file://").unwrap_or(path);
    let p = p.strip_prefix("./").unwrap_or(p);
    let as_path = Path::new(p);
    if !as_path.is_absolute() {
        return p.replace('\\', "/");
    }
    if let Ok(rel) = as_path.strip_prefix(root) {
        return crate::util::paths::relative_display(Path::new(""), rel);
    }
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    for k in 1..parts.len() {
        let candidate = parts[k..].join("/");
        if root.join(&candidate).is_file() {
            return candidate;
        }
    }
    p.to_owned()
}

pub fn normalized(c: Coverage, root: &Path) -> Coverage {
    let mut out = Coverage {
        timestamp: c.timestamp,
        ..Coverage::default()
    };
    for (p, f) in c.files {
        super::lcov::merge_into(&mut out, normalize(&p, root), f);
    }
    out
}

fn ratio(covered: u64, total: u64) -> Ratio {
    Ratio {
        covered,
        total,
        percent: (total > 0).then(|| (covered as f64 * 10000.0 / total as f64).round() / 100.0),
    }
}

/// (line, branch) ratios over the files whose path passes `keep`.
fn ratios(c: &Coverage, keep: impl Fn(&str) -> bool) -> (Ratio, Ratio, usize) {
    let (mut lc, mut lt, mut bc, mut bt, mut n) = (0, 0, 0u64, 0u64, 0);
    for (path, f) in &c.files {
        if !keep(path) {
            continue;
        }
        n += 1;
        lt += f.lines.len() as u64;
        lc += f.lines.values().filter(|h| **h > 0).count() as u64;
        for (taken, total) in f.branches.values() {
            bc += u64::from(*taken);
            bt += u64::from(*total);
        }
    }
    (ratio(lc, lt), ratio(bc, bt), n)
}

/// The files of a scope with the lowest line coverage, for the finding's message.
fn worst(c: &Coverage, keep: &dyn Fn(&str) -> bool) -> String {
    let mut files: Vec<(f64, &str)> = c
        .files
        .iter()
        .filter(|(p, f)| keep(p) && !f.lines.is_empty())
        .map(|(p, f)| {
            let hit = f.lines.values().filter(|h| **h > 0).count() as f64;
            (hit * 100.0 / f.lines.len() as f64, p.as_str())
        })
        .collect();
    files.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    files
        .iter()
        .take(3)
        .map(|(pct, p)| format!("{p} {pct:.1}%"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// (name, path prefix, min-line, min-branch, where the policy sets it).
type Scope = (
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
    Option<crate::findings::Location>,
);

/// The summary and a finding per threshold not met.
pub fn evaluate(
    c: &Coverage,
    cp: &CoveragePolicy,
    reports: Vec<String>,
    policy: &Policy,
    members: &[(String, String, String)],
) -> (CoverageSummary, Vec<Finding>) {
    let (line, branch, files) = ratios(c, |_| true);
    let mut thresholds = Vec::new();
    let mut findings = Vec::new();
    let v = policy.data.verification.as_ref().map(|v| v.get_ref());
    let cov_loc = v
        .and_then(|v| v.coverage.as_ref())
        .map(|s| policy.location(s));
    let mut scopes: Vec<Scope> = vec![(
        "overall".to_owned(),
        None,
        cp.min_line,
        cp.min_branch,
        cov_loc,
    )];
    for t in v.map(|v| v.threshold.as_slice()).unwrap_or_default() {
        let e = t.get_ref();
        let (scope, prefix) = match (&e.package, &e.path) {
            (Some(pkg), _) => (
                format!("package {pkg}"),
                Some(
                    members
                        .iter()
                        .find(|(n, _, _)| n == pkg)
                        .map(|(_, _, d)| d.clone())
                        // Matches no path: the finding says the scope is empty.
                        .unwrap_or_else(|| format!("\u{0}not a workspace member: {pkg}")),
                ),
            ),
            (None, Some(path)) => (format!("path {path}"), Some(path.clone())),
            (None, None) => continue,
        };
        scopes.push((
            scope,
            prefix,
            e.min_line,
            e.min_branch,
            Some(policy.location(t)),
        ));
    }
    for (scope, prefix, min_line, min_branch, loc) in scopes {
        let keep = |p: &str| match &prefix {
            None => true,
            Some(pre) => {
                let pre = pre.trim_end_matches('/');
                pre.is_empty() || pre == "." || p == pre || p.starts_with(&format!("{pre}/"))
            }
        };
        let (l, b, n) = ratios(c, keep);
        for (metric, min, r) in [("line", min_line, l), ("branch", min_branch, b)] {
            let Some(min) = min else { continue };
            let met = n > 0 && r.percent.is_some_and(|p| p + 1e-9 >= min);
            thresholds.push(ThresholdResult {
                scope: scope.clone(),
                metric: metric.to_owned(),
                min,
                actual: r.percent,
                met,
            });
            if met {
                continue;
            }
            let message = if n == 0 && prefix.as_deref().is_some_and(|p| p.starts_with('\u{0}')) {
                format!("{metric} coverage ({scope}): no workspace member has this name")
            } else if n == 0 {
                format!(
                    "{metric} coverage ({scope}): no file of the coverage report lies in this scope, so min-{metric} {min}% is not shown"
                )
            } else {
                format!(
                    "{metric} coverage ({scope}) is {} ({}/{}), below min-{metric} {min}%; lowest: {}",
                    r.percent.map_or("n/a".to_owned(), |p| format!("{p:.2}%")),
                    r.covered,
                    r.total,
                    worst(c, &keep)
                )
            };
            findings.push(
                Finding::new(
                    Code::VerifyCoverage,
                    message,
                    "add tests for the uncovered code named, or change the threshold in the policy with a rationale",
                )
                .location(loc.clone()),
            );
        }
    }
    (
        CoverageSummary {
            format: cp.format,
            reports,
            files,
            line,
            branch,
            thresholds,
        },
        findings,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_workspace_relative() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let own = root.join("src/lib.rs");
        assert_eq!(super::normalize(own.to_str().unwrap(), root), "src/lib.rs");
        assert_eq!(
            super::normalize("/elsewhere/checkout/src/lib.rs", root),
            "src/lib.rs"
        );
        assert_eq!(super::normalize("./a/b.rs", root), "a/b.rs");
        assert_eq!(super::normalize("/nowhere/x.rs", root), "/nowhere/x.rs");
    }
}
