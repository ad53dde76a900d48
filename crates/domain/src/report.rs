//! Reports (工作报告) as records: which unit, kind and period, the user's prose per section,
//! and, once finalised, the frozen text and figures. Assembling the text from facts is the
//! report crate's work; the store only keeps what a user wrote and what was frozen.

use crate::FieldError;
use crate::fact::{DateRange, RecordRef};
use crate::unit::UnitId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The stretch of time a report covers: a year, one of its halves or one of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeriodKind {
    Year,
    Half,
    Quarter,
}

impl PeriodKind {
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Half => "half",
            PeriodKind::Quarter => "quarter",
        }
    }

    pub fn parse(code: &str) -> Option<PeriodKind> {
        match code {
            "year" => Some(PeriodKind::Year),
            "half" => Some(PeriodKind::Half),
            "quarter" => Some(PeriodKind::Quarter),
            _ => None,
        }
    }

    /// How many parts a year has.
    pub fn parts(self) -> u32 {
        match self {
            PeriodKind::Year => 1,
            PeriodKind::Half => 2,
            PeriodKind::Quarter => 4,
        }
    }
}

/// A report's period: the year, and which half or quarter (0 for a whole year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportPeriod {
    pub year: i32,
    pub part: u32,
}

impl ReportPeriod {
    pub fn year(year: i32) -> Self {
        ReportPeriod { year, part: 0 }
    }

    /// Checks that the part fits the kind of period: 0 for a year, 1–2 or 1–4 otherwise.
    fn validated(kind: PeriodKind, year: i32, part: u32) -> Result<Self, FieldError> {
        if !(2000..=2100).contains(&year) {
            return Err(FieldError::new("年度", format!("「{year}」不是有效的年度")));
        }
        let part = if kind == PeriodKind::Year { 0 } else { part };
        if kind != PeriodKind::Year && !(1..=kind.parts()).contains(&part) {
            let what = if kind == PeriodKind::Half {
                "上半年或下半年"
            } else {
                "第一至第四季度"
            };
            return Err(FieldError::new("期间", format!("请选择{what}")));
        }
        Ok(ReportPeriod { year, part })
    }

    pub fn range(&self) -> DateRange {
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(self.year, m, day).expect("a valid date");
        match self.part {
            0 => DateRange::year(self.year),
            p if self.is_half() => {
                if p == 1 {
                    DateRange::new(d(1, 1), d(6, 30))
                } else {
                    DateRange::new(d(7, 1), d(12, 31))
                }
            }
            q => {
                let first = 3 * (q - 1) + 1;
                let last = first + 2;
                let end = [31, 30, 30, 31][(q - 1) as usize];
                DateRange::new(d(first, 1), d(last, end))
            }
        }
    }

    /// Halves are stored as parts 11 and 12 so a period is one integer: 0, 11–12, 1–4.
    fn is_half(&self) -> bool {
        self.part >= 11
    }

    /// The integer stored for the period.
    pub fn code(&self) -> i64 {
        self.part as i64
    }

    pub fn from_code(year: i32, code: i64) -> Self {
        ReportPeriod {
            year,
            part: code as u32,
        }
    }

    /// Builds from a kind and the user's choice of half (1–2) or quarter (1–4).
    pub fn of(kind: PeriodKind, year: i32, part: u32) -> Result<Self, FieldError> {
        let p = ReportPeriod::validated(kind, year, part)?;
        Ok(match kind {
            PeriodKind::Half => ReportPeriod {
                year,
                part: 10 + p.part,
            },
            _ => p,
        })
    }

    pub fn kind(&self) -> PeriodKind {
        match self.part {
            0 => PeriodKind::Year,
            p if p >= 11 => PeriodKind::Half,
            _ => PeriodKind::Quarter,
        }
    }

    /// "2025年", "2025年上半年", "2025年第三季度".
    pub fn label(&self) -> String {
        match self.part {
            0 => format!("{}年", self.year),
            11 => format!("{}年上半年", self.year),
            12 => format!("{}年下半年", self.year),
            q => format!(
                "{}年第{}季度",
                self.year,
                ["一", "二", "三", "四"][(q.clamp(1, 4) - 1) as usize]
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReportState {
    Draft,
    Final,
}

impl ReportState {
    pub fn code(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Final => "final",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportState::Draft => "草稿",
            ReportState::Final => "已定稿",
        }
    }

    pub fn parse(code: &str) -> ReportState {
        if code == "final" {
            ReportState::Final
        } else {
            ReportState::Draft
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NewReport {
    pub unit_id: UnitId,
    /// The template's kind code (`annual`, `half_year`, …).
    pub kind: String,
    pub period: ReportPeriod,
    pub title: String,
}

/// A figure as frozen on finalising: what was quoted and the records behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenFigure {
    pub key: String,
    pub unit_id: UnitId,
    pub range: (NaiveDate, NaiveDate),
    pub value: Option<f64>,
    pub evidence: Vec<RecordRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finalise {
    /// The assembled report as it stands now, serialised by the report crate.
    pub frozen: String,
    pub figures: Vec<FrozenFigure>,
    /// Why the report is finalised despite 审校 errors; required when there are any.
    pub override_reason: Option<String>,
    /// How many error findings the proofreader reported.
    pub errors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub kind: String,
    pub period: ReportPeriod,
    pub title: String,
    /// The user's own text per section, keyed by the section's key.
    pub prose: BTreeMap<String, String>,
    pub state: ReportState,
    pub frozen: Option<String>,
    pub finalised_at: Option<DateTime<Utc>>,
    pub finalised_by: Option<String>,
    pub override_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ReportRecord {
    pub fn is_final(&self) -> bool {
        self.state == ReportState::Final
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_cover_their_dates_and_read_as_chinese() {
        let y = ReportPeriod::year(2025);
        assert_eq!(y.range(), DateRange::year(2025));
        assert_eq!(y.label(), "2025年");
        let h2 = ReportPeriod::of(PeriodKind::Half, 2025, 2).unwrap();
        assert_eq!(h2.range().from, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
        assert_eq!(h2.label(), "2025年下半年");
        assert_eq!(ReportPeriod::from_code(2025, h2.code()), h2);
        let q2 = ReportPeriod::of(PeriodKind::Quarter, 2025, 2).unwrap();
        assert_eq!(q2.range().until, NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
        assert_eq!(q2.label(), "2025年第二季度");
        assert_eq!(q2.kind(), PeriodKind::Quarter);
        assert!(ReportPeriod::of(PeriodKind::Quarter, 2025, 5).is_err());
    }
}
