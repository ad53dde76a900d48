//! 督查: a plan to check a unit (routine or unannounced, what to check, when), the visit
//! record, and findings with category and severity; each finding becomes a rectification item.

use crate::field::{self, FieldError};
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Routine,
    Unannounced,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Routine => "routine",
            Kind::Unannounced => "unannounced",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Routine => "常规督查",
            Kind::Unannounced => "暗访抽查",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Kind::Routine, Kind::Unannounced]
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

pub const CATEGORIES: &[&str] = &[
    "责任落实",
    "理论学习",
    "阵地管理",
    "舆情处置",
    "风险排查",
    "档案资料",
    "其他",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    Minor,
    Major,
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Minor, Severity::Major, Severity::Serious];

    pub fn code(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Serious => "serious",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Minor => "一般",
            Severity::Major => "较重",
            Severity::Serious => "严重",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Severity::ALL.into_iter().find(|s| s.code() == code.trim())
    }
}

fn date(label: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(label, "应为日期，例如 2026-06-30"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewInspection {
    pub target_unit: UnitId,
    pub kind: Kind,
    pub planned_on: NaiveDate,
    pub subject: String,
}

impl NewInspection {
    pub fn parse(target_unit: UnitId, kind: &str, planned_on: &str, subject: &str) -> Result<Self, FieldError> {
        Ok(NewInspection {
            target_unit,
            kind: Kind::from_code(kind).ok_or_else(|| FieldError::new("督查方式", "请选择常规督查或暗访抽查"))?,
            planned_on: date("督查日期", planned_on)?,
            subject: field::text("督查内容", subject, true, 1000)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub visited_on: NaiveDate,
    pub record: String,
}

impl Visit {
    pub fn parse(visited_on: &str, record: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let visited_on = date("督查日期", visited_on)?;
        if visited_on > today {
            return Err(FieldError::new("督查日期", "不能晚于今天"));
        }
        Ok(Visit {
            visited_on,
            record: field::text("督查记录", record, true, 5000)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFinding {
    pub category: String,
    pub severity: Severity,
    pub description: String,
}

impl NewFinding {
    pub fn parse(category: &str, severity: &str, description: &str) -> Result<Self, FieldError> {
        let category = category.trim();
        if !CATEGORIES.contains(&category) {
            return Err(FieldError::new("问题类别", "请选择问题类别"));
        }
        Ok(NewFinding {
            category: category.to_string(),
            severity: Severity::from_code(severity)
                .ok_or_else(|| FieldError::new("严重程度", "请选择一般、较重或严重"))?,
            description: field::text("发现问题", description, true, 2000)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub category: String,
    pub severity: Severity,
    pub description: String,
    /// The rectification item it became.
    pub rectification_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub target_unit_id: UnitId,
    pub target_name: String,
    pub kind: Kind,
    pub planned_on: NaiveDate,
    pub subject: String,
    pub visited_on: Option<NaiveDate>,
    pub record: String,
    pub findings: Vec<Finding>,
}
