//! The 舆情 dashboard: open incidents by level and age, what is overdue and reported up,
//! events over the last two weeks (server-drawn SVG), response times per unit (median and
//! P90 against the deadline) and risk points by level. Supervisors see their whole subtree.

use super::handling::{IncidentRow, incident_row};
use super::{NAV, level_css};
use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::error::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{Datelike, Duration, NaiveDate};
use shoutu_domain::opinion::{RiskLevel, RiskStatus, SeverityLevel};
use shoutu_domain::{PageRequest, UnitId};
use shoutu_store::EventFilter;
use std::collections::BTreeMap;

pub struct LevelCount {
    pub label: &'static str,
    pub css: &'static str,
    pub count: usize,
}

pub struct DayBar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub count: usize,
    pub label: String,
    pub day: String,
}

pub struct UnitTimes {
    pub unit: String,
    pub incidents: usize,
    pub median: String,
    pub p90: String,
    pub on_time: String,
    pub link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/dashboard.html")]
pub(crate) struct DashboardPage {
    chrome: Chrome,
    by_level: Vec<LevelCount>,
    open: Vec<IncidentRow>,
    reported: Vec<IncidentRow>,
    bars: Vec<DayBar>,
    events_total: usize,
    times: Vec<UnitTimes>,
    risks_by_level: Vec<(&'static str, usize)>,
    risks_overdue: usize,
    unread: i64,
    facts: Vec<(String, String, String)>,
}

const DAYS: i64 = 14;
const CHART_HEIGHT: u32 = 100;

/// The value below which `share` of the sorted values lie (nearest rank).
fn percentile(sorted: &[f64], share: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn hours(v: Option<f64>) -> String {
    v.map_or_else(|| "（无数据）".to_string(), |h| format!("{h:.1} 小时"))
}

fn fact_link(key: &str, unit: UnitId, from: NaiveDate, until: NaiveDate) -> String {
    crate::pages::facts::fact_href(key, unit, shoutu_domain::fact::DateRange::new(from, until))
}

pub async fn view(State(state): State<AppState>, auth: Auth) -> Result<DashboardPage, AppError> {
    let now = state.clock.now();
    let today = state.today();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("a valid year");
    let all = state.store.incidents(&auth.scope, false).await?;
    let rows: Vec<IncidentRow> = all.iter().cloned().map(|i| incident_row(i, now)).collect();

    let mut open: Vec<IncidentRow> = rows
        .iter()
        .filter(|r| r.incident.stage.is_open())
        .map(|r| incident_row(r.incident.clone(), now))
        .collect();
    open.sort_by_key(|r| std::cmp::Reverse(r.age_hours));
    let by_level = SeverityLevel::ALL
        .iter()
        .rev()
        .map(|l| LevelCount {
            label: l.label(),
            css: level_css(*l),
            count: open.iter().filter(|r| r.incident.level == *l).count(),
        })
        .collect();
    // Reported up: overdue incidents of the units below the one looking.
    let reported = open
        .iter()
        .filter(|r| r.late && r.incident.unit_id != auth.scope.root)
        .map(|r| incident_row(r.incident.clone(), now))
        .collect();

    let since = crate::time::day_start(today - Duration::days(DAYS - 1));
    let filter = EventFilter {
        min_level: None,
        since: Some(since),
    };
    let events = state
        .store
        .opinion_events(
            &auth.scope,
            &filter,
            PageRequest::new(None, Some(PageRequest::MAX_PER_PAGE)),
        )
        .await?;
    let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for e in &events.items {
        *per_day.entry(crate::time::local_date(e.first_seen)).or_default() += 1;
    }
    let max = per_day.values().copied().max().unwrap_or(0).max(1);
    let bars = (0..DAYS)
        .map(|i| {
            let day = today - Duration::days(DAYS - 1 - i);
            let count = per_day.get(&day).copied().unwrap_or(0);
            let height = (count as u32 * CHART_HEIGHT) / max as u32;
            DayBar {
                x: 8 + i as u32 * 34,
                y: 10 + CHART_HEIGHT - height,
                height,
                count,
                label: format!("{}/{}", day.month(), day.day()),
                day: day.to_string(),
            }
        })
        .collect();

    let mut per_unit: BTreeMap<(String, i64), Vec<&shoutu_domain::opinion::Incident>> = BTreeMap::new();
    for i in all
        .iter()
        .filter(|i| crate::time::local_date(i.discovered_at) >= year_start)
    {
        per_unit.entry((i.unit_name.clone(), i.unit_id.0)).or_default().push(i);
    }
    let times = per_unit
        .into_iter()
        .map(|((unit, id), list)| {
            let mut hs: Vec<f64> = list.iter().filter_map(|i| i.response_hours()).collect();
            hs.sort_by(f64::total_cmp);
            let judged: Vec<bool> = list
                .iter()
                .filter_map(|i| match i.responded_at {
                    Some(at) => Some(at <= i.deadlines.first_response),
                    None if now > i.deadlines.first_response => Some(false),
                    None => None,
                })
                .collect();
            let on_time = if judged.is_empty() {
                "（无数据）".to_string()
            } else {
                format!(
                    "{:.0}%",
                    judged.iter().filter(|b| **b).count() as f64 * 100.0 / judged.len() as f64
                )
            };
            UnitTimes {
                unit,
                incidents: list.len(),
                median: hours(percentile(&hs, 0.5)),
                p90: hours(percentile(&hs, 0.9)),
                on_time,
                link: fact_link("opinion.first_response_hours", UnitId(id), year_start, today),
            }
        })
        .collect();

    let risks = state.store.risks(&auth.scope).await?;
    let open_risks: Vec<_> = risks.iter().filter(|r| r.status == RiskStatus::Open).collect();
    let risks_by_level = RiskLevel::ALL
        .iter()
        .map(|l| (l.label(), open_risks.iter().filter(|r| r.level == *l).count()))
        .collect();
    let root = auth.scope.root;
    let facts = vec![
        ("办结舆情", "opinion.incidents"),
        ("首次响应中位数", "opinion.first_response_hours"),
        ("按时响应率", "opinion.on_time_rate"),
        ("在管风险点", "opinion.risk_points_open"),
        ("群众诉求", "opinion.grievances"),
    ];
    let mut fact_rows = Vec::new();
    for (label, key) in facts {
        let range = shoutu_domain::fact::DateRange::new(year_start, today);
        let fact = state.store.fact(&auth.scope, key, root, range).await?;
        let word = shoutu_domain::fact::definition(key).map_or("", |d| d.measure_word);
        let shown = if fact.value.is_some() {
            format!("{} {word}", fact.display())
        } else {
            fact.display()
        };
        fact_rows.push((label.to_string(), shown, fact_link(key, root, year_start, today)));
    }
    Ok(DashboardPage {
        chrome: chrome(&state, &auth, NAV, "舆情处置").await?,
        by_level,
        open,
        reported,
        bars,
        events_total: events.items.len(),
        times,
        risks_by_level,
        risks_overdue: open_risks.iter().filter(|r| r.review_overdue(today)).count(),
        unread: state.store.unread_notifications(&auth.scope).await?,
        facts: fact_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(5.0));
        assert_eq!(percentile(&v, 0.9), Some(9.0));
        assert_eq!(percentile(&[3.0], 0.9), Some(3.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
