//! cargo-release-evidence: the release gate and release evidence for regulated Rust software.
//!
//! `main.rs` only calls [`run`]; this file parses the command line and dispatches to
//! `commands/`. See ARCHITECTURE.md for the pipeline and which way imports go.

pub mod adopt;
pub mod advisories;
pub mod build;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod error;
pub mod evidence;
pub mod findings;
pub mod gate;
pub mod inspect;
pub mod ledger;
pub mod pipeline;
pub mod policy;
pub mod record;
pub mod render;
pub mod report;
pub mod review;
pub mod sbom;
pub mod sign;
pub mod util;
pub mod verification;
pub mod workspace;

use clap::Parser;
use cli::{Cli, Color, Command, DbCommand, GlobalArgs};
use error::{EXIT_ERROR, EXIT_PASS, Result};
use std::io::{IsTerminal, Write};

/// Parses the command line (accepting cargo's `cargo-release-evidence release-evidence …`
/// form), runs the command and returns the exit code. A panic is a bug: it is reported as one
/// and exits 2, never 101.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    install_panic_hook();
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
    match std::panic::catch_unwind(|| dispatch(&cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            let color = anstream::ColorChoice::global() != anstream::ColorChoice::Never
                && std::io::stderr().is_terminal();
            let text = render::diagnostics::render_error(&e, color);
            let _ = writeln!(anstream::stderr(), "{text}");
            EXIT_ERROR
        }
        Err(_) => EXIT_ERROR,
    }
}

/// Prints a bug report request instead of Rust's default panic message.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        eprintln!(
            "error: internal error in cargo-release-evidence {}{location}: {}\n\
             This is a bug; nothing was decided. Please report it with the command line and, if you can, the inputs:\n\
             https://github.com/cargo-release-evidence/cargo-release-evidence/issues",
            env!("CARGO_PKG_VERSION"),
            util::text::clip(&message, 300)
        );
    }));
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
        None => commands::release::run(g),
        Some(Command::Check) => commands::check::run(g),
        Some(Command::Sbom { output }) => commands::sbom::run(g, output.as_deref()),
        Some(Command::Init { from }) => commands::init::run(g, from),
        Some(Command::Export { tool, output }) => {
            commands::export::run(g, *tool, output.as_deref())
        }
        Some(Command::Review { command }) => commands::review::run(g, command.as_ref()),
        Some(Command::Build) => commands::build::run(g),
        Some(Command::Test) => commands::test::run(g),
        Some(Command::Inspect { binary }) => commands::inspect::run(g, binary),
        Some(Command::Approve {
            role,
            key,
            accept_risk,
            comment,
            passphrase_file,
            evidence_dir,
        }) => commands::approve::run(
            g,
            &commands::approve::Args {
                role,
                key,
                accept_risk: accept_risk.as_deref(),
                comment: comment.as_deref(),
                passphrase_file: passphrase_file.as_deref(),
                evidence_dir: evidence_dir.as_deref(),
            },
        ),
        Some(Command::Sign {
            key,
            passphrase_file,
            evidence_dir,
        }) => commands::sign::run(g, key, passphrase_file.as_deref(), evidence_dir.as_deref()),
        Some(Command::Verify {
            evidence_dir,
            allowed_signers,
            trust_evidence_copy,
        }) => commands::verify::run(
            g,
            &commands::verify::Args {
                evidence_dir,
                allowed_signers: allowed_signers.as_deref(),
                trust_evidence_copy: *trust_evidence_copy,
            },
        ),
        Some(Command::Report {
            evidence_dir,
            output,
            pdf,
            paper,
            allowed_signers,
            trust_evidence_copy,
        }) => commands::report::run(
            g,
            &commands::report::Args {
                evidence_dir: evidence_dir.as_deref(),
                output: output.as_deref(),
                pdf: pdf.as_deref(),
                paper: *paper,
                allowed_signers: allowed_signers.as_deref(),
                trust_evidence_copy: *trust_evidence_copy,
            },
        ),
        Some(Command::VerifyBuild {
            evidence_dir,
            trust_build_flags,
        }) => commands::verify_build::run(g, evidence_dir, *trust_build_flags),
        Some(Command::Codes) => commands::codes::run(g),
        Some(Command::Publish { args }) => commands::publish::run(g, args),
        Some(Command::Ledger { ledger, command }) => {
            commands::ledger::run(g, ledger.as_deref(), command)
        }
        Some(Command::Monitor { ledger, outputs }) => {
            commands::monitor::run(g, ledger.as_deref(), outputs)
        }
        Some(Command::Diff {
            a,
            b,
            ledger,
            markdown,
        }) => commands::diff::run(g, a, b, ledger.as_deref(), markdown.as_deref()),
        Some(Command::Db {
            command: DbCommand::Fetch { url },
        }) => commands::db::fetch(g, url),
    }
}
