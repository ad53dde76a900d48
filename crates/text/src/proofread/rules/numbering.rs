//! Heading numbering per level (一、 → （一） → 1. → （1））: gaps, repeats,
//! restarts and mixed styles within one level.

use std::collections::HashMap;

use super::Ctx;
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::{cn_number, is_line_space, parse_cn_number};

#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub level: usize,
    pub number: u32,
    /// Normalised style; half- and full-width variants count as one style,
    /// since the punctuation rule reports the width.
    pub style: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Recognises a heading marker at the start of line `l`.
pub(crate) fn heading_at(ctx: &Ctx, l: usize) -> Option<Heading> {
    let chars = &ctx.scan.chars;
    let (mut s, e) = ctx.scan.lines[l];
    while s < e && is_line_space(chars[s]) {
        s += 1;
    }
    let line = &chars[s..e];
    let cn_len = line.iter().take_while(|c| "一二三四五六七八九十".contains(**c)).count();
    if (1..=3).contains(&cn_len) {
        let number = parse_cn_number(&line[..cn_len])?;
        let style = match line.get(cn_len) {
            Some('、') => "一、",
            Some('．' | '.') => "一.",
            _ => return None,
        };
        return Some(Heading {
            level: 1,
            number,
            style,
            start: s,
            end: s + cn_len + 1,
        });
    }
    if matches!(line.first(), Some('（' | '(')) {
        let inner = &line[1..];
        let cn = inner
            .iter()
            .take_while(|c| "一二三四五六七八九十".contains(**c))
            .count();
        let digits = inner.iter().take_while(|c| c.is_ascii_digit()).count();
        let (level, len, number) = if (1..=3).contains(&cn) {
            (2, cn, parse_cn_number(&inner[..cn])?)
        } else if (1..=2).contains(&digits) {
            (4, digits, inner[..digits].iter().collect::<String>().parse().ok()?)
        } else {
            return None;
        };
        if !matches!(inner.get(len), Some('）' | ')')) {
            return None;
        }
        let style = if level == 2 { "（一）" } else { "（1）" };
        return Some(Heading {
            level,
            number,
            style,
            start: s,
            end: s + len + 2,
        });
    }
    let digits = line.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=2).contains(&digits) {
        let style = match line.get(digits) {
            Some('.' | '．') => "1.",
            Some('、') => "1、",
            _ => return None,
        };
        // "1.5万元" is a number, not a heading.
        if line.get(digits + 1).is_some_and(|c| c.is_ascii_digit() || *c == '\n') || line.len() <= digits + 1 {
            return None;
        }
        let number = line[..digits].iter().collect::<String>().parse().ok()?;
        return Some(Heading {
            level: 3,
            number,
            style,
            start: s,
            end: s + digits + 1,
        });
    }
    None
}

fn render(level: usize, n: u32, style: &str) -> String {
    match (level, style) {
        (1, "一.") => format!("{}．", cn_number(n)),
        (1, _) => format!("{}、", cn_number(n)),
        (2, _) => format!("（{}）", cn_number(n)),
        (3, "1、") => format!("{n}、"),
        (3, _) => format!("{n}."),
        _ => format!("（{n}）"),
    }
}

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let headings: Vec<Heading> = (0..ctx.scan.lines.len()).filter_map(|l| heading_at(ctx, l)).collect();
    // The attachment note (附件：1.…  2.…) and the attachments themselves
    // number on their own.
    let attachments: Vec<usize> = ctx
        .scan
        .lines
        .iter()
        .map(|&(s, e)| (s..e).find(|&k| !is_line_space(ctx.scan.chars[k])).unwrap_or(e))
        .filter(|&s| ctx.scan.starts_with_at(s, "附件"))
        .collect();
    let mut next_attachment = 0;
    let mut last: [Option<u32>; 5] = [None; 5];
    for h in &headings {
        while next_attachment < attachments.len() && attachments[next_attachment] <= h.start {
            last = [None; 5];
            next_attachment += 1;
        }
        let marker = ctx.quote(h.start, h.end).to_owned();
        match last[h.level] {
            Some(prev) if h.number == prev => out.push(
                Hit::new(
                    "numbering.repeat",
                    Severity::Error,
                    h.start,
                    h.end,
                    format!("编号“{marker}”与上一条同级标题重复"),
                )
                .suggest(render(h.level, prev + 1, h.style)),
            ),
            Some(prev) if h.number > prev + 1 => out.push(
                Hit::new(
                    "numbering.gap",
                    Severity::Error,
                    h.start,
                    h.end,
                    format!(
                        "编号不连续：上一条同级标题是“{}”，缺少“{}”",
                        render(h.level, prev, h.style),
                        render(h.level, prev + 1, h.style)
                    ),
                )
                .suggest(render(h.level, prev + 1, h.style)),
            ),
            Some(prev) if h.number < prev => out.push(
                Hit::new(
                    "numbering.restart",
                    Severity::Warning,
                    h.start,
                    h.end,
                    format!(
                        "编号“{marker}”回退：上一条同级标题是“{}”，中间没有新的上级标题",
                        render(h.level, prev, h.style)
                    ),
                )
                .suggest(render(h.level, prev + 1, h.style)),
            ),
            None if h.number != 1 && (h.level <= 2 || last[..h.level].iter().any(Option::is_some)) => out.push(
                Hit::new(
                    "numbering.gap",
                    Severity::Error,
                    h.start,
                    h.end,
                    format!(
                        "编号不连续：本级第一条标题是“{marker}”，缺少“{}”",
                        render(h.level, 1, h.style)
                    ),
                )
                .suggest(render(h.level, 1, h.style)),
            ),
            _ => {}
        }
        last[h.level] = Some(h.number);
        for deeper in last.iter_mut().skip(h.level + 1) {
            *deeper = None;
        }
    }
    mixed_styles(ctx, &headings, out);
}

fn mixed_styles(ctx: &Ctx, headings: &[Heading], out: &mut Vec<Hit>) {
    let mut counts: HashMap<(usize, &str), usize> = HashMap::new();
    for h in headings {
        *counts.entry((h.level, h.style)).or_default() += 1;
    }
    for h in headings {
        let mine = counts[&(h.level, h.style)];
        let Some((&(_, major), &count)) = counts
            .iter()
            .filter(|((level, style), _)| *level == h.level && *style != h.style)
            .max_by_key(|(_, c)| **c)
        else {
            continue;
        };
        // Report the minority style; on a tie the later style is the odd one.
        if count > mine
            || (count == mine
                && headings
                    .iter()
                    .find(|x| x.level == h.level)
                    .is_some_and(|f| f.style == major))
        {
            out.push(
                Hit::new(
                    "numbering.mixed",
                    Severity::Warning,
                    h.start,
                    h.end,
                    format!(
                        "同级标题编号样式不一致：此处为“{}”，其他同级标题为“{}”样式",
                        ctx.quote(h.start, h.end),
                        major
                    ),
                )
                .suggest(render(h.level, h.number, major)),
            );
        }
    }
}
