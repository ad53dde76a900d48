//! 阵地管理: the dashboard, the platform register (filter, sort, page, Excel both ways) and a
//! platform's page with its inspection log. Routes of the review, team and coverage pages
//! are gathered here too, so the module is merged with one line.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::ledger_excel::{table_download, xlsx_download};
use crate::pages::people::{UnitOption, unit_options};
use crate::pages::{Pager, SavedQuery, Submitted, UPLOAD_ROUTE_LIMIT, query_string, see_other, settle, unprocessable};
use crate::pages::{coverage, review, teams};
use crate::routes::Routes;
use crate::routes::{get, post};
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shoutu_domain::platform::{
    Filing, Inspection, InspectionStatus, NewInspection, NewPlatform, Platform, PlatformKind, PlatformRules,
};
use shoutu_domain::{Action, FieldError, Page, PageRequest, Person, UnitId};
use shoutu_report::platform_xlsx;
use shoutu_store::{PeopleFilter, PlatformFilter, StoreError};
use std::collections::HashMap;
use std::sync::LazyLock;

const NAV: Nav = Nav::Module("zhendi");

/// The inspection intervals: the shipped defaults (data/platform_rules.toml).
pub(crate) static RULES: LazyLock<PlatformRules> = LazyLock::new(PlatformRules::defaults);

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/zhendi", get(dashboard))
        .route("/platforms", get(list).post(create))
        .route("/platforms/new", get(new_form))
        .route("/platforms/export.xlsx", get(export))
        .route("/platforms/template.xlsx", get(template))
        .route(
            "/platforms/import",
            get(import_form)
                .post(import_submit)
                .layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/platforms/{id}", get(detail).post(update))
        .route("/platforms/{id}/edit", get(edit_form))
        .route("/platforms/{id}/inspections", post(inspect))
        .route(
            "/drafts",
            get(review::list)
                .post(review::create)
                .layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/drafts/new", get(review::new_form))
        .route("/drafts/{id}", get(review::detail))
        .route("/drafts/{id}/submit", post(review::submit))
        .route("/drafts/{id}/approve", post(review::approve))
        .route("/drafts/{id}/return", post(review::send_back))
        .route("/drafts/{id}/publish", post(review::publish))
        .route("/drafts/{id}/proofread", post(review::proofread))
        .route("/drafts/{id}/override", post(review::override_finding))
        .route("/publications", get(review::publications))
        .route("/publications/export.xlsx", get(review::export_publications))
        .route("/publications/{id}/verify", get(review::verify))
        .route("/reviewers", get(review::reviewers).post(review::assign))
        .route("/reviewers/{id}/remove", post(review::unassign))
        .route("/teams", get(teams::view).post(teams::add_member))
        .route("/teams/members/{id}/leave", post(teams::leave))
        .route("/teams/members/{id}/contributions", post(teams::contribute))
        .route("/teams/trainings", post(teams::add_training))
        .route("/teams/export.xlsx", get(teams::export))
        .route("/coverage", get(coverage::list).post(coverage::create))
        .route("/coverage/export.xlsx", get(coverage::export))
}

pub(crate) fn fact_link(key: &str, unit: UnitId, from: NaiveDate, until: NaiveDate) -> String {
    crate::pages::facts::fact_href(key, unit, shoutu_domain::fact::DateRange::new(from, until))
}

pub struct PlatformRow {
    pub platform: Platform,
    pub status: InspectionStatus,
}

fn with_status(platforms: Vec<Platform>, today: NaiveDate) -> Vec<PlatformRow> {
    platforms
        .into_iter()
        .map(|p| PlatformRow {
            status: RULES.status(p.kind, p.registered_on, p.last_inspected, today),
            platform: p,
        })
        .collect()
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    /// "overdue" or "current".
    #[serde(default)]
    status: String,
    /// "unit" (default), "kind", "name", "last", "due".
    #[serde(default)]
    sort: String,
    page: Option<String>,
}

impl ListQuery {
    fn query(&self) -> String {
        query_string(&[
            ("unit", &self.unit),
            ("kind", &self.kind),
            ("name", &self.name),
            ("status", &self.status),
            ("sort", &self.sort),
        ])
    }
}

/// The platforms a list shows, filtered and sorted, before paging.
async fn listed(state: &AppState, auth: &Auth, q: &ListQuery) -> Result<Vec<PlatformRow>, AppError> {
    let unit = opt_int("单位", Some(&q.unit))?.map(UnitId);
    let kind = match q.kind.trim() {
        "" => None,
        k => Some(
            k.parse::<PlatformKind>()
                .map_err(|e| AppError::BadRequest(e.to_string()))?,
        ),
    };
    let filter = PlatformFilter {
        unit,
        kind,
        name: Some(q.name.clone()),
    };
    let mut rows = with_status(state.store.platforms(&auth.scope, &filter).await?, state.today());
    match q.status.as_str() {
        "overdue" => rows.retain(|r| r.status.is_overdue()),
        "current" => rows.retain(|r| !r.status.is_overdue()),
        _ => {}
    }
    match q.sort.as_str() {
        "kind" => rows.sort_by_key(|r| r.platform.kind),
        "name" => rows.sort_by(|a, b| a.platform.name.cmp(&b.platform.name)),
        "last" => rows.sort_by_key(|r| r.platform.last_inspected),
        "due" => rows.sort_by_key(|r| r.status.due()),
        _ => {}
    }
    Ok(rows)
}

pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
}

fn kind_options() -> Vec<KindOption> {
    PlatformKind::ALL
        .into_iter()
        .map(|k| KindOption {
            code: k.code(),
            label: k.label(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    units: Vec<UnitOption>,
    kinds: Vec<KindOption>,
    rows: Vec<PlatformRow>,
    pager: Pager,
    export_query: String,
    can_write: bool,
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<ListPage, AppError> {
    let all = listed(&state, &auth, &q).await?;
    let request = PageRequest::new(crate::extract::opt_page(q.page.as_deref())?, None);
    let total = all.len() as i64;
    let rows: Vec<PlatformRow> = all
        .into_iter()
        .skip(request.offset() as usize)
        .take(request.per_page as usize)
        .collect();
    let page = Page {
        items: Vec::<()>::new(),
        total,
        page: request.page,
        per_page: request.per_page,
    };
    let base = q.query();
    Ok(ListPage {
        chrome: chrome(&state, &auth, NAV, "阵地台账").await?,
        units: unit_options(&state.store.unit_tree(&auth.scope).await?),
        kinds: kind_options(),
        pager: Pager::new(&page, &base),
        export_query: base,
        rows,
        q,
        can_write: auth.can(Action::Write),
    })
}

fn export_row(r: &PlatformRow, unit_codes: &HashMap<UnitId, String>) -> Vec<String> {
    let p = &r.platform;
    vec![
        unit_codes.get(&p.unit_id).cloned().unwrap_or_default(),
        p.kind.label().to_string(),
        p.name.clone(),
        p.account.clone(),
        p.answerable_name.clone().unwrap_or_default(),
        p.admins.clone(),
        p.members.map(|m| m.to_string()).unwrap_or_default(),
        p.filing.label().to_string(),
        p.registered_on.to_string(),
        p.notes.clone(),
        p.unit_name.clone(),
        p.last_inspected
            .map(|d| d.to_string())
            .unwrap_or_else(|| "从未巡查".into()),
        r.status.label().to_string(),
    ]
}

fn columns() -> Vec<&'static str> {
    platform_xlsx::IMPORT_COLUMNS
        .iter()
        .chain(platform_xlsx::INFO_COLUMNS.iter())
        .copied()
        .collect()
}

/// What the list shows (all pages), with the import columns first so the file imports again.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let rows = listed(&state, &auth, &q).await?;
    let codes: HashMap<UnitId, String> = state
        .store
        .unit_tree(&auth.scope)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let body: Vec<Vec<String>> = rows.iter().map(|r| export_row(r, &codes)).collect();
    table_download("阵地台账", &columns(), &body)
}

pub async fn template(State(state): State<AppState>, auth: Auth) -> Result<Response, AppError> {
    let here = state.store.unit(&auth.scope, auth.scope.root).await?;
    let example = vec![
        here.code.clone(),
        "微信群".into(),
        format!("{}工作群", here.name),
        "群号 12345678".into(),
        String::new(),
        "张三、李四".into(),
        "200".into(),
        "无需备案".into(),
        state.today().to_string(),
        String::new(),
    ];
    let bytes = shoutu_report::table_xlsx::write("阵地台账", &platform_xlsx::IMPORT_COLUMNS, &[example])
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(xlsx_download(bytes, "阵地台账导入模板.xlsx"))
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/import.html")]
pub(crate) struct ImportPage {
    chrome: Chrome,
    problems: Vec<String>,
    imported: Option<usize>,
    unit_name: String,
    kinds: Vec<KindOption>,
}

async fn import_page(
    state: &AppState,
    auth: &Auth,
    problems: Vec<String>,
    imported: Option<usize>,
) -> Result<ImportPage, AppError> {
    let here = state.store.unit(&auth.scope, auth.scope.root).await?;
    Ok(ImportPage {
        chrome: chrome(state, auth, NAV, "导入阵地台账").await?,
        problems,
        imported,
        unit_name: here.name,
        kinds: kind_options(),
    })
}

pub async fn import_form(State(state): State<AppState>, auth: Auth) -> Result<ImportPage, AppError> {
    auth.require(Action::Write)?;
    import_page(&state, &auth, Vec::new(), None).await
}

async fn all_people(state: &AppState, auth: &Auth) -> Result<Vec<Person>, AppError> {
    let filter = PeopleFilter {
        unit: None,
        include_subunits: true,
        name: None,
    };
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let got = state
            .store
            .people(
                &auth.scope,
                &filter,
                PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE)),
            )
            .await?;
        let pages = got.pages();
        out.extend(got.items);
        if page >= pages {
            return Ok(out);
        }
        page += 1;
    }
}

pub async fn import_submit(
    State(state): State<AppState>,
    auth: Auth,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let form = upload::read(multipart).await?;
    let Some(file) = form.files.first() else {
        return Ok(unprocessable(
            import_page(&state, &auth, vec!["请选择要导入的 Excel 文件".into()], None).await?,
        ));
    };
    let file_name = file.file_name.clone();
    // Reading a workbook is CPU work on untrusted bytes: off the async threads.
    let bytes = file.bytes.clone();
    let read = tokio::task::spawn_blocking(move || platform_xlsx::read_platforms(&bytes))
        .await
        .map_err(|e| AppError::Internal(format!("读取 Excel 文件失败：{e}")))?;
    let sheet = match read {
        Ok(sheet) => sheet,
        Err(fatal) => {
            let text = vec![format!("文件「{file_name}」{fatal}")];
            return Ok(unprocessable(import_page(&state, &auth, text, None).await?));
        }
    };
    let units: HashMap<String, UnitId> = state
        .store
        .unit_tree(&auth.scope)
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();
    let people = all_people(&state, &auth).await?;
    let today = state.today();
    let mut problems: Vec<(usize, String)> = sheet.problems.iter().map(|p| (p.row, p.to_string())).collect();
    let mut ready = Vec::new();
    for row in sheet.rows {
        let at = |column: &str, reason: String| (row.row, format!("第 {} 行「{column}」：{reason}", row.row));
        let unit = if row.unit_code.is_empty() {
            Some(auth.scope.root)
        } else {
            units.get(&row.unit_code).copied()
        };
        let Some(unit) = unit else {
            problems.push(at(
                "单位代码",
                format!("「{}」不是您管辖范围内的单位代码", row.unit_code),
            ));
            continue;
        };
        let answerable = if row.answerable.is_empty() {
            None
        } else {
            let found: Vec<&Person> = people
                .iter()
                .filter(|p| p.name == row.answerable && p.unit_id == unit)
                .collect();
            match found.as_slice() {
                [one] => Some(one.id),
                [] => {
                    problems.push(at("负责人", format!("「{}」不是该单位登记的人员", row.answerable)));
                    continue;
                }
                _ => {
                    problems.push(at(
                        "负责人",
                        format!("该单位有多位「{}」，请在系统中逐条登记", row.answerable),
                    ));
                    continue;
                }
            }
        };
        match NewPlatform::parse(
            unit,
            row.kind.code(),
            &row.name,
            &row.account,
            answerable,
            &row.admins,
            &row.members,
            &row.filing,
            &row.registered_on,
            &row.notes,
            today,
        ) {
            Ok(p) => ready.push(p),
            Err(e) => problems.push(at(&e.field, e.message)),
        }
    }
    if ready.is_empty() && problems.is_empty() {
        problems.push((0, "文件中没有数据行".into()));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|(row, _)| *row);
        let text = problems
            .into_iter()
            .map(|(_, p)| format!("文件「{file_name}」{p}"))
            .collect();
        return Ok(unprocessable(import_page(&state, &auth, text, None).await?));
    }
    match state.store.import_platforms(&auth.scope, ready).await {
        Ok(n) => Ok(import_page(&state, &auth, Vec::new(), Some(n)).await?.into_response()),
        Err(StoreError::Invalid(e) | StoreError::Conflict(e)) => Ok(unprocessable(
            import_page(&state, &auth, vec![e.to_string()], None).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct PlatformForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    answerable: String,
    #[serde(default)]
    admins: String,
    #[serde(default)]
    members: String,
    #[serde(default)]
    filing: String,
    #[serde(default)]
    registered_on: String,
    #[serde(default)]
    notes: String,
}

pub struct FilingOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    units: Vec<UnitOption>,
    kinds: Vec<KindOption>,
    filings: Vec<FilingOption>,
    people: Vec<Person>,
    values: PlatformForm,
    /// The platform being edited; a new one when `None`.
    editing: Option<i64>,
    error: Option<FieldError>,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    values: PlatformForm,
    editing: Option<i64>,
    error: Option<FieldError>,
) -> Result<FormPage, AppError> {
    Ok(FormPage {
        chrome: chrome(
            state,
            auth,
            NAV,
            if editing.is_some() {
                "修改阵地"
            } else {
                "登记阵地"
            },
        )
        .await?,
        editing,
        units: unit_options(&state.store.unit_tree(&auth.scope).await?),
        kinds: kind_options(),
        filings: Filing::ALL
            .into_iter()
            .map(|f| FilingOption {
                code: f.code(),
                label: f.label(),
            })
            .collect(),
        people: all_people(state, auth).await?,
        values,
        error,
    })
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    let values = PlatformForm {
        unit: auth.scope.root.to_string(),
        registered_on: state.today().to_string(),
        filing: Filing::Pending.code().into(),
        ..Default::default()
    };
    form_page(&state, &auth, values, None, None).await
}

pub async fn edit_form(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    let p = state.store.platform(&auth.scope, id).await?;
    let values = PlatformForm {
        unit: p.unit_id.to_string(),
        kind: p.kind.code().into(),
        name: p.name,
        account: p.account,
        answerable: p.answerable.map(|x| x.0.to_string()).unwrap_or_default(),
        admins: p.admins,
        members: p.members.map(|m| m.to_string()).unwrap_or_default(),
        filing: p.filing.code().into(),
        registered_on: p.registered_on.to_string(),
        notes: p.notes,
    };
    form_page(&state, &auth, values, Some(id), None).await
}

fn parse_form(state: &AppState, auth: &Auth, form: &PlatformForm) -> Result<Result<NewPlatform, FieldError>, AppError> {
    let unit = opt_int("所属单位", Some(&form.unit))?.map_or(auth.scope.root, UnitId);
    let answerable = opt_int("负责人", Some(&form.answerable))?.map(shoutu_domain::PersonId);
    Ok(NewPlatform::parse(
        unit,
        &form.kind,
        &form.name,
        &form.account,
        answerable,
        &form.admins,
        &form.members,
        &form.filing,
        &form.registered_on,
        &form.notes,
        state.today(),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PlatformForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match parse_form(&state, &auth, &form)? {
        Ok(p) => settle(state.store.create_platform(&auth.scope, p).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(p) => Ok(see_other(format!("/platforms/{}?saved=1", p.id))),
        Submitted::Fix(e) => Ok(unprocessable(form_page(&state, &auth, form, None, Some(e)).await?)),
    }
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<PlatformForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match parse_form(&state, &auth, &form)? {
        Ok(p) => settle(state.store.update_platform(&auth.scope, id, p).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/platforms/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(form_page(&state, &auth, form, Some(id), Some(e)).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    row: PlatformRow,
    interval: i64,
    inspections: Vec<Inspection>,
    today: String,
    inspector: String,
    can_write: bool,
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
    let platform = state.store.platform(&auth.scope, id).await?;
    let inspections = state.store.platform_inspections(&auth.scope, id).await?;
    let row = with_status(vec![platform], state.today()).remove(0);
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, row.platform.name.clone()).await?,
        interval: RULES.interval_days(row.platform.kind),
        row,
        inspections,
        today: state.today().to_string(),
        inspector: auth.user.person_name.clone(),
        can_write: auth.can(Action::Write),
        saved,
        error,
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

#[derive(Deserialize, Default)]
pub struct InspectionForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    inspector: String,
    #[serde(default)]
    membership_cleaned: Option<String>,
    #[serde(default)]
    posts_handled: Option<String>,
    #[serde(default)]
    content_archived: Option<String>,
    #[serde(default)]
    findings: String,
}

pub async fn inspect(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<InspectionForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let parsed = NewInspection::parse(
        id,
        &form.date,
        &form.inspector,
        form.membership_cleaned.is_some(),
        form.posts_handled.is_some(),
        form.content_archived.is_some(),
        &form.findings,
        state.today(),
    );
    let outcome = match parsed {
        Ok(i) => settle(state.store.add_inspection(&auth.scope, i).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/platforms/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(&state, &auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

pub struct KindStatus {
    pub label: &'static str,
    pub code: &'static str,
    pub total: usize,
    pub overdue: usize,
}

pub struct FactCard {
    pub label: &'static str,
    pub value: String,
    pub word: &'static str,
    pub link: String,
}

pub struct MonthBar {
    pub month: u32,
    pub count: usize,
    pub x: u32,
    pub y: u32,
    pub height: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/dashboard.html")]
pub(crate) struct DashboardPage {
    chrome: Chrome,
    year: i32,
    cards: Vec<FactCard>,
    kinds: Vec<KindStatus>,
    stages: Vec<review::StageLoad>,
    bars: Vec<MonthBar>,
    max_month: usize,
    levels: Vec<FactCard>,
}

async fn card(
    state: &AppState,
    auth: &Auth,
    key: &str,
    label: &'static str,
    word: &'static str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<FactCard, AppError> {
    let unit = auth.scope.root;
    let fact = state
        .store
        .fact(&auth.scope, key, unit, shoutu_domain::fact::DateRange::new(from, until))
        .await?;
    Ok(FactCard {
        label,
        value: fact.display(),
        word: if fact.value.is_some() { word } else { "" },
        link: fact_link(key, unit, from, until),
    })
}

pub async fn dashboard(State(state): State<AppState>, auth: Auth) -> Result<DashboardPage, AppError> {
    let today = state.today();
    let year = today.year();
    let (from, until) = review::year_bounds(year);
    let mut cards = Vec::new();
    for (key, label, word) in [
        ("platform.count", "阵地", "个"),
        ("platform.overdue_inspection", "逾期未巡查", "个"),
        ("platform.inspected_rate", "按期巡查率", "%"),
        ("review.published", "今年经三审三校发布", "篇"),
        ("review.avg_days", "审核平均用时", "天"),
        ("media.coverage_all", "今年媒体刊发", "条"),
        ("team.members", "队伍人数", "人"),
        ("team.trainings", "今年队伍培训", "次"),
    ] {
        cards.push(card(&state, &auth, key, label, word, from, until).await?);
    }
    let platforms = with_status(
        state.store.platforms(&auth.scope, &PlatformFilter::default()).await?,
        today,
    );
    let kinds = PlatformKind::ALL
        .into_iter()
        .map(|k| {
            let here: Vec<&PlatformRow> = platforms.iter().filter(|r| r.platform.kind == k).collect();
            KindStatus {
                label: k.label(),
                code: k.code(),
                total: here.len(),
                overdue: here.iter().filter(|r| r.status.is_overdue()).count(),
            }
        })
        .collect();
    let months = review::per_month(&state, &auth, year).await?;
    let max_month = months.iter().copied().max().unwrap_or(0);
    const HEIGHT: u32 = 120;
    let bars = (1..=12u32)
        .map(|m| {
            let count = months[(m - 1) as usize];
            let height = if max_month == 0 {
                0
            } else {
                count as u32 * HEIGHT / max_month as u32
            };
            MonthBar {
                month: m,
                count,
                x: (m - 1) * 40 + 8,
                y: HEIGHT - height + 16,
                height,
            }
        })
        .collect();
    let mut levels = Vec::new();
    for level in shoutu_domain::coverage::MediaLevel::ALL {
        let key = format!("media.coverage:{}", level.label());
        let mut c = card(&state, &auth, &key, level.label(), "条", from, until).await?;
        c.link = fact_link(&key, auth.scope.root, from, until);
        levels.push(c);
    }
    Ok(DashboardPage {
        chrome: chrome(&state, &auth, NAV, "阵地管理").await?,
        year,
        cards,
        kinds,
        stages: review::stage_load(&state, &auth).await?,
        bars,
        max_month,
        levels,
    })
}
