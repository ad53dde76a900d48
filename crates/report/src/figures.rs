//! The figures a report quotes, fetched once per (key, unit) and numbered in order of first
//! use, so a figure quoted twice links to the same evidence.

use crate::model::Figure;
use shoutu_domain::fact::{DateRange, Fact, definition, split_key};
use shoutu_domain::ledger::Catalogue;
use shoutu_domain::{Scope, Unit, UnitId};
use shoutu_store::{Result, Store};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Activity type names, for labels of `activity.type:<code>` figures.
static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::defaults);

/// "活动次数（按类型）：理论学习中心组学习", "目标责任书签订率".
pub fn label_of(key: &str) -> String {
    let Some(def) = definition(key) else {
        return key.to_string();
    };
    match split_key(key) {
        ("activity.type", Some(code)) => {
            let name = CATALOGUE.get(code).map_or(code, |t| t.name.as_str());
            format!("{}：{name}", def.label)
        }
        (_, Some(param)) => format!("{}：{param}", def.label),
        _ => def.label.to_string(),
    }
}

pub struct FigureBook {
    pub figures: Vec<Figure>,
    index: HashMap<(String, UnitId), usize>,
    range: DateRange,
}

impl FigureBook {
    pub fn new(range: DateRange) -> Self {
        FigureBook {
            figures: Vec::new(),
            index: HashMap::new(),
            range,
        }
    }

    pub fn range(&self) -> DateRange {
        self.range
    }

    /// Records a computed fact and returns its number.
    pub fn add(&mut self, fact: Fact, unit_name: &str) -> usize {
        let key = (fact.key.clone(), fact.unit_id);
        if let Some(i) = self.index.get(&key) {
            return *i;
        }
        let i = self.figures.len();
        self.figures.push(Figure {
            label: label_of(&fact.key),
            display: fact.display(),
            key: fact.key,
            unit_id: fact.unit_id,
            unit_name: unit_name.to_string(),
            value: fact.value,
            evidence: fact.evidence,
        });
        self.index.insert(key, i);
        i
    }

    /// One unit's fact, fetched unless already known.
    pub async fn fact(&mut self, store: &dyn Store, scope: &Scope, key: &str, unit: &Unit) -> Result<usize> {
        if let Some(i) = self.index.get(&(key.to_string(), unit.id)) {
            return Ok(*i);
        }
        let fact = store.fact(scope, key, unit.id, self.range).await?;
        Ok(self.add(fact, &unit.name))
    }

    pub fn get(&self, i: usize) -> &Figure {
        &self.figures[i]
    }

    /// Zero or missing: nothing to report.
    pub fn is_blank(&self, i: usize) -> bool {
        self.figures[i].value.is_none_or(|v| v == 0.0)
    }
}
