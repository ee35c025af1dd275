//! Running external programs (cargo, git) through duct, with errors that keep their output.

use crate::error::{Error, Result};
use std::ffi::OsString;
use std::path::Path;

/// The cargo to run: `$CARGO` (set when invoked as `cargo release-evidence`), else `cargo`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs a program, captures stdout (returned) and stderr (kept for the error message).
pub fn run_capture(program: &OsString, args: &[String], dir: Option<&Path>) -> Result<String> {
    let mut expr = duct::cmd(program, args)
        .stdout_capture()
        .stderr_capture()
        .unchecked();
    if let Some(dir) = dir {
        expr = expr.dir(dir);
    }
    let command = format!("{} {}", program.to_string_lossy(), args.join(" "));
    let out = expr.run().map_err(|e| Error::Command {
        command: command.clone(),
        message: e.to_string(),
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Command {
            command,
            message: format!(
                "exit status {}\n{}",
                out.status.code().unwrap_or(-1),
                stderr.trim_end()
            ),
        });
    }
    String::from_utf8(out.stdout).map_err(|_| Error::Command {
        command,
        message: "output is not UTF-8".into(),
    })
}

/// Runs git with the given arguments in `dir`.
pub fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    run_capture(&"git".into(), &args, Some(dir))
}

/// Runs git in `dir` and returns whether it exited 0, with its stdout and stderr (lossy UTF-8),
/// for commands whose failure is an answer (`verify-tag`, `merge-base --is-ancestor`).
pub fn git_status(dir: &Path, args: &[&str]) -> Result<(bool, String, String)> {
    let out = duct::cmd("git", args)
        .dir(dir)
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run()
        .map_err(|e| Error::Command {
            command: format!("git {}", args.join(" ")),
            message: e.to_string(),
        })?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}
