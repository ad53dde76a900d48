//! Reporting periods: a year, a half-year, a quarter or a month.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Year,
    HalfYear,
    Quarter,
    Month,
}

impl Granularity {
    fn months(self) -> u32 {
        match self {
            Granularity::Year => 12,
            Granularity::HalfYear => 6,
            Granularity::Quarter => 3,
            Granularity::Month => 1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Granularity::Year => "每年",
            Granularity::HalfYear => "每半年",
            Granularity::Quarter => "每季度",
            Granularity::Month => "每月",
        }
    }
}

/// One period: `index` counts from 1 within the year (1–2 halves, 1–4 quarters, 1–12 months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub granularity: Granularity,
    pub year: i32,
    pub index: u32,
}

impl Period {
    pub fn containing(granularity: Granularity, date: NaiveDate) -> Period {
        Period {
            granularity,
            year: date.year(),
            index: date.month0() / granularity.months() + 1,
        }
    }

    /// Every period of the granularity in a calendar year, in order.
    pub fn all_in(granularity: Granularity, year: i32) -> Vec<Period> {
        (1..=12 / granularity.months())
            .map(|index| Period {
                granularity,
                year,
                index,
            })
            .collect()
    }

    pub fn first_day(&self) -> NaiveDate {
        let month = (self.index - 1) * self.granularity.months() + 1;
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("periods start on a valid day")
    }

    pub fn last_day(&self) -> NaiveDate {
        let next_month = self.index * self.granularity.months() + 1;
        let next = if next_month > 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, next_month, 1)
        };
        next.and_then(|d| d.pred_opt()).expect("periods end on a valid day")
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }

    /// As users write it: 2026年, 2026年上半年, 2026年第三季度, 2026年5月.
    pub fn label(&self) -> String {
        match self.granularity {
            Granularity::Year => format!("{}年", self.year),
            Granularity::HalfYear => format!("{}年{}半年", self.year, if self.index == 1 { "上" } else { "下" }),
            Granularity::Quarter => {
                format!(
                    "{}年第{}季度",
                    self.year,
                    ["一", "二", "三", "四"][(self.index - 1) as usize]
                )
            }
            Granularity::Month => format!("{}年{}月", self.year, self.index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_cover_their_boundaries_exactly() {
        let h2 = Period::containing(Granularity::HalfYear, d(2026, 7, 1));
        assert_eq!((h2.first_day(), h2.last_day()), (d(2026, 7, 1), d(2026, 12, 31)));
        assert!(!h2.contains(d(2026, 6, 30)));
        let q1 = Period::containing(Granularity::Quarter, d(2026, 3, 31));
        assert_eq!((q1.index, q1.last_day()), (1, d(2026, 3, 31)));
        let feb = Period::containing(Granularity::Month, d(2028, 2, 10));
        assert_eq!(feb.last_day(), d(2028, 2, 29), "leap year");
    }

    #[test]
    fn periods_read_as_users_write_them() {
        assert_eq!(
            Period::containing(Granularity::HalfYear, d(2026, 1, 5)).label(),
            "2026年上半年"
        );
        assert_eq!(
            Period::containing(Granularity::Quarter, d(2026, 8, 5)).label(),
            "2026年第三季度"
        );
        assert_eq!(Period::all_in(Granularity::Quarter, 2026).len(), 4);
        assert_eq!(Period::all_in(Granularity::Year, 2026)[0].label(), "2026年");
    }
}
