//! 佐证材料清单: the records behind each figure, named so a reader of the printed report can
//! find them (date and topic for ledger records, title for tasks).

use crate::model::Report;
use shoutu_domain::audit::record_type_label;
use shoutu_domain::fact::RecordRef;
use shoutu_domain::{PageRequest, Scope};
use shoutu_store::{ActivityFilter, Result, Store};
use std::collections::HashMap;

/// How many records are named per figure before "等".
pub const LISTED: usize = 30;

/// One line of the appendix.
pub struct EvidenceLine {
    pub figure: String,
    pub records: Vec<String>,
    pub total: usize,
}

/// Names for the records the report's figures cite, fetched in bulk.
pub async fn labels(store: &dyn Store, scope: &Scope, report: &Report) -> Result<HashMap<RecordRef, String>> {
    let scope = scope.narrowed_to(report.unit_id);
    let mut out = HashMap::new();
    let wants_activities = report
        .figures
        .iter()
        .any(|f| f.evidence.iter().any(|r| r.kind == "activity"));
    if wants_activities {
        let filter = ActivityFilter {
            unit: Some(report.unit_id),
            include_subunits: true,
            from: Some(report.from),
            until: Some(report.until),
            ..Default::default()
        };
        let mut page = 1;
        loop {
            let got = store
                .activities(
                    &scope,
                    &filter,
                    PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE)),
                )
                .await?;
            for a in &got.items {
                out.insert(
                    RecordRef::new("activity", a.id.0),
                    format!("{} {}（{}）", a.date, a.topic, a.unit_name),
                );
            }
            if page >= got.pages() {
                break;
            }
            page += 1;
        }
    }
    for f in &report.figures {
        for r in f.evidence.iter().take(LISTED) {
            if r.kind == "task"
                && !out.contains_key(r)
                && let Ok(t) = store.task(&scope, r.id).await
            {
                out.insert(r.clone(), format!("{}（{}，期限{}）", t.title, t.unit_name, t.deadline));
            }
        }
    }
    Ok(out)
}

/// The appendix, one line per figure that has records behind it.
pub fn lines(report: &Report, labels: &HashMap<RecordRef, String>) -> Vec<EvidenceLine> {
    let mut seen = std::collections::HashSet::new();
    report
        .figures
        .iter()
        .filter(|f| !f.evidence.is_empty())
        .filter(|f| seen.insert((f.key.clone(), f.unit_id)))
        .map(|f| EvidenceLine {
            figure: format!("{}（{}）：{}", f.label, f.unit_name, f.display),
            records: f
                .evidence
                .iter()
                .take(LISTED)
                .map(|r| {
                    labels
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| format!("{}第{}号", record_type_label(&r.kind), r.id))
                })
                .collect(),
            total: f.evidence.len(),
        })
        .collect()
}
