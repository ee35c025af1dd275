//! Validated scalar values of the policy file. Each validates while it is deserialized, so a
//! bad value is reported with the file, line and column of the value itself.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date (`2026-10-01`), written as a TOML date or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub jiff::civil::Date);

impl Day {
    pub fn parse(s: &str) -> Result<Day, String> {
        let bytes = s.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(format!("expected a date as YYYY-MM-DD, found `{s}`"));
        }
        let y: i16 = s[0..4].parse().map_err(|_| format!("bad year in `{s}`"))?;
        let m: i8 = s[5..7].parse().map_err(|_| format!("bad month in `{s}`"))?;
        let d: i8 = s[8..10].parse().map_err(|_| format!("bad day in `{s}`"))?;
        jiff::civil::Date::new(y, m, d)
            .map(Day)
            .map_err(|e| format!("`{s}` is not a valid date: {e}"))
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Day) -> i64 {
        let span = self
            .0
            .until((jiff::Unit::Day, other.0))
            .expect("date difference fits");
        i64::from(span.get_days())
    }

    pub fn today_utc() -> Day {
        Day(jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date like 2026-10-01")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Day, E> {
                Day::parse(s).map_err(E::custom)
            }
            // TOML dates arrive as a one-entry map holding the datetime's text.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Day, A::Error> {
                let Some((_key, value)) = map.next_entry::<String, String>()? else {
                    return Err(de::Error::custom("expected a date like 2026-10-01"));
                };
                if value.len() != 10 {
                    return Err(de::Error::custom(format!(
                        "expected a date without time like 2026-10-01, found `{value}`"
                    )));
                }
                Day::parse(&value).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A semver requirement such as `=0.6.13`, `^1.2` or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq(pub semver::VersionReq);

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        semver::VersionReq::parse(&s).map(VersionReq).map_err(|e| {
            de::Error::custom(format!(
                "expected a semver requirement like \"=1.2.3\" or \"*\", found `{s}`: {e}"
            ))
        })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Parses an SPDX license id as the allow-lists use it: one license, optionally with a `WITH`
/// exception (`Apache-2.0 WITH LLVM-exception`), or a `LicenseRef-…`.
pub fn licensee(text: &str) -> Result<spdx::Licensee, String> {
    spdx::Licensee::parse(text).map_err(|e| {
        format!(
            "expected an SPDX license id (e.g. \"MIT\", \"Apache-2.0 WITH LLVM-exception\", \"LicenseRef-Name\"), found `{text}`: {}",
            e.reason
        )
    })
}

/// A lowercase hex sha256 digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sha256Hex(pub String);

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256Hex(s.to_ascii_lowercase()))
        } else {
            Err(de::Error::custom(format!(
                "expected a sha256 digest (64 hex digits), found `{s}`"
            )))
        }
    }
}

/// A full git commit id (40 hex digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommit(pub String);

impl<'de> Deserialize<'de> for GitCommit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(GitCommit(s.to_ascii_lowercase()))
        } else {
            Err(de::Error::custom(format!(
                "expected a full git commit id (40 hex digits), found `{s}`"
            )))
        }
    }
}

/// A RustSec advisory id (`RUSTSEC-2021-0003`) or an alias (`CVE-…`, `GHSA-…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryId(pub String);

impl<'de> Deserialize<'de> for AdvisoryId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = ["RUSTSEC-", "CVE-", "GHSA-"]
            .iter()
            .any(|p| s.starts_with(p) && s.len() > p.len());
        if ok {
            Ok(AdvisoryId(s))
        } else {
            Err(de::Error::custom(format!(
                "expected an advisory id like \"RUSTSEC-2021-0003\" (or a CVE-/GHSA- alias), found `{s}`"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_count() {
        let a = Day::parse("2026-01-30").unwrap();
        let b = Day::parse("2026-03-01").unwrap();
        assert_eq!(a.days_until(b), 30);
        assert_eq!(b.to_string(), "2026-03-01");
        assert!(Day::parse("2026-02-30").is_err());
        assert!(Day::parse("2026-2-3").is_err());
    }
}
