//! Reading a peer tool's TOML with positions: typed values or a located error, and located
//! notes for what is interpreted or not imported.

use super::Note;
use crate::error::Diagnostic;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml_edit::{Item, TableLike, Value};

pub struct Reader {
    pub path: PathBuf,
    /// The file name as given (`deny.toml`), used in notes and reasons.
    pub name: String,
    pub text: Arc<str>,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<Note>,
}

/// A string with the span of its value.
pub type Spanned = (String, Option<Range<usize>>);

impl Reader {
    pub fn new(path: &Path, text: &str) -> Reader {
        Reader {
            path: path.to_path_buf(),
            name: path.display().to_string(),
            text: Arc::from(text),
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// `file:line:col` of a span.
    pub fn at(&self, span: Option<&Range<usize>>) -> String {
        let (l, c) = span
            .map(|s| crate::error::line_col(&self.text, s.start))
            .unwrap_or((1, 1));
        format!("{}:{l}:{c}", self.name)
    }

    pub fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let d = Diagnostic::at(&self.path, &self.text, span, message);
        self.errors.push(d);
    }

    pub fn note(&mut self, span: Option<&Range<usize>>, message: impl Into<String>) {
        let at = self.at(span);
        self.notes.push(Note {
            at,
            message: message.into(),
        });
    }

    /// Reports `section.key` as a key the tool knows that has no equivalent in the policy.
    pub fn unsupported(&mut self, t: &dyn TableLike, section: &str, key: &str, why: &str) {
        let span = key_span(t, key);
        self.note(
            span.as_ref(),
            format!("{} not imported: {why}", dotted(section, key)),
        );
    }

    /// Reports a key the tool does not define.
    pub fn unknown(&mut self, t: &dyn TableLike, section: &str, key: &str) {
        let span = key_span(t, key);
        let tool = self.name.clone();
        self.note(
            span.as_ref(),
            format!(
                "{} is not a key {tool} defines; not imported",
                dotted(section, key)
            ),
        );
    }

    /// The table (standard or inline) at `item`, else an error.
    pub fn table<'a>(&mut self, item: &'a Item, what: &str) -> Option<&'a dyn TableLike> {
        match item.as_table_like() {
            Some(t) => Some(t),
            None => {
                self.error(item.span(), format!("{what}: expected a table"));
                None
            }
        }
    }

    pub fn string(&mut self, item: &Item, what: &str) -> Option<Spanned> {
        match item.as_str() {
            Some(s) => Some((s.to_owned(), item.span())),
            None => {
                self.error(item.span(), format!("{what}: expected a string"));
                None
            }
        }
    }

    /// An array of strings, else an error.
    pub fn strings(&mut self, item: &Item, what: &str) -> Vec<Spanned> {
        let Some(array) = item.as_array() else {
            self.error(item.span(), format!("{what}: expected an array of strings"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for v in array.iter() {
            match v.as_str() {
                Some(s) => out.push((s.to_owned(), v.span())),
                None => self.error(v.span(), format!("{what}: expected a string")),
            }
        }
        out
    }

    /// An array whose elements are values (strings or inline tables), else an error.
    pub fn values<'a>(&mut self, item: &'a Item, what: &str) -> Vec<&'a Value> {
        match item.as_array() {
            Some(a) => a.iter().collect(),
            None => {
                self.error(item.span(), format!("{what}: expected an array"));
                Vec::new()
            }
        }
    }

    /// A string field of an inline table, else an error (when `required`).
    pub fn field(
        &mut self,
        t: &dyn TableLike,
        key: &str,
        what: &str,
        required: bool,
        whole: Option<Range<usize>>,
    ) -> Option<Spanned> {
        match t.get(key) {
            Some(item) => self.string(item, &format!("{what} `{key}`")),
            None if required => {
                self.error(whole, format!("{what}: `{key}` is missing"));
                None
            }
            None => None,
        }
    }
}

pub fn key_span(t: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    t.key(key).and_then(|k| k.span())
}

fn dotted(section: &str, key: &str) -> String {
    if section.is_empty() {
        format!("`{key}`")
    } else {
        format!("[{section}] `{key}`")
    }
}
