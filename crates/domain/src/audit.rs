//! The audit trail: an append-only chain in which every entry hashes its content together
//! with the previous entry's hash, so a row changed or removed behind the application's back
//! breaks the chain at that row.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a write wants recorded; the store adds who, when, and the chain.
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub unit_id: Option<i64>,
    pub record_type: &'static str,
    pub record_id: String,
    pub action: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditDraft {
    pub fn new(record_type: &'static str, record_id: impl ToString, action: &'static str) -> Self {
        AuditDraft {
            unit_id: None,
            record_type,
            record_id: record_id.to_string(),
            action,
            before: None,
            after: None,
        }
    }

    pub fn unit(mut self, unit_id: i64) -> Self {
        self.unit_id = Some(unit_id);
        self
    }

    pub fn before(mut self, value: impl Serialize) -> Self {
        self.before = Some(serde_json::to_value(value).expect("audit values serialise"));
        self
    }

    pub fn after(mut self, value: impl Serialize) -> Self {
        self.after = Some(serde_json::to_value(value).expect("audit values serialise"));
        self
    }
}

/// One stored entry, exactly as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC with microseconds, stored as text so that the hashed bytes never change
    /// on the way through a database's timestamp type.
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub unit_id: Option<i64>,
    pub record_type: String,
    pub record_id: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Serialize)]
struct Hashed<'a> {
    seq: i64,
    at: &'a str,
    actor_user_id: Option<i64>,
    actor_name: &'a str,
    unit_id: Option<i64>,
    record_type: &'a str,
    record_id: &'a str,
    action: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    prev_hash: &'a str,
}

impl AuditEntry {
    /// The hash this entry's content and predecessor call for.
    pub fn expected_hash(&self) -> String {
        let content = Hashed {
            seq: self.seq,
            at: &self.at,
            actor_user_id: self.actor_user_id,
            actor_name: &self.actor_name,
            unit_id: self.unit_id,
            record_type: &self.record_type,
            record_id: &self.record_id,
            action: &self.action,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            prev_hash: &self.prev_hash,
        };
        let bytes = serde_json::to_vec(&content).expect("audit entries serialise");
        hex::encode(Sha256::digest(bytes))
    }

    pub fn record_type_label(&self) -> &str {
        record_type_label(&self.record_type)
    }

    pub fn action_label(&self) -> &str {
        action_label(&self.action)
    }
}

pub fn format_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub const RECORD_TYPES: &[(&str, &str)] = &[
    ("unit", "单位"),
    ("person", "人员"),
    ("user", "用户"),
    ("activity", "工作台账"),
    ("attachment", "附件"),
    ("duty", "职责分工"),
    ("letter", "目标责任书"),
    ("letter_copy", "责任书签订"),
    ("plan_item", "方案事项"),
    ("task", "任务"),
    ("conduct_rules", "行为规范"),
    ("conduct_violation", "违规记录"),
    ("report", "工作报告"),
    ("platform", "阵地"),
    ("platform_inspection", "阵地巡查"),
    ("draft", "稿件审校"),
    ("publication", "发布记录"),
    ("review_assignment", "审核人指定"),
    ("team_member", "队伍成员"),
    ("team_training", "队伍培训"),
    ("team_contribution", "队伍成果"),
    ("coverage", "媒体刊发"),
    ("indicator_system", "考核指标体系"),
    ("assessment_round", "考核"),
    ("assessment_score", "考核评分"),
    ("inspection", "督查"),
    ("inspection_finding", "督查发现问题"),
    ("rectification", "整改事项"),
    ("opinion_source", "舆情信息源"),
    ("opinion_ingest", "舆情信息导入"),
    ("opinion_scheme", "监测方案"),
    ("opinion_settings", "舆情预警设置"),
    ("opinion_alert", "舆情预警"),
    ("opinion_incident", "舆情处置"),
    ("opinion_step", "舆情处置环节"),
    ("opinion_plan", "处置预案"),
    ("opinion_risk", "风险点"),
    ("opinion_grievance", "群众诉求"),
];

pub fn record_type_label(code: &str) -> &str {
    RECORD_TYPES.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l)
}

pub fn action_label(code: &str) -> &str {
    match code {
        "create" => "新增",
        "update" => "修改",
        "move" => "移动",
        "login" => "登录",
        "login_failed" => "登录失败",
        "lock" => "锁定",
        "unlock" => "解锁",
        "password" => "修改密码",
        "password_reset" => "重置密码",
        "issue" => "下发",
        "sign" => "签订",
        "acknowledge" => "签收",
        "finalise" => "定稿",
        "import" => "导入",
        "inspect" => "巡查",
        "submit" => "提交",
        "approve" => "审核通过",
        "return" => "退回",
        "proofread" => "校对",
        "override" => "豁免审校问题",
        "publish" => "发布",
        "assign" => "指定",
        "unassign" => "取消指定",
        "leave" => "退出",
        "recompute" => "计算分数",
        "close" => "结束并固定",
        "score" => "评分",
        "visit" => "记录督查",
        "progress" => "报送整改进展",
        "accept" => "验收销号",
        "reopen" => "复查重新打开",
        "ingest" => "导入",
        "rotate_token" => "更换令牌",
        "step" => "处置环节",
        "apply_plan" => "套用预案",
        "check" => "勾选清单",
        "review" => "复核",
        "read" => "已读",
        other => other,
    }
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "审计链在第 {} 条记录处断开：{}", self.seq, self.reason)
    }
}

/// Walks the chain in order, one entry at a time, so that a long trail need not sit in memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.expected_seq {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!(
                    "缺少第 {} 条记录（下一条是第 {} 条），记录被删除",
                    self.expected_seq, entry.seq
                ),
            });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: "前一条记录的哈希不符，链条被改接".into(),
            });
        }
        if entry.hash != entry.expected_hash() {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: "内容与哈希不符，记录在写入后被改动".into(),
            });
        }
        self.prev_hash = entry.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Checks that the chain reaches the head the store recorded, so that removing the newest
    /// rows is noticed too.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        if head_seq != self.expected_seq - 1 || head_hash != self.prev_hash {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!(
                    "链尾应为第 {head_seq} 条，实际只到第 {} 条，最新的记录被删除",
                    self.expected_seq - 1
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: "2026-11-23T08:00:00.000000Z".into(),
                    actor_user_id: Some(1),
                    actor_name: "张三".into(),
                    unit_id: Some(1),
                    record_type: "unit".into(),
                    record_id: seq.to_string(),
                    action: "create".into(),
                    before: None,
                    after: Some(format!("{{\"name\":\"单位{seq}\"}}")),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.expected_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> Result<(), ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.push(e)?;
        }
        let last = entries
            .last()
            .map_or((0, GENESIS_HASH.to_string()), |e| (e.seq, e.hash.clone()));
        v.finish(last.0, &last.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        verify(&chain(5)).unwrap();
        verify(&[]).unwrap();
    }

    #[test]
    fn a_changed_row_is_named() {
        let mut c = chain(5);
        c[2].after = Some("{\"name\":\"篡改\"}".into());
        let err = verify(&c).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.to_string().contains("第 3 条"));
    }

    #[test]
    fn a_deleted_row_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().seq, 2);
    }

    #[test]
    fn a_rehashed_row_still_breaks_its_successor() {
        let mut c = chain(5);
        c[1].actor_name = "李四".into();
        c[1].hash = c[1].expected_hash();
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn removing_the_newest_rows_is_noticed_against_the_head() {
        let c = chain(5);
        let mut v = ChainVerifier::default();
        for e in &c[..3] {
            v.push(e).unwrap();
        }
        assert!(v.finish(5, &c[4].hash).is_err());
    }
}
