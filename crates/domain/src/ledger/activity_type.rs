//! Activity types are data (`data/activity_types.toml`), not an enum scattered through
//! templates: offices add types without a new release.

use super::DataError;
use serde::Deserialize;
use std::collections::HashSet;

pub const DEFAULT_TOML: &str = include_str!("../../data/activity_types.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
}

/// A field a type adds to the common ones.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExtraField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
}

/// A tick box that files the record under a further ledger tag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Flag {
    pub key: String,
    pub label: String,
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ActivityType {
    pub code: String,
    pub name: String,
    pub group: String,
    pub tags: Vec<String>,
    /// Whether the record lists who took part.
    pub participants: bool,
    #[serde(default)]
    pub extra: Vec<ExtraField>,
    #[serde(default, rename = "flag")]
    pub flags: Vec<Flag>,
}

impl ActivityType {
    /// The ledger tags of a record of this type with the given flags ticked.
    pub fn tags_with(&self, ticked: &[String]) -> Vec<String> {
        let mut tags = self.tags.clone();
        for flag in &self.flags {
            if ticked.contains(&flag.key) && !tags.contains(&flag.tag) {
                tags.push(flag.tag.clone());
            }
        }
        tags
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub types: Vec<ActivityType>,
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "type")]
    types: Vec<ActivityType>,
}

impl Catalogue {
    pub fn defaults() -> Catalogue {
        Catalogue::parse("activity_types.toml", DEFAULT_TOML).expect("the shipped activity types are valid")
    }

    pub fn parse(file: &str, text: &str) -> Result<Catalogue, DataError> {
        let err = |message: String| DataError {
            file: file.to_string(),
            message,
        };
        let parsed: File = toml::from_str(text).map_err(|e| err(format!("格式有误：{}", e.message())))?;
        let mut codes = HashSet::new();
        for t in &parsed.types {
            if t.code.trim().is_empty() || t.name.trim().is_empty() {
                return Err(err("每个类型都要有 code 和 name".into()));
            }
            if !codes.insert(t.code.as_str()) {
                return Err(err(format!("类型代码「{}」重复", t.code)));
            }
            if t.tags.is_empty() {
                return Err(err(format!("类型「{}」没有台账标签（tags）", t.name)));
            }
            let mut keys = HashSet::new();
            for key in t.extra.iter().map(|f| &f.key).chain(t.flags.iter().map(|f| &f.key)) {
                if !keys.insert(key) {
                    return Err(err(format!("类型「{}」的字段「{key}」重复", t.name)));
                }
            }
        }
        Ok(Catalogue { types: parsed.types })
    }

    pub fn get(&self, code: &str) -> Option<&ActivityType> {
        self.types.iter().find(|t| t.code == code)
    }

    /// A type by its code or its Chinese name, as an import file may give either.
    pub fn find(&self, code_or_name: &str) -> Option<&ActivityType> {
        let wanted = code_or_name.trim();
        self.types.iter().find(|t| t.code == wanted || t.name == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_has_the_types_the_ledgers_need() {
        let c = Catalogue::defaults();
        for name in [
            "理论学习中心组学习",
            "意识形态工作分析研判会议",
            "支部党员大会",
            "党课",
            "主题党日",
            "学习平台积分",
        ] {
            assert!(c.find(name).is_some(), "{name}");
        }
    }

    #[test]
    fn one_committee_meeting_counts_in_several_ledgers() {
        let c = Catalogue::defaults();
        let meeting = c.get("committee_meeting").unwrap();
        let tags = meeting.tags_with(&["first_topic".into(), "ideology_topic".into()]);
        assert_eq!(tags, ["党委会", "第一议题", "专题研究意识形态工作"]);
        assert_eq!(meeting.tags_with(&[]), ["党委会"]);
    }

    #[test]
    fn a_broken_catalogue_is_refused_with_the_reason() {
        let dup = "[[type]]\ncode='a'\nname='甲'\ngroup='g'\ntags=['x']\nparticipants=true\n\
                   [[type]]\ncode='a'\nname='乙'\ngroup='g'\ntags=['y']\nparticipants=true\n";
        let e = Catalogue::parse("types.toml", dup).unwrap_err();
        assert!(e.to_string().contains("types.toml：类型代码「a」重复"), "{e}");
        assert!(
            Catalogue::parse("types.toml", "[[type]]\ncode=1")
                .unwrap_err()
                .message
                .contains("格式有误")
        );
    }
}
