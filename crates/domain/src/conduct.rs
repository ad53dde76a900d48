//! Conduct rules for cadres (e.g. a township's 十严禁): a unit publishes a list, each cadre
//! acknowledges it (签收) themselves, and violations are recorded with their outcome.

use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewConductRules {
    pub unit_id: UnitId,
    pub title: String,
    pub items: Vec<String>,
    pub published_on: NaiveDate,
}

impl NewConductRules {
    pub fn parse(unit_id: UnitId, title: &str, items: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let items: Vec<String> = items
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| field::text("条款", l, true, 300))
            .collect::<Result<_, _>>()?;
        if items.is_empty() {
            return Err(FieldError::new("条款", "至少写一条"));
        }
        if items.len() > 50 {
            return Err(FieldError::new("条款", "最多 50 条"));
        }
        Ok(NewConductRules {
            unit_id,
            title: field::text("标题", title, true, 100)?,
            items,
            published_on: today,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledgement {
    pub person_id: PersonId,
    pub person_name: String,
    pub acked_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewViolation {
    pub person_id: PersonId,
    pub date: NaiveDate,
    pub description: String,
    pub outcome: String,
}

impl NewViolation {
    pub fn parse(
        person: i64,
        date: &str,
        description: &str,
        outcome: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("发生日期", "应为日期，例如 2026-06-30"))?;
        if date > today {
            return Err(FieldError::new("发生日期", "不能晚于今天"));
        }
        Ok(NewViolation {
            person_id: PersonId(person),
            date,
            description: field::text("违规情形", description, true, 1000)?,
            outcome: field::text("处理结果", outcome, false, 500)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub id: i64,
    pub person_name: String,
    pub date: NaiveDate,
    pub description: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConductRules {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub items: Vec<String>,
    pub published_on: NaiveDate,
    pub acknowledgements: Vec<Acknowledgement>,
    pub violations: Vec<Violation>,
}

impl ConductRules {
    pub fn acknowledged_by(&self, person: PersonId) -> bool {
        self.acknowledgements.iter().any(|a| a.person_id == person)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_need_items_and_violations_need_a_past_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let r = NewConductRules::parse(
            UnitId(1),
            "干部“十严禁”",
            "严禁在网上发表不当言论\n\n严禁泄露工作秘密",
            today,
        )
        .unwrap();
        assert_eq!(r.items.len(), 2);
        assert_eq!(
            NewConductRules::parse(UnitId(1), "空", " \n ", today)
                .unwrap_err()
                .field,
            "条款"
        );
        assert!(
            NewViolation::parse(1, "2026-12-01", "x", "", today)
                .unwrap_err()
                .message
                .contains("不能晚于今天")
        );
        assert_eq!(
            NewViolation::parse(1, "2026-11-01", "", "", today).unwrap_err().field,
            "违规情形"
        );
    }
}
