//! The one top-level error type and the documented exit codes.

use std::path::PathBuf;

/// Exit code: the gate passed (or a command succeeded).
pub const EXIT_PASS: u8 = 0;
/// Exit code: the gate decided HOLD (or a verification failed).
pub const EXIT_HOLD: u8 = 1;
/// Exit code: usage, configuration or environment error; nothing was decided.
pub const EXIT_ERROR: u8 = 2;

/// Everything that stops a command before it can decide. All map to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file is invalid at a known place.
    #[error("{file}:{line}:{column}: {message}")]
    Config {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A command-line flag has a bad value; `flag` names it.
    #[error("invalid value for `{flag}`: {message}")]
    Usage { flag: String, message: String },
    /// An external command (cargo, git) failed.
    #[error("`{command}` failed: {message}")]
    Command { command: String, message: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Anything else about the environment (missing DB, unreadable metadata, …).
    #[error("{0}")]
    Environment(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn usage(flag: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Usage {
            flag: flag.into(),
            message: message.into(),
        }
    }

    /// A config error located by a byte span in `text`.
    pub fn config_at(
        file: impl Into<PathBuf>,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = span.map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        Error::Config {
            file: file.into(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn line_col_counts_from_one() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(super::line_col(t, 0), (1, 1));
        assert_eq!(super::line_col(t, 6), (2, 1));
        assert_eq!(super::line_col(t, 9), (2, 3));
    }
}
