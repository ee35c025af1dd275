//! `codes`: every finding code with its default severity and meaning.

use crate::findings::Code;

pub fn render() -> String {
    Code::ALL
        .iter()
        .map(|c| {
            format!(
                "{:<28} {:<8} {}\n",
                c.as_str(),
                c.default_severity(),
                c.summary()
            )
        })
        .collect()
}
