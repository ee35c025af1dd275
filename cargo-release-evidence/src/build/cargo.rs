//! The release build: `cargo build --locked` through duct, with the user's target, features
//! and profile. Artifacts come from cargo's `compiler-artifact` messages, not from guessed file
//! names. cargo's own diagnostics go to stderr unchanged.

use crate::error::{Error, Result};
use crate::util::process;
use crate::workspace::Selection;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader};
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

#[derive(Deserialize)]
struct Message {
    reason: String,
    package_id: Option<String>,
    target: Option<MessageTarget>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct MessageTarget {
    name: String,
    kind: Vec<String>,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    /// The member's artifacts, sorted by path.
    pub artifacts: Vec<Artifact>,
    /// Package ids cargo compiled (or found fresh) for this build.
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
    let mut lines = BufReader::new(&reader);
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
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
        }
        if !line.starts_with('{') {
            // cargo's rendered diagnostics and status lines.
            let text = line.trim_end();
            let hidden =
                text.is_empty() || (req.quiet && text.trim_start().starts_with("Compiling"));
            if !hidden {
                match &bar {
                    Some(pb) => pb.println(text),
                    None => eprintln!("{text}"),
                }
            }
            continue;
        }
        let Ok(msg) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        if msg.reason != "compiler-artifact" {
            continue;
        }
        if let Some(id) = &msg.package_id
            && compiled.insert(id.clone())
            && let Some(pb) = &bar
        {
            pb.inc(1);
        }
        if !msg
            .package_id
            .as_deref()
            .is_some_and(|id| is_local_package(id, req.package))
        {
            continue;
        }
        let Some(target) = msg.target else { continue };
        artifacts.extend(artifacts_of(
            &target.name,
            &target.kind,
            msg.executable,
            msg.filenames,
        ));
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

/// Whether a cargo package id (`path+file:///…/app#thermo-fw@0.9.0`, `path+file:///…/thermo-fw#0.9.0`,
/// or the older `thermo-fw 0.9.0 (path+file:///…)`) names the local package `name`.
pub fn is_local_package(id: &str, name: &str) -> bool {
    if let Some(rest) = id.strip_prefix("path+") {
        let (url, frag) = rest.rsplit_once('#').unwrap_or((rest, ""));
        return match frag.split_once('@') {
            Some((n, _)) => n == name,
            // `#1.2.3`: the name is the directory's.
            None => url.rsplit('/').next() == Some(name),
        };
    }
    id.contains("(path+") && id.split(' ').next() == Some(name)
}

fn artifacts_of(
    name: &str,
    kinds: &[String],
    executable: Option<PathBuf>,
    filenames: Vec<PathBuf>,
) -> Vec<Artifact> {
    let mut out = Vec::new();
    if kinds.iter().any(|k| k == "bin") {
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
            if kinds.iter().any(|k| k == "dylib") {
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
