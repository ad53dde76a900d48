//! Canonical formulations (规范表述): term sets listed completely, exactly
//! and in order; fixed clauses quoted word for word; full names unbroken;
//! party congresses written in Chinese numerals.

use super::{Ctx, full};
use crate::proofread::data::{Phrase, PhraseHit, basis};
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::{cn_number, is_cjk, is_clause_break};

/// Text allowed between two members of one listing: 、 and the like,
/// possibly around quotation marks (“道路自信”、“理论自信”).
fn is_separator(s: &str) -> bool {
    // Checked first: the gap between two distant members may be a whole page.
    if s.len() > 16 {
        return false;
    }
    let core: String = s
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '‘' | '’' | ' '))
        .collect();
    matches!(
        core.as_str(),
        "" | "、" | "，" | "," | "；" | "和" | "及" | "与" | "以及"
    ) && s.chars().count() <= 4
}

struct Member {
    start: usize,
    end: usize,
    /// Index of the member, or None for an outdated member.
    member: Option<usize>,
    note: Option<usize>,
}

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for (s, _) in ctx.data.sets.iter().enumerate() {
        let hits: Vec<Member> = ctx
            .phrases
            .iter()
            .filter_map(|p| match p.phrase {
                Phrase::Member { set, member } if set == s => Some(Member {
                    start: p.start,
                    end: p.end,
                    member: Some(member),
                    note: None,
                }),
                Phrase::Outdated { set, note } if set == s => Some(Member {
                    start: p.start,
                    end: p.end,
                    member: None,
                    note: Some(note),
                }),
                _ => None,
            })
            .collect();
        let mut k = 0;
        while k < hits.len() {
            let mut j = k + 1;
            while j < hits.len()
                && hits[j].start >= hits[j - 1].end
                && is_separator(ctx.quote(hits[j - 1].end, hits[j].start))
            {
                j += 1;
            }
            listing(ctx, s, &hits[k..j], out);
            k = j;
        }
    }
    for p in ctx.phrases {
        if full(out) {
            return;
        }
        match p.phrase {
            Phrase::Clause(c) => clause(ctx, p, c, out),
            Phrase::WrongName { name } => {
                let (canonical, severity, source) = &ctx.data.names[name];
                out.push(
                    Hit::new(
                        "formulation.name",
                        *severity,
                        p.start,
                        p.end,
                        format!("“{}”不是规范表述，应为“{canonical}”{source}", ctx.quote(p.start, p.end)),
                    )
                    .suggest(canonical.clone()),
                );
            }
            _ => {}
        }
    }
    congress_digits(ctx, out);
}

fn canonical(ctx: &Ctx, s: usize) -> String {
    ctx.data.sets[s].members.join("、")
}

fn set_basis(ctx: &Ctx, s: usize) -> String {
    let set = &ctx.data.sets[s];
    basis(&set.source, &set.since)
}

fn listing(ctx: &Ctx, s: usize, hits: &[Member], out: &mut Vec<Hit>) {
    let set = &ctx.data.sets[s];
    let n = set.members.len();
    let mut seen: Vec<usize> = hits.iter().filter_map(|h| h.member).collect();
    let order_ok = seen.windows(2).all(|w| w[0] < w[1]);
    seen.sort_unstable();
    seen.dedup();
    if seen.len() < 2 {
        return;
    }
    let (start, end) = (hits[0].start, hits[hits.len() - 1].end);
    let name = &set.name;
    if let Some(h) = hits.iter().find(|h| h.member.is_none()) {
        let (old, note) = &ctx.data.outdated_notes[h.note.unwrap_or(0)];
        let missing = (0..n).find(|m| !seen.contains(m)).map(|m| set.members[m].clone());
        let mut hit = Hit::new(
            "formulation.member",
            Severity::Error,
            h.start,
            h.end,
            format!("“{old}”已不是“{name}”的成员：{note}"),
        );
        if let Some(m) = missing {
            hit = hit.suggest(m);
        }
        out.push(hit);
        return;
    }
    if seen.len() == n {
        if set.ordered && !order_ok {
            out.push(
                Hit::new(
                    "formulation.order",
                    Severity::Error,
                    start,
                    end,
                    format!("“{name}”的顺序不规范，应为“{}”{}", canonical(ctx, s), set_basis(ctx, s)),
                )
                .suggest(canonical(ctx, s)),
            );
        }
        return;
    }
    if seen.len() + 1 != n || n < 3 {
        return;
    }
    let missing_idx = (0..n).find(|m| !seen.contains(m)).unwrap_or(0);
    let missing = &set.members[missing_idx];
    if let Some((ws, we)) = neighbour_item(ctx, start, end, missing) {
        let wrong = ctx.quote(ws, we);
        out.push(
            Hit::new(
                "formulation.member",
                Severity::Error,
                ws,
                we,
                format!(
                    "“{wrong}”不是“{name}”的成员，“{name}”应为“{}”{}",
                    canonical(ctx, s),
                    set_basis(ctx, s)
                ),
            )
            .suggest(missing.clone()),
        );
    } else if n >= 4 {
        out.push(
            Hit::new(
                "formulation.incomplete",
                Severity::Warning,
                start,
                end,
                format!(
                    "“{name}”不完整，缺少“{missing}”，应为“{}”{}",
                    canonical(ctx, s),
                    set_basis(ctx, s)
                ),
            )
            .suggest(canonical(ctx, s)),
        );
    }
}

/// The unknown item listed next to a listing that lacks exactly one member:
/// the item that took the missing member's place.
fn neighbour_item(ctx: &Ctx, start: usize, end: usize, missing: &str) -> Option<(usize, usize)> {
    let chars = &ctx.scan.chars;
    let want = missing.chars().count();
    let last = missing.chars().last()?;
    let stop = |c: char| is_clause_break(c) || matches!(c, '“' | '”' | '（' | '）' | '《' | '》') || c == '等';
    let quoted = |i: usize| matches!(chars.get(i), Some('“' | '”'));
    // After the listing: "…核心意识、全局意识".
    let mut a = end + usize::from(quoted(end));
    if chars.get(a) == Some(&'、') {
        a += 1;
        a += usize::from(quoted(a));
        let mut b = a;
        while b < chars.len() && !stop(chars[b]) && is_cjk(chars[b]) && b - a <= want + 2 {
            b += 1;
        }
        if b > a && b - a <= want + 2 && chars.get(b).is_none_or(|&c| stop(c) || !is_cjk(c)) {
            let item = ctx.quote(a, b);
            if item != missing {
                return Some((a, b));
            }
        }
    }
    // Before the listing: "增强全局意识、大局意识…".
    let mut b = start;
    b -= usize::from(b > 0 && quoted(b - 1));
    if b > 0 && chars[b - 1] == '、' {
        b -= 1;
        b -= usize::from(b > 0 && quoted(b - 1));
        let mut a = b;
        while a > 0 && !stop(chars[a - 1]) && is_cjk(chars[a - 1]) && b - a < 12 {
            a -= 1;
        }
        let delimited = a == 0 || stop(chars[a - 1]) || !is_cjk(chars[a - 1]);
        if b - a > want + 2 || !delimited {
            a = b.saturating_sub(want);
        }
        if b > a && (b - a <= want || chars[b - 1] == last) && ctx.quote(a, b) != missing {
            return Some((a, b));
        }
    }
    None
}

fn clause(ctx: &Ctx, p: &PhraseHit, c: usize, out: &mut Vec<Hit>) {
    let clause = &ctx.data.clauses[c];
    if ctx.scan.starts_with_at(p.start, &clause.text) {
        return;
    }
    let chars = &ctx.scan.chars;
    let want = clause.text.chars().count();
    let mut e = p.end;
    while e < chars.len()
        && e - p.start < want + 8
        && !matches!(chars[e], '，' | '。' | '；' | '：' | '！' | '？' | '”' | '\n')
    {
        e += 1;
    }
    out.push(
        Hit::new(
            "formulation.member",
            Severity::Warning,
            p.start,
            e,
            format!(
                "“{}”的规范表述为“{}”{}",
                clause.name,
                clause.text,
                basis(&clause.source, &clause.since)
            ),
        )
        .suggest(clause.text.clone()),
    );
}

/// 党的20大 → 党的二十大; 19届 → 十九届.
fn congress_digits(ctx: &Ctx, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        let prev_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        let num: Option<u32> = ctx.quote(i, j).parse().ok().filter(|n| (1..=30).contains(n));
        let congress = ctx.scan.ends_with_at(i, "党的") && chars.get(j) == Some(&'大');
        let session = chars.get(j) == Some(&'届') && chars.get(j + 2) == Some(&'中');
        if let (true, Some(n), true) = (prev_ok, num, congress || session) {
            let cn = cn_number(n);
            out.push(
                Hit::new(
                    "formulation.congress",
                    Severity::Error,
                    i,
                    j,
                    format!("党代会和全会的届次应使用汉字数字：“{}”应写作“{cn}”", ctx.quote(i, j)),
                )
                .suggest(cn),
            );
        }
        i = j;
    }
}
