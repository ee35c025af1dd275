//! OpenSSH `allowed_signers` files, read as `ssh-keygen -Y verify` reads them (ssh-keygen(1),
//! "ALLOWED SIGNERS"): one key per line as `principals [options] keytype base64-key [comment]`.
//!
//! - `principals` is a comma-separated pattern list (`*`, `?`, `!negation`; see `pattern`),
//!   optionally in double quotes.
//! - options are comma-separated, names case-insensitive, values in double quotes (`\"` escapes
//!   a quote): `namespaces="pattern-list"`, `valid-after="TIME"`, `valid-before="TIME"`, each at
//!   most once, with TIME = `YYYYMMDD[HHMM[SS]]` plus an optional `Z` or `UTC` suffix.
//! - `cert-authority` (SSH certificates) is refused with an error naming the line: this tool
//!   verifies plain-key signatures only.
//!
//! A signature by `key` for identity `principal` in `namespace` at `time` is allowed when some
//! line lists a pattern accepting the principal, holds exactly that key, and its options allow
//! the namespace and the time (`valid-after <= time <= valid-before`), as in OpenSSH's
//! `sshsig_check_allowed_keys`. Two differences, both stricter: a malformed line is an error
//! naming file and line (OpenSSH skips it), and TIME without a suffix is read as UTC (OpenSSH
//! reads it in the verifying machine's time zone; write `Z` to be unambiguous everywhere).

pub use super::allowed_signers_line::Entry;
use super::allowed_signers_line::parse_line;
use super::pattern;
use crate::error::{Diagnostic, Error, Result};
use ssh_key::PublicKey;
use std::path::{Path, PathBuf};

/// The largest allowed_signers file read (1 MiB).
pub const MAX_FILE: u64 = 1024 * 1024;
/// Malformed lines reported at most (then a count).
const MAX_REPORTED: usize = 20;

#[derive(Debug, Clone)]
pub struct AllowedSigners {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

impl AllowedSigners {
    /// Reads and parses a file of at most [`MAX_FILE`] bytes.
    pub fn load(path: &Path) -> Result<AllowedSigners> {
        use std::io::Read;
        let context = || format!("reading allowed signers {}", path.display());
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
            .map_err(|e| Error::io(context(), e))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(Error::Environment(format!(
                "{} is larger than {} KiB; an allowed_signers file lists keys, one per line",
                path.display(),
                MAX_FILE / 1024
            )));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Environment(format!("{} is not UTF-8 text", path.display())))?;
        Self::parse(path, &text)
    }

    /// Parses every line; all malformed lines are reported at once, each with its line.
    pub fn parse(path: &Path, text: &str) -> Result<AllowedSigners> {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            match parse_line(raw) {
                Ok(None) => {}
                Ok(Some(mut e)) => {
                    e.line = i + 1;
                    entries.push(e);
                }
                Err((column, message)) => problems.push(Diagnostic {
                    file: path.to_path_buf(),
                    line: i + 1,
                    column,
                    message,
                    snippet: None,
                }),
            }
        }
        if !problems.is_empty() {
            if problems.len() > MAX_REPORTED {
                let more = problems.len() - MAX_REPORTED;
                problems.truncate(MAX_REPORTED);
                problems.push(Diagnostic {
                    file: path.to_path_buf(),
                    line: problems.last().map_or(1, |d| d.line),
                    column: 1,
                    message: format!("… and {more} more malformed lines"),
                    snippet: None,
                });
            }
            return Err(Error::Config(problems));
        }
        Ok(AllowedSigners {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Whether `principal` may sign in `namespace` with `key` at `time` (Unix seconds).
    pub fn allows(&self, principal: &str, key: &PublicKey, namespace: &str, time: i64) -> bool {
        self.entries
            .iter()
            .any(|e| e.refusal(principal, key, namespace, time).is_none())
    }

    /// Why `principal` may not sign in `namespace` with `key` at `time` (`None`: it may).
    pub fn why_not(
        &self,
        principal: &str,
        key: &PublicKey,
        namespace: &str,
        time: i64,
    ) -> Option<String> {
        let mut reasons = Vec::new();
        for e in &self.entries {
            match e.refusal(principal, key, namespace, time) {
                None => return None,
                Some(Refusal::Principal | Refusal::Key) => {}
                Some(r) => reasons.push(format!("line {}: {}", e.line, r.describe(namespace))),
            }
        }
        Some(if reasons.is_empty() {
            format!(
                "{} lists no line with this key for principal {}",
                self.path.display(),
                crate::util::text::clip(principal, 120)
            )
        } else {
            format!("{}: {}", self.path.display(), reasons.join("; "))
        })
    }

    /// The principal, among `candidates` (patterns, e.g. a role's holders), that may sign in
    /// `namespace` with `key` at `time`: a literal candidate the file allows, else a literal
    /// principal of a line allowing the key that a candidate pattern accepts.
    pub fn find_principal(
        &self,
        candidates: &[String],
        key: &PublicKey,
        namespace: &str,
        time: i64,
    ) -> Option<String> {
        if let Some(c) = candidates
            .iter()
            .find(|c| !pattern::has_wildcard(c) && self.allows(c, key, namespace, time))
        {
            return Some(c.clone());
        }
        self.literal_principals(key, namespace, time)
            .into_iter()
            .find(|p| candidates.iter().any(|c| pattern::matches(c, p)))
    }

    /// Literal (wildcard-free, not negated) principals the file allows for `key`.
    pub fn literal_principals(&self, key: &PublicKey, namespace: &str, time: i64) -> Vec<String> {
        let with_key: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.key.key_data() == key.key_data())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut out: Vec<String> = Vec::new();
        for e in &with_key {
            for p in e.principals.split(',') {
                if p.is_empty() || p.starts_with('!') || pattern::has_wildcard(p) {
                    continue;
                }
                if seen.insert(p)
                    && with_key
                        .iter()
                        .any(|x| x.refusal(p, key, namespace, time).is_none())
                {
                    out.push(p.to_owned());
                }
            }
        }
        out
    }
}

/// Why one line does not allow a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    Principal,
    Key,
    Namespace(String),
    NotYetValid(i64),
    Expired(i64),
}

impl Refusal {
    fn describe(&self, namespace: &str) -> String {
        match self {
            Refusal::Principal | Refusal::Key => "does not match".into(),
            Refusal::Namespace(list) => format!(
                "the key is not permitted in namespace {namespace} (namespaces=\"{}\")",
                crate::util::text::clip(list, 120)
            ),
            Refusal::NotYetValid(t) => format!(
                "the key is not yet valid (valid-after {})",
                crate::util::time::rfc3339(*t)
            ),
            Refusal::Expired(t) => format!(
                "the key has expired (valid-before {})",
                crate::util::time::rfc3339(*t)
            ),
        }
    }
}

impl Entry {
    fn refusal(
        &self,
        principal: &str,
        key: &PublicKey,
        namespace: &str,
        time: i64,
    ) -> Option<Refusal> {
        if !pattern::list_accepts(principal, &self.principals) {
            return Some(Refusal::Principal);
        }
        if self.key.key_data() != key.key_data() {
            return Some(Refusal::Key);
        }
        if let Some(ns) = &self.namespaces
            && !pattern::list_accepts(namespace, ns)
        {
            return Some(Refusal::Namespace(ns.clone()));
        }
        if let Some(t) = self.valid_after
            && time < t
        {
            return Some(Refusal::NotYetValid(t));
        }
        if let Some(t) = self.valid_before
            && time > t
        {
            return Some(Refusal::Expired(t));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::allowed_signers_line::parse_time;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIo90ZgnSRyTw9Z7xm5tSSVx/f1gwNYoYFdHuPwK8KBf";
    const APPROVAL: &str = "release-evidence-approval-v1";
    const ARTIFACT: &str = "release-evidence-artifact-v1";
    /// 2026-09-01T00:00:00Z
    const T: i64 = 1_788_220_800;

    fn parse(text: &str) -> AllowedSigners {
        AllowedSigners::parse(Path::new("allowed_signers"), text).unwrap()
    }

    fn err(text: &str) -> String {
        AllowedSigners::parse(Path::new("signers"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_principals_options_and_keys() {
        let s = parse(&format!(
            "# team keys\nqa@example.com,qa2@example.com namespaces=\"{APPROVAL}\" {KEY} qa\n\n  *@example.com {KEY}\n"
        ));
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s.entries[0].principals, "qa@example.com,qa2@example.com");
        assert_eq!(s.entries[0].namespaces.as_deref(), Some(APPROVAL));
        assert_eq!(s.entries[0].line, 2);
        assert_eq!(s.entries[1].line, 4);
        let key = &s.entries[0].key;
        assert!(s.allows("qa2@example.com", key, APPROVAL, T));
        // The wildcard line allows any namespace for anyone at example.com.
        assert!(s.allows("sec@example.com", key, ARTIFACT, T));
        assert!(!s.allows("sec@other.org", key, ARTIFACT, T));
    }

    #[test]
    fn negation_in_principals_and_namespaces() {
        let s = parse(&format!(
            "*@example.com,!mallory@example.com namespaces=\"release-evidence-*,!{ARTIFACT}\" {KEY}\n"
        ));
        let key = &s.entries[0].key;
        assert!(s.allows("qa@example.com", key, APPROVAL, T));
        assert!(!s.allows("mallory@example.com", key, APPROVAL, T));
        assert!(!s.allows("qa@example.com", key, ARTIFACT, T));
        assert!(
            s.why_not("qa@example.com", key, ARTIFACT, T)
                .unwrap()
                .contains("line 1: the key is not permitted in namespace")
        );
        assert_eq!(
            s.literal_principals(key, APPROVAL, T),
            Vec::<String>::new(),
            "only patterns on the line"
        );
    }

    #[test]
    fn validity_times_quotes_and_case() {
        let s = parse(&format!(
            "a@x VALID-AFTER=\"20260101\",Valid-Before=\"202701011200Z\" {KEY}\n\"b@x\" valid-before=\"20200101\" {KEY}\n"
        ));
        let key = &s.entries[0].key;
        assert!(s.allows("a@x", key, ARTIFACT, T));
        assert!(!s.allows("a@x", key, ARTIFACT, parse_time("20251231235959Z").unwrap()));
        assert!(!s.allows("a@x", key, ARTIFACT, parse_time("20270101120001").unwrap()));
        assert!(s.allows("a@x", key, ARTIFACT, parse_time("20270101120000").unwrap()));
        assert!(!s.allows("b@x", key, ARTIFACT, T));
        assert!(
            s.why_not("b@x", key, ARTIFACT, T)
                .unwrap()
                .contains("the key has expired (valid-before 2020-01-01T00:00:00Z)")
        );
        assert_eq!(parse_time("20200101UTC"), parse_time("20200101"));
        assert_eq!(parse_time("20200101z"), Some(1_577_836_800));
        assert_eq!(parse_time("2020010112"), None);
        assert_eq!(parse_time("20201301"), None);
        assert_eq!(parse_time("19700101"), None, "the epoch itself is refused");
        // An escaped quote inside a value.
        let s = parse(&format!("a@x namespaces=\"we\\\"ird\" {KEY}\n"));
        assert_eq!(s.entries[0].namespaces.as_deref(), Some("we\"ird"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = err(&format!(
            "ok@example.com {KEY}\nbad@example.com ssh-ed25519 !!!\n"
        ));
        assert!(e.starts_with("signers:2:"), "{e}");
        let e = err("x@y bogus=\"1\" ssh-ed25519 AAAA\n");
        assert!(e.contains("unknown or malformed option `bogus`"), "{e}");
        let e = err(&format!("x@y namespaces=unquoted {KEY}\n"));
        assert!(e.contains("must be in double quotes"), "{e}");
        let e = err(&format!("x@y namespaces=\"a\",namespaces=\"b\" {KEY}\n"));
        assert!(e.contains("multiple `namespaces` options"), "{e}");
        let e = err(&format!(
            "x@y valid-after=\"20300101\",valid-before=\"20200101\" {KEY}\n"
        ));
        assert!(
            e.contains("`valid-before` is not after `valid-after`"),
            "{e}"
        );
        let e = err(&format!("x@y valid-before=\"2020\" {KEY}\n"));
        assert!(e.contains("invalid `valid-before` time `2020`"), "{e}");
        let e = err(&format!("# CA\n\nx@y cert-authority {KEY}\n"));
        assert!(e.starts_with("signers:3:"), "{e}");
        assert!(
            e.contains("`cert-authority` (SSH certificates) is not supported"),
            "{e}"
        );
        let e = err("x@y\n");
        assert!(e.contains("missing key"), "{e}");
        // Every malformed line is reported, not only the first … up to a count.
        let e = err("a@x ssh-ed25519 !!!\nb@x ssh-ed25519 ???\n");
        assert!(e.contains("signers:1:") && e.contains("signers:2:"), "{e}");
        let e = err(&"x@y ssh-ed25519 !!!\n".repeat(30));
        assert!(
            e.contains("signers:20:") && !e.contains("signers:21:"),
            "{e}"
        );
        assert!(e.ends_with("… and 10 more malformed lines"), "{e}");
        // A hostile key type is clipped in the message.
        let e = err(&format!("x@y ssh-{} AAAA\n", "e".repeat(10_000)));
        assert!(e.len() < 400, "{}", e.len());
    }

    #[test]
    fn huge_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allowed_signers");
        let line = format!("x@y {KEY}\n");
        let n = (MAX_FILE as usize / line.len()) + 1;
        std::fs::write(&path, line.repeat(n)).unwrap();
        let e = AllowedSigners::load(&path).unwrap_err().to_string();
        assert!(e.contains("is larger than 1024 KiB"), "{e}");
        std::fs::write(&path, line.repeat(2)).unwrap();
        assert_eq!(AllowedSigners::load(&path).unwrap().entries.len(), 2);
    }

    #[test]
    fn principals_found_among_candidates() {
        let s = parse(&format!("qa@example.com,*@ops.example.com {KEY}\n"));
        let key = &s.entries[0].key;
        let holders = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            s.find_principal(
                &holders(&["ra@example.com", "qa@example.com"]),
                key,
                APPROVAL,
                T
            ),
            Some("qa@example.com".into())
        );
        // A literal holder the line's pattern accepts.
        assert_eq!(
            s.find_principal(&holders(&["ci@ops.example.com"]), key, APPROVAL, T),
            Some("ci@ops.example.com".into())
        );
        // A holder pattern matched against the line's literal principals.
        assert_eq!(
            s.find_principal(&holders(&["*@example.com"]), key, APPROVAL, T),
            Some("qa@example.com".into())
        );
        assert_eq!(
            s.find_principal(&holders(&["ra@example.com"]), key, APPROVAL, T),
            None
        );
    }
}
