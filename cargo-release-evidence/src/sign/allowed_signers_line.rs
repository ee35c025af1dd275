//! One line of an `allowed_signers` file, as OpenSSH's sshsig.c reads it:
//! `principals [options] keytype base64-key [comment]`. The principals field may be quoted; the
//! options field is comma-separated, names case-insensitive, values in double quotes (`\"` is a
//! quote inside), each option at most once, `valid-before` after `valid-after`
//! (`sshsigopt_parse`).

use ssh_key::PublicKey;

#[derive(Debug, Clone)]
pub struct Entry {
    /// The principals pattern list, as written (unquoted).
    pub principals: String,
    /// The `namespaces` pattern list; `None` allows every namespace.
    pub namespaces: Option<String>,
    /// Unix seconds.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    pub key: PublicKey,
    pub line: usize,
}

pub type LineError = (usize, String);

/// One line: `None` for a blank or comment line.
pub fn parse_line(raw: &str) -> std::result::Result<Option<Entry>, LineError> {
    let start = raw.len() - raw.trim_start_matches([' ', '\t']).len();
    let line = raw[start..].trim_end_matches(['\r', '\n', ' ', '\t']);
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let col = |rest: &str| raw.len() - rest.len() + 1;
    let (principals, rest) = principals_token(line).map_err(|m| (start + 1, m))?;
    if principals.is_empty() {
        return Err((start + 1, "empty principals".into()));
    }
    if rest.is_empty() {
        return Err((
            start + 1,
            "missing key: expected `principals [options] keytype base64-key`".into(),
        ));
    }
    let first = rest.split([' ', '\t']).next().unwrap_or_default();
    let (options, key_text) = if is_key_type(first) {
        (Options::default(), rest)
    } else {
        let end = end_of_options(rest).ok_or_else(|| (col(rest), "invalid options".into()))?;
        let opts = parse_options(&rest[..end]).map_err(|m| (col(rest), m))?;
        let after = rest[end..].trim_start_matches([' ', '\t']);
        if after.is_empty() {
            return Err((col(rest), "missing key after the options".into()));
        }
        (opts, after)
    };
    let mut parts = key_text.split([' ', '\t']).filter(|s| !s.is_empty());
    let key_type = parts.next().unwrap_or_default();
    if !is_key_type(key_type) {
        return Err((
            col(key_text),
            format!(
                "`{}` is not an SSH key type",
                crate::util::text::clip(key_type, 60)
            ),
        ));
    }
    let blob = parts.next().ok_or_else(|| {
        (
            col(key_text),
            format!(
                "missing base64 key after `{}`",
                crate::util::text::clip(key_type, 60)
            ),
        )
    })?;
    let key = PublicKey::from_openssh(&format!("{key_type} {blob}")).map_err(|e| {
        let t = crate::util::text::clip(key_type, 60);
        (col(key_text), format!("invalid {t} key: {e}"))
    })?;
    if options.cert_authority {
        return Err((
            col(rest),
            "`cert-authority` (SSH certificates) is not supported: this tool verifies signatures by plain keys only; list each signer's own key instead".into(),
        ));
    }
    Ok(Some(Entry {
        principals,
        namespaces: options.namespaces,
        valid_after: options.valid_after,
        valid_before: options.valid_before,
        key,
        line: 0,
    }))
}

/// The principals field (OpenSSH's `strdelimw`): up to whitespace, or a quoted part that ends
/// the token at its closing quote. Returns it and the rest after the following whitespace.
fn principals_token(line: &str) -> std::result::Result<(String, &str), String> {
    let mut token = String::new();
    for (i, c) in line.char_indices() {
        match c {
            ' ' | '\t' => {
                return Ok((token, line[i..].trim_start_matches([' ', '\t'])));
            }
            '"' => {
                let rest = &line[i + 1..];
                let close = rest
                    .find('"')
                    .ok_or("unterminated quote in the principals")?;
                token.push_str(&rest[..close]);
                let after = &rest[close + 1..];
                return Ok((token, after.trim_start_matches([' ', '\t'])));
            }
            c => token.push(c),
        }
    }
    Ok((token, ""))
}

fn is_key_type(t: &str) -> bool {
    t.starts_with("ssh-")
        || t.starts_with("ecdsa-sha2-")
        || t.starts_with("sk-ssh-")
        || t.starts_with("sk-ecdsa-")
}

/// Where the options field ends: the first whitespace outside quotes (`\"` is no quote).
fn end_of_options(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let (mut i, mut quoted) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' if b.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b' ' | b'\t' if !quoted => return Some(i),
            _ => {}
        }
        i += 1;
    }
    (!quoted).then_some(b.len())
}

#[derive(Default)]
struct Options {
    namespaces: Option<String>,
    cert_authority: bool,
    /// Unix seconds.
    valid_after: Option<i64>,
    valid_before: Option<i64>,
}

/// The options field, as OpenSSH's `sshsigopt_parse`.
fn parse_options(s: &str) -> std::result::Result<Options, String> {
    let mut o = Options::default();
    let mut rest = s;
    loop {
        let lower = rest.to_ascii_lowercase();
        if lower.starts_with("cert-authority") {
            o.cert_authority = true;
            rest = &rest["cert-authority".len()..];
        } else if let Some(name) = ["namespaces", "valid-after", "valid-before"]
            .into_iter()
            .find(|n| lower.starts_with(&format!("{n}=")))
        {
            let (value, after) =
                dequote(&rest[name.len() + 1..]).map_err(|m| format!("option `{name}`: {m}"))?;
            rest = after;
            let slot_taken = match name {
                "namespaces" => o.namespaces.replace(value).is_some(),
                _ => {
                    let t = parse_time(&value).ok_or_else(|| {
                        format!(
                            "invalid `{name}` time `{}`: expected YYYYMMDD[HHMM[SS]] with an optional Z",
                            crate::util::text::clip(&value, 40)
                        )
                    })?;
                    let slot = if name == "valid-after" {
                        &mut o.valid_after
                    } else {
                        &mut o.valid_before
                    };
                    slot.replace(t).is_some()
                }
            };
            if slot_taken {
                return Err(format!("multiple `{name}` options"));
            }
        }
        match rest.as_bytes().first() {
            None => break,
            Some(b',') if rest.len() > 1 => rest = &rest[1..],
            Some(b',') => return Err("unexpected end of options after `,`".into()),
            Some(_) => {
                let name = rest.split([',', '=']).next().unwrap_or_default();
                return Err(format!(
                    "unknown or malformed option `{}` (known: cert-authority, namespaces=\"…\", valid-after=\"…\", valid-before=\"…\")",
                    crate::util::text::clip(name, 40)
                ));
            }
        }
    }
    if let (Some(a), Some(b)) = (o.valid_after, o.valid_before)
        && b <= a
    {
        return Err("`valid-before` is not after `valid-after`".into());
    }
    Ok(o)
}

/// A double-quoted value (OpenSSH's `opt_dequote`): `\"` is a quote. Returns it and the rest.
fn dequote(s: &str) -> std::result::Result<(String, &str), String> {
    let body = s
        .strip_prefix('"')
        .ok_or("the value must be in double quotes")?;
    let mut out = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, n)| *n == '"') => {
                chars.next();
                out.push('"');
            }
            '"' => return Ok((out, &body[i + 1..])),
            c => out.push(c),
        }
    }
    Err("missing closing quote".into())
}

/// `YYYYMMDD[HHMM[SS]]` with an optional `Z` or `UTC` suffix, as Unix seconds (UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let upper = s.to_ascii_uppercase();
    let digits = upper
        .strip_suffix("UTC")
        .filter(|d| !d.is_empty())
        .or_else(|| upper.strip_suffix('Z').filter(|d| !d.is_empty()))
        .unwrap_or(&upper);
    if !matches!(digits.len(), 8 | 12 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i16>().ok());
    let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (h, mi, sec) = (
        n(8..10).unwrap_or(0),
        n(10..12).unwrap_or(0),
        n(12..14).unwrap_or(0),
    );
    let dt = jiff::civil::DateTime::new(
        y,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(sec).ok()?,
        0,
    )
    .ok()?;
    let secs = dt
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp()
        .as_second();
    // OpenSSH rejects times at or before the epoch.
    (secs > 0).then_some(secs)
}
