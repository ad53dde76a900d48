//! 三审三校: drafts by stage and age, the draft page (proofreader findings marked in the text
//! at every stage, approve/return, proofreading rounds with their diffs, overrides with a
//! reason, publish), the publication log with its hashes, and who reviews which stage.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::check::CHECKER;
use crate::pages::evidence;
use crate::pages::{SavedQuery, Submitted, see_other, settle, unprocessable};
use crate::time::local_text;
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;
use shoutu_domain::attachment::Attachment;
use shoutu_domain::review::{
    Actor, Assignment, DiffPiece, Draft, DraftState, LintFinding, NewDraft, Publication, Stage, Step, is_overridden,
    text_sha256,
};
use shoutu_domain::{Action, FieldError, PageRequest, UnitId, User};
use shoutu_store::{PlatformFilter, UserFilter};
use shoutu_text::proofread::Severity;

pub(crate) const NAV: Nav = Nav::Module("zhendi");

/// The proofreader's findings on a text, as the review keeps them.
pub(crate) async fn lint(text: String) -> Result<Vec<LintFinding>, AppError> {
    tokio::task::spawn_blocking(move || {
        CHECKER
            .check_text(&text)
            .into_iter()
            .map(|f| LintFinding {
                error: f.severity == Severity::Error,
                rule: f.rule,
                start: f.start,
                end: f.end,
                text: f.text,
                message: f.message,
                suggestion: f.suggestion.unwrap_or_default(),
            })
            .collect()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Days a draft has waited in its state.
fn age_days(since: &str, now: DateTime<Utc>) -> i64 {
    DateTime::parse_from_rfc3339(since).map_or(0, |t| (now - t.with_timezone(&Utc)).num_days().max(0))
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub unit_name: String,
    pub author_name: String,
    pub state: &'static str,
    pub css: &'static str,
    pub age: i64,
    pub created: String,
}

pub struct Tab {
    pub code: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/drafts.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    can_write: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    state: Option<String>,
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<ListPage, AppError> {
    let chosen = q.state.as_deref().filter(|s| !s.is_empty());
    let filter = match chosen {
        Some(code) => {
            Some(DraftState::from_code(code).ok_or_else(|| AppError::BadRequest(format!("「{code}」不是稿件状态")))?)
        }
        None => None,
    };
    let all = state.store.drafts(&auth.scope, None).await?;
    let now = state.clock.now();
    let mut tabs = vec![Tab {
        code: "",
        label: "全部",
        count: all.len(),
        active: filter.is_none(),
    }];
    for s in DraftState::ALL {
        tabs.push(Tab {
            code: s.code(),
            label: s.label(),
            count: all.iter().filter(|d| d.state == s).count(),
            active: filter == Some(s),
        });
    }
    let rows = all
        .into_iter()
        .filter(|d| filter.is_none_or(|f| d.state == f))
        .map(|d| Row {
            id: d.id,
            age: age_days(&d.state_since, now),
            created: local_text(&d.created_at),
            title: d.title,
            unit_name: d.unit_name,
            author_name: d.author_name,
            state: d.state.label(),
            css: d.state.css(),
        })
        .collect();
    Ok(ListPage {
        chrome: chrome(&state, &auth, NAV, "稿件审校（三审三校）").await?,
        tabs,
        rows,
        can_write: auth.can(Action::Write),
    })
}

pub struct PlatformOption {
    pub id: i64,
    pub label: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/draft_form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    title: String,
    body: String,
    platforms: Vec<PlatformOption>,
    error: Option<FieldError>,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    title: String,
    body: String,
    chosen: &[i64],
    error: Option<FieldError>,
) -> Result<FormPage, AppError> {
    let platforms = state
        .store
        .platforms(&auth.scope, &PlatformFilter::default())
        .await?
        .into_iter()
        .filter(|p| p.kind.is_online() || p.kind == shoutu_domain::platform::PlatformKind::Bulletin)
        .map(|p| PlatformOption {
            checked: chosen.contains(&p.id),
            label: format!("{}（{} · {}）", p.name, p.kind.label(), p.unit_name),
            id: p.id,
        })
        .collect();
    Ok(FormPage {
        chrome: chrome(state, auth, NAV, "新建稿件").await?,
        title,
        body,
        platforms,
        error,
    })
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    form_page(&state, &auth, String::new(), String::new(), &[], None).await
}

fn ids(values: Vec<String>) -> Vec<i64> {
    values.iter().filter_map(|v| v.trim().parse().ok()).collect()
}

pub async fn create(State(state): State<AppState>, auth: Auth, multipart: Multipart) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let form = upload::read(multipart).await?;
    let title = form.get("title").to_string();
    let body = form.get("body").to_string();
    let chosen = ids(form.all("platform"));
    let files = match evidence::check(&state, &form.files, "附件") {
        Ok(checked) => checked,
        Err(e) => {
            return Ok(unprocessable(
                form_page(&state, &auth, title, body, &chosen, Some(e)).await?,
            ));
        }
    };
    let outcome = match NewDraft::parse(auth.scope.root, &title, &body, chosen.clone()) {
        Ok(draft) => {
            let findings = lint(draft.body.clone()).await?;
            // Files are written only once the draft is known good; their record id is set by the store.
            let attachments = files.save(&state, "draft", 0)?;
            settle(
                state
                    .store
                    .create_draft(&auth.scope, draft, findings, attachments)
                    .await,
            )?
        }
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(d) => Ok(see_other(format!("/drafts/{}?saved=1", d.id))),
        Submitted::Fix(e) => Ok(unprocessable(
            form_page(&state, &auth, title, body, &chosen, Some(e)).await?,
        )),
    }
}

pub struct Segment {
    pub text: String,
    pub finding: Option<usize>,
    pub severity: &'static str,
}

pub struct FindingRow {
    pub number: usize,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub rule: String,
    pub text: String,
    pub message: String,
    pub suggestion: String,
    pub overridden: bool,
    pub needs_override: bool,
}

/// The text cut into plain and flagged pieces; overlapping spans are listed but marked once.
fn segments(text: &str, findings: &[LintFinding]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| (findings[i].start, findings[i].end));
    let mut out = Vec::new();
    let mut at = 0;
    for i in order {
        let f = &findings[i];
        if f.start < at || f.end <= f.start || f.end > chars.len() {
            continue;
        }
        if f.start > at {
            out.push(Segment {
                text: chars[at..f.start].iter().collect(),
                finding: None,
                severity: "",
            });
        }
        out.push(Segment {
            text: chars[f.start..f.end].iter().collect(),
            finding: Some(i + 1),
            severity: if f.error { "error" } else { "warning" },
        });
        at = f.end;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            finding: None,
            severity: "",
        });
    }
    out
}

pub struct RoundView {
    pub label: String,
    pub user_name: String,
    pub at: String,
    pub note: String,
    pub changed: bool,
    pub diff: Vec<DiffPiece>,
}

pub struct ActionView {
    pub label: String,
    pub user_name: String,
    pub at: String,
    pub comment: String,
    pub sha256: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/draft.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    draft: Draft,
    state_label: &'static str,
    state_css: &'static str,
    age: i64,
    segments: Vec<Segment>,
    findings: Vec<FindingRow>,
    errors_open: usize,
    rounds: Vec<RoundView>,
    actions: Vec<ActionView>,
    stage_label: String,
    can_submit: bool,
    can_review: bool,
    can_proofread: bool,
    can_override: bool,
    can_publish: bool,
    publication: Option<Publication>,
    evidence: Vec<Attachment>,
    reviewers: Vec<Assignment>,
    saved: bool,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    saved: bool,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let draft = state.store.draft(&auth.scope, id).await?;
    // A console-less session always has a user; without one nothing may be done here.
    let actor = state
        .store
        .review_actor(&auth.scope, draft.unit_id)
        .await
        .unwrap_or(Actor {
            user: auth.user.id,
            can_write: false,
            can_review: false,
            can_sign_off: false,
            assigned: vec![],
        });
    let facts = draft.facts();
    let try_step = |step: Step| shoutu_domain::review::next_state(draft.state, &step, &actor, &facts);
    let (can_review, stage_label) = match draft.state {
        DraftState::InReview(stage) => (
            actor.may_act_at(stage) && actor.user != draft.author,
            stage.label().to_string(),
        ),
        _ => (false, String::new()),
    };
    let findings: Vec<FindingRow> = draft
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let overridden = is_overridden(f, &draft.overrides);
            FindingRow {
                number: i + 1,
                severity: if f.error { "error" } else { "warning" },
                severity_label: if f.error { "错误" } else { "提示" },
                rule: f.rule.clone(),
                text: f.text.clone(),
                message: f.message.clone(),
                suggestion: f.suggestion.clone(),
                overridden,
                needs_override: f.error && !overridden,
            }
        })
        .collect();
    let rounds = draft
        .rounds
        .iter()
        .rev()
        .map(|r| RoundView {
            label: r.label(),
            user_name: r.user_name.clone(),
            at: local_text(&r.at),
            note: r.note.clone(),
            changed: r.before != r.after,
            diff: r.diff(),
        })
        .collect();
    let actions = draft
        .actions
        .iter()
        .map(|a| ActionView {
            label: a.label(),
            user_name: a.user_name.clone(),
            at: local_text(&a.at),
            comment: a.comment.clone(),
            sha256: a.text_sha256.clone(),
        })
        .collect();
    let publication = state.store.publication_of(&auth.scope, id).await?;
    let evidence = state.store.attachments_of(&auth.scope, "draft", id).await?;
    let reviewers = state.store.assignments(&auth.scope, draft.unit_id).await?;
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, draft.title.clone()).await?,
        state_label: draft.state.label(),
        state_css: draft.state.css(),
        age: age_days(&draft.state_since, state.clock.now()),
        segments: segments(&draft.body, &draft.findings),
        errors_open: draft.unresolved().len(),
        can_submit: try_step(Step::Submit).is_ok(),
        can_publish: draft.state == DraftState::Approved && actor.can_write,
        can_proofread: shoutu_domain::review::may_proofread(draft.state, &actor).is_ok(),
        can_override: shoutu_domain::review::may_override(draft.state, &actor, draft.author).is_ok(),
        can_review,
        stage_label,
        findings,
        rounds,
        actions,
        publication,
        evidence,
        reviewers,
        saved,
        error,
        draft,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<DetailPage, AppError> {
    detail_page(&state, &auth, id, q.saved.is_some(), None).await
}

async fn back<T>(state: &AppState, auth: &Auth, id: i64, outcome: Submitted<T>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/drafts/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(state, auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    comment: String,
}

pub async fn submit(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let outcome = settle(state.store.review_step(&auth.scope, id, Step::Submit).await)?;
    back(&state, &auth, id, outcome).await
}

pub async fn approve(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let outcome = settle(state.store.review_step(&auth.scope, id, Step::Approve).await)?;
    back(&state, &auth, id, outcome).await
}

pub async fn send_back(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let step = Step::Return { comment: form.comment };
    let outcome = settle(state.store.review_step(&auth.scope, id, step).await)?;
    back(&state, &auth, id, outcome).await
}

pub async fn publish(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let outcome = settle(state.store.review_step(&auth.scope, id, Step::Publish).await)?;
    back(&state, &auth, id, outcome).await
}

#[derive(Deserialize, Default)]
pub struct RoundForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    note: String,
}

pub async fn proofread(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    let text = form.body.replace("\r\n", "\n");
    let findings = lint(text.trim().to_string()).await?;
    let outcome = settle(
        state
            .store
            .proofread(&auth.scope, id, &text, &form.note, findings)
            .await,
    )?;
    back(&state, &auth, id, outcome).await
}

#[derive(Deserialize, Default)]
pub struct OverrideForm {
    #[serde(default)]
    rule: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    reason: String,
}

pub async fn override_finding(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<OverrideForm>,
) -> Result<Response, AppError> {
    let outcome = settle(
        state
            .store
            .override_finding(&auth.scope, id, &form.rule, &form.text, &form.reason)
            .await,
    )?;
    back(&state, &auth, id, outcome).await
}

pub struct PublicationView {
    pub publication: Publication,
    pub at: String,
    pub verified: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/publications.html")]
pub(crate) struct PublicationsPage {
    chrome: Chrome,
    year: i32,
    rows: Vec<PublicationView>,
}

pub async fn publications(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<crate::pages::YearQuery>,
) -> Result<PublicationsPage, AppError> {
    let year = q.year_or(state.today())?;
    let (from, until) = year_bounds(year);
    let rows = state
        .store
        .publications(&auth.scope, from, until)
        .await?
        .into_iter()
        .map(|p| PublicationView {
            at: local_text(&p.published_at),
            verified: p.verify(),
            publication: p,
        })
        .collect();
    Ok(PublicationsPage {
        chrome: chrome(&state, &auth, NAV, "发布记录").await?,
        year,
        rows,
    })
}

pub(crate) fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year"),
        NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year"),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/verify.html")]
pub(crate) struct VerifyPage {
    chrome: Chrome,
    publication: Publication,
    recomputed: String,
    verified: bool,
}

/// Recomputes the SHA-256 of the logged text, so anyone can see it was not altered.
pub async fn verify(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<VerifyPage, AppError> {
    let publication = state
        .store
        .publication_of(&auth.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let recomputed = text_sha256(&publication.text);
    Ok(VerifyPage {
        chrome: chrome(&state, &auth, NAV, "校验发布文本").await?,
        verified: recomputed == publication.sha256,
        recomputed,
        publication,
    })
}

pub struct StageView {
    pub code: &'static str,
    pub label: &'static str,
    pub who: Vec<Assignment>,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/reviewers.html")]
pub(crate) struct ReviewersPage {
    chrome: Chrome,
    unit_id: UnitId,
    stages: Vec<StageView>,
    candidates: Vec<User>,
    can_manage: bool,
    saved: bool,
    error: Option<String>,
}

async fn reviewers_page(
    state: &AppState,
    auth: &Auth,
    saved: bool,
    error: Option<String>,
) -> Result<ReviewersPage, AppError> {
    let unit = auth.scope.root;
    let all = state.store.assignments(&auth.scope, unit).await?;
    let stages = Stage::ALL
        .into_iter()
        .map(|s| StageView {
            code: s.code(),
            label: s.label(),
            who: all.iter().filter(|a| a.stage == s).cloned().collect(),
        })
        .collect();
    let can_manage = auth.can(Action::ManageUsers);
    let candidates = if can_manage {
        state
            .store
            .users(
                &auth.scope,
                &UserFilter::default(),
                PageRequest::new(Some(1), Some(200)),
            )
            .await?
            .items
            .into_iter()
            .filter(|u| {
                u.roles
                    .iter()
                    .any(|r| r.permits(Action::Review) || r.permits(Action::SignOff))
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ReviewersPage {
        chrome: chrome(state, auth, NAV, "审核人设置").await?,
        unit_id: unit,
        stages,
        candidates,
        can_manage,
        saved,
        error,
    })
}

pub async fn reviewers(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SavedQuery>,
) -> Result<ReviewersPage, AppError> {
    reviewers_page(&state, &auth, q.saved.is_some(), None).await
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    user: String,
}

pub async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    let parsed = Stage::parse(&form.stage).and_then(|s| {
        form.user
            .trim()
            .parse::<i64>()
            .map(|u| (s, shoutu_domain::UserId(u)))
            .map_err(|_| FieldError::new("审核人", "请选择审核人"))
    });
    let outcome = match parsed {
        Ok((stage, user)) => settle(
            state
                .store
                .assign_reviewer(&auth.scope, auth.scope.root, stage, user)
                .await,
        )?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/reviewers?saved=1")),
        Submitted::Fix(e) => Ok(unprocessable(
            reviewers_page(&state, &auth, false, Some(e.to_string())).await?,
        )),
    }
}

pub async fn unassign(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    state.store.remove_assignment(&auth.scope, id).await?;
    Ok(see_other("/reviewers?saved=1"))
}

/// Drafts waiting in review, per stage, with the oldest wait: for the dashboard.
pub(crate) struct StageLoad {
    pub code: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub oldest_days: Option<i64>,
}

pub(crate) async fn stage_load(state: &AppState, auth: &Auth) -> Result<Vec<StageLoad>, AppError> {
    let drafts = state.store.drafts(&auth.scope, None).await?;
    let now = state.clock.now();
    Ok([
        DraftState::Draft,
        DraftState::InReview(Stage::First),
        DraftState::InReview(Stage::Second),
        DraftState::InReview(Stage::Final),
        DraftState::Approved,
    ]
    .into_iter()
    .map(|s| {
        let here: Vec<_> = drafts.iter().filter(|d| d.state == s).collect();
        StageLoad {
            code: s.code(),
            label: s.label(),
            count: here.len(),
            oldest_days: here.iter().map(|d| age_days(&d.state_since, now)).max(),
        }
    })
    .collect())
}

/// Publications per month of a year, for the dashboard chart.
pub(crate) async fn per_month(state: &AppState, auth: &Auth, year: i32) -> Result<[usize; 12], AppError> {
    let (from, until) = year_bounds(year);
    let mut months = [0usize; 12];
    for p in state.store.publications(&auth.scope, from, until).await? {
        if let Ok(t) = DateTime::parse_from_rfc3339(&p.published_at) {
            let local = crate::time::local_date(t.with_timezone(&Utc));
            if local.year() == year {
                months[local.month0() as usize] += 1;
            }
        }
    }
    Ok(months)
}

/// 发布记录 of a year as a sheet, hashes included, for the archive.
pub async fn export_publications(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<crate::pages::YearQuery>,
) -> Result<Response, AppError> {
    let year = q.year_or(state.today())?;
    let (from, until) = year_bounds(year);
    let rows: Vec<Vec<String>> = state
        .store
        .publications(&auth.scope, from, until)
        .await?
        .into_iter()
        .map(|p| {
            vec![
                local_text(&p.published_at),
                p.title.clone(),
                p.unit_name.clone(),
                p.platforms.clone(),
                p.published_by.clone(),
                p.sha256.clone(),
                if p.verify() { "一致" } else { "不一致" }.to_string(),
            ]
        })
        .collect();
    crate::pages::ledger_excel::table_download(
        &format!("{year}年发布记录"),
        &["发布时间", "标题", "单位", "平台", "发布人", "SHA-256", "校验"],
        &rows,
    )
}
