//! The ledger: `ledger add` retains only evidence that verifies (same trust root as `verify`),
//! idempotently; `list`, `show`, `query --crate` read its index; `export` gives the directory
//! back byte for byte (and it verifies again); a ledger from a newer schema is refused. Each
//! runs on both backends, the SQLite file and PostgreSQL, and both answer byte for byte alike.

use release_evidence_tests::ledgers::{BACKENDS, Ledger};
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

fn ledger(fx: &Fixture, l: &str, args: &[&str]) -> std::process::Output {
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

/// The command's JSON without the ledger's location (which differs between backends).
fn answer(out: &std::process::Output) -> Value {
    let mut v = json(out, 0);
    v.as_object_mut().unwrap().remove("ledger");
    v
}

#[test]
fn ledger_retains_verified_evidence_and_answers_from_it() {
    let (fx, dir) = signed_release();
    let answers: Vec<Vec<Value>> = BACKENDS
        .iter()
        .map(|&b| {
            let l = Ledger::new(&fx, b);
            eprintln!("backend {b:?}: {}", l.location);
            retains_and_answers(&fx, &dir, &l)
        })
        .collect();
    // Both backends answer byte for byte alike (list, show, query, in this order).
    assert_eq!(answers[0], answers[1]);
}

fn retains_and_answers(fx: &Fixture, dir: &Path, ledger_: &Ledger) -> Vec<Value> {
    let l = ledger_.location.as_str();
    let d = dir.display().to_string();
    let mut answers = Vec::new();

    // Three concurrent adds of the same evidence: one retains it, the others find it retained.
    let children: Vec<_> = (0..3)
        .map(|_| {
            fx.cmd()
                .args(["ledger", "--ledger"])
                .arg(l)
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
    let added = json(&ledger(fx, l, &["show", "thermo-fw@0.9.0"]), 0)["releases"][0].clone();
    // The same evidence again: nothing changes.
    let again = json(&ledger(fx, l, &["add", &d]), 0);
    assert_eq!(again["outcome"], "already-retained");
    assert_eq!(
        (&again["product"], &again["version"], &again["decision"]),
        (&"thermo-fw".into(), &"0.9.0".into(), &"PASS".into())
    );
    assert_eq!(again["files"], files(dir).len());
    assert_eq!(again["approvals"], 3);
    assert_eq!(again["bundle_digest"], added["bundle_digest"]);

    let list_out = ledger(fx, l, &["list"]);
    answers.push(answer(&list_out));
    let list = json(&list_out, 0);
    let releases = list["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 1, "{list}");
    assert_eq!(releases[0]["evidence_digest"], added["evidence_digest"]);
    assert_eq!(releases[0]["release_date"], "2026-05-28T20:26:40Z");
    assert_eq!(releases[0]["support_end"], Value::Null);

    let show_out = ledger(fx, l, &["show", "thermo-fw@0.9.0"]);
    answers.push(answer(&show_out));
    let show = json(&show_out, 0);
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
    let unknown = ledger(fx, l, &["show", "thermo-fw@9.9.9"]);
    assert!(code(&unknown, 2).contains("retains no release thermo-fw@9.9.9"));

    // Which retained releases ship this crate?
    let q = |spec: &str| json(&ledger(fx, l, &["query", "--crate", spec]), 0);
    answers.push(answer(&ledger(
        fx,
        l,
        &["query", "--crate", "smallvec@<0.6.14"],
    )));
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
        .arg(l)
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
        .arg(l)
        .arg("thermo-fw@0.9.0")
        .arg(dir)
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
    let to = fx
        .outside(&format!("exported-{:?}", ledger_.backend))
        .join("thermo-fw-0.9.0");
    let out = ledger(
        fx,
        l,
        &[
            "export",
            "thermo-fw@0.9.0",
            "--to",
            &to.display().to_string(),
        ],
    );
    assert_eq!(json(&out, 0)["files"], files(dir).len());
    assert!(files(&to) == files(dir), "export differs from the evidence");
    code(&verify_in(fx, &fx.root, &to, &[]), 0);
    let again = ledger(
        fx,
        l,
        &[
            "export",
            "thermo-fw@0.9.0",
            "--to",
            &to.display().to_string(),
        ],
    );
    assert!(code(&again, 2).contains("already exists"));
    answers
}

#[test]
fn ledger_refuses_what_does_not_verify_and_newer_schemas() {
    let (fx, dir) = signed_release();
    // One changed byte in the record.
    let copy = clone_with_evidence(&fx);
    let bad = copy.path(EVIDENCE);
    let mut md = std::fs::read_to_string(bad.join("release-evidence.md")).unwrap();
    md.push('\n');
    std::fs::write(bad.join("release-evidence.md"), md).unwrap();
    for backend in BACKENDS {
        let ledger_ = Ledger::new(&fx, backend);
        eprintln!("backend {backend:?}: {}", ledger_.location);
        let l = ledger_.location.as_str();
        // Refused, exit 1, and the ledger is not even created.
        let out = ledger(&copy, l, &["add", &bad.display().to_string()]);
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
        assert!(!ledger_.written(), "a refused add wrote the ledger");
        // Without a trust root: exit 2 naming the flags, as verify.
        let away = fx.outside("elsewhere");
        let out = fx
            .cmd()
            .current_dir(&away)
            .args(["ledger", "--ledger", l, "add"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(code(&out, 2).contains("--trust-evidence-copy"));
        assert!(!ledger_.written());
        // Trusting the copies inside the evidence works away from the workspace.
        let out = fx
            .cmd()
            .current_dir(&away)
            .args(["ledger", "--ledger", l])
            .args(["add", "--trust-evidence-copy", "--date", DATE])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(code(&out, 0).contains("thermo-fw@0.9.0"));

        // A ledger written by a newer tool is refused, naming its version.
        ledger_.set_schema_version(7);
        let out = ledger(&fx, l, &["list"]);
        let text = code(&out, 2);
        assert!(
            text.contains(&format!(
                "error: the ledger {l} has schema version 7, newer than version 1"
            )),
            "{text}"
        );
    }
}

/// Several `ledger add`s at once, of the same evidence and of a different evidence of the
/// same product, version and target (approved again with a comment, signed again: it
/// verifies too): exactly one release retained, the same evidence again is no error, the
/// different one is refused naming both digests.
#[test]
fn ledger_concurrent_adds_retain_one_release() {
    let (fx, keys, a) = setup(&approvals(SEC_ONLY), false, true);
    let other = clone_with_evidence(&fx);
    let b = other.path(EVIDENCE);
    for (w, extra) in [(&fx, &[][..]), (&other, &["--comment", "second"][..])] {
        for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
            let out = approve(w, &keys, role, key, extra);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        let out = sign(w, &keys, "release");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    code(&verify_in(&other, &other.root, &b, &[]), 0);
    for backend in BACKENDS {
        let ledger_ = Ledger::new(&fx, backend);
        eprintln!("backend {backend:?}: {}", ledger_.location);
        let l = ledger_.location.as_str();
        // Three of each at once, each in its own workspace (its trust root).
        let children: Vec<_> = (0..6)
            .map(|i| {
                let (w, d) = if i % 2 == 0 { (&fx, &a) } else { (&other, &b) };
                let child = w
                    .cmd()
                    .args(["ledger", "--ledger", l, "add"])
                    .arg(d)
                    .args(["--format", "json", "--date", DATE])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                (i % 2, child)
            })
            .collect();
        let mut outcomes = [Vec::new(), Vec::new()];
        let mut added = Value::Null;
        for (side, child) in children {
            let out = child.wait_with_output().unwrap();
            let text = format!("{}{}", stdout(&out), stderr(&out));
            let outcome = match out.status.code() {
                Some(0) => {
                    let v = json(&out, 0);
                    if v["outcome"] == "added" {
                        added = v["bundle_digest"].clone();
                    }
                    v["outcome"].as_str().unwrap().to_owned()
                }
                Some(2) if text.contains("with different evidence") => "refused".to_owned(),
                _ => panic!("{text}"),
            };
            outcomes[side].push(outcome);
        }
        for o in &mut outcomes {
            o.sort();
        }
        let list = json(&ledger(&fx, l, &["list"]), 0);
        let releases = list["releases"].as_array().unwrap();
        assert_eq!(releases.len(), 1, "{list}");
        let retained = ["added", "already-retained", "already-retained"];
        let winner = if outcomes[0] == retained { &a } else { &b };
        assert!(
            outcomes.contains(&retained.map(str::to_owned).to_vec())
                && outcomes.contains(&vec!["refused".to_owned(); 3]),
            "{outcomes:?}"
        );
        let show = json(&ledger(&fx, l, &["show", "thermo-fw@0.9.0"]), 0);
        assert_eq!(show["releases"][0]["bundle_digest"], added, "{show}");
        // The loser again, alone: refused with both digests and nothing changed.
        let (w, d) = if winner == &a {
            (&other, &b)
        } else {
            (&fx, &a)
        };
        let out = w
            .cmd()
            .args(["ledger", "--ledger", l, "add"])
            .arg(d)
            .args(["--date", DATE])
            .output()
            .unwrap();
        let text = code(&out, 2);
        assert!(
            text.contains("already retains thermo-fw@0.9.0 for")
                && text.contains(show["releases"][0]["bundle_digest"].as_str().unwrap()),
            "{text}"
        );
        assert_eq!(json(&ledger(&fx, l, &["list"]), 0), list);
    }
}

/// A PostgreSQL ledger that cannot be reached or opened: exit 2 naming the URL, never its
/// password.
#[test]
fn ledger_postgres_connection_errors_name_the_url_without_its_password() {
    let server = release_evidence_tests::ledgers::server_url();
    let (base, _) = server.rsplit_once('/').unwrap();
    let host = base.rsplit_once('@').unwrap().1;
    let cases = [
        (
            "postgres://alice:s3cret@127.0.0.1:1/ledger".to_owned(),
            "error: cannot connect to the PostgreSQL ledger postgres://alice@127.0.0.1:1/ledger: error connecting to server: ".to_owned(),
        ),
        (
            format!("postgresql://postgres:s3cret@{host}/no_such_ledger"),
            format!("error: cannot connect to the PostgreSQL ledger postgres://postgres@{host}/no_such_ledger: db error: FATAL: database \"no_such_ledger\" does not exist"),
        ),
        (
            "postgres://alice:s3cret@127.0.0.1:notaport/ledger".to_owned(),
            "error: invalid value for `--ledger`: not a PostgreSQL connection URL: invalid connection string: invalid value for option `port`".to_owned(),
        ),
    ];
    for (url, expect) in cases {
        let out = std::process::Command::new(bin())
            .args(["ledger", "--ledger", &url, "list"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = code(&out, 2);
        assert!(text.starts_with(&expect), "{url}: {text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
