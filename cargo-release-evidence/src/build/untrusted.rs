//! A build record read from an evidence directory is untrusted input: whoever wrote the
//! directory chose every field. `verify-build` rebuilds on the auditor's machine, so before
//! anything runs this module
//!
//! - finds recorded rustflags, environment variables and target specs that can run code or
//!   read files outside the source (a linker, a wrapper, a compiler plugin, a `@file`
//!   argument…): they are refused unless the auditor passes `--trust-build-flags`;
//! - checks every field that becomes a command-line argument or a path (package, version,
//!   profile, features, target, commit, artifact names, external path dependencies) so it
//!   cannot inject an option or leave its directory. Those are refused always.

use super::record::BuildRecord;
use crate::util::text::clip;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// One recorded build input that can run code on the rebuilding machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeRunningInput {
    /// Where it was recorded: `rustflags`, `env NAME` or `target`.
    pub source: String,
    /// The recorded value (clipped).
    pub value: String,
    /// Why it is not harmless.
    pub reason: &'static str,
}

impl std::fmt::Display for CodeRunningInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`: {}", self.source, self.value, self.reason)
    }
}

/// `-C` options that only change code generation: no program, plugin or file is named.
const SAFE_CODEGEN: &[&str] = &[
    "code-model",
    "codegen-units",
    "collapse-macro-debuginfo",
    "control-flow-guard",
    "debug-assertions",
    "debuginfo",
    "default-linker-libraries",
    "dwarf-version",
    "embed-bitcode",
    "extra-filename",
    "force-frame-pointers",
    "force-unwind-tables",
    "inline-threshold",
    "instrument-coverage",
    "jump-tables",
    "link-dead-code",
    "lto",
    "metadata",
    "no-redzone",
    "no-vectorize-loops",
    "no-vectorize-slp",
    "opt-level",
    "overflow-checks",
    "panic",
    "prefer-dynamic",
    "relocation-model",
    "relro-level",
    "remark",
    "rpath",
    "soft-float",
    "split-debuginfo",
    "strip",
    "symbol-mangling-version",
    "target-cpu",
    "target-feature",
];

/// Options taking a value (joined with `=` or as the next argument) that are harmless.
const SAFE_WITH_VALUE: &[&str] = &[
    "--cfg",
    "--check-cfg",
    "--remap-path-prefix",
    "--cap-lints",
    "--allow",
    "--warn",
    "--deny",
    "--forbid",
    "--force-warn",
    "-A",
    "-W",
    "-D",
    "-F",
];

/// The recorded rustflags that can run code, in order; everything not known to be harmless is
/// listed (fail closed).
pub fn code_running_rustflags(source: &str, flags: &[String]) -> Vec<CodeRunningInput> {
    let mut out = Vec::new();
    let mut refuse = |value: &str, reason| {
        out.push(CodeRunningInput {
            source: source.to_owned(),
            value: clip(value, 120),
            reason,
        })
    };
    let mut i = 0;
    while i < flags.len() {
        let flag = flags[i].as_str();
        // The value of a two-argument form is the next argument.
        let following = flags.get(i + 1).map(String::as_str).unwrap_or("");
        i += 1;
        if flag == "-g" || flag == "-O" {
            continue;
        }
        if flag.starts_with('@') {
            refuse(flag, "reads more arguments from a file");
            continue;
        }
        let codegen = match flag {
            "-C" | "--codegen" => {
                i += 1;
                Some(following)
            }
            _ => flag
                .strip_prefix("--codegen=")
                .or_else(|| flag.strip_prefix("-C")),
        };
        if let Some(option) = codegen {
            let key = option.split('=').next().unwrap_or_default();
            if !SAFE_CODEGEN.contains(&key) {
                refuse(
                    &format!("-C{option}"),
                    "a codegen option outside the safe list (linker, linker arguments, LLVM arguments, plugins, files)",
                );
            }
            continue;
        }
        if SAFE_WITH_VALUE.contains(&flag) {
            i += 1;
            continue;
        }
        let joined = SAFE_WITH_VALUE.iter().any(|o| {
            flag.strip_prefix(o).is_some_and(|rest| {
                (o.starts_with("--") && rest.starts_with('=')) || (o.len() == 2 && !rest.is_empty())
            })
        });
        if !joined {
            refuse(
                flag,
                "not a known harmless rustc flag (e.g. -L, -l, --extern, -Z, --sysroot, --target can load or run code from elsewhere)",
            );
        }
    }
    out
}

/// Recorded environment variables cargo, rustc or C build scripts use to run a program, pass
/// compiler or linker flags, or find libraries.
pub fn code_running_env(env: &BTreeMap<String, String>) -> Vec<CodeRunningInput> {
    const PROGRAMS: &[&str] = &[
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOC",
        "CC",
        "CXX",
        "AR",
        "LD",
        "HOST_CC",
        "TARGET_CC",
        "HOST_CXX",
        "TARGET_CXX",
        "HOST_AR",
        "TARGET_AR",
        "PKG_CONFIG",
        "CARGO_BUILD_RUSTC",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTDOC",
        "CARGO_HOST_LINKER",
    ];
    const FLAGS: &[&str] = &[
        "CFLAGS",
        "CXXFLAGS",
        "CPPFLAGS",
        "LDFLAGS",
        "HOST_CFLAGS",
        "TARGET_CFLAGS",
        "HOST_CXXFLAGS",
        "TARGET_CXXFLAGS",
    ];
    let mut out = Vec::new();
    for (name, value) in env {
        let reason = if PROGRAMS.contains(&name.as_str())
            || ["CC_", "CXX_", "AR_"].iter().any(|p| name.starts_with(p))
            || (name.starts_with("CARGO_TARGET_")
                && (name.ends_with("_LINKER") || name.ends_with("_AR")))
        {
            Some("names a program the build runs")
        } else if FLAGS.contains(&name.as_str())
            || ["CFLAGS_", "CXXFLAGS_"].iter().any(|p| name.starts_with(p))
        {
            Some("compiler or linker flags (plugins, other linkers, include paths)")
        } else if name.starts_with("PKG_CONFIG_") {
            Some("where build scripts find native libraries and their flags")
        } else if name == "RUSTUP_TOOLCHAIN" && (value.contains('/') || value.contains('\\')) {
            Some("a toolchain at a path")
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(CodeRunningInput {
                source: format!("env {name}"),
                value: clip(value, 120),
                reason,
            });
        }
    }
    out
}

/// Everything in a build record that can run code (rustflags, environment, a target spec file).
pub fn code_running_inputs(record: &BuildRecord) -> Vec<CodeRunningInput> {
    let mut out = code_running_rustflags("rustflags", &record.rustflags.user);
    out.extend(code_running_env(&record.env));
    if let Some(t) = &record.target
        && !is_name(t, "._-")
    {
        out.push(CodeRunningInput {
            source: "target".to_owned(),
            value: clip(t, 120),
            reason: "a target specification file (it names the linker)",
        });
    }
    out
}

/// The recorded environment variables applied to a trusted rebuild: those that run code
/// (without them the rebuild would not be the recorded build). Redacted values are skipped.
pub fn trusted_env(env: &BTreeMap<String, String>) -> Vec<(String, String)> {
    code_running_env(env)
        .into_iter()
        .filter_map(|c| {
            let name = c.source.strip_prefix("env ")?.to_owned();
            let value = env.get(&name)?.clone();
            (value != "<redacted>").then_some((name, value))
        })
        .collect()
}

/// Checks the fields that become arguments or paths. `Err` names the field and why.
pub fn check_fields(record: &BuildRecord, version: &str) -> Result<(), String> {
    let bad = |field: &str, value: &str, why: &str| {
        Err(format!(
            "`{field}` is `{}`, {why}; refusing to rebuild from this evidence",
            clip(value, 80)
        ))
    };
    if !is_name(&record.package, "_-") || record.package.len() > 128 {
        return bad("build.package", &record.package, "not a cargo package name");
    }
    if semver::Version::parse(version).is_err() {
        return bad(
            "product.version",
            version,
            "not a semver version (it names a directory)",
        );
    }
    if !is_name(&record.profile, "_-") {
        return bad("build.profile", &record.profile, "not a cargo profile name");
    }
    for f in &record.features {
        if !is_name(f, "_-+./:") {
            return bad("build.features", f, "not a cargo feature name");
        }
    }
    if let Some(t) = &record.target
        && (t.is_empty() || t.starts_with('-'))
    {
        return bad("build.target", t, "not a target");
    }
    if let Some(c) = &record.source.commit
        && (!(7..=64).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return bad("build.source.commit", c, "not a git commit id");
    }
    for a in &record.artifacts {
        if !is_file_name(&a.name) {
            return bad(
                "build.artifacts[].name",
                &a.name,
                "not a plain file name (it names a file to write)",
            );
        }
    }
    for p in &record.external_path_dependencies {
        if !is_relative_up_and_down(p) {
            return bad(
                "build.external_path_dependencies[]",
                p,
                "not a relative path (it names where a dependency is copied)",
            );
        }
    }
    Ok(())
}

/// Whether `rel` joined to `dir` stays inside `container` (lexically: `..` is resolved
/// against the path, symbolic links are not followed).
pub fn stays_within(container: &Path, dir: &Path, rel: &str) -> bool {
    let mut parts: Vec<Component> = dir.components().collect();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(_) => parts.push(c),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    let resolved: std::path::PathBuf = parts.iter().collect();
    resolved.starts_with(container) && resolved != container
}

/// Non-empty, not an option, ASCII alphanumerics plus `extra`.
fn is_name(s: &str, extra: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// One normal path component (no separators, not `.` or `..`).
fn is_file_name(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(['/', '\\', '\0'])
        && matches!(
            Path::new(s).components().collect::<Vec<_>>().as_slice(),
            [Component::Normal(_)]
        )
}

/// A relative path of `..` and normal components (`../vendor/hal`).
fn is_relative_up_and_down(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(['\\', '\0'])
        && Path::new(s)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::ParentDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn refused(s: &str) -> Vec<String> {
        code_running_rustflags("rustflags", &flags(s))
            .into_iter()
            .map(|c| c.value)
            .collect()
    }

    #[test]
    fn harmless_flags_pass() {
        let ok = "-Copt-level=3 -C codegen-units=1 --codegen=strip=symbols -Ctarget-cpu=native \
                  -C target-feature=+crt-static --cfg fw_trace --cfg=x --remap-path-prefix=/a=/b \
                  --remap-path-prefix /c=/d -Dwarnings -A dead_code --cap-lints=warn -g -O -Cpanic=abort";
        assert_eq!(refused(ok), Vec::<String>::new());
    }

    #[test]
    fn code_running_flags_are_listed() {
        assert_eq!(
            refused(
                "-Clinker=/tmp/x -C link-arg=-fuse-ld=/tmp/ld --codegen=llvm-args=-load=x.so \
                 -Zcodegen-backend=/x.so -L /tmp --extern foo=/x.rlib @args --sysroot=/s -C linker-flavor=ld"
            ),
            vec![
                "-Clinker=/tmp/x",
                "-Clink-arg=-fuse-ld=/tmp/ld",
                "-Cllvm-args=-load=x.so",
                "-Zcodegen-backend=/x.so",
                "-L",
                "/tmp",
                "--extern",
                "foo=/x.rlib",
                "@args",
                "--sysroot=/s",
                "-Clinker-flavor=ld",
            ]
        );
    }

    #[test]
    fn env_that_runs_code_is_listed() {
        let env: BTreeMap<String, String> = [
            ("RUSTC_WRAPPER", "sccache"),
            ("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER", "/tmp/ld"),
            ("CFLAGS", "-fplugin=/tmp/p.so"),
            ("CARGO_INCREMENTAL", "0"),
            ("SOURCE_DATE_EPOCH", "1"),
            ("RUSTUP_TOOLCHAIN", "stable"),
            ("CC_x86_64_unknown_linux_gnu", "<redacted>"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let names: Vec<String> = code_running_env(&env)
            .into_iter()
            .map(|c| c.source)
            .collect();
        assert_eq!(
            names,
            [
                "env CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
                "env CC_x86_64_unknown_linux_gnu",
                "env CFLAGS",
                "env RUSTC_WRAPPER"
            ]
        );
        assert_eq!(trusted_env(&env).len(), 3);
    }

    #[test]
    fn paths_stay_within_their_directory() {
        let tmp = Path::new("/t/x");
        assert!(stays_within(tmp, Path::new("/t/x/src"), "../vendor/hal"));
        assert!(!stays_within(tmp, Path::new("/t/x/src"), "../../etc"));
        assert!(!stays_within(tmp, Path::new("/t/x/src"), "/etc"));
        assert!(!stays_within(tmp, Path::new("/t/x/src"), ".."));
        assert!(is_file_name("thermo-fw"));
        assert!(!is_file_name("../thermo-fw"));
        assert!(!is_file_name(".."));
        assert!(is_relative_up_and_down("../../vendor/x"));
        assert!(!is_relative_up_and_down("/vendor"));
    }
}
