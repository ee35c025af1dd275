//! Command line: clap derive, cargo conventions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-release-evidence",
    bin_name = "cargo release-evidence",
    version,
    about = "Release gate and release evidence for regulated Rust software",
    long_about = "Approves dependencies against release-evidence.toml, audits RustSec advisories, checks licenses and sources for exactly what ships, and decides PASS or HOLD.\n\nExit codes: 0 PASS, 1 HOLD, 2 usage/config/environment error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the release gate: approvals, licenses, sources, supplier inputs, advisories, yanked.
    Check,
    /// Write only the SBOM(s) of the release artifacts (no build: existing artifacts are hashed
    /// when present).
    Sbom {
        /// Output directory, or file when there is exactly one SBOM (default: the evidence dir).
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Run the verification the policy names ([verification]): `cargo nextest run` (JUnit) and
    /// `cargo clippy` (as SARIF); record the run for the release; check tests, coverage, static
    /// analysis and the trace matrix.
    Test,
    /// Run the controlled release build and print its record (no evidence directory).
    Build,
    /// Rebuild from the inputs recorded in an evidence directory and compare the digests.
    VerifyBuild {
        /// The evidence directory (holding release-evidence.json).
        evidence_dir: PathBuf,
        /// Apply recorded rustflags, environment variables (linker, wrappers, compilers) and
        /// target specs that can run code on this machine; without it they are refused.
        #[arg(long)]
        trust_build_flags: bool,
    },
    /// Sign off the evidence for a role with an SSH key (approval bound to the evidence digest).
    Approve {
        /// The role approving (as named in [approvals.roles]).
        #[arg(long)]
        role: String,
        /// OpenSSH private key, or a public key whose private half is in ssh-agent / on a token.
        #[arg(long)]
        key: PathBuf,
        /// Accept the risk of a HOLD, with the rationale (lists the blocking findings accepted).
        #[arg(long, value_name = "RATIONALE")]
        accept_risk: Option<String>,
        /// A comment stored in the approval record.
        #[arg(long)]
        comment: Option<String>,
        /// File holding the passphrase of an encrypted key.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// The evidence directory (default: the only one under the target dir).
        evidence_dir: Option<PathBuf>,
    },
    /// Sign the release (SHA256SUMS) when it is ready; otherwise record what is missing.
    Sign {
        /// OpenSSH private key, or a public key (ssh-agent / token).
        #[arg(long)]
        key: PathBuf,
        /// File holding the passphrase of an encrypted key.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// The evidence directory (default: the only one under the target dir).
        evidence_dir: Option<PathBuf>,
    },
    /// Verify an evidence directory on any machine against the approval rules and keys you
    /// trust (`--policy`, the workspace's policy, or `--trust-evidence-copy`): digests, files,
    /// approvals, the readiness rule (a HOLD needs every risk acceptance), the signatures.
    Verify {
        /// The evidence directory.
        evidence_dir: PathBuf,
        /// The allowed_signers file you trust (default: the one the trusted policy names).
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<PathBuf>,
        /// Without --policy: trust the approval rules and allowed_signers copied inside the
        /// evidence, which whoever signed SHA256SUMS chose (checks integrity, not who approved).
        #[arg(long)]
        trust_evidence_copy: bool,
    },
    /// Write the release page with the verified approvals and signature outside the evidence
    /// directory, and print it to PDF with a local Chromium (`--pdf`).
    Report {
        /// The evidence directory (default: the only one under the target dir).
        evidence_dir: Option<PathBuf>,
        /// The HTML file to write (default: `<DIR>/../<DIR name>-report.html`; never inside DIR).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also print the page to this PDF with a locally installed Chromium (headless).
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Paper size of the PDF.
        #[arg(long, value_enum, default_value = "a4")]
        paper: Paper,
        /// Your own allowed_signers file (as for `verify`).
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<PathBuf>,
        /// Trust the approval rules and allowed_signers copied into the evidence (as for `verify`).
        #[arg(long)]
        trust_evidence_copy: bool,
    },
    /// Read the evidence and dependency list embedded in a binary and audit them.
    Inspect {
        /// The binary (ELF, PE or Mach-O), built with release-evidence-build or cargo-auditable.
        binary: PathBuf,
    },
    /// Write a starting release-evidence.toml (every shipped crate pending review).
    Init {
        /// Import a peer tool's decisions: cargo-deny=deny.toml, cargo-audit=.cargo/audit.toml,
        /// osv-scanner=osv-scanner.toml (repeatable). Every interpretation is printed.
        #[arg(long = "from", value_name = "TOOL=FILE")]
        from: Vec<String>,
    },
    /// Write the configuration of a peer tool (cargo-deny, cargo-audit, osv-scanner) from the
    /// policy: licenses, sources, advisory exceptions valid on the evaluation date.
    Export {
        /// The peer tool.
        #[arg(value_enum)]
        tool: PeerTool,
        /// Write to this file (default: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the crates that need a review decision with the facts a reviewer needs, riskiest
    /// first; record decisions in the policy (`approve`, `baseline`).
    Review {
        #[command(subcommand)]
        command: Option<ReviewCommand>,
    },
    /// Run the gate and, only on PASS, `cargo publish ARGS`.
    Publish {
        /// Arguments passed to `cargo publish` (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// List every finding code with its default severity and meaning.
    Codes,
    /// Retain verified evidence directories and ask which retained releases ship a crate.
    ///
    /// The ledger keeps every file content-addressed and immutable, indexed by product,
    /// version, target, dates, decision, artifacts, components, exceptions and approvals.
    Ledger {
        /// The ledger: a SQLite file, or a postgres:// URL for a shared PostgreSQL database
        /// (default: $XDG_DATA_HOME/cargo-release-evidence/ledger.sqlite3).
        #[arg(long, global = true, value_name = "PATH")]
        ledger: Option<String>,
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Re-audit every retained release in support against the advisory DB.
    ///
    /// Each release is checked with its own exceptions (expired ones count as expired); the
    /// report lists, per advisory, the affected products and versions and what changed since
    /// the previous run. Exit 1 when an unaccepted vulnerability affects a supported release.
    Monitor {
        /// The ledger: a SQLite file, or a postgres:// URL for a shared PostgreSQL database
        /// (default: $XDG_DATA_HOME/cargo-release-evidence/ledger.sqlite3).
        #[arg(long, value_name = "PATH")]
        ledger: Option<String>,
        #[command(flatten)]
        outputs: MonitorOutputs,
    },
    /// What changed between two releases: packages, advisories, exceptions, approvals,
    /// artifacts.
    Diff {
        /// The earlier release: an evidence directory, or PRODUCT@VERSION in the ledger.
        a: String,
        /// The later release: an evidence directory, or PRODUCT@VERSION in the ledger.
        b: String,
        /// Also write the changes as Markdown to this file (a change record to keep).
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
        /// The ledger for PRODUCT@VERSION: a SQLite file or a postgres:// URL (default:
        /// $XDG_DATA_HOME/cargo-release-evidence/ledger.sqlite3).
        #[arg(long, value_name = "PATH")]
        ledger: Option<String>,
    },
    /// Manage the advisory database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Record your review of a crate at its locked version as an [[approved]] entry (replacing
    /// its pending-review entry), keeping the policy's comments and layout.
    Approve {
        /// The crate, with its version when several versions ship.
        #[arg(value_name = "NAME[@VERSION]")]
        spec: String,
        /// Why the crate is acceptable.
        #[arg(long)]
        rationale: String,
        /// What the review checked: `safe-to-deploy`, `safe-to-run` (cargo-vet's) or your own.
        #[arg(long)]
        criteria: Option<String>,
        /// The reviewer (default: `git config user.email`).
        #[arg(long, value_name = "EMAIL")]
        reviewer: Option<String>,
        /// Record a delta review of the changes from this approved version (default: the
        /// newest earlier approved version, when there is one).
        #[arg(long, value_name = "VERSION", conflicts_with = "full")]
        from: Option<String>,
        /// Record a full review even when an earlier version is approved.
        #[arg(long)]
        full: bool,
    },
    /// Show the source diff of a crate from its approved version to the locked one, from the
    /// .crate files in cargo's registry cache (offline).
    Diff {
        /// The crate, with its version when several versions ship.
        #[arg(value_name = "NAME[@VERSION]")]
        spec: String,
        /// The version to diff from (default: the newest earlier approved version).
        #[arg(long, value_name = "VERSION")]
        from: Option<String>,
    },
    /// Record every crate that needs a decision as a dated baseline entry: accepted as in use
    /// when the tool was adopted, not reviewed, and counted apart from reviewed crates.
    Baseline {
        /// Why the crates in use today are accepted.
        #[arg(long)]
        rationale: String,
        /// Who decides (default: `git config user.email`).
        #[arg(long, value_name = "EMAIL")]
        reviewer: Option<String>,
        /// The baseline entries count up to and including this day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        expires: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Clone or fast-forward the RustSec advisory database with the system git (network).
    Fetch {
        /// Repository to fetch from.
        #[arg(long, default_value = crate::advisories::db::DEFAULT_URL)]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Verify an evidence directory (as `verify`) and retain it in the ledger.
    ///
    /// The trust root is chosen as for `verify`. A directory that does not verify is refused
    /// (exit 1) and nothing is written; the same evidence added again changes nothing.
    Add {
        /// The evidence directory.
        evidence_dir: PathBuf,
        /// The allowed_signers file you trust (as for `verify`).
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<PathBuf>,
        /// Trust the approval rules and allowed_signers copied into the evidence (as for
        /// `verify`).
        #[arg(long)]
        trust_evidence_copy: bool,
    },
    /// List the retained releases.
    List,
    /// Show a retained release: artifacts, approvals, exceptions, components, files.
    Show {
        /// The release, PRODUCT@VERSION (`--target` picks one of several targets).
        release: String,
    },
    /// Write a retained evidence directory back, byte for byte, to a new directory.
    Export {
        /// The release, PRODUCT@VERSION (`--target` picks one of several targets).
        release: String,
        /// The directory to create (must not exist, or be empty).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Which retained releases ship a crate (at versions matching REQ).
    Query {
        /// The crate, NAME or NAME@REQ (a semver requirement such as `<0.6.14`).
        #[arg(long = "crate", value_name = "NAME[@REQ]")]
        krate: String,
    },
}

/// The files `monitor` writes besides its report.
#[derive(Debug, Clone, Args)]
pub struct MonitorOutputs {
    /// Also write the report as Markdown to this file (for the post-market surveillance
    /// file).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write the report as SARIF 2.1.0 to this file (one result per finding).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Write a draft CSAF 2.0 VEX document per product a vulnerability concerns into this
    /// directory (files this tool did not write are never replaced).
    #[arg(long, value_name = "DIR")]
    pub csaf_dir: Option<PathBuf>,
    /// Write a draft EU CRA Art. 14 notification (JSON and Markdown) per product and
    /// unaccepted vulnerability into this directory, for a person to complete.
    #[arg(long, value_name = "DIR")]
    pub notification_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeerTool {
    /// deny.toml
    CargoDeny,
    /// audit.toml (`.cargo/audit.toml`)
    CargoAudit,
    /// osv-scanner.toml
    OsvScanner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Paper {
    A4,
    Letter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to Cargo.toml.
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Release member(s) to check (repeatable).
    #[arg(short = 'p', long = "package", global = true, value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Check all workspace members.
    #[arg(long, global = true)]
    pub workspace: bool,
    /// Target triple (default: host).
    #[arg(long, global = true, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Space or comma separated features to activate.
    #[arg(short = 'F', long, global = true, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all features.
    #[arg(long, global = true)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long, global = true)]
    pub no_default_features: bool,
    /// Widen the shipped set to every platform the lockfile resolves (with --all-features:
    /// everything, comparable with cargo-audit).
    #[arg(long, global = true)]
    pub all_platforms: bool,
    /// Include dev-dependencies in the shipped set.
    #[arg(long, global = true)]
    pub include_dev: bool,
    /// Require Cargo.lock to be up to date (the default; kept for cargo's muscle memory).
    #[arg(long, global = true)]
    pub locked: bool,
    /// Let cargo create or update Cargo.lock (cargo metadata and the build run without
    /// --locked; the build record shows the command as run). Without it a stale, empty or
    /// missing Cargo.lock is an error.
    #[arg(long, global = true, conflicts_with_all = ["locked", "frozen"])]
    pub no_locked: bool,
    /// Run without accessing the network (no DB fetch, cargo --offline).
    #[arg(long, global = true)]
    pub offline: bool,
    /// Require Cargo.lock to be up to date and run offline.
    #[arg(long, global = true)]
    pub frozen: bool,
    /// Precomputed `cargo metadata --format-version 1 --all-features` JSON (cargo is not run).
    #[arg(long, global = true, value_name = "FILE")]
    pub metadata_path: Option<PathBuf>,
    /// Policy file (default: release-evidence.toml at the workspace root).
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Advisory database directory (default: [advisories] db-path, else ~/.cargo/advisory-db).
    #[arg(long, global = true, value_name = "PATH")]
    pub advisory_db: Option<PathBuf>,
    /// Evaluation date YYYY-MM-DD for expiry and staleness (default: today, UTC).
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub format: Format,
    /// Coloring.
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<Color>,
    /// Cargo profile of the release build.
    #[arg(long, global = true, value_name = "NAME", default_value = "release")]
    pub profile: String,
    /// Do not build; take the artifacts a previous build left in the target directory.
    #[arg(long, global = true)]
    pub no_build: bool,
    /// Evidence directory (default: <target-dir>/[<triple>/]<profile>/release-evidence/<pkg>-<version>).
    #[arg(long, global = true, value_name = "DIR")]
    pub evidence_dir: Option<PathBuf>,
    /// Build a second time from a fresh copy of the source elsewhere and compare the artifacts.
    #[arg(long, global = true)]
    pub check_reproducible: bool,
    /// Move sealed evidence aside (numbered suffix) and write new evidence.
    #[arg(long, global = true)]
    pub force: bool,
    /// Additional SBOM format (CycloneDX JSON is always written).
    #[arg(long, global = true, value_name = "FORMAT", value_parser = ["cyclonedx", "spdx"])]
    pub sbom_format: Vec<String>,
    /// CycloneDX version of the SBOM and the CycloneDX VEX document (1.6: BSI TR-03183-2).
    #[arg(long, global = true, value_name = "VERSION", default_value = "1.6", value_parser = ["1.5", "1.6", "1.7"])]
    pub cyclonedx_version: String,
    /// Also write the advisory analysis into the CycloneDX SBOM (the layout before 1.6; it is
    /// always in the VEX documents).
    #[arg(long, global = true)]
    pub sbom_vulnerabilities: bool,
    /// Additional manifest format (JSON is always written).
    #[arg(long, global = true, value_name = "FORMAT", value_parser = ["json", "yaml"])]
    pub manifest_format: Vec<String>,
    /// Do not reuse cached cargo metadata.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Print less.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more (repeatable).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}
