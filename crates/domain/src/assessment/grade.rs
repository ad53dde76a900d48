//! Grades (等次) and their thresholds, read from a data file so that each place can set its own.

use crate::field::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    pub min: f64,
}

/// Grades from best to worst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeScale {
    #[serde(rename = "grade")]
    pub grades: Vec<Grade>,
}

pub const DEFAULT_GRADES: &str = include_str!("../../data/assessment_grades.toml");

impl GradeScale {
    pub fn defaults() -> Self {
        Self::from_toml(DEFAULT_GRADES).expect("the shipped grade file is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, FieldError> {
        let scale: GradeScale =
            toml::from_str(text).map_err(|e| FieldError::new("等次文件", format!("无法读取：{}", e.message())))?;
        if scale.grades.is_empty() {
            return Err(FieldError::new("等次文件", "至少要有一个等次"));
        }
        for pair in scale.grades.windows(2) {
            if pair[1].min >= pair[0].min {
                return Err(FieldError::new(
                    "等次文件",
                    format!(
                        "等次应从高到低排列：「{}」的分数线应低于「{}」",
                        pair[1].name, pair[0].name
                    ),
                ));
            }
        }
        if scale.grades.last().is_some_and(|g| g.min > 0.0) {
            return Err(FieldError::new("等次文件", "最后一个等次的分数线应为 0"));
        }
        Ok(scale)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a grade scale serialises")
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.grades.iter().position(|g| g.name == name)
    }

    /// The index of the grade a total earns (0 = best).
    pub fn by_total(&self, total: f64) -> usize {
        self.grades
            .iter()
            .position(|g| total + 1e-9 >= g.min)
            .unwrap_or(self.grades.len() - 1)
    }

    /// Is this the worst grade or one below the best two? Used to colour a grade.
    pub fn css(&self, index: usize) -> &'static str {
        if index == 0 {
            "state-ok"
        } else if index + 1 >= self.grades.len() {
            "state-bad"
        } else {
            ""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_thresholds_at_their_boundaries() {
        let s = GradeScale::defaults();
        let name = |t: f64| s.grades[s.by_total(t)].name.clone();
        assert_eq!(name(100.0), "好");
        assert_eq!(name(90.0), "好");
        assert_eq!(name(89.99), "较好");
        assert_eq!(name(80.0), "较好");
        assert_eq!(name(79.9), "一般");
        assert_eq!(name(60.0), "一般");
        assert_eq!(name(59.9), "差");
        assert_eq!(name(0.0), "差");
    }

    #[test]
    fn grades_out_of_order_are_refused() {
        let e = GradeScale::from_toml("[[grade]]\nname = \"好\"\nmin = 80\n[[grade]]\nname = \"差\"\nmin = 90\n")
            .unwrap_err();
        assert!(e.message.contains("从高到低"), "{e}");
    }
}
