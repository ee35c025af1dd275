//! The imported decisions as policy text, in the sections `init` writes.

use super::Imported;
use std::fmt::Write;

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_owned()
}

pub fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.map(quote).collect::<Vec<_>>().join(", "))
}

/// `[[licenses.exception]]` entries.
pub fn license_exceptions(t: &mut String, imp: &Imported) {
    for e in &imp.license_exceptions {
        t.push_str("[[licenses.exception]]\n");
        let _ = writeln!(t, "name = {}", quote(&e.name));
        if let Some(v) = &e.version {
            let _ = writeln!(t, "version = {}", quote(v));
        }
        let _ = writeln!(t, "allow = {}", list(e.allow.iter().map(String::as_str)));
        let _ = writeln!(
            t,
            "reason = {}\n",
            quote(&format!("imported from {}: review", e.from))
        );
    }
}

/// `[[banned]]` entries.
pub fn banned(t: &mut String, imp: &Imported) {
    if imp.banned.is_empty() {
        return;
    }
    t.push_str("# Crates that must never ship (RE-BANNED).\n");
    for b in &imp.banned {
        t.push_str("[[banned]]\n");
        let _ = writeln!(t, "name = {}", quote(&b.name));
        if let Some(v) = &b.version {
            let _ = writeln!(t, "version = {}", quote(v));
        }
        let _ = writeln!(t, "reason = {}\n", quote(&b.reason));
    }
}

/// `[[advisories.exception]]` entries.
pub fn exceptions(t: &mut String, imp: &Imported) {
    for e in &imp.exceptions {
        t.push_str("\n[[advisories.exception]]\n");
        let _ = writeln!(t, "id = {}", quote(&e.id));
        let _ = writeln!(t, "crate = {}", quote(&e.krate));
        let _ = writeln!(t, "reason = {}", quote(&e.reason));
        let _ = writeln!(t, "approved-by = {}", quote(&e.approved_by));
        let _ = writeln!(t, "expires = {}", e.expires);
    }
}
