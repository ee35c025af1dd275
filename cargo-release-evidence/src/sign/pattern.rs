//! OpenSSH patterns (ssh_config(5) "PATTERNS") as allowed_signers uses them: `*` matches any
//! run of bytes, `?` exactly one byte, everything else itself (case-sensitive, as OpenSSH's
//! `match_pattern_list(…, dolower = 0)` for principals and namespaces). A pattern list is
//! comma-separated; a `!` prefix negates: a matching negated entry rejects the string whatever
//! else matches.
//!
//! The matcher is iterative with a single backtrack point (the last `*`), so it runs in
//! O(len(pattern) × len(string)) at worst and never backtracks exponentially, whatever the
//! number of stars.

/// Whether `s` matches the wildcard `pattern` (bytes, `*` and `?`).
pub fn matches(pattern: &str, s: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, string index it took).
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi + 1, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                // Let the last `*` take one more byte and retry from there.
                Some((after, taken)) => {
                    pi = after;
                    si = taken + 1;
                    star = Some((after, taken + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The result of matching a string against a pattern list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMatch {
    /// A negated entry matched: rejected whatever else matches.
    Negated,
    /// Nothing matched.
    None,
    /// A positive entry matched and no negated one did.
    Positive,
}

/// OpenSSH's longest sub-pattern (`sub[1024]` in match.c); a longer one makes the whole list
/// match nothing.
const MAX_SUBPATTERN: usize = 1023;

/// Matches `s` against a comma-separated pattern list with `!` negation, as OpenSSH's
/// `match_pattern_list`.
pub fn match_list(s: &str, list: &str) -> ListMatch {
    let mut positive = false;
    for entry in list.split(',') {
        let (negated, pattern) = match entry.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, entry),
        };
        if pattern.len() >= MAX_SUBPATTERN {
            return ListMatch::None;
        }
        if matches(pattern, s) {
            if negated {
                return ListMatch::Negated;
            }
            positive = true;
        }
    }
    if positive {
        ListMatch::Positive
    } else {
        ListMatch::None
    }
}

/// Whether `s` is accepted by the pattern list (a positive match and no negated one).
pub fn list_accepts(s: &str, list: &str) -> bool {
    match_list(s, list) == ListMatch::Positive
}

/// Whether `s` contains a wildcard (`*` or `?`).
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_openssh() {
        assert!(matches("*", ""));
        assert!(matches("*", "anything"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*@example.com", "qa@example.com"));
        assert!(!matches("*@example.com", "qa@example.org"));
        assert!(matches("q*a*@*.com", "qxxaxx@y.com"));
        assert!(matches("*a", "aaaa"));
        assert!(!matches("*a", "aaab"));
        assert!(matches("**a**", "ba"));
        assert!(matches("a*b*c", "aXbYbc"));
        assert!(!matches("a*b*c", "aXbYbd"));
        // Case-sensitive, byte-wise.
        assert!(!matches("QA@example.com", "qa@example.com"));
        assert!(matches("??", "é"));
    }

    #[test]
    fn lists_with_negation() {
        let list = "*@example.com,!evil@example.com";
        assert_eq!(match_list("qa@example.com", list), ListMatch::Positive);
        assert_eq!(match_list("evil@example.com", list), ListMatch::Negated);
        assert_eq!(match_list("qa@other.org", list), ListMatch::None);
        // A negated entry wins wherever it stands.
        assert_eq!(
            match_list("evil@example.com", "!evil@example.com,*"),
            ListMatch::Negated
        );
        // Only negated entries: nothing is accepted.
        assert_eq!(match_list("qa@example.com", "!evil@x"), ListMatch::None);
        // An empty entry matches only the empty string.
        assert!(list_accepts("", "a,,b"));
        assert!(!list_accepts("c", "a,,b"));
        // A sub-pattern of 1023 bytes or more makes the list match nothing.
        let long = format!("x,{}", "y".repeat(1023));
        assert_eq!(match_list("x", &long), ListMatch::None);
    }

    #[test]
    fn many_stars_against_a_long_string_return_quickly() {
        // A backtracking matcher takes exponential time here; this one is bounded by
        // len(pattern) × len(string).
        let pattern = format!("{}b", "*a".repeat(200));
        let s = "a".repeat(10_000);
        let start = std::time::Instant::now();
        assert!(!matches(&pattern, &s));
        let list = format!("{pattern},!{pattern}");
        assert_eq!(match_list(&s, &list), ListMatch::None);
        let stars = "*".repeat(200);
        assert!(matches(&stars, &s));
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
    }
}
