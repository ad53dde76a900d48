//! 考核: indicator systems, rounds and their scoring. Computed items read the same facts that
//! dashboards and reports quote, so a score can never disagree with a report.

pub mod grade;
pub mod indicator;
pub mod scoring;

pub use grade::{Grade, GradeScale};
pub use indicator::{Indicator, IndicatorSystem, Rule};
pub use scoring::{ItemFact, ItemScore, ManualScore, UnitResult};

use crate::fact::DateRange;
use crate::field::{self, FieldError};
use chrono::NaiveDate;
use serde::Serialize;

/// The period a round covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Period {
    Year,
    FirstHalf,
    SecondHalf,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Year, Period::FirstHalf, Period::SecondHalf];

    pub fn code(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::FirstHalf => "h1",
            Period::SecondHalf => "h2",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Year => "全年",
            Period::FirstHalf => "上半年",
            Period::SecondHalf => "下半年",
        }
    }

    pub fn parse(code: &str) -> Result<Self, FieldError> {
        Period::ALL
            .into_iter()
            .find(|p| p.code() == code.trim() || p.label() == code.trim())
            .ok_or_else(|| FieldError::new("考核期间", "应为全年、上半年或下半年"))
    }

    pub fn range(self, year: i32) -> DateRange {
        let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).expect("a valid date");
        match self {
            Period::Year => DateRange::new(d(1, 1), d(12, 31)),
            Period::FirstHalf => DateRange::new(d(1, 1), d(6, 30)),
            Period::SecondHalf => DateRange::new(d(7, 1), d(12, 31)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RoundState {
    Open,
    Closed,
}

impl RoundState {
    pub fn code(self) -> &'static str {
        match self {
            RoundState::Open => "open",
            RoundState::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Self {
        if code == "closed" {
            RoundState::Closed
        } else {
            RoundState::Open
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoundState::Open => "进行中",
            RoundState::Closed => "已结束（分数已固定）",
        }
    }
}

/// A round as stored: what it scores, over which period, under which indicators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: i64,
    pub unit_id: crate::UnitId,
    pub unit_name: String,
    pub year: i32,
    pub period: Period,
    pub title: String,
    pub state: RoundState,
    pub system: IndicatorSystem,
    pub grades: GradeScale,
    pub computed_at: Option<String>,
}

impl Round {
    pub fn range(&self) -> DateRange {
        self.period.range(self.year)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRound {
    pub unit_id: crate::UnitId,
    pub year: i32,
    pub period: Period,
    pub title: String,
}

impl NewRound {
    pub fn parse(unit_id: crate::UnitId, year: &str, period: &str, title: &str) -> Result<Self, FieldError> {
        let year: i32 = year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| FieldError::new("年度", "应为四位年份"))?;
        let period = Period::parse(period)?;
        let title = match title.trim() {
            "" => format!(
                "{year}年{}意识形态工作责任制考核",
                period.label().trim_start_matches("全年")
            ),
            t => field::text("考核名称", t, true, 100)?,
        };
        Ok(NewRound {
            unit_id,
            year,
            period,
            title,
        })
    }
}

/// A manual score as entered, checked against its indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewManualScore {
    pub unit_id: crate::UnitId,
    pub code: String,
    pub score: f64,
    pub reason: String,
}

impl NewManualScore {
    pub fn parse(
        system: &IndicatorSystem,
        unit_id: crate::UnitId,
        code: &str,
        score: &str,
        reason: &str,
    ) -> Result<Self, FieldError> {
        let ind = system
            .get(code.trim())
            .filter(|i| matches!(i.rule, Some(Rule::Manual)))
            .ok_or_else(|| FieldError::new("指标", format!("「{code}」不是本轮考核的人工评分指标")))?;
        let here = format!("指标 {}「{}」", ind.code, ind.name);
        let score: f64 = score
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite())
            .ok_or_else(|| FieldError::new("得分", format!("{here}的得分应为数字")))?;
        if score < 0.0 || score > ind.weight {
            return Err(FieldError::new(
                "得分",
                format!(
                    "{here}的得分应在 0～{} 分之间，收到 {}",
                    indicator::num(ind.weight),
                    indicator::num(score)
                ),
            ));
        }
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(FieldError::new("评分理由", format!("{here}须写明评分理由")));
        }
        Ok(NewManualScore {
            unit_id,
            code: ind.code.clone(),
            score: (score * 100.0).round() / 100.0,
            reason: field::text("评分理由", reason, true, 1000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_scores_stay_in_range_and_carry_a_reason() {
        let s = IndicatorSystem::from_toml(indicator::DEFAULT_SYSTEM).unwrap();
        let u = crate::UnitId(1);
        assert!(NewManualScore::parse(&s, u, "C", "20", "阵地管理规范").is_ok());
        assert!(NewManualScore::parse(&s, u, "C", "0", "未见佐证").is_ok());
        let e = NewManualScore::parse(&s, u, "C", "20.5", "理由").unwrap_err();
        assert!(e.message.contains("0～20 分之间"), "{e}");
        let e = NewManualScore::parse(&s, u, "C", "-1", "理由").unwrap_err();
        assert!(e.message.contains("0～20"), "{e}");
        let e = NewManualScore::parse(&s, u, "C", "15", " ").unwrap_err();
        assert_eq!(e.field, "评分理由");
        let e = NewManualScore::parse(&s, u, "B1", "15", "理由").unwrap_err();
        assert!(e.message.contains("不是本轮考核的人工评分指标"), "{e}");
    }

    #[test]
    fn half_years_cover_their_months() {
        assert_eq!(Period::FirstHalf.range(2026).until.to_string(), "2026-06-30");
        assert_eq!(Period::SecondHalf.range(2026).from.to_string(), "2026-07-01");
    }
}
