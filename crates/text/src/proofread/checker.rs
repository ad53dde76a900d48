use super::data::{Data, PhraseHit};
use super::document::{Document, DocumentFormat};
use super::finding::{Finding, Hit, Severity};
use super::rules::{self, Ctx};
use super::scan::Scan;

/// The proofreader. Build it once (it compiles the phrase automaton from the
/// embedded data) and share it: it is immutable, `Send` and `Sync`.
pub struct Checker {
    data: Data,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

impl Checker {
    pub fn new() -> Self {
        Checker { data: Data::load() }
    }

    /// Checks plain text. Findings are ordered by position.
    pub fn check_text(&self, text: &str) -> Vec<Finding> {
        let scan = Scan::new(text);
        let hits = self.text_hits(&scan, None);
        finish(&scan, hits)
    }

    /// Checks a loaded document; .docx files also get the layout rules.
    pub fn check_document(&self, doc: &Document) -> Vec<Finding> {
        let scan = Scan::new(&doc.text);
        let hits = self.text_hits(&scan, (doc.format == DocumentFormat::Docx).then_some(doc));
        finish(&scan, hits)
    }

    fn text_hits(&self, scan: &Scan, docx: Option<&Document>) -> Vec<Hit> {
        let phrases: Vec<PhraseHit> = self
            .data
            .automaton
            .find_overlapping_iter(scan.text)
            .flat_map(|m| {
                let (start, end) = (scan.char_index(m.start()), scan.char_index(m.end()));
                self.data.meanings[m.value() as usize]
                    .iter()
                    .map(move |&phrase| PhraseHit { start, end, phrase })
            })
            // Fixed phrases are rare in real text; a file made of nothing but
            // them must not turn into gigabytes of matches.
            .take(rules::MAX_HITS * 10)
            .collect::<Vec<_>>();
        let mut phrases = phrases;
        phrases.sort_by_key(|p| (p.start, p.end));
        let ctx = Ctx {
            scan,
            data: &self.data,
            phrases: &phrases,
        };
        let mut hits = Vec::new();
        rules::residue::check(&ctx, &mut hits);
        let mut residue_lines = rules::residue::whole_line_spans(&hits);
        residue_lines.sort_unstable();
        rules::placeholder::check(&ctx, &mut hits);
        rules::duplicate::check(&ctx, &mut hits);
        rules::numbering::check(&ctx, &mut hits);
        rules::punctuation::check(&ctx, &mut hits);
        rules::formulation::check(&ctx, &mut hits);
        rules::confusable::check(&ctx, &mut hits);
        let title = rules::consistency::title_line(&ctx, &residue_lines);
        rules::consistency::check(&ctx, title, &mut hits);
        if let Some(doc) = docx {
            let headings: Vec<_> = (0..scan.lines.len())
                .filter_map(|l| rules::numbering::heading_at(&ctx, l))
                .collect();
            rules::layout::check(doc, &scan.chars, &headings, &mut hits);
        }
        // A line that must be deleted as a whole needs no further findings.
        hits.retain(|h| {
            if h.rule.starts_with("residue.") || h.rule.starts_with("layout.") {
                return true;
            }
            // Residue spans are whole lines, so they never overlap each other.
            let k = residue_lines.partition_point(|&(s, _)| s <= h.start);
            k == 0 || h.end > residue_lines[k - 1].1
        });
        hits
    }
}

fn finish(scan: &Scan, mut hits: Vec<Hit>) -> Vec<Finding> {
    if hits.len() >= rules::MAX_HITS {
        hits.push(Hit::new(
            "limit.truncated",
            Severity::Info,
            0,
            0,
            format!("发现的问题超过 {} 处，已停止检查，仅列出已发现的部分", rules::MAX_HITS),
        ));
    }
    hits.sort_by(|a, b| (a.start, a.end, a.rule).cmp(&(b.start, b.end, b.rule)));
    hits.dedup_by(|b, a| a.start == b.start && a.end == b.end && a.rule == b.rule);
    hits.into_iter()
        .map(|h| {
            let line = scan.line_of(h.start);
            let column = h.start - scan.lines[line].0 + 1;
            Finding {
                rule: h.rule.to_owned(),
                severity: h.severity,
                line: line + 1,
                column,
                start: h.start,
                end: h.end,
                text: scan.slice(h.start, h.end).to_owned(),
                message: h.message,
                suggestion: h.suggestion,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn checker_is_shareable() {
        assert_send_sync::<Checker>();
    }

    #[test]
    fn pathological_input_stays_bounded() {
        let text = "“（《".repeat(300_000);
        let findings = Checker::new().check_text(&text);
        assert!(findings.len() <= rules::MAX_HITS + 1, "{}", findings.len());
        assert_eq!(findings[0].rule, "limit.truncated");
    }
}
