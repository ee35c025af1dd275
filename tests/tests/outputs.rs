//! Snapshots (insta, `tests/snapshots/`) of what people and tools read, on the example
//! workspace: `check` as human text, JSON and SARIF; the main job's output in the three formats
//! with its release record (Markdown), manifest and SHA256SUMS; `verify` on signed evidence.
//!
//! Redacted, from the run's own data: the temp directory, the host triple, the toolchain, the
//! digests and sizes of everything the build produced (they change with the compiler), SSH key
//! fingerprints (fresh keys per run). The clock is pinned (`--date`, `SOURCE_DATE_EPOCH`).
//! Everything else is compared byte for byte: a changed output fails until the snapshot is
//! reviewed (`cargo insta review`, or `INSTA_UPDATE=always` and a look at the diff).

use release_evidence_tests::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const EPOCH: &str = "1780000000";

/// Literal replacements, applied longest first, and the sizes of built files.
struct Redactions(Vec<(String, String)>, Vec<u64>);

impl Redactions {
    fn new(fx: &Fixture) -> Redactions {
        let mut r = Redactions(Vec::new(), Vec::new());
        // The fixture's temp dir (the workspace's parent holds keys and the build crate).
        r.add(fx.root.parent().unwrap().display().to_string(), "[TMP]");
        r.add(host_triple(), "[HOST]");
        r
    }

    fn add(&mut self, from: impl Into<String>, to: impl Into<String>) {
        let from = from.into();
        if !from.is_empty() && !self.0.iter().any(|(f, _)| *f == from) {
            self.0.push((from, to.into()));
            self.0.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
        }
    }

    /// Digests of the evidence's files and artifacts (from SHA256SUMS and of SHA256SUMS itself,
    /// the evidence digest), and the toolchain the manifest records.
    fn add_evidence(&mut self, dir: &Path) {
        let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
        for line in sums.lines() {
            let (digest, file) = line.split_once("  ").unwrap();
            let name = file.rsplit('/').next().unwrap();
            self.add(digest, format!("[sha256 of {name}]"));
        }
        self.add(sha256(&dir.join("SHA256SUMS")), "[sha256 of SHA256SUMS]");
        let manifest = read_json(&dir.join("release-evidence.json"));
        for key in ["rustc", "cargo"] {
            let full = manifest["toolchain"][key].as_str().unwrap();
            self.add(full.lines().next().unwrap(), format!("[{key} version]"));
            if full.contains('\n') {
                // `rustc -vV` in JSON, where its lines are escaped.
                let escaped = serde_json::to_string(full).unwrap();
                self.add(escaped.trim_matches('"'), format!("[{key} -vV]"));
            }
        }
        // The latest version of each SOUP item, from the local crates.io index cache (it moves
        // as cargo refreshes the cache).
        let soup = read_json(&dir.join("soup.json"));
        for item in soup["items"].as_array().unwrap() {
            let s = &item["support"];
            if let Some(v) = s["latest_version"].as_str() {
                let last = match (
                    s["last_release_version"].as_str(),
                    s["last_release_date"].as_str(),
                ) {
                    (Some(lv), Some(d)) => format!("{lv} on {d}"),
                    _ => "unknown".to_owned(),
                };
                self.add(
                    format!("latest: {v}; last release: {last})"),
                    "latest: [index cache]; last release: [index cache])",
                );
            }
        }
        if let Some(d) = manifest["build"]["toolchain"]["rustc_sha256"].as_str() {
            self.add(d, "[sha256 of rustc]");
        }
        for list in [&manifest["artifacts"], &manifest["sbom"], &manifest["vex"]] {
            for item in list.as_array().unwrap() {
                self.1.push(item["size"].as_u64().unwrap());
            }
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (from, to) in &self.0 {
            out = out.replace(from, to);
        }
        // Sizes of built files, where the JSON and the Markdown tables give them.
        for n in &self.1 {
            for (from, to) in [
                (format!("\"size\": {n},"), "\"size\": \"[size]\","),
                (format!("\"size\": {n}\n"), "\"size\": \"[size]\"\n"),
                (format!("| {n} |"), "| [size] |"),
            ] {
                out = out.replace(&from, to);
            }
        }
        out
    }

    /// [`Redactions::apply`] on JSON output, which must stay JSON.
    fn json(&self, text: &str) -> String {
        let out = self.apply(text);
        serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"));
        out
    }
}

/// `fx.cmd()` without the variables cargo and the test harness set for this test process
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, …) or a developer's own `CARGO_*` settings: the
/// build record lists every `CARGO_*` variable, and the snapshot must not depend on them.
/// `CARGO_HOME` is always set, so the record always shows it (as a placeholder).
fn cmd(fx: &Fixture) -> Command {
    let mut c = fx.cmd();
    for (k, _) in std::env::vars_os() {
        if k.to_str().is_some_and(|k| k.starts_with("CARGO_")) {
            c.env_remove(&k);
        }
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(&std::env::var_os("HOME").unwrap()).join(".cargo"));
    c.env("CARGO_HOME", cargo_home)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    c
}

fn run(fx: &Fixture, args: &[&str]) -> Output {
    cmd(fx).args(args).output().unwrap()
}

/// The value of `"key": "…"` in JSON text (the toolchain rustup selected, for instance).
fn redact_string_value(text: &str, key: &str, to: &str) -> String {
    let pattern = format!("\"{key}\": \"");
    let Some(start) = text.find(&pattern).map(|i| i + pattern.len()) else {
        return text.to_owned();
    };
    let end = start + text[start..].find('"').unwrap();
    format!("{}{to}{}", &text[..start], &text[end..])
}

fn host_triple() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).split_whitespace().next().unwrap().to_owned()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Exit code plus stdout, as one snapshot.
fn shown(out: &Output, text: String) -> String {
    format!("exit: {}\n{text}", out.status.code().unwrap())
}

#[test]
fn check_in_three_formats() {
    let fx = Fixture::example();
    let r = Redactions::new(&fx);
    let run = |format: &str| {
        run(
            &fx,
            &["check", "--offline", "--date", DATE, "--format", format],
        )
    };

    let human = run("human");
    insta::assert_snapshot!("check_human", shown(&human, r.apply(&stdout(&human))));
    let json = run("json");
    insta::assert_snapshot!("check_json", shown(&json, r.json(&stdout(&json))));
    let sarif = run("sarif");
    insta::assert_snapshot!("check_sarif", shown(&sarif, r.json(&stdout(&sarif))));
}

const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa", "regulatory", "security"]
allowed-signers = "allowed_signers"
risk-acceptance-roles = ["regulatory", "security"]
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
regulatory = ["ra@example.com"]
security = ["sec@example.com"]

[[advisories.exception]]
id = "RUSTSEC-2021-0003"
crate = "smallvec"
reason = "insert_many is never called"
approved-by = "security@example.com"
expires = 2027-06-30
"#;

/// One real build of the example serves the main job's snapshots (the later runs find cargo's
/// output fresh) and then the signed evidence that `verify` checks.
#[test]
fn main_job_and_verify() {
    let fx = Fixture::example();
    let main_job = |format: &str| run(&fx, &["--offline", "--date", DATE, "--format", format]);
    let human = main_job("human");
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    let dir = fx.path("target/release/release-evidence/thermo-fw-0.9.0");
    let mut r = Redactions::new(&fx);
    r.add_evidence(&dir);
    let json = main_job("json");
    let sarif = main_job("sarif");
    insta::assert_snapshot!("main_job_human", shown(&human, r.apply(&stdout(&human))));
    insta::assert_snapshot!("main_job_json", shown(&json, r.json(&stdout(&json))));
    insta::assert_snapshot!("main_job_sarif", shown(&sarif, r.json(&stdout(&sarif))));

    // The evidence the last run wrote (each run writes the same).
    let manifest = std::fs::read_to_string(dir.join("release-evidence.json")).unwrap();
    let manifest = redact_string_value(&manifest, "RUSTUP_TOOLCHAIN", "[rustup toolchain]");
    insta::assert_snapshot!("release_manifest", r.json(&manifest));
    let record = std::fs::read_to_string(dir.join("release-evidence.md")).unwrap();
    insta::assert_snapshot!("release_record", r.apply(&record));
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    insta::assert_snapshot!("release_sha256sums", r.apply(&sums));

    // Signed evidence: three roles approve, the release signer signs, `verify` checks.
    let keys = fx.outside("keys");
    let mut public = std::collections::BTreeMap::new();
    for name in ["qa", "ra", "sec", "release"] {
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(keys.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let pubkey = std::fs::read_to_string(keys.join(format!("{name}.pub"))).unwrap();
        public.insert(
            name,
            pubkey
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" "),
        );
        let fp = Command::new("ssh-keygen")
            .args(["-l", "-E", "sha256", "-f"])
            .arg(keys.join(format!("{name}.pub")))
            .output()
            .unwrap();
        let fingerprint = stdout(&fp).split_whitespace().nth(1).unwrap().to_owned();
        r.add(fingerprint, format!("[fingerprint of {name}]"));
    }
    let ns = "namespaces=\"release-evidence-approval-v1\"";
    fx.write(
        "allowed_signers",
        &format!(
            "qa@example.com {ns} {}\nra@example.com {ns} {}\nsec@example.com {ns} {}\nrelease@example.com namespaces=\"release-evidence-artifact-v1\" {}\n",
            public["qa"], public["ra"], public["sec"], public["release"]
        ),
    );
    fx.append("release-evidence.toml", APPROVALS);
    let pass = run(&fx, &["--offline", "--date", DATE, "-q"]);
    assert_eq!(pass.status.code(), Some(0), "{}", stderr(&pass));
    r.add_evidence(&dir);
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let k = keys.join(key).display().to_string();
        let out = run(
            &fx,
            &["approve", "--date", DATE, "--role", role, "--key", &k],
        );
        assert_eq!(out.status.code(), Some(0), "{role}: {}", stderr(&out));
    }
    let k = keys.join("release").display().to_string();
    let out = run(&fx, &["sign", "--date", DATE, "--key", &k]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let evidence = dir.to_str().unwrap();
    let human = run(&fx, &["verify", evidence, "--date", DATE]);
    insta::assert_snapshot!("verify_human", shown(&human, r.apply(&stdout(&human))));
    let json = run(
        &fx,
        &["verify", evidence, "--date", DATE, "--format", "json"],
    );
    insta::assert_snapshot!("verify_json", shown(&json, r.json(&stdout(&json))));
}
