//! The policy data shipped with the checker (TOML under `data/`), parsed once
//! and compiled into one Aho–Corasick automaton so the text is scanned for all
//! fixed phrases in a single pass.

use std::collections::{HashMap, HashSet};

use daachorse::CharwiseDoubleArrayAhoCorasick;
use serde::Deserialize;

use super::finding::Severity;

const FORMULATIONS: &str = include_str!("../../data/formulations.toml");
const CONFUSABLES: &str = include_str!("../../data/confusables.toml");
const RESIDUE: &str = include_str!("../../data/residue.toml");
const DUPLICATES: &str = include_str!("../../data/duplicates.toml");

#[derive(Debug, Deserialize)]
pub(crate) struct TermSet {
    pub name: String,
    pub members: Vec<String>,
    #[serde(default)]
    pub ordered: bool,
    #[serde(default)]
    pub outdated: HashMap<String, String>,
    pub source: String,
    pub since: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Clause {
    pub name: String,
    pub anchor: String,
    pub text: String,
    pub source: String,
    pub since: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FullName {
    pub canonical: String,
    pub wrong: Vec<String>,
    pub severity: String,
    pub source: String,
    pub since: String,
}

#[derive(Debug, Deserialize)]
struct FormulationFile {
    set: Vec<TermSet>,
    clause: Vec<Clause>,
    name: Vec<FullName>,
}

#[derive(Debug, Deserialize)]
struct ConfusableFile {
    pairs: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct ResidueFile {
    preview: Vec<String>,
    solicitation: Vec<String>,
    link_line: Vec<String>,
    template: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct DuplicateFile {
    slip_chars: String,
    words_ending: Vec<String>,
    words_starting_dui: Vec<String>,
    allowed_repeats: Vec<String>,
}

/// What a phrase found by the automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phrase {
    /// Member `member` of term set `set`.
    Member {
        set: usize,
        member: usize,
    },
    /// An outdated member of a term set (index into `outdated_notes`).
    Outdated {
        set: usize,
        note: usize,
    },
    Clause(usize),
    WrongName {
        name: usize,
    },
    Confusable(usize),
    Preview,
    Solicitation,
    Template,
}

pub(crate) struct Data {
    pub sets: Vec<TermSet>,
    pub clauses: Vec<Clause>,
    /// Canonical full names with severity and the source they follow.
    pub names: Vec<(String, Severity, String)>,
    pub confusables: Vec<(String, String)>,
    pub outdated_notes: Vec<(String, String)>,
    pub link_line: Vec<String>,
    pub slip_chars: HashSet<char>,
    pub words_ending: Vec<Vec<char>>,
    pub words_starting_dui: HashSet<String>,
    pub allowed_repeats: HashSet<String>,
    pub automaton: CharwiseDoubleArrayAhoCorasick<u32>,
    /// Meanings of each automaton pattern (a phrase may mean several things).
    pub meanings: Vec<Vec<Phrase>>,
}

impl Data {
    pub fn load() -> Data {
        // The data is compiled in and covered by tests, so a parse failure is
        // a build defect, not a runtime condition.
        let f: FormulationFile = toml::from_str(FORMULATIONS).expect("data/formulations.toml");
        let c: ConfusableFile = toml::from_str(CONFUSABLES).expect("data/confusables.toml");
        let r: ResidueFile = toml::from_str(RESIDUE).expect("data/residue.toml");
        let d: DuplicateFile = toml::from_str(DUPLICATES).expect("data/duplicates.toml");

        let mut patterns: Vec<String> = Vec::new();
        let mut meanings: Vec<Vec<Phrase>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut add = |pattern: &str, phrase: Phrase| {
            let i = *index.entry(pattern.to_owned()).or_insert_with(|| {
                patterns.push(pattern.to_owned());
                meanings.push(Vec::new());
                patterns.len() - 1
            });
            meanings[i].push(phrase);
        };
        let mut outdated_notes = Vec::new();
        for (s, set) in f.set.iter().enumerate() {
            for (m, member) in set.members.iter().enumerate() {
                add(member, Phrase::Member { set: s, member: m });
            }
            for (old, note) in &set.outdated {
                add(
                    old,
                    Phrase::Outdated {
                        set: s,
                        note: outdated_notes.len(),
                    },
                );
                outdated_notes.push((old.clone(), note.clone()));
            }
        }
        for (i, clause) in f.clause.iter().enumerate() {
            add(&clause.anchor, Phrase::Clause(i));
        }
        let mut names = Vec::new();
        for (i, name) in f.name.iter().enumerate() {
            for wrong in &name.wrong {
                add(wrong, Phrase::WrongName { name: i });
            }
            let sev = if name.severity == "error" {
                Severity::Error
            } else {
                Severity::Warning
            };
            names.push((name.canonical.clone(), sev, basis(&name.source, &name.since)));
        }
        for (i, (wrong, _)) in c.pairs.iter().enumerate() {
            add(wrong, Phrase::Confusable(i));
        }
        for p in &r.preview {
            add(p, Phrase::Preview);
        }
        for p in &r.solicitation {
            add(p, Phrase::Solicitation);
        }
        for p in &r.template {
            add(p, Phrase::Template);
        }
        let automaton = CharwiseDoubleArrayAhoCorasick::with_values(
            patterns.iter().enumerate().map(|(i, p)| (p.as_str(), i as u32)),
        )
        .expect("phrase automaton");
        Data {
            sets: f.set,
            clauses: f.clause,
            names,
            confusables: c.pairs,
            outdated_notes,
            link_line: r.link_line,
            slip_chars: d.slip_chars.chars().collect(),
            words_ending: d
                .words_ending
                .iter()
                .filter(|w| w.chars().count() >= 2)
                .map(|w| w.chars().collect())
                .collect(),
            words_starting_dui: d.words_starting_dui.into_iter().collect(),
            allowed_repeats: d.allowed_repeats.into_iter().collect(),
            automaton,
            meanings,
        }
    }
}

/// "（依据：党的十九大报告，2017-10）": shown with every formulation finding so
/// a reviewer can check the canonical form against its source.
pub(crate) fn basis(source: &str, since: &str) -> String {
    format!("（依据：{source}，{since}）")
}

/// One automaton match in character indices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhraseHit {
    pub start: usize,
    pub end: usize,
    pub phrase: Phrase,
}
