//! Canonical serialization of evidence files: JSON with keys sorted at every level, two-space
//! indentation, LF line ends and a trailing newline; and the same data as YAML.

use serde::Serialize;
use serde_json::Value;

/// Canonical JSON text of any serializable value.
pub fn json<T: Serialize>(value: &T) -> String {
    let value = sorted(serde_json::to_value(value).expect("evidence is serializable"));
    let mut s = serde_json::to_string_pretty(&value).expect("value serializes");
    s.push('\n');
    s
}

/// Rebuilds a value with object keys in sorted order (independent of serde_json features).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// YAML (1.2, block style) of the same canonical data. Strings are always double-quoted with
/// JSON escapes, which YAML accepts as-is, so no value is ever re-typed by a YAML reader.
pub fn yaml<T: Serialize>(value: &T) -> String {
    let value = sorted(serde_json::to_value(value).expect("evidence is serializable"));
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
        let y = super::yaml(&v);
        assert_eq!(
            y,
            "\"a\":\n  \"c\": \"q\\\"\"\n  \"d\":\n    - 1\n    -\n      \"y\": null\n      \"z\": \"x\"\n\"b\": 1\n"
        );
    }
}
