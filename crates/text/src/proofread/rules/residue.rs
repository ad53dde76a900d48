//! Residue of copying a report off a web page: paywall markers, the end of
//! the free preview, solicitations, navigation links, repeated paragraphs and
//! the teaser line that repeats the beginning of the text.

use std::collections::HashMap;

use super::{Ctx, full};
use crate::proofread::data::Phrase;
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::is_line_space;

/// Banners and solicitations are short lines; a long paragraph that merely
/// mentions 代写 (e.g. 严禁代写心得体会) is a sentence, not residue.
const MAX_BANNER_CHARS: usize = 40;

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    paywall_markers(ctx, out);
    banner_lines(ctx, out);
    teaser_line(ctx, out);
    repeated_paragraphs(ctx, out);
}

fn paywall_markers(ctx: &Ctx, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == '#' && chars[i + 1] == '#' {
            let mut j = i + 2;
            while j < chars.len() && j - i < 24 && (chars[j].is_ascii_alphabetic() || chars[j] == '_') {
                j += 1;
            }
            if j - i >= 4 && j + 1 < chars.len() && chars[j] == '#' && chars[j + 1] == '#' {
                out.push(
                    Hit::new(
                        "residue.paywall",
                        Severity::Error,
                        i,
                        j + 2,
                        format!("“{}”是网页付费墙标记，不属于正文", ctx.quote(i, j + 2)),
                    )
                    .suggest("删除该标记"),
                );
                i = j + 2;
                continue;
            }
        }
        i += 1;
    }
}

/// Trimmed character range of line `l`.
fn trimmed(ctx: &Ctx, l: usize) -> (usize, usize) {
    let (mut s, mut e) = ctx.scan.lines[l];
    let chars = &ctx.scan.chars;
    while s < e && is_line_space(chars[s]) {
        s += 1;
    }
    while e > s && is_line_space(chars[e - 1]) {
        e -= 1;
    }
    (s, e)
}

fn banner_lines(ctx: &Ctx, out: &mut Vec<Hit>) {
    let mut flagged_line = usize::MAX;
    for p in ctx.phrases {
        let (rule, what) = match p.phrase {
            Phrase::Preview => ("residue.preview", "网页预览结束提示"),
            Phrase::Solicitation => ("residue.solicitation", "网页招揽或联系方式"),
            _ => continue,
        };
        let l = ctx.scan.line_of(p.start);
        let (s, e) = trimmed(ctx, l);
        if l == flagged_line || e - s > MAX_BANNER_CHARS {
            continue;
        }
        flagged_line = l;
        out.push(Hit::new(rule, Severity::Error, s, e, format!("此行是{what}，不属于正文")).suggest("删除此行"));
    }
    for l in 0..ctx.scan.lines.len() {
        let (mut s, e) = trimmed(ctx, l);
        let chars = &ctx.scan.chars;
        let line_start = s;
        while s < e && matches!(chars[s], '-' | '·' | '•' | '*' | '>' | '|' | ' ' | '\u{3000}') {
            s += 1;
        }
        if e - s > MAX_BANNER_CHARS {
            continue;
        }
        if ctx.data.link_line.iter().any(|w| ctx.scan.starts_with_at(s, w)) {
            out.push(
                Hit::new(
                    "residue.link",
                    Severity::Error,
                    line_start,
                    e,
                    "此行是网页导航链接，不属于正文",
                )
                .suggest("删除此行"),
            );
        }
    }
}

/// Document sites put an excerpt of the text, cut with "...", above it.
fn teaser_line(ctx: &Ctx, out: &mut Vec<Hit>) {
    let Some(l) = (0..ctx.scan.lines.len()).find(|&l| {
        let (s, e) = trimmed(ctx, l);
        e > s
    }) else {
        return;
    };
    let (s, e) = trimmed(ctx, l);
    let line = ctx.quote(s, e);
    let Some(body) = line.strip_suffix("...").or_else(|| line.strip_suffix('…')) else {
        return;
    };
    let body = body.trim_end_matches(['.', '…']);
    let tail: String = {
        let cs: Vec<char> = body.chars().collect();
        if cs.len() < 20 {
            return;
        }
        cs[cs.len() - 12..].iter().collect()
    };
    let rest_start = ctx.scan.lines[l].1;
    let rest = &ctx.scan.text[ctx.scan.slice(0, rest_start).len()..];
    if rest.contains(&tail) {
        out.push(
            Hit::new(
                "residue.teaser",
                Severity::Error,
                s,
                e,
                "此行是网页摘要，重复了正文开头且被截断，不属于正文",
            )
            .suggest("删除此行"),
        );
    }
}

fn repeated_paragraphs(ctx: &Ctx, out: &mut Vec<Hit>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for l in 0..ctx.scan.lines.len() {
        let (s, e) = trimmed(ctx, l);
        if e - s < 20 {
            continue;
        }
        if full(out) {
            return;
        }
        let text = ctx.quote(s, e);
        match seen.get(text) {
            Some(&first) => out.push(
                Hit::new(
                    "residue.repeated",
                    Severity::Warning,
                    s,
                    e,
                    format!("此段与第{}行完全相同，可能是重复粘贴或网页广告", first + 1),
                )
                .suggest("删除重复的段落"),
            ),
            None => {
                seen.insert(text, l);
            }
        }
    }
}

/// Lines that residue rules want removed as a whole: other findings inside
/// them only repeat the same problem.
pub(crate) fn whole_line_spans(hits: &[Hit]) -> Vec<(usize, usize)> {
    hits.iter()
        .filter(|h| {
            matches!(
                h.rule,
                "residue.teaser" | "residue.preview" | "residue.solicitation" | "residue.link"
            )
        })
        .map(|h| (h.start, h.end))
        .collect()
}
