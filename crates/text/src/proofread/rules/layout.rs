//! .docx layout against GB/T 9704-2012 (党政机关公文格式): A4 page, margins
//! 37/35/28/26 mm, 22 lines × 28 characters, title 方正小标宋简体 二号
//! centred, body 仿宋_GB2312 三号, level-1 headings 黑体, level-2 楷体_GB2312.

use std::collections::BTreeMap;

use crate::proofread::document::{Document, Paragraph};
use crate::proofread::finding::{Hit, Severity};
use crate::proofread::rules::numbering::Heading;

/// 1 mm in twips.
const MM: f64 = 1440.0 / 25.4;
const SIZE_ERHAO: u32 = 44;
const SIZE_SANHAO: u32 = 32;

const TITLE_FONTS: [&str; 2] = ["小标宋", "XBS"];
const BODY_FONTS: [&str; 3] = ["仿宋", "FangSong", "Fangsong"];
const HEI_FONTS: [&str; 2] = ["黑体", "SimHei"];
const KAI_FONTS: [&str; 2] = ["楷体", "KaiTi"];

fn mm(twips: i64) -> f64 {
    twips as f64 / MM
}

pub(crate) fn check(doc: &Document, chars: &[char], headings: &[Heading], out: &mut Vec<Hit>) {
    page(doc, out);
    paragraphs(doc, chars, headings, out);
}

fn page(doc: &Document, out: &mut Vec<Hit>) {
    let Some(page) = &doc.page else {
        out.push(Hit::new(
            "layout.page",
            Severity::Warning,
            0,
            0,
            "文档没有页面设置，无法核对纸张和页边距（应为 A4，上 37 mm、下 35 mm、左 28 mm、右 26 mm）",
        ));
        return;
    };
    if let (Some(w), Some(h)) = (page.width, page.height) {
        let a4 = (mm(w) - 210.0).abs() <= 1.0 && (mm(h) - 297.0).abs() <= 1.0;
        if !a4 {
            out.push(Hit::new(
                "layout.page",
                Severity::Warning,
                0,
                0,
                format!(
                    "纸张为 {:.0} mm × {:.0} mm，公文应使用 A4（210 mm × 297 mm）",
                    mm(w),
                    mm(h)
                ),
            ));
        }
    }
    let margins = [
        ("上", page.margin_top, 37.0),
        ("下", page.margin_bottom, 35.0),
        ("左", page.margin_left, 28.0),
        ("右", page.margin_right, 26.0),
    ];
    let wrong: Vec<String> = margins
        .iter()
        .filter_map(|&(side, v, want)| {
            let v = mm(v?);
            ((v - want).abs() > 1.0).then(|| format!("{side}边距 {v:.1} mm（应为 {want:.0} mm）"))
        })
        .collect();
    if !wrong.is_empty() {
        out.push(Hit::new(
            "layout.margin",
            Severity::Warning,
            0,
            0,
            format!("页边距不符合 GB/T 9704-2012：{}", wrong.join("，")),
        ));
    }
    let grid_ok = page.grid.as_ref().is_some_and(|g| {
        matches!(g.kind.as_deref(), Some("lines" | "linesAndChars" | "snapToChars"))
            && g.line_pitch.is_some_and(|p| (560..=600).contains(&p))
    });
    if !grid_ok {
        out.push(Hit::new(
            "layout.grid",
            Severity::Warning,
            0,
            0,
            "未按 GB/T 9704-2012 设置文档网格：每页应为 22 行、每行 28 字（行距约 28.95 磅）",
        ));
    }
}

fn has_font(p: &Paragraph, fonts: &[&str]) -> bool {
    p.east_asia_font
        .as_deref()
        .is_some_and(|f| fonts.iter().any(|w| f.contains(w)))
}

fn font_name(p: &Paragraph) -> &str {
    p.east_asia_font.as_deref().unwrap_or("未指定中文字体")
}

/// Groups paragraph problems so that a document set in the wrong font gets
/// one warning naming the first paragraph and the count, not a hundred.
#[derive(Default)]
struct Group {
    first: Option<(usize, usize, usize)>,
    count: usize,
}

fn paragraphs(doc: &Document, chars: &[char], headings: &[Heading], out: &mut Vec<Hit>) {
    let non_empty: Vec<(usize, &Paragraph)> = doc
        .paragraphs
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let end = (p.start + p.len).min(chars.len());
            chars
                .get(p.start..end)
                .is_some_and(|s| s.iter().any(|c| !c.is_whitespace()))
        })
        .collect();
    let Some(&(title_idx, title)) = non_empty.first() else {
        return;
    };
    let span = |p: &Paragraph| (p.start, p.start + p.len);
    let (ts, te) = span(title);
    if !has_font(title, &TITLE_FONTS) {
        out.push(Hit::new(
            "layout.title-font",
            Severity::Warning,
            ts,
            te,
            format!(
                "第{}段（标题）字体为“{}”，应为方正小标宋简体",
                title_idx + 1,
                font_name(title)
            ),
        ));
    }
    if title.size_half_points != Some(SIZE_ERHAO) {
        out.push(Hit::new(
            "layout.title-size",
            Severity::Warning,
            ts,
            te,
            format!(
                "第{}段（标题）字号为{}，应为二号（22 磅）",
                title_idx + 1,
                size_name(title.size_half_points)
            ),
        ));
    }
    if title.alignment.as_deref() != Some("center") {
        out.push(Hit::new(
            "layout.title-align",
            Severity::Warning,
            ts,
            te,
            format!("第{}段（标题）应居中排布", title_idx + 1),
        ));
    }
    let mut groups: BTreeMap<(&'static str, String), Group> = BTreeMap::new();
    let mut note = |rule: &'static str, what: String, idx: usize, p: &Paragraph| {
        let g = groups.entry((rule, what)).or_default();
        g.count += 1;
        if g.first.is_none() {
            g.first = Some((idx, p.start, p.start + p.len));
        }
    };
    for &(idx, p) in non_empty.iter().skip(1) {
        let level = headings
            .iter()
            .find(|h| h.start >= p.start && h.start < p.start + p.len.max(1))
            .map(|h| h.level);
        match level {
            Some(1) if !has_font(p, &HEI_FONTS) => note(
                "layout.heading-font",
                format!("一级标题字体为“{}”，应为黑体", font_name(p)),
                idx,
                p,
            ),
            Some(2) if !has_font(p, &KAI_FONTS) => note(
                "layout.heading-font",
                format!("二级标题字体为“{}”，应为楷体_GB2312", font_name(p)),
                idx,
                p,
            ),
            Some(1 | 2) => {}
            _ if !has_font(p, &BODY_FONTS) => note(
                "layout.body-font",
                format!("正文字体为“{}”，应为仿宋_GB2312", font_name(p)),
                idx,
                p,
            ),
            _ => {}
        }
        if p.size_half_points != Some(SIZE_SANHAO) {
            note(
                "layout.body-size",
                format!(
                    "字号为{}，正文和标题层次应为三号（16 磅）",
                    size_name(p.size_half_points)
                ),
                idx,
                p,
            );
        }
    }
    for ((rule, what), g) in groups {
        let Some((idx, s, e)) = g.first else { continue };
        let others = if g.count > 1 {
            format!("（共{}段同样如此）", g.count)
        } else {
            String::new()
        };
        out.push(Hit::new(
            rule,
            Severity::Warning,
            s,
            e,
            format!("第{}段{what}{others}", idx + 1),
        ));
    }
}

fn size_name(half_points: Option<u32>) -> String {
    let Some(hp) = half_points else {
        return "默认字号".into();
    };
    let name = match hp {
        84 => "初号",
        72 => "小初",
        52 => "一号",
        48 => "小一",
        44 => "二号",
        36 => "小二",
        32 => "三号",
        30 => "小三",
        28 => "四号",
        24 => "小四",
        21 => "五号",
        18 => "小五",
        _ => "",
    };
    let pt = hp as f64 / 2.0;
    if name.is_empty() {
        format!("{pt} 磅")
    } else {
        format!("{name}（{pt} 磅）")
    }
}
