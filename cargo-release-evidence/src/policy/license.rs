//! License expressions as crates.io holds them. Many published crates still declare
//! `MIT/Apache-2.0` (`/` for `OR`), deprecated ids (`GPL-3.0`, `GPL-2.0+`) or imprecise names.
//! They are read here into a strict SPDX expression: deprecated ids mapped to their current
//! equivalents (the `spdx` crate's `canonicalize` for the GNU family and imprecise names, the
//! table below for the other deprecated ids), so the result uses only ids that the policy's
//! strict allow-lists can name. The declared text is kept for the findings.

/// A package's declared `license` field, read.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The text as the package declares it.
    pub original: String,
    /// The expression the checks evaluate: strict SPDX where it could be mapped.
    pub expr: spdx::Expression,
    /// `expr` as text.
    pub canonical: String,
}

impl Declared {
    /// Whether the declared text had to be interpreted (it is not strict SPDX as written).
    pub fn interpreted(&self) -> bool {
        self.canonical != self.original
    }

    /// `GPL-3.0-only OR MIT (declared `GPL-3.0/MIT`)`, or just the expression.
    pub fn describe(&self) -> String {
        if self.interpreted() {
            format!("{} (declared `{}`)", self.canonical, self.original)
        } else {
            self.original.clone()
        }
    }

    /// The ids of the expression's requirements (`MIT`, `Apache-2.0 WITH LLVM-exception`).
    pub fn requirement_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.expr.requirements().map(|r| r.req.to_string())
    }
}

/// Deprecated SPDX ids outside the GNU family (which `spdx::Expression::canonicalize` maps)
/// and the expressions the SPDX license list names as their replacements.
const DEPRECATED: &[(&str, &str)] = &[
    ("BSD-2-Clause-FreeBSD", "BSD-2-Clause"),
    ("BSD-2-Clause-NetBSD", "BSD-2-Clause"),
    ("StandardML-NJ", "SMLNJ"),
    ("bzip2-1.0.5", "bzip2-1.0.6"),
    ("Nunit", "zlib-acknowledgement"),
    ("eCos-2.0", "GPL-2.0-or-later WITH eCos-exception-2.0"),
    (
        "wxWindows",
        "LGPL-2.0-or-later WITH WxWindows-exception-3.1",
    ),
    (
        "GPL-2.0-with-autoconf-exception",
        "GPL-2.0-only WITH Autoconf-exception-2.0",
    ),
    (
        "GPL-2.0-with-bison-exception",
        "GPL-2.0-or-later WITH Bison-exception-2.2",
    ),
    (
        "GPL-2.0-with-classpath-exception",
        "GPL-2.0-only WITH Classpath-exception-2.0",
    ),
    (
        "GPL-2.0-with-font-exception",
        "GPL-2.0-only WITH Font-exception-2.0",
    ),
    (
        "GPL-2.0-with-GCC-exception",
        "GPL-2.0-only WITH GCC-exception-2.0",
    ),
    (
        "GPL-3.0-with-autoconf-exception",
        "GPL-3.0-only WITH Autoconf-exception-3.0",
    ),
    (
        "GPL-3.0-with-GCC-exception",
        "GPL-3.0-only WITH GCC-exception-3.1",
    ),
];

/// Reads a declared license expression: strict SPDX as is; otherwise deprecated ids replaced,
/// `/` read as `OR`, GNU ids given their `-only`/`-or-later` form and imprecise names mapped,
/// then parsed strictly. Text that still fails strict parsing (an id deprecated without a
/// successor) is read in the lax mode, so the checks can evaluate it and name what failed.
pub fn read(text: &str) -> Result<Declared, spdx::ParseError> {
    if let Ok(expr) = spdx::Expression::parse(text) {
        return Ok(Declared {
            original: text.to_owned(),
            expr,
            canonical: text.to_owned(),
        });
    }
    let replaced = replace_deprecated(text);
    let canonical = match spdx::Expression::canonicalize(&replaced) {
        Ok(Some(c)) => c,
        Ok(None) | Err(_) => replaced,
    };
    if let Ok(expr) = spdx::Expression::parse(&canonical) {
        return Ok(Declared {
            original: text.to_owned(),
            expr,
            canonical,
        });
    }
    let expr = spdx::Expression::parse_mode(text, spdx::ParseMode::LAX)?;
    Ok(Declared {
        original: text.to_owned(),
        canonical: expr.to_string(),
        expr,
    })
}

/// Replaces whole-word occurrences of the ids in [`DEPRECATED`].
fn replace_deprecated(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match DEPRECATED
            .iter()
            .find(|(old, _)| old.eq_ignore_ascii_case(word))
        {
            Some((_, new)) => out.push_str(new),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::read;

    fn canonical(text: &str) -> String {
        read(text).unwrap().canonical
    }

    #[test]
    fn crates_io_forms_are_read_as_strict_spdx() {
        assert_eq!(canonical("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
        assert!(!read("MIT OR Apache-2.0").unwrap().interpreted());
        assert_eq!(canonical("GPL-3.0/MIT"), "GPL-3.0-only OR MIT");
        assert_eq!(canonical("Apache-2.0 / MIT"), "Apache-2.0 OR MIT");
        assert_eq!(canonical("GPL-2.0+"), "GPL-2.0-or-later");
        assert_eq!(canonical("LGPL-2.1"), "LGPL-2.1-only");
        assert_eq!(canonical("BSD-2-Clause-FreeBSD/MIT"), "BSD-2-Clause OR MIT");
        assert_eq!(
            canonical("GPL-2.0-with-classpath-exception"),
            "GPL-2.0-only WITH Classpath-exception-2.0"
        );
        let d = read("Unlicense/MIT").unwrap();
        assert!(d.interpreted());
        assert_eq!(d.describe(), "Unlicense OR MIT (declared `Unlicense/MIT`)");
        assert!(
            d.requirement_ids()
                .all(|id| spdx::Licensee::parse(&id).is_ok())
        );
    }

    #[test]
    fn what_is_no_expression_stays_an_error() {
        assert!(read("see LICENSE").is_err());
    }
}
