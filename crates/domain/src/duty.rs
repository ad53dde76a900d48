//! 责任体系: who leads the 意识形态工作领导小组 and who answers for what, with dates, so
//! that "who held this duty on that day" can always be answered.

use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyRole {
    /// 第一责任人: the party secretary.
    FirstResponsible,
    /// 直接责任人: the leader in charge of ideological work.
    DirectResponsible,
    GroupLeader,
    DeputyLeader,
    GroupMember,
    /// 一岗双责: a leader's own portfolio and its ideological side.
    DualDuty,
}

impl DutyRole {
    pub const ALL: [DutyRole; 6] = [
        DutyRole::FirstResponsible,
        DutyRole::DirectResponsible,
        DutyRole::GroupLeader,
        DutyRole::DeputyLeader,
        DutyRole::GroupMember,
        DutyRole::DualDuty,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DutyRole::FirstResponsible => "first_responsible",
            DutyRole::DirectResponsible => "direct_responsible",
            DutyRole::GroupLeader => "group_leader",
            DutyRole::DeputyLeader => "deputy_leader",
            DutyRole::GroupMember => "group_member",
            DutyRole::DualDuty => "dual_duty",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DutyRole::FirstResponsible => "第一责任人",
            DutyRole::DirectResponsible => "直接责任人",
            DutyRole::GroupLeader => "领导小组组长",
            DutyRole::DeputyLeader => "领导小组副组长",
            DutyRole::GroupMember => "领导小组成员",
            DutyRole::DualDuty => "一岗双责",
        }
    }

    pub fn parse(code: &str) -> Option<DutyRole> {
        DutyRole::ALL
            .into_iter()
            .find(|r| r.code() == code || r.label() == code)
    }

    /// Roles one person holds at a time in a unit: appointing a new holder ends the old one.
    pub fn is_single(self) -> bool {
        matches!(
            self,
            DutyRole::FirstResponsible | DutyRole::DirectResponsible | DutyRole::GroupLeader
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDuty {
    pub unit_id: UnitId,
    pub person_id: PersonId,
    pub role: DutyRole,
    /// 分管领域, for 一岗双责 and deputies.
    pub portfolio: String,
    pub duties: String,
    pub start: NaiveDate,
}

impl NewDuty {
    pub fn parse(
        unit_id: UnitId,
        person: i64,
        role: &str,
        portfolio: &str,
        duties: &str,
        start: &str,
    ) -> Result<Self, FieldError> {
        let role = DutyRole::parse(role.trim()).ok_or_else(|| FieldError::new("职责", "请选择职责"))?;
        let portfolio = field::text("分管领域", portfolio, role == DutyRole::DualDuty, 100)?;
        let duties = field::text("意识形态工作职责", duties, false, 1000)?;
        let start = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("任职日期", "应为日期，例如 2026-01-05"))?;
        Ok(NewDuty {
            unit_id,
            person_id: PersonId(person),
            role,
            portfolio,
            duties,
            start,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub id: i64,
    pub unit_id: UnitId,
    pub person_id: PersonId,
    pub person_name: String,
    pub post: String,
    pub role: DutyRole,
    pub portfolio: String,
    pub duties: String,
    pub start: NaiveDate,
    /// The last day held; `None` while it still is.
    pub end: Option<NaiveDate>,
}

impl Duty {
    pub fn held_on(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|end| day <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_duty_is_held_between_its_dates_inclusive() {
        let duty = Duty {
            id: 1,
            unit_id: UnitId(1),
            person_id: PersonId(1),
            person_name: "张三".into(),
            post: "党委书记".into(),
            role: DutyRole::FirstResponsible,
            portfolio: String::new(),
            duties: String::new(),
            start: d(2025, 3, 1),
            end: Some(d(2026, 4, 30)),
        };
        assert!(!duty.held_on(d(2025, 2, 28)));
        assert!(duty.held_on(d(2025, 3, 1)) && duty.held_on(d(2026, 4, 30)));
        assert!(!duty.held_on(d(2026, 5, 1)));
    }

    #[test]
    fn a_dual_duty_needs_its_portfolio() {
        let e = NewDuty::parse(UnitId(1), 2, "dual_duty", "", "", "2026-01-05").unwrap_err();
        assert_eq!(e.field, "分管领域");
        assert!(NewDuty::parse(UnitId(1), 2, "一岗双责", "农业农村", "", "2026-01-05").is_ok());
        assert_eq!(
            NewDuty::parse(UnitId(1), 2, "boss", "", "", "2026-01-05")
                .unwrap_err()
                .field,
            "职责"
        );
        assert!(DutyRole::FirstResponsible.is_single() && !DutyRole::GroupMember.is_single());
    }
}
