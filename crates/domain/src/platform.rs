//! Platforms (阵地): official accounts, chat groups, bulletin boards, culture stations… Each
//! has an answerable person ("谁建群谁负责、谁管理谁负责") and an inspection log; a platform
//! not inspected within its type's interval is flagged 逾期未巡查.

use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// The shipped defaults (labelled as such in the file).
pub const DEFAULT_RULES_TOML: &str = include_str!("../data/platform_rules.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    WechatMp,
    Weibo,
    ShortVideo,
    ChatGroup,
    Website,
    Bulletin,
    Broadcast,
    CultureStation,
    CivilizationStation,
}

impl PlatformKind {
    pub const ALL: [PlatformKind; 9] = [
        PlatformKind::WechatMp,
        PlatformKind::Weibo,
        PlatformKind::ShortVideo,
        PlatformKind::ChatGroup,
        PlatformKind::Website,
        PlatformKind::Bulletin,
        PlatformKind::Broadcast,
        PlatformKind::CultureStation,
        PlatformKind::CivilizationStation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlatformKind::WechatMp => "wechat_mp",
            PlatformKind::Weibo => "weibo",
            PlatformKind::ShortVideo => "short_video",
            PlatformKind::ChatGroup => "chat_group",
            PlatformKind::Website => "website",
            PlatformKind::Bulletin => "bulletin",
            PlatformKind::Broadcast => "broadcast",
            PlatformKind::CultureStation => "culture_station",
            PlatformKind::CivilizationStation => "civilization_station",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlatformKind::WechatMp => "微信公众号",
            PlatformKind::Weibo => "微博",
            PlatformKind::ShortVideo => "抖音/视频号",
            PlatformKind::ChatGroup => "微信群/QQ群",
            PlatformKind::Website => "网站",
            PlatformKind::Bulletin => "宣传栏/公告栏",
            PlatformKind::Broadcast => "广播",
            PlatformKind::CultureStation => "文化站/综合文化服务中心",
            PlatformKind::CivilizationStation => "新时代文明实践所(站)",
        }
    }

    /// Other names people write in spreadsheets for the same type.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            PlatformKind::WechatMp => &["公众号", "微信公众号"],
            PlatformKind::Weibo => &["微博", "新浪微博"],
            PlatformKind::ShortVideo => &["抖音", "视频号", "快手", "抖音号"],
            PlatformKind::ChatGroup => &["微信群", "QQ群", "工作群"],
            PlatformKind::Website => &["网站", "门户网站"],
            PlatformKind::Bulletin => &["宣传栏", "公告栏", "公示栏", "宣传栏/公告栏"],
            PlatformKind::Broadcast => &["广播", "大喇叭", "应急广播"],
            PlatformKind::CultureStation => &["文化站", "综合文化服务中心", "文化服务中心"],
            PlatformKind::CivilizationStation => &[
                "新时代文明实践所",
                "新时代文明实践站",
                "新时代文明实践所（站）",
                "文明实践站",
                "文明实践所",
            ],
        }
    }

    /// Online platforms have members and posts to clean; offline ones have neither.
    pub fn is_online(self) -> bool {
        matches!(
            self,
            PlatformKind::WechatMp
                | PlatformKind::Weibo
                | PlatformKind::ShortVideo
                | PlatformKind::ChatGroup
                | PlatformKind::Website
        )
    }
}

impl FromStr for PlatformKind {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let folded = s.replace(['(', '（'], "（").replace([')', '）'], "）");
        PlatformKind::ALL
            .into_iter()
            .find(|k| {
                k.code() == s
                    || k.label() == s
                    || k.label().replace('(', "（").replace(')', "）") == folded
                    || k.aliases().contains(&s)
                    || k.aliases().contains(&folded.as_str())
            })
            .ok_or_else(|| {
                FieldError::new(
                    "阵地类型",
                    format!(
                        "「{s}」不是已知的阵地类型（可填：{}）",
                        PlatformKind::ALL.map(|k| k.label()).join("、")
                    ),
                )
            })
    }
}

/// Registration/filing status (登记备案).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filing {
    Filed,
    Pending,
    NotRequired,
}

impl Filing {
    pub const ALL: [Filing; 3] = [Filing::Filed, Filing::Pending, Filing::NotRequired];

    pub fn code(self) -> &'static str {
        match self {
            Filing::Filed => "filed",
            Filing::Pending => "pending",
            Filing::NotRequired => "not_required",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Filing::Filed => "已备案",
            Filing::Pending => "未备案",
            Filing::NotRequired => "无需备案",
        }
    }
}

impl FromStr for Filing {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Filing::Pending);
        }
        Filing::ALL
            .into_iter()
            .find(|f| f.code() == s || f.label() == s)
            .or(match s {
                "已登记" | "是" => Some(Filing::Filed),
                "未登记" | "否" => Some(Filing::Pending),
                _ => None,
            })
            .ok_or_else(|| FieldError::new("备案状态", format!("「{s}」应为 已备案、未备案 或 无需备案")))
    }
}

/// How often each type must be inspected; policy, read from TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRules {
    intervals: BTreeMap<PlatformKind, i64>,
}

#[derive(Deserialize)]
struct RulesFile {
    intervals: BTreeMap<String, i64>,
}

/// Where a platform stands with its inspections on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum InspectionStatus {
    /// Inspected (or registered) recently enough; the next inspection is due on this day.
    Current { due: NaiveDate },
    /// The due day has passed.
    Overdue { due: NaiveDate, days: i64 },
}

impl InspectionStatus {
    pub fn is_overdue(self) -> bool {
        matches!(self, InspectionStatus::Overdue { .. })
    }

    pub fn label(self) -> &'static str {
        match self {
            InspectionStatus::Current { .. } => "按期巡查",
            InspectionStatus::Overdue { .. } => "逾期未巡查",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            InspectionStatus::Current { .. } => "state-ok",
            InspectionStatus::Overdue { .. } => "state-bad",
        }
    }

    pub fn due(self) -> NaiveDate {
        match self {
            InspectionStatus::Current { due } | InspectionStatus::Overdue { due, .. } => due,
        }
    }
}

impl PlatformRules {
    pub fn defaults() -> Self {
        Self::from_toml(DEFAULT_RULES_TOML).expect("the shipped platform rules parse")
    }

    /// Every type must have a positive interval; an unknown type name is refused by name.
    pub fn from_toml(text: &str) -> Result<Self, FieldError> {
        let file: RulesFile =
            toml::from_str(text).map_err(|e| FieldError::new("阵地巡查规则", format!("文件格式有误：{e}")))?;
        let mut intervals = BTreeMap::new();
        for (code, days) in file.intervals {
            let kind: PlatformKind = code.parse()?;
            if days < 1 {
                return Err(FieldError::new(
                    "阵地巡查规则",
                    format!("「{code}」的巡查间隔应为正整数天"),
                ));
            }
            intervals.insert(kind, days);
        }
        if let Some(missing) = PlatformKind::ALL.into_iter().find(|k| !intervals.contains_key(k)) {
            return Err(FieldError::new(
                "阵地巡查规则",
                format!("缺少「{}」（{}）的巡查间隔", missing.label(), missing.code()),
            ));
        }
        Ok(PlatformRules { intervals })
    }

    pub fn interval_days(&self, kind: PlatformKind) -> i64 {
        self.intervals[&kind]
    }

    /// Counted from the last inspection, or from registration for a platform never inspected.
    /// Overdue the day after the due day.
    pub fn status(
        &self,
        kind: PlatformKind,
        registered: NaiveDate,
        last: Option<NaiveDate>,
        today: NaiveDate,
    ) -> InspectionStatus {
        let from = last.unwrap_or(registered);
        let due = from + chrono::Duration::days(self.interval_days(kind));
        if today > due {
            InspectionStatus::Overdue {
                due,
                days: (today - due).num_days(),
            }
        } else {
            InspectionStatus::Current { due }
        }
    }

    /// Whether an inspection is overdue on `today`.
    pub fn inspection_due(
        &self,
        kind: PlatformKind,
        registered: NaiveDate,
        last: Option<NaiveDate>,
        today: NaiveDate,
    ) -> bool {
        self.status(kind, registered, last, today).is_overdue()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPlatform {
    pub unit_id: UnitId,
    pub kind: PlatformKind,
    pub name: String,
    /// Account id, group number, or where a board stands.
    pub account: String,
    pub answerable: Option<PersonId>,
    pub admins: String,
    pub members: Option<i64>,
    pub filing: Filing,
    pub registered_on: NaiveDate,
    pub notes: String,
}

fn date(label: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(label, "应为日期，例如 2026-06-30"))
}

impl NewPlatform {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        unit_id: UnitId,
        kind: &str,
        name: &str,
        account: &str,
        answerable: Option<PersonId>,
        admins: &str,
        members: &str,
        filing: &str,
        registered_on: &str,
        notes: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let kind: PlatformKind = kind.parse()?;
        let members = match members.trim() {
            "" => None,
            m => Some(
                m.parse::<i64>()
                    .ok()
                    .filter(|n| (0..=10_000_000).contains(n))
                    .ok_or_else(|| FieldError::new("成员数", "应为不小于 0 的整数"))?,
            ),
        };
        let registered_on = if registered_on.trim().is_empty() {
            today
        } else {
            date("建立日期", registered_on)?
        };
        if registered_on > today {
            return Err(FieldError::new("建立日期", "不能晚于今天"));
        }
        Ok(NewPlatform {
            unit_id,
            kind,
            name: field::text("阵地名称", name, true, 100)?,
            account: field::text("账号/位置", account, false, 100)?,
            answerable,
            admins: field::text("管理员", admins, false, 200)?,
            members,
            filing: filing.parse()?,
            registered_on,
            notes: field::text("备注", notes, false, 500)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub kind: PlatformKind,
    pub name: String,
    pub account: String,
    pub answerable: Option<PersonId>,
    pub answerable_name: Option<String>,
    pub admins: String,
    pub members: Option<i64>,
    pub filing: Filing,
    pub registered_on: NaiveDate,
    pub notes: String,
    pub last_inspected: Option<NaiveDate>,
    pub inspections: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewInspection {
    pub platform_id: i64,
    pub date: NaiveDate,
    pub inspector: String,
    pub membership_cleaned: bool,
    pub posts_handled: bool,
    pub content_archived: bool,
    pub findings: String,
}

impl NewInspection {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        platform_id: i64,
        date_text: &str,
        inspector: &str,
        membership_cleaned: bool,
        posts_handled: bool,
        content_archived: bool,
        findings: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let date = date("巡查日期", date_text)?;
        if date > today {
            return Err(FieldError::new("巡查日期", "不能晚于今天"));
        }
        Ok(NewInspection {
            platform_id,
            date,
            inspector: field::text("巡查人", inspector, true, 50)?,
            membership_cleaned,
            posts_handled,
            content_archived,
            findings: field::text("发现问题及处理", findings, false, 1000)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub id: i64,
    pub platform_id: i64,
    pub date: NaiveDate,
    pub inspector: String,
    pub membership_cleaned: bool,
    pub posts_handled: bool,
    pub content_archived: bool,
    pub findings: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn types_parse_from_code_label_or_common_name() {
        assert_eq!("微信群".parse::<PlatformKind>().unwrap(), PlatformKind::ChatGroup);
        assert_eq!(
            "新时代文明实践站".parse::<PlatformKind>().unwrap(),
            PlatformKind::CivilizationStation
        );
        assert_eq!(
            "新时代文明实践所（站）".parse::<PlatformKind>().unwrap(),
            PlatformKind::CivilizationStation
        );
        assert_eq!("bulletin".parse::<PlatformKind>().unwrap(), PlatformKind::Bulletin);
        let e = "贴吧".parse::<PlatformKind>().unwrap_err();
        assert_eq!(e.field, "阵地类型");
        assert!(e.message.contains("「贴吧」不是已知的阵地类型"), "{e}");
        for k in PlatformKind::ALL {
            assert_eq!(k.label().parse::<PlatformKind>().unwrap(), k);
            assert_eq!(k.code().parse::<PlatformKind>().unwrap(), k);
        }
    }

    #[test]
    fn a_platform_is_overdue_the_day_after_its_interval_ends() {
        let rules = PlatformRules::defaults();
        let group = PlatformKind::ChatGroup;
        assert_eq!(rules.interval_days(group), 30);
        let last = Some(d("2026-03-01"));
        assert!(!rules.inspection_due(group, d("2026-01-01"), last, d("2026-03-31")));
        assert!(rules.inspection_due(group, d("2026-01-01"), last, d("2026-04-01")));
        assert_eq!(
            rules.status(group, d("2026-01-01"), last, d("2026-04-03")),
            InspectionStatus::Overdue {
                due: d("2026-03-31"),
                days: 3
            }
        );
        // Never inspected: counted from registration.
        assert!(!rules.inspection_due(group, d("2026-03-10"), None, d("2026-04-09")));
        assert!(rules.inspection_due(group, d("2026-03-10"), None, d("2026-04-10")));
        // Offline boards are inspected quarterly.
        assert!(!rules.inspection_due(PlatformKind::Bulletin, d("2026-01-01"), last, d("2026-05-30")));
    }

    #[test]
    fn rules_files_must_name_every_type_with_a_positive_interval() {
        let e = PlatformRules::from_toml("[intervals]\nwechat_mp = 30\n").unwrap_err();
        assert!(e.message.contains("缺少"), "{e}");
        let e = PlatformRules::from_toml("[intervals]\ntieba = 30\n").unwrap_err();
        assert!(e.message.contains("tieba"), "{e}");
        let bad = DEFAULT_RULES_TOML.replace("weibo = 30", "weibo = 0");
        assert!(PlatformRules::from_toml(&bad).unwrap_err().message.contains("正整数"));
    }

    #[test]
    fn platforms_are_checked_field_by_field() {
        let today = d("2026-03-01");
        let p = NewPlatform::parse(
            UnitId(1),
            "公众号",
            "河口镇发布",
            "hekou",
            None,
            "张三",
            "1200",
            "已备案",
            "",
            "",
            today,
        )
        .unwrap();
        assert_eq!(p.kind, PlatformKind::WechatMp);
        assert_eq!(p.registered_on, today);
        assert_eq!(p.members, Some(1200));
        let e = NewPlatform::parse(UnitId(1), "群", "x", "", None, "", "", "", "", "", today).unwrap_err();
        assert_eq!(e.field, "阵地类型");
        let e = NewPlatform::parse(UnitId(1), "微信群", "x", "", None, "", "-3", "", "", "", today).unwrap_err();
        assert_eq!(e.field, "成员数");
        let e = NewPlatform::parse(UnitId(1), "微信群", "x", "", None, "", "", "不知道", "", "", today).unwrap_err();
        assert_eq!(e.field, "备案状态");
    }
}
