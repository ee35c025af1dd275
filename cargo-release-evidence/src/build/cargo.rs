//! The release build: `cargo build --locked` through duct, with the user's target, features
//! and profile. Artifacts come from cargo's `compiler-artifact` messages, not from guessed file
//! names. cargo's own diagnostics go to stderr unchanged.

use crate::error::{Error, Result};
use crate::util::process;
use crate::workspace::Selection;
use cargo_metadata::{Message, Target, TargetKind};
use serde::Serialize;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// One file the release ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    /// `bin`, `cdylib`, `staticlib`, `dylib` or `rlib`.
    pub kind: String,
    /// Target name (e.g. the binary's name).
    pub target: String,
    /// Absolute path of the file.
    #[serde(skip)]
    pub path: PathBuf,
}

/// What to build.
pub struct BuildRequest<'a> {
    pub manifest_path: &'a Path,
    pub package: &'a str,
    pub selection: &'a Selection,
    pub profile: &'a str,
    pub locked: bool,
    pub offline: bool,
    pub frozen: bool,
    pub quiet: bool,
}

impl BuildRequest<'_> {
    pub fn args(&self) -> Vec<String> {
        let mut a = vec![
            "build".to_owned(),
            "--message-format=json-render-diagnostics".to_owned(),
            "--manifest-path".to_owned(),
            self.manifest_path.display().to_string(),
            "-p".to_owned(),
            self.package.to_owned(),
            "--profile".to_owned(),
            self.profile.to_owned(),
        ];
        if self.locked {
            a.push("--locked".into());
        }
        if self.offline {
            a.push("--offline".into());
        }
        if self.frozen {
            a.push("--frozen".into());
        }
        if self.quiet {
            a.push("--quiet".into());
        }
        if let Some(t) = &self.selection.target {
            a.push("--target".into());
            a.push(t.clone());
        }
        if self.selection.all_features {
            a.push("--all-features".into());
        }
        if self.selection.no_default_features {
            a.push("--no-default-features".into());
        }
        if !self.selection.features.is_empty() {
            a.push("--features".into());
            a.push(self.selection.features.join(","));
        }
        a
    }
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    /// The member's artifacts, sorted by path.
    pub artifacts: Vec<Artifact>,
    /// Package ids cargo compiled (or found fresh) for this build, exactly as cargo wrote them
    /// (`cargo_metadata::PackageId::repr`, the same strings as in `cargo metadata`).
    pub compiled: std::collections::BTreeSet<String>,
}

/// How to run the build process.
pub struct RunOptions<'a> {
    /// Extra environment (e.g. `CARGO_ENCODED_RUSTFLAGS`, `SOURCE_DATE_EPOCH`).
    pub env: &'a [(String, String)],
    /// Variables to remove (e.g. `RUSTFLAGS`, superseded by `CARGO_ENCODED_RUSTFLAGS`).
    pub env_remove: &'a [&'a str],
    /// `CARGO_TARGET_DIR` for this build (a second build uses its own).
    pub target_dir: Option<&'a Path>,
    /// Directory to run cargo in.
    pub dir: Option<&'a Path>,
    /// Label for progress output, e.g. "thermo-fw (rebuild)".
    pub label: &'a str,
    /// Expected number of crates (the shipped set), for the progress bar.
    pub expected_units: u64,
}

/// Runs the build and returns the member's artifacts and the compiled packages. cargo's own
/// messages (warnings, errors, `Compiling …`) are passed through to stderr; on a terminal a
/// progress bar shows how many crates are done.
pub fn build(req: &BuildRequest<'_>, opts: &RunOptions<'_>) -> Result<BuildOutcome> {
    use std::io::IsTerminal;
    let member_manifest = member_manifest(req)?;
    let member_canonical = member_manifest.canonicalize().ok();
    let mut args = req.args();
    let color = std::io::stderr().is_terminal() && !req.quiet;
    if color {
        args.push("--color=always".to_owned());
    }
    let command = format!("cargo {}", args.join(" "));
    let mut expr = duct::cmd(process::cargo(), &args).stderr_to_stdout();
    for (k, v) in opts.env {
        expr = expr.env(k, v);
    }
    for k in opts.env_remove {
        expr = expr.env_remove(k);
    }
    if let Some(t) = opts.target_dir {
        expr = expr.env("CARGO_TARGET_DIR", t);
    }
    if let Some(d) = opts.dir {
        expr = expr.dir(d);
    }
    let reader = expr.reader().map_err(|e| Error::Command {
        command: command.clone(),
        message: e.to_string(),
    })?;
    let bar = if color {
        let pb = indicatif::ProgressBar::new(opts.expected_units.max(1));
        pb.set_style(
            indicatif::ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        pb.set_prefix("Building");
        pb.set_message(opts.label.to_owned());
        Some(pb)
    } else {
        if !req.quiet {
            eprintln!(
                "building {} ({} crates expected)",
                opts.label, opts.expected_units
            );
        }
        None
    };
    let started = std::time::Instant::now();
    let mut artifacts = Vec::new();
    let mut compiled = std::collections::BTreeSet::new();
    for message in Message::parse_stream(BufReader::new(&reader)) {
        let message = match message {
            Ok(m) => m,
            Err(e) => {
                if let Some(pb) = &bar {
                    pb.abandon();
                }
                // duct reports cargo's non-zero exit here; cargo's messages were shown above.
                return Err(Error::Command {
                    command,
                    message: format!("{e}; cargo's messages are above"),
                });
            }
        };
        match message {
            // cargo's rendered diagnostics and status lines.
            Message::TextLine(line) => {
                let text = line.trim_end();
                let hidden =
                    text.is_empty() || (req.quiet && text.trim_start().starts_with("Compiling"));
                if !hidden {
                    match &bar {
                        Some(pb) => pb.println(text),
                        None => eprintln!("{text}"),
                    }
                }
            }
            Message::CompilerArtifact(artifact) => {
                if compiled.insert(artifact.package_id.repr.clone())
                    && let Some(pb) = &bar
                {
                    pb.inc(1);
                }
                // The member's own targets: cargo names the manifest each unit comes from.
                if same_file(
                    artifact.manifest_path.as_std_path(),
                    &member_manifest,
                    member_canonical.as_deref(),
                ) {
                    artifacts.extend(artifacts_of(
                        &artifact.target,
                        artifact.executable.map(|p| p.into_std_path_buf()),
                        artifact
                            .filenames
                            .into_iter()
                            .map(|p| p.into_std_path_buf())
                            .collect(),
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    if !req.quiet {
        eprintln!(
            "built {}: {} crates in {:.1}s",
            opts.label,
            compiled.len(),
            started.elapsed().as_secs_f64()
        );
    }
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts.dedup();
    // Prefer real deliverables; an rlib is the artifact only of a library-only member.
    if artifacts.iter().any(|a| a.kind != "rlib") {
        artifacts.retain(|a| a.kind != "rlib");
    }
    if artifacts.is_empty() {
        return Err(Error::Environment(format!(
            "`{command}` produced no artifacts for {}",
            req.package
        )));
    }
    Ok(BuildOutcome {
        artifacts,
        compiled,
    })
}

/// The manifest of the package the request builds (`-p`): the request's manifest when it is
/// that package's, else the workspace member of that name as `cargo metadata --no-deps` lists
/// it (a build started from the workspace root manifest, as `verify-build` does).
fn member_manifest(req: &BuildRequest<'_>) -> Result<PathBuf> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        package: Option<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: Option<String>,
    }
    let own = std::fs::read_to_string(req.manifest_path)
        .ok()
        .and_then(|text| toml::from_str::<Manifest>(&text).ok())
        .and_then(|m| m.package)
        .and_then(|p| p.name);
    if own.as_deref() == Some(req.package) {
        return Ok(req.manifest_path.to_path_buf());
    }
    let args: Vec<String> = [
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
        "--manifest-path",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([req.manifest_path.display().to_string()])
    .chain(req.offline.then(|| "--offline".to_owned()))
    .chain(req.frozen.then(|| "--frozen".to_owned()))
    .collect();
    let json = process::run_capture(&process::cargo(), &args, None)?;
    let metadata: cargo_metadata::Metadata = serde_json::from_str(&json).map_err(|e| {
        Error::Environment(format!(
            "cannot read `cargo metadata --no-deps` output: {e}"
        ))
    })?;
    metadata
        .workspace_packages()
        .into_iter()
        .find(|p| p.name.as_str() == req.package)
        .map(|p| p.manifest_path.clone().into_std_path_buf())
        .ok_or_else(|| {
            Error::usage(
                "--package",
                format!(
                    "`{}` is not a member of the workspace of {}",
                    req.package,
                    req.manifest_path.display()
                ),
            )
        })
}

/// Whether `a` names the file `b` (as written, or once symlinks are resolved; `b_canonical` is
/// `b` resolved).
fn same_file(a: &Path, b: &Path, b_canonical: Option<&Path>) -> bool {
    a == b || (b_canonical.is_some() && a.canonicalize().ok().as_deref() == b_canonical)
}

fn artifacts_of(
    target: &Target,
    executable: Option<PathBuf>,
    filenames: Vec<PathBuf>,
) -> Vec<Artifact> {
    let name = target.name.as_str();
    let kinds = &target.kind;
    let mut out = Vec::new();
    if target.is_kind(TargetKind::Bin) {
        if let Some(exe) = executable {
            out.push(Artifact {
                kind: "bin".into(),
                target: name.to_owned(),
                path: exe,
            });
        }
        return out;
    }
    for f in filenames {
        let file = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let kind = if file.ends_with(".rlib") {
            "rlib"
        } else if file.ends_with(".a") || file.ends_with(".lib") {
            "staticlib"
        } else if file.ends_with(".so") || file.ends_with(".dylib") || file.ends_with(".dll") {
            if kinds.contains(&TargetKind::DyLib) {
                "dylib"
            } else {
                "cdylib"
            }
        } else {
            continue;
        };
        out.push(Artifact {
            kind: kind.into(),
            target: name.to_owned(),
            path: f,
        });
    }
    out
}

/// Without building (`--no-build`): the artifacts a previous build left, found by the
/// member's target names in the profile directory. Fails when one is missing.
pub fn existing(
    out_dir: &Path,
    targets: &[(String, Vec<String>)],
    triple_is_windows: bool,
) -> Result<Vec<Artifact>> {
    let mut artifacts = Vec::new();
    for (name, kinds) in targets {
        let lib = name.replace('-', "_");
        let mut candidates: Vec<(String, String)> = Vec::new();
        for k in kinds {
            match k.as_str() {
                "bin" => candidates.push((
                    "bin".into(),
                    if triple_is_windows {
                        format!("{name}.exe")
                    } else {
                        name.clone()
                    },
                )),
                "cdylib" | "dylib" => candidates.push((
                    k.clone(),
                    if triple_is_windows {
                        format!("{lib}.dll")
                    } else {
                        format!("lib{lib}.so")
                    },
                )),
                "lib" | "rlib" => candidates.push(("rlib".into(), format!("lib{lib}.rlib"))),
                "staticlib" => candidates.push((
                    k.clone(),
                    if triple_is_windows {
                        format!("{lib}.lib")
                    } else {
                        format!("lib{lib}.a")
                    },
                )),
                _ => {}
            }
        }
        // A library crate ships its cdylib/staticlib when it has one; the rlib otherwise.
        if candidates.iter().any(|(k, _)| k != "rlib") {
            candidates.retain(|(k, _)| k != "rlib");
        }
        for (kind, file) in candidates {
            let path = out_dir.join(&file);
            if !path.is_file() {
                return Err(Error::usage(
                    "--no-build",
                    format!(
                        "{} does not exist; build first or drop --no-build",
                        path.display()
                    ),
                ));
            }
            artifacts.push(Artifact {
                kind,
                target: name.clone(),
                path,
            });
        }
    }
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(artifacts)
}
