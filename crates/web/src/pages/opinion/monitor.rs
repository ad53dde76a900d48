//! Monitoring: events and their posts (hits highlighted), alerts and notifications, schemes
//! with rule errors shown where they are, the unit's alert settings, and sources with push
//! tokens.

use super::{NAV, level_css, local};
use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::csrf::{random_token, token_hash};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::{Pager, SavedQuery, Submitted, query_string, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use shoutu_domain::opinion::SeverityLevel;
use shoutu_domain::{Action, FieldError, PageRequest, Unit, UnitId};
use shoutu_store::{Alert, EventFilter, NewSource, OpinionEvent, OpinionSettings, Scheme, Source};
use shoutu_text::monitor::{RuleId, RuleSet};

pub struct EventRow {
    pub event: OpinionEvent,
    pub css: &'static str,
    pub first_seen: String,
    pub last_seen: String,
    pub platforms: String,
}

fn event_row(event: OpinionEvent) -> EventRow {
    EventRow {
        css: level_css(event.level),
        first_seen: local(event.first_seen),
        last_seen: local(event.last_seen),
        platforms: event
            .platforms
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect::<Vec<_>>()
            .join("、"),
        event,
    }
}

#[derive(Deserialize)]
pub struct EventsQuery {
    level: Option<String>,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/events.html")]
pub(crate) struct EventsPage {
    chrome: Chrome,
    events: Vec<EventRow>,
    level: String,
    levels: Vec<(&'static str, &'static str)>,
    pager: Pager,
}

pub async fn events(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EventsQuery>,
) -> Result<EventsPage, AppError> {
    let level = q.level.unwrap_or_default();
    let filter = EventFilter {
        min_level: SeverityLevel::from_code(&level),
        since: None,
    };
    let request = PageRequest::new(crate::extract::opt_page(q.page.as_deref())?, None);
    let page = state.store.opinion_events(&auth.scope, &filter, request).await?;
    let pager = Pager::new(&page, &query_string(&[("level", &level)]));
    Ok(EventsPage {
        chrome: chrome(&state, &auth, NAV, "舆情事件").await?,
        events: page.items.into_iter().map(event_row).collect(),
        level,
        levels: SeverityLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        pager,
    })
}

pub struct PostView {
    pub platform: String,
    pub author: String,
    pub url: String,
    /// The address as a link, only when it is http(s): a pushed `javascript:` or `data:`
    /// address is shown as text.
    pub link: Option<String>,
    pub at: String,
    pub title: Option<String>,
    /// Escaped text with the keyword hits wrapped in <mark>.
    pub html: String,
}

/// A pushed post's address as an `href`, if it is an http(s) address.
pub(crate) fn web_link(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Escapes the text first, then wraps the hit spans (character offsets into the original
/// text) in <mark>: the only markup in the result is ours.
pub(crate) fn highlight(text: &str, spans: &[(usize, usize)]) -> String {
    let mut marks: Vec<(usize, usize)> = spans.to_vec();
    marks.sort_unstable();
    let mut out = String::with_capacity(text.len() + 16 * marks.len());
    let mut open_until: Option<usize> = None;
    let mut next = 0;
    for (i, c) in text.chars().enumerate() {
        if open_until == Some(i) {
            out.push_str("</mark>");
            open_until = None;
        }
        while next < marks.len() && marks[next].1 <= i {
            next += 1;
        }
        if open_until.is_none() && next < marks.len() && marks[next].0 <= i {
            // Merge overlapping spans into one mark.
            let mut end = marks[next].1;
            let mut k = next + 1;
            while k < marks.len() && marks[k].0 <= end {
                end = end.max(marks[k].1);
                k += 1;
            }
            out.push_str("<mark>");
            open_until = Some(end);
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    if open_until.is_some() {
        out.push_str("</mark>");
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/event.html")]
pub(crate) struct EventPage {
    chrome: Chrome,
    row: EventRow,
    scheme_rule: String,
    posts: Vec<PostView>,
    alert: Option<Alert>,
    can_write: bool,
}

pub async fn event(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<EventPage, AppError> {
    let event = state.store.opinion_event(&auth.scope, id).await?;
    let scheme = state.store.scheme(&auth.scope, event.scheme_id).await.ok();
    let rule = scheme.as_ref().map(|s| s.rule.clone()).unwrap_or_default();
    let rules = RuleSet::compile([(RuleId(0), rule.as_str())]).ok();
    let posts = state.store.event_posts(&auth.scope, id, 200).await?;
    let spans = |text: &str| -> Vec<(usize, usize)> {
        rules
            .as_ref()
            .map(|r| r.matches(text).into_iter().flat_map(|m| m.spans).collect())
            .unwrap_or_default()
    };
    let posts = posts
        .into_iter()
        .map(|p| PostView {
            html: highlight(&p.text, &spans(&p.text)),
            platform: p.platform,
            author: p.author.unwrap_or_default(),
            link: web_link(&p.url),
            url: p.url,
            at: local(p.published_at),
            title: p.title,
        })
        .collect();
    let alert = state
        .store
        .alerts(&auth.scope, 500)
        .await?
        .into_iter()
        .find(|a| a.event_id == id);
    Ok(EventPage {
        chrome: chrome(&state, &auth, NAV, "舆情事件").await?,
        row: event_row(event),
        scheme_rule: rule,
        posts,
        alert,
        can_write: auth.can(Action::Write),
    })
}

pub struct AlertView {
    pub alert: Alert,
    pub css: &'static str,
    pub at: String,
}

fn alert_views(alerts: Vec<Alert>) -> Vec<AlertView> {
    alerts
        .into_iter()
        .map(|alert| AlertView {
            css: level_css(alert.level),
            at: local(alert.created_at),
            alert,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/alerts.html")]
pub(crate) struct AlertsPage {
    chrome: Chrome,
    mine: Vec<AlertView>,
    all: Vec<AlertView>,
    unread: i64,
    can_write: bool,
}

pub async fn alerts(State(state): State<AppState>, auth: Auth) -> Result<AlertsPage, AppError> {
    let mine = state.store.notifications(&auth.scope, 50).await?;
    let all = state.store.alerts(&auth.scope, 100).await?;
    Ok(AlertsPage {
        chrome: chrome(&state, &auth, NAV, "舆情预警").await?,
        unread: state.store.unread_notifications(&auth.scope).await?,
        mine: alert_views(mine),
        all: alert_views(all),
        can_write: auth.can(Action::Write),
    })
}

pub async fn mark_read(State(state): State<AppState>, auth: Auth) -> Result<Response, AppError> {
    state.store.mark_notifications_read(&auth.scope).await?;
    Ok(see_other("/opinion/alerts"))
}

#[derive(Deserialize, Default, Clone)]
pub struct SchemeForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    topic_weight: String,
    #[serde(default)]
    active: Option<String>,
}

/// Where in the rule the error points, for showing it under the rule with a caret.
pub struct RuleErrorView {
    pub message: String,
    pub before: String,
    pub at: String,
    pub after: String,
}

fn rule_error(rule: &str, error: &FieldError) -> Option<RuleErrorView> {
    if error.field != "监测规则" {
        return None;
    }
    let position = shoutu_text::monitor::parse_rule(rule.trim()).err()?.position()?;
    let chars: Vec<char> = rule.trim().chars().collect();
    let i = position.saturating_sub(1).min(chars.len());
    Some(RuleErrorView {
        message: error.message.to_string(),
        before: chars[..i].iter().collect(),
        at: chars.get(i).map_or("␣".to_string(), |c| c.to_string()),
        after: chars.get(i + 1..).map_or(String::new(), |r| r.iter().collect()),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/schemes.html")]
pub(crate) struct SchemesPage {
    chrome: Chrome,
    schemes: Vec<Scheme>,
    units: Vec<Unit>,
    editing: Option<i64>,
    values: SchemeForm,
    error: Option<FieldError>,
    rule_error: Option<RuleErrorView>,
    settings: OpinionSettings,
    levels: Vec<(&'static str, &'static str)>,
    can_write: bool,
    can_admin: bool,
    saved: bool,
}

async fn schemes_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<i64>,
    values: SchemeForm,
    error: Option<FieldError>,
    saved: bool,
) -> Result<SchemesPage, AppError> {
    let rule_error = error.as_ref().and_then(|e| rule_error(&values.rule, e));
    Ok(SchemesPage {
        chrome: chrome(state, auth, NAV, "监测方案").await?,
        schemes: state.store.schemes(&auth.scope).await?,
        units: state
            .store
            .unit_tree(&auth.scope)
            .await?
            .into_iter()
            .filter(|u| u.depth <= 2)
            .collect(),
        editing,
        values,
        error,
        rule_error,
        settings: state.store.opinion_settings(&auth.scope, auth.scope.root).await?,
        levels: SeverityLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        can_write: auth.can(Action::Write),
        can_admin: auth.can(Action::ManageUnits),
        saved,
    })
}

pub async fn schemes(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SavedQuery>,
) -> Result<SchemesPage, AppError> {
    let values = SchemeForm {
        unit: auth.scope.root.to_string(),
        topic_weight: "1".into(),
        active: Some("1".into()),
        ..Default::default()
    };
    schemes_page(&state, &auth, None, values, None, q.saved.is_some()).await
}

pub async fn scheme_form(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<SchemesPage, AppError> {
    let s = state.store.scheme(&auth.scope, id).await?;
    let values = SchemeForm {
        unit: s.unit_id.to_string(),
        name: s.name,
        rule: s.rule,
        topic_weight: s.topic_weight.to_string(),
        active: s.active.then(|| "1".to_string()),
    };
    schemes_page(&state, &auth, Some(id), values, None, false).await
}

async fn save_scheme(state: AppState, auth: Auth, id: Option<i64>, form: SchemeForm) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let unit = form.unit.trim().parse::<i64>().map(UnitId).unwrap_or(auth.scope.root);
    let parsed =
        shoutu_text::monitor::parse_scheme(unit, &form.name, &form.rule, &form.topic_weight, form.active.is_some());
    let outcome = match parsed {
        Ok(s) => settle(state.store.save_scheme(&auth.scope, id, s).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/opinion/schemes?saved=1")),
        Submitted::Fix(e) => Ok(unprocessable(
            schemes_page(&state, &auth, id, form, Some(e), false).await?,
        )),
    }
}

pub async fn create_scheme(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<SchemeForm>,
) -> Result<Response, AppError> {
    save_scheme(state, auth, None, form).await
}

pub async fn update_scheme(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<SchemeForm>,
) -> Result<Response, AppError> {
    save_scheme(state, auth, Some(id), form).await
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    alert_level: String,
    #[serde(default)]
    webhook_url: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUnits)?;
    let parsed = OpinionSettings::parse(&form.alert_level, &form.webhook_url);
    let parsed = match parsed {
        // The server must not become a probe of itself or the intranet (see `webhook`).
        Ok(s) if !s.webhook_url.is_empty() => crate::webhook::check(&s.webhook_url, &state.config.webhook_allow)
            .await
            .map(|_| s)
            .map_err(|m| FieldError::new("推送地址", m)),
        other => other,
    };
    let outcome = match parsed {
        Ok(s) => settle(state.store.save_opinion_settings(&auth.scope, auth.scope.root, s).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(()) => Ok(see_other("/opinion/schemes?saved=1")),
        Submitted::Fix(e) => Ok(unprocessable(
            schemes_page(&state, &auth, None, SchemeForm::default(), Some(e), false).await?,
        )),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/sources.html")]
pub(crate) struct SourcesPage {
    chrome: Chrome,
    sources: Vec<Source>,
    /// A token just issued: shown this once.
    issued: Option<(String, String)>,
    error: Option<FieldError>,
    can_admin: bool,
    push_path: &'static str,
}

async fn sources_page(
    state: &AppState,
    auth: &Auth,
    issued: Option<(String, String)>,
    error: Option<FieldError>,
) -> Result<SourcesPage, AppError> {
    Ok(SourcesPage {
        chrome: chrome(state, auth, NAV, "信息源").await?,
        sources: state.store.sources(&auth.scope).await?,
        issued,
        error,
        can_admin: auth.can(Action::ManageUnits),
        push_path: super::push::PATH,
    })
}

pub async fn sources(State(state): State<AppState>, auth: Auth) -> Result<SourcesPage, AppError> {
    sources_page(&state, &auth, None, None).await
}

#[derive(Deserialize)]
pub struct SourceForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    platform: String,
}

pub async fn create_source(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUnits)?;
    let outcome = match NewSource::parse(auth.scope.root, &form.name, &form.platform) {
        Ok(s) => settle(state.store.create_source(&auth.scope, s).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/opinion/sources")),
        Submitted::Fix(e) => Ok(unprocessable(sources_page(&state, &auth, None, Some(e)).await?)),
    }
}

/// Issues (or replaces) a source's push token and shows it once; only its hash is stored.
pub async fn issue_token(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<SourcesPage, AppError> {
    auth.require(Action::ManageUnits)?;
    let token = random_token();
    let source = state
        .store
        .set_source_token(&auth.scope, id, &token_hash(&token))
        .await?;
    sources_page(&state, &auth, Some((source.name, token)), None).await
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn highlighting_escapes_first_and_marks_hits() {
        assert_eq!(highlight("a<b>拆迁c", &[(4, 6)]), "a&lt;b&gt;<mark>拆迁</mark>c");
        assert_eq!(highlight("拆迁补偿", &[(0, 2), (1, 4)]), "<mark>拆迁补偿</mark>");
        assert_eq!(highlight("<script>", &[]), "&lt;script&gt;");
        assert_eq!(highlight("上访", &[(0, 2)]), "<mark>上访</mark>");
    }
}
