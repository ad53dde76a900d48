//! Punctuation after GB/T 15834-2011: half-width marks in Chinese text,
//! unbalanced quotes and brackets, nested 《》, empty enumeration items and
//! doubled marks.

use super::{Ctx, full};
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::{is_cjk, is_cn_punct};

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for l in 0..ctx.scan.lines.len() {
        let (s, e) = ctx.scan.lines[l];
        if full(out) {
            return;
        }
        if s == e {
            continue;
        }
        halfwidth(ctx, s, e, out);
        balance(ctx, s, e, out);
    }
    enumeration_and_doubles(ctx, out);
}

fn full_width(c: char) -> char {
    match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => c,
    }
}

fn chinese_around(chars: &[char], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(i + 1).copied();
    let cjk = |c: Option<char>| c.is_some_and(|c| is_cjk(c) || (is_cn_punct(c) && c != '·'));
    cjk(prev) || cjk(next)
}

fn halfwidth(ctx: &Ctx, s: usize, e: usize, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let mut i = s;
    let mut quote_open = false;
    while i < e && !full(out) {
        let c = chars[i];
        match c {
            ',' | ';' | ':' | '?' | '!' => {
                let digits =
                    i > s && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
                if !digits && chinese_around(chars, i) {
                    out.push(halfwidth_hit(i, i + 1, c.to_string(), full_width(c).to_string()));
                }
            }
            '(' => {
                let close = (i + 1..e.min(i + 40)).find(|&j| chars[j] == ')');
                if let Some(j) = close {
                    let inner_cjk = chars[i + 1..j].iter().any(|&c| is_cjk(c));
                    if inner_cjk || chinese_around(chars, i) || chinese_around(chars, j) {
                        let inner: String = chars[i + 1..j].iter().collect();
                        if j - i <= 12 {
                            out.push(halfwidth_hit(i, j + 1, format!("({inner})"), format!("（{inner}）")));
                        } else {
                            out.push(halfwidth_hit(i, i + 1, "(".into(), "（".into()));
                            out.push(halfwidth_hit(j, j + 1, ")".into(), "）".into()));
                        }
                    }
                    i = j + 1;
                    continue;
                } else if chinese_around(chars, i) {
                    out.push(halfwidth_hit(i, i + 1, "(".into(), "（".into()));
                }
            }
            ')' if chinese_around(chars, i) => out.push(halfwidth_hit(i, i + 1, ")".into(), "）".into())),
            '"' => {
                let want = if quote_open { "”" } else { "“" };
                quote_open = !quote_open;
                if chinese_around(chars, i) {
                    out.push(halfwidth_hit(i, i + 1, "\"".into(), want.into()));
                }
            }
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => {
                let mut j = i;
                while j < e && chars[j] == '.' {
                    j += 1;
                }
                if chinese_around(chars, i) || chinese_around(chars, j - 1) {
                    out.push(Hit::new("punct.ellipsis", Severity::Warning, i, j, "中文省略号应使用“……”").suggest("……"));
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

fn halfwidth_hit(start: usize, end: usize, shown: String, suggestion: String) -> Hit {
    Hit::new(
        "punct.halfwidth",
        Severity::Warning,
        start,
        end,
        format!("中文文本中使用了半角标点“{shown}”，应使用全角“{suggestion}”"),
    )
    .suggest(suggestion)
}

fn closer_of(c: char) -> Option<char> {
    Some(match c {
        '“' => '”',
        '‘' => '’',
        '《' => '》',
        '〈' => '〉',
        '（' | '(' => '）',
        '【' => '】',
        _ => return None,
    })
}

fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '》' | '〉' | '）' | ')' | '】')
}

fn name_of(c: char) -> &'static str {
    match c {
        '“' | '”' => "双引号",
        '‘' | '’' => "单引号",
        '《' | '》' => "书名号",
        '〈' | '〉' => "单书名号",
        '【' | '】' => "方括号",
        _ => "括号",
    }
}

fn balance(ctx: &Ctx, s: usize, e: usize, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let mut stack: Vec<(char, usize)> = Vec::new();
    for i in s..e {
        if full(out) {
            return;
        }
        let c = chars[i];
        if let Some(_closer) = closer_of(c) {
            stack.push((c, i));
            continue;
        }
        if !is_closer(c) {
            continue;
        }
        // ’ doubles as the English apostrophe (don’t).
        if c == '’' && i > s && chars[i - 1].is_ascii_alphabetic() {
            continue;
        }
        let want = if c == ')' { '）' } else { c };
        match stack.iter().rposition(|&(o, _)| closer_of(o) == Some(want)) {
            Some(k) => {
                for &(o, at) in &stack[k + 1..] {
                    out.push(unclosed(o, at));
                }
                let (o, at) = stack[k];
                stack.truncate(k);
                if o == '《' && stack.iter().any(|&(x, _)| x == '《') {
                    let inner = ctx.quote(at + 1, i);
                    out.push(
                        Hit::new(
                            "punct.nested-title",
                            Severity::Error,
                            at,
                            i + 1,
                            "书名号内再用书名号时，内层应使用单书名号“〈〉”",
                        )
                        .suggest(format!("〈{inner}〉")),
                    );
                }
            }
            None => out.push(Hit::new(
                "punct.unbalanced",
                Severity::Error,
                i,
                i + 1,
                format!("右{}“{c}”前面没有对应的左{}", name_of(c), name_of(c)),
            )),
        }
    }
    // Two left quotes in a row where the second should close the first: “一岗双责“.
    let mut k = 0;
    while k < stack.len() && !full(out) {
        let (o, at) = stack[k];
        if o == '“' && stack.get(k + 1).is_some_and(|&(n, _)| n == '“') {
            let (_, second) = stack[k + 1];
            out.push(
                Hit::new(
                    "punct.unbalanced",
                    Severity::Error,
                    second,
                    second + 1,
                    "引号方向错误：此处应为右引号“””",
                )
                .suggest("”"),
            );
            k += 2;
            continue;
        }
        out.push(unclosed(o, at));
        k += 1;
    }
}

fn unclosed(o: char, at: usize) -> Hit {
    Hit::new(
        "punct.unbalanced",
        Severity::Error,
        at,
        at + 1,
        format!("左{}“{o}”没有对应的右{}", name_of(o), name_of(o)),
    )
}

fn is_mark(c: char) -> bool {
    matches!(c, '，' | '。' | '；' | '：' | '？' | '！')
}

fn enumeration_and_doubles(ctx: &Ctx, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let n = chars.len();
    let mut i = 0;
    while i < n && !full(out) {
        let c = chars[i];
        if c == '、' {
            let mut j = i;
            while j < n && chars[j] == '、' {
                j += 1;
            }
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(j).copied();
            if j - i >= 2 {
                out.push(
                    Hit::new(
                        "punct.empty-item",
                        Severity::Error,
                        i,
                        j,
                        "连续使用顿号，中间缺少并列项（可能有词语丢失）",
                    )
                    .suggest("、"),
                );
            } else if next == Some('等') {
                out.push(
                    Hit::new(
                        "punct.empty-item",
                        Severity::Error,
                        i,
                        j + 1,
                        "“等”前不用顿号；若此处缺少并列项，请补全",
                    )
                    .suggest("等"),
                );
            } else if prev.is_some_and(|p| (is_mark(p) || p == '、') || matches!(p, '“' | '（' | '《' | '\n'))
                || prev.is_none()
                || next.is_some_and(|x| (is_mark(x) || x == '、') || matches!(x, '）' | '\n'))
            {
                out.push(Hit::new(
                    "punct.empty-item",
                    Severity::Error,
                    i,
                    j,
                    "顿号前后缺少并列项",
                ));
            }
            i = j;
            continue;
        }
        if let (true, Some(&next)) = (is_mark(c), chars.get(i + 1)) {
            let ellipsis = c == '。' && next == '。' && chars.get(i + 2) == Some(&'。');
            let emphatic = matches!((c, next), ('？', '！') | ('！', '？'));
            if ellipsis {
                let start = i;
                while i < n && chars[i] == '。' {
                    i += 1;
                }
                out.push(Hit::new("punct.ellipsis", Severity::Warning, start, i, "省略号应使用“……”").suggest("……"));
                continue;
            }
            if is_mark(next) && !emphatic {
                out.push(
                    Hit::new(
                        "punct.doubled",
                        Severity::Error,
                        i,
                        i + 2,
                        format!("标点“{c}{next}”重复使用"),
                    )
                    .suggest(next.to_string()),
                );
                i += 2;
                continue;
            }
        }
        i += 1;
    }
}
