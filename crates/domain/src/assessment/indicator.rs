//! The indicator system (考核指标体系): a tree of indicators with weights and scoring rules,
//! written as a TOML file so that each supervising unit can keep its own per year.
//!
//! Weight rule: the weights of an indicator's children add up to the indicator's own weight,
//! and the weights of the top-level indicators add up to 100. Veto items weigh 0; a deduction
//! item may weigh 0 (it then only takes points off the total).

use crate::fact;
use crate::field::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Words that name use of the platform itself; no indicator may score them (the rules against
/// 指尖上的形式主义 forbid check-ins, online time, points, likes and shares in assessments).
pub const DENIED_WORDS: &[&str] = &[
    "登录",
    "在线时长",
    "点击",
    "点赞",
    "转发",
    "打卡",
    "积分",
    "签到",
    "浏览",
];

/// Fact families that measure the platform rather than the work.
pub const DENIED_FAMILIES: &[&str] = &["platform.", "login.", "session.", "audit."];

/// Activity types that are platform scores rather than work done.
pub const DENIED_PARAMETERS: &[&str] = &["study_points"];

const TOTAL: f64 = 100.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Full marks at or above `target`, proportional below.
    Target { fact: String, target: f64 },
    /// Full marks at or above `full_at`, nothing at or below `zero_at`, linear between
    /// (for rates in percent).
    Rate { fact: String, full_at: f64, zero_at: f64 },
    /// Full marks when the fact is at least 1 (e.g. a letter signed), nothing otherwise.
    Present { fact: String },
    /// An inspector scores within [0, weight] with a written reason.
    Manual,
    /// Starts from the weight and takes `per` off for each unit of the fact, at most `cap`.
    Deduction { fact: String, per: f64, cap: f64 },
    /// 一票否决: when the fact reaches `at_least`, the grade is at best `cap_grade`.
    Veto {
        fact: String,
        #[serde(default = "one")]
        at_least: f64,
        cap_grade: String,
    },
}

fn one() -> f64 {
    1.0
}

impl Rule {
    pub fn fact(&self) -> Option<&str> {
        match self {
            Rule::Target { fact, .. }
            | Rule::Rate { fact, .. }
            | Rule::Present { fact }
            | Rule::Deduction { fact, .. }
            | Rule::Veto { fact, .. } => Some(fact),
            Rule::Manual => None,
        }
    }

    pub fn kind_label(&self) -> &'static str {
        match self {
            Rule::Target { .. } => "计算：达到目标值得满分",
            Rule::Rate { .. } => "计算：按比率",
            Rule::Present { .. } => "计算：有则得分",
            Rule::Manual => "人工评分",
            Rule::Deduction { .. } => "扣分",
            Rule::Veto { .. } => "一票否决",
        }
    }

    /// The rule in words, for the editor and the score sheet.
    pub fn describe(&self, weight: f64) -> String {
        let w = num(weight);
        match self {
            Rule::Target { target, .. } => format!("达到 {} 得 {w} 分，不足按比例计分", num(*target)),
            Rule::Rate { full_at, zero_at, .. } => {
                format!(
                    "达到 {}% 得 {w} 分，不高于 {}% 不得分，其间按比例",
                    num(*full_at),
                    num(*zero_at)
                )
            }
            Rule::Present { .. } => format!("有记录得 {w} 分"),
            Rule::Manual => format!("由督查人员在 0～{w} 分之间评分并写明理由"),
            Rule::Deduction { per, cap, .. } => {
                format!("基础 {w} 分，每项扣 {} 分，最多扣 {} 分", num(*per), num(*cap))
            }
            Rule::Veto {
                at_least, cap_grade, ..
            } => {
                format!("达到 {} 即一票否决，等次最高为「{cap_grade}」", num(*at_least))
            }
        }
    }
}

/// A number as a rule text shows it: 5, 2.5.
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default)]
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    /// For computed items: full marks when the fact has no data (a rate over no records,
    /// e.g. 整改率 of a unit with nothing to rectify); otherwise missing data scores nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub full_when_missing: bool,
    /// What the inspector looks at, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A validated indicator tree, in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSystem {
    pub title: String,
    #[serde(rename = "indicator", default)]
    pub indicators: Vec<Indicator>,
}

fn invalid(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field.to_string(), message)
}

impl IndicatorSystem {
    /// Reads and validates a TOML file; the error names the indicator and what is wrong.
    pub fn from_toml(text: &str) -> Result<Self, FieldError> {
        let system: IndicatorSystem =
            toml::from_str(text).map_err(|e| invalid("指标文件", format!("无法读取：{}", e.message())))?;
        system.validate()?;
        Ok(system)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("an indicator system serialises")
    }

    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn children<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators
            .iter()
            .filter(move |i| i.parent.as_deref() == Some(code))
    }

    /// Indicators that carry a rule (the leaves), in file order.
    pub fn leaves(&self) -> impl Iterator<Item = (&Indicator, &Rule)> {
        self.indicators.iter().filter_map(|i| i.rule.as_ref().map(|r| (i, r)))
    }

    /// Depth of an indicator in the tree (0 at the top), for indenting.
    pub fn depth(&self, code: &str) -> usize {
        let mut depth = 0;
        let mut at = self.get(code).and_then(|i| i.parent.clone());
        while let Some(p) = at {
            depth += 1;
            at = self.get(&p).and_then(|i| i.parent.clone());
            if depth > self.indicators.len() {
                break;
            }
        }
        depth
    }

    /// Indicators in tree order (each followed by its children), as the editor shows them.
    pub fn tree_order(&self) -> Vec<&Indicator> {
        fn walk<'a>(s: &'a IndicatorSystem, parent: Option<&str>, out: &mut Vec<&'a Indicator>) {
            for i in s.indicators.iter().filter(|i| i.parent.as_deref() == parent) {
                out.push(i);
                walk(s, Some(&i.code), out);
            }
        }
        let mut out = Vec::new();
        walk(self, None, &mut out);
        out
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if self.title.trim().is_empty() {
            return Err(invalid("标题", "请填写指标体系的标题"));
        }
        if self.indicators.is_empty() {
            return Err(invalid("指标", "指标体系中还没有指标"));
        }
        let mut codes = HashSet::new();
        for i in &self.indicators {
            let code = i.code.trim();
            if code.is_empty() {
                return Err(invalid("指标代码", format!("指标「{}」缺少代码", i.name)));
            }
            if i.name.trim().is_empty() {
                return Err(invalid("指标名称", format!("指标 {code} 缺少名称")));
            }
            if !codes.insert(code) {
                return Err(invalid("指标代码", format!("指标代码 {code} 重复")));
            }
            if !i.weight.is_finite() || i.weight < 0.0 {
                return Err(invalid("分值", format!("指标 {code}「{}」的分值不能为负数", i.name)));
            }
        }
        for i in &self.indicators {
            if let Some(p) = &i.parent
                && !codes.contains(p.as_str())
            {
                return Err(invalid(
                    "上级指标",
                    format!("指标 {}「{}」的上级指标 {p} 不存在", i.code, i.name),
                ));
            }
        }
        self.check_cycles()?;
        for i in &self.indicators {
            let has_children = self.children(&i.code).next().is_some();
            match (&i.rule, has_children) {
                (Some(_), true) => {
                    return Err(invalid(
                        "评分规则",
                        format!(
                            "指标 {}「{}」有下级指标，分数由下级汇总，不能再设评分规则",
                            i.code, i.name
                        ),
                    ));
                }
                (None, false) => {
                    return Err(invalid(
                        "评分规则",
                        format!("指标 {}「{}」没有下级指标，须设评分规则", i.code, i.name),
                    ));
                }
                (Some(rule), false) => check_rule(i, rule)?,
                (None, true) => {}
            }
            check_words(&i.code, &i.name)?;
        }
        self.check_weights()
    }

    fn check_cycles(&self) -> Result<(), FieldError> {
        let parent: HashMap<&str, Option<&str>> = self
            .indicators
            .iter()
            .map(|i| (i.code.as_str(), i.parent.as_deref()))
            .collect();
        for i in &self.indicators {
            let mut seen = HashSet::new();
            let mut at = Some(i.code.as_str());
            while let Some(code) = at {
                if !seen.insert(code) {
                    return Err(invalid(
                        "上级指标",
                        format!("指标 {}「{}」的上级关系构成循环（{code} 回到了自身）", i.code, i.name),
                    ));
                }
                at = parent.get(code).copied().flatten();
            }
        }
        Ok(())
    }

    fn check_weights(&self) -> Result<(), FieldError> {
        let top: f64 = self
            .indicators
            .iter()
            .filter(|i| i.parent.is_none())
            .map(|i| i.weight)
            .sum();
        if (top - TOTAL).abs() > 1e-6 {
            return Err(invalid(
                "分值",
                format!("顶层指标分值之和为 {}，应为 {}", num(top), num(TOTAL)),
            ));
        }
        for i in &self.indicators {
            let mut children = self.children(&i.code).peekable();
            if children.peek().is_none() {
                continue;
            }
            let sum: f64 = children.map(|c| c.weight).sum();
            if (sum - i.weight).abs() > 1e-6 {
                return Err(invalid(
                    "分值",
                    format!(
                        "指标 {}「{}」分值为 {}，其下级指标分值之和为 {}，两者应相等",
                        i.code,
                        i.name,
                        num(i.weight),
                        num(sum)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Refuses names that would score use of the platform itself.
fn check_words(code: &str, text: &str) -> Result<(), FieldError> {
    if let Some(word) = DENIED_WORDS.iter().find(|w| text.contains(**w)) {
        return Err(invalid(
            "评分来源",
            format!(
                "指标 {code}「{text}」涉及「{word}」：按照整治“指尖上的形式主义”的规定，不得以登录、在线时长、点击、点赞、转发、打卡、积分等平台使用情况作为考核内容"
            ),
        ));
    }
    Ok(())
}

fn check_rule(i: &Indicator, rule: &Rule) -> Result<(), FieldError> {
    let here = format!("指标 {}「{}」", i.code, i.name);
    if let Some(key) = rule.fact() {
        let (family, param) = fact::split_key(key);
        let denied = DENIED_FAMILIES.iter().any(|f| family.starts_with(f))
            || param.is_some_and(|p| DENIED_PARAMETERS.contains(&p));
        let Some(def) = fact::definition(key) else {
            return Err(invalid("统计口径", format!("{here}的统计口径「{key}」不存在")));
        };
        if denied || DENIED_WORDS.iter().any(|w| def.label.contains(w)) {
            return Err(invalid(
                "评分来源",
                format!(
                    "{here}的统计口径「{key}」统计的是平台使用情况：按照整治“指尖上的形式主义”的规定，不得以登录、在线时长、点击、点赞、转发、打卡、积分作为考核内容"
                ),
            ));
        }
    }
    match rule {
        Rule::Target { target, .. } if !positive(*target) => {
            return Err(invalid("目标值", format!("{here}的目标值应大于 0")));
        }
        Rule::Rate { full_at, zero_at, .. }
            if !(positive(full_at - zero_at) && *zero_at >= 0.0 && *full_at <= 100.0) =>
        {
            return Err(invalid(
                "比率",
                format!("{here}的满分线应高于零分线，且都在 0～100 之间"),
            ));
        }
        Rule::Deduction { per, cap, .. } if !(positive(*per) && *cap >= 0.0) => {
            return Err(invalid("扣分", format!("{here}的每项扣分应大于 0，扣分上限不能为负数")));
        }
        Rule::Manual if !positive(i.weight) => {
            return Err(invalid("分值", format!("{here}为人工评分，分值应大于 0")));
        }
        Rule::Veto { at_least, .. } if i.weight != 0.0 || !positive(*at_least) => {
            return Err(invalid(
                "分值",
                format!("{here}为一票否决项：分值应为 0，触发条件应大于 0"),
            ));
        }
        Rule::Target { .. } | Rule::Rate { .. } | Rule::Present { .. } if !positive(i.weight) => {
            return Err(invalid("分值", format!("{here}的分值应大于 0")));
        }
        _ => {}
    }
    Ok(())
}

/// False for zero, negatives and NaN (TOML can spell `nan`).
fn positive(v: f64) -> bool {
    v > 0.0
}

/// The default system a supervising unit starts from, using facts every register keeps.
pub const DEFAULT_SYSTEM: &str = include_str!("../../data/assessment_indicators.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn system(body: &str) -> Result<IndicatorSystem, FieldError> {
        IndicatorSystem::from_toml(&format!("title = \"测试\"\n{body}"))
    }

    const GOOD: &str = r#"
[[indicator]]
code = "A"
name = "理论学习"
weight = 60
[[indicator]]
code = "A1"
parent = "A"
name = "中心组学习"
weight = 60
rule = { kind = "target", fact = "activity.type:center_group", target = 12 }
[[indicator]]
code = "B"
name = "工作实效"
weight = 40
rule = { kind = "manual" }
[[indicator]]
code = "V"
name = "违反行为规范"
rule = { kind = "veto", fact = "conduct.violations", cap_grade = "一般" }
"#;

    #[test]
    fn the_default_system_is_valid() {
        IndicatorSystem::from_toml(DEFAULT_SYSTEM).unwrap();
    }

    #[test]
    fn a_good_system_round_trips_through_toml() {
        let s = system(GOOD).unwrap();
        let again = IndicatorSystem::from_toml(&s.to_toml()).unwrap();
        assert_eq!(s, again);
        assert_eq!(
            s.tree_order().iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            ["A", "A1", "B", "V"]
        );
    }

    #[test]
    fn weights_must_add_up() {
        let e = system(&GOOD.replace("weight = 40", "weight = 30")).unwrap_err();
        assert!(e.message.contains("顶层指标分值之和为 90"), "{e}");
        let e = system(&GOOD.replace("weight = 60\nrule", "weight = 50\nrule")).unwrap_err();
        assert!(
            e.message.contains("A「理论学习」") && e.message.contains("之和为 50"),
            "{e}"
        );
    }

    #[test]
    fn dangling_and_circular_parents_are_refused() {
        let e = system(&GOOD.replace("parent = \"A\"", "parent = \"X\"")).unwrap_err();
        assert!(e.message.contains("上级指标 X 不存在"), "{e}");
        let circular = r#"
[[indicator]]
code = "A"
name = "甲"
parent = "B"
weight = 100
[[indicator]]
code = "B"
name = "乙"
parent = "A"
weight = 100
rule = { kind = "manual" }
"#;
        let e = system(circular).unwrap_err();
        assert!(e.message.contains("循环"), "{e}");
    }

    #[test]
    fn duplicate_codes_and_unknown_facts_are_refused() {
        let e = system(&GOOD.replace("code = \"B\"", "code = \"A1\"")).unwrap_err();
        assert!(e.message.contains("A1 重复"), "{e}");
        let e = system(&GOOD.replace("activity.type:center_group", "no.such")).unwrap_err();
        assert!(e.message.contains("no.such") && e.message.contains("不存在"), "{e}");
    }

    #[test]
    fn platform_use_is_never_scored() {
        let e = system(&GOOD.replace("activity.type:center_group", "activity.type:study_points")).unwrap_err();
        assert!(e.message.contains("指尖上的形式主义"), "{e}");
        let e = system(&GOOD.replace("工作实效", "每日登录情况")).unwrap_err();
        assert!(
            e.message.contains("登录") && e.message.contains("指尖上的形式主义"),
            "{e}"
        );
    }

    #[test]
    fn veto_items_weigh_nothing_and_manual_items_something() {
        let e = system(&GOOD.replace("code = \"V\"", "code = \"V\"\nweight = 5")).unwrap_err();
        assert!(e.message.contains("一票否决"), "{e}");
    }
}
