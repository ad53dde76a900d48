//! 舆情处置: an incident moves 发现 → 研判 → 处置 → 回应/引导 → 办结 → 复盘, each step with an
//! assignee, a note and evidence. Deadlines per level (first response, conclusion) count from
//! discovery; an incident that misses one is overdue and escalated to the supervising unit,
//! which sees it flagged 已上报/逾期. Escalation follows from the times alone, so it needs no
//! background job and cannot be forgotten.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::severity::SeverityLevel;
use crate::FieldError;
use crate::unit::UnitId;

/// The shipped default deadlines (labelled as such in the file).
pub const DEFAULT_DEADLINES_TOML: &str = include_str!("../../data/opinion_deadlines.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Discovered,
    Assessed,
    Handling,
    Responded,
    Concluded,
    Reviewed,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Discovered,
        Stage::Assessed,
        Stage::Handling,
        Stage::Responded,
        Stage::Concluded,
        Stage::Reviewed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Discovered => "发现",
            Stage::Assessed => "研判",
            Stage::Handling => "处置",
            Stage::Responded => "回应/引导",
            Stage::Concluded => "办结",
            Stage::Reviewed => "复盘",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Stage::Discovered => "discovered",
            Stage::Assessed => "assessed",
            Stage::Handling => "handling",
            Stage::Responded => "responded",
            Stage::Concluded => "concluded",
            Stage::Reviewed => "reviewed",
        }
    }

    pub fn from_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code || s.label() == code)
    }

    /// Where an incident may go from here. 研判 may conclude at once (nothing to handle);
    /// a response that does not settle things goes back to 处置.
    pub fn next(self) -> &'static [Stage] {
        match self {
            Stage::Discovered => &[Stage::Assessed],
            Stage::Assessed => &[Stage::Handling, Stage::Concluded],
            Stage::Handling => &[Stage::Responded],
            Stage::Responded => &[Stage::Concluded, Stage::Handling],
            Stage::Concluded => &[Stage::Reviewed],
            Stage::Reviewed => &[],
        }
    }

    /// A step either moves to a next stage or adds a note at the current one (until the
    /// incident has been reviewed, which closes it).
    pub fn can_move_to(self, to: Stage) -> bool {
        (to == self && self != Stage::Reviewed) || self.next().contains(&to)
    }

    pub fn is_open(self) -> bool {
        self < Stage::Concluded
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelDeadlines {
    pub first_response_hours: i64,
    pub conclusion_hours: i64,
}

/// Deadlines per level, from TOML (see `data/opinion_deadlines.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlinePolicy {
    pub general: LevelDeadlines,
    pub serious: LevelDeadlines,
    pub major: LevelDeadlines,
    pub critical: LevelDeadlines,
}

impl DeadlinePolicy {
    pub fn defaults() -> DeadlinePolicy {
        DeadlinePolicy::from_toml(DEFAULT_DEADLINES_TOML).expect("shipped deadlines are valid")
    }

    pub fn from_toml(src: &str) -> Result<DeadlinePolicy, String> {
        let policy: DeadlinePolicy = toml::from_str(src).map_err(|e| format!("处置时限参数有误：{}", e.message()))?;
        for level in SeverityLevel::ALL {
            let d = policy.of(level);
            if d.first_response_hours <= 0 || d.conclusion_hours < d.first_response_hours {
                return Err(format!(
                    "处置时限参数有误：{}级的时限应为正数，且办结时限不短于首次响应时限",
                    level.label()
                ));
            }
        }
        Ok(policy)
    }

    pub fn of(&self, level: SeverityLevel) -> LevelDeadlines {
        match level {
            SeverityLevel::General => self.general,
            SeverityLevel::Serious => self.serious,
            SeverityLevel::Major => self.major,
            SeverityLevel::Critical => self.critical,
        }
    }

    pub fn deadlines(&self, level: SeverityLevel, discovered_at: DateTime<Utc>) -> Deadlines {
        let d = self.of(level);
        Deadlines {
            first_response: discovered_at + Duration::hours(d.first_response_hours),
            conclusion: discovered_at + Duration::hours(d.conclusion_hours),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub first_response: DateTime<Utc>,
    pub conclusion: DateTime<Utc>,
}

/// Which deadlines an incident missed by `now` (still outstanding, or met late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Overdue {
    pub first_response: bool,
    pub conclusion: bool,
}

impl Overdue {
    pub fn any(&self) -> bool {
        self.first_response || self.conclusion
    }

    pub fn label(&self) -> &'static str {
        match (self.first_response, self.conclusion) {
            (_, true) => "办结逾期",
            (true, false) => "响应逾期",
            (false, false) => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentStep {
    pub id: i64,
    pub stage: Stage,
    pub at: DateTime<Utc>,
    pub assignee: String,
    pub note: String,
    pub actor_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub id: i64,
    pub text: String,
    pub done: bool,
}

pub type Checklist = Vec<ChecklistItem>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub summary: String,
    pub level: SeverityLevel,
    pub stage: Stage,
    pub discovered_at: DateTime<Utc>,
    pub deadlines: Deadlines,
    pub responded_at: Option<DateTime<Utc>>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub alert_id: Option<i64>,
    pub event_id: Option<i64>,
    pub risk_point_id: Option<i64>,
    pub risk_point_title: Option<String>,
    /// Filled by the detail query; empty in lists.
    pub steps: Vec<IncidentStep>,
    pub checklist: Checklist,
}

impl Incident {
    /// Deadlines missed by `now`: not met and past, or met after they passed.
    pub fn overdue(&self, now: DateTime<Utc>) -> Overdue {
        let missed = |done: Option<DateTime<Utc>>, due: DateTime<Utc>| match done {
            Some(at) => at > due,
            None => now > due,
        };
        Overdue {
            first_response: missed(self.responded_at, self.deadlines.first_response),
            conclusion: missed(self.concluded_at, self.deadlines.conclusion),
        }
    }

    /// An incident that missed a deadline is reported to the supervising unit; it stays so
    /// (the record of a late response does not disappear when the response comes).
    pub fn escalated(&self, now: DateTime<Utc>) -> bool {
        self.overdue(now).any()
    }

    /// Open and past a deadline right now: what needs action.
    pub fn overdue_now(&self, now: DateTime<Utc>) -> bool {
        self.stage.is_open()
            && ((self.responded_at.is_none() && now > self.deadlines.first_response) || now > self.deadlines.conclusion)
    }

    pub fn age_hours(&self, now: DateTime<Utc>) -> i64 {
        (self.concluded_at.unwrap_or(now) - self.discovered_at)
            .num_hours()
            .max(0)
    }

    /// Hours from discovery to the first response, if there was one.
    pub fn response_hours(&self) -> Option<f64> {
        self.responded_at
            .map(|at| (at - self.discovered_at).num_seconds().max(0) as f64 / 3600.0)
    }

    /// The stage an incident moves to next by default, for the step form.
    pub fn suggested_next(&self) -> Option<Stage> {
        self.stage.next().first().copied()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewIncident {
    pub unit_id: UnitId,
    pub title: String,
    pub summary: String,
    pub level: SeverityLevel,
    pub discovered_at: DateTime<Utc>,
    pub deadlines: Deadlines,
    pub alert_id: Option<i64>,
    pub risk_point_id: Option<i64>,
    /// Who is to handle it first.
    pub assignee: String,
}

impl NewIncident {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        unit_id: UnitId,
        title: &str,
        summary: &str,
        level: &str,
        discovered_at: DateTime<Utc>,
        assignee: &str,
        risk_point_id: Option<i64>,
        policy: &DeadlinePolicy,
    ) -> Result<NewIncident, FieldError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(FieldError::new("标题", "请填写舆情标题"));
        }
        if title.chars().count() > 200 {
            return Err(FieldError::new("标题", "标题不能超过 200 字"));
        }
        let level = SeverityLevel::from_code(level.trim())
            .or_else(|| SeverityLevel::ALL.into_iter().find(|l| l.label() == level.trim()))
            .ok_or_else(|| FieldError::new("级别", "请选择级别"))?;
        Ok(NewIncident {
            unit_id,
            title: title.to_string(),
            summary: summary.trim().to_string(),
            level,
            discovered_at,
            deadlines: policy.deadlines(level, discovered_at),
            alert_id: None,
            risk_point_id,
            assignee: assignee.trim().to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewStep {
    pub stage: Stage,
    pub assignee: String,
    pub note: String,
}

impl NewStep {
    pub fn parse(stage: &str, assignee: &str, note: &str) -> Result<NewStep, FieldError> {
        let stage = Stage::from_code(stage.trim()).ok_or_else(|| FieldError::new("环节", "请选择环节"))?;
        let note = note.trim();
        if note.is_empty() {
            return Err(FieldError::new("处置情况", "请填写本环节的处置情况"));
        }
        if note.chars().count() > 5000 {
            return Err(FieldError::new("处置情况", "不能超过 5000 字"));
        }
        Ok(NewStep {
            stage,
            assignee: assignee.trim().to_string(),
            note: note.to_string(),
        })
    }

    /// Refuses a move the lifecycle does not allow, naming both stages.
    pub fn check_from(&self, current: Stage) -> Result<(), FieldError> {
        if current.can_move_to(self.stage) {
            Ok(())
        } else {
            let allowed: Vec<&str> = current.next().iter().map(|s| s.label()).collect();
            let hint = if allowed.is_empty() {
                "已复盘的舆情不能再添加环节".to_string()
            } else {
                format!("可进入：{}", allowed.join("、"))
            };
            Err(FieldError::new(
                "环节",
                format!(
                    "当前为「{}」，不能进入「{}」；{hint}",
                    current.label(),
                    self.stage.label()
                ),
            ))
        }
    }
}

/// 处置预案: a unit's prepared checklist for a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContingencyPlan {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub topic: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewContingencyPlan {
    pub unit_id: UnitId,
    pub topic: String,
    pub items: Vec<String>,
}

impl NewContingencyPlan {
    /// `items` is one checklist item per line.
    pub fn parse(unit_id: UnitId, topic: &str, items: &str) -> Result<NewContingencyPlan, FieldError> {
        let topic = topic.trim();
        if topic.is_empty() {
            return Err(FieldError::new("适用话题", "请填写预案适用的话题"));
        }
        let items: Vec<String> = items
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if items.is_empty() {
            return Err(FieldError::new("处置清单", "请至少填写一项处置措施（每行一项）"));
        }
        if items.len() > 50 {
            return Err(FieldError::new("处置清单", "处置措施不能超过 50 项"));
        }
        Ok(NewContingencyPlan {
            unit_id,
            topic: topic.to_string(),
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
    }

    fn incident(level: SeverityLevel) -> Incident {
        let policy = DeadlinePolicy::defaults();
        Incident {
            id: 1,
            unit_id: UnitId(2),
            unit_name: "河口镇".into(),
            title: "危岩搬迁补偿".into(),
            summary: String::new(),
            level,
            stage: Stage::Discovered,
            discovered_at: t0(),
            deadlines: policy.deadlines(level, t0()),
            responded_at: None,
            concluded_at: None,
            alert_id: None,
            event_id: None,
            risk_point_id: None,
            risk_point_title: None,
            steps: Vec::new(),
            checklist: Vec::new(),
        }
    }

    #[test]
    fn lifecycle_allows_forward_steps_and_notes_only() {
        use Stage::*;
        assert!(Discovered.can_move_to(Assessed));
        assert!(Discovered.can_move_to(Discovered));
        assert!(!Discovered.can_move_to(Handling), "研判 cannot be skipped");
        assert!(Assessed.can_move_to(Concluded), "研判 may conclude at once");
        assert!(Responded.can_move_to(Handling));
        assert!(!Concluded.can_move_to(Handling));
        assert!(!Reviewed.can_move_to(Reviewed));
        assert!(Reviewed.next().is_empty());
        let step = NewStep::parse("handling", "王建国", "约谈").unwrap();
        let e = step.check_from(Discovered).unwrap_err();
        assert!(e.to_string().contains("可进入：研判"), "{e}");
        assert!(NewStep::parse("handling", "", " ").is_err());
        assert!(NewStep::parse("无此环节", "", "x").is_err());
    }

    #[test]
    fn deadlines_count_from_discovery_per_level() {
        let policy = DeadlinePolicy::defaults();
        let d = policy.deadlines(SeverityLevel::Major, t0());
        assert_eq!(d.first_response, t0() + Duration::hours(4));
        assert_eq!(d.conclusion, t0() + Duration::hours(48));
        let g = policy.deadlines(SeverityLevel::General, t0());
        assert!(g.first_response > d.first_response, "lower levels get longer");
        let bad = DEFAULT_DEADLINES_TOML.replace("first_response_hours = 1\n", "first_response_hours = 0\n");
        assert!(DeadlinePolicy::from_toml(&bad).is_err());
    }

    #[test]
    fn overdue_and_escalation_with_a_fixed_clock() {
        let mut i = incident(SeverityLevel::Major);
        let now = t0() + Duration::hours(3);
        assert!(!i.escalated(now));
        assert!(!i.overdue_now(now));
        let late = t0() + Duration::hours(5);
        assert!(i.overdue(late).first_response);
        assert!(!i.overdue(late).conclusion);
        assert!(i.escalated(late));
        assert!(i.overdue_now(late));
        assert_eq!(i.overdue(late).label(), "响应逾期");
        // A late response stays on record as escalated, but is no longer overdue now.
        i.responded_at = Some(late);
        i.stage = Stage::Assessed;
        assert!(i.escalated(late));
        assert!(!i.overdue_now(late));
        // Past the conclusion deadline while still open.
        let much_later = t0() + Duration::hours(49);
        assert!(i.overdue_now(much_later));
        assert_eq!(i.overdue(much_later).label(), "办结逾期");
        // Concluded in time: nothing is overdue any more.
        let mut j = incident(SeverityLevel::Major);
        j.responded_at = Some(t0() + Duration::hours(1));
        j.concluded_at = Some(t0() + Duration::hours(20));
        j.stage = Stage::Concluded;
        assert!(!j.escalated(t0() + Duration::days(30)));
        assert_eq!(j.response_hours(), Some(1.0));
    }

    #[test]
    fn new_incident_and_plan_validation() {
        let policy = DeadlinePolicy::defaults();
        let i = NewIncident::parse(UnitId(1), " 补偿诉求 ", "", "serious", t0(), "", None, &policy).unwrap();
        assert_eq!(i.deadlines.first_response, t0() + Duration::hours(12));
        assert!(NewIncident::parse(UnitId(1), "", "", "serious", t0(), "", None, &policy).is_err());
        assert!(NewIncident::parse(UnitId(1), "x", "", "huge", t0(), "", None, &policy).is_err());
        let p = NewContingencyPlan::parse(UnitId(1), "征地拆迁", "核实情况\n\n 发布通报 \n").unwrap();
        assert_eq!(p.items, vec!["核实情况", "发布通报"]);
        assert!(NewContingencyPlan::parse(UnitId(1), "征地拆迁", "\n").is_err());
    }
}
