//! A report as assembled: headings, paragraphs whose figures keep the key, value and evidence
//! they came from, and the user's own prose. The web editor, the .docx writer and the frozen
//! copy of a finalised report all read this one model.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shoutu_domain::UnitId;
use shoutu_domain::fact::RecordRef;
use shoutu_domain::report::FrozenFigure;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub kind: String,
    pub kind_name: String,
    pub title: String,
    /// 主送机关, with its colon.
    pub addressee: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub period_label: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub opening: Paragraph,
    pub sections: Vec<Section>,
    pub closing: String,
    pub signature: String,
    /// 成文日期 in words of digits: 2026年1月10日.
    pub date_line: String,
    pub figures: Vec<Figure>,
    /// Sentences left out because the records hold nothing for them, for the author to see.
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable name the user's prose is saved under: the heading text without its number.
    pub key: String,
    /// 1 for 一、…, 2 for （一）….
    pub level: u8,
    /// The heading with its number: 一、工作开展情况.
    pub heading: String,
    pub paragraphs: Vec<Paragraph>,
    pub table: Option<Table>,
    /// The user's own paragraphs, after the generated ones.
    pub prose: Vec<String>,
    /// The section takes prose (headings with areas below them do not).
    pub editable: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Paragraph {
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Span {
    Text(String),
    /// Index into [`Report::figures`].
    Figure(usize),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Figure(usize),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub value: Option<f64>,
    /// As the text quotes it: "12", "95.0", "（无数据）".
    pub display: String,
    pub evidence: Vec<RecordRef>,
}

impl Paragraph {
    pub fn text(s: impl Into<String>) -> Paragraph {
        Paragraph {
            spans: vec![Span::Text(s.into())],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

impl Report {
    /// The paragraph as plain text.
    pub fn plain(&self, p: &Paragraph) -> String {
        p.spans
            .iter()
            .map(|s| match s {
                Span::Text(t) => t.clone(),
                Span::Figure(i) => self.figures[*i].display.clone(),
            })
            .collect()
    }

    pub fn cell_text(&self, c: &Cell) -> String {
        match c {
            Cell::Text(t) => t.clone(),
            Cell::Figure(i) => self.figures[*i].display.clone(),
        }
    }

    /// The whole text, one paragraph a line, as the proofreader and search read it.
    pub fn full_text(&self) -> String {
        let mut lines = vec![self.title.clone(), self.addressee.clone(), self.plain(&self.opening)];
        for s in &self.sections {
            lines.push(s.heading.clone());
            for p in &s.paragraphs {
                lines.push(self.plain(p));
            }
            lines.extend(s.prose.iter().cloned());
        }
        lines.push(self.closing.clone());
        lines.push(self.signature.clone());
        lines.push(self.date_line.clone());
        lines.retain(|l| !l.trim().is_empty());
        lines.join("\n")
    }

    /// The figures as frozen with a finalised report.
    pub fn frozen_figures(&self) -> Vec<FrozenFigure> {
        self.figures
            .iter()
            .map(|f| FrozenFigure {
                key: f.key.clone(),
                unit_id: f.unit_id,
                range: (self.from, self.until),
                value: f.value,
                evidence: f.evidence.clone(),
            })
            .collect()
    }
}
