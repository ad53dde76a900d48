//! A record of the work ledger: one meeting, study session, lecture… entered once and
//! counted in every ledger its tags name.

use super::activity_type::{ActivityType, FieldKind};
use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::unit::UnitId;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ActivityId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewActivity {
    pub unit_id: UnitId,
    pub type_code: String,
    pub date: NaiveDate,
    pub topic: String,
    pub host: Option<PersonId>,
    pub participants: Vec<PersonId>,
    /// People who took part but are not registered in the unit (guests, villagers…).
    pub others: i64,
    pub summary: String,
    pub extra: BTreeMap<String, String>,
    pub flags: Vec<String>,
    /// Derived from the type and the ticked flags; stored so ledgers are one indexed lookup.
    pub tags: Vec<String>,
}

/// What a form sends, before validation.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput<'a> {
    pub date: &'a str,
    pub topic: &'a str,
    pub host: Option<i64>,
    pub participants: Vec<i64>,
    pub others: &'a str,
    pub summary: &'a str,
    pub extra: BTreeMap<String, String>,
    pub flags: Vec<String>,
}

pub const TOPIC_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 5000;
pub const EXTRA_MAX: usize = 100;

impl NewActivity {
    /// Validates a record of `kind` for `unit`; `today` bounds the date, since a ledger records
    /// what happened, not what is planned.
    pub fn parse(
        kind: &ActivityType,
        unit_id: UnitId,
        input: &ActivityInput,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                "日期",
                format!("应为日期，例如 2026-03-15，收到「{}」", input.date.trim()),
            )
        })?;
        if date > today {
            return Err(FieldError::new("日期", "不能晚于今天：台账记录已经开展的工作"));
        }
        if date.year_ce().1 < 2000 {
            return Err(FieldError::new("日期", "年份有误"));
        }
        let topic = field::text("主题", input.topic, true, TOPIC_MAX)?;
        let summary = field::text("内容摘要", input.summary, false, SUMMARY_MAX)?;
        let others = match input.others.trim() {
            "" => 0,
            s => s
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=100_000).contains(n))
                .ok_or_else(|| FieldError::new("其他参加人数", "应为 0 到 100000 之间的整数"))?,
        };
        let mut extra = BTreeMap::new();
        for spec in &kind.extra {
            let value = input.extra.get(&spec.key).map_or("", String::as_str);
            let value = field::text(spec.label.clone(), value, spec.required, EXTRA_MAX)?;
            if spec.kind == FieldKind::Number && !value.is_empty() && value.parse::<f64>().map_or(true, |n| n < 0.0) {
                return Err(FieldError::new(spec.label.clone(), "应为不小于 0 的数字"));
            }
            if !value.is_empty() {
                extra.insert(spec.key.clone(), value);
            }
        }
        let flags: Vec<String> = kind
            .flags
            .iter()
            .filter(|f| input.flags.contains(&f.key))
            .map(|f| f.key.clone())
            .collect();
        let mut participants: Vec<PersonId> = if kind.participants {
            input.participants.iter().map(|&p| PersonId(p)).collect()
        } else {
            Vec::new()
        };
        participants.sort_by_key(|p| p.0);
        participants.dedup();
        Ok(NewActivity {
            unit_id,
            type_code: kind.code.clone(),
            date,
            topic,
            host: input.host.map(PersonId),
            participants,
            others,
            summary,
            tags: kind.tags_with(&flags),
            extra,
            flags,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub id: ActivityId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub type_code: String,
    pub date: NaiveDate,
    pub topic: String,
    pub host: Option<(PersonId, String)>,
    pub participants: Vec<(PersonId, String)>,
    pub others: i64,
    pub summary: String,
    pub extra: BTreeMap<String, String>,
    pub flags: Vec<String>,
    pub tags: Vec<String>,
    pub attachments: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Catalogue;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_committee_meeting_with_its_ticks_carries_every_ledger_tag() {
        let c = Catalogue::defaults();
        let input = ActivityInput {
            date: "2026-03-15",
            topic: "传达学习全国两会精神，研究意识形态工作",
            participants: vec![3, 1, 3],
            flags: vec!["first_topic".into(), "ideology_topic".into(), "bogus".into()],
            ..Default::default()
        };
        let a = NewActivity::parse(c.get("committee_meeting").unwrap(), UnitId(1), &input, today()).unwrap();
        assert_eq!(a.tags, ["党委会", "第一议题", "专题研究意识形态工作"]);
        assert_eq!(a.participants, [PersonId(1), PersonId(3)]);
        assert_eq!(a.flags, ["first_topic", "ideology_topic"], "unknown ticks are ignored");
    }

    #[test]
    fn bad_fields_are_named() {
        let c = Catalogue::defaults();
        let kind = c.get("reflection").unwrap();
        let base = ActivityInput {
            date: "2026-03-15",
            topic: "学习心得",
            ..Default::default()
        };
        assert_eq!(
            NewActivity::parse(kind, UnitId(1), &base, today()).unwrap_err().field,
            "篇数"
        );
        let mut future = base.clone();
        future.date = "2026-12-01";
        assert!(
            NewActivity::parse(kind, UnitId(1), &future, today())
                .unwrap_err()
                .message
                .contains("不能晚于今天")
        );
        let mut words = base.clone();
        words.extra.insert("pieces".into(), "八十".into());
        assert!(
            NewActivity::parse(kind, UnitId(1), &words, today())
                .unwrap_err()
                .message
                .contains("数字")
        );
        let mut secret = base.clone();
        secret.extra.insert("pieces".into(), "3".into());
        secret.summary = "绝密★ 内容";
        assert!(
            NewActivity::parse(kind, UnitId(1), &secret, today())
                .unwrap_err()
                .message
                .contains("涉密")
        );
    }
}
