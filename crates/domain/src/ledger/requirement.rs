//! Requirements (规定动作): "at least N records with tag T every period, for units of these
//! kinds". They are data (`data/requirements.toml`, shipped as labelled defaults); this module
//! only evaluates them, against a date passed in.

use super::DataError;
use super::period::{Granularity, Period};
use crate::unit::UnitKind;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashSet;

pub const DEFAULT_TOML: &str = include_str!("../../data/requirements.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Requirement {
    pub code: String,
    pub name: String,
    pub tag: String,
    pub unit_kinds: Vec<UnitKind>,
    pub every: Granularity,
    pub at_least: u32,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementSet {
    pub requirements: Vec<Requirement>,
    /// True while the shipped defaults are in force, so pages can say so.
    pub is_default: bool,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    default: bool,
    requirement: Vec<Requirement>,
}

/// A record as requirements see it: which it is, when, and the ledgers it belongs to.
#[derive(Debug, Clone)]
pub struct Counted<'a> {
    pub id: i64,
    pub date: NaiveDate,
    pub tags: &'a [String],
}

/// How a unit stands against one requirement in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub requirement: String,
    pub name: String,
    pub period: Period,
    pub count: u32,
    pub required: u32,
    pub met: bool,
    /// How many more records are needed (0 when met).
    pub missing: u32,
    /// The last day the period leaves to meet it.
    pub due: NaiveDate,
    /// The period is over and the requirement was not met.
    pub overdue: bool,
    /// The records counted, so that every figure opens to its evidence.
    pub evidence: Vec<i64>,
}

impl Requirement {
    pub fn applies_to(&self, kind: UnitKind) -> bool {
        self.unit_kinds.contains(&kind)
    }

    pub fn evaluate<'a>(
        &self,
        period: Period,
        records: impl IntoIterator<Item = Counted<'a>>,
        today: NaiveDate,
    ) -> Status {
        let evidence: Vec<i64> = records
            .into_iter()
            .filter(|r| period.contains(r.date) && r.tags.contains(&self.tag))
            .map(|r| r.id)
            .collect();
        let count = evidence.len() as u32;
        let met = count >= self.at_least;
        Status {
            requirement: self.code.clone(),
            name: self.name.clone(),
            period,
            count,
            required: self.at_least,
            met,
            missing: self.at_least.saturating_sub(count),
            due: period.last_day(),
            overdue: !met && today > period.last_day(),
            evidence,
        }
    }

    /// The sentence a page shows: "每半年至少 1 次".
    pub fn rule_text(&self) -> String {
        format!("{}至少 {} 次", self.every.label(), self.at_least)
    }
}

impl RequirementSet {
    pub fn defaults() -> RequirementSet {
        RequirementSet::parse("requirements.toml", DEFAULT_TOML).expect("the shipped requirements are valid")
    }

    pub fn parse(file: &str, text: &str) -> Result<RequirementSet, DataError> {
        let err = |message: String| DataError {
            file: file.to_string(),
            message,
        };
        let parsed: File = toml::from_str(text).map_err(|e| err(format!("格式有误：{}", e.message())))?;
        let mut codes = HashSet::new();
        for r in &parsed.requirement {
            if !codes.insert(r.code.as_str()) {
                return Err(err(format!("要求代码「{}」重复", r.code)));
            }
            if r.at_least == 0 {
                return Err(err(format!("「{}」的次数（at_least）应至少为 1", r.name)));
            }
            if r.source.trim().is_empty() {
                return Err(err(format!("「{}」没有写明依据（source）", r.name)));
            }
        }
        Ok(RequirementSet {
            requirements: parsed.requirement,
            is_default: parsed.default,
        })
    }

    /// The current period's status of every requirement that applies to a unit of this kind.
    pub fn status_for<'a>(&self, kind: UnitKind, records: &[Counted<'a>], today: NaiveDate) -> Vec<Status> {
        self.requirements
            .iter()
            .filter(|r| r.applies_to(kind))
            .map(|r| r.evaluate(Period::containing(r.every, today), records.iter().cloned(), today))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_shipped_requirements_are_labelled_defaults_with_sources() {
        let set = RequirementSet::defaults();
        assert!(set.is_default);
        assert!(set.requirements.iter().all(|r| !r.source.is_empty()));
        let analysis = set.requirements.iter().find(|r| r.code == "analysis").unwrap();
        assert_eq!(analysis.rule_text(), "每半年至少 1 次");
    }

    #[test]
    fn a_unit_that_meets_one_that_misses_by_one_and_the_period_boundary() {
        let set = RequirementSet::defaults();
        let req = set.requirements.iter().find(|r| r.code == "ideology_topic").unwrap();
        let ideology = tags(&["党委会", "专题研究意识形态工作"]);
        let plain = tags(&["党委会"]);
        let year = Period::containing(Granularity::Year, d(2026, 6, 1));
        let meets = [
            Counted {
                id: 1,
                date: d(2026, 1, 1),
                tags: &ideology,
            },
            Counted {
                id: 2,
                date: d(2026, 12, 31),
                tags: &ideology,
            },
        ];
        let s = req.evaluate(year, meets.iter().cloned(), d(2026, 6, 1));
        assert_eq!(
            (s.count, s.met, s.missing, s.evidence.clone()),
            (2, true, 0, vec![1, 2])
        );
        let misses = [
            Counted {
                id: 3,
                date: d(2026, 3, 1),
                tags: &ideology,
            },
            Counted {
                id: 4,
                date: d(2026, 4, 1),
                tags: &plain,
            },
            Counted {
                id: 5,
                date: d(2025, 12, 31),
                tags: &ideology,
            },
            Counted {
                id: 6,
                date: d(2027, 1, 1),
                tags: &ideology,
            },
        ];
        let s = req.evaluate(year, misses.iter().cloned(), d(2026, 6, 1));
        assert_eq!((s.count, s.met, s.missing, s.overdue), (1, false, 1, false));
        assert_eq!(s.due, d(2026, 12, 31));
        let late = req.evaluate(year, misses.iter().cloned(), d(2027, 1, 1));
        assert!(late.overdue);
    }

    #[test]
    fn requirements_apply_by_unit_kind() {
        let set = RequirementSet::defaults();
        let branch: Vec<String> = set
            .status_for(UnitKind::PartyBranch, &[], d(2026, 5, 1))
            .into_iter()
            .map(|s| s.requirement)
            .collect();
        assert!(branch.contains(&"theme_party_day".to_string()));
        assert!(!branch.contains(&"ideology_topic".to_string()));
        assert!(set.status_for(UnitKind::Village, &[], d(2026, 5, 1)).is_empty());
    }

    #[test]
    fn a_requirement_without_a_source_is_refused() {
        let text = "[[requirement]]\ncode='x'\nname='某事'\ntag='t'\nunit_kinds=['town']\nevery='year'\nat_least=1\nsource=''\n";
        let e = RequirementSet::parse("r.toml", text).unwrap_err();
        assert!(e.message.contains("没有写明依据"), "{e}");
        let bad_kind = "[[requirement]]\ncode='x'\nname='某事'\ntag='t'\nunit_kinds=['province']\nevery='year'\nat_least=1\nsource='s'\n";
        assert!(RequirementSet::parse("r.toml", bad_kind).is_err());
    }
}
