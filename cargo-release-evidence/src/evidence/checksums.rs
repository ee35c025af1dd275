//! `SHA256SUMS` in the format `sha256sum -c --strict` accepts: `<hex>  <path>` per line,
//! paths relative to the evidence directory, sorted, LF.

/// Renders the lines for `(relative path, sha256)` pairs.
pub fn render(entries: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = entries.iter().collect();
    sorted.sort();
    let mut out = String::new();
    for (path, digest) in sorted {
        if path.contains('\\') || path.contains('\n') {
            // GNU escapes such names; ours never contain them, but stay correct if they do.
            let escaped = path.replace('\\', "\\\\").replace('\n', "\\n");
            out.push_str(&format!("\\{digest}  {escaped}\n"));
        } else {
            out.push_str(&format!("{digest}  {path}\n"));
        }
    }
    out
}

/// Parses SHA256SUMS text into (path, digest) pairs (digests lowercased), as GNU `sha256sum -c`
/// reads it: `<64 hex>  <name>` or `<64 hex> *<name>`; a line starting with `\` has a name with
/// `\\` and `\n` escapes (any other escape is malformed). `None` for a malformed line.
pub fn parse(text: &str) -> Option<Vec<(String, String)>> {
    // Lines end at LF only: a `\r` before it belongs to the name, as for GNU sha256sum.
    text.split_terminator('\n')
        .map(|line| {
            let (escaped, line) = match line.strip_prefix('\\') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let (digest, path) = line.split_once("  ").or_else(|| line.split_once(" *"))?;
            if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let path = if escaped {
                unescape(path)?
            } else {
                path.to_owned()
            };
            Some((path, digest.to_ascii_lowercase()))
        })
        .collect()
}

/// GNU's name escapes: `\\` → `\`, `\n` → newline; anything else after `\` is malformed.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn escaped_names_round_trip() {
        for name in [
            "plain",
            "back\\slash",
            "new\nline",
            "both\\n\n",
            "star *x",
            "cr\r",
        ] {
            let text = render(&[(name.to_owned(), D.to_owned())]);
            assert_eq!(
                parse(&text),
                Some(vec![(name.to_owned(), D.to_owned())]),
                "{text:?}"
            );
        }
    }

    #[test]
    fn malformed_lines_are_refused() {
        assert_eq!(parse(&format!("\\{D}  bad\\escape")), None);
        assert_eq!(parse(&format!("{}  short", &D[..10])), None);
        assert_eq!(parse("no digest here"), None);
        // Upper-case digests are accepted and normalized.
        let upper = D.to_ascii_uppercase();
        assert_eq!(
            parse(&format!("{upper}  f")),
            Some(vec![("f".to_owned(), D.to_owned())])
        );
    }
}
