//! Report kinds as data: one TOML file per kind (shipped in `data/reports/`, or read from a
//! directory an administrator points to), checked on load so that a mistyped fact key is
//! reported with its file and section instead of printing a wrong report.

use serde::Deserialize;
use shoutu_domain::report::PeriodKind;
use std::path::Path;

/// The shipped kinds, in the order the "new report" form lists them.
const SHIPPED: &[(&str, &str)] = &[
    ("annual.toml", include_str!("../data/reports/annual.toml")),
    ("half_year.toml", include_str!("../data/reports/half_year.toml")),
    ("quarter.toml", include_str!("../data/reports/quarter.toml")),
    ("secretary.toml", include_str!("../data/reports/secretary.toml")),
    ("opinion.toml", include_str!("../data/reports/opinion.toml")),
];

/// Text placeholders a template may use besides fact keys.
pub const TEXT_PLACEHOLDERS: &[&str] = &["unit", "period", "year", "next_year", "parent"];

#[derive(Debug, thiserror::Error)]
#[error("报告模板「{file}」{place}：{message}")]
pub struct TemplateError {
    pub file: String,
    /// Where in the file: "第2节「存在的问题」" or empty for the file as a whole.
    pub place: String,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportTemplate {
    pub kind: String,
    pub name: String,
    pub period: String,
    pub title: String,
    #[serde(default)]
    pub addressee: String,
    #[serde(default)]
    pub opening: String,
    #[serde(default)]
    pub closing: String,
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub first_person: bool,
    #[serde(rename = "section")]
    pub sections: Vec<SectionTemplate>,
}

/// Where a section's paragraphs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Areas of sentences with figures.
    #[default]
    Facts,
    /// Problems proposed from the data (requirements not met, overdue tasks, …).
    Problems,
    /// Next period's plan items.
    NextPlans,
    /// A table of the units directly below, ranked; left out for units without any.
    Rollup,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionTemplate {
    pub title: String,
    #[serde(default)]
    pub source: Source,
    #[serde(default, rename = "area")]
    pub areas: Vec<AreaTemplate>,
    /// What the section says when its source finds nothing.
    #[serde(default)]
    pub none: String,
    /// Roll-up: the columns of the table and the one it is ranked by.
    #[serde(default)]
    pub columns: Vec<Column>,
    #[serde(default)]
    pub rank_by: Option<String>,
    /// The kinds of unit the section is written for; every kind when empty.
    #[serde(default)]
    pub unit_kinds: Vec<shoutu_domain::UnitKind>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaTemplate {
    pub title: String,
    #[serde(default)]
    pub sentences: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub title: String,
}

/// A piece of a sentence: text, a text placeholder or a fact key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Placeholder(String),
    Fact(String),
}

/// Cuts "召开中心组学习{activity.type:center_group}次" into pieces.
pub fn pieces(sentence: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = sentence;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("「{sentence}」中的 {{ 没有对应的 }}"))?;
        let name = after[..close].trim();
        if name.is_empty() {
            return Err(format!("「{sentence}」中有空的 {{}}"));
        }
        if TEXT_PLACEHOLDERS.contains(&name) {
            out.push(Piece::Placeholder(name.to_string()));
        } else {
            out.push(Piece::Fact(name.to_string()));
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("「{sentence}」中的 }} 没有对应的 {{"));
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    Ok(out)
}

impl ReportTemplate {
    pub fn period_kind(&self) -> PeriodKind {
        PeriodKind::parse(&self.period).unwrap_or(PeriodKind::Year)
    }

    pub fn parse(file: &str, text: &str) -> Result<ReportTemplate, TemplateError> {
        let err = |place: String, message: String| TemplateError {
            file: file.to_string(),
            place,
            message,
        };
        let t: ReportTemplate =
            toml::from_str(text).map_err(|e| err(String::new(), format!("格式有误：{}", e.message())))?;
        if t.kind.trim().is_empty() || !t.kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(String::new(), "kind 应为字母、数字或下划线组成的代码".into()));
        }
        if PeriodKind::parse(&t.period).is_none() {
            return Err(err(
                String::new(),
                format!("period「{}」应为 year、half 或 quarter", t.period),
            ));
        }
        if t.sections.is_empty() {
            return Err(err(String::new(), "至少需要一节（[[section]]）".into()));
        }
        for (field, value) in [
            ("title", &t.title),
            ("addressee", &t.addressee),
            ("opening", &t.opening),
            ("closing", &t.closing),
            ("signature", &t.signature),
        ] {
            check_sentence(value, false).map_err(|m| err(field.to_string(), m))?;
        }
        for (i, section) in t.sections.iter().enumerate() {
            let place = format!("第{}节「{}」", i + 1, section.title);
            if section.title.trim().is_empty() {
                return Err(err(format!("第{}节", i + 1), "缺少标题（title）".into()));
            }
            check_sentence(&section.none, false).map_err(|m| err(place.clone(), m))?;
            if section.source != Source::Facts && !section.areas.is_empty() {
                return Err(err(place, "只有 source = \"facts\" 的节可以含有 area".into()));
            }
            for area in &section.areas {
                let place = format!("{place}「{}」", area.title);
                for sentence in &area.sentences {
                    check_sentence(sentence, true).map_err(|m| err(place.clone(), m))?;
                }
            }
            if section.source == Source::Rollup {
                if section.columns.is_empty() {
                    return Err(err(place, "汇总表至少需要一列（columns）".into()));
                }
                for c in &section.columns {
                    check_key(&c.key).map_err(|m| err(place.clone(), m))?;
                }
                if let Some(rank) = &section.rank_by
                    && !section.columns.iter().any(|c| &c.key == rank)
                {
                    return Err(err(place, format!("排名依据「{rank}」不是表中的一列")));
                }
            }
        }
        Ok(t)
    }

    /// Every fact key the template quotes, without repeats, in order of appearance.
    pub fn fact_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |k: &str| {
            if !keys.iter().any(|x| x == k) {
                keys.push(k.to_string());
            }
        };
        for s in &self.sections {
            for a in &s.areas {
                for sentence in &a.sentences {
                    for p in pieces(sentence).unwrap_or_default() {
                        if let Piece::Fact(k) = p {
                            add(&k);
                        }
                    }
                }
            }
            for c in &s.columns {
                add(&c.key);
            }
        }
        keys
    }
}

fn check_key(key: &str) -> Result<(), String> {
    if shoutu_domain::fact::definition(key).is_none() {
        return Err(format!("「{key}」不是已知的统计口径（事实键）"));
    }
    Ok(())
}

fn check_sentence(sentence: &str, facts_allowed: bool) -> Result<(), String> {
    for piece in pieces(sentence)? {
        if let Piece::Fact(key) = piece {
            if !facts_allowed {
                return Err(format!(
                    "「{{{key}}}」不是可用的占位符（可用：{}）",
                    TEXT_PLACEHOLDERS.join("、")
                ));
            }
            check_key(&key)?;
        }
    }
    Ok(())
}

/// The report kinds in force.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    pub templates: Vec<ReportTemplate>,
    /// Where they came from, for the pages to say.
    pub origin: String,
}

impl TemplateSet {
    pub fn shipped() -> TemplateSet {
        TemplateSet {
            templates: SHIPPED
                .iter()
                .map(|(file, text)| ReportTemplate::parse(file, text).expect("the shipped report templates are valid"))
                .collect(),
            origin: "内置模板".into(),
        }
    }

    /// Reads every `*.toml` of a directory, in file-name order; any invalid file fails the whole load.
    pub fn load_dir(dir: &Path) -> Result<TemplateSet, TemplateError> {
        let whole = |message: String| TemplateError {
            file: dir.display().to_string(),
            place: String::new(),
            message,
        };
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| whole(format!("无法读取目录：{e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(whole("目录中没有 .toml 报告模板".into()));
        }
        let mut templates: Vec<ReportTemplate> = Vec::new();
        for path in files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| TemplateError {
                file: name.clone(),
                place: String::new(),
                message: format!("无法读取：{e}"),
            })?;
            let t = ReportTemplate::parse(&name, &text)?;
            if templates.iter().any(|x| x.kind == t.kind) {
                return Err(TemplateError {
                    file: name,
                    place: String::new(),
                    message: format!("报告类型代码「{}」与另一个模板重复", t.kind),
                });
            }
            templates.push(t);
        }
        Ok(TemplateSet {
            templates,
            origin: dir.display().to_string(),
        })
    }

    pub fn get(&self, kind: &str) -> Option<&ReportTemplate> {
        self.templates.iter().find(|t| t.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_load() {
        let set = TemplateSet::shipped();
        assert_eq!(set.templates.len(), 5);
        let annual = set.get("annual").unwrap();
        assert!(annual.fact_keys().contains(&"activity.type:center_group".to_string()));
        assert!(set.get("secretary").unwrap().first_person);
    }

    #[test]
    fn an_unknown_fact_key_is_named_with_file_and_section() {
        let text = include_str!("../data/reports/half_year.toml").replace("{task.done}", "{task.finished}");
        let e = ReportTemplate::parse("mine.toml", &text).unwrap_err().to_string();
        assert!(e.contains("mine.toml"), "{e}");
        assert!(e.contains("工作开展情况"), "{e}");
        assert!(e.contains("task.finished"), "{e}");
    }

    #[test]
    fn unbalanced_braces_and_fact_keys_outside_sentences_are_refused() {
        assert!(pieces("召开{activity.all次").is_err());
        let text = include_str!("../data/reports/half_year.toml")
            .replace("title = \"{unit}{period}", "title = \"{unit}{activity.all}");
        let e = ReportTemplate::parse("x.toml", &text).unwrap_err().to_string();
        assert!(e.contains("title"), "{e}");
    }

    #[test]
    fn sentences_cut_into_text_placeholders_and_facts() {
        assert_eq!(
            pieces("{unit}召开{activity.all}次").unwrap(),
            vec![
                Piece::Placeholder("unit".into()),
                Piece::Text("召开".into()),
                Piece::Fact("activity.all".into()),
                Piece::Text("次".into()),
            ]
        );
    }

    #[test]
    fn a_directory_loads_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), include_str!("../data/reports/annual.toml")).unwrap();
        let set = TemplateSet::load_dir(dir.path()).unwrap();
        assert_eq!(set.templates.len(), 1);
        std::fs::write(
            dir.path().join("b.toml"),
            include_str!("../data/reports/quarter.toml").replace("{task.done}", "{no.such}"),
        )
        .unwrap();
        let e = TemplateSet::load_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("b.toml") && e.contains("no.such"), "{e}");
        std::fs::write(dir.path().join("b.toml"), include_str!("../data/reports/annual.toml")).unwrap();
        let e = TemplateSet::load_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("重复"), "{e}");
    }
}
