//! Facts: the named figures that requirements, dashboards, reports and assessments share.
//!
//! A fact is a named query over a unit's subtree and a date range that yields a value and the
//! records behind it. Each register contributes its facts as a slice of [`FactDef`]s here and
//! a row query in the store; everything that quotes a figure asks for it by key, so a report,
//! a dashboard and a score can never disagree. A fact whose value cannot be computed (a mean
//! over no records) is `None`: missing data is shown as missing, never as zero.

mod ledger;
mod opinion;
mod platform;
mod rectification;

use crate::unit::{Unit, UnitId};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// How a fact's rows become its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Measure {
    /// How many rows.
    Count,
    /// The sum of the rows' values.
    Sum,
    /// The mean of the rows' values; `None` over no rows.
    Mean,
    /// The median of the rows' values; `None` over no rows.
    Median,
    /// The share of rows whose value is 1, in percent; `None` over no rows.
    Rate,
}

/// One fact of the catalogue. A key may take a parameter after a colon
/// (`activity.type:zxz`); the definition is then found by the part before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FactDef {
    pub key: &'static str,
    pub label: &'static str,
    pub measure: Measure,
    /// The word that follows the figure in a sentence: 场次, 件, 小时, %.
    pub measure_word: &'static str,
    /// The report area the fact belongs to (组织领导与责任落实, 理论武装, …).
    pub area: &'static str,
    /// How it is counted, shown next to the figure.
    pub about: &'static str,
    /// What the parameter names, for parameterised keys.
    pub parameter: Option<&'static str>,
}

/// Every register's facts.
const REGISTERS: &[&[FactDef]] = &[ledger::FACTS, opinion::FACTS, platform::FACTS, rectification::FACTS];

pub fn catalogue() -> impl Iterator<Item = &'static FactDef> {
    REGISTERS.iter().flat_map(|facts| facts.iter())
}

/// The family and the parameter of a key: `activity.type:zxz` → (`activity.type`, `Some("zxz")`).
pub fn split_key(key: &str) -> (&str, Option<&str>) {
    match key.split_once(':') {
        Some((family, param)) => (family, Some(param)),
        None => (key, None),
    }
}

pub fn definition(key: &str) -> Option<&'static FactDef> {
    let (family, param) = split_key(key);
    catalogue().find(|d| d.key == family && d.parameter.is_some() == param.is_some())
}

/// A record, named as the audit trail names it (`activity`, `letter_copy`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct RecordRef {
    pub kind: String,
    pub id: i64,
}

impl RecordRef {
    pub fn new(kind: impl Into<String>, id: i64) -> Self {
        RecordRef { kind: kind.into(), id }
    }
}

/// One record's contribution to a fact, attributed to the unit that owns it.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    pub unit_id: UnitId,
    pub record: RecordRef,
    /// 1 for counts; hours, amounts or 0/1 (for rates) otherwise.
    pub value: f64,
}

/// Inclusive dates. Facts that describe a state ("risk points open") read it as of `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl DateRange {
    pub fn new(from: NaiveDate, until: NaiveDate) -> Self {
        DateRange { from, until }
    }

    pub fn year(year: i32) -> Self {
        DateRange {
            from: NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year"),
            until: NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year"),
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.until
    }
}

/// A computed figure for one unit's subtree, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub key: String,
    pub unit_id: UnitId,
    pub value: Option<f64>,
    /// The records behind the value, sorted and without repeats.
    pub evidence: Vec<RecordRef>,
}

impl Fact {
    /// The figure as a sentence quotes it: "12", "2.1", "95.0"; "（无数据）" when missing.
    pub fn display(&self) -> String {
        match (self.value, definition(&self.key).map(|d| d.measure)) {
            (None, _) => "（无数据）".to_string(),
            (Some(v), Some(Measure::Count)) | (Some(v), Some(Measure::Sum)) if v.fract() == 0.0 => {
                format!("{}", v as i64)
            }
            (Some(v), _) => format!("{v:.1}"),
        }
    }
}

/// Computes the value of rows by the measure.
pub fn aggregate(measure: Measure, values: &[f64]) -> Option<f64> {
    match measure {
        Measure::Count => Some(values.len() as f64),
        Measure::Sum => Some(values.iter().sum()),
        _ if values.is_empty() => None,
        Measure::Mean => Some(values.iter().sum::<f64>() / values.len() as f64),
        Measure::Rate => Some(values.iter().filter(|v| **v >= 1.0).count() as f64 * 100.0 / values.len() as f64),
        Measure::Median => {
            let mut sorted = values.to_vec();
            sorted.sort_by(f64::total_cmp);
            let mid = sorted.len() / 2;
            Some(if sorted.len().is_multiple_of(2) {
                (sorted[mid - 1] + sorted[mid]) / 2.0
            } else {
                sorted[mid]
            })
        }
    }
}

/// One fact over all the rows given.
pub fn fact_of(key: &str, unit_id: UnitId, rows: &[&FactRow]) -> Fact {
    let measure = definition(key).map_or(Measure::Count, |d| d.measure);
    let values: Vec<f64> = rows.iter().map(|r| r.value).collect();
    let mut evidence: Vec<RecordRef> = rows.iter().map(|r| r.record.clone()).collect();
    evidence.sort();
    evidence.dedup();
    Fact {
        key: key.to_string(),
        unit_id,
        value: aggregate(measure, &values),
        evidence,
    }
}

/// The fact for each wanted unit's subtree, from rows fetched once for a larger subtree.
/// `units` must hold every unit between the rows' units and the wanted ones (a scope's tree).
pub fn roll_up(key: &str, rows: &[FactRow], units: &[Unit], wanted: &[UnitId]) -> Vec<Fact> {
    let parent: HashMap<UnitId, Option<UnitId>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let wanted_set: std::collections::HashSet<UnitId> = wanted.iter().copied().collect();
    let mut by_unit: HashMap<UnitId, Vec<&FactRow>> = HashMap::new();
    for row in rows {
        let mut at = Some(row.unit_id);
        while let Some(unit) = at {
            if wanted_set.contains(&unit) {
                by_unit.entry(unit).or_default().push(row);
            }
            at = parent.get(&unit).copied().flatten();
        }
    }
    wanted
        .iter()
        .map(|unit| fact_of(key, *unit, by_unit.get(unit).map_or(&[][..], |v| v.as_slice())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            kind: crate::UnitKind::Township,
            name: format!("单位{id}"),
            short_name: String::new(),
            code: format!("U{id}"),
            sort_order: 0,
            depth: 0,
        }
    }

    fn row(unit: i64, id: i64, value: f64) -> FactRow {
        FactRow {
            unit_id: UnitId(unit),
            record: RecordRef::new("activity", id),
            value,
        }
    }

    #[test]
    fn measures_over_no_rows_are_missing_except_counts() {
        assert_eq!(aggregate(Measure::Count, &[]), Some(0.0));
        assert_eq!(aggregate(Measure::Sum, &[]), Some(0.0));
        assert_eq!(aggregate(Measure::Mean, &[]), None);
        assert_eq!(aggregate(Measure::Median, &[]), None);
        assert_eq!(aggregate(Measure::Rate, &[]), None);
    }

    #[test]
    fn median_rate_and_mean() {
        assert_eq!(aggregate(Measure::Median, &[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(aggregate(Measure::Median, &[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(aggregate(Measure::Rate, &[1.0, 0.0, 1.0, 1.0]), Some(75.0));
        assert_eq!(aggregate(Measure::Mean, &[1.0, 2.0]), Some(1.5));
    }

    #[test]
    fn rows_roll_up_to_every_ancestor_asked_for() {
        let units = vec![unit(1, None), unit(2, Some(1)), unit(3, Some(2)), unit(4, Some(1))];
        let rows = vec![row(3, 10, 1.0), row(2, 11, 1.0), row(4, 12, 1.0)];
        let facts = roll_up("activity.type:zxz", &rows, &units, &[UnitId(1), UnitId(2), UnitId(4)]);
        assert_eq!(facts[0].value, Some(3.0));
        assert_eq!(facts[1].value, Some(2.0));
        assert_eq!(
            facts[1].evidence,
            vec![RecordRef::new("activity", 10), RecordRef::new("activity", 11)]
        );
        assert_eq!(facts[2].value, Some(1.0));
    }

    #[test]
    fn parameterised_keys_find_their_family() {
        assert_eq!(definition("activity.type:zxz").map(|d| d.key), Some("activity.type"));
        assert!(definition("activity.type").is_none());
        assert!(definition("no.such").is_none());
    }

    #[test]
    fn catalogue_keys_are_unique() {
        let mut keys: Vec<&str> = catalogue().map(|d| d.key).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
