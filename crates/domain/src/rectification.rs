//! 整改: items with an owner unit, measures, a deadline and the evidence required; they come
//! from inspection findings, 研判 meetings' 整改清单, opinion incident reviews and assessment
//! deductions. States 待整改 → 整改中 → 待验收 → 已销号; 逾期 is computed against the clock,
//! never stored. Only the inspecting side closes an item, only with evidence, and a later
//! re-check may reopen it; every step is kept.

use crate::field::{self, FieldError};
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::Serialize;

/// How many days before its deadline an open item is flagged as due soon.
pub const REMINDER_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum State {
    Pending,
    InProgress,
    Submitted,
    Closed,
}

impl State {
    pub const ALL: [State; 4] = [State::Pending, State::InProgress, State::Submitted, State::Closed];

    pub fn code(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::InProgress => "in_progress",
            State::Submitted => "submitted",
            State::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Pending => "待整改",
            State::InProgress => "整改中",
            State::Submitted => "待验收",
            State::Closed => "已销号",
        }
    }
}

/// Who acts on an item: the unit that must fix it, or the side that found the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Side {
    Owner,
    Inspector,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Step {
    /// The owner starts work or reports progress.
    Progress,
    /// The owner submits for acceptance (needs evidence).
    Submit,
    /// The inspecting side verifies and closes (销号; needs evidence).
    Accept,
    /// The inspecting side sends it back.
    Return,
    /// A later re-check finds the problem again.
    Reopen,
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Progress, Step::Submit, Step::Accept, Step::Return, Step::Reopen];

    pub fn code(self) -> &'static str {
        match self {
            Step::Progress => "progress",
            Step::Submit => "submit",
            Step::Accept => "accept",
            Step::Return => "return",
            Step::Reopen => "reopen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Progress => "报送进展",
            Step::Submit => "提请验收",
            Step::Accept => "验收销号",
            Step::Return => "退回整改",
            Step::Reopen => "复查重新打开",
        }
    }

    pub fn parse(code: &str) -> Result<Self, FieldError> {
        Step::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or_else(|| FieldError::new("操作", format!("「{code}」不是整改事项的操作")))
    }

    pub fn side(self) -> Side {
        match self {
            Step::Progress | Step::Submit => Side::Owner,
            Step::Accept | Step::Return | Step::Reopen => Side::Inspector,
        }
    }
}

/// The state after a step, or why the step is refused. `evidence` counts the files attached.
pub fn transition(from: State, step: Step, evidence: usize) -> Result<State, FieldError> {
    let refuse = |why: String| Err(FieldError::new("操作", why));
    if step == Step::Accept && evidence == 0 {
        return refuse("没有整改佐证材料，不能销号".into());
    }
    match (from, step) {
        (State::Pending | State::InProgress, Step::Progress) => Ok(State::InProgress),
        (State::Pending | State::InProgress, Step::Submit) => {
            if evidence == 0 {
                refuse("提请验收前请先上传整改佐证材料".into())
            } else {
                Ok(State::Submitted)
            }
        }
        (State::Submitted, Step::Accept) => Ok(State::Closed),
        (State::Submitted, Step::Return) => Ok(State::InProgress),
        (State::Closed, Step::Reopen) => Ok(State::InProgress),
        (from, step) => refuse(format!("「{}」状态的事项不能{}", from.label(), step.label())),
    }
}

/// What the list shows: the state, or 逾期 when the deadline has passed and it is not closed.
pub fn display(state: State, deadline: NaiveDate, today: NaiveDate) -> (&'static str, &'static str) {
    if state == State::Closed {
        ("已销号", "state-ok")
    } else if today > deadline {
        ("逾期", "state-bad")
    } else {
        (state.label(), "")
    }
}

pub fn is_overdue(state: State, deadline: NaiveDate, today: NaiveDate) -> bool {
    state != State::Closed && today > deadline
}

/// Open and due within the reminder window (today included), not yet overdue.
pub fn due_soon(state: State, deadline: NaiveDate, today: NaiveDate) -> bool {
    state != State::Closed && deadline >= today && (deadline - today).num_days() <= REMINDER_DAYS
}

/// Where an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    Finding,
    Meeting,
    Incident,
    Assessment,
}

impl Source {
    pub const ALL: [Source; 4] = [Source::Finding, Source::Meeting, Source::Incident, Source::Assessment];

    pub fn code(self) -> &'static str {
        match self {
            Source::Finding => "inspection_finding",
            Source::Meeting => "activity",
            Source::Incident => "opinion_incident",
            Source::Assessment => "assessment_round",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Source::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::Finding => "督查发现问题",
            Source::Meeting => "研判会议整改清单",
            Source::Incident => "舆情事件复盘",
            Source::Assessment => "考核扣分",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRectification {
    pub owner_unit: UnitId,
    pub source: Source,
    pub source_id: i64,
    pub title: String,
    pub measures: String,
    pub deadline: NaiveDate,
    pub required_evidence: String,
}

impl NewRectification {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        owner_unit: UnitId,
        source: Source,
        source_id: i64,
        title: &str,
        measures: &str,
        deadline: &str,
        required_evidence: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let deadline = NaiveDate::parse_from_str(deadline.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("整改时限", "应为日期，例如 2026-06-30"))?;
        if deadline < today {
            return Err(FieldError::new("整改时限", "不能早于今天"));
        }
        Ok(NewRectification {
            owner_unit,
            source,
            source_id,
            title: field::text("整改事项", title, true, 300)?,
            measures: field::text("整改措施", measures, false, 2000)?,
            deadline,
            required_evidence: field::text("所需佐证", required_evidence, false, 300)?,
        })
    }
}

/// One step taken, kept forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at: String,
    pub actor_name: String,
    pub step: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rectification {
    pub id: i64,
    pub issuer_unit_id: UnitId,
    pub issuer_name: String,
    pub owner_unit_id: UnitId,
    pub owner_name: String,
    pub source: Source,
    pub source_id: i64,
    pub title: String,
    pub measures: String,
    pub deadline: NaiveDate,
    pub required_evidence: String,
    pub state: State,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub evidence: i64,
    pub events: Vec<Event>,
}

impl Rectification {
    pub fn display(&self, today: NaiveDate) -> (&'static str, &'static str) {
        display(self.state, self.deadline, today)
    }

    pub fn due_soon(&self, today: NaiveDate) -> bool {
        due_soon(self.state, self.deadline, today)
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.state, self.deadline, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_happy_path_needs_evidence_to_submit_and_to_close() {
        let s = transition(State::Pending, Step::Progress, 0).unwrap();
        assert_eq!(s, State::InProgress);
        let e = transition(s, Step::Submit, 0).unwrap_err();
        assert!(e.message.contains("佐证"), "{e}");
        let s = transition(s, Step::Submit, 1).unwrap();
        assert_eq!(s, State::Submitted);
        let e = transition(s, Step::Accept, 0).unwrap_err();
        assert!(e.message.contains("不能销号"), "{e}");
        assert_eq!(transition(s, Step::Return, 1).unwrap(), State::InProgress);
        let s = transition(s, Step::Accept, 1).unwrap();
        assert_eq!(s, State::Closed);
        assert_eq!(transition(s, Step::Reopen, 1).unwrap(), State::InProgress);
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert!(transition(State::Pending, Step::Accept, 3).is_err());
        assert!(transition(State::Closed, Step::Progress, 3).is_err());
        assert!(transition(State::InProgress, Step::Reopen, 3).is_err());
        assert_eq!(Step::Accept.side(), Side::Inspector);
        assert_eq!(Step::Submit.side(), Side::Owner);
    }

    #[test]
    fn overdue_and_due_soon_follow_the_clock() {
        let deadline = d("2026-03-10");
        assert_eq!(display(State::InProgress, deadline, d("2026-03-10")).0, "整改中");
        assert_eq!(
            display(State::InProgress, deadline, d("2026-03-11")),
            ("逾期", "state-bad")
        );
        assert_eq!(display(State::Closed, deadline, d("2026-04-11")).0, "已销号");
        assert!(due_soon(State::Pending, deadline, d("2026-03-03")));
        assert!(!due_soon(State::Pending, deadline, d("2026-03-02")));
        assert!(!due_soon(State::Pending, deadline, d("2026-03-11")));
        assert!(!due_soon(State::Closed, deadline, d("2026-03-09")));
    }
}
