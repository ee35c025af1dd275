//! Configuration errors rendered like cargo's: a title naming file, line and column, then the
//! source line with the span underlined (annotate-snippets, which cargo itself uses).

use crate::error::{Diagnostic, Error};
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// The text printed for an error that stops a command (without a trailing newline).
pub fn render_error(e: &Error, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    match e {
        Error::Config(diagnostics) => {
            let mut out: Vec<String> = diagnostics
                .iter()
                .take(MAX_SHOWN)
                .map(|d| render_one(&renderer, d))
                .collect();
            if diagnostics.len() > MAX_SHOWN {
                out.push(
                    renderer.render(&[Group::with_title(Level::ERROR.primary_title(format!(
                        "{} more problems not shown; fix the {MAX_SHOWN} above and run again",
                        diagnostics.len() - MAX_SHOWN
                    )))]),
                );
            }
            out.join("\n")
        }
        other => renderer.render(&[Group::with_title(
            Level::ERROR.primary_title(other.to_string()),
        )]),
    }
}

/// The most problems printed at once: a file with thousands (a binary, a wrong file) gets the
/// first ones and a count, not pages of output.
pub const MAX_SHOWN: usize = 100;

fn render_one(renderer: &Renderer, d: &Diagnostic) -> String {
    let title = format!(
        "{}:{}:{}: {}",
        d.file.display(),
        d.line,
        d.column,
        d.message
    );
    match &d.snippet {
        Some((source, span)) => {
            // Show only the lines around the span, and at most a few hundred bytes of them, so
            // a huge file (or a megabyte-long line) is never printed whole.
            let span = floor(source, span.start)..floor(source, span.end.max(span.start));
            let (start, end) = line_window(source, span.clone());
            let local = span.start - start..span.end.min(end).max(span.start) - start;
            let local = if local.is_empty() {
                local.start..ceil(&source[start..end], local.start + 1).min(end - start)
            } else {
                local
            };
            let line_start = source[..start].matches('\n').count() + 1;
            renderer.render(&[Level::ERROR.primary_title(title).element(
                Snippet::source(&source[start..end])
                    .line_start(line_start)
                    .annotation(AnnotationKind::Primary.span(local)),
            )])
        }
        None => renderer.render(&[Group::with_title(Level::ERROR.primary_title(title))]),
    }
}

/// Bytes of context shown on each side of a span on a long line.
const CONTEXT: usize = 120;

/// The byte range of the whole lines covering `span` (at most 5 lines from its start),
/// without the last newline; on lines longer than a few hundred bytes only [`CONTEXT`] bytes
/// either side of the span (and at most that much of the span itself). `span` lies on
/// character boundaries; so does the window.
fn line_window(source: &str, span: std::ops::Range<usize>) -> (usize, usize) {
    let mut start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let mut end = start;
    for (n, line) in source[start..].split_inclusive('\n').enumerate() {
        end += line.len();
        if end >= span.end || n >= 4 {
            break;
        }
    }
    if end > start && source.as_bytes()[end - 1] == b'\n' {
        end -= 1;
    }
    if span.start - start > CONTEXT {
        start = floor(source, span.start - CONTEXT);
    }
    let last = span.end.min(span.start + CONTEXT).max(span.start) + CONTEXT;
    if end > last {
        end = floor(source, last).max(start);
    }
    (start, end)
}

/// `i` (clamped to `s`) moved back to a character boundary.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `i` (clamped to `s`) moved forward to a character boundary.
fn ceil(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn renders_title_and_underlined_source() {
        let text: Arc<str> = Arc::from("[a]\nmax-age = 3\n[b]\n");
        let d = Diagnostic::at("p.toml", &text, Some(4..11), "unknown field `max-age`");
        let out = render_error(&Error::Config(vec![d]), false);
        assert!(out.contains("p.toml:2:1: unknown field `max-age`"), "{out}");
        assert!(out.contains("2 | max-age = 3"), "{out}");
        assert!(out.contains("^^^^^^^"), "{out}");
        assert!(!out.contains("[b]"), "{out}");
    }

    #[test]
    fn long_lines_and_multibyte_spans_are_bounded() {
        let line = format!("x = \"{}é{}\"\n", "a".repeat(1 << 20), "b".repeat(1 << 20));
        let text: Arc<str> = Arc::from(line.as_str());
        let at = (1 << 20) + 5;
        // A span starting inside `é`: no panic, a few hundred bytes shown.
        let d = Diagnostic::at("p.toml", &text, Some(at + 1..at + 1), "bad value");
        let out = render_error(&Error::Config(vec![d]), false);
        assert!(out.len() < 1000, "{} bytes", out.len());
        assert!(out.contains("é"), "{out}");
        let d = Diagnostic::at("p.toml", &text, Some(4..line.len()), "bad value");
        let out = render_error(&Error::Config(vec![d]), false);
        assert!(out.len() < 1000, "{} bytes", out.len());
    }

    #[test]
    fn thousands_of_problems_print_the_first_and_a_count() {
        let text: Arc<str> = Arc::from("x\n".repeat(3000).as_str());
        let all: Vec<Diagnostic> = (0..3000)
            .map(|i| Diagnostic::at("p.toml", &text, Some(2 * i..2 * i + 1), "key with no value"))
            .collect();
        assert_eq!(all[2999].line, 3000);
        let out = render_error(&Error::Config(all), false);
        assert_eq!(out.matches("key with no value").count(), MAX_SHOWN);
        assert!(out.contains("p.toml:100:1: key with no value"), "{out}");
        assert!(!out.contains("p.toml:101:1:"), "{out}");
        assert!(
            out.ends_with("error: 2900 more problems not shown; fix the 100 above and run again"),
            "{}",
            &out[out.len() - 200..]
        );
    }
}
