//! The page: head (inline style, a content security policy that forbids every request), the
//! decision banner, then one function per section in [`SECTIONS`]. A new part of the manifest
//! (trace matrix, residual anomalies, SOUP list, clause map, …) is one more function there.

use super::data::Page;
use super::shipped;
use super::state;
use super::text::{Html, esc, plural};
use crate::evidence::model::Manifest;
use crate::findings::{Code, Decision, Finding, Severity};
use crate::record::markdown;
use sha2::{Digest, Sha256};
use std::fmt::Write;

pub const STYLE: &str = include_str!("style.css");
pub const SCRIPT: &str = include_str!("filter.js");

/// A section of the page, in order. Each renders from the data only.
type Section = fn(&mut Html, &Page<'_>);

const SECTIONS: &[Section] = &[
    facts,
    findings,
    accepted_risks,
    artifacts,
    shipped::section,
    changes,
    build,
    super::documents::soup,
    super::documents::clauses,
    checklist,
];

pub fn render(p: &Page<'_>) -> String {
    let m = p.m;
    let mut h = Html::default();
    let title = format!(
        "Release record {} {} - cargo-release-evidence",
        m.product.name, m.product.version
    );
    let _ = write!(
        h.out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'\">\n\
<meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        base64(&Sha256::digest(SCRIPT.as_bytes())),
        esc(&m.tool.name),
        esc(&m.tool.version),
        esc(&title),
    );
    let _ = writeln!(
        h.out,
        "<header><p class=\"kicker\">Release record</p><h1>{} {}</h1></header>",
        esc(&m.product.name),
        esc(&m.product.version)
    );
    banner(&mut h, m);
    h.raw(&state::at_generation(m));
    for section in SECTIONS {
        section(&mut h, p);
    }
    let sboms: Vec<&str> = m.sbom.iter().map(|s| s.path.as_str()).collect();
    let _ = write!(
        h.out,
        "<footer><p>Written by {} {} from the release manifest <code>release-evidence.json</code> (schema {} v{}) and the SBOM {}; generated {}. This page decides nothing: the decision is the manifest's.</p></footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&m.tool.name),
        esc(&m.tool.version),
        esc(m.schema),
        m.schema_version,
        esc(&sboms.join(", ")),
        esc(&m.generated_at),
    );
    h.out
}

/// PASS or HOLD, and why: the blocking findings, or the number of warnings.
fn banner(h: &mut Html, m: &Manifest) {
    let s = &m.gate.summary;
    match m.gate.decision {
        Decision::Pass => {
            let _ = write!(
                h.out,
                "<div class=\"banner pass\" role=\"status\"><p class=\"decision\">PASS</p><p>The release gate found no blocking finding ({}).</p>",
                esc(&plural(s.warnings, "warning"))
            );
        }
        Decision::Hold => {
            let _ = write!(
                h.out,
                "<div class=\"banner hold\" role=\"status\"><p class=\"decision\">HOLD</p><p>{}: this evidence shows exactly what would ship; it must not be signed unless the risk is accepted.</p><ul>",
                esc(&plural(s.errors, "blocking finding"))
            );
            for f in m
                .gate
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
            {
                h.raw("<li>");
                h.code(f.code.as_str()).raw(" ").text(&f.message);
                h.raw("</li>");
            }
            h.raw("</ul>");
        }
    }
    let _ = writeln!(
        h.out,
        "<p class=\"scope\">Gate date {} · scope: {}</p></div>",
        esc(&m.gate.date.to_string()),
        esc(&m.gate.scope)
    );
}

fn facts(h: &mut Html, p: &Page<'_>) {
    let m = p.m;
    let source = match &m.source.commit {
        Some(c) => {
            let mut s = format!("commit {c}");
            s.push_str(&if m.source.tags.is_empty() {
                ", untagged".to_owned()
            } else {
                format!(", tag {}", m.source.tags.join(", "))
            });
            s.push_str(match m.source.dirty {
                Some(true) => ", UNCOMMITTED CHANGES",
                Some(false) => ", clean",
                None => "",
            });
            s
        }
        None => "not a git checkout".to_owned(),
    };
    let features = if m.features.all_features {
        "all features".to_owned()
    } else {
        let mut f = if m.features.no_default_features {
            "no default features".to_owned()
        } else {
            "default features".to_owned()
        };
        if !m.features.features.is_empty() {
            f.push_str(&format!(" + {}", m.features.features.join(", ")));
        }
        f
    };
    let db = &m.advisory_db;
    let rows = [
        (
            "Product",
            format!("{} {}", m.product.name, m.product.version),
        ),
        ("Source", source),
        ("Target", m.target.clone()),
        ("Profile", m.profile.clone()),
        ("Features", features),
        (
            "Toolchain",
            format!(
                "{}; {}",
                m.toolchain.rustc.lines().next().unwrap_or_default(),
                m.toolchain.cargo
            ),
        ),
        ("Cargo.lock", format!("sha256 {}", m.cargo_lock_sha256)),
        (
            "Policy",
            format!("{} (sha256 {})", m.policy.path, m.policy.sha256),
        ),
        (
            "Advisory DB",
            format!(
                "{}, {}, {}",
                db.commit
                    .as_deref()
                    .map(|c| format!("commit {c}"))
                    .unwrap_or_else(|| "no commit".to_owned()),
                db.date.as_deref().unwrap_or("undated"),
                if db.advisories == 1 {
                    "1 advisory".to_owned()
                } else {
                    format!("{} advisories", db.advisories)
                }
            ),
        ),
        ("Generated", m.generated_at.clone()),
    ];
    h.section("release", "Release", |h| {
        h.raw("<table class=\"facts\">\n<tbody>\n");
        for (k, v) in rows {
            h.raw("<tr>").el("th", "", k).td("", &v).raw("</tr>\n");
        }
        h.raw("</tbody>\n</table>\n");
    });
}

fn finding(h: &mut Html, f: &Finding, p: &Page<'_>) {
    let sev = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = write!(
        h.out,
        "<div class=\"finding {sev}\"><p class=\"head\"><span class=\"sev\">{sev}</span> <code>{}</code>",
        esc(f.code.as_str())
    );
    if let Some(pk) = &f.package {
        h.raw(" ").el("span", "pkg", &pk.to_string());
    }
    if let Some(a) = &f.advisory {
        let url = p
            .models
            .iter()
            .flat_map(|m| &m.vulnerabilities)
            .find(|v| &v.id == a)
            .and_then(|v| v.url.as_deref());
        h.raw(" ");
        h.link(url, a);
    }
    h.raw("</p>");
    h.el("p", "msg", &f.message);
    for v in &f.via {
        h.el(
            "p",
            "via",
            &format!("via {} ({}): {}", v.member, v.kind, v.path.join(" → ")),
        );
    }
    if let Some(l) = &f.location {
        h.el(
            "p",
            "loc",
            &format!("at {}:{}:{}", l.file, l.line, l.column),
        );
    }
    h.el("p", "fix", &format!("fix: {}", f.fix));
    h.raw("</div>\n");
}

fn findings(h: &mut Html, p: &Page<'_>) {
    let open: Vec<&Finding> =
        p.m.gate
            .findings
            .iter()
            .filter(|f| f.code != Code::VulnerabilityAccepted)
            .collect();
    h.section(
        "findings",
        &format!("Open findings ({})", open.len()),
        |h| {
            if open.is_empty() {
                h.raw("<p>None.</p>\n");
            }
            for f in open {
                finding(h, f, p);
            }
        },
    );
}

fn accepted_risks(h: &mut Html, p: &Page<'_>) {
    let rows = &p.m.exceptions_applied;
    let accepted: Vec<&Finding> =
        p.m.gate
            .findings
            .iter()
            .filter(|f| f.code == Code::VulnerabilityAccepted)
            .collect();
    h.section("risks", &format!("Accepted risks ({})", rows.len()), |h| {
        for f in &accepted {
            finding(h, f, p);
        }
        if rows.is_empty() {
            h.raw("<p>None: no advisory exception was in force.</p>\n");
            return;
        }
        h.table(
            "risks",
            &["advisory", "crate", "approved by", "expires", "reason"],
            rows,
            |h, e| {
                let v = p
                    .models
                    .iter()
                    .flat_map(|m| &m.vulnerabilities)
                    .find(|v| v.id == e.id);
                h.raw("<td>");
                h.link(v.and_then(|v| v.url.as_deref()), &e.id);
                if let Some(v) = v {
                    h.raw("<br>").el("span", "title", &v.title);
                }
                h.raw("</td>");
                h.td("", &e.krate)
                    .td("", &e.approved_by)
                    .td("", &e.expires.to_string())
                    .td("", &e.reason);
            },
        );
    });
}

fn artifacts(h: &mut Html, p: &Page<'_>) {
    let m = p.m;
    h.section("artifacts", "Artifacts and digests", |h| {
        h.table(
            "digests",
            &["file", "kind", "size (bytes)", "sha256"],
            &m.artifacts,
            |h, a| {
                h.td_code(&a.path)
                    .td("", &a.kind)
                    .td("num", &a.size.to_string())
                    .td("hash", &a.sha256);
            },
        );
        h.table(
            "digests",
            &["SBOM", "format", "size (bytes)", "sha256"],
            &m.sbom,
            |h, s| {
                h.td_code(&s.path)
                    .td("", &s.kind)
                    .td("num", &s.size.to_string())
                    .td("hash", &s.sha256);
            },
        );
        if !m.vex.is_empty() {
            h.table(
                "digests",
                &["VEX", "format", "size (bytes)", "sha256"],
                &m.vex,
                |h, s| {
                    h.td_code(&s.path)
                        .td("", &s.kind)
                        .td("num", &s.size.to_string())
                        .td("hash", &s.sha256);
                },
            );
        }
        h.raw("<p class=\"note\">Every file of the evidence directory and every artifact is listed with its sha256 in <code>SHA256SUMS</code>; approvals and the release signature cover that file.</p>\n");
    });
}

fn changes(h: &mut Html, p: &Page<'_>) {
    let c = p.changes;
    h.section("changes", "Changes since the previous release", |h| {
        let Some(base) = &c.baseline else {
            h.raw("<p>No earlier release of this product to compare with (none retained in the ledger, no evidence next to this one).</p>\n");
            return;
        };
        h.el(
            "p",
            "",
            &format!(
                "Compared with {base}, from {}: {} added, {} removed, {} changed version.",
                c.compared_with.as_deref().unwrap_or("its evidence"),
                c.added.len(),
                c.removed.len(),
                c.changed.len()
            ),
        );
        let rows = c.rows();
        if !rows.is_empty() {
            h.table("changes", &["change", "item"], &rows, |h, (l, i)| {
                h.td("", l).td("", i);
            });
        }
    });
}

fn build(h: &mut Html, p: &Page<'_>) {
    h.section("build", "Build", |h| {
        let Some(b) = &p.m.build else {
            h.raw("<p>Not built by this run (<code>--no-build</code>): the artifacts a previous build left were hashed.</p>\n");
            return;
        };
        let set = if b.shipped_set_check.matches {
            "the build compiled exactly the gate's shipped set".to_owned()
        } else {
            format!(
                "MISMATCH: compiled but not shipped: {}; shipped but not compiled: {}",
                b.shipped_set_check.not_in_shipped_set.join(", "),
                b.shipped_set_check.not_compiled.join(", ")
            )
        };
        let repro = match &b.reproducibility {
            None => "not checked (no --check-reproducible)".to_owned(),
            Some(r) if r.identical => format!(
                "a second build from {} gave identical artifacts",
                r.rebuilt_from
            ),
            Some(r) => format!(
                "NOT REPRODUCIBLE: a second build from {} differs",
                r.rebuilt_from
            ),
        };
        let rows = [
            ("Command", b.command.join(" ")),
            ("Source date epoch", b.source_date_epoch.to_string()),
            ("Compiled packages", b.compiled_packages.to_string()),
            ("Shipped-set check", set),
            ("Reproducibility", repro),
        ];
        h.raw("<table class=\"facts\">\n<tbody>\n");
        for (k, v) in rows {
            h.raw("<tr>").el("th", "", k).td("", &v).raw("</tr>\n");
        }
        h.raw("</tbody>\n</table>\n");
    });
}

fn checklist(h: &mut Html, p: &Page<'_>) {
    h.section("checklist", "Release checklist", |h| {
        h.raw("<ul class=\"checklist\">\n");
        for (done, label) in markdown::checklist(p.m) {
            let (class, mark) = if done {
                ("done", "✓")
            } else {
                ("todo", "✗")
            };
            let _ = writeln!(
                h.out,
                "<li class=\"{class}\"><span class=\"mark\">{mark}</span> {}</li>",
                esc(&label)
            );
        }
        h.raw("</ul>\n");
    });
}

/// Standard base64 (for the script's hash in the content security policy).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
