//! Scoring a round: a pure function from the indicator tree, each unit's facts and the manual
//! scores to item scores, totals, grades (veto applied) and ranks.

use super::grade::GradeScale;
use super::indicator::{IndicatorSystem, Rule};
use crate::unit::UnitId;
use serde::Serialize;
use std::collections::HashMap;

/// A fact value as the round cached it for one unit and indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemFact {
    pub value: Option<f64>,
    pub evidence: usize,
}

/// A manual score with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManualScore {
    pub score: f64,
    pub reason: String,
    pub inspector: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub code: String,
    /// `None` for a manual item not scored yet.
    pub score: Option<f64>,
    /// The fact value the score came from, for computed items.
    pub value: Option<f64>,
    /// The veto item fired.
    pub vetoed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub unit_id: UnitId,
    pub items: Vec<ItemScore>,
    /// Scores of the indicators with children, summed from their leaves.
    pub groups: Vec<(String, f64)>,
    pub total: f64,
    /// Index into the grade scale (0 = best), after any veto.
    pub grade: usize,
    /// Codes of the veto items that fired.
    pub vetoes: Vec<String>,
    /// Manual items still to be scored.
    pub pending: usize,
    /// 1-based; units with equal totals share a rank.
    pub rank: usize,
}

impl UnitResult {
    pub fn item(&self, code: &str) -> Option<&ItemScore> {
        self.items.iter().find(|i| i.code == code)
    }
}

/// Rounds to two decimals, so that totals read and compare as people see them.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// One computed item's score from its fact value.
pub fn computed_score(rule: &Rule, weight: f64, value: Option<f64>, full_when_missing: bool) -> f64 {
    let Some(v) = value else {
        return match rule {
            // No records means nothing to deduct.
            Rule::Deduction { .. } => weight,
            _ if full_when_missing => weight,
            _ => 0.0,
        };
    };
    let score = match rule {
        Rule::Target { target, .. } => weight * (v / target).clamp(0.0, 1.0),
        Rule::Rate { full_at, zero_at, .. } => {
            if v >= *full_at {
                weight
            } else if v <= *zero_at {
                0.0
            } else {
                weight * (v - zero_at) / (full_at - zero_at)
            }
        }
        Rule::Present { .. } => {
            if v >= 1.0 {
                weight
            } else {
                0.0
            }
        }
        Rule::Deduction { per, cap, .. } => weight - (per * v.max(0.0)).min(*cap),
        Rule::Manual | Rule::Veto { .. } => 0.0,
    };
    round2(score)
}

/// Scores every unit. `facts` is keyed by (indicator code, unit); `manual` likewise.
pub fn score(
    system: &IndicatorSystem,
    grades: &GradeScale,
    units: &[UnitId],
    facts: &HashMap<(String, UnitId), ItemFact>,
    manual: &HashMap<(String, UnitId), ManualScore>,
) -> Vec<UnitResult> {
    let mut results: Vec<UnitResult> = units
        .iter()
        .map(|unit| score_unit(system, grades, *unit, facts, manual))
        .collect();
    rank(&mut results);
    results
}

fn score_unit(
    system: &IndicatorSystem,
    grades: &GradeScale,
    unit: UnitId,
    facts: &HashMap<(String, UnitId), ItemFact>,
    manual: &HashMap<(String, UnitId), ManualScore>,
) -> UnitResult {
    let mut items = Vec::new();
    let mut vetoes = Vec::new();
    let mut pending = 0;
    let mut cap: Option<usize> = None;
    for (ind, rule) in system.leaves() {
        let key = (ind.code.clone(), unit);
        let value = facts.get(&key).and_then(|f| f.value);
        let item = match rule {
            Rule::Manual => {
                let score = manual.get(&key).map(|m| m.score);
                if score.is_none() {
                    pending += 1;
                }
                ItemScore {
                    code: ind.code.clone(),
                    score,
                    value: None,
                    vetoed: false,
                }
            }
            Rule::Veto {
                at_least, cap_grade, ..
            } => {
                let fired = value.is_some_and(|v| v >= *at_least);
                if fired {
                    vetoes.push(ind.code.clone());
                    let at = grades.position(cap_grade).unwrap_or(grades.grades.len() - 1);
                    cap = Some(cap.map_or(at, |c| c.max(at)));
                }
                ItemScore {
                    code: ind.code.clone(),
                    score: None,
                    value,
                    vetoed: fired,
                }
            }
            _ => ItemScore {
                code: ind.code.clone(),
                score: Some(computed_score(rule, ind.weight, value, ind.full_when_missing)),
                value,
                vetoed: false,
            },
        };
        items.push(item);
    }
    let leaf_score: HashMap<&str, f64> = items
        .iter()
        .map(|i| (i.code.as_str(), i.score.unwrap_or(0.0)))
        .collect();
    let mut groups = Vec::new();
    for ind in &system.indicators {
        if ind.rule.is_none() {
            groups.push((ind.code.clone(), round2(sum_below(system, &ind.code, &leaf_score))));
        }
    }
    let total = round2(leaf_score.values().sum::<f64>().clamp(0.0, 100.0));
    let by_total = grades.by_total(total);
    UnitResult {
        unit_id: unit,
        items,
        groups,
        total,
        grade: cap.map_or(by_total, |c| c.max(by_total)),
        vetoes,
        pending,
        rank: 0,
    }
}

fn sum_below(system: &IndicatorSystem, code: &str, leaf: &HashMap<&str, f64>) -> f64 {
    system
        .children(code)
        .map(|c| match c.rule {
            Some(_) => leaf.get(c.code.as_str()).copied().unwrap_or(0.0),
            None => sum_below(system, &c.code, leaf),
        })
        .sum()
}

/// Competition ranking (1, 1, 3): equal totals share a rank.
pub fn rank(results: &mut [UnitResult]) {
    let mut totals: Vec<f64> = results.iter().map(|r| r.total).collect();
    totals.sort_by(|a, b| b.total_cmp(a));
    for r in results.iter_mut() {
        r.rank = 1 + totals.iter().filter(|t| **t > r.total).count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYSTEM: &str = r#"
title = "测试"
[[indicator]]
code = "A"
name = "学习"
weight = 40
[[indicator]]
code = "A1"
parent = "A"
name = "中心组学习"
weight = 20
rule = { kind = "target", fact = "activity.type:center_group", target = 12 }
[[indicator]]
code = "A2"
parent = "A"
name = "责任书"
weight = 20
rule = { kind = "rate", fact = "letter.signed_rate", full_at = 100, zero_at = 50 }
[[indicator]]
code = "B"
name = "宣讲"
weight = 10
rule = { kind = "present", fact = "activity.type:preaching" }
[[indicator]]
code = "C"
name = "现场督查"
weight = 50
rule = { kind = "manual" }
[[indicator]]
code = "K"
name = "逾期扣分"
rule = { kind = "deduction", fact = "task.overdue", per = 5, cap = 15 }
[[indicator]]
code = "V"
name = "违规"
rule = { kind = "veto", fact = "conduct.violations", cap_grade = "一般" }
"#;

    fn sys() -> IndicatorSystem {
        IndicatorSystem::from_toml(SYSTEM).unwrap()
    }

    fn rule(code: &str) -> (Rule, f64) {
        let s = sys();
        let i = s.get(code).unwrap();
        (i.rule.clone().unwrap(), i.weight)
    }

    #[test]
    fn target_gives_full_marks_at_and_above_and_proportional_below() {
        let (r, w) = rule("A1");
        assert_eq!(computed_score(&r, w, Some(12.0), false), 20.0);
        assert_eq!(computed_score(&r, w, Some(30.0), false), 20.0);
        assert_eq!(computed_score(&r, w, Some(11.0), false), 18.33);
        assert_eq!(computed_score(&r, w, Some(0.0), false), 0.0);
        assert_eq!(computed_score(&r, w, None, false), 0.0);
        assert_eq!(computed_score(&r, w, None, true), 20.0);
    }

    #[test]
    fn rate_is_linear_between_its_thresholds() {
        let (r, w) = rule("A2");
        assert_eq!(computed_score(&r, w, Some(100.0), false), 20.0);
        assert_eq!(computed_score(&r, w, Some(75.0), false), 10.0);
        assert_eq!(computed_score(&r, w, Some(50.0), false), 0.0);
        assert_eq!(computed_score(&r, w, Some(10.0), false), 0.0);
    }

    #[test]
    fn present_needs_at_least_one() {
        let (r, w) = rule("B");
        assert_eq!(computed_score(&r, w, Some(1.0), false), 10.0);
        assert_eq!(computed_score(&r, w, Some(0.0), false), 0.0);
    }

    #[test]
    fn deductions_are_capped_and_missing_deducts_nothing() {
        let (r, w) = rule("K");
        assert_eq!(computed_score(&r, w, Some(1.0), false), -5.0);
        assert_eq!(computed_score(&r, w, Some(3.0), false), -15.0);
        assert_eq!(computed_score(&r, w, Some(4.0), false), -15.0);
        assert_eq!(computed_score(&r, w, None, false), 0.0);
    }

    fn facts(unit: UnitId, values: &[(&str, f64)]) -> HashMap<(String, UnitId), ItemFact> {
        values
            .iter()
            .map(|(c, v)| {
                (
                    (c.to_string(), unit),
                    ItemFact {
                        value: Some(*v),
                        evidence: 0,
                    },
                )
            })
            .collect()
    }

    fn manual(unit: UnitId, score: f64) -> HashMap<(String, UnitId), ManualScore> {
        HashMap::from([(
            ("C".to_string(), unit),
            ManualScore {
                score,
                reason: "现场检查".into(),
                inspector: "督查组".into(),
            },
        )])
    }

    #[test]
    fn totals_grades_and_veto() {
        let s = sys();
        let g = GradeScale::defaults();
        let u = UnitId(1);
        let all = facts(u, &[("A1", 12.0), ("A2", 100.0), ("B", 2.0), ("K", 0.0), ("V", 0.0)]);
        let r = &score(&s, &g, &[u], &all, &manual(u, 40.0))[0];
        assert_eq!(r.total, 90.0);
        assert_eq!(g.grades[r.grade].name, "好");
        assert_eq!(r.groups, vec![("A".to_string(), 40.0)]);
        assert_eq!(r.pending, 0);

        let vetoed = facts(u, &[("A1", 12.0), ("A2", 100.0), ("B", 2.0), ("K", 0.0), ("V", 1.0)]);
        let r = &score(&s, &g, &[u], &vetoed, &manual(u, 40.0))[0];
        assert_eq!(r.total, 90.0, "a veto caps the grade, not the score");
        assert_eq!(g.grades[r.grade].name, "一般");
        assert_eq!(r.vetoes, vec!["V".to_string()]);

        // A veto never lifts a grade: 差 stays 差.
        let poor = facts(u, &[("A1", 0.0), ("V", 1.0)]);
        let r = &score(&s, &g, &[u], &poor, &HashMap::new())[0];
        assert_eq!(g.grades[r.grade].name, "差");
        assert_eq!(r.pending, 1);
        assert_eq!(r.item("C").unwrap().score, None);
    }

    #[test]
    fn deductions_come_off_the_total_which_never_drops_below_zero() {
        let s = sys();
        let g = GradeScale::defaults();
        let u = UnitId(1);
        let f = facts(u, &[("A1", 12.0), ("A2", 100.0), ("B", 1.0), ("K", 2.0)]);
        let r = &score(&s, &g, &[u], &f, &manual(u, 50.0))[0];
        assert_eq!(r.total, 90.0);
        assert_eq!(g.grades[r.grade].name, "好");
        let f = facts(u, &[("K", 9.0)]);
        assert_eq!(score(&s, &g, &[u], &f, &HashMap::new())[0].total, 0.0);
    }

    #[test]
    fn equal_totals_share_a_rank() {
        let s = sys();
        let g = GradeScale::defaults();
        let (a, b, c) = (UnitId(1), UnitId(2), UnitId(3));
        let mut f = facts(a, &[("A1", 12.0)]);
        f.extend(facts(b, &[("A1", 12.0)]));
        f.extend(facts(c, &[("A1", 6.0)]));
        let r = score(&s, &g, &[a, b, c], &f, &HashMap::new());
        assert_eq!(r.iter().map(|r| r.rank).collect::<Vec<_>>(), vec![1, 1, 3]);
    }
}
