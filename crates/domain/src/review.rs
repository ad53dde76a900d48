//! 三审三校: the publication review of a draft.
//!
//! ```text
//! 草稿 ──提交──▶ 初审 ──通过──▶ 复审 ──通过──▶ 终审 ──通过──▶ 待发布 ──发布──▶ 已发布
//!   ▲             │             │             │
//!   └───退回修改───┴─────────────┴─────────────┘
//! ```
//!
//! Who may act at a stage: a user assigned to that stage for the draft's unit (or a unit above
//! it) who holds the right to review. 初审 and 复审 need [`Action::Review`] (审核员); 终审
//! accepts [`Action::Review`] or [`Action::SignOff`], because in townships the final say is
//! often the leader in charge (领导), who signs off rather than reviews. Separation of duties:
//! the author never approves their own draft, and one person approves at most one stage of a
//! draft, over its whole life (a draft returned and resubmitted keeps its history).
//!
//! Lint gate: error-level findings of the proofreader on the current text must each be
//! resolved (gone from the text) or overridden with a written reason before the draft may
//! enter 终审 (approval of 复审) and before 终审 approves it.
//!
//! Once published the draft is immutable: its final text, SHA-256, platforms and time are in
//! the publication log.

use crate::field::{self, FieldError};
use crate::role::Action;
use crate::unit::UnitId;
use crate::user::UserId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    First,
    Second,
    Final,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::First, Stage::Second, Stage::Final];

    pub fn code(self) -> &'static str {
        match self {
            Stage::First => "first",
            Stage::Second => "second",
            Stage::Final => "final",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::First => "初审",
            Stage::Second => "复审",
            Stage::Final => "终审",
        }
    }

    pub fn parse(s: &str) -> Result<Stage, FieldError> {
        let s = s.trim();
        Stage::ALL
            .into_iter()
            .find(|st| st.code() == s || st.label() == s)
            .ok_or_else(|| FieldError::new("审核环节", format!("「{s}」不是初审、复审或终审")))
    }

    /// Whether a user holding these rights may act at this stage (assignment aside).
    pub fn permits(self, can: impl Fn(Action) -> bool) -> bool {
        match self {
            Stage::First | Stage::Second => can(Action::Review),
            Stage::Final => can(Action::Review) || can(Action::SignOff),
        }
    }

    fn next(self) -> DraftState {
        match self {
            Stage::First => DraftState::InReview(Stage::Second),
            Stage::Second => DraftState::InReview(Stage::Final),
            Stage::Final => DraftState::Approved,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DraftState {
    Draft,
    InReview(Stage),
    Approved,
    Published,
}

impl DraftState {
    pub const ALL: [DraftState; 6] = [
        DraftState::Draft,
        DraftState::InReview(Stage::First),
        DraftState::InReview(Stage::Second),
        DraftState::InReview(Stage::Final),
        DraftState::Approved,
        DraftState::Published,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DraftState::Draft => "draft",
            DraftState::InReview(s) => s.code(),
            DraftState::Approved => "approved",
            DraftState::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DraftState::Draft => "草稿",
            DraftState::InReview(s) => s.label(),
            DraftState::Approved => "待发布",
            DraftState::Published => "已发布",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            DraftState::Draft | DraftState::InReview(_) => "",
            DraftState::Approved | DraftState::Published => "state-ok",
        }
    }

    pub fn from_code(code: &str) -> Option<DraftState> {
        DraftState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Text may change (a proofreading round) only before 终审 has approved it.
    pub fn editable(self) -> bool {
        matches!(self, DraftState::Draft | DraftState::InReview(_))
    }
}

/// What someone asks to do with a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Submit,
    Approve,
    Return { comment: String },
    Publish,
}

impl Step {
    pub fn code(&self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Approve => "approve",
            Step::Return { .. } => "return",
            Step::Publish => "publish",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Step::Submit => "提交审核",
            Step::Approve => "审核通过",
            Step::Return { .. } => "退回修改",
            Step::Publish => "发布",
        }
    }
}

/// Who acts, as far as the review rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    /// May enter records (submit, publish).
    pub can_write: bool,
    pub can_review: bool,
    pub can_sign_off: bool,
    /// Stages this user is assigned to for the draft's unit.
    pub assigned: Vec<Stage>,
}

impl Actor {
    pub fn may_act_at(&self, stage: Stage) -> bool {
        stage.permits(|a| match a {
            Action::Review => self.can_review,
            Action::SignOff => self.can_sign_off,
            _ => false,
        }) && self.assigned.contains(&stage)
    }

    /// A reviewer of any stage: may proofread and override findings.
    pub fn is_reviewer(&self) -> bool {
        Stage::ALL.into_iter().any(|s| self.may_act_at(s))
    }
}

/// What the rules need to know about the draft besides its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFacts {
    pub author: UserId,
    /// Every approval ever given to this draft.
    pub approvals: Vec<(Stage, UserId)>,
    /// Error-level findings neither resolved nor overridden.
    pub unresolved_errors: usize,
    pub has_platforms: bool,
}

/// Why a step is refused; each reads as a sentence to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    WrongState { state: DraftState, step: &'static str },
    NotAllowed,
    NoRole(Stage),
    NotAssigned(Stage),
    OwnDraft,
    AlreadyApproved { earlier: Stage },
    LintBlocked(usize),
    EmptyComment,
    NoPlatform,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::WrongState { state, step } => format!("稿件当前为「{}」，不能{step}", state.label()),
            Refusal::NotAllowed => "您没有执行此操作的权限".into(),
            Refusal::NoRole(s) => format!(
                "您没有{}权限（需要审核员{}）",
                s.label(),
                if *s == Stage::Final {
                    "或领导角色"
                } else {
                    "角色"
                }
            ),
            Refusal::NotAssigned(s) => format!("您不是本单位指定的{}人", s.label()),
            Refusal::OwnDraft => "作者不能审核自己的稿件".into(),
            Refusal::AlreadyApproved { earlier } => {
                format!(
                    "您已审核通过本稿件的{}，同一人不能审核同一稿件的两个环节",
                    earlier.label()
                )
            }
            Refusal::LintBlocked(n) => format!("审校发现 {n} 处错误尚未修改或说明理由豁免，不能进入终审"),
            Refusal::EmptyComment => "退回修改须写明意见".into(),
            Refusal::NoPlatform => "请先选择发布平台".into(),
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            Refusal::EmptyComment => "退回意见",
            Refusal::LintBlocked(_) => "审校问题",
            Refusal::NoPlatform => "发布平台",
            _ => "审核",
        }
    }
}

impl From<Refusal> for FieldError {
    fn from(r: Refusal) -> Self {
        FieldError::new(r.field(), r.message())
    }
}

/// The review state machine: the next state, or why not.
pub fn next_state(state: DraftState, step: &Step, actor: &Actor, draft: &DraftFacts) -> Result<DraftState, Refusal> {
    match (state, step) {
        (DraftState::Draft, Step::Submit) => {
            if !actor.can_write {
                return Err(Refusal::NotAllowed);
            }
            Ok(DraftState::InReview(Stage::First))
        }
        (DraftState::InReview(stage), Step::Approve) => {
            check_reviewer(stage, actor, draft)?;
            if let Some((earlier, _)) = draft.approvals.iter().find(|(s, u)| *u == actor.user && *s != stage) {
                return Err(Refusal::AlreadyApproved { earlier: *earlier });
            }
            if matches!(stage, Stage::Second | Stage::Final) && draft.unresolved_errors > 0 {
                return Err(Refusal::LintBlocked(draft.unresolved_errors));
            }
            Ok(stage.next())
        }
        (DraftState::InReview(stage), Step::Return { comment }) => {
            check_reviewer(stage, actor, draft)?;
            if comment.trim().is_empty() {
                return Err(Refusal::EmptyComment);
            }
            Ok(DraftState::Draft)
        }
        (DraftState::Approved, Step::Publish) => {
            if !actor.can_write {
                return Err(Refusal::NotAllowed);
            }
            if !draft.has_platforms {
                return Err(Refusal::NoPlatform);
            }
            Ok(DraftState::Published)
        }
        (state, step) => Err(Refusal::WrongState {
            state,
            step: step.label(),
        }),
    }
}

fn check_reviewer(stage: Stage, actor: &Actor, draft: &DraftFacts) -> Result<(), Refusal> {
    if !stage.permits(|a| match a {
        Action::Review => actor.can_review,
        Action::SignOff => actor.can_sign_off,
        _ => false,
    }) {
        return Err(Refusal::NoRole(stage));
    }
    if !actor.assigned.contains(&stage) {
        return Err(Refusal::NotAssigned(stage));
    }
    if actor.user == draft.author {
        return Err(Refusal::OwnDraft);
    }
    Ok(())
}

/// Who may change the text (a proofreading round): the author's side or a reviewer, and
/// only while the draft is editable.
pub fn may_proofread(state: DraftState, actor: &Actor) -> Result<(), Refusal> {
    if !state.editable() {
        return Err(match state {
            DraftState::Published => Refusal::WrongState {
                state,
                step: "修改（已发布的稿件不可更改）",
            },
            _ => Refusal::WrongState { state, step: "修改" },
        });
    }
    if !(actor.can_write || actor.is_reviewer()) {
        return Err(Refusal::NotAllowed);
    }
    Ok(())
}

/// Overriding a finding is a reviewer's judgement, never the author's own.
pub fn may_override(state: DraftState, actor: &Actor, author: UserId) -> Result<(), Refusal> {
    if !state.editable() {
        return Err(Refusal::WrongState {
            state,
            step: "豁免审校问题",
        });
    }
    if actor.user == author {
        return Err(Refusal::OwnDraft);
    }
    if !actor.is_reviewer() {
        return Err(Refusal::NotAllowed);
    }
    Ok(())
}

/// A proofreader finding as the review keeps it: enough to show it and to match overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintFinding {
    pub rule: String,
    pub error: bool,
    /// Character offsets into the text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub message: String,
    pub suggestion: String,
}

/// A reviewer's written decision that a finding is not an error here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub id: i64,
    pub rule: String,
    pub text: String,
    pub reason: String,
    pub by_name: String,
    pub at: String,
}

/// An override covers every finding of the same rule on the same words.
pub fn is_overridden(finding: &LintFinding, overrides: &[Override]) -> bool {
    overrides
        .iter()
        .any(|o| o.rule == finding.rule && o.text == finding.text)
}

/// Error-level findings neither overridden nor gone.
pub fn unresolved<'a>(findings: &'a [LintFinding], overrides: &[Override]) -> Vec<&'a LintFinding> {
    findings
        .iter()
        .filter(|f| f.error && !is_overridden(f, overrides))
        .collect()
}

pub fn parse_reason(reason: &str) -> Result<String, FieldError> {
    let r = field::text("豁免理由", reason, true, 500)?;
    if r.chars().count() < 4 {
        return Err(FieldError::new("豁免理由", "请写明理由（至少 4 个字）"));
    }
    Ok(r)
}

/// The SHA-256 of a text's UTF-8 bytes, in lower-case hex: what the publication log keeps.
pub fn text_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// One piece of a character diff between two versions of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffPiece {
    /// "same", "added" or "removed".
    pub kind: &'static str,
    pub text: String,
}

/// What changed between two versions, by characters (Chinese has no spaces to split on).
pub fn text_diff(old: &str, new: &str) -> Vec<DiffPiece> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_chars(old, new);
    let mut out: Vec<DiffPiece> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => "same",
            ChangeTag::Insert => "added",
            ChangeTag::Delete => "removed",
        };
        match out.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => out.push(DiffPiece {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDraft {
    pub unit_id: UnitId,
    pub title: String,
    pub body: String,
    pub platforms: Vec<i64>,
}

pub const BODY_MAX: usize = 50_000;

impl NewDraft {
    pub fn parse(unit_id: UnitId, title: &str, body: &str, platforms: Vec<i64>) -> Result<Self, FieldError> {
        Ok(NewDraft {
            unit_id,
            title: field::text("标题", title, true, 200)?,
            body: parse_body(body)?,
            platforms,
        })
    }
}

/// Line ends are normalised so the hash of a text does not depend on the browser.
pub fn parse_body(body: &str) -> Result<String, FieldError> {
    let normalised = body.replace("\r\n", "\n");
    let b = field::text("正文", &normalised, true, BODY_MAX)?;
    Ok(b)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewAction {
    pub id: i64,
    pub step: String,
    pub stage: Option<Stage>,
    pub user_id: Option<UserId>,
    pub user_name: String,
    pub comment: String,
    pub text_sha256: String,
    pub at: String,
}

impl ReviewAction {
    pub fn label(&self) -> String {
        let step = match self.step.as_str() {
            "submit" => "提交审核",
            "approve" => "审核通过",
            "return" => "退回修改",
            "publish" => "发布",
            other => other,
        };
        match self.stage {
            Some(s) if self.step != "submit" => format!("{}{step}", s.label()),
            _ => step.to_string(),
        }
    }
}

/// One proofreading round (一校、二校、三校…): who, and the text before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    pub id: i64,
    pub number: i64,
    pub user_name: String,
    pub before: String,
    pub after: String,
    pub note: String,
    pub at: String,
}

impl Round {
    pub fn label(&self) -> String {
        match self.number {
            1 => "一校".into(),
            2 => "二校".into(),
            3 => "三校".into(),
            n => format!("第{n}校"),
        }
    }

    pub fn diff(&self) -> Vec<DiffPiece> {
        text_diff(&self.before, &self.after)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    pub id: i64,
    pub draft_id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub text: String,
    pub sha256: String,
    pub platforms: String,
    pub published_at: String,
    pub published_by: String,
}

impl Publication {
    /// Recomputes the hash of the stored text; false means the log was altered.
    pub fn verify(&self) -> bool {
        text_sha256(&self.text) == self.sha256
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub body: String,
    pub state: DraftState,
    pub author: UserId,
    pub author_name: String,
    /// (id, name) of the target platforms.
    pub platforms: Vec<(i64, String)>,
    pub findings: Vec<LintFinding>,
    pub overrides: Vec<Override>,
    pub actions: Vec<ReviewAction>,
    pub rounds: Vec<Round>,
    pub attachments: i64,
    pub created_at: String,
    /// When the draft entered its current state (RFC 3339).
    pub state_since: String,
}

impl Draft {
    pub fn approvals(&self) -> Vec<(Stage, UserId)> {
        self.actions
            .iter()
            .filter(|a| a.step == "approve")
            .filter_map(|a| Some((a.stage?, a.user_id?)))
            .collect()
    }

    pub fn unresolved(&self) -> Vec<&LintFinding> {
        unresolved(&self.findings, &self.overrides)
    }

    pub fn facts(&self) -> DraftFacts {
        DraftFacts {
            author: self.author,
            approvals: self.approvals(),
            unresolved_errors: self.unresolved().len(),
            has_platforms: !self.platforms.is_empty(),
        }
    }
}

/// Short summaries for lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftSummary {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub state: DraftState,
    pub author_name: String,
    pub state_since: String,
    pub created_at: String,
}

/// A reviewer assigned to a stage of a unit's drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub stage: Stage,
    pub user_id: UserId,
    pub user_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTHOR: UserId = UserId(1);
    const R1: UserId = UserId(11);
    const R2: UserId = UserId(12);
    const R3: UserId = UserId(13);

    fn author() -> Actor {
        Actor {
            user: AUTHOR,
            can_write: true,
            can_review: false,
            can_sign_off: false,
            assigned: vec![],
        }
    }

    fn reviewer(user: UserId, stages: &[Stage]) -> Actor {
        Actor {
            user,
            can_write: false,
            can_review: true,
            can_sign_off: false,
            assigned: stages.to_vec(),
        }
    }

    fn leader(user: UserId, stages: &[Stage]) -> Actor {
        Actor {
            user,
            can_write: false,
            can_review: false,
            can_sign_off: true,
            assigned: stages.to_vec(),
        }
    }

    fn facts(approvals: &[(Stage, UserId)], unresolved: usize) -> DraftFacts {
        DraftFacts {
            author: AUTHOR,
            approvals: approvals.to_vec(),
            unresolved_errors: unresolved,
            has_platforms: true,
        }
    }

    fn ret() -> Step {
        Step::Return {
            comment: "标题需修改".into(),
        }
    }

    #[test]
    fn the_whole_path_from_draft_to_published() {
        let f0 = facts(&[], 0);
        let s = next_state(DraftState::Draft, &Step::Submit, &author(), &f0).unwrap();
        assert_eq!(s, DraftState::InReview(Stage::First));
        let s = next_state(s, &Step::Approve, &reviewer(R1, &[Stage::First]), &f0).unwrap();
        assert_eq!(s, DraftState::InReview(Stage::Second));
        let f1 = facts(&[(Stage::First, R1)], 0);
        let s = next_state(s, &Step::Approve, &reviewer(R2, &[Stage::Second]), &f1).unwrap();
        assert_eq!(s, DraftState::InReview(Stage::Final));
        let f2 = facts(&[(Stage::First, R1), (Stage::Second, R2)], 0);
        let s = next_state(s, &Step::Approve, &leader(R3, &[Stage::Final]), &f2).unwrap();
        assert_eq!(s, DraftState::Approved);
        let s = next_state(s, &Step::Publish, &author(), &f2).unwrap();
        assert_eq!(s, DraftState::Published);
    }

    #[test]
    fn every_stage_returns_to_the_author_with_a_comment() {
        for stage in Stage::ALL {
            let r = reviewer(R1, &[stage]);
            let back = next_state(DraftState::InReview(stage), &ret(), &r, &facts(&[], 5)).unwrap();
            assert_eq!(back, DraftState::Draft, "{stage:?}");
            let e = next_state(
                DraftState::InReview(stage),
                &Step::Return { comment: "  ".into() },
                &r,
                &facts(&[], 0),
            )
            .unwrap_err();
            assert_eq!(e, Refusal::EmptyComment);
        }
    }

    /// Every (state, step) pair outside the legal table is refused as a wrong state, even for
    /// a user who holds every right.
    #[test]
    fn every_illegal_transition_is_refused() {
        let all = Actor {
            user: R1,
            can_write: true,
            can_review: true,
            can_sign_off: true,
            assigned: Stage::ALL.to_vec(),
        };
        let steps = [Step::Submit, Step::Approve, ret(), Step::Publish];
        let mut legal = 0;
        for state in DraftState::ALL {
            for step in &steps {
                let ok = matches!(
                    (state, step),
                    (DraftState::Draft, Step::Submit)
                        | (DraftState::InReview(_), Step::Approve)
                        | (DraftState::InReview(_), Step::Return { .. })
                        | (DraftState::Approved, Step::Publish)
                );
                let got = next_state(state, step, &all, &facts(&[], 0));
                if ok {
                    legal += 1;
                    assert!(got.is_ok(), "{state:?} {step:?}: {got:?}");
                } else {
                    assert!(
                        matches!(got, Err(Refusal::WrongState { .. })),
                        "{state:?} {step:?} should be refused: {got:?}"
                    );
                }
            }
        }
        assert_eq!(legal, 8);
        let e = next_state(DraftState::Published, &Step::Approve, &all, &facts(&[], 0)).unwrap_err();
        assert!(e.message().contains("已发布"), "{}", e.message());
    }

    #[test]
    fn reviewing_needs_the_role_and_the_assignment() {
        let f = facts(&[], 0);
        // Staff without a review role.
        let mut staff = author();
        staff.user = R1;
        staff.assigned = vec![Stage::First];
        assert_eq!(
            next_state(DraftState::InReview(Stage::First), &Step::Approve, &staff, &f),
            Err(Refusal::NoRole(Stage::First))
        );
        // A reviewer not assigned to this stage.
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::First),
                &Step::Approve,
                &reviewer(R1, &[Stage::Second]),
                &f
            ),
            Err(Refusal::NotAssigned(Stage::First))
        );
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::Second),
                &ret(),
                &reviewer(R1, &[Stage::First]),
                &f
            ),
            Err(Refusal::NotAssigned(Stage::Second))
        );
        // Leaders sign off 终审 but do not do 初审/复审.
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::First),
                &Step::Approve,
                &leader(R1, &[Stage::First]),
                &f
            ),
            Err(Refusal::NoRole(Stage::First))
        );
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::Final),
                &Step::Approve,
                &leader(R1, &[Stage::Final]),
                &f
            ),
            Ok(DraftState::Approved)
        );
        // Only writers submit and publish.
        assert_eq!(
            next_state(DraftState::Draft, &Step::Submit, &reviewer(R1, &[Stage::First]), &f),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            next_state(DraftState::Approved, &Step::Publish, &reviewer(R1, &[Stage::First]), &f),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn separation_of_duties() {
        // The author, even holding the review role and the assignment, never approves.
        let mut author_reviewer = reviewer(AUTHOR, &Stage::ALL);
        author_reviewer.can_write = true;
        for stage in Stage::ALL {
            assert_eq!(
                next_state(
                    DraftState::InReview(stage),
                    &Step::Approve,
                    &author_reviewer,
                    &facts(&[], 0)
                ),
                Err(Refusal::OwnDraft)
            );
        }
        // One person, one stage: R1 approved 初审 and may not approve 复审 or 终审…
        let both = reviewer(R1, &Stage::ALL);
        for stage in [Stage::Second, Stage::Final] {
            assert_eq!(
                next_state(
                    DraftState::InReview(stage),
                    &Step::Approve,
                    &both,
                    &facts(&[(Stage::First, R1)], 0)
                ),
                Err(Refusal::AlreadyApproved { earlier: Stage::First })
            );
        }
        // …even after the draft was returned and resubmitted…
        let history = facts(&[(Stage::First, R2), (Stage::Second, R1)], 0);
        assert_eq!(
            next_state(DraftState::InReview(Stage::First), &Step::Approve, &both, &history),
            Err(Refusal::AlreadyApproved { earlier: Stage::Second })
        );
        // …but may approve the same stage again in a later pass.
        let again = facts(&[(Stage::First, R1)], 0);
        assert_eq!(
            next_state(DraftState::InReview(Stage::First), &Step::Approve, &both, &again),
            Ok(DraftState::InReview(Stage::Second))
        );
        let msg = Refusal::AlreadyApproved { earlier: Stage::First }.message();
        assert!(msg.contains("同一人不能审核同一稿件的两个环节"), "{msg}");
    }

    #[test]
    fn error_findings_block_entry_into_and_approval_of_final_review() {
        let approvals = [(Stage::First, R1)];
        // 初审 may pass with open findings: reviewers see them at every stage.
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::First),
                &Step::Approve,
                &reviewer(R1, &[Stage::First]),
                &facts(&[], 2)
            ),
            Ok(DraftState::InReview(Stage::Second))
        );
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::Second),
                &Step::Approve,
                &reviewer(R2, &[Stage::Second]),
                &facts(&approvals, 2)
            ),
            Err(Refusal::LintBlocked(2))
        );
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::Final),
                &Step::Approve,
                &reviewer(R3, &[Stage::Final]),
                &facts(&approvals, 1)
            ),
            Err(Refusal::LintBlocked(1))
        );
        // Resolved or overridden: passes.
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::Second),
                &Step::Approve,
                &reviewer(R2, &[Stage::Second]),
                &facts(&approvals, 0)
            ),
            Ok(DraftState::InReview(Stage::Final))
        );
        // Returning is always possible.
        assert_eq!(
            next_state(
                DraftState::InReview(Stage::Final),
                &ret(),
                &reviewer(R3, &[Stage::Final]),
                &facts(&approvals, 3)
            ),
            Ok(DraftState::Draft)
        );
    }

    #[test]
    fn overrides_cover_findings_of_the_same_rule_and_words() {
        let finding = |rule: &str, text: &str, error: bool| LintFinding {
            rule: rule.into(),
            error,
            start: 0,
            end: 1,
            text: text.into(),
            message: String::new(),
            suggestion: String::new(),
        };
        let findings = vec![
            finding("placeholder", "XX镇", true),
            finding("placeholder", "**多人", true),
            finding("punct", ",", false),
        ];
        assert_eq!(unresolved(&findings, &[]).len(), 2);
        let o = Override {
            id: 1,
            rule: "placeholder".into(),
            text: "XX镇".into(),
            reason: "引用原文，保留".into(),
            by_name: "审核员".into(),
            at: String::new(),
        };
        let left = unresolved(&findings, std::slice::from_ref(&o));
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].text, "**多人");
        assert!(parse_reason("  ").is_err());
        assert!(parse_reason("好").is_err());
        assert!(parse_reason("系引用外省通报原文").is_ok());
    }

    #[test]
    fn only_editable_drafts_change_and_only_reviewers_override() {
        for state in DraftState::ALL {
            let r = may_proofread(state, &author());
            assert_eq!(r.is_ok(), state.editable(), "{state:?}");
        }
        let e = may_proofread(DraftState::Published, &author()).unwrap_err();
        assert!(e.message().contains("已发布的稿件不可更改"), "{}", e.message());
        assert!(may_proofread(DraftState::Draft, &reviewer(R1, &[Stage::First])).is_ok());
        let outsider = reviewer(R1, &[]);
        assert_eq!(may_proofread(DraftState::Draft, &outsider), Err(Refusal::NotAllowed));
        assert_eq!(
            may_override(DraftState::Draft, &author(), AUTHOR),
            Err(Refusal::OwnDraft)
        );
        assert_eq!(
            may_override(DraftState::Draft, &outsider, AUTHOR),
            Err(Refusal::NotAllowed)
        );
        assert!(
            may_override(
                DraftState::InReview(Stage::Second),
                &reviewer(R2, &[Stage::Second]),
                AUTHOR
            )
            .is_ok()
        );
        assert!(may_override(DraftState::Published, &reviewer(R2, &[Stage::Second]), AUTHOR).is_err());
    }

    #[test]
    fn publishing_needs_a_platform() {
        let mut f = facts(&[], 0);
        f.has_platforms = false;
        assert_eq!(
            next_state(DraftState::Approved, &Step::Publish, &author(), &f),
            Err(Refusal::NoPlatform)
        );
    }

    #[test]
    fn hashes_and_diffs() {
        assert_eq!(
            text_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let d = text_diff("XX镇开展宣讲", "河口镇开展宣讲");
        let removed: String = d
            .iter()
            .filter(|p| p.kind == "removed")
            .map(|p| p.text.as_str())
            .collect();
        let added: String = d
            .iter()
            .filter(|p| p.kind == "added")
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(removed, "XX");
        assert_eq!(added, "河口");
        assert_eq!(d.last().unwrap().text, "镇开展宣讲");
        assert_eq!(parse_body("一\r\n二").unwrap(), "一\n二");
    }
}
