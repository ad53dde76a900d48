//! Target responsibility letters (目标责任书): an upper unit issues a letter for a year to
//! chosen subordinate units; each unit's copy goes 未下发 → 已下发 → 已签订. Supervisors read
//! the signing rate across their subtree and which units are still missing.

use crate::field::{self, FieldError};
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct LetterId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyStatus {
    NotIssued,
    Issued,
    Signed,
}

impl CopyStatus {
    pub fn code(self) -> &'static str {
        match self {
            CopyStatus::NotIssued => "not_issued",
            CopyStatus::Issued => "issued",
            CopyStatus::Signed => "signed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CopyStatus::NotIssued => "未下发",
            CopyStatus::Issued => "已下发",
            CopyStatus::Signed => "已签订",
        }
    }

    pub fn parse(code: &str) -> Option<CopyStatus> {
        [CopyStatus::NotIssued, CopyStatus::Issued, CopyStatus::Signed]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Issuing is allowed once; a copy signed on the spot counts as issued the same day.
    pub fn issue(self) -> Result<CopyStatus, FieldError> {
        match self {
            CopyStatus::NotIssued => Ok(CopyStatus::Issued),
            CopyStatus::Issued => Err(FieldError::new("状态", "该责任书已下发")),
            CopyStatus::Signed => Err(FieldError::new("状态", "该责任书已签订，不能再下发")),
        }
    }

    pub fn sign(self) -> Result<CopyStatus, FieldError> {
        match self {
            CopyStatus::NotIssued | CopyStatus::Issued => Ok(CopyStatus::Signed),
            CopyStatus::Signed => Err(FieldError::new("状态", "该责任书已签订")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewLetter {
    pub issuer: UnitId,
    pub year: i32,
    pub title: String,
    /// The duties the letter assigns, one per line as users write them.
    pub duties: Vec<String>,
    pub recipients: Vec<UnitId>,
}

impl NewLetter {
    pub fn parse(
        issuer: UnitId,
        year: &str,
        title: &str,
        duties: &str,
        recipients: Vec<UnitId>,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let year: i32 = year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=chrono::Datelike::year(&today) + 1).contains(y))
            .ok_or_else(|| FieldError::new("年度", "应为 2000 年至明年之间的年份"))?;
        let title = field::text("标题", title, true, 100)?;
        let duties: Vec<String> = duties
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| field::text("责任内容", l, true, 500))
            .collect::<Result<_, _>>()?;
        if duties.is_empty() {
            return Err(FieldError::new("责任内容", "至少写一条责任"));
        }
        let mut recipients = recipients;
        recipients.sort();
        recipients.dedup();
        if recipients.is_empty() {
            return Err(FieldError::new("签订单位", "至少选择一个下级单位"));
        }
        if recipients.contains(&issuer) {
            return Err(FieldError::new("签订单位", "不能与本单位签订"));
        }
        Ok(NewLetter {
            issuer,
            year,
            title,
            duties,
            recipients,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterCopy {
    pub id: i64,
    pub letter_id: LetterId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub status: CopyStatus,
    pub issued_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    pub signer: String,
    pub attachments: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub id: LetterId,
    pub issuer: UnitId,
    pub issuer_name: String,
    pub year: i32,
    pub title: String,
    pub duties: Vec<String>,
    pub copies: Vec<LetterCopy>,
}

impl LetterCopy {
    pub fn is_signed(&self) -> bool {
        self.status == CopyStatus::Signed
    }
}

impl Letter {
    pub fn signed_count(&self) -> usize {
        self.copies.iter().filter(|c| c.is_signed()).count()
    }
}

/// How far a year's letters are signed across a subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub total: usize,
    pub issued: usize,
    pub signed: usize,
    /// Copies not yet signed, with the letter they belong to.
    pub missing: Vec<LetterCopy>,
}

impl Coverage {
    pub fn of(copies: &[LetterCopy]) -> Coverage {
        Coverage {
            total: copies.len(),
            issued: copies.iter().filter(|c| c.status != CopyStatus::NotIssued).count(),
            signed: copies.iter().filter(|c| c.status == CopyStatus::Signed).count(),
            missing: copies
                .iter()
                .filter(|c| c.status != CopyStatus::Signed)
                .cloned()
                .collect(),
        }
    }

    /// 签订率 in percent; `None` when nothing was due, so no one reads 0 % as a failure.
    pub fn signed_rate(&self) -> Option<f64> {
        (self.total > 0).then(|| self.signed as f64 * 100.0 / self.total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(unit: i64, status: CopyStatus) -> LetterCopy {
        LetterCopy {
            id: unit,
            letter_id: LetterId(1),
            unit_id: UnitId(unit),
            unit_name: format!("单位{unit}"),
            status,
            issued_on: None,
            signed_on: None,
            signer: String::new(),
            attachments: 0,
        }
    }

    #[test]
    fn copies_move_forward_only() {
        assert_eq!(CopyStatus::NotIssued.issue().unwrap(), CopyStatus::Issued);
        assert_eq!(CopyStatus::Issued.sign().unwrap(), CopyStatus::Signed);
        assert_eq!(CopyStatus::NotIssued.sign().unwrap(), CopyStatus::Signed);
        assert!(CopyStatus::Signed.issue().is_err());
        assert!(CopyStatus::Signed.sign().unwrap_err().message.contains("已签订"));
        assert!(CopyStatus::Issued.issue().is_err());
    }

    #[test]
    fn coverage_counts_signed_copies_and_names_the_missing() {
        let c = Coverage::of(&[
            copy(1, CopyStatus::Signed),
            copy(2, CopyStatus::Issued),
            copy(3, CopyStatus::NotIssued),
            copy(4, CopyStatus::Signed),
        ]);
        assert_eq!((c.total, c.issued, c.signed), (4, 3, 2));
        assert_eq!(c.signed_rate(), Some(50.0));
        assert_eq!(c.missing.iter().map(|m| m.unit_id.0).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(Coverage::of(&[]).signed_rate(), None);
    }

    #[test]
    fn a_letter_needs_duties_and_recipients_below_the_issuer() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ok = NewLetter::parse(
            UnitId(1),
            "2026",
            "2026年意识形态工作目标责任书",
            "落实主体责任\n\n开展分析研判",
            vec![UnitId(3), UnitId(2), UnitId(3)],
            today,
        )
        .unwrap();
        assert_eq!(ok.duties.len(), 2);
        assert_eq!(ok.recipients, [UnitId(2), UnitId(3)]);
        assert_eq!(
            NewLetter::parse(UnitId(1), "2026", "标题", "", vec![UnitId(2)], today)
                .unwrap_err()
                .field,
            "责任内容"
        );
        assert_eq!(
            NewLetter::parse(UnitId(1), "2099", "标题", "x", vec![UnitId(2)], today)
                .unwrap_err()
                .field,
            "年度"
        );
        assert!(NewLetter::parse(UnitId(1), "2026", "标题", "x", vec![UnitId(1)], today).is_err());
    }
}
