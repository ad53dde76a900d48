//! Severity of public-opinion events (舆情事件分级): 一般 / 较大 / 重大 / 特别重大.
//!
//! ```text
//! score = topic_weight × ( volume   × log2(1 + volume)
//!                        + growth   × log2(1 + posts in the last hour)
//!                        + negative × log2(1 + negative-lexicon hits) )
//! level = 特别重大 if score ≥ critical, 重大 if ≥ major, 较大 if ≥ serious, else 一般
//! ```
//!
//! Logarithms, because orders of magnitude tell an event's size better than raw
//! counts: 10 → 100 posts adds as much as 100 → 1000. The weights, thresholds and
//! the accepted topic-weight range are policy, read from TOML; the shipped
//! defaults are `data/opinion_severity.toml` ([`SeverityConfig::defaults`]).
//! Thresholds are inclusive: a score equal to a threshold is at that level.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The shipped defaults (labelled as such in the file).
pub const DEFAULT_SEVERITY_TOML: &str = include_str!("../../data/opinion_severity.toml");

/// Event level, ordered so that `level >= unit_threshold` decides an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityLevel {
    /// 一般
    General,
    /// 较大
    Serious,
    /// 重大
    Major,
    /// 特别重大
    Critical,
}

impl SeverityLevel {
    pub const ALL: [SeverityLevel; 4] = [
        SeverityLevel::General,
        SeverityLevel::Serious,
        SeverityLevel::Major,
        SeverityLevel::Critical,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SeverityLevel::General => "一般",
            SeverityLevel::Serious => "较大",
            SeverityLevel::Major => "重大",
            SeverityLevel::Critical => "特别重大",
        }
    }

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            SeverityLevel::General => "general",
            SeverityLevel::Serious => "serious",
            SeverityLevel::Major => "major",
            SeverityLevel::Critical => "critical",
        }
    }

    pub fn from_code(code: &str) -> Option<SeverityLevel> {
        SeverityLevel::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl fmt::Display for SeverityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub volume: f64,
    pub growth: f64,
    pub negative: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub serious: f64,
    pub major: f64,
    pub critical: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicWeightRange {
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityConfig {
    pub weights: Weights,
    pub thresholds: Thresholds,
    pub topic_weight: TopicWeightRange,
}

/// What the formula reads about one event.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SeverityInput {
    pub volume: u64,
    /// Posts in the hour up to the event's latest post.
    pub growth_per_hour: u64,
    pub negative_hits: u64,
    /// The monitoring scheme's weight for its topic (1.0 = ordinary).
    pub topic_weight: f64,
}

/// The level with the score behind it, so the UI can show why.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Severity {
    pub level: SeverityLevel,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeverityConfigError {
    #[error("分级参数第 {line} 行：{message}")]
    Syntax { line: usize, message: String },
    #[error("分级参数不完整或有多余项：{0}")]
    Shape(String),
    #[error("分级参数不合理：{0}")]
    Invalid(String),
}

impl SeverityConfig {
    /// The shipped defaults.
    pub fn defaults() -> SeverityConfig {
        SeverityConfig::from_toml(DEFAULT_SEVERITY_TOML).expect("shipped severity defaults are valid")
    }

    /// Reads the configuration from TOML (as in the defaults file) and checks it: weights not negative, thresholds positive and strictly
    /// increasing, topic-weight range ordered.
    pub fn from_toml(src: &str) -> Result<SeverityConfig, SeverityConfigError> {
        let table: toml::Table = toml::from_str(src).map_err(|e| SeverityConfigError::Syntax {
            line: e
                .span()
                .map_or(0, |s| src[..s.start.min(src.len())].matches('\n').count() + 1),
            message: e.message().to_string(),
        })?;
        let config =
            SeverityConfig::deserialize(table).map_err(|e| SeverityConfigError::Shape(e.message().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), SeverityConfigError> {
        let w = &self.weights;
        let t = &self.thresholds;
        let all = [
            w.volume,
            w.growth,
            w.negative,
            t.serious,
            t.major,
            t.critical,
            self.topic_weight.min,
        ];
        if all.iter().any(|x| !x.is_finite() || *x < 0.0) || !self.topic_weight.max.is_finite() {
            return Err(SeverityConfigError::Invalid("权重、阈值不能为负数".into()));
        }
        if !(0.0 < t.serious && t.serious < t.major && t.major < t.critical) {
            return Err(SeverityConfigError::Invalid(
                "阈值应满足 0 < 较大 < 重大 < 特别重大".into(),
            ));
        }
        if self.topic_weight.min > self.topic_weight.max {
            return Err(SeverityConfigError::Invalid("话题权重下限不能大于上限".into()));
        }
        Ok(())
    }

    /// The score alone (see the module documentation for the formula).
    pub fn score(&self, input: &SeverityInput) -> f64 {
        let w = &self.weights;
        let topic = input.topic_weight.clamp(self.topic_weight.min, self.topic_weight.max);
        let log = |n: u64| (1.0 + n as f64).log2();
        topic
            * (w.volume * log(input.volume)
                + w.growth * log(input.growth_per_hour)
                + w.negative * log(input.negative_hits))
    }

    /// The level for a score; thresholds are inclusive.
    pub fn level_for(&self, score: f64) -> SeverityLevel {
        let t = &self.thresholds;
        if score >= t.critical {
            SeverityLevel::Critical
        } else if score >= t.major {
            SeverityLevel::Major
        } else if score >= t.serious {
            SeverityLevel::Serious
        } else {
            SeverityLevel::General
        }
    }

    pub fn assess(&self, input: &SeverityInput) -> Severity {
        let score = self.score(input);
        Severity {
            level: self.level_for(score),
            score,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(volume: u64, growth: u64, negative: u64, topic: f64) -> SeverityInput {
        SeverityInput {
            volume,
            growth_per_hour: growth,
            negative_hits: negative,
            topic_weight: topic,
        }
    }

    #[test]
    fn defaults_load_and_match_the_documented_examples() {
        let c = SeverityConfig::defaults();
        let s = c.assess(&input(30, 10, 3, 1.0));
        assert!((s.score - 12.1).abs() < 0.05, "{}", s.score);
        assert_eq!(s.level, SeverityLevel::Serious);
        let s = c.assess(&input(100, 30, 5, 1.0));
        assert!((s.score - 16.7).abs() < 0.05, "{}", s.score);
        assert_eq!(s.level, SeverityLevel::Major);
        assert_eq!(c.assess(&input(1, 1, 0, 1.0)).level, SeverityLevel::General);
        assert_eq!(c.assess(&input(2000, 500, 80, 1.0)).level, SeverityLevel::Critical);
        assert_eq!(c.assess(&input(0, 0, 0, 1.0)).score, 0.0);
    }

    #[test]
    fn thresholds_are_inclusive() {
        let c = SeverityConfig::defaults();
        assert_eq!(c.level_for(7.999), SeverityLevel::General);
        assert_eq!(c.level_for(8.0), SeverityLevel::Serious);
        assert_eq!(c.level_for(13.0), SeverityLevel::Major);
        assert_eq!(c.level_for(17.999), SeverityLevel::Major);
        assert_eq!(c.level_for(18.0), SeverityLevel::Critical);
    }

    #[test]
    fn topic_weight_scales_and_is_clamped() {
        let c = SeverityConfig::defaults();
        let base = c.score(&input(30, 10, 3, 1.0));
        assert!((c.score(&input(30, 10, 3, 2.0)) - 2.0 * base).abs() < 1e-9);
        assert_eq!(c.score(&input(30, 10, 3, 100.0)), c.score(&input(30, 10, 3, 3.0)));
        assert_eq!(c.score(&input(30, 10, 3, -1.0)), 0.0);
        // A sensitive topic lifts the same figures a level.
        assert_eq!(c.assess(&input(30, 10, 3, 1.2)).level, SeverityLevel::Major);
    }

    #[test]
    fn more_of_anything_never_lowers_the_level() {
        let c = SeverityConfig::defaults();
        let mut last = 0.0;
        for v in [0, 1, 5, 10, 50, 100, 1000, 10_000] {
            let s = c.score(&input(v, v / 10, v / 20, 1.0));
            assert!(s >= last);
            last = s;
        }
    }

    #[test]
    fn custom_toml_and_errors() {
        let custom = DEFAULT_SEVERITY_TOML.replace("serious = 8.0", "serious = 5.0");
        let c = SeverityConfig::from_toml(&custom).unwrap();
        assert_eq!(c.level_for(5.0), SeverityLevel::Serious);

        let bad = DEFAULT_SEVERITY_TOML.replace("serious = 8.0", "serious = 20.0");
        assert!(matches!(
            SeverityConfig::from_toml(&bad),
            Err(SeverityConfigError::Invalid(_))
        ));
        let missing = DEFAULT_SEVERITY_TOML.replace("negative = 1.0", "");
        assert!(matches!(
            SeverityConfig::from_toml(&missing),
            Err(SeverityConfigError::Shape(_))
        ));
        let e = SeverityConfig::from_toml("[weights]\nvolume = 很多\n").unwrap_err();
        assert!(matches!(e, SeverityConfigError::Syntax { line: 2, .. }), "{e}");
    }

    #[test]
    fn level_codes_round_trip() {
        for l in SeverityLevel::ALL {
            assert_eq!(SeverityLevel::from_code(l.code()), Some(l));
        }
        assert!(SeverityLevel::Major >= SeverityLevel::Serious);
    }
}
