//! 风险点台账: known risks with level, owner, measures and a review rhythm; 群众诉求
//! (grievances) and incidents link to them. A risk point whose next review date has passed
//! while it is still being managed is flagged 复核逾期.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::unit::UnitId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low];

    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::High => "高",
            RiskLevel::Medium => "中",
            RiskLevel::Low => "低",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::High => "high",
            RiskLevel::Medium => "medium",
            RiskLevel::Low => "low",
        }
    }

    pub fn from_code(code: &str) -> Option<RiskLevel> {
        RiskLevel::ALL
            .into_iter()
            .find(|l| l.code() == code || l.label() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskStatus {
    /// 管控中
    Open,
    /// 已化解
    Resolved,
}

impl RiskStatus {
    pub fn label(self) -> &'static str {
        match self {
            RiskStatus::Open => "管控中",
            RiskStatus::Resolved => "已化解",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RiskStatus::Open => "open",
            RiskStatus::Resolved => "resolved",
        }
    }

    pub fn from_code(code: &str) -> Option<RiskStatus> {
        [RiskStatus::Open, RiskStatus::Resolved]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskPoint {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub level: RiskLevel,
    pub owner: String,
    pub measures: String,
    /// Keywords that tie posts and events to this risk point (e.g. 危岩 搬迁).
    pub keywords: String,
    pub review_interval_days: i64,
    pub next_review: NaiveDate,
    pub status: RiskStatus,
    pub grievances: i64,
    pub incidents: i64,
}

impl RiskPoint {
    pub fn review_overdue(&self, today: NaiveDate) -> bool {
        self.status == RiskStatus::Open && self.next_review < today
    }

    /// The next review after one done on `reviewed_on`.
    pub fn next_review_after(&self, reviewed_on: NaiveDate) -> NaiveDate {
        reviewed_on + Duration::days(self.review_interval_days)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRiskPoint {
    pub unit_id: UnitId,
    pub title: String,
    pub level: RiskLevel,
    pub owner: String,
    pub measures: String,
    pub keywords: String,
    pub review_interval_days: i64,
    pub next_review: NaiveDate,
}

impl NewRiskPoint {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        unit_id: UnitId,
        title: &str,
        level: &str,
        owner: &str,
        measures: &str,
        keywords: &str,
        interval_days: &str,
        today: NaiveDate,
    ) -> Result<NewRiskPoint, FieldError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(FieldError::new("风险点", "请填写风险点名称"));
        }
        let level = RiskLevel::from_code(level.trim()).ok_or_else(|| FieldError::new("风险等级", "请选择风险等级"))?;
        let owner = owner.trim();
        if owner.is_empty() {
            return Err(FieldError::new("责任人", "请填写责任人"));
        }
        let interval: i64 = interval_days
            .trim()
            .parse()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .ok_or_else(|| FieldError::new("复核周期", "复核周期应为 1 至 366 天"))?;
        Ok(NewRiskPoint {
            unit_id,
            title: title.to_string(),
            level,
            owner: owner.to_string(),
            measures: measures.trim().to_string(),
            keywords: keywords.trim().to_string(),
            review_interval_days: interval,
            next_review: today + Duration::days(interval),
        })
    }
}

/// 群众诉求: a citizen's request or complaint, optionally tied to a risk point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grievance {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub risk_point_id: Option<i64>,
    pub risk_point_title: Option<String>,
    pub received_on: NaiveDate,
    pub channel: String,
    pub content: String,
    pub resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewGrievance {
    pub unit_id: UnitId,
    pub risk_point_id: Option<i64>,
    pub received_on: NaiveDate,
    pub channel: String,
    pub content: String,
}

impl NewGrievance {
    pub fn parse(
        unit_id: UnitId,
        risk_point_id: Option<i64>,
        received_on: &str,
        channel: &str,
        content: &str,
        today: NaiveDate,
    ) -> Result<NewGrievance, FieldError> {
        let received_on = NaiveDate::parse_from_str(received_on.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("受理日期", "请填写受理日期（如 2026-03-01）"))?;
        if received_on > today {
            return Err(FieldError::new("受理日期", "受理日期不能晚于今天"));
        }
        let content = content.trim();
        if content.is_empty() {
            return Err(FieldError::new("诉求内容", "请填写诉求内容"));
        }
        Ok(NewGrievance {
            unit_id,
            risk_point_id,
            received_on,
            channel: channel.trim().to_string(),
            content: content.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn review_dates_and_overdue_flag() {
        let n = NewRiskPoint::parse(
            UnitId(1),
            "危岩搬迁户补偿诉求",
            "high",
            "王建国",
            "逐户走访",
            "危岩",
            "7",
            day(1),
        )
        .unwrap();
        assert_eq!(n.next_review, day(8));
        let mut r = RiskPoint {
            id: 1,
            unit_id: n.unit_id,
            unit_name: "河口镇".into(),
            title: n.title,
            level: n.level,
            owner: n.owner,
            measures: n.measures,
            keywords: n.keywords,
            review_interval_days: 7,
            next_review: n.next_review,
            status: RiskStatus::Open,
            grievances: 0,
            incidents: 0,
        };
        assert!(!r.review_overdue(day(8)));
        assert!(r.review_overdue(day(9)));
        assert_eq!(r.next_review_after(day(9)), day(16));
        r.status = RiskStatus::Resolved;
        assert!(!r.review_overdue(day(20)), "resolved risks need no review");
        assert!(NewRiskPoint::parse(UnitId(1), "x", "high", "王", "", "", "0", day(1)).is_err());
        assert!(NewRiskPoint::parse(UnitId(1), "x", "极高", "王", "", "", "7", day(1)).is_err());
    }

    #[test]
    fn grievances_need_a_past_date_and_content() {
        assert!(NewGrievance::parse(UnitId(1), None, "2026-03-02", "来访", "补偿款未到位", day(1)).is_err());
        assert!(NewGrievance::parse(UnitId(1), None, "2026-03-01", "来访", " ", day(1)).is_err());
        let g = NewGrievance::parse(UnitId(1), Some(3), "2026-03-01", "来访", "补偿款未到位", day(1)).unwrap();
        assert_eq!(g.risk_point_id, Some(3));
    }
}
