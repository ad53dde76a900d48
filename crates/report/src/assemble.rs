//! From (template, unit, period) to a [`Report`]: every figure computed from the records by
//! its fact key, 存在的问题 proposed from the data, 下一步工作打算 from the plan items of the
//! next period, and for a unit with units below it a ranked table of them.

use crate::figures::FigureBook;
use crate::model::{Cell, Paragraph, Report, Section, Span, Table};
use crate::problems::{self, ProblemContext};
use crate::template::{Piece, ReportTemplate, SectionTemplate, Source, pieces};
use chrono::{Datelike, NaiveDate};
use shoutu_domain::ledger::RequirementSet;
use shoutu_domain::report::{PeriodKind, ReportPeriod};
use shoutu_domain::{Scope, Unit, UnitId, UnitKind};
use shoutu_store::{Result, Store};
use std::collections::BTreeMap;

/// Everything a report is assembled from.
pub struct Inputs<'a> {
    pub store: &'a dyn Store,
    pub scope: &'a Scope,
    pub template: &'a ReportTemplate,
    pub unit: UnitId,
    pub period: ReportPeriod,
    pub requirements: &'a RequirementSet,
    pub today: NaiveDate,
    /// The user's prose per section key.
    pub prose: &'a BTreeMap<String, String>,
}

const NUMERALS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
    "十八", "十九", "二十",
];

fn numeral(i: usize) -> &'static str {
    NUMERALS.get(i).copied().unwrap_or("")
}

/// 2026年1月10日: 成文日期 in Arabic numerals (GB/T 9704-2012, 7.3.5.1).
pub fn date_line(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

struct Texts {
    unit: String,
    period: String,
    year: String,
    next_year: String,
    parent: String,
}

impl Texts {
    fn fill(&self, s: &str) -> String {
        let mut out = String::new();
        for p in pieces(s).unwrap_or_default() {
            match p {
                Piece::Text(t) => out.push_str(&t),
                Piece::Placeholder(name) => out.push_str(match name.as_str() {
                    "unit" => &self.unit,
                    "period" => &self.period,
                    "year" => &self.year,
                    "next_year" => &self.next_year,
                    _ => &self.parent,
                }),
                Piece::Fact(k) => out.push_str(&format!("{{{k}}}")),
            }
        }
        out
    }
}

pub async fn assemble(inputs: Inputs<'_>) -> Result<Report> {
    let Inputs {
        store,
        scope,
        template,
        unit,
        period,
        requirements,
        today,
        prose,
    } = inputs;
    let unit = store.unit(scope, unit).await?;
    let scope = scope.narrowed_to(unit.id);
    let range = period.range();
    let as_of = today.min(range.until);
    let tree = store.unit_tree(&scope).await?;
    let children: Vec<Unit> = tree
        .iter()
        .filter(|u| u.parent_id == Some(unit.id) && u.kind != UnitKind::PartyBranch)
        .cloned()
        .collect();
    let parent = parent_name(store, &unit).await;
    let texts = Texts {
        unit: unit.name.clone(),
        period: period.label(),
        year: period.year.to_string(),
        next_year: (period.year + 1).to_string(),
        parent: parent.clone().unwrap_or_default(),
    };
    let entries = store.ledger_entries(&scope, range.from, range.until).await?;
    let mut figures = FigureBook::new(range);
    let mut gaps = Vec::new();
    let mut sections = Vec::new();
    let mut number = 0;
    for st in &template.sections {
        if (st.source == Source::Rollup && children.is_empty())
            || (!st.unit_kinds.is_empty() && !st.unit_kinds.contains(&unit.kind))
        {
            continue;
        }
        let heading = format!("{}、{}", numeral(number), st.title);
        number += 1;
        let mut top = Section {
            key: st.title.clone(),
            level: 1,
            heading,
            paragraphs: Vec::new(),
            table: None,
            prose: prose_of(prose, &st.title),
            editable: true,
        };
        match st.source {
            Source::Facts => {
                sections.push(top);
                for (i, area) in st.areas.iter().enumerate() {
                    let mut paragraphs = Vec::new();
                    for sentence in &area.sentences {
                        let r = render_sentence(store, &scope, &unit, &texts, sentence, &mut figures).await?;
                        paragraphs.extend(r.kept);
                        gaps.extend(r.dropped.into_iter().map(|text| format!("「{}」：{text}", area.title)));
                    }
                    let own = prose_of(prose, &area.title);
                    if paragraphs.is_empty() && own.is_empty() {
                        paragraphs.push(Paragraph::text("本期系统内暂无该方面的工作记录。"));
                        gaps.push(format!(
                            "「{}」：本期没有可引用的记录，请补充文字或录入记录",
                            area.title
                        ));
                    }
                    sections.push(Section {
                        key: area.title.clone(),
                        level: 2,
                        heading: format!("（{}）{}", numeral(i), area.title),
                        paragraphs,
                        table: None,
                        prose: own,
                        editable: true,
                    });
                }
                continue;
            }
            Source::Problems => {
                let cx = ProblemContext {
                    store,
                    scope: &scope,
                    unit: &unit,
                    children: &children,
                    range,
                    as_of,
                    requirements,
                    entries: &entries,
                };
                let mut found = Vec::new();
                for source in problems::sources() {
                    found.extend(source.find(&cx, &mut figures).await?);
                }
                top.paragraphs = numbered(found);
                if top.paragraphs.is_empty() && top.prose.is_empty() {
                    top.paragraphs.push(Paragraph::text(texts.fill(&st.none)));
                }
            }
            Source::NextPlans => {
                top.paragraphs = numbered(next_plans(store, &scope, &unit, period).await?);
                if top.paragraphs.is_empty() && top.prose.is_empty() {
                    let none = texts.fill(&st.none);
                    gaps.push(format!("「{}」：{none}", st.title));
                    top.paragraphs.push(Paragraph::text(none));
                }
            }
            Source::Rollup => {
                top.table = Some(
                    rollup(
                        store,
                        &scope,
                        &unit,
                        &children,
                        st,
                        &mut figures,
                        requirements,
                        &entries,
                        range,
                        as_of,
                    )
                    .await?,
                );
            }
        }
        sections.push(top);
    }
    let opening = render_sentence(store, &scope, &unit, &texts, &template.opening, &mut figures)
        .await?
        .kept
        .unwrap_or_default();
    if parent.is_none() && !template.addressee.is_empty() {
        gaps.push("主送机关：本单位是系统中的最上级单位，请在正文前补写主送机关".into());
    }
    Ok(Report {
        kind: template.kind.clone(),
        kind_name: template.name.clone(),
        title: texts.fill(&template.title),
        addressee: if parent.is_some() {
            texts.fill(&template.addressee)
        } else {
            String::new()
        },
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        period_label: period.label(),
        from: range.from,
        until: range.until,
        opening,
        sections,
        closing: texts.fill(&template.closing),
        signature: texts.fill(&template.signature),
        date_line: date_line(today),
        figures: figures.figures,
        gaps,
    })
}

fn prose_of(prose: &BTreeMap<String, String>, key: &str) -> Vec<String> {
    prose
        .get(key)
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The superior the report is addressed to; `None` for the top of the tree.
async fn parent_name(store: &dyn Store, unit: &Unit) -> Option<String> {
    let parent = unit.parent_id?;
    // The superior usually lies outside the writer's scope; only its name is needed, read
    // with a console scope over the whole tree.
    let root = store.root_unit().await.ok().flatten()?;
    store.unit(&Scope::console(root.id), parent).await.ok().map(|u| u.name)
}

/// A sentence as it goes into the text: the clauses kept, and those left out because every
/// figure in them is zero or missing (with what they would have read, for the author).
struct Rendered {
    kept: Option<Paragraph>,
    dropped: Vec<String>,
}

/// Clauses are the parts of a sentence between "，": "召开中心组学习{a}次，专题研讨{b}次。"
/// keeps the first and leaves out the second when b is zero. A clause without figures stays
/// only beside a kept clause with figures, so no sentence is left saying nothing.
async fn render_sentence(
    store: &dyn Store,
    scope: &Scope,
    unit: &Unit,
    texts: &Texts,
    sentence: &str,
    figures: &mut FigureBook,
) -> Result<Rendered> {
    let ends_with_stop = sentence.ends_with('。');
    let body = sentence.strip_suffix('。').unwrap_or(sentence);
    let mut clauses: Vec<Vec<Span>> = vec![Vec::new()];
    for piece in pieces(body).unwrap_or_default() {
        match piece {
            Piece::Text(t) => {
                let mut parts = t.split('，');
                if let Some(first) = parts.next().filter(|p| !p.is_empty()) {
                    clauses
                        .last_mut()
                        .expect("one clause at least")
                        .push(Span::Text(first.to_string()));
                }
                for part in parts {
                    clauses.push(Vec::new());
                    if !part.is_empty() {
                        clauses
                            .last_mut()
                            .expect("just pushed")
                            .push(Span::Text(part.to_string()));
                    }
                }
            }
            Piece::Placeholder(name) => clauses
                .last_mut()
                .expect("one clause at least")
                .push(Span::Text(texts.fill(&format!("{{{name}}}")))),
            Piece::Fact(key) => {
                let i = figures.fact(store, scope, &key, unit).await?;
                clauses.last_mut().expect("one clause at least").push(Span::Figure(i));
            }
        }
    }
    let plain = |spans: &[Span], figures: &FigureBook| -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Text(t) => t.clone(),
                Span::Figure(i) => figures.get(*i).display.clone(),
            })
            .collect()
    };
    let mut kept: Vec<Vec<Span>> = Vec::new();
    let mut dropped = Vec::new();
    let mut kept_figures = false;
    for clause in clauses.into_iter().filter(|c| !c.is_empty()) {
        let facts: Vec<usize> = clause
            .iter()
            .filter_map(|s| if let Span::Figure(i) = s { Some(*i) } else { None })
            .collect();
        if !facts.is_empty() && facts.iter().all(|i| figures.is_blank(*i)) {
            dropped.push(plain(&clause, figures));
            continue;
        }
        kept_figures |= !facts.is_empty();
        kept.push(clause);
    }
    let had_figures = kept_figures || !dropped.is_empty();
    if had_figures && !kept_figures {
        return Ok(Rendered { kept: None, dropped });
    }
    let mut spans = Vec::new();
    for (n, clause) in kept.into_iter().enumerate() {
        if n > 0 {
            spans.push(Span::Text("，".into()));
        }
        spans.extend(clause);
    }
    if ends_with_stop {
        spans.push(Span::Text("。".into()));
    }
    Ok(Rendered {
        kept: Some(Paragraph { spans }),
        dropped,
    })
}

/// Problems and plans read as a list: 1．…, 2．….
fn numbered(paragraphs: Vec<Paragraph>) -> Vec<Paragraph> {
    paragraphs
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p.spans.insert(0, Span::Text(format!("{}．", i + 1)));
            p
        })
        .collect()
}

/// What the unit plans next: next year's plan items for a yearly report; for a half-year or
/// quarter, this year's items and tasks due after the period and not yet done.
async fn next_plans(store: &dyn Store, scope: &Scope, unit: &Unit, period: ReportPeriod) -> Result<Vec<Paragraph>> {
    let range = period.range();
    let (year, after) = match period.kind() {
        PeriodKind::Year => (period.year + 1, None),
        _ => (period.year, Some(range.until)),
    };
    let items = store.plan_items(scope, year).await?;
    let mut out = Vec::new();
    for item in items {
        let mine = item.unit_id == unit.id || item.responsible_unit == unit.id;
        if mine && after.is_none_or(|d| item.deadline > d) {
            out.push(Paragraph::text(format!(
                "{}（{}月{}日前完成{}）。",
                item.title.trim_end_matches('。'),
                item.deadline.month(),
                item.deadline.day(),
                if item.expected_output.trim().is_empty() {
                    String::new()
                } else {
                    format!("，预期成果：{}", item.expected_output.trim())
                }
            )));
            continue;
        }
        // A superior's item: what this unit was tasked with. Next year's tasks are the plan
        // whatever their state today; within a year, only what is still to do.
        for task in item.tasks.iter().filter(|t| t.unit_id == unit.id) {
            if after.is_none_or(|d| task.deadline > d && task.done_on.is_none()) {
                // Task titles often repeat the unit's name: "河口镇：开展……".
                let title = task.title.trim_end_matches('。');
                let title = title
                    .strip_prefix(unit.name.as_str())
                    .map(|t| t.trim_start_matches(['：', ':']))
                    .unwrap_or(title);
                out.push(Paragraph::text(format!(
                    "{title}（{}部署，{}月{}日前完成）。",
                    item.unit_name,
                    task.deadline.month(),
                    task.deadline.day()
                )));
            }
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn rollup(
    store: &dyn Store,
    scope: &Scope,
    unit: &Unit,
    children: &[Unit],
    st: &SectionTemplate,
    figures: &mut FigureBook,
    requirements: &RequirementSet,
    entries: &[shoutu_store::LedgerEntry],
    range: shoutu_domain::fact::DateRange,
    as_of: NaiveDate,
) -> Result<Table> {
    let ids: Vec<UnitId> = children.iter().map(|u| u.id).collect();
    // One query per column over the whole subtree, rolled up to each unit below.
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for c in &st.columns {
        let facts = store.facts_by_unit(scope, &c.key, range, &ids).await?;
        columns.push(
            facts
                .into_iter()
                .zip(children)
                .map(|(f, u)| figures.add(f, &u.name))
                .collect(),
        );
    }
    let cx = ProblemContext {
        store,
        scope,
        unit,
        children,
        range,
        as_of,
        requirements,
        entries,
    };
    let rank_col = st
        .rank_by
        .as_ref()
        .and_then(|k| st.columns.iter().position(|c| &c.key == k));
    let mut order: Vec<usize> = (0..children.len()).collect();
    if let Some(rc) = rank_col {
        order.sort_by(|a, b| {
            let va = figures.get(columns[rc][*a]).value.unwrap_or(f64::MIN);
            let vb = figures.get(columns[rc][*b]).value.unwrap_or(f64::MIN);
            vb.total_cmp(&va).then(a.cmp(b))
        });
    }
    let mut header = vec!["序号".to_string(), "单位".to_string()];
    header.extend(st.columns.iter().map(|c| c.title.clone()));
    header.push("规定动作".into());
    let mut rows = Vec::new();
    for (rank, i) in order.into_iter().enumerate() {
        let u = &children[i];
        let mut row = vec![Cell::Text((rank + 1).to_string()), Cell::Text(u.name.clone())];
        row.extend(columns.iter().map(|col| Cell::Figure(col[i])));
        let unmet = problems::unmet(&cx, u);
        let applies = requirements.requirements.iter().any(|r| r.applies_to(u.kind));
        row.push(Cell::Text(if !applies {
            "不适用".into()
        } else if unmet.is_empty() {
            "达标".into()
        } else {
            format!("未达标（{}项）", unmet.len())
        }));
        rows.push(row);
    }
    let mut total = vec![Cell::Text(String::new()), Cell::Text("合计（含本级）".into())];
    for c in &st.columns {
        total.push(Cell::Figure(figures.fact(store, scope, &c.key, unit).await?));
    }
    total.push(Cell::Text(String::new()));
    rows.push(total);
    Ok(Table { header, rows })
}
