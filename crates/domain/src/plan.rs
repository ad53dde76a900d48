//! 年度工作实施方案: plan items with a lead leader, a responsible unit, a deadline and an
//! expected output, decomposed into tasks for units below; tasks carry progress updates.
//! A task's state is computed from its updates and the date, never typed in.

use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::unit::UnitId;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TaskState {
    NotStarted,
    InProgress,
    Done,
    Overdue,
}

impl TaskState {
    pub fn label(self) -> &'static str {
        match self {
            TaskState::NotStarted => "未开始",
            TaskState::InProgress => "进行中",
            TaskState::Done => "已完成",
            TaskState::Overdue => "逾期",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            TaskState::Done => "state-ok",
            TaskState::Overdue => "state-bad",
            _ => "",
        }
    }
}

fn date(label: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(label, "应为日期，例如 2026-06-30"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPlanItem {
    pub unit_id: UnitId,
    pub year: i32,
    pub title: String,
    pub lead: Option<PersonId>,
    pub responsible_unit: UnitId,
    pub deadline: NaiveDate,
    pub expected_output: String,
}

impl NewPlanItem {
    pub fn parse(
        unit_id: UnitId,
        year: &str,
        title: &str,
        lead: Option<i64>,
        responsible_unit: UnitId,
        deadline: &str,
        expected_output: &str,
    ) -> Result<Self, FieldError> {
        let year: i32 = year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| FieldError::new("年度", "应为四位年份"))?;
        let deadline = date("完成时限", deadline)?;
        if deadline.year() != year {
            return Err(FieldError::new(
                "完成时限",
                format!("应在 {year} 年内：方案是 {year} 年度的"),
            ));
        }
        Ok(NewPlanItem {
            unit_id,
            year,
            title: field::text("工作事项", title, true, 200)?,
            lead: lead.map(PersonId),
            responsible_unit,
            deadline,
            expected_output: field::text("预期成果", expected_output, false, 500)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTask {
    pub item_id: i64,
    pub unit_id: UnitId,
    pub title: String,
    pub deadline: NaiveDate,
}

impl NewTask {
    /// A task is due within its plan item's year and not after the item itself.
    pub fn parse(item: &PlanItem, unit_id: UnitId, title: &str, deadline: &str) -> Result<Self, FieldError> {
        let deadline = date("完成时限", deadline)?;
        if deadline.year() != item.year {
            return Err(FieldError::new("完成时限", format!("应在 {} 年内", item.year)));
        }
        if deadline > item.deadline {
            return Err(FieldError::new(
                "完成时限",
                format!("不能晚于事项的时限 {}", item.deadline),
            ));
        }
        Ok(NewTask {
            item_id: item.id,
            unit_id,
            title: field::text("任务", title, true, 200)?,
            deadline,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUpdate {
    pub date: NaiveDate,
    pub note: String,
    pub done: bool,
}

impl NewUpdate {
    pub fn parse(day: &str, note: &str, done: bool, today: NaiveDate) -> Result<Self, FieldError> {
        let date = date("日期", day)?;
        if date > today {
            return Err(FieldError::new("日期", "不能晚于今天"));
        }
        Ok(NewUpdate {
            date,
            note: field::text("进展情况", note, true, 2000)?,
            done,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: i64,
    pub item_id: i64,
    pub item_title: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub deadline: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub updates: i64,
    pub last_note: Option<String>,
}

impl Task {
    pub fn state(&self, today: NaiveDate) -> TaskState {
        match self.done_on {
            Some(_) => TaskState::Done,
            None if today > self.deadline => TaskState::Overdue,
            None if self.updates > 0 => TaskState::InProgress,
            None => TaskState::NotStarted,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub year: i32,
    pub title: String,
    pub lead_name: Option<String>,
    pub responsible_unit: UnitId,
    pub responsible_name: String,
    pub deadline: NaiveDate,
    pub expected_output: String,
    pub tasks: Vec<Task>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn task(updates: i64, done_on: Option<NaiveDate>) -> Task {
        Task {
            id: 1,
            item_id: 1,
            item_title: "事项".into(),
            unit_id: UnitId(2),
            unit_name: "河口镇".into(),
            title: "任务".into(),
            deadline: d(2026, 6, 30),
            done_on,
            updates,
            last_note: None,
        }
    }

    #[test]
    fn states_follow_updates_and_the_deadline() {
        assert_eq!(task(0, None).state(d(2026, 6, 30)), TaskState::NotStarted);
        assert_eq!(task(2, None).state(d(2026, 6, 1)), TaskState::InProgress);
        assert_eq!(task(2, None).state(d(2026, 7, 1)), TaskState::Overdue);
        assert_eq!(task(1, Some(d(2026, 7, 5))).state(d(2026, 8, 1)), TaskState::Done);
    }

    #[test]
    fn dates_outside_the_plan_year_are_refused() {
        let e = NewPlanItem::parse(UnitId(1), "2026", "开展理论宣讲", None, UnitId(2), "2027-01-10", "").unwrap_err();
        assert_eq!(e.field, "完成时限");
        assert!(e.message.contains("2026 年内"));
        let item = PlanItem {
            id: 1,
            unit_id: UnitId(1),
            unit_name: "云岭县".into(),
            year: 2026,
            title: "开展理论宣讲".into(),
            lead_name: None,
            responsible_unit: UnitId(2),
            responsible_name: "河口镇".into(),
            deadline: d(2026, 6, 30),
            expected_output: String::new(),
            tasks: Vec::new(),
        };
        assert!(
            NewTask::parse(&item, UnitId(3), "进村宣讲", "2026-07-01")
                .unwrap_err()
                .message
                .contains("不能晚于")
        );
        assert!(NewTask::parse(&item, UnitId(3), "进村宣讲", "2026-06-30").is_ok());
    }
}
