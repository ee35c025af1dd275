//! Canonical serialization of evidence files: JSON with keys sorted at every level, two-space
//! indentation, LF line ends and a trailing newline; and the same data as YAML.

use serde::Serialize;
use serde_json::Value;

/// Canonical JSON text of any serializable value.
pub fn json<T: Serialize>(value: &T) -> String {
    let value = sorted(value);
    let mut s = serde_json::to_string_pretty(&value).expect("value serializes");
    s.push('\n');
    s
}

/// The value with object keys in sorted order at every level. serde_json's map is ordered by
/// key as it is built unless its `preserve_order` feature is on (a dependency could turn it on);
/// `sort_all_objects` sorts in that case and costs nothing otherwise. (Rebuilding every object
/// into a sorted vector and back, as before, was a third of rendering an SBOM.)
fn sorted<T: Serialize>(value: &T) -> Value {
    let mut value = serde_json::to_value(value).expect("evidence is serializable");
    value.sort_all_objects();
    value
}

/// YAML (1.2, block style) of the same canonical data. Strings are always double-quoted with
/// JSON escapes, which YAML accepts as-is, so no value is ever re-typed by a YAML reader.
pub fn yaml<T: Serialize>(value: &T) -> String {
    let value = sorted(value);
    let mut out = String::new();
    emit(&value, 0, &mut out);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => serde_json::to_string(s).expect("string"),
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Array(a) if a.is_empty() => "[]".to_owned(),
        other => other.to_string(),
    }
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, val) in map {
                let key = serde_json::to_string(k).expect("key");
                if is_block(val) {
                    out.push_str(&format!("{pad}{key}:\n"));
                    emit(val, indent + 2, out);
                } else {
                    out.push_str(&format!("{pad}{key}: {}\n", scalar(val)));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                if is_block(item) {
                    out.push_str(&format!("{pad}-\n"));
                    emit(item, indent + 2, out);
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_sorted_and_text_ends_with_newline() {
        let v = serde_json::json!({"b": 1, "a": {"d": [1, {"z": "x", "y": null}], "c": "q\""}});
        let j = super::json(&v);
        assert!(j.find("\"a\"").unwrap() < j.find("\"b\"").unwrap());
        assert!(j.ends_with("}\n"));
        // A struct's fields in declaration order, not sorted, nested in an array.
        #[derive(serde::Serialize)]
        struct Unsorted {
            zeta: u8,
            alpha: Vec<Unsorted>,
            mid: &'static str,
        }
        let u = Unsorted {
            zeta: 1,
            alpha: vec![Unsorted {
                zeta: 2,
                alpha: Vec::new(),
                mid: "m",
            }],
            mid: "n",
        };
        assert_eq!(
            super::json(&u),
            "{\n  \"alpha\": [\n    {\n      \"alpha\": [],\n      \"mid\": \"m\",\n      \"zeta\": 2\n    }\n  ],\n  \"mid\": \"n\",\n  \"zeta\": 1\n}\n"
        );
        let y = super::yaml(&v);
        assert_eq!(
            y,
            "\"a\":\n  \"c\": \"q\\\"\"\n  \"d\":\n    - 1\n    -\n      \"y\": null\n      \"z\": \"x\"\n\"b\": 1\n"
        );
    }
}
