//! Calendar days and RFC 3339 timestamps. Time is injected (`--date`, `SOURCE_DATE_EPOCH`), so
//! the same inputs give the same outputs.

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
            return Err(format!(
                "expected a date as YYYY-MM-DD, found `{}`",
                crate::util::text::clip(s, 40)
            ));
        }
        // All ten bytes are ASCII here, so the slices are on character boundaries.
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

    /// The day `days` after this one (saturating at jiff's range).
    pub fn plus_days(self, days: i64) -> Day {
        Day(self
            .0
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(self.0))
    }

    pub fn today_utc() -> Day {
        Day(jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date())
    }

    /// Midnight UTC of this day, as seconds since the epoch.
    pub fn epoch_seconds(self) -> i64 {
        self.0
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0)
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
            // A TOML date arrives as toml's datetime; anything else that is a table is refused
            // by `Datetime` itself (so `date = { x = "2026-10-01" }` is an error).
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Day, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))
                        .map_err(|_| {
                            de::Error::custom("expected a date like 2026-10-01, found a table")
                        })?;
                match (dt.date, dt.time, dt.offset) {
                    (Some(date), None, None) => {
                        Day::parse(&date.to_string()).map_err(de::Error::custom)
                    }
                    _ => Err(de::Error::custom(format!(
                        "expected a date without time like 2026-10-01, found `{dt}`"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// RFC 3339 UTC timestamp (seconds) of a Unix time.
pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// The wall clock, seconds since the epoch.
pub fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
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
        assert_eq!(a.plus_days(30), b);
        assert!(Day::parse("2026-02-30").is_err());
        assert!(Day::parse("2026-2-3").is_err());
        assert!(Day::parse("2026é-1-1").is_err());
    }

    #[test]
    fn toml_dates_and_strings_deserialize_tables_do_not() {
        #[derive(Deserialize)]
        struct T {
            d: Day,
        }
        let t: T = toml::from_str("d = 2026-10-01").unwrap();
        assert_eq!(t.d.to_string(), "2026-10-01");
        let t: T = toml::from_str("d = \"2026-10-01\"").unwrap();
        assert_eq!(t.d.to_string(), "2026-10-01");
        assert!(toml::from_str::<T>("d = { x = \"2026-10-01\" }").is_err());
        assert!(toml::from_str::<T>("d = 2026-10-01T10:00:00Z").is_err());
    }
}
