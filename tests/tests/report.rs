//! The release page in a real browser: the example's `release-evidence.html` loaded in Chromium
//! from a `file://` URL with the network off (console, requests, text, the drawn graph), hostile
//! strings, and `report` (verified approvals outside the evidence, PDF on A4 and Letter with
//! pages rendered by pdftoppm). Screenshots and PDF pages go to `target/test-artifacts/`.

use release_evidence_tests::browser::{self, Browser};
use release_evidence_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

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
"#;

fn main_job(fx: &Fixture) -> Output {
    fx.cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(["--offline", "--date", DATE, "-q"])
        .output()
        .unwrap()
}

fn evidence_dir(fx: &Fixture) -> PathBuf {
    fx.path("target/release/release-evidence/thermo-fw-0.9.0")
}

/// `(name, version)` of every component of the example's CycloneDX SBOM.
fn components(dir: &Path) -> Vec<(String, String)> {
    let bom: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("thermo-fw.cdx.json")).unwrap())
            .unwrap();
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Loads a page; asserts it logged nothing and requested nothing but itself; returns its text.
fn load_clean(b: &mut Browser, page: &Path) -> (String, String) {
    let s = b.open(page, 1280, 900);
    let load = b.load(&s);
    assert!(load.console.is_empty(), "console: {:#?}", load.console);
    let me = browser::file_url(page);
    assert!(
        load.requests.iter().all(|u| *u == me),
        "requests other than the page itself: {:?}",
        load.requests
    );
    let text = b
        .eval(&s, "document.body.innerText")
        .as_str()
        .unwrap()
        .to_owned();
    (s, text)
}

/// The page's own markup: no resource reference at all (no src, no stylesheet link, no CSS
/// url() or @import); the only links are advisory pages, navigated to by a click.
fn assert_self_contained(html: &str) {
    // Every `<` of the data is escaped, so each `<` starts one of the page's own tags.
    let tags: Vec<&str> = html
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .collect();
    for tag in &tags {
        for needle in [" src=", "link ", "iframe", "object ", "embed ", "@import"] {
            assert!(!tag.contains(needle), "resource reference in <{tag}>");
        }
        if let Some(at) = tag.find(" href=\"") {
            let url = tag[at + 7..].split('"').next().unwrap();
            assert!(
                tag.starts_with("a ")
                    && (url.starts_with('#') || url.starts_with("https://rustsec.org/advisories/")),
                "unexpected link <{tag}>"
            );
        }
    }
    let style = html.split("<style>").nth(1).unwrap();
    let style = style.split("</style>").next().unwrap();
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "CSS loads nothing"
    );
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "one script: the filter"
    );
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn hold_page_in_chromium_shows_the_decision_finding_and_every_shipped_package() {
    let fx = Fixture::example();
    let out = main_job(&fx);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let dir = evidence_dir(&fx);
    let page = dir.join("release-evidence.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("  release-evidence.html\n"), "{sums}");
    assert_self_contained(&html);

    let mut b = Browser::launch();
    let (s, text) = load_clean(&mut b, &page);
    for expected in [
        "HOLD",
        "1 blocking finding",
        "RE-ADVISORY-VULNERABILITY",
        "RUSTSEC-2021-0003 (vulnerability) affects smallvec 0.6.13: Buffer overflow in SmallVec::insert_many",
        "fix: upgrade smallvec: patched versions are >=0.6.14, <1.0.0 or >=1.6.1",
        "via thermo-fw (linked): thermo-fw → sensor-core → smallvec",
        "x86_64-unknown-linux-gnu",
        "The policy configures no approvals",
        "thermo-fw → acme-hal",
    ] {
        assert!(
            text.contains(expected),
            "page text lacks {expected:?}:\n{text}"
        );
    }
    // The graph draws every shipped package (name and version in its box).
    let labels: Vec<String> = serde_json::from_value(b.eval(
        &s,
        "Array.from(document.querySelectorAll('svg.depgraph g.n text:first-of-type')).map(t => t.textContent)",
    ))
    .unwrap();
    let comps = components(&dir);
    assert_eq!(comps.len(), 30);
    for (name, version) in &comps {
        let label = format!("{name} {version}");
        assert!(labels.contains(&label), "{label} not drawn: {labels:?}");
    }
    // Marks: the vulnerable crate and the path to it are drawn as blocking; the vendored HAL
    // as a supplier input; the in-house build crate is not one.
    let mut marked = |sel: &str| -> Vec<String> {
        serde_json::from_value(b.eval(&s, &format!(
            "Array.from(document.querySelectorAll('svg.depgraph g.n.{sel}')).map(g => g.getAttribute('data-name'))"
        )))
        .unwrap()
    };
    assert_eq!(marked("hot"), vec!["smallvec"]);
    assert_eq!(marked("t-sup"), vec!["acme-hal"]);
    let hot_edges = b.eval(
        &s,
        "document.querySelectorAll('svg.depgraph path.e.hot').length",
    );
    assert_eq!(hot_edges, 2, "thermo-fw → sensor-core → smallvec");
    // The filter finds a package in the list and in the graph.
    let shown = b.eval(
        &s,
        "(() => { const f = document.getElementById('pkg-filter'); f.value = 'crc'; f.dispatchEvent(new Event('input')); return [Array.from(document.querySelectorAll('#pkg-list tbody tr')).filter(r => !r.hidden).length, document.querySelectorAll('svg.depgraph g.match').length]; })()",
    );
    assert_eq!(shown, serde_json::json!([2, 2]), "crc and crc-catalog");

    let art = browser::artifacts_dir("report-hold");
    b.screenshot(&s, Some(1800), &art.join("page-desktop.png"));
    b.screenshot(&s, None, &art.join("page-full.png"));
    assert!(
        std::fs::metadata(art.join("page-desktop.png"))
            .unwrap()
            .len()
            > 10_000
    );
}

struct Keys(PathBuf);

impl Keys {
    fn new(fx: &Fixture) -> Keys {
        let dir = fx.outside("keys");
        for name in ["qa", "ra", "sec", "release"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(dir.join(name))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
        Keys(dir)
    }

    fn key(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    fn line(&self, principal: &str, ns: &str, name: &str) -> String {
        let pubkey = std::fs::read_to_string(self.0.join(format!("{name}.pub"))).unwrap();
        let key: Vec<&str> = pubkey.split_whitespace().take(2).collect();
        format!("{principal} namespaces=\"{ns}\" {}\n", key.join(" "))
    }
}

/// The example with approvals and the smallvec risk accepted (PASS), evidence written.
fn with_approvals() -> (Fixture, Keys) {
    let fx = Fixture::example();
    let keys = Keys::new(&fx);
    let ns = "release-evidence-approval-v1";
    let signers = keys.line("qa@example.com", ns, "qa")
        + &keys.line("ra@example.com", ns, "ra")
        + &keys.line("sec@example.com", ns, "sec")
        + &keys.line(
            "release@example.com",
            "release-evidence-artifact-v1",
            "release",
        );
    fx.write("allowed_signers", &signers);
    fx.append("release-evidence.toml", APPROVALS);
    fx.append("release-evidence.toml", EXCEPTION);
    let out = main_job(&fx);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (fx, keys)
}

/// The page without its approvals section (what `report` may change).
fn without_state(html: &str) -> String {
    let a = html.find("<!-- release-evidence:state -->").unwrap();
    let b = html.find("<!-- /release-evidence:state -->").unwrap();
    format!("{}{}", &html[..a], &html[b..]).replace(
        "<!-- release-evidence:report: a copy of the sealed page with the verified approvals; not part of the evidence -->\n",
        "",
    )
}

#[test]
fn pass_page_lists_accepted_risk_and_roles_then_report_shows_verified_approvals_and_prints() {
    let (fx, keys) = with_approvals();
    let dir = evidence_dir(&fx);
    let page = dir.join("release-evidence.html");
    let sealed = std::fs::read_to_string(&page).unwrap();
    let mut b = Browser::launch();
    let (_, text) = load_clean(&mut b, &page);
    for expected in [
        "PASS",
        "no blocking finding",
        "Accepted risks (1)",
        "RUSTSEC-2021-0003",
        "smallvec",
        "security@example.com",
        "2027-06-30",
        "insert_many is never called",
        "RE-ADVISORY-ACCEPTED",
        "qa@example.com",
        "pending (none at generation time)",
        "Roles that may accept the risk of a HOLD: regulatory, security.",
    ] {
        assert!(
            text.contains(expected),
            "page text lacks {expected:?}:\n{text}"
        );
    }

    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let k = keys.key(key);
        let out = fx.run(&["approve", "--date", DATE, "--role", role, "--key", &k]);
        assert_eq!(out.status.code(), Some(0), "{role}: {}", stderr(&out));
    }
    let k = keys.key("release");
    let out = fx.run(&["sign", "--date", DATE, "--key", &k]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = fx.run(&["report", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = dir.parent().unwrap().join("thermo-fw-0.9.0-report.html");
    assert_eq!(r["html"].as_str().unwrap(), report.to_str().unwrap());
    assert_eq!(r["verified"], true);
    assert_eq!(r["approvals_valid"], 3);
    assert_eq!(r["signed"], true);
    // The sealed evidence is untouched and still verifies.
    assert_eq!(std::fs::read_to_string(&page).unwrap(), sealed);
    let out = fx.run(&["verify", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Outside the approvals section the report is the sealed page, byte for byte.
    let copy = std::fs::read_to_string(&report).unwrap();
    assert_eq!(without_state(&copy), without_state(&sealed));

    let (s, text) = load_clean(&mut b, &report);
    for expected in [
        "Approvals and signature (verified)",
        "All 24 checks hold.",
        "approved by qa@example.com",
        "approved by ra@example.com",
        "approved by sec@example.com",
        "Release signature: signed by release@example.com",
        "PASS",
        "insert_many is never called",
    ] {
        assert!(
            text.contains(expected),
            "report text lacks {expected:?}:\n{text}"
        );
    }
    let art = browser::artifacts_dir("report-pass");
    b.screenshot(&s, Some(1800), &art.join("report-desktop.png"));

    // Printed on both paper sizes.
    for (paper, size) in [("a4", "(A4)"), ("letter", "(letter)")] {
        let pdf = art.join(format!("report-{paper}.pdf"));
        let _ = std::fs::remove_file(&pdf);
        let p = pdf.to_str().unwrap();
        let out = fx.run(&["report", "--pdf", p, "--paper", paper]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let info = browser::pdf_info(&pdf);
        assert!(info["Page size"].ends_with(size), "{info:?}");
        assert_eq!(
            info["Title"],
            "Release record thermo-fw 0.9.0 - cargo-release-evidence"
        );
        let pages = browser::pdf_pages(&pdf, &art.join(format!("print-{paper}")), 60);
        assert!(pages.len() >= 3, "{pages:?}");
        let text = Command::new("pdftotext").args([p, "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("PASS") && text.contains("approved by ra@example.com"));
        assert!(
            text.contains(&format!("page 1 of {}", pages.len())),
            "{text}"
        );
        // Printing again replaces the PDF this command wrote.
        let out = fx.run(&["report", "--pdf", p, "--paper", paper]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

#[test]
fn report_refuses_to_write_inside_the_evidence_or_over_foreign_files() {
    let fx = Fixture::example();
    assert_eq!(main_job(&fx).status.code(), Some(1));
    let dir = evidence_dir(&fx);
    let d = dir.to_str().unwrap();

    let inside = dir.join("copy.html");
    let out = fx.run(&[
        "report",
        "--trust-evidence-copy",
        d,
        "-o",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is inside the evidence directory"),
        "{}",
        stderr(&out)
    );
    assert!(!inside.exists());

    let foreign = fx.outside("out").join("notes.html");
    std::fs::write(&foreign, "my notes").unwrap();
    let out = fx.run(&[
        "report",
        "--trust-evidence-copy",
        d,
        "-o",
        foreign.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("was not written by `cargo release-evidence report`"));
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "my notes");
    let foreign_pdf = fx.outside("out").join("notes.pdf");
    std::fs::write(&foreign_pdf, "%PDF-1.4 someone else's").unwrap();
    let out = fx.run(&[
        "report",
        "--trust-evidence-copy",
        d,
        "--pdf",
        foreign_pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--pdf"));

    // Its own output it replaces; no Chromium: a clear message, exit 2.
    let own = fx.outside("out").join("r.html");
    for _ in 0..2 {
        let out = fx.run(&[
            "report",
            "--trust-evidence-copy",
            d,
            "-o",
            own.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let empty = fx.outside("empty-path");
    let out = fx
        .cmd()
        .env("PATH", &empty)
        .env_remove("RELEASE_EVIDENCE_CHROMIUM")
        .args([
            "report",
            "--trust-evidence-copy",
            d,
            "-o",
            own.to_str().unwrap(),
            "--pdf",
        ])
        .arg(fx.outside("out").join("r.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--pdf needs Chromium (or Chrome), and none was found on PATH"),
        "{}",
        stderr(&out)
    );

    // A page changed after sealing is not shown: exit 1, nothing written.
    let page = dir.join("release-evidence.html");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("HOLD", "PASS")).unwrap();
    let fresh = fx.outside("out").join("fresh.html");
    let out = fx.run(&[
        "report",
        "--trust-evidence-copy",
        d,
        "-o",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not verify (MODIFIED"),
        "{}",
        stderr(&out)
    );
    assert!(!fresh.exists());
}

#[test]
fn hostile_strings_from_the_data_stay_text() {
    let fx = Fixture::example();
    let hostile = "</title><script>alert(1)</script><img src=x onerror=alert(2)><!-- /release-evidence:state --> & 'q'";
    fx.replace(
        "advisory-db/crates/smallvec/RUSTSEC-2021-0003.md",
        "# Buffer overflow in SmallVec::insert_many",
        &format!("# {hostile}"),
    );
    fx.append(
        "release-evidence.toml",
        &EXCEPTION.replace("insert_many is never called", hostile),
    );
    let out = main_job(&fx);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = evidence_dir(&fx);
    let page = dir.join("release-evidence.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script>alert"), "unescaped script");
    assert!(!html.contains("<img"), "unescaped img");
    assert_eq!(html.matches("<!-- /release-evidence:state -->").count(), 1);
    assert_self_contained(&html);

    let mut b = Browser::launch();
    let (s, text) = load_clean(&mut b, &page);
    assert!(
        text.contains(hostile),
        "the hostile string is shown as text:\n{text}"
    );
    assert_eq!(b.eval(&s, "document.scripts.length"), 1);
    assert_eq!(b.eval(&s, "document.images.length"), 0);
    assert_eq!(
        b.eval(&s, "document.title"),
        "Release record thermo-fw 0.9.0 - cargo-release-evidence"
    );
    // `report` still finds exactly one approvals section.
    let out = fx.run(&["report", "--trust-evidence-copy"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
