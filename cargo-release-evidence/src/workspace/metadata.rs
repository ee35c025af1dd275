//! Getting `cargo metadata` JSON: from a file (`--metadata-path`), from the cache in the
//! target directory, or by running cargo once (through duct).
//!
//! The cache key is the sha256 of the cargo arguments, the toolchain (identified without
//! running it: [`super::cargo_identity`]), the relevant environment, and the contents of Cargo.lock, every local package manifest,
//! cargo config files and rust-toolchain files. Any change there reruns cargo.

use crate::error::{Error, Result};
use crate::util::{digest, process};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Options that change how cargo is run.
#[derive(Debug, Clone, Default)]
pub struct CargoFlags {
    /// `--locked`: the CLI sets it unless `--no-locked` is given, so a stale, empty or missing
    /// Cargo.lock is an error instead of being rewritten behind the evidence's back.
    pub locked: bool,
    pub offline: bool,
    pub frozen: bool,
}

impl CargoFlags {
    pub fn args(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.locked {
            v.push("--locked");
        }
        if self.offline {
            v.push("--offline");
        }
        if self.frozen {
            v.push("--frozen");
        }
        v
    }

    pub fn offline(&self) -> bool {
        self.offline || self.frozen
    }
}

/// Where the metadata came from (reported in verbose output and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Cargo,
    Cache,
    File,
}

pub struct Loaded {
    pub json: String,
    pub origin: Origin,
}

/// Resolves the manifest path like cargo: the flag, or the nearest Cargo.toml upwards.
pub fn find_manifest(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        let abs = absolute(p)?;
        if !abs.is_file() {
            return Err(Error::usage(
                "--manifest-path",
                format!("{} does not exist", p.display()),
            ));
        }
        return Ok(abs);
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    let mut dir = Some(cwd.as_path());
    while let Some(d) = dir {
        let candidate = d.join("Cargo.toml");
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent();
    }
    Err(Error::usage(
        "--manifest-path",
        format!(
            "could not find Cargo.toml in {} or any parent directory",
            cwd.display()
        ),
    ))
}

pub fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::io(format!("resolving {}", p.display()), e))
}

/// The metadata cache's format: 3 holds the text trimmed.
const CACHE_VERSION: u32 = 3;

/// Loads metadata, using the cache under `cache_dir` when its key still matches. The text is
/// trimmed (`trim`) as it is read from a file or from cargo, and the cache holds it trimmed.
pub fn load(
    manifest: &Path,
    root_guess: &Path,
    flags: &CargoFlags,
    metadata_path: Option<&Path>,
    use_cache: bool,
) -> Result<Loaded> {
    if let Some(path) = metadata_path {
        let json = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading --metadata-path {}", path.display()), e))?;
        return Ok(Loaded {
            json: super::trim::trim(json),
            origin: Origin::File,
        });
    }
    let args = metadata_args(manifest, flags);

    let cache = use_cache.then(|| Cache::new(root_guess));
    if let Some(cache) = &cache
        && let Some(json) = cache.lookup(&args)
    {
        return Ok(Loaded {
            json,
            origin: Origin::Cache,
        });
    }
    let out = process::run_capture(&process::cargo(), &args, None)
        .map_err(|e| lockfile_error(e, flags))?;
    let out = super::trim::trim(out);
    if let Some(cache) = &cache {
        // A failed cache write only costs speed next time.
        let _ = cache.store(&args, &out);
    }
    Ok(Loaded {
        json: out,
        origin: Origin::Cargo,
    })
}

/// The key of the cached metadata for this run when the cache is still valid (its inputs are
/// unchanged), else `None`: cargo would run, so nothing derived from it may be reused.
pub fn fresh_cache_key(manifest: &Path, root_guess: &Path, flags: &CargoFlags) -> Option<String> {
    Cache::new(root_guess).fresh_key(&metadata_args(manifest, flags))
}

fn metadata_args(manifest: &Path, flags: &CargoFlags) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "metadata".into(),
        "--format-version".into(),
        "1".into(),
        "--all-features".into(),
        "--manifest-path".into(),
        manifest.display().to_string(),
    ];
    args.extend(flags.args().into_iter().map(str::to_owned));
    args
}

/// The cache directory of this workspace (`<target-dir>/release-evidence/cache`).
pub fn cache_dir(root_guess: &Path) -> PathBuf {
    Cache::new(root_guess).dir
}

/// cargo's refusal to write Cargo.lock under `--locked`/`--frozen`, as an error naming the fix.
fn lockfile_error(e: Error, flags: &CargoFlags) -> Error {
    let Error::Command { message, .. } = &e else {
        return e;
    };
    let refused = message.contains("lock file")
        && message.contains("was passed to prevent this")
        && (flags.locked || flags.frozen);
    if !refused {
        return e;
    }
    let flag = if flags.frozen { "--frozen" } else { "--locked" };
    let line = message
        .lines()
        .find(|l| l.contains("lock file"))
        .unwrap_or(message);
    Error::Environment(format!(
        "Cargo.lock is missing, empty or out of date with the manifests, and cargo runs with {flag}, so it was left as it is ({}). Update it on purpose and review the change: `cargo update --workspace` (or `cargo generate-lockfile` when it is missing), then commit it; or pass --no-locked to let cargo rewrite it during this run (the build record then shows no --locked)",
        crate::util::text::clip(line.trim_start_matches("error: "), 300)
    ))
}

#[derive(Serialize, Deserialize)]
struct CacheIndex {
    version: u32,
    key: String,
    files: Vec<PathBuf>,
}

struct Cache {
    dir: PathBuf,
    root: PathBuf,
}

impl Cache {
    fn new(root: &Path) -> Cache {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|t| if t.is_absolute() { t } else { root.join(t) })
            .unwrap_or_else(|| root.join("target"));
        Cache {
            dir: target.join("release-evidence").join("cache"),
            root: root.to_path_buf(),
        }
    }

    fn lookup(&self, args: &[String]) -> Option<String> {
        self.fresh_key(args)?;
        std::fs::read_to_string(self.dir.join("metadata.json")).ok()
    }

    /// The key of the cached metadata when it still matches its inputs.
    fn fresh_key(&self, args: &[String]) -> Option<String> {
        let index: CacheIndex =
            serde_json::from_slice(&std::fs::read(self.dir.join("metadata-index.json")).ok()?)
                .ok()?;
        if index.version != CACHE_VERSION {
            return None;
        }
        let key = self.key(args, &index.files).ok()?;
        (key == index.key).then_some(key)
    }

    fn store(&self, args: &[String], json: &str) -> Result<()> {
        let files = self.key_files(json)?;
        let key = self.key(args, &files)?;
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io(format!("creating {}", self.dir.display()), e))?;
        crate::util::fs::write_atomic(&self.dir.join("metadata.json"), json.as_bytes())?;
        let index = CacheIndex {
            version: CACHE_VERSION,
            key,
            files,
        };
        let text = serde_json::to_vec(&index).expect("serializable");
        crate::util::fs::write_atomic(&self.dir.join("metadata-index.json"), &text)
    }

    /// Files whose contents decide the metadata.
    fn key_files(&self, json: &str) -> Result<Vec<PathBuf>> {
        #[derive(Deserialize)]
        struct Meta {
            packages: Vec<Pkg>,
            workspace_root: PathBuf,
        }
        #[derive(Deserialize)]
        struct Pkg {
            source: Option<String>,
            manifest_path: PathBuf,
        }
        let meta: Meta = serde_json::from_str(json)
            .map_err(|e| Error::Environment(format!("unreadable cargo metadata: {e}")))?;
        let mut files = vec![
            meta.workspace_root.join("Cargo.lock"),
            meta.workspace_root.join("Cargo.toml"),
        ];
        files.extend(
            meta.packages
                .into_iter()
                .filter(|p| p.source.is_none())
                .map(|p| p.manifest_path),
        );
        let mut dir = Some(meta.workspace_root.as_path());
        while let Some(d) = dir {
            for name in [
                ".cargo/config.toml",
                ".cargo/config",
                "rust-toolchain.toml",
                "rust-toolchain",
            ] {
                files.push(d.join(name));
            }
            dir = d.parent();
        }
        if let Some(home) = cargo_home() {
            files.push(home.join("config.toml"));
            files.push(home.join("config"));
        }
        files.sort();
        files.dedup();
        Ok(files)
    }

    fn key(&self, args: &[String], files: &[PathBuf]) -> Result<String> {
        let mut text = String::new();
        text.push_str(&format!("root={}\n", self.root.display()));
        for a in args {
            text.push_str(&format!("arg={a}\n"));
        }
        for var in [
            "CARGO",
            "RUSTC",
            "RUSTUP_TOOLCHAIN",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_NET_OFFLINE",
        ] {
            text.push_str(&format!(
                "env {var}={}\n",
                std::env::var(var).unwrap_or_default()
            ));
        }
        text.push_str(&super::cargo_identity::fingerprint());
        for f in files {
            let digest = match std::fs::read(f) {
                Ok(bytes) => digest::sha256_hex(&bytes),
                Err(_) => "absent".to_owned(),
            };
            text.push_str(&format!("{digest}  {}\n", f.display()));
        }
        Ok(digest::sha256_hex(text.as_bytes()))
    }
}

pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}
