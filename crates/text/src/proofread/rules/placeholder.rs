//! Placeholders and template residue: masked names (**, ××), XX, a lone X or
//! A standing for a name, unfilled years (202x) and template phrases.

use super::{Ctx, full};
use crate::proofread::data::Phrase;
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::scan::{is_cjk, is_cn_punct};

/// Letters after which a capital A or X is a real term, not a placeholder
/// (A股, AAA级景区, A类, X光, X射线).
const A_TERMS: &str = "股级类型档区座栋轮票证面角字照制等";
const X_TERMS: &str = "光射线型轴染";

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let n = chars.len();
    let mut i = 0;
    while i < n && !full(out) {
        let c = chars[i];
        if matches!(c, '*' | '＊' | '×' | '○' | '□') {
            let end = run_end(chars, i, |x| x == c);
            let near_cjk = (i > 0 && is_cjk(chars[i - 1])) || chars.get(end).is_some_and(|&x| is_cjk(x));
            let digits_before = i > 0 && chars[i - 1].is_ascii_digit();
            if end - i >= 2 && near_cjk && !digits_before {
                let mut hit = Hit::new(
                    "placeholder.masked",
                    Severity::Error,
                    i,
                    end,
                    format!("“{}”是隐去或未填写的内容，应填写实际名称或数字", ctx.quote(i, end)),
                );
                if let Some(s) = congress_suggestion(ctx, i, end) {
                    hit = hit.suggest(s);
                }
                out.push(hit);
            }
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == 'Ｘ' {
            let end = run_end(chars, i, |x| x.is_ascii_alphabetic() || x == 'Ｘ');
            letters(ctx, i, end, out);
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let end = run_end(chars, i, |x| x.is_ascii_digit());
            year(ctx, i, end, out);
            i = end;
            continue;
        }
        i += 1;
    }
    let mut covered = 0;
    for p in ctx.phrases {
        // 请在此处填写 holds two template phrases; report the text once.
        if p.phrase == Phrase::Template && p.start >= covered {
            covered = p.end;
            out.push(Hit::new(
                "placeholder.template",
                Severity::Error,
                p.start,
                p.end,
                format!("“{}”是模板中未替换的内容，应填写实际内容", ctx.quote(p.start, p.end)),
            ));
        }
    }
}

fn run_end(chars: &[char], start: usize, f: impl Fn(char) -> bool) -> usize {
    let mut e = start;
    while e < chars.len() && f(chars[e]) {
        e += 1;
    }
    e
}

/// XX, X, A, AAA next to Chinese text.
fn letters(ctx: &Ctx, start: usize, end: usize, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let word = &chars[start..end];
    let prev = start.checked_sub(1).map(|i| chars[i]);
    let next = chars.get(end).copied();
    if prev.is_some_and(|p| p.is_ascii_digit()) || next.is_some_and(|x| x.is_ascii_digit()) {
        return;
    }
    let all_x = word.iter().all(|&c| matches!(c, 'X' | 'x' | 'Ｘ'));
    let all_a = word.iter().all(|&c| c == 'A') && word.len() <= 3;
    if !all_x && !all_a {
        return;
    }
    let next_cjk = next.is_some_and(is_cjk);
    let prev_cjk = prev.is_some_and(is_cjk);
    let next_ok = next.is_none_or(|x| is_cjk(x) || is_cn_punct(x) || x == '\n');
    if !(next_cjk || (prev_cjk && next_ok)) {
        return;
    }
    let terms = if all_a { A_TERMS } else { X_TERMS };
    if next.is_some_and(|x| terms.contains(x)) {
        return;
    }
    // A lowercase single x between Chinese characters is too often a variable.
    if word == ['x'] {
        return;
    }
    let text = ctx.quote(start, end);
    let (rule, message) = if word.len() >= 2 && all_x {
        ("placeholder.xx", format!("“{text}”是未替换的占位符，应填写实际名称"))
    } else {
        (
            "placeholder.letter",
            format!("此处的“{text}”是代替实际名称的占位符，应填写真实名称"),
        )
    };
    let mut hit = Hit::new(rule, Severity::Error, start, end, message);
    if let Some(s) = congress_suggestion(ctx, start, end) {
        hit = hit.suggest(s);
    }
    out.push(hit);
}

/// 202x年, 20XX年, 20**年.
fn year(ctx: &Ctx, start: usize, end: usize, out: &mut Vec<Hit>) {
    let chars = &ctx.scan.chars;
    let digits = end - start;
    if !(2..=3).contains(&digits) || (start > 0 && chars[start - 1].is_ascii_alphanumeric()) {
        return;
    }
    let mask = run_end(chars, end, |c| matches!(c, 'x' | 'X' | 'Ｘ' | '×' | '*' | '＊'));
    if digits + (mask - end) != 4 || chars.get(mask).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return;
    }
    let year_follows = chars.get(mask) == Some(&'年');
    if !(year_follows || chars[start] == '2' || chars[start] == '1') {
        return;
    }
    out.push(Hit::new(
        "placeholder.year",
        Severity::Error,
        start,
        mask,
        format!("年份“{}”没有填写完整", ctx.quote(start, mask)),
    ));
}

/// "党的XX大" is the congress placeholder; suggest the current name.
fn congress_suggestion(ctx: &Ctx, start: usize, end: usize) -> Option<String> {
    (ctx.scan.ends_with_at(start, "党的") && ctx.scan.char_at(end) == Some('大'))
        .then(|| "党的二十大（请核对届次）".to_owned())
}
