//! All rules of all schemes, compiled together.
//!
//! Every distinct (normalised) keyword of every rule becomes one pattern of a single
//! daachorse automaton, with a posting list of the rules that use it. A text is
//! normalised and fed through the automaton in one pass; only rules with at least
//! one keyword hit are evaluated, over the hits alone. Adding schemes grows the
//! automaton, not the number of passes. This is exact because rules that would hold
//! on a text without any keyword are refused when compiled
//! ([`RuleError::MatchesEverything`]).

use std::cell::RefCell;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder};
use serde::{Deserialize, Serialize};

use super::normalize::{fold_each, origin_of};
use super::rule::{Expr, RuleError, parse_rule};

/// The caller's identifier of a rule (a database row id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(pub i64);

/// A rule that holds on a text, with the character spans (`[start, end)`, 0-based
/// character offsets into the original text, sorted) of the keyword occurrences that
/// made it hold, for highlighting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMatch {
    pub rule: RuleId,
    pub spans: Vec<(usize, usize)>,
}

/// Rules refused while compiling a rule set, each with its reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} 条规则有错误：{}", .errors.len(), first_error(.errors))]
pub struct CompileError {
    pub errors: Vec<(RuleId, RuleError)>,
}

fn first_error(errors: &[(RuleId, RuleError)]) -> String {
    errors
        .first()
        .map(|(id, e)| format!("规则 {}：{e}", id.0))
        .unwrap_or_default()
}

struct CompiledRule {
    id: RuleId,
    expr: Expr,
    /// Local keyword index → global pattern id.
    patterns: Vec<u32>,
}

/// One step of a rule in postfix form. All rules' steps live in one array, so
/// deciding whether a candidate rule holds touches a few adjacent cache lines
/// instead of chasing a boxed tree; the tree is walked only for rules that hold
/// (to collect highlight spans) and for NEAR.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// Whether the global pattern occurs at all.
    Keyword(u32),
    Not,
    And(u32),
    Or(u32),
    /// Pops whether each side occurs at all; only if both do, the NEAR subtree
    /// `RuleSet::nears[i]` is walked for distances.
    Near(u32),
    /// A NEAR inside another NEAR: pops whether each side occurs at all. The outermost
    /// NEAR measures the distances of the whole chain in one walk, so a chain of k NEARs
    /// is walked once rather than k times.
    NearOperand,
}

/// Appends the postfix steps of `e`; `in_near` when `e` is an operand of a NEAR.
fn to_postfix(e: &Expr, patterns: &[u32], ops: &mut Vec<Op>, nears: &mut Vec<Expr>, in_near: bool) {
    match e {
        Expr::Keyword(k) => ops.push(Op::Keyword(patterns[*k])),
        Expr::Not(inner) => {
            to_postfix(inner, patterns, ops, nears, false);
            ops.push(Op::Not);
        }
        Expr::And(items) | Expr::Or(items) => {
            items.iter().for_each(|i| to_postfix(i, patterns, ops, nears, in_near));
            let n = items.len() as u32;
            ops.push(if matches!(e, Expr::And(_)) {
                Op::And(n)
            } else {
                Op::Or(n)
            });
        }
        Expr::Near { left, right, .. } => {
            to_postfix(left, patterns, ops, nears, true);
            to_postfix(right, patterns, ops, nears, true);
            if in_near {
                ops.push(Op::NearOperand);
            } else {
                ops.push(Op::Near(nears.len() as u32));
                nears.push(e.clone());
            }
        }
    }
}

/// A rule using a keyword, with where its postfix steps are, so that deciding the
/// rule needs no further look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting {
    rule: u32,
    ops_from: u32,
    ops_to: u32,
}

/// Everything a hit needs, in one cache line: most keywords belong to one rule,
/// whose posting is inline.
#[derive(Debug, Clone, Copy)]
struct PatternInfo {
    chars: u32,
    first: Posting,
    more_from: u32,
    more_to: u32,
}

/// A keyword occurrence in normalised character offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    pattern: u32,
    start: u32,
    end: u32,
}

/// Buffers reused between texts so matching does not allocate per post.
#[derive(Default)]
pub struct MatchScratch {
    dropped: Vec<u32>,
    hits: Vec<Hit>,
    candidates: Vec<Posting>,
    spans: Vec<(u32, u32)>,
    stack: Vec<bool>,
}

pub struct RuleSet {
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    keywords: Vec<String>,
    /// Indexed by the automaton's pattern id.
    patterns: Vec<PatternInfo>,
    /// Rules beyond the first that use a pattern.
    more_postings: Vec<Posting>,
    rules: Vec<CompiledRule>,
    ops: Vec<Op>,
    nears: Vec<Expr>,
}

thread_local! {
    static SCRATCH: RefCell<MatchScratch> = RefCell::new(MatchScratch::default());
}

impl RuleSet {
    /// Compiles every rule; refuses the whole set if any rule is wrong, listing all
    /// wrong rules (a scheme editor validates one rule with [`parse_rule`] first).
    pub fn compile<'a>(rules: impl IntoIterator<Item = (RuleId, &'a str)>) -> Result<RuleSet, CompileError> {
        let mut keywords: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut compiled = Vec::new();
        let mut errors = Vec::new();
        for (id, src) in rules {
            match parse_rule(src) {
                Ok(rule) => {
                    let patterns = rule
                        .keywords
                        .into_iter()
                        .map(|k| {
                            *index.entry(k.clone()).or_insert_with(|| {
                                keywords.push(k);
                                (keywords.len() - 1) as u32
                            })
                        })
                        .collect();
                    compiled.push(CompiledRule {
                        id,
                        expr: rule.expr,
                        patterns,
                    });
                }
                Err(e) => errors.push((id, e)),
            }
        }
        if !errors.is_empty() {
            return Err(CompileError { errors });
        }
        let (mut ops, mut nears) = (Vec::new(), Vec::new());
        let mut per_pattern: Vec<Vec<Posting>> = vec![Vec::new(); keywords.len()];
        for (r, rule) in compiled.iter().enumerate() {
            let ops_from = ops.len() as u32;
            to_postfix(&rule.expr, &rule.patterns, &mut ops, &mut nears, false);
            let posting = Posting {
                rule: r as u32,
                ops_from,
                ops_to: ops.len() as u32,
            };
            for &p in &rule.patterns {
                per_pattern[p as usize].push(posting);
            }
        }
        let mut more_postings = Vec::new();
        let patterns = per_pattern
            .into_iter()
            .zip(&keywords)
            .map(|(list, keyword)| {
                let more_from = more_postings.len() as u32;
                more_postings.extend_from_slice(&list[1..]);
                PatternInfo {
                    chars: keyword.chars().count() as u32,
                    first: list[0],
                    more_from,
                    more_to: more_postings.len() as u32,
                }
            })
            .collect();
        let automaton = if keywords.is_empty() {
            None
        } else {
            let built = CharwiseDoubleArrayAhoCorasickBuilder::new()
                .build_with_values(keywords.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)));
            // Patterns are distinct, non-empty and few enough by construction.
            Some(built.expect("keyword automaton"))
        };
        Ok(RuleSet {
            automaton,
            keywords,
            patterns,
            more_postings,
            rules: compiled,
            ops,
            nears,
        })
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The distinct normalised keywords of all rules, in automaton order.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Rules holding on `text`, in compile order.
    pub fn matches(&self, text: &str) -> Vec<RuleMatch> {
        SCRATCH.with(|s| self.matches_with(text, &mut s.borrow_mut()))
    }

    /// [`RuleSet::matches`] with caller-owned buffers.
    pub fn matches_with(&self, text: &str, scratch: &mut MatchScratch) -> Vec<RuleMatch> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let MatchScratch {
            dropped,
            hits,
            candidates,
            spans,
            stack,
        } = scratch;
        dropped.clear();
        hits.clear();
        // Folding feeds the automaton directly, one character at a time: no folded copy
        // of the text is written and read again, and the normalised character offset of
        // every hit is known without counting.
        let mut stepper = automaton.find_overlapping_stepper();
        let mut n = 0u32;
        let patterns = &self.patterns;
        fold_each(text, |folded| match folded {
            None => dropped.push(n),
            Some(c) => {
                stepper.consume(c);
                n += 1;
                for m in stepper.matches() {
                    let pattern = m.value();
                    hits.push(Hit {
                        pattern,
                        start: n - patterns[pattern as usize].chars,
                        end: n,
                    });
                }
            }
        });
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_unstable();
        candidates.clear();
        let mut last = u32::MAX;
        for h in hits.iter() {
            if h.pattern != last {
                last = h.pattern;
                let info = &self.patterns[h.pattern as usize];
                candidates.push(info.first);
                candidates.extend_from_slice(&self.more_postings[info.more_from as usize..info.more_to as usize]);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut out = Vec::new();
        for &posting in candidates.iter() {
            if !self.holds_fast(posting, hits, stack) {
                continue;
            }
            let rule = &self.rules[posting.rule as usize];
            let eval = Eval {
                hits,
                patterns: &rule.patterns,
            };
            spans.clear();
            if eval.holds(&rule.expr, spans) {
                spans.sort_unstable();
                spans.dedup();
                let shown = spans
                    .iter()
                    .map(|&(s, e)| (origin_of(dropped, s) as usize, origin_of(dropped, e - 1) as usize + 1))
                    .collect();
                out.push(RuleMatch {
                    rule: rule.id,
                    spans: shown,
                });
            }
        }
        out
    }
}

impl RuleSet {
    /// Whether rule `r` holds, from its postfix steps.
    fn holds_fast(&self, posting: Posting, hits: &[Hit], stack: &mut Vec<bool>) -> bool {
        stack.clear();
        for op in &self.ops[posting.ops_from as usize..posting.ops_to as usize] {
            let value = match *op {
                Op::Keyword(p) => {
                    let i = hits.partition_point(|h| h.pattern < p);
                    i < hits.len() && hits[i].pattern == p
                }
                Op::Not => !stack.pop().unwrap_or(false),
                Op::And(n) => {
                    let at = stack.len() - n as usize;
                    let all = stack[at..].iter().all(|&b| b);
                    stack.truncate(at);
                    all
                }
                Op::Or(n) => {
                    let at = stack.len() - n as usize;
                    let any = stack[at..].iter().any(|&b| b);
                    stack.truncate(at);
                    any
                }
                Op::NearOperand => stack.pop().unwrap_or(false) & stack.pop().unwrap_or(false),
                Op::Near(i) => {
                    let both = stack.pop().unwrap_or(false) & stack.pop().unwrap_or(false);
                    both && {
                        let eval = Eval {
                            hits,
                            patterns: &self.rules[posting.rule as usize].patterns,
                        };
                        !eval.positions(&self.nears[i as usize]).is_empty()
                    }
                }
            };
            stack.push(value);
        }
        stack.pop().unwrap_or(false)
    }
}

/// Evaluation of one rule over the sorted hits of one text.
struct Eval<'a> {
    hits: &'a [Hit],
    patterns: &'a [u32],
}

impl Eval<'_> {
    fn occurrences(&self, keyword: usize) -> &[Hit] {
        let p = self.patterns[keyword];
        let from = self.hits.partition_point(|h| h.pattern < p);
        let to = self.hits.partition_point(|h| h.pattern <= p);
        &self.hits[from..to]
    }

    /// Whether `e` holds; if so, the spans that made it hold are appended to `out`.
    fn holds(&self, e: &Expr, out: &mut Vec<(u32, u32)>) -> bool {
        match e {
            Expr::Keyword(k) => {
                let occ = self.occurrences(*k);
                out.extend(occ.iter().map(|h| (h.start, h.end)));
                !occ.is_empty()
            }
            Expr::Not(inner) => !self.holds(inner, &mut Vec::new()),
            Expr::And(items) => {
                let mark = out.len();
                for item in items {
                    if !self.holds(item, out) {
                        out.truncate(mark);
                        return false;
                    }
                }
                true
            }
            Expr::Or(items) => {
                // No short cut: every alternative present is highlighted.
                let mut any = false;
                for item in items {
                    any |= self.holds(item, out);
                }
                any
            }
            Expr::Near { .. } => {
                let covers = self.positions(e);
                if covers.is_empty() {
                    return false;
                }
                self.leaf_spans_within(e, &Covers::new(covers), out);
                true
            }
        }
    }

    /// Occurrences of a positional expression, as normalised `[start, end)` spans.
    ///
    /// A NEAR keeps at most [`MAX_COVERS`] of its stretches (distinct, earliest first):
    /// joining every pair of a chain of NEARs over a post repeating one keyword would
    /// otherwise multiply the stretches at each level, and one staff user's rule would stall
    /// ingest for everyone. The bound never turns a NEAR that holds into one that does not;
    /// past it, an enclosing NEAR may miss a pairing with a later stretch, on texts no
    /// person writes.
    fn positions(&self, e: &Expr) -> Vec<(u32, u32)> {
        match e {
            Expr::Keyword(k) => self.occurrences(*k).iter().map(|h| (h.start, h.end)).collect(),
            Expr::Or(items) => items.iter().flat_map(|i| self.positions(i)).collect(),
            Expr::Near { left, right, distance } => {
                let (ls, mut rs) = (self.positions(left), self.positions(right));
                rs.sort_unstable();
                let d = *distance as u32;
                let longest = rs.iter().map(|r| r.1 - r.0).max().unwrap_or(0);
                let mut covers = Vec::new();
                'pairs: for &l in &ls {
                    // Only right spans starting in [l.0 - d - longest, l.1 + d] can be near l.
                    let from = rs.partition_point(|r| r.0.saturating_add(longest).saturating_add(d) < l.0);
                    for &r in rs[from..].iter().take_while(|r| r.0 <= l.1.saturating_add(d)) {
                        if gap(l, r) <= d {
                            covers.push((l.0.min(r.0), l.1.max(r.1)));
                            if covers.len() >= 2 * MAX_COVERS {
                                break 'pairs;
                            }
                        }
                    }
                }
                covers.sort_unstable();
                covers.dedup();
                covers.truncate(MAX_COVERS);
                covers
            }
            // The parser only lets positional expressions under NEAR.
            Expr::Not(_) | Expr::And(_) => Vec::new(),
        }
    }

    fn leaf_spans_within(&self, e: &Expr, covers: &Covers, out: &mut Vec<(u32, u32)>) {
        match e {
            Expr::Keyword(k) => {
                for h in self.occurrences(*k) {
                    if covers.contain(h.start, h.end) {
                        out.push((h.start, h.end));
                    }
                }
            }
            Expr::Or(items) => items.iter().for_each(|i| self.leaf_spans_within(i, covers, out)),
            Expr::Near { left, right, .. } => {
                self.leaf_spans_within(left, covers, out);
                self.leaf_spans_within(right, covers, out);
            }
            Expr::Not(_) | Expr::And(_) => {}
        }
    }
}

/// The most stretches one NEAR keeps for the NEAR around it and for highlighting.
const MAX_COVERS: usize = 1024;

/// A NEAR's stretches sorted by start, with the furthest end reached so far, so that
/// whether a keyword occurrence lies inside one of them takes one binary search.
struct Covers {
    spans: Vec<(u32, u32)>,
    reach: Vec<u32>,
}

impl Covers {
    fn new(mut spans: Vec<(u32, u32)>) -> Covers {
        spans.sort_unstable();
        let reach = spans
            .iter()
            .scan(0, |m, s| {
                *m = (*m).max(s.1);
                Some(*m)
            })
            .collect();
        Covers { spans, reach }
    }

    fn contain(&self, start: u32, end: u32) -> bool {
        let i = self.spans.partition_point(|s| s.0 <= start);
        i > 0 && self.reach[i - 1] >= end
    }
}

/// Characters strictly between two spans; 0 when they touch or overlap.
fn gap(a: (u32, u32), b: (u32, u32)) -> u32 {
    b.0.saturating_sub(a.1).max(a.0.saturating_sub(b.1))
}
