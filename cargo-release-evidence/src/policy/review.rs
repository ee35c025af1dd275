//! `[review]`: how far baseline entries (`review baseline`, cargo-vet exemptions) may stand in
//! for a review, by the IEC 62304 software safety class of the release members that ship a
//! crate (`[release] safety-class`; a member without a class is class C: until a class is
//! assigned, class C requirements apply).

use super::Policy;
use super::verification::SafetyClass;
use crate::error::Diagnostic;
use crate::util::time::Day;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::collections::BTreeMap;

/// `[review]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReviewPolicy {
    /// Classes whose members a baseline entry never approves a crate for: only a review does.
    #[serde(default)]
    pub baseline_block: Vec<Spanned<SafetyClass>>,
    /// Per class: the days after its `date` a baseline entry keeps approving a crate shipped
    /// in a member of that class (an exemption without a date does not count).
    #[serde(default)]
    pub baseline_expire: BTreeMap<SafetyClass, Spanned<i64>>,
}

/// What the policy allows a baseline entry for one shipped crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineRule {
    /// A baseline entry counts as long as the entry itself is valid.
    Counts,
    /// A baseline entry never counts: the crate ships in `member`, of a blocked class.
    Blocked { member: String, class: SafetyClass },
    /// A baseline entry counts for `days` after its date (the shortest limit among the
    /// members that ship the crate: `member`, of `class`).
    MaxAge {
        days: i64,
        member: String,
        class: SafetyClass,
    },
}

/// Why a baseline entry of `date` (none: a cargo-vet exemption) does not count on `today`.
pub enum BaselineRefusal {
    Blocked {
        member: String,
        class: SafetyClass,
    },
    Aged {
        until: Day,
        days: i64,
        member: String,
        class: SafetyClass,
    },
    Undated {
        days: i64,
        member: String,
        class: SafetyClass,
    },
}

impl BaselineRule {
    /// `None` when a baseline entry of `date` counts on `today`.
    pub fn refuses(&self, date: Option<Day>, today: Day) -> Option<BaselineRefusal> {
        match self {
            BaselineRule::Counts => None,
            BaselineRule::Blocked { member, class } => Some(BaselineRefusal::Blocked {
                member: member.clone(),
                class: *class,
            }),
            BaselineRule::MaxAge {
                days,
                member,
                class,
            } => match date {
                None => Some(BaselineRefusal::Undated {
                    days: *days,
                    member: member.clone(),
                    class: *class,
                }),
                Some(d) if d.plus_days(*days) < today => Some(BaselineRefusal::Aged {
                    until: d.plus_days(*days),
                    days: *days,
                    member: member.clone(),
                    class: *class,
                }),
                Some(_) => None,
            },
        }
    }
}

impl BaselineRefusal {
    /// One clause saying why, for a finding's message.
    pub fn describe(&self) -> String {
        match self {
            BaselineRefusal::Blocked { member, class } => format!(
                "it ships in `{member}`, a class {class} member, and [review] baseline-block allows no baseline entry for class {class}"
            ),
            BaselineRefusal::Aged {
                until,
                days,
                member,
                class,
            } => format!(
                "it ships in `{member}`, a class {class} member, and [review] baseline-expire lets a baseline entry count for {days} days after its date: until {until}"
            ),
            BaselineRefusal::Undated {
                days,
                member,
                class,
            } => format!(
                "it ships in `{member}`, a class {class} member, where [review] baseline-expire lets a baseline entry count for {days} days after its date, and this one has no date"
            ),
        }
    }
}

impl Policy {
    /// The safety class of a release member (`[release] safety-class`; default C).
    pub fn safety_class(&self, member: &str) -> SafetyClass {
        self.data
            .release
            .safety_class
            .get(member)
            .map_or(SafetyClass::C, |c| *c.get_ref())
    }

    /// The baseline rule for a crate shipped in `members`.
    pub fn baseline_rule<'a>(&self, members: impl IntoIterator<Item = &'a str>) -> BaselineRule {
        let Some(review) = &self.data.review else {
            return BaselineRule::Counts;
        };
        let review = review.get_ref();
        let mut rule = BaselineRule::Counts;
        let mut members: Vec<&str> = members.into_iter().collect();
        members.sort_unstable();
        members.dedup();
        for member in members {
            let class = self.safety_class(member);
            if review.baseline_block.iter().any(|c| *c.get_ref() == class) {
                return BaselineRule::Blocked {
                    member: member.to_owned(),
                    class,
                };
            }
            if let Some(days) = review.baseline_expire.get(&class).map(|d| *d.get_ref()) {
                let shorter = match &rule {
                    BaselineRule::MaxAge { days: d, .. } => days < *d,
                    _ => true,
                };
                if shorter {
                    rule = BaselineRule::MaxAge {
                        days,
                        member: member.to_owned(),
                        class,
                    };
                }
            }
        }
        rule
    }
}

/// The rules of `[review]` that span fields.
pub fn validate(p: &Policy) -> Vec<Diagnostic> {
    let Some(section) = &p.data.review else {
        return Vec::new();
    };
    let r = section.get_ref();
    let mut out = Vec::new();
    for days in r.baseline_expire.values() {
        if !(1..=36_500).contains(days.get_ref()) {
            out.push(p.diagnostic(
                days.span(),
                format!(
                    "[review] `baseline-expire`: {} is not a number of days between 1 and 36500",
                    days.get_ref()
                ),
            ));
        }
    }
    for c in &r.baseline_block {
        if let Some(days) = r.baseline_expire.get(c.get_ref()) {
            out.push(p.diagnostic(
                days.span(),
                format!(
                    "[review] class {} is in both `baseline-block` and `baseline-expire`; a blocked class's baseline entries never count, so remove one",
                    c.get_ref()
                ),
            ));
        }
    }
    out
}
