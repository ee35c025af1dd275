//! The options field of an `allowed_signers` line, as OpenSSH's `sshsigopt_parse` reads it:
//! comma-separated, names case-insensitive, values in double quotes (`\"` is a quote inside),
//! each option at most once; `valid-before` must be after `valid-after`.

/// Where the options field ends: the first whitespace outside quotes (`\"` is no quote).
pub fn end_of_options(s: &str) -> Option<usize> {
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
pub struct Options {
    pub namespaces: Option<String>,
    pub cert_authority: bool,
    /// Unix seconds.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
}

/// The options field, as OpenSSH's `sshsigopt_parse`.
pub fn parse_options(s: &str) -> std::result::Result<Options, String> {
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
