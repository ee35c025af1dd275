//! `[[verification.exception]]` entries: matching a test or a static-analysis result, expiry,
//! and the entries nothing used.

use super::model::Anomaly;
use crate::findings::{Code, Finding, Location};
use crate::policy::Policy;
use crate::policy::verification::VerificationException;
use crate::util::time::Day;
use serde_spanned::Spanned;

pub struct Exceptions<'a> {
    policy: &'a Policy,
    entries: &'a [Spanned<VerificationException>],
    used: Vec<bool>,
    date: Day,
}

/// What an exception decides about one failed test or result.
pub enum Verdict<'a> {
    Accepted(&'a VerificationException, Location),
    Expired(&'a VerificationException, Location),
}

impl<'a> Exceptions<'a> {
    pub fn new(policy: &'a Policy, date: Day) -> Exceptions<'a> {
        let entries = policy
            .data
            .verification
            .as_ref()
            .map(|v| v.get_ref().exception.as_slice())
            .unwrap_or_default();
        Exceptions {
            policy,
            entries,
            used: vec![false; entries.len()],
            date,
        }
    }

    fn find(&mut self, pred: impl Fn(&VerificationException) -> bool) -> Option<Verdict<'a>> {
        let entries = self.entries;
        let i = entries.iter().position(|e| pred(e.get_ref()))?;
        self.used[i] = true;
        let e = entries[i].get_ref();
        let loc = self.policy.location(&entries[i]);
        Some(if e.expires.days_until(self.date) > 0 {
            Verdict::Expired(e, loc)
        } else {
            Verdict::Accepted(e, loc)
        })
    }

    pub fn for_test(&mut self, id: &str) -> Option<Verdict<'a>> {
        self.find(|e| e.test.as_deref() == Some(id))
    }

    pub fn for_result(&mut self, rule: &str, fingerprint: &str) -> Option<Verdict<'a>> {
        self.find(|e| {
            e.rule.as_deref() == Some(rule) && e.fingerprint.as_deref() == Some(fingerprint)
        })
    }

    /// A finding for each exception that matched nothing.
    pub fn unused(&self) -> Vec<Finding> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| {
                let x = e.get_ref();
                let what = match (&x.test, &x.rule, &x.fingerprint) {
                    (Some(t), _, _) => format!("test `{t}`"),
                    (_, Some(r), Some(f)) => format!("rule `{r}` at `{f}`"),
                    _ => "nothing".to_owned(),
                };
                Finding::new(
                    Code::VerifyExceptionUnused,
                    format!("[[verification.exception]] for {what} matches no failed or skipped test and no static-analysis result"),
                    "remove the exception (the problem it accepted is gone)",
                )
                .location(Some(self.policy.location(e)))
            })
            .collect()
    }
}

/// The finding for an expired exception (the result or test it covered still counts).
pub fn expired(e: &VerificationException, loc: Location, what: &str) -> Finding {
    Finding::new(
        Code::VerifyExceptionExpired,
        format!(
            "[[verification.exception]] for {what} expired on {}",
            e.expires
        ),
        "re-evaluate it and extend `expires`, or fix the problem and remove the exception",
    )
    .location(Some(loc))
}

/// The residual anomaly an accepted exception stands for.
pub fn anomaly(e: &VerificationException, id: String, kind: &str, description: String) -> Anomaly {
    Anomaly {
        id,
        kind: kind.to_owned(),
        description,
        evaluation: e.reason.clone(),
        approved_by: e.approved_by.clone(),
        until: Some(e.expires),
    }
}
