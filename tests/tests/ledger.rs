//! The ledger: `ledger add` retains only evidence that verifies (same trust root as `verify`),
//! idempotently; `list`, `show`, `query --crate` read its index; `export` gives the directory
//! back byte for byte (and it verifies again); a ledger from a newer schema is refused.

use release_evidence_tests::signing::*;
use release_evidence_tests::*;
use serde_json::Value;
use std::path::Path;

fn code(out: &std::process::Output, expect: i32) -> String {
    let text = format!("{}{}", stdout(out), stderr(out));
    assert_eq!(out.status.code(), Some(expect), "{text}");
    text
}

fn json(out: &std::process::Output, expect: i32) -> Value {
    code(out, expect);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {}", stdout(out)))
}

fn ledger(fx: &Fixture, l: &Path, args: &[&str]) -> std::process::Output {
    fx.cmd()
        .arg("ledger")
        .arg("--ledger")
        .arg(l)
        .args(args)
        .args(["--format", "json", "--date", DATE])
        .output()
        .unwrap()
}

/// Every file under `dir` with its bytes, by relative path.
fn files(dir: &Path) -> Vec<(String, Vec<u8>, bool)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                let exec = std::fs::metadata(&p).unwrap().permissions().mode() & 0o111 != 0;
                out.push((rel, std::fs::read(&p).unwrap(), exec));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn ledger_retains_verified_evidence_and_answers_from_it() {
    let (fx, dir) = signed_release();
    let l = fx.outside("ledger").join("ledger.sqlite3");
    let d = dir.display().to_string();

    // Three concurrent adds of the same evidence: one retains it, the others find it retained.
    let children: Vec<_> = (0..3)
        .map(|_| {
            fx.cmd()
                .args(["ledger", "--ledger"])
                .arg(&l)
                .args(["add", &d, "--format", "json", "--date", DATE])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut outcomes: Vec<String> = children
        .into_iter()
        .map(|c| json(&c.wait_with_output().unwrap(), 0)["outcome"].to_string())
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        ["\"added\"", "\"already-retained\"", "\"already-retained\""]
    );
    let added = json(&ledger(&fx, &l, &["show", "thermo-fw@0.9.0"]), 0)["releases"][0].clone();
    // The same evidence again: nothing changes.
    let again = json(&ledger(&fx, &l, &["add", &d]), 0);
    assert_eq!(again["outcome"], "already-retained");
    assert_eq!(
        (&again["product"], &again["version"], &again["decision"]),
        (&"thermo-fw".into(), &"0.9.0".into(), &"PASS".into())
    );
    assert_eq!(again["files"], files(&dir).len());
    assert_eq!(again["approvals"], 3);
    assert_eq!(again["bundle_digest"], added["bundle_digest"]);

    let list = json(&ledger(&fx, &l, &["list"]), 0);
    let releases = list["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 1, "{list}");
    assert_eq!(releases[0]["evidence_digest"], added["evidence_digest"]);
    assert_eq!(releases[0]["release_date"], "2026-05-28T20:26:40Z");
    assert_eq!(releases[0]["support_end"], Value::Null);

    let show = json(&ledger(&fx, &l, &["show", "thermo-fw@0.9.0"]), 0);
    let r = &show["releases"][0];
    let smallvec: Vec<&Value> = r["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "smallvec")
        .collect();
    assert_eq!(
        smallvec,
        [
            &serde_json::json!({"name": "smallvec", "version": "0.6.13", "source": "crates.io",
            "purl": "pkg:cargo/smallvec@0.6.13", "kind": "linked"})
        ]
    );
    let linked = r["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "linked")
        .count();
    assert_eq!((linked, r["components"].as_array().unwrap().len()), (8, 30));
    assert_eq!(r["exceptions"][0]["advisory"], "RUSTSEC-2021-0003");
    assert_eq!(r["exceptions"][0]["expires"], "2027-06-30");
    let mut roles: Vec<&str> = r["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    roles.sort();
    assert_eq!(roles, ["qa", "regulatory", "security"]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("release-evidence.json")).unwrap()).unwrap();
    assert_eq!(
        r["artifacts"][0]["sha256"],
        manifest["artifacts"][0]["sha256"]
    );
    let unknown = ledger(&fx, &l, &["show", "thermo-fw@9.9.9"]);
    assert!(code(&unknown, 2).contains("retains no release thermo-fw@9.9.9"));

    // Which retained releases ship this crate?
    let q = |spec: &str| json(&ledger(&fx, &l, &["query", "--crate", spec]), 0);
    let hit = q("smallvec@<0.6.14");
    assert_eq!(hit["releases"].as_array().unwrap().len(), 1, "{hit}");
    assert_eq!(
        (
            &hit["releases"][0]["product"],
            &hit["releases"][0]["version"]
        ),
        (&"thermo-fw".into(), &"0.9.0".into())
    );
    assert_eq!(q("smallvec@>=1")["releases"], serde_json::json!([]));
    assert_eq!(
        q("autocfg")["releases"][0]["component"]["kind"],
        "build-time"
    );
    let human = fx
        .cmd()
        .args(["ledger", "--ledger"])
        .arg(&l)
        .args(["query", "--crate", "smallvec"])
        .output()
        .unwrap();
    assert_eq!(
        code(&human, 0),
        "1 retained release ships smallvec\n  thermo-fw@0.9.0 (".to_owned()
            + releases[0]["target"].as_str().unwrap()
            + ")  smallvec 0.6.13 linked  crates.io\n"
    );

    // `diff` of the retained entry against the directory itself: nothing changed.
    let same = fx
        .cmd()
        .args(["diff", "--ledger"])
        .arg(&l)
        .arg("thermo-fw@0.9.0")
        .arg(&dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let same = json(&same, 0);
    for k in [
        "added",
        "removed",
        "changed",
        "approvals_added",
        "approvals_removed",
    ] {
        assert_eq!(same[k], serde_json::json!([]), "{k}: {same}");
    }
    assert_eq!(same["a"]["evidence_digest"], same["b"]["evidence_digest"]);

    // Export: the directory back byte for byte (modes too), and it verifies again.
    let to = fx.outside("exported").join("thermo-fw-0.9.0");
    let out = ledger(
        &fx,
        &l,
        &[
            "export",
            "thermo-fw@0.9.0",
            "--to",
            &to.display().to_string(),
        ],
    );
    assert_eq!(json(&out, 0)["files"], files(&dir).len());
    assert!(
        files(&to) == files(&dir),
        "export differs from the evidence"
    );
    code(&verify_in(&fx, &fx.root, &to, &[]), 0);
    let again = ledger(
        &fx,
        &l,
        &[
            "export",
            "thermo-fw@0.9.0",
            "--to",
            &to.display().to_string(),
        ],
    );
    assert!(code(&again, 2).contains("already exists"));
}

#[test]
fn ledger_refuses_what_does_not_verify_and_newer_schemas() {
    let (fx, dir) = signed_release();
    let l = fx.outside("ledger").join("ledger.sqlite3");
    // One changed byte in the record: refused, exit 1, and no ledger is even created.
    let copy = clone_with_evidence(&fx);
    let bad = copy.path(EVIDENCE);
    let mut md = std::fs::read_to_string(bad.join("release-evidence.md")).unwrap();
    md.push('\n');
    std::fs::write(bad.join("release-evidence.md"), md).unwrap();
    let out = ledger(&copy, &l, &["add", &bad.display().to_string()]);
    let refused = json(&out, 1);
    assert_eq!(refused["outcome"], "refused");
    assert!(
        refused["verification"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == "release-evidence.md" && i["ok"] == false),
        "{refused}"
    );
    assert!(!l.exists(), "a refused add wrote the ledger");
    // Without a trust root: exit 2 naming the flags, as verify.
    let away = fx.outside("elsewhere");
    let out = fx
        .cmd()
        .current_dir(&away)
        .args(["ledger", "--ledger"])
        .arg(&l)
        .arg("add")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(code(&out, 2).contains("--trust-evidence-copy"));
    assert!(!l.exists());
    // Trusting the copies inside the evidence works away from the workspace.
    let out = fx
        .cmd()
        .current_dir(&away)
        .args(["ledger", "--ledger"])
        .arg(&l)
        .args(["add", "--trust-evidence-copy", "--date", DATE])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(code(&out, 0).contains("thermo-fw@0.9.0"));

    // A ledger written by a newer tool is refused, naming its version.
    let sql = std::process::Command::new("sqlite3")
        .arg(&l)
        .arg("UPDATE schema_version SET version = 7")
        .output()
        .unwrap();
    assert!(sql.status.success(), "{}", stderr(&sql));
    let out = ledger(&fx, &l, &["list"]);
    let text = code(&out, 2);
    assert!(
        text.contains("has schema version 7, newer than version 1"),
        "{text}"
    );
}
