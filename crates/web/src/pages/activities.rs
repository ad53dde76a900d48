//! The work ledger (工作台账): record an activity once, with its evidence; it then counts in
//! every ledger, requirement and figure its tags name.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Id, Query, opt_date, opt_int};
use crate::pages::evidence;
use crate::pages::people::{UnitOption, people_of, unit_options};
use crate::pages::{Pager, Submitted, query_string, see_other, settle, unprocessable};
use crate::upload::{self, Submission};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shoutu_domain::attachment::{Attachment, AttachmentId};
use shoutu_domain::ledger::{Activity, ActivityId, ActivityInput, ActivityType, NewActivity};
use shoutu_domain::{Action, FieldError, PageRequest, Person, UnitId};
use shoutu_store::ActivityFilter;
use std::collections::BTreeMap;

pub struct TypeOption {
    pub code: String,
    pub name: String,
    pub group: String,
}

fn type_options(state: &AppState) -> Vec<TypeOption> {
    state
        .catalogue
        .types
        .iter()
        .map(|t| TypeOption {
            code: t.code.clone(),
            name: t.name.clone(),
            group: t.group.clone(),
        })
        .collect()
}

pub struct ActivityRow {
    pub activity: Activity,
    pub type_name: String,
}

fn type_name(state: &AppState, code: &str) -> String {
    state
        .catalogue
        .get(code)
        .map_or_else(|| code.to_string(), |t| t.name.clone())
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    rows: Vec<ActivityRow>,
    pager: Pager,
    units: Vec<UnitOption>,
    types: Vec<TypeOption>,
    unit: i64,
    sub: bool,
    kind: String,
    tag: String,
    from: String,
    until: String,
    can_write: bool,
    export_query: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    unit: Option<String>,
    sub: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    tag: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<String>,
}

/// The filter a list query asks for; the export uses the same, so it holds what was shown.
pub(crate) fn filter_of(q: &ListQuery) -> Result<ActivityFilter, AppError> {
    let unit = opt_int("单位", q.unit.as_deref())?;
    Ok(ActivityFilter {
        unit: unit.map(UnitId),
        include_subunits: q.unit.is_none() || q.sub.as_deref() == Some("1"),
        type_code: q.kind.clone().filter(|k| !k.is_empty()),
        tag: q.tag.clone().filter(|t| !t.is_empty()),
        from: opt_date("起始日期", q.from.as_deref())?,
        until: opt_date("截止日期", q.until.as_deref())?,
    })
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<ListPage, AppError> {
    let filter = filter_of(&q)?;
    let export_query = base_without_page(&q);
    let page = crate::extract::opt_page(q.page.as_deref())?;
    let unit = filter.unit.map(|u| u.0);
    let sub = filter.include_subunits;
    let found = state
        .store
        .activities(&auth.scope, &filter, PageRequest::new(page, None))
        .await?;
    let unit_text = unit.map(|u| u.to_string()).unwrap_or_default();
    let base = query_string(&[
        ("unit", &unit_text),
        ("sub", if sub { "1" } else { "" }),
        ("type", q.kind.as_deref().unwrap_or("")),
        ("tag", q.tag.as_deref().unwrap_or("")),
        ("from", q.from.as_deref().unwrap_or("")),
        ("until", q.until.as_deref().unwrap_or("")),
    ]);
    let units = state.store.unit_tree(&auth.scope).await?;
    Ok(ListPage {
        chrome: chrome(&state, &auth, Nav::Module("xuexi"), "工作台账").await?,
        pager: Pager::new(&found, &base),
        rows: found
            .items
            .into_iter()
            .map(|a| ActivityRow {
                type_name: type_name(&state, &a.type_code),
                activity: a,
            })
            .collect(),
        units: unit_options(&units),
        types: type_options(&state),
        unit: unit.unwrap_or(0),
        sub,
        kind: q.kind.unwrap_or_default(),
        tag: q.tag.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        until: q.until.unwrap_or_default(),
        can_write: auth.can(Action::Write),
        export_query,
    })
}

fn base_without_page(q: &ListQuery) -> String {
    query_string(&[
        ("unit", q.unit.as_deref().unwrap_or("")),
        ("sub", q.sub.as_deref().unwrap_or("")),
        ("type", q.kind.as_deref().unwrap_or("")),
        ("tag", q.tag.as_deref().unwrap_or("")),
        ("from", q.from.as_deref().unwrap_or("")),
        ("until", q.until.as_deref().unwrap_or("")),
    ])
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    kind: ActivityType,
    people: Vec<Person>,
    values: BTreeMap<String, String>,
    chosen: Vec<String>,
    flags: Vec<String>,
    error: Option<FieldError>,
    today: String,
    max_mb: usize,
    allowed: String,
}

impl FormPage {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    fn extra_value(&self, key: &str) -> &str {
        self.values.get(&format!("extra_{key}")).map_or("", String::as_str)
    }

    fn chose(&self, person: &Person) -> bool {
        self.chosen.contains(&person.id.0.to_string())
    }

    fn ticked(&self, key: &str) -> bool {
        self.flags.iter().any(|f| f == key)
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    kind: &ActivityType,
    submitted: Option<&Submission>,
    error: Option<FieldError>,
) -> Result<FormPage, AppError> {
    let values = submitted.map_or_else(BTreeMap::new, |s| s.fields.iter().cloned().collect());
    Ok(FormPage {
        chrome: chrome(state, auth, Nav::Module("xuexi"), format!("记录{}", kind.name)).await?,
        people: people_of(state, auth, auth.scope.root).await?,
        chosen: submitted.map(|s| s.all("participant")).unwrap_or_default(),
        flags: submitted.map(|s| s.all("flag")).unwrap_or_default(),
        kind: kind.clone(),
        values,
        error,
        today: state.today().to_string(),
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        allowed: crate::files::allowed_kinds(),
    })
}

fn kind_of<'a>(state: &'a AppState, code: &str) -> Result<&'a ActivityType, AppError> {
    state
        .catalogue
        .get(code)
        .ok_or_else(|| AppError::BadRequest(format!("「{code}」不是已知的活动类型")))
}

pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    let kind = kind_of(&state, q.kind.as_deref().unwrap_or("center_group"))?;
    form_page(&state, &auth, kind, None, None).await
}

pub async fn create(State(state): State<AppState>, auth: Auth, multipart: Multipart) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let form = upload::read(multipart).await?;
    let kind = kind_of(&state, form.get("type"))?;
    let participants = form
        .all("participant")
        .iter()
        .map(|p| p.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::BadRequest("「参加人员」的编号无效".into()))?;
    let host = opt_int("主持人", Some(form.get("host")))?;
    let extra = kind
        .extra
        .iter()
        .map(|f| (f.key.clone(), form.get(&format!("extra_{}", f.key)).to_string()))
        .collect();
    let input = ActivityInput {
        date: form.get("date"),
        topic: form.get("topic"),
        host,
        participants,
        others: form.get("others"),
        summary: form.get("summary"),
        extra,
        flags: form.all("flag"),
    };
    let outcome = match NewActivity::parse(kind, auth.scope.root, &input, state.today()) {
        Err(e) => Submitted::Fix(e),
        Ok(activity) => match evidence::check(&state, &form.files, "附件") {
            Err(e) => Submitted::Fix(e),
            Ok(checked) => {
                let files = checked.save(&state, "activity", 0)?;
                settle(state.store.create_activity(&auth.scope, activity, files).await)?
            }
        },
    };
    match outcome {
        Submitted::Saved(a) => Ok(see_other(format!("/activities/{}?saved=1", a.id.0))),
        Submitted::Fix(field) => Ok(unprocessable(
            form_page(&state, &auth, kind, Some(&form), Some(field)).await?,
        )),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    a: Activity,
    kind_name: String,
    extras: Vec<(String, String)>,
    attachments: Vec<Attachment>,
    saved: bool,
    error: Option<String>,
    can_write: bool,
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: ActivityId,
    saved: bool,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let a = state.store.activity(&auth.scope, id).await?;
    let attachments = state.store.attachments_of(&auth.scope, "activity", id.0).await?;
    let kind = state.catalogue.get(&a.type_code);
    let extras = kind
        .map(|k| {
            k.extra
                .iter()
                .filter_map(|f| a.extra.get(&f.key).map(|v| (f.label.clone(), v.clone())))
                .collect()
        })
        .unwrap_or_default();
    Ok(DetailPage {
        chrome: chrome(state, auth, Nav::Module("xuexi"), a.topic.clone()).await?,
        kind_name: type_name(state, &a.type_code),
        extras,
        attachments,
        saved,
        error,
        can_write: auth.can(Action::Write),
        a,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<crate::pages::SavedQuery>,
) -> Result<DetailPage, AppError> {
    detail_page(&state, &auth, ActivityId(id), q.saved.is_some(), None).await
}

/// More evidence for a stored record (the photo taken after the meeting).
pub async fn add_attachments(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let activity = state.store.activity(&auth.scope, ActivityId(id)).await?;
    let form = upload::read(multipart).await?;
    if form.files.is_empty() {
        let page = detail_page(&state, &auth, activity.id, false, Some("请选择要上传的附件".into())).await?;
        return Ok(unprocessable(page));
    }
    match evidence::check(&state, &form.files, "附件") {
        Err(e) => Ok(unprocessable(
            detail_page(&state, &auth, activity.id, false, Some(e.to_string())).await?,
        )),
        Ok(checked) => {
            for file in checked.save(&state, "activity", id)? {
                state.store.add_attachment(&auth.scope, activity.unit_id, file).await?;
            }
            Ok(see_other(format!("/activities/{id}?saved=1")))
        }
    }
}

/// Downloads go through the same scope as the record they belong to.
pub async fn download(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let file = state.store.attachment(&auth.scope, AttachmentId(id)).await?;
    let bytes = state
        .files
        .read(&file.sha256)
        .map_err(|e| AppError::Internal(format!("reading attachment {id}: {e}")))?;
    // Photos and PDFs open in the browser (phones); office files download.
    let disposition = if file.media_type.starts_with("image/") || file.media_type == "application/pdf" {
        "inline"
    } else {
        "attachment"
    };
    let encoded: String = form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, file.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{}", encoded.replace('+', "%20")),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response())
}
