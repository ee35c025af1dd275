//! `cargo release-evidence sbom`: only the SBOM(s), without building. The artifact's digest is
//! included when a previous build left it in the target directory.

use super::documents::sbom_files;
use super::{Options, evidence_dir, evidence_location, profile_dir, source_date_epoch};
use crate::error::{Error, Result};
use crate::evidence::{self, store, store::Existing};
use crate::gate;
use crate::sbom::{self, ArtifactInfo};
use crate::util::fs::write_atomic;
use crate::util::paths::absolute;
use crate::util::{digest, time};
use crate::workspace::{lockfile, source};
use std::path::{Path, PathBuf};

pub fn run(opts: &Options, output: Option<&Path>) -> Result<Vec<PathBuf>> {
    let run = gate::run(&opts.gate)?;
    if run.target.is_none() {
        return Err(Error::usage(
            "--all-platforms",
            "an SBOM describes one target; drop --all-platforms",
        ));
    }
    let lock = lockfile::read(&run.workspace.root)?;
    let source = source::read(&run.workspace.root);
    let ts = time::rfc3339(source_date_epoch(&source, &run)?);
    let sbom_cx = sbom::Context {
        run: &run,
        checksums: &lock,
        timestamp: ts,
        profile: opts.profile.clone(),
        // No build here: the gate's decision is the whole decision.
        decision: run.report.decision,
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for set in &run.sets {
        let pkg = run
            .workspace
            .graph
            .metadata(&set.id)
            .map_err(|e| Error::Environment(e.to_string()))?;
        let windows = run.target.as_deref().is_some_and(|t| t.contains("windows"));
        let out_dir = profile_dir(&run, &opts.profile);
        let mut targets: Vec<(String, String)> = pkg
            .build_targets()
            .filter_map(|t| match t.id() {
                guppy::graph::BuildTargetId::Binary(name) => Some((
                    if windows {
                        format!("{name}.exe")
                    } else {
                        name.to_owned()
                    },
                    "bin".to_owned(),
                )),
                _ => None,
            })
            .collect();
        if targets.is_empty() {
            targets.push((format!("{}-{}", set.name, set.version), "lib".to_owned()));
        }
        let dir = match output {
            Some(o) => absolute(o)?,
            None => evidence_dir(opts, &run, set)?,
        };
        for (file_name, kind) in targets {
            let path = out_dir.join(&file_name);
            let sha256 = path
                .is_file()
                .then(|| digest::sha256_file(&path))
                .transpose()?;
            let sha512 = path
                .is_file()
                .then(|| digest::sha512_file(&path))
                .transpose()?;
            let model = sbom::model(
                &sbom_cx,
                set,
                ArtifactInfo {
                    file_name: file_name.clone(),
                    kind,
                    sha256,
                    sha512,
                },
            )?;
            for (name, text, _) in sbom_files(opts, &model, &file_name).0 {
                files.push((dir.join(name), text));
            }
        }
    }
    // `-o FILE.json` names the file itself when there is exactly one SBOM.
    if let Some(o) = output
        && files.len() == 1
        && o.extension().is_some_and(|e| e == "json")
    {
        files[0].0 = absolute(o)?;
    }
    // Into evidence directories (no -o): the same checks and lock as every writer; a new one
    // gets the marker, so the main job later recognises it as ours.
    let mut locks = Vec::new();
    if output.is_none() {
        let location = evidence_location(&run);
        let mut dirs: Vec<PathBuf> = files
            .iter()
            .filter_map(|(p, _)| p.parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        for dir in dirs {
            store::check_location(&dir, &location)?;
            let lock = store::create_and_lock(&dir)?;
            match store::check_location(&dir, &location)? {
                Existing::Sealed => return Err(sealed(&dir)),
                Existing::Unsealed => {}
                Existing::Nothing => {
                    std::fs::create_dir(&dir)
                        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
                    write_atomic(
                        &dir.join(evidence::MARKER_FILE),
                        store::guard::marker_text().as_bytes(),
                    )?;
                }
            }
            locks.push(lock);
        }
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let dir = path.parent().unwrap_or(Path::new("."));
        if store::is_sealed(dir) {
            return Err(sealed(dir));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    drop(locks);
    Ok(written)
}

fn sealed(dir: &Path) -> Error {
    Error::usage(
        "--output",
        format!(
            "{} is sealed evidence; write the SBOM elsewhere with -o",
            dir.display()
        ),
    )
}
