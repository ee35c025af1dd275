//! Bounded text for messages: any input quoted in a message is clipped, so hostile input
//! (a 256 MiB decompressed section, a megabyte-long line) never floods the terminal.

/// At most `max` characters of `s`, with `…` and the number of characters left out when cut.
pub fn clip(s: &str, max: usize) -> String {
    let mut chars = s.char_indices();
    match chars.nth(max) {
        None => s.to_owned(),
        Some((i, _)) => {
            let rest = s[i..].chars().count();
            format!("{}… ({rest} more characters)", &s[..i])
        }
    }
}

/// [`clip`] of the first line only.
pub fn first_line(s: &str, max: usize) -> String {
    clip(s.lines().next().unwrap_or(""), max)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clips_on_char_boundaries() {
        assert_eq!(super::clip("abc", 5), "abc");
        assert_eq!(super::clip("ééééé", 2), "éé… (3 more characters)");
        assert_eq!(super::first_line("a\nb", 5), "a");
    }
}
