//! The ledgers workbook (台账): one sheet per register, for one unit's subtree and one year.
//!
//! A register adds its sheet by writing a file here with a unit struct implementing
//! [`Ledger`] and one entry in [`LEDGERS`]. The sheets are written alike: Chinese column
//! names in a bold frozen header row, dates as real Excel dates, numbers as numbers.

mod activities;
mod conduct;
mod coverage;
mod duties;
mod incidents;
mod letters;
mod plans;
mod platforms;
mod publications;
mod rectifications;
mod risks;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use shoutu_domain::ledger::Catalogue;
use shoutu_domain::{Scope, Unit};
use shoutu_store::{Store, StoreError};

/// Every register's sheet, in the order the workbook shows them.
pub const LEDGERS: &[&dyn Ledger] = &[
    &activities::Activities,
    &letters::Letters,
    &duties::Duties,
    &plans::Plans,
    &conduct::Conduct,
    &incidents::Incidents,
    &risks::Risks,
    &risks::Grievances,
    &platforms::Platforms,
    &publications::Publications,
    &coverage::Coverage,
    &rectifications::Rectifications,
];

/// What a sheet is built from.
pub struct LedgerContext<'a> {
    pub store: &'a dyn Store,
    /// Narrowed to `unit`'s subtree.
    pub scope: &'a Scope,
    pub unit: &'a Unit,
    pub year: i32,
    /// For states computed against a day (逾期).
    pub today: NaiveDate,
    pub catalogue: &'a Catalogue,
}

impl LedgerContext<'_> {
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 1, 1).expect("a valid year")
    }

    pub fn last_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 12, 31).expect("a valid year")
    }
}

/// The calendar day of an instant in China Standard Time, which is how the registers count days.
fn local_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(8)).date_naive()
}

/// The first instant of a China Standard Time day.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

#[async_trait]
pub trait Ledger: Sync {
    /// The sheet's name (at most 31 characters, as Excel demands).
    fn name(&self) -> &'static str;
    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Self {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}

/// One register's rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgersError {
    #[error("读取台账数据失败：{0}")]
    Store(#[from] StoreError),
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(#[from] XlsxError),
}

/// Builds every register's sheet and writes the workbook.
pub async fn workbook(cx: &LedgerContext<'_>) -> Result<Vec<u8>, LedgersError> {
    let mut sheets = Vec::with_capacity(LEDGERS.len());
    for ledger in LEDGERS {
        sheets.push((ledger.name(), ledger.sheet(cx).await?));
    }
    Ok(write(&sheets)?)
}

/// Writes named sheets into one workbook.
pub fn write(sheets: &[(&str, Sheet)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("F2F2F2");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, sheet) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
            let widest = sheet
                .rows
                .iter()
                .filter_map(|r| match r.get(c) {
                    Some(Cell::Text(t)) => Some(t.chars().count()),
                    Some(Cell::Date(_)) => Some(6),
                    _ => None,
                })
                .chain(std::iter::once(h.chars().count()))
                .max()
                .unwrap_or(8);
            // Chinese characters are about two columns wide.
            ws.set_column_width(c as u16, (widest as f64 * 2.0).clamp(8.0, 60.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    Cell::Date(d) => {
                        let excel = ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string())?;
                        ws.write_datetime_with_format(r, c, &excel, &date)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    #[test]
    fn dates_are_dates_and_the_header_stays() {
        let sheet = Sheet {
            headers: vec!["日期", "主题", "人数"],
            rows: vec![vec![
                NaiveDate::from_ymd_opt(2025, 3, 8).unwrap().into(),
                "学习".into(),
                12i64.into(),
            ]],
        };
        let bytes = write(&[("工作台账", sheet)]).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("工作台账").unwrap();
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("日期".into())));
        match range.get_value((1, 0)) {
            Some(Data::DateTime(d)) => {
                assert_eq!(
                    d.as_datetime().unwrap().date(),
                    NaiveDate::from_ymd_opt(2025, 3, 8).unwrap()
                )
            }
            other => panic!("a date cell, got {other:?}"),
        }
        assert_eq!(range.get_value((1, 2)), Some(&Data::Float(12.0)));
    }

    #[test]
    fn days_are_counted_in_china_standard_time() {
        use chrono::TimeZone;
        // 2025-12-31 17:30 UTC is already New Year's Day in China.
        let late = Utc.with_ymd_and_hms(2025, 12, 31, 17, 30, 0).unwrap();
        assert_eq!(local_date(late), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(day_start(day), Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap());
        assert_eq!(local_date(day_start(day)), day);
        assert_eq!(
            local_date(day_start(day) - Duration::seconds(1)),
            day.pred_opt().unwrap()
        );
    }

    #[test]
    fn every_register_has_a_distinct_short_sheet_name() {
        let names: Vec<&str> = LEDGERS.iter().map(|l| l.name()).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(n.chars().count() <= 31);
            assert!(!names[..i].contains(n), "{n} twice");
        }
    }
}
