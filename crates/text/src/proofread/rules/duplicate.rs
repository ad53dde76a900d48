//! Duplicated characters and words (推动推动, 的的, 针对对) without touching
//! reduplication (层层, 常常, 实实在在, 一级抓一级, 时时念、事事抓), plus the
//! "以为……为主" slip where 以……为 got an extra 为.

use super::{Ctx, full};
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::{is_cjk, is_clause_break};

const NUMERALS: &str = "〇零一二三四五六七八九十百千万亿两";

/// What may follow 为 in "以……为X": the construction the writer meant.
const YI_WEI_TARGETS: [&str; 20] = [
    "主",
    "抓手",
    "载体",
    "重点",
    "核心",
    "契机",
    "引领",
    "目标",
    "导向",
    "指导",
    "基础",
    "依托",
    "突破口",
    "平台",
    "切入点",
    "中心",
    "统领",
    "主线",
    "根本",
    "落脚点",
];

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let n = chars.len();
    let mut i = 0;
    while i + 1 < n && !full(out) {
        if !is_cjk(chars[i]) {
            i += 1;
            continue;
        }
        if let Some(len) = repeated_unit(ctx, i) {
            let unit = ctx.quote(i, i + len);
            out.push(
                Hit::new("dup.word", Severity::Error, i, i + 2 * len, format!("“{unit}”重复出现"))
                    .suggest(unit.to_owned()),
            );
            i += 2 * len;
            continue;
        }
        if chars[i + 1] == chars[i] && is_slip(ctx, i) {
            let c = chars[i].to_string();
            out.push(Hit::new("dup.char", Severity::Error, i, i + 2, format!("“{c}”字重复")).suggest(c));
            i += 2;
            continue;
        }
        if chars[i] == '以' && chars[i + 1] == '为' && is_extra_wei(ctx, i) {
            out.push(Hit::new("dup.yiwei", Severity::Error, i, i + 2, "“以……为……”句式中多了一个“为”").suggest("以"));
        }
        i += 1;
    }
}

/// Length of a word of 2–4 characters repeated right after itself at `i`.
fn repeated_unit(ctx: &Ctx, i: usize) -> Option<usize> {
    let chars = &ctx.scan.chars;
    (2..=4).find(|&len| {
        let Some(window) = chars.get(i..i + 2 * len) else {
            return false;
        };
        let (a, b) = window.split_at(len);
        a == b
            && a.iter().all(|&c| is_cjk(c))
            && a.iter().any(|&c| c != a[0])
            && a[0] != '一'
            && !a.iter().all(|&c| NUMERALS.contains(c))
            && !ctx.data.allowed_repeats.contains(ctx.quote(i, i + 2 * len))
    })
}

/// A doubled function character that is not reduplication nor the end of one
/// word followed by the next (目的的, 为了了解).
fn is_slip(ctx: &Ctx, i: usize) -> bool {
    let chars = &ctx.scan.chars;
    let c = chars[i];
    if !ctx.data.slip_chars.contains(&c) {
        return false;
    }
    // Tripled characters and AABB / AAB patterns are deliberate.
    if chars.get(i + 2) == Some(&c) || (i > 0 && chars[i - 1] == c) {
        return false;
    }
    let aabb_after = chars.get(i + 2).is_some_and(|&x| chars.get(i + 3) == Some(&x));
    let aabb_before = i >= 2 && chars[i - 2] == chars[i - 1];
    if aabb_after || aabb_before {
        return false;
    }
    let word_before = ctx
        .data
        .words_ending
        .iter()
        .any(|w| i + 1 >= w.len() && chars[i + 1 - w.len()..=i] == w[..]);
    if !word_before {
        return true;
    }
    if c == '对' {
        let next: String = chars[i + 1..(i + 3).min(chars.len())].iter().collect();
        return !ctx.data.words_starting_dui.contains(&next);
    }
    false
}

fn is_extra_wei(ctx: &Ctx, i: usize) -> bool {
    let chars = &ctx.scan.chars;
    if i > 0 && "可难所足得予加用借".contains(chars[i - 1]) {
        return false;
    }
    let limit = (i + 32).min(chars.len());
    let mut j = i + 2;
    while j < limit && !is_clause_break(chars[j]) {
        if chars[j] == '为' && YI_WEI_TARGETS.iter().any(|t| ctx.scan.starts_with_at(j + 1, t)) {
            return true;
        }
        j += 1;
    }
    false
}
