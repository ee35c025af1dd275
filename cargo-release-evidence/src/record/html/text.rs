//! HTML text with every string from the data escaped. Nothing from the evidence (crate names,
//! descriptions, advisory titles, reasons, paths) reaches the page unescaped: text and attribute
//! values go through [`esc`], which also makes `<!--` impossible, so the page's own comment
//! markers cannot be forged by the data.

use std::fmt::Write;

/// Escapes text and attribute values (`&`, `<`, `>`, `"`, `'`). Control characters other than
/// tab and newline become U+FFFD, so no input can break the markup or the canonical text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// An https URL safe to link to (`<a href>` only, never a resource): scheme `https`, no
/// quotes, spaces or angle brackets. Anything else is shown as text, not linked.
pub fn safe_link(url: &str) -> Option<&str> {
    let ok = url.starts_with("https://")
        && url.len() <= 2000
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`'));
    ok.then_some(url)
}

/// The page being written.
#[derive(Default)]
pub struct Html {
    pub out: String,
}

impl Html {
    /// Raw markup written by this module's callers (never data).
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Escaped text.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.out.push_str(&esc(s));
        self
    }

    /// `<tag class="…">escaped text</tag>`.
    pub fn el(&mut self, tag: &str, class: &str, s: &str) -> &mut Self {
        if class.is_empty() {
            let _ = write!(self.out, "<{tag}>{}</{tag}>", esc(s));
        } else {
            let _ = write!(self.out, "<{tag} class=\"{class}\">{}</{tag}>", esc(s));
        }
        self
    }

    /// `<code>` text.
    pub fn code(&mut self, s: &str) -> &mut Self {
        self.el("code", "", s)
    }

    /// A section with its heading; `id` and `title` are the page's own words.
    pub fn section(&mut self, id: &str, title: &str, body: impl FnOnce(&mut Html)) {
        let _ = write!(self.out, "<section id=\"{id}\">\n<h2>{}</h2>\n", esc(title));
        body(self);
        self.out.push_str("</section>\n");
    }

    /// A table with a repeated header; `row` writes the `<td>`s of one row.
    pub fn table<T>(
        &mut self,
        class: &str,
        headers: &[&str],
        rows: &[T],
        mut row: impl FnMut(&mut Html, &T),
    ) {
        let _ = write!(self.out, "<table class=\"{class}\">\n<thead><tr>");
        for h in headers {
            let _ = write!(self.out, "<th>{}</th>", esc(h));
        }
        self.out.push_str("</tr></thead>\n<tbody>\n");
        for r in rows {
            self.out.push_str("<tr>");
            row(self, r);
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n");
    }

    /// One `<td>` of escaped text (`class` is the page's own).
    pub fn td(&mut self, class: &str, s: &str) -> &mut Self {
        self.el("td", class, s)
    }

    /// One `<td>` of escaped text in `<code>`.
    pub fn td_code(&mut self, s: &str) -> &mut Self {
        let _ = write!(self.out, "<td><code>{}</code></td>", esc(s));
        self
    }

    /// A link to an https page (advisories); plain text when the URL is not a safe https URL.
    pub fn link(&mut self, url: Option<&str>, s: &str) -> &mut Self {
        match url.and_then(safe_link) {
            Some(u) => {
                let _ = write!(self.out, "<a href=\"{}\">{}</a>", esc(u), esc(s));
            }
            None => {
                self.text(s);
            }
        }
        self
    }
}

/// `1 finding` / `2 findings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\" <!-- \u{7}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; &lt;!-- \u{FFFD}"
        );
    }

    #[test]
    fn links_only_plain_https_urls() {
        assert_eq!(
            safe_link("https://rustsec.org/advisories/RUSTSEC-2021-0003.html"),
            Some("https://rustsec.org/advisories/RUSTSEC-2021-0003.html")
        );
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("https://x\" onmouseover=\"a"), None);
        assert_eq!(safe_link("http://example.com"), None);
    }
}
