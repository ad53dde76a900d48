//! Monitoring schemes (监测方案): a unit's keyword rule with a topic weight.
//!
//! The rule's grammar belongs to the rule engine in `shoutu-text`, whose
//! `monitor::parse_scheme` checks it with everything here; [`NewScheme::parse`] checks the
//! other fields only.

use serde::Serialize;

use crate::{FieldError, UnitId};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewScheme {
    pub unit_id: UnitId,
    pub name: String,
    pub rule: String,
    pub topic_weight: f64,
    pub active: bool,
}

impl NewScheme {
    /// Checks name, presence of a rule and the topic weight (blank means 1).
    pub fn parse(
        unit_id: UnitId,
        name: &str,
        rule: &str,
        topic_weight: &str,
        active: bool,
    ) -> Result<NewScheme, FieldError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(FieldError::new("方案名称", "请填写方案名称（不超过 60 字）"));
        }
        let rule = rule.trim();
        if rule.is_empty() {
            return Err(FieldError::new("监测规则", "请填写监测规则"));
        }
        let weight = if topic_weight.trim().is_empty() {
            1.0
        } else {
            topic_weight
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|w| w.is_finite() && (0.0..=3.0).contains(w))
                .ok_or_else(|| FieldError::new("话题权重", "话题权重应为 0 至 3 之间的数（1 为一般）"))?
        };
        Ok(NewScheme {
            unit_id,
            name: name.to_string(),
            rule: rule.to_string(),
            topic_weight: weight,
            active,
        })
    }
}

/// An active scheme as matching needs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoredScheme {
    pub id: i64,
    pub unit_id: UnitId,
    pub rule: String,
    pub topic_weight: f64,
}

/// Every active scheme of every unit, with a version that changes whenever any of them
/// does, so a compiled rule set is rebuilt only when it must be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemeSnapshot {
    pub version: String,
    pub schemes: Vec<MonitoredScheme>,
}
