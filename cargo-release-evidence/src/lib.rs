//! cargo-release-evidence: the release gate and release evidence for regulated Rust software.
//!
//! `main.rs` only calls [`run`]; everything else lives in this library.

pub mod advisory_db;
pub mod allowed_signers;
pub mod approvals;
pub mod builder;
pub mod canonical;
pub mod checks;
pub mod cli;
pub mod digest;
pub mod error;
pub mod evidence;
pub mod findings;
pub mod fsutil;
pub mod gate;
pub mod init;
pub mod inspect;
pub mod lockfile;
pub mod metadata;
pub mod policy;
pub mod process;
pub mod release_build;
pub mod render;
pub mod report;
pub mod rustflags;
pub mod sbom;
pub mod signing;
pub mod source_info;
pub mod toolchain;
pub mod verify;
pub mod verify_build;
pub mod workspace;

use clap::Parser;
use cli::{Cli, Color, Command, DbCommand, Format, GlobalArgs};
use error::{EXIT_ERROR, EXIT_HOLD, EXIT_PASS, Error, Result};
use findings::Decision;
use std::io::Write;

/// Parses the command line (accepting cargo's `cargo-release-evidence release-evidence …`
/// form), runs the command and returns the exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "release-evidence") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASS
            };
        }
    };
    setup_color(&cli.global);
    match dispatch(&cli) {
        Ok(code) => code,
        Err(e) => {
            let mut err = anstream::stderr();
            let red = anstyle::AnsiColor::Red.on_default().bold();
            let _ = writeln!(err, "{red}error{red:#}: {e}");
            EXIT_ERROR
        }
    }
}

fn setup_color(g: &GlobalArgs) {
    let choice = match g.color {
        Some(Color::Always) => anstream::ColorChoice::Always,
        Some(Color::Never) => anstream::ColorChoice::Never,
        Some(Color::Auto) => anstream::ColorChoice::Auto,
        None => match std::env::var("CARGO_TERM_COLOR").as_deref() {
            Ok("always") => anstream::ColorChoice::Always,
            Ok("never") => anstream::ColorChoice::Never,
            _ => anstream::ColorChoice::Auto,
        },
    };
    choice.write_global();
}

fn dispatch(cli: &Cli) -> Result<u8> {
    let g = &cli.global;
    match &cli.command {
        None => main_job(g),
        Some(Command::Sbom { output }) => sbom_only(g, output.as_deref()),
        Some(Command::Check) => {
            let run = gate::run(g)?;
            print_report(g, &run)?;
            Ok(exit_for(run.report.decision))
        }
        Some(Command::Init) => init(g),
        Some(Command::Build) => build_only(g),
        Some(Command::Inspect { binary }) => inspect_cmd(g, binary),
        Some(Command::Approve {
            role,
            key,
            accept_risk,
            comment,
            passphrase_file,
            evidence_dir,
        }) => {
            let (policy, dir) = policy_and_dir(g, evidence_dir.as_deref())?;
            let outcome = approvals::approve(&approvals::ApproveArgs {
                dir: &dir,
                role,
                key,
                passphrase_file: passphrase_file.as_deref(),
                accept_risk: accept_risk.as_deref(),
                comment: comment.as_deref(),
                date: gate::eval_date(g)?,
                policy: &policy,
            })?;
            Ok(report_outcome(g, outcome))
        }
        Some(Command::Sign {
            key,
            passphrase_file,
            evidence_dir,
        }) => {
            let (policy, dir) = policy_and_dir(g, evidence_dir.as_deref())?;
            let outcome = approvals::sign(
                &dir,
                key,
                passphrase_file.as_deref(),
                gate::eval_date(g)?,
                &policy,
            )?;
            Ok(report_outcome(g, outcome))
        }
        Some(Command::Verify {
            evidence_dir,
            allowed_signers,
        }) => verify_cmd(g, evidence_dir, allowed_signers.as_deref()),
        Some(Command::VerifyBuild { evidence_dir }) => verify_build(g, evidence_dir),
        Some(Command::Codes) => codes(g),
        Some(Command::Publish { args }) => publish(g, args),
        Some(Command::Db {
            command: DbCommand::Fetch { url },
        }) => db_fetch(g, url),
    }
}

fn main_job(g: &GlobalArgs) -> Result<u8> {
    let (run, evidence) = evidence::run(g)?;
    // The build can add findings (not reproducible, …): the worst member decides.
    let decision = if evidence.iter().any(|e| e.decision == Decision::Hold) {
        Decision::Hold
    } else {
        run.report.decision
    };
    let mut out = anstream::stdout();
    let text = match g.format {
        Format::Json => render::json::to_string(&evidence::RunSummary {
            schema: "cargo-release-evidence/run",
            schema_version: 1,
            decision,
            evidence_dir: (evidence.len() == 1).then(|| evidence[0].evidence_dir.clone()),
            errors: run.report.summary.errors,
            warnings: run.report.summary.warnings,
            evidence,
        }),
        Format::Sarif => render::sarif::render(&run.report),
        Format::Human => {
            let mut t = render::human::render(&run.report, g.verbose, g.quiet);
            for e in &evidence {
                for f in &e.build_findings {
                    t.push_str(&finding_line(f, ""));
                }
                t.push_str(&format!(
                    "evidence ({}) for {} {}: {}\n",
                    e.decision,
                    e.package,
                    e.version,
                    e.evidence_dir.display()
                ));
                if !g.quiet {
                    for a in &e.artifacts {
                        t.push_str(&format!("  {}  {}\n", a.sha256, a.path));
                    }
                }
            }
            t
        }
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("writing to stdout", e))?;
    Ok(exit_for(decision))
}

/// The workspace policy and the evidence directory for approve/sign.
fn policy_and_dir(
    g: &GlobalArgs,
    dir: Option<&std::path::Path>,
) -> Result<(policy::Policy, std::path::PathBuf)> {
    let manifest = metadata::find_manifest(g.manifest_path.as_deref())?;
    let root = workspace::guess_workspace_root(&manifest);
    let explicit = g.policy.as_deref().map(metadata::absolute).transpose()?;
    let policy = policy::Policy::load(&root, explicit.as_deref())?;
    let dir = approvals::locate(dir, &root, &g.profile)?;
    Ok((policy, dir))
}

fn report_outcome(g: &GlobalArgs, outcome: approvals::Outcome) -> u8 {
    match outcome {
        approvals::Outcome::Done(msg) => {
            if !g.quiet {
                println!("{msg}");
            }
            EXIT_PASS
        }
        approvals::Outcome::Refused(msg) => {
            eprintln!("refused: {msg}");
            EXIT_HOLD
        }
    }
}

fn verify_cmd(
    g: &GlobalArgs,
    dir: &std::path::Path,
    signers: Option<&std::path::Path>,
) -> Result<u8> {
    let v = verify::run(dir, signers)?;
    let text = if g.format == Format::Json {
        render::json::to_string(&v)
    } else {
        let mut t = format!(
            "verify {} (evidence digest {}; keys: {})\n",
            v.evidence_dir.display(),
            v.evidence_digest,
            v.allowed_signers
        );
        for i in &v.items {
            t.push_str(&format!(
                "  {} {}: {}\n",
                if i.ok { "ok  " } else { "FAIL" },
                i.item,
                i.detail
            ));
        }
        t.push_str(if v.ok {
            "verify: PASS\n"
        } else {
            "verify: FAIL\n"
        });
        t
    };
    print!("{text}");
    Ok(if v.ok { EXIT_PASS } else { EXIT_HOLD })
}

fn inspect_cmd(g: &GlobalArgs, binary: &std::path::Path) -> Result<u8> {
    let (record, packages) = inspect::read(binary)?;
    // The policy of the workspace here, if any, for the DB location and the exceptions.
    let policy = metadata::find_manifest(g.manifest_path.as_deref())
        .ok()
        .map(|m| workspace::guess_workspace_root(&m))
        .and_then(|root| policy::Policy::load(&root, g.policy.as_deref()).ok());
    let db_path = match (&g.advisory_db, policy.as_ref().and_then(|p| p.db_path())) {
        (Some(p), _) => Some(metadata::absolute(p)?),
        (None, Some(p)) => Some(p),
        (None, None) => advisory_db::default_path(),
    };
    let db = match db_path {
        Some(p) if p.join("crates").is_dir() => {
            let mut db = advisory_db::open(&p, p.display().to_string())?;
            db.load(packages.iter().map(|p| p.name.as_str()));
            Some(db)
        }
        _ => None,
    };
    let report = inspect::audit(
        binary,
        record,
        packages,
        db,
        policy.as_ref(),
        gate::eval_date(g)?,
    );
    let text = if g.format == Format::Json {
        render::json::to_string(&report)
    } else {
        let mut t = format!("{}\n", report.binary);
        match &report.record {
            Some(r) => t.push_str(&format!(
                "  evidence: {} {} (commit {}{}), Cargo.lock sha256 {}, {} {}, evidence id {}\n",
                r["name"].as_str().unwrap_or("?"),
                r["version"].as_str().unwrap_or("?"),
                r["commit"]
                    .as_str()
                    .filter(|c| !c.is_empty())
                    .unwrap_or("unknown"),
                if r["dirty"] == true { ", dirty" } else { "" },
                r["lock_sha256"].as_str().unwrap_or("?"),
                r["target"].as_str().unwrap_or("?"),
                r["profile"].as_str().unwrap_or("?"),
                r["evidence_id"].as_str().unwrap_or("?"),
            )),
            None => {
                t.push_str("  evidence: none (no release-evidence record; dependency list only)\n")
            }
        }
        t.push_str(&format!("  {} packages:\n", report.packages.len()));
        for p in &report.packages {
            t.push_str(&format!(
                "    {} {} ({}{}{})\n",
                p.name,
                p.version,
                p.source,
                p.kind
                    .as_deref()
                    .map(|k| format!(", {k}"))
                    .unwrap_or_default(),
                if p.root { ", root" } else { "" }
            ));
        }
        if report.audited {
            for f in &report.findings {
                t.push_str(&finding_line(f, "  "));
            }
            t.push_str(&format!(
                "{}: {} finding(s)\n",
                report.decision,
                report.findings.len()
            ));
        } else {
            t.push_str("not audited: no advisory database (pass --advisory-db PATH)\n");
        }
        t
    };
    print!("{text}");
    Ok(exit_for(report.decision))
}

fn build_only(g: &GlobalArgs) -> Result<u8> {
    let builds = evidence::build_only(g)?;
    let failed = builds.iter().any(|b| {
        b.findings
            .iter()
            .any(|f| f.severity == findings::Severity::Error)
    });
    let text = if g.format == Format::Json {
        render::json::to_string(&builds)
    } else {
        let mut t = String::new();
        for b in &builds {
            t.push_str(&format!("build of {} {}:\n", b.package, b.version));
            for a in &b.record.artifacts {
                t.push_str(&format!("  {}  {} ({} bytes)\n", a.sha256, a.name, a.size));
            }
            if let Some(r) = &b.record.reproducibility {
                t.push_str(&format!(
                    "  reproducible: {} (rebuilt from {})\n",
                    if r.identical { "yes" } else { "NO" },
                    r.rebuilt_from
                ));
            }
            for f in &b.findings {
                t.push_str(&finding_line(f, "  "));
            }
        }
        t
    };
    print!("{text}");
    Ok(if failed { EXIT_HOLD } else { EXIT_PASS })
}

fn verify_build(g: &GlobalArgs, dir: &std::path::Path) -> Result<u8> {
    let report = verify_build::run(g, dir)?;
    let text = if g.format == Format::Json {
        render::json::to_string(&report)
    } else {
        let mut t = format!(
            "verify-build of {} {} (rebuilt from {}):\n",
            report.package, report.version, report.rebuilt_from
        );
        for a in &report.artifacts {
            let ok = a.rebuilt_sha256.as_deref() == Some(a.sha256.as_str());
            t.push_str(&format!(
                "  {} {}: recorded {}, rebuilt {}\n",
                if ok { "identical" } else { "DIFFERS " },
                a.name,
                a.sha256,
                a.rebuilt_sha256.as_deref().unwrap_or("(missing)")
            ));
        }
        for f in &report.findings {
            t.push_str(&finding_line(f, "  "));
        }
        t.push_str(if report.identical {
            "verify-build: PASS (every artifact rebuilt bit for bit)\n"
        } else {
            "verify-build: FAIL\n"
        });
        t
    };
    print!("{text}");
    Ok(if report.identical {
        EXIT_PASS
    } else {
        EXIT_HOLD
    })
}

fn sbom_only(g: &GlobalArgs, output: Option<&std::path::Path>) -> Result<u8> {
    let written = evidence::sbom_only(g, output)?;
    if !g.quiet {
        for p in &written {
            println!("wrote {}", p.display());
        }
    }
    Ok(EXIT_PASS)
}

/// A finding and its fix as two plain lines, indented by `indent`.
fn finding_line(f: &findings::Finding, indent: &str) -> String {
    format!(
        "{indent}{}[{}] {}\n{indent}  fix: {}\n",
        f.severity, f.code, f.message, f.fix
    )
}

fn exit_for(d: Decision) -> u8 {
    match d {
        Decision::Pass => EXIT_PASS,
        Decision::Hold => EXIT_HOLD,
    }
}

fn print_report(g: &GlobalArgs, run: &gate::GateRun) -> Result<()> {
    let text = match g.format {
        Format::Human => {
            let mut t = render::human::render(&run.report, g.verbose, g.quiet);
            if g.verbose > 0 {
                t.push_str(&format!(
                    "metadata: {}\n",
                    match run.metadata_origin {
                        metadata::Origin::Cargo => "cargo metadata",
                        metadata::Origin::Cache => "cache (inputs unchanged)",
                        metadata::Origin::File => "--metadata-path",
                    }
                ));
            }
            t
        }
        Format::Json => render::json::to_string(&run.report),
        Format::Sarif => render::sarif::render(&run.report),
    };
    let mut out = anstream::stdout();
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("writing to stdout", e))
}

fn codes(g: &GlobalArgs) -> Result<u8> {
    let rows: Vec<serde_json::Value> = findings::Code::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "code": c.as_str(),
                "severity": c.default_severity(),
                "summary": c.summary(),
            })
        })
        .collect();
    let text = if g.format == Format::Json {
        render::json::to_string(&rows)
    } else {
        findings::Code::ALL
            .iter()
            .map(|c| {
                format!(
                    "{:<28} {:<8} {}\n",
                    c.as_str(),
                    c.default_severity(),
                    c.summary()
                )
            })
            .collect()
    };
    print!("{text}");
    Ok(EXIT_PASS)
}

fn init(g: &GlobalArgs) -> Result<u8> {
    let date = gate::eval_date(g)?;
    let (ws, _) = gate::load_workspace(g)?;
    let members = ws.select_members(&g.packages, g.workspace, &[])?;
    let sel = gate::selection(g);
    let sets: Vec<_> = members
        .iter()
        .map(|m| ws.member_set(m, &sel))
        .collect::<Result<_>>()?;
    let packages = ws.shipped_packages(&sets);
    let names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    let text = init::policy_text(&names, &packages, date)?;
    let path = init::write(&ws.root, &text)?;
    if !g.quiet {
        let third = packages.iter().filter(|p| p.is_third_party()).count();
        println!(
            "wrote {} with {third} crates pending review; review each, then run `cargo release-evidence check`",
            path.display()
        );
    }
    Ok(EXIT_PASS)
}

fn publish(g: &GlobalArgs, args: &[String]) -> Result<u8> {
    let run = gate::run(g)?;
    if run.sets.len() != 1 {
        return Err(Error::usage(
            "--package",
            format!(
                "publish needs exactly one release member, got {}; pass -p NAME",
                run.sets.len()
            ),
        ));
    }
    print_report(g, &run)?;
    if run.report.decision == Decision::Hold {
        eprintln!(
            "not publishing {}: the release gate decided HOLD",
            run.sets[0].name
        );
        return Ok(EXIT_HOLD);
    }
    let member = &run.sets[0];
    let mut cargo_args = vec![
        "publish".to_owned(),
        "--manifest-path".to_owned(),
        member.manifest_path.display().to_string(),
    ];
    for (flag, on) in [
        ("--locked", g.locked),
        ("--offline", g.offline),
        ("--frozen", g.frozen),
    ] {
        if on {
            cargo_args.push(flag.to_owned());
        }
    }
    cargo_args.extend(args.iter().cloned());
    let status = duct::cmd(process::cargo(), &cargo_args)
        .unchecked()
        .run()
        .map_err(|e| Error::Command {
            command: format!("cargo {}", cargo_args.join(" ")),
            message: e.to_string(),
        })?;
    if status.status.success() {
        Ok(EXIT_PASS)
    } else {
        Err(Error::Command {
            command: format!("cargo {}", cargo_args.join(" ")),
            message: format!("exit status {}", status.status.code().unwrap_or(-1)),
        })
    }
}

fn db_fetch(g: &GlobalArgs, url: &str) -> Result<u8> {
    if g.offline || g.frozen {
        return Err(Error::usage(
            "--offline",
            "`db fetch` uses the network; drop --offline/--frozen",
        ));
    }
    let path = match &g.advisory_db {
        Some(p) => metadata::absolute(p)?,
        None => {
            let manifest = metadata::find_manifest(g.manifest_path.as_deref()).ok();
            let policy = manifest
                .map(|m| workspace::guess_workspace_root(&m))
                .and_then(|root| policy::Policy::load(&root, g.policy.as_deref()).ok());
            match policy.and_then(|p| p.db_path()) {
                Some(p) => p,
                None => advisory_db::default_path().ok_or_else(|| {
                    Error::usage("--advisory-db", "no default location; pass --advisory-db")
                })?,
            }
        }
    };
    let record = advisory_db::fetch(&path, url);
    let text = serde_json::to_string(&record).expect("serializable");
    if g.format == Format::Json {
        println!("{text}");
    } else if !g.quiet {
        println!(
            "git {} {} into {}: {}",
            record.action,
            record.url,
            path.display(),
            if record.ok { "ok" } else { "failed" }
        );
    }
    if record.ok {
        Ok(EXIT_PASS)
    } else {
        Err(Error::Command {
            command: format!("git {}", record.action),
            message: record.error.unwrap_or_default(),
        })
    }
}
