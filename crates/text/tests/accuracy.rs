//! Precision and recall per rule family over the labelled corpus: the three
//! real seeds with hand labels, clean text written in proper official style,
//! and synthetic cases per rule. Run with `--nocapture` to see the table.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use shoutu_text::proofread::{Checker, Finding, Severity};

const MIN_PRECISION: f64 = 0.9;
const MIN_RECALL: f64 = 0.8;

/// A labelled defect: its family and its span in characters.
#[derive(Debug)]
struct Label {
    family: String,
    start: usize,
    end: usize,
    what: String,
}

#[derive(Default)]
struct Tally {
    found: usize,
    correct: usize,
    labels: usize,
    recalled: usize,
}

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"))
}

/// Finds the `n`-th occurrence (1-based) of `needle` in `hay` at or after
/// character `from`, as a character span.
fn locate(hay: &str, needle: &str, from: usize, n: usize) -> Option<(usize, usize)> {
    let chars: Vec<char> = hay.chars().collect();
    let pat: Vec<char> = needle.chars().collect();
    let mut seen = 0;
    for i in from..chars.len().saturating_sub(pat.len() - 1) {
        if chars[i..i + pat.len()] == pat[..] {
            seen += 1;
            if seen == n {
                return Some((i, i + pat.len()));
            }
        }
    }
    None
}

fn split_occurrence(s: &str) -> (&str, usize) {
    match s.rsplit_once('#') {
        Some((t, n)) if !t.is_empty() && n.parse::<usize>().is_ok() => (t, n.parse().unwrap()),
        _ => (s, 1),
    }
}

fn seed_labels(text: &str, labels: &str) -> Vec<Label> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.chars().enumerate().filter(|(_, c)| *c == '\n').map(|(i, _)| i + 1))
        .collect();
    labels
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.splitn(4, '\t').collect();
            assert_eq!(cols.len(), 4, "bad label line: {l}");
            let line: usize = cols[1].parse().unwrap();
            let base = line_starts[line - 1];
            let (start, end) = if cols[2] == "-" {
                let (t, n) = split_occurrence(cols[3]);
                locate(text, t, base, n).unwrap_or_else(|| panic!("label text not found: {l}"))
            } else {
                let s = base + cols[2].parse::<usize>().unwrap() - 1;
                (s, s + cols[3].chars().count())
            };
            Label {
                family: cols[0].into(),
                start,
                end,
                what: format!("{}:{}", line, cols[3]),
            }
        })
        .collect()
}

fn score(
    name: &str,
    findings: &[Finding],
    labels: &[Label],
    table: &mut BTreeMap<String, Tally>,
    misses: &mut Vec<String>,
) {
    let overlaps = |f: &Finding, l: &Label| f.start < l.end.max(l.start + 1) && l.start < f.end.max(f.start + 1);
    for f in findings {
        let t = table.entry(f.family().to_owned()).or_default();
        t.found += 1;
        if labels.iter().any(|l| l.family == f.family() && overlaps(f, l)) {
            t.correct += 1;
        } else {
            misses.push(format!(
                "误报 {name}:{}:{} [{}] {} «{}»",
                f.line, f.column, f.rule, f.message, f.text
            ));
        }
    }
    for l in labels {
        let t = table.entry(l.family.clone()).or_default();
        t.labels += 1;
        if findings.iter().any(|f| f.family() == l.family && overlaps(f, l)) {
            t.recalled += 1;
        } else {
            misses.push(format!("漏报 {name} [{}] {}", l.family, l.what));
        }
    }
}

#[derive(Deserialize)]
struct Synthetic {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    expect: Vec<(String, String)>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

#[test]
fn labelled_corpus_meets_precision_and_recall() {
    let checker = Checker::new();
    let mut table: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut seeds_only: BTreeMap<String, Tally> = BTreeMap::new();

    for seed in ["000", "001", "003"] {
        let text = std::fs::read_to_string(corpus().join(format!("seeds/{seed}.txt"))).unwrap();
        let labels = std::fs::read_to_string(corpus().join(format!("seeds/{seed}.labels"))).unwrap();
        let labels = seed_labels(&text, &labels);
        let findings = checker.check_text(&text);
        let name = format!("seed {seed}");
        score(&name, &findings, &labels, &mut table, &mut misses);
        score(&name, &findings, &labels, &mut seeds_only, &mut Vec::new());
    }

    let synthetic: Synthetic =
        toml::from_str(&std::fs::read_to_string(corpus().join("synthetic.toml")).unwrap()).unwrap();
    for (i, case) in synthetic.case.iter().enumerate() {
        let labels: Vec<Label> = case
            .expect
            .iter()
            .map(|(family, t)| {
                let (t, n) = split_occurrence(t);
                let (start, end) = locate(&case.text, t, 0, n).unwrap_or_else(|| panic!("case {i}: “{t}” not in text"));
                Label {
                    family: family.clone(),
                    start,
                    end,
                    what: t.to_owned(),
                }
            })
            .collect();
        let name = format!("case {}", i + 1);
        score(&name, &checker.check_text(&case.text), &labels, &mut table, &mut misses);
    }

    let mut clean_errors = Vec::new();
    for entry in std::fs::read_dir(corpus().join("clean")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = checker.check_text(&text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        clean_errors.extend(
            findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| format!("{name}: {f:?}")),
        );
        score(&format!("clean {name}"), &findings, &[], &mut table, &mut misses);
    }

    println!("\n三份真实样本（seeds）：");
    print_table(&seeds_only);
    println!("\n全部语料（seeds + clean + synthetic）：");
    let (p, r) = print_table(&table);
    for m in &misses {
        println!("{m}");
    }
    assert!(clean_errors.is_empty(), "clean text produced errors: {clean_errors:#?}");
    assert!(p >= MIN_PRECISION, "precision {p:.3} below {MIN_PRECISION}");
    assert!(r >= MIN_RECALL, "recall {r:.3} below {MIN_RECALL}");
}

/// Prints the per-family table and returns overall (precision, recall).
fn print_table(table: &BTreeMap<String, Tally>) -> (f64, f64) {
    let mut total = Tally::default();
    println!("| 规则族 | 报出 | 正确 | 标注 | 召回 | 精确率 | 召回率 |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (family, t) in table {
        println!(
            "| {family} | {} | {} | {} | {} | {:.3} | {:.3} |",
            t.found,
            t.correct,
            t.labels,
            t.recalled,
            ratio(t.correct, t.found),
            ratio(t.recalled, t.labels)
        );
        total.found += t.found;
        total.correct += t.correct;
        total.labels += t.labels;
        total.recalled += t.recalled;
    }
    let (p, r) = (ratio(total.correct, total.found), ratio(total.recalled, total.labels));
    println!(
        "| **合计** | {} | {} | {} | {} | {p:.3} | {r:.3} |",
        total.found, total.correct, total.labels, total.recalled
    );
    (p, r)
}
