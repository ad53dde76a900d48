//! 存在的问题, proposed from the data. Each source looks at one kind of shortfall; a register
//! added later (risk points, rectification items, platforms not inspected) adds its own
//! [`ProblemSource`] to [`sources`], and its problems appear in every report.

use crate::figures::FigureBook;
use crate::model::{Paragraph, Span};
use async_trait::async_trait;
use chrono::NaiveDate;
use shoutu_domain::fact::DateRange;
use shoutu_domain::ledger::requirement::Counted;
use shoutu_domain::ledger::{Period, RequirementSet, Status};
use shoutu_domain::{Scope, Unit};
use shoutu_store::{LedgerEntry, Result, Store};

/// What a source may look at.
pub struct ProblemContext<'a> {
    pub store: &'a dyn Store,
    /// Narrowed to the report's unit.
    pub scope: &'a Scope,
    pub unit: &'a Unit,
    /// The units directly below the report's unit.
    pub children: &'a [Unit],
    pub range: DateRange,
    /// The day the report is written as of: the period's end, or today when sooner.
    pub as_of: NaiveDate,
    pub requirements: &'a RequirementSet,
    /// The ledger records of the unit's subtree within the range.
    pub entries: &'a [LedgerEntry],
}

#[async_trait]
pub trait ProblemSource: Send + Sync {
    /// The problems found, one paragraph each.
    async fn find(&self, cx: &ProblemContext<'_>, figures: &mut FigureBook) -> Result<Vec<Paragraph>>;
}

/// Every source, in the order their problems are listed.
pub fn sources() -> Vec<Box<dyn ProblemSource>> {
    vec![
        Box::new(RequirementsNotMet),
        Box::new(OverdueTasks),
        Box::new(SubunitsShort),
        Box::new(CountedShortfall {
            key: "platform.overdue_inspection",
            before: "有",
            after: "个宣传思想文化阵地超过规定间隔未巡查，“谁主管谁负责、谁建群谁负责”的巡查责任落实不到位。",
        }),
        Box::new(CountedShortfall {
            key: "rectification.overdue",
            before: "督查发现问题的整改中，有",
            after: "项超过整改时限仍未销号，立查立改落实不够。",
        }),
    ]
}

/// A shortfall that a counting fact states by itself: a paragraph when the count is not zero.
pub struct CountedShortfall {
    pub key: &'static str,
    pub before: &'static str,
    pub after: &'static str,
}

#[async_trait]
impl ProblemSource for CountedShortfall {
    async fn find(&self, cx: &ProblemContext<'_>, figures: &mut FigureBook) -> Result<Vec<Paragraph>> {
        let i = figures.fact(cx.store, cx.scope, self.key, cx.unit).await?;
        if figures.is_blank(i) {
            return Ok(Vec::new());
        }
        Ok(vec![Paragraph {
            spans: vec![
                Span::Text(self.before.into()),
                Span::Figure(i),
                Span::Text(self.after.into()),
            ],
        }])
    }
}

/// The requirement periods that lie within the range and were over by `as_of`, not met.
pub fn unmet(cx: &ProblemContext<'_>, unit: &Unit) -> Vec<Status> {
    let own: Vec<Counted> = cx
        .entries
        .iter()
        .filter(|e| e.unit_id == unit.id)
        .map(|e| Counted {
            id: e.id,
            date: e.date,
            tags: &e.tags,
        })
        .collect();
    let mut out = Vec::new();
    for r in cx.requirements.requirements.iter().filter(|r| r.applies_to(unit.kind)) {
        let years = cx.range.from.format("%Y").to_string().parse::<i32>().unwrap_or(0)
            ..=cx.range.until.format("%Y").to_string().parse::<i32>().unwrap_or(0);
        for year in years {
            for period in Period::all_in(r.every, year) {
                if period.first_day() < cx.range.from
                    || period.last_day() > cx.range.until
                    || period.last_day() > cx.as_of
                {
                    continue;
                }
                let status = r.evaluate(period, own.iter().cloned(), cx.as_of);
                if !status.met {
                    out.push(status);
                }
            }
        }
    }
    out
}

/// 规定动作 of the unit itself that were not met in a period now over.
pub struct RequirementsNotMet;

#[async_trait]
impl ProblemSource for RequirementsNotMet {
    async fn find(&self, cx: &ProblemContext<'_>, _figures: &mut FigureBook) -> Result<Vec<Paragraph>> {
        let statuses = unmet(cx, cx.unit);
        let mut out = Vec::new();
        let mut names: Vec<&str> = statuses.iter().map(|s| s.name.as_str()).collect();
        names.dedup();
        for name in names {
            let periods: Vec<String> = statuses
                .iter()
                .filter(|s| s.name == name)
                .map(|s| format!("{}{}次", s.period.label(), s.count))
                .collect();
            let rule = cx
                .requirements
                .requirements
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.rule_text().replace(' ', ""))
                .unwrap_or_default();
            out.push(Paragraph::text(format!(
                "{name}未按要求开展：{}（要求{rule}）。",
                periods.join("，")
            )));
        }
        Ok(out)
    }
}

/// Tasks of the annual plan past their deadline and not done.
pub struct OverdueTasks;

/// How many overdue tasks are named before "等".
const NAMED_TASKS: usize = 5;

#[async_trait]
impl ProblemSource for OverdueTasks {
    async fn find(&self, cx: &ProblemContext<'_>, figures: &mut FigureBook) -> Result<Vec<Paragraph>> {
        let i = figures.fact(cx.store, cx.scope, "task.overdue", cx.unit).await?;
        if figures.is_blank(i) {
            return Ok(Vec::new());
        }
        let mut titles = Vec::new();
        for r in figures.get(i).evidence.iter().take(NAMED_TASKS) {
            if let Ok(task) = cx.store.task(cx.scope, r.id).await {
                titles.push(format!("“{}”", task.title));
            }
        }
        let more = if figures.get(i).evidence.len() > NAMED_TASKS {
            "等"
        } else {
            ""
        };
        Ok(vec![Paragraph {
            spans: vec![
                Span::Text("年度工作方案中有".into()),
                Span::Figure(i),
                Span::Text(format!(
                    "项任务逾期未完成，包括{}{more}，需加快推进。",
                    titles.join("、")
                )),
            ],
        }])
    }
}

/// Units directly below whose 规定动作 are not all met.
pub struct SubunitsShort;

#[async_trait]
impl ProblemSource for SubunitsShort {
    async fn find(&self, cx: &ProblemContext<'_>, _figures: &mut FigureBook) -> Result<Vec<Paragraph>> {
        let short: Vec<String> = cx
            .children
            .iter()
            .filter_map(|u| {
                let unmet = unmet(cx, u);
                if unmet.is_empty() {
                    return None;
                }
                let mut names: Vec<&str> = unmet.iter().map(|s| s.name.as_str()).collect();
                names.dedup();
                Some(format!("{}（{}）", u.name, names.join("、")))
            })
            .collect();
        if short.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![Paragraph::text(format!(
            "下级单位中有{}个单位规定动作未全部达标：{}。",
            short.len(),
            short.join("；")
        ))])
    }
}
