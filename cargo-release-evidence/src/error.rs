//! The one top-level error type and the documented exit codes. Configuration errors carry
//! every problem found (not only the first), each located by file, line and column with the
//! source text, so they render like cargo's (see `render::diagnostics`).

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// Exit code: the gate passed (or a command succeeded).
pub const EXIT_PASS: u8 = 0;
/// Exit code: the gate decided HOLD (or a verification failed).
pub const EXIT_HOLD: u8 = 1;
/// Exit code: usage, configuration or environment error; nothing was decided.
pub const EXIT_ERROR: u8 = 2;
/// Exit code of `inspect` when the binary could not be audited (no advisory database).
pub const EXIT_NOT_AUDITED: u8 = 3;

/// One located problem in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The file's text and the byte span the message is about, for a source snippet.
    pub snippet: Option<(Arc<str>, Range<usize>)>,
}

impl Diagnostic {
    /// A diagnostic at a byte span of `text` (the start of the file when `span` is `None`).
    pub fn at(
        file: impl Into<PathBuf>,
        text: &Arc<str>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at_indexed(file, text, &LineIndex::new(text), span, message)
    }

    /// [`Diagnostic::at`] with the line found in `lines` (built once for many diagnostics of
    /// one file: a search per diagnostic instead of a scan from the start).
    pub fn at_indexed(
        file: impl Into<PathBuf>,
        text: &Arc<str>,
        lines: &LineIndex,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = span
            .as_ref()
            .map(|s| lines.line_col(text, s.start))
            .unwrap_or((1, 1));
        Diagnostic {
            file: file.into(),
            line,
            column,
            message: message.into(),
            snippet: span.map(|s| {
                let start = s.start.min(text.len());
                let end = s.end.clamp(start, text.len());
                (text.clone(), start..end)
            }),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Everything that stops a command before it can decide. All map to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more configuration problems at known places.
    #[error("{}", display_all(.0))]
    Config(Vec<Diagnostic>),
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

fn display_all(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
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
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let text: Arc<str> = Arc::from(text);
        Error::Config(vec![Diagnostic::at(file, &text, span, message)])
    }

    /// A config error at a line and column without a snippet (e.g. from a JSON parser).
    pub fn config_line(
        file: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Error::Config(vec![Diagnostic {
            file: file.into(),
            line,
            column,
            message: message.into(),
            snippet: None,
        }])
    }
}

/// The byte offsets of a text's line starts.
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex(starts)
    }

    /// 1-based line and column (in characters) of a byte offset of `text` (the text the index
    /// was built from); inside a multibyte character, that character's.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.0.partition_point(|&start| start <= offset);
        let column = text[self.0[line - 1]..offset].chars().count() + 1;
        (line, column)
    }
}

/// 1-based line and column (in characters) of a byte offset, for a single lookup; many
/// lookups in one text build a [`LineIndex`] once.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, offset)
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
        // Inside a multibyte character: the character's start.
        assert_eq!(super::line_col(t, 8), (2, 2));
        // One index answers every offset as a count of the line ends before it would.
        let idx = super::LineIndex::new(t);
        for offset in 0..=t.len() + 2 {
            let mut at = offset.min(t.len());
            while !t.is_char_boundary(at) {
                at -= 1;
            }
            let line = t[..at].matches('\n').count() + 1;
            let start = t[..at].rfind('\n').map_or(0, |i| i + 1);
            let expected = (line, t[start..at].chars().count() + 1);
            assert_eq!(idx.line_col(t, offset), expected, "{offset}");
        }
    }
}
