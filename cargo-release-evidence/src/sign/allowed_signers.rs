//! OpenSSH `allowed_signers` files (see ssh-keygen(1), "ALLOWED SIGNERS"): one key per line as
//! `principals [options] keytype base64-key [comment]`, where principals are comma-separated
//! patterns and options are `cert-authority`, `namespaces="a,b"`, `valid-after="…"`,
//! `valid-before="…"`. The `ssh-key` crate has no parser for this format.

use crate::error::{Error, Result};
use ssh_key::PublicKey;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Entry {
    pub principals: Vec<String>,
    /// `None` allows every namespace.
    pub namespaces: Option<Vec<String>>,
    pub cert_authority: bool,
    pub valid_after: Option<String>,
    pub valid_before: Option<String>,
    pub key: PublicKey,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct AllowedSigners {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

impl AllowedSigners {
    pub fn load(path: &Path) -> Result<AllowedSigners> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading allowed signers {}", path.display()), e))?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<AllowedSigners> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err =
                |column: usize, message: String| Error::config_line(path, i + 1, column, message);
            let tokens = split_tokens(line).map_err(|m| err(1, m))?;
            let mut it = tokens.into_iter().peekable();
            let principals_tok = it
                .next()
                .ok_or_else(|| err(1, "missing principals".into()))?;
            let principals: Vec<String> = principals_tok
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
            if principals.is_empty() {
                return Err(err(1, "empty principals".into()));
            }
            let mut entry_opts = Options::default();
            if let Some(next) = it.peek()
                && !is_key_type(next)
            {
                let opts = it.next().expect("peeked");
                entry_opts = parse_options(&opts).map_err(|m| err(principals_tok.len() + 2, m))?;
            }
            let key_type = it.next().ok_or_else(|| {
                err(
                    1,
                    "missing key: expected `principals [options] keytype base64`".into(),
                )
            })?;
            if !is_key_type(&key_type) {
                return Err(err(1, format!("`{key_type}` is not an SSH key type")));
            }
            let blob = it
                .next()
                .ok_or_else(|| err(1, format!("missing base64 key after `{key_type}`")))?;
            let key = PublicKey::from_openssh(&format!("{key_type} {blob}"))
                .map_err(|e| err(1, format!("invalid {key_type} key: {e}")))?;
            entries.push(Entry {
                principals,
                namespaces: entry_opts.namespaces,
                cert_authority: entry_opts.cert_authority,
                valid_after: entry_opts.valid_after,
                valid_before: entry_opts.valid_before,
                key,
                line: i + 1,
            });
        }
        Ok(AllowedSigners {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Principals allowed to sign in `namespace` with `key` (entries whose key matches and
    /// whose `namespaces`, if present, include it). Certificate authorities are not matched
    /// against plain keys.
    pub fn principals_for(&self, key: &PublicKey, namespace: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.entries {
            if e.cert_authority || e.key.key_data() != key.key_data() {
                continue;
            }
            if let Some(ns) = &e.namespaces
                && !ns.iter().any(|n| pattern_match(n, namespace))
            {
                continue;
            }
            out.extend(e.principals.iter().cloned());
        }
        out
    }

    /// Whether `principal` may sign in `namespace` with `key`.
    pub fn allows(&self, principal: &str, key: &PublicKey, namespace: &str) -> bool {
        self.principals_for(key, namespace)
            .iter()
            .any(|p| pattern_match(p, principal))
    }
}

#[derive(Default)]
struct Options {
    namespaces: Option<Vec<String>>,
    cert_authority: bool,
    valid_after: Option<String>,
    valid_before: Option<String>,
}

fn is_key_type(t: &str) -> bool {
    t.starts_with("ssh-")
        || t.starts_with("ecdsa-sha2-")
        || t.starts_with("sk-ssh-")
        || t.starts_with("sk-ecdsa-")
}

/// Splits on whitespace, keeping double-quoted parts together.
fn split_tokens(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    Ok(tokens)
}

fn parse_options(s: &str) -> std::result::Result<Options, String> {
    let mut o = Options::default();
    // Split on commas outside quotes.
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts {
        let (name, value) = match part.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), Some(v.trim_matches('"').to_owned())),
            None => (part.to_ascii_lowercase(), None),
        };
        match (name.as_str(), value) {
            ("cert-authority", None) => o.cert_authority = true,
            ("namespaces", Some(v)) => {
                o.namespaces = Some(v.split(',').map(str::to_owned).collect())
            }
            ("valid-after", Some(v)) => o.valid_after = Some(v),
            ("valid-before", Some(v)) => o.valid_before = Some(v),
            (other, _) => return Err(format!("unknown or malformed option `{other}`")),
        }
    }
    Ok(o)
}

/// OpenSSH pattern matching (`*` and `?`).
pub fn pattern_match(pattern: &str, s: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => m(&p[1..], s) || (!s.is_empty() && m(p, &s[1..])),
            (Some(b'?'), Some(_)) => m(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &s[1..]),
            _ => false,
        }
    }
    m(pattern.as_bytes(), s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIo90ZgnSRyTw9Z7xm5tSSVx/f1gwNYoYFdHuPwK8KBf";

    #[test]
    fn parses_principals_options_and_keys() {
        let text = format!(
            "# team keys\nqa@example.com,qa2@example.com namespaces=\"release-evidence-approval-v1\" {KEY} qa\n\n*@example.com {KEY}\n"
        );
        let s = AllowedSigners::parse(Path::new("allowed_signers"), &text).unwrap();
        assert_eq!(s.entries.len(), 2);
        assert_eq!(
            s.entries[0].principals,
            vec!["qa@example.com", "qa2@example.com"]
        );
        assert_eq!(
            s.entries[0].namespaces.as_deref(),
            Some(&["release-evidence-approval-v1".to_owned()][..])
        );
        assert_eq!(s.entries[0].line, 2);
        let key = &s.entries[0].key;
        assert!(s.allows("qa2@example.com", key, "release-evidence-approval-v1"));
        // The wildcard line allows any namespace for anyone at example.com.
        assert!(s.allows("sec@example.com", key, "release-evidence-artifact-v1"));
        assert!(!s.allows("sec@other.org", key, "release-evidence-artifact-v1"));
    }

    #[test]
    fn errors_name_the_line() {
        let text = format!("ok@example.com {KEY}\nbad@example.com ssh-ed25519 !!!\n");
        let err = AllowedSigners::parse(Path::new("signers"), &text).unwrap_err();
        assert!(err.to_string().starts_with("signers:2:"), "{err}");
        let err = AllowedSigners::parse(Path::new("signers"), "x@y bogus=1 ssh-ed25519 AAAA\n")
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown or malformed option"),
            "{err}"
        );
    }
}
