//! Consistency with the document's own subject: place names of the same kind
//! as the subject unit that appear only once or twice (copied from another
//! unit's report), and body years that contradict the title's year.

use std::collections::HashMap;

use super::Ctx;
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::{is_cjk, is_line_space};

/// Unit kinds compared. 区 and 局 are left out on purpose: 社区, 辖区, 牧区
/// and the many bureaus a report legitimately names would cry wolf.
const KINDS: [&str; 4] = ["镇", "乡", "县", "街道"];

/// Two-character words ending in a unit suffix that are not place names.
const GENERIC: &str = "乡镇 城镇 村镇 小镇 名镇 集镇 全镇 我镇 本镇 该镇 各镇 此镇 重镇 古镇 市镇 强镇 大镇 \
    城乡 全乡 我乡 本乡 该乡 各乡 家乡 故乡 下乡 返乡 回乡 同乡 老乡 他乡 异乡 思乡 \
    全县 我县 本县 该县 各县 郡县 州县 市县 区县 全街道 各街道 本街道 该街道";

/// Suffix followed by this is a different word (乡村, 镇压, 县域).
const NOT_SUFFIX: &str = "乡村 乡土 乡愁 乡亲 乡贤 乡风 乡情 乡音 乡里 乡下 乡镇 镇压 镇定 镇守 镇静 镇痛 县域";

/// Words that end right before a place name (发挥呼和镇…, 促进王坝镇…).
const LEFT_WORDS: [&str; 43] = [
    "发挥",
    "维护",
    "促进",
    "推动",
    "推进",
    "助力",
    "服务",
    "建设",
    "打造",
    "写好",
    "讲好",
    "加快",
    "实现",
    "带动",
    "提升",
    "展示",
    "宣传",
    "关于",
    "对于",
    "作为",
    "成为",
    "位于",
    "来自",
    "前往",
    "深入",
    "走进",
    "中共",
    "全力",
    "制定了",
    "围绕",
    "聚焦",
    "现将",
    "将",
    "是",
    "为",
    "在",
    "对",
    "了",
    "的",
    "和",
    "与",
    "到",
    "好",
];

/// Followers that make a punctuation-bounded candidate ambiguous: "坚持镇党委"
/// is 坚持 + 镇党委, not a town called 坚持.
const UNIT_ORGANS: [&str; 8] = ["党委", "政府", "人大", "纪委", "党政", "机关", "干部", "领导"];

/// A real report names a few dozen places; stop collecting long before memory matters.
const MAX_MENTIONS: usize = 50_000;

struct Mention {
    name: String,
    kind: &'static str,
    start: usize,
    end: usize,
}

pub(crate) fn check(ctx: &Ctx, title: Option<(usize, usize)>, out: &mut Vec<Hit>) {
    unit_names(ctx, title, out);
    if let Some(t) = title {
        years(ctx, t, out);
    }
}

fn mentions(ctx: &Ctx) -> Vec<Mention> {
    let chars = &ctx.scan.chars;
    let mut found = Vec::new();
    for p in 2..chars.len() {
        if !matches!(chars[p], '镇' | '乡' | '县' | '街') {
            continue;
        }
        for kind in KINDS {
            if !ctx.scan.starts_with_at(p, kind) {
                continue;
            }
            let klen = kind.chars().count();
            let word2 = ctx.quote(p - 1, p + klen);
            if GENERIC.split_ascii_whitespace().any(|g| g == word2) {
                continue;
            }
            if let Some(&next) = chars.get(p + klen) {
                let pair: String = [chars[p + klen - 1], next].iter().collect();
                if NOT_SUFFIX.split(' ').any(|w| w == pair) {
                    continue;
                }
            }
            if found.len() >= MAX_MENTIONS {
                return found;
            }
            if let Some(start) = name_start(ctx, p) {
                found.push(Mention {
                    name: ctx.quote(start, p).to_owned(),
                    kind,
                    start,
                    end: p + klen,
                });
            }
        }
    }
    found
}

/// Where the place name ending at `p` starts, preferring a known left word of
/// two or more characters, then a one-character one, then punctuation.
fn name_start(ctx: &Ctx, p: usize) -> Option<usize> {
    let chars = &ctx.scan.chars;
    let mut best: Option<(u8, usize)> = None;
    for len in 2..=4 {
        let Some(j) = p.checked_sub(len) else { break };
        if !chars[j..p].iter().all(|&c| is_cjk(c)) {
            break;
        }
        // A name bounded only by punctuation is trusted at the start of a
        // line (a title); mid-sentence it is as likely a verb (抓好乡宣传).
        let line_start = ctx.scan.lines[ctx.scan.line_of(j)].0;
        let rank = if (line_start..j).all(|k| is_line_space(chars[k])) {
            1
        } else if !is_cjk(chars[j - 1]) {
            0
        } else if let Some(w) = LEFT_WORDS.iter().find(|w| ctx.scan.ends_with_at(j, w)) {
            if w.chars().count() >= 2 { 3 } else { 2 }
        } else {
            0
        };
        if rank > 0 && best.is_none_or(|(r, _)| rank >= r) {
            best = Some((rank, j));
        }
    }
    let (rank, j) = best?;
    if rank == 1 && UNIT_ORGANS.iter().any(|o| ctx.scan.starts_with_at(p + 1, o)) {
        return None;
    }
    Some(j)
}

fn unit_names(ctx: &Ctx, title: Option<(usize, usize)>, out: &mut Vec<Hit>) {
    let mut all = mentions(ctx);
    // "现将青山镇" read as a town called 现将青山: when a longer name ends with
    // a name seen at least twice, it is that name with a verb in front.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for m in &all {
        *counts.entry(format!("{}{}", m.name, m.kind)).or_default() += 1;
    }
    for m in &mut all {
        let shorter = counts
            .iter()
            .filter(|(n, c)| **c >= 2 && n.ends_with(m.kind) && n.len() < m.name.len() + m.kind.len())
            .map(|(n, _)| n.strip_suffix(m.kind).unwrap_or(n).to_owned())
            .find(|n| m.name.ends_with(n.as_str()));
        if let Some(n) = shorter {
            m.start += m.name.chars().count() - n.chars().count();
            m.name = n;
        }
    }
    let self_refs = self_references(ctx);
    for kind in KINDS {
        if !is_own_kind(ctx, title, kind, &self_refs) {
            continue;
        }
        let chars = &ctx.scan.chars;
        // Names listed together (青山镇、绿水镇) are an enumeration, not a slip.
        let listed = |m: &&Mention| chars.get(m.end) == Some(&'、') || (m.start > 0 && chars[m.start - 1] == '、');
        let of_kind: Vec<&Mention> = all.iter().filter(|m| m.kind == kind && !listed(m)).collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for m in &of_kind {
            *counts.entry(m.name.as_str()).or_default() += 1;
        }
        if counts.len() < 2 {
            continue;
        }
        let from_title = title
            .and_then(|(s, e)| of_kind.iter().find(|m| m.start >= s && m.end <= e))
            .map(|m| m.name.as_str());
        let subject = from_title.or_else(|| {
            let max = *counts.values().max()?;
            let leaders: Vec<&str> = counts.iter().filter(|(_, c)| **c == max).map(|(n, _)| *n).collect();
            (max >= 2 && leaders.len() == 1).then(|| leaders[0])
        });
        let Some(subject) = subject else { continue };
        for m in &of_kind {
            let count = counts[m.name.as_str()];
            if m.name == subject || count > 2 {
                continue;
            }
            out.push(
                Hit::new(
                    "consistency.unit-name",
                    Severity::Warning,
                    m.start,
                    m.end,
                    format!(
                        "本文主体是“{subject}{kind}”，此处却是“{}{kind}”（全文仅出现{count}次），可能是从其他单位材料复制而来，请核对",
                        m.name
                    ),
                )
                .suggest(format!("{subject}{kind}")),
            );
        }
    }
}

/// Whether the document speaks as a unit of this kind: the title names one, or
/// the text says 我镇/全镇/本镇. A county report naming its towns is not a
/// town report with another town's name pasted in.
fn is_own_kind(ctx: &Ctx, title: Option<(usize, usize)>, kind: &str, self_refs: &[usize; 4]) -> bool {
    let k = KINDS.iter().position(|&x| x == kind).unwrap_or(0);
    title.is_some_and(|(s, e)| ctx.quote(s, e).contains(kind)) || self_refs[k] >= 2
}

/// How often the text says 我镇/全镇/本镇 (and so on) per kind, in one pass.
fn self_references(ctx: &Ctx) -> [usize; 4] {
    let chars = &ctx.scan.chars;
    let mut counts = [0; 4];
    for i in 1..chars.len() {
        if matches!(chars[i - 1], '我' | '全' | '本') {
            for (k, kind) in KINDS.iter().enumerate() {
                if ctx.scan.starts_with_at(i, kind) {
                    counts[k] += 1;
                }
            }
        }
    }
    counts
}

/// Four-digit years (19xx/20xx) followed by 年, as (start, end, year).
fn year_mentions(ctx: &Ctx, s: usize, e: usize) -> Vec<(usize, usize, u32)> {
    let chars = &ctx.scan.chars;
    let mut v = Vec::new();
    let mut i = s;
    while i + 4 < e.min(chars.len()) + 1 {
        if i + 4 <= chars.len()
            && chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && (i == 0 || !chars[i - 1].is_ascii_digit())
            && chars.get(i + 4) == Some(&'年')
            && matches!(chars[i], '1' | '2')
        {
            let y: u32 = ctx.quote(i, i + 4).parse().unwrap_or(0);
            v.push((i, i + 4, y));
            i += 4;
        } else {
            i += 1;
        }
    }
    v
}

fn years(ctx: &Ctx, (ts, te): (usize, usize), out: &mut Vec<Hit>) {
    let Some(&(_, title_end, title_year)) = year_mentions(ctx, ts, te).first() else {
        return;
    };
    let chars = &ctx.scan.chars;
    let after = |i: usize| -> String { chars[i + 1..(i + 5).min(chars.len())].iter().collect() };
    let title_after = after(title_end);
    for (s, e, y) in year_mentions(ctx, te, chars.len()) {
        if y == title_year {
            continue;
        }
        let same_phrase = after(e) == title_after && title_after.chars().count() == 4;
        let intro = (s.saturating_sub(8)..s).any(|k| ctx.scan.starts_with_at(k, "现将"));
        // "与2022年意识形态工作相比" compares years on purpose.
        let comparison = chars[s.saturating_sub(6)..s]
            .iter()
            .any(|c| matches!(c, '与' | '比' | '较' | '自' | '从' | '至'));
        if intro || (same_phrase && !comparison) {
            out.push(
                Hit::new(
                    "consistency.year",
                    if intro { Severity::Error } else { Severity::Warning },
                    s,
                    e + 1,
                    format!("此处年份“{y}年”与标题中的“{title_year}年”不一致"),
                )
                .suggest(format!("{title_year}年")),
            );
        }
    }
}

/// The title: the first short non-empty line that does not read as a sentence.
pub(crate) fn title_line(ctx: &Ctx, skip: &[(usize, usize)]) -> Option<(usize, usize)> {
    for &(s, e) in ctx.scan.lines.iter().take(5) {
        let text = ctx.quote(s, e).trim_matches(is_line_space);
        if text.is_empty() || skip.iter().any(|&(a, b)| a <= e && s <= b) {
            continue;
        }
        let len = text.chars().count();
        if len <= 60 && !text.ends_with(['。', '，', '：', ':']) {
            return Some((s, e));
        }
        return None;
    }
    None
}
