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

/// Parses SHA256SUMS text into (path, digest) pairs; `None` for a malformed line.
pub fn parse(text: &str) -> Option<Vec<(String, String)>> {
    text.lines()
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
                path.replace("\\n", "\n").replace("\\\\", "\\")
            } else {
                path.to_owned()
            };
            Some((path, digest.to_owned()))
        })
        .collect()
}
