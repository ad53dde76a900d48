//! Teams (队伍): news correspondents, online commentators and opinion monitors; their members
//! are people of the units, with training records and contributions.

use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TeamKind {
    Correspondent,
    Commentator,
    OpinionMonitor,
}

impl TeamKind {
    pub const ALL: [TeamKind; 3] = [TeamKind::Correspondent, TeamKind::Commentator, TeamKind::OpinionMonitor];

    pub fn code(self) -> &'static str {
        match self {
            TeamKind::Correspondent => "correspondent",
            TeamKind::Commentator => "commentator",
            TeamKind::OpinionMonitor => "opinion_monitor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TeamKind::Correspondent => "通讯员",
            TeamKind::Commentator => "网评员",
            TeamKind::OpinionMonitor => "舆情信息员",
        }
    }

    pub fn parse(s: &str) -> Result<TeamKind, FieldError> {
        let s = s.trim();
        TeamKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
            .ok_or_else(|| FieldError::new("队伍", format!("「{s}」应为 通讯员、网评员 或 舆情信息员")))
    }
}

fn date(label: &'static str, value: &str, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let d = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(label, "应为日期，例如 2026-06-30"))?;
    if d > today {
        return Err(FieldError::new(label, "不能晚于今天"));
    }
    Ok(d)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMember {
    pub unit_id: UnitId,
    pub kind: TeamKind,
    pub person_id: PersonId,
    pub joined_on: NaiveDate,
}

impl NewMember {
    pub fn parse(
        unit_id: UnitId,
        kind: &str,
        person: PersonId,
        joined_on: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        Ok(NewMember {
            unit_id,
            kind: TeamKind::parse(kind)?,
            person_id: person,
            joined_on: if joined_on.trim().is_empty() {
                today
            } else {
                date("加入日期", joined_on, today)?
            },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub kind: TeamKind,
    pub person_id: PersonId,
    pub person_name: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub contributions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTraining {
    pub unit_id: UnitId,
    pub kind: Option<TeamKind>,
    pub date: NaiveDate,
    pub title: String,
    pub hours: i64,
    pub attendees: i64,
}

impl NewTraining {
    pub fn parse(
        unit_id: UnitId,
        kind: &str,
        date_text: &str,
        title: &str,
        hours: &str,
        attendees: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let number = |label: &'static str, v: &str, max: i64| {
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=max).contains(n))
                .ok_or_else(|| FieldError::new(label, format!("应为 0 到 {max} 的整数")))
        };
        Ok(NewTraining {
            unit_id,
            kind: if kind.trim().is_empty() {
                None
            } else {
                Some(TeamKind::parse(kind)?)
            },
            date: date("培训日期", date_text, today)?,
            title: field::text("培训主题", title, true, 200)?,
            hours: number("学时", hours, 200)?,
            attendees: number("参训人数", attendees, 100_000)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Training {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub kind: Option<TeamKind>,
    pub date: NaiveDate,
    pub title: String,
    pub hours: i64,
    pub attendees: i64,
}

/// What a member produced: an article placed, a comment posted, a piece of information sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewContribution {
    pub member_id: i64,
    pub date: NaiveDate,
    pub kind: String,
    pub title: String,
    pub link: String,
}

pub const CONTRIBUTION_KINDS: [&str; 3] = ["稿件", "网评", "舆情信息"];

impl NewContribution {
    pub fn parse(
        member_id: i64,
        date_text: &str,
        kind: &str,
        title: &str,
        link: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let kind = kind.trim();
        if !CONTRIBUTION_KINDS.contains(&kind) {
            return Err(FieldError::new(
                "成果类型",
                format!("应为 {}", CONTRIBUTION_KINDS.join("、")),
            ));
        }
        Ok(NewContribution {
            member_id,
            date: date("日期", date_text, today)?,
            kind: kind.to_string(),
            title: field::text("标题/内容", title, true, 200)?,
            link: field::text("链接", link, false, 500)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    pub id: i64,
    pub member_id: i64,
    pub person_name: String,
    pub date: NaiveDate,
    pub kind: String,
    pub title: String,
    pub link: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trainings_and_contributions_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let t = NewTraining::parse(UnitId(1), "网评员", "2026-02-01", "网评员业务培训", "4", "30", today).unwrap();
        assert_eq!(t.kind, Some(TeamKind::Commentator));
        let e = NewTraining::parse(UnitId(1), "", "2026-04-01", "培训", "4", "30", today).unwrap_err();
        assert_eq!(e.field, "培训日期");
        let e = NewTraining::parse(UnitId(1), "", "2026-02-01", "培训", "四", "30", today).unwrap_err();
        assert_eq!(e.field, "学时");
        assert!(NewContribution::parse(1, "2026-02-01", "点赞", "x", "", today).is_err());
        assert!(TeamKind::parse("宣传员").is_err());
    }
}
