//! JSON rendering: pretty, with a trailing newline; key order is the struct order.

use serde::Serialize;

pub fn to_string<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report is serializable");
    s.push('\n');
    s
}
