//! Media coverage (媒体刊发): articles about a unit placed in outside media, counted per year
//! and outlet level for the reports ("各级媒体刊发稿件**条").

use crate::field::{self, FieldError};
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MediaLevel {
    Central,
    Province,
    City,
    County,
}

impl MediaLevel {
    pub const ALL: [MediaLevel; 4] = [
        MediaLevel::Central,
        MediaLevel::Province,
        MediaLevel::City,
        MediaLevel::County,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MediaLevel::Central => "central",
            MediaLevel::Province => "province",
            MediaLevel::City => "city",
            MediaLevel::County => "county",
        }
    }

    /// The label is also the fact parameter: `media.coverage:省`.
    pub fn label(self) -> &'static str {
        match self {
            MediaLevel::Central => "中央",
            MediaLevel::Province => "省",
            MediaLevel::City => "市",
            MediaLevel::County => "县",
        }
    }

    pub fn parse(s: &str) -> Result<MediaLevel, FieldError> {
        let s = s.trim();
        let s = s.strip_suffix("级").unwrap_or(s);
        MediaLevel::ALL
            .into_iter()
            .find(|l| l.code() == s || l.label() == s)
            .ok_or_else(|| FieldError::new("媒体级别", format!("「{s}」应为 中央、省、市 或 县")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCoverage {
    pub unit_id: UnitId,
    pub outlet: String,
    pub level: MediaLevel,
    pub date: NaiveDate,
    pub title: String,
    pub link: String,
}

impl NewCoverage {
    pub fn parse(
        unit_id: UnitId,
        outlet: &str,
        level: &str,
        date: &str,
        title: &str,
        link: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("刊发日期", "应为日期，例如 2026-06-30"))?;
        if date > today {
            return Err(FieldError::new("刊发日期", "不能晚于今天"));
        }
        let link = field::text("链接", link, false, 500)?;
        if !(link.is_empty() || link.starts_with("http://") || link.starts_with("https://")) {
            return Err(FieldError::new("链接", "应以 http:// 或 https:// 开头"));
        }
        Ok(NewCoverage {
            unit_id,
            outlet: field::text("媒体名称", outlet, true, 100)?,
            level: MediaLevel::parse(level)?,
            date,
            title: field::text("稿件标题", title, true, 200)?,
            link,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub outlet: String,
    pub level: MediaLevel,
    pub date: NaiveDate,
    pub title: String,
    pub link: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_links_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let c = NewCoverage::parse(
            UnitId(1),
            "云南日报",
            "省级",
            "2026-02-03",
            "河口镇宣讲",
            "https://x.cn/1",
            today,
        )
        .unwrap();
        assert_eq!(c.level, MediaLevel::Province);
        assert_eq!(MediaLevel::parse("中央").unwrap(), MediaLevel::Central);
        let e = NewCoverage::parse(UnitId(1), "报", "乡", "2026-02-03", "t", "", today).unwrap_err();
        assert_eq!(e.field, "媒体级别");
        let e = NewCoverage::parse(UnitId(1), "报", "县", "2026-02-03", "t", "javascript:alert(1)", today).unwrap_err();
        assert_eq!(e.field, "链接");
    }
}
