//! This year's ledger by type and month, for the dashboard: a bar chart of monthly totals
//! drawn as SVG on the server (no script needed, works on phones) and a table whose every
//! cell opens the records it counts.

use crate::AppState;
use crate::pages::query_string;
use chrono::{Datelike, NaiveDate};
use shoutu_domain::UnitId;
use shoutu_store::LedgerEntry;

pub struct Bar {
    pub month: u32,
    pub count: usize,
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub link: String,
}

pub struct TypeRow {
    pub name: String,
    pub cells: Vec<(usize, String)>,
    pub total: usize,
}

pub struct LedgerChart {
    pub year: i32,
    pub bars: Vec<Bar>,
    pub rows: Vec<TypeRow>,
    pub max: usize,
}

const CHART_HEIGHT: u32 = 120;
const BAR_STEP: u32 = 40;

fn month_bounds(year: i32, month: u32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a valid month");
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    (first, next.and_then(|d| d.pred_opt()).expect("a month has a last day"))
}

fn link(unit: UnitId, kind: &str, year: i32, month: u32) -> String {
    let (from, until) = month_bounds(year, month);
    let q = query_string(&[
        ("unit", &unit.to_string()),
        ("sub", "1"),
        ("type", kind),
        ("from", &from.to_string()),
        ("until", &until.to_string()),
    ]);
    format!("/activities?{q}")
}

pub fn build(state: &AppState, unit: UnitId, entries: &[LedgerEntry], today: NaiveDate) -> LedgerChart {
    let year = today.year();
    let mut totals = [0usize; 12];
    for e in entries.iter().filter(|e| e.date.year() == year) {
        totals[e.date.month0() as usize] += 1;
    }
    let max = totals.iter().copied().max().unwrap_or(0);
    let bars = (1..=12u32)
        .map(|m| {
            let count = totals[(m - 1) as usize];
            let height = if max == 0 {
                0
            } else {
                (count as u32 * CHART_HEIGHT) / max as u32
            };
            Bar {
                month: m,
                count,
                x: (m - 1) * BAR_STEP + 8,
                y: CHART_HEIGHT - height + 16,
                height,
                link: link(unit, "", year, m),
            }
        })
        .collect();
    let rows = state
        .catalogue
        .types
        .iter()
        .filter_map(|t| {
            let mut per_month = [0usize; 12];
            for e in entries
                .iter()
                .filter(|e| e.type_code == t.code && e.date.year() == year)
            {
                per_month[e.date.month0() as usize] += 1;
            }
            let total: usize = per_month.iter().sum();
            (total > 0).then(|| TypeRow {
                name: t.name.clone(),
                cells: (1..=12u32)
                    .map(|m| (per_month[(m - 1) as usize], link(unit, &t.code, year, m)))
                    .collect(),
                total,
            })
        })
        .collect();
    LedgerChart { year, bars, rows, max }
}
