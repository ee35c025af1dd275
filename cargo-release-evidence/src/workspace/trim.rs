//! Trims `cargo metadata` JSON to what the package graph and the evidence read, before guppy
//! parses it. For a package from a registry or git (never a workspace member), cargo resolves
//! no dev-dependencies, nothing here reads its test, bench, example or binary targets, and
//! nothing reads its `package.metadata` table, so those are left out and guppy keeps less per
//! package: on a 10,000-package workspace about 40 MB of the graph's peak.
//!
//! Path packages (the members and any other local crate) and the rest of the document pass
//! through whole. Kept targets: library kinds, `proc-macro` and `custom-build` (the graph's
//! proc-macro and build-script flags). One pass: each value is kept as its text and written
//! back, and only a target's `kind` and a dependency's `kind` are read. Trimming is only a
//! saving: when the document does not have the shape this expects, the text is returned
//! unchanged and guppy's own parse reports any error.

use serde::Deserialize;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Target kinds a registry or git package keeps.
const KEPT_TARGET_KINDS: &[&str] = &[
    "lib",
    "rlib",
    "dylib",
    "cdylib",
    "staticlib",
    "proc-macro",
    "custom-build",
];

/// The trimmed document, or the text unchanged when it does not have the expected shape.
pub fn trim(json: String) -> String {
    let mut out = String::with_capacity(json.len());
    let mut de = serde_json::Deserializer::from_str(&json);
    match Document(&mut out)
        .deserialize(&mut de)
        .and_then(|()| de.end())
    {
        Ok(()) => out,
        Err(_) => json,
    }
}

/// An object key, borrowed from the text unless it has escapes.
#[derive(Deserialize, PartialEq, Eq)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// A JSON object's members in their order, each value as its text. A key given twice fails
/// the trim, so the untrimmed text goes to guppy, which rejects duplicate fields.
struct Object<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'a> Object<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k.0 == key).map(|(_, v)| *v)
    }

    /// Adds a member; a key already there is an error.
    fn insert<E: serde::de::Error>(&mut self, key: Key<'a>, value: &'a RawValue) -> Result<(), E> {
        if self.0.iter().any(|(k, _)| *k == key) {
            return Err(E::custom("a key given twice"));
        }
        self.0.push((key, value));
        Ok(())
    }

    /// Writes the members, each after a comma unless it is the first (`first`).
    fn write_members(&self, out: &mut String, first: &mut bool) {
        for (key, value) in &self.0 {
            separate(out, first);
            push_key(out, &key.0);
            out.push_str(value.get());
        }
    }

    fn write(&self, out: &mut String) {
        out.push('{');
        self.write_members(out, &mut true);
        out.push('}');
    }
}

/// A comma before every element but the first.
fn separate(out: &mut String, first: &mut bool) {
    if !std::mem::take(first) {
        out.push(',');
    }
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut members = Object(Vec::new());
                while let Some((key, value)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    members.insert(key, value)?;
                }
                Ok(members)
            }
        }
        d.deserialize_map(Members)
    }
}

/// The whole document: `packages` is written as it is read, the other members after it.
struct Document<'o>(&'o mut String);

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("cargo metadata")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let out = self.0;
        let mut rest = Object(Vec::new());
        let mut packages = false;
        let mut trimmed: Vec<&'de RawValue> = Vec::new();
        out.push('{');
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.0 == "packages" && !packages {
                packages = true;
                push_key(out, "packages");
                trimmed = map.next_value_seed(Packages(out))?;
            } else if key.0 == "packages" {
                return Err(A::Error::custom("a key given twice"));
            } else {
                rest.insert(key, map.next_value()?)?;
            }
        }
        if !packages {
            return Err(A::Error::custom("no packages"));
        }
        // A package from a registry or git is never a workspace member; a document that says
        // otherwise is passed whole.
        let members = rest
            .get("workspace_members")
            .ok_or_else(|| A::Error::custom("no workspace_members"))?;
        let members: HashSet<Cow<str>> =
            serde_json::from_str(members.get()).map_err(A::Error::custom)?;
        for id in trimmed {
            let id: Cow<str> = serde_json::from_str(id.get()).map_err(A::Error::custom)?;
            if members.contains(&id) {
                return Err(A::Error::custom("a registry or git package is a member"));
            }
        }
        // `packages` was written first.
        rest.write_members(out, &mut false);
        out.push('}');
        Ok(())
    }
}

struct Packages<'o>(&'o mut String);

/// Writes the packages; gives the `id` of each one trimmed.
impl<'de> DeserializeSeed<'de> for Packages<'_> {
    type Value = Vec<&'de RawValue>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Packages<'_> {
    type Value = Vec<&'de RawValue>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of packages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let out = self.0;
        let mut trimmed = Vec::new();
        out.push('[');
        let mut first = true;
        while let Some(package) = seq.next_element::<Package<'de>>()? {
            separate(out, &mut first);
            if package.write(out).map_err(A::Error::custom)? {
                let id = package
                    .fields
                    .get("id")
                    .ok_or_else(|| A::Error::custom("no id"))?;
                trimmed.push(id);
            }
        }
        out.push(']');
        Ok(trimmed)
    }
}

/// One package: its members as text, with its targets and dependencies one object each.
struct Package<'a> {
    fields: Object<'a>,
    targets: Option<Vec<Object<'a>>>,
    dependencies: Option<Vec<Object<'a>>>,
}

impl<'de> Deserialize<'de> for Package<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Package<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a package")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Package<'de>, A::Error> {
                let mut p = Package {
                    fields: Object(Vec::new()),
                    targets: None,
                    dependencies: None,
                };
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.0.as_ref() {
                        "targets" if p.targets.is_none() => p.targets = Some(map.next_value()?),
                        "dependencies" if p.dependencies.is_none() => {
                            p.dependencies = Some(map.next_value()?)
                        }
                        "targets" | "dependencies" => {
                            return Err(A::Error::custom("a key given twice"));
                        }
                        _ => p.fields.insert(key, map.next_value()?)?,
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_map(Fields)
    }
}

impl Package<'_> {
    /// Writes the package, trimmed when it comes from a registry or git (then `true`).
    fn write(&self, out: &mut String) -> Result<bool, String> {
        let source = self
            .fields
            .get("source")
            .ok_or("a package without source")?;
        let trimmed = source.get() != "null";
        out.push('{');
        let mut first = true;
        for (key, value) in &self.fields.0 {
            separate(out, &mut first);
            push_key(out, &key.0);
            out.push_str(if trimmed && key.0 == "metadata" {
                "null"
            } else {
                value.get()
            });
        }
        for (name, items) in [
            ("targets", &self.targets),
            ("dependencies", &self.dependencies),
        ] {
            let Some(items) = items else { continue };
            separate(out, &mut first);
            push_key(out, name);
            out.push('[');
            let mut first_item = true;
            for item in items {
                if trimmed && !kept(name, item)? {
                    continue;
                }
                separate(out, &mut first_item);
                item.write(out);
            }
            out.push(']');
        }
        out.push('}');
        Ok(trimmed)
    }
}

/// Whether a registry or git package's target or dependency is kept.
fn kept(list: &str, item: &Object) -> Result<bool, String> {
    let kind = item.get("kind").ok_or("an item without kind")?.get();
    if list == "targets" {
        let kinds: Vec<Cow<str>> = serde_json::from_str(kind).map_err(|e| e.to_string())?;
        Ok(kinds
            .iter()
            .any(|k| KEPT_TARGET_KINDS.contains(&k.as_ref())))
    } else {
        let kind: Option<Cow<str>> = serde_json::from_str(kind).map_err(|e| e.to_string())?;
        Ok(kind.as_deref() != Some("dev"))
    }
}

fn push_key(out: &mut String, key: &str) {
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(key);
        out.push('"');
    } else {
        // A key with characters JSON escapes, re-serialized from its unescaped form.
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
    }
    out.push(':');
}

#[cfg(test)]
#[path = "trim_tests.rs"]
mod tests;
