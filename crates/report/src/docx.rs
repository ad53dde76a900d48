//! The report as a .docx in the layout of GB/T 9704-2012 (党政机关公文格式): A4, margins
//! 37/35/28/26 mm, 22 lines of 28 characters, title in 方正小标宋简体 二号, body in
//! 仿宋_GB2312 三号, first-level headings in 黑体, second-level in 楷体_GB2312, page numbers
//! "— 1 —" in 4号 宋体 at the outer bottom corner. Fonts are not embedded: each run names its
//! CJK font in the eastAsia slot, and the font table lists widely installed fallbacks.

use crate::evidence::EvidenceLine;
use crate::model::{Cell, Paragraph as Para, Report};
use docx_rs::{
    AlignmentType, BreakType, DocGrid, DocGridType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

/// A4 in twips.
pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
/// 37, 35, 28 and 26 mm in twips.
pub const MARGIN_TOP: i32 = 2098;
pub const MARGIN_BOTTOM: i32 = 1984;
pub const MARGIN_LEFT: i32 = 1587;
pub const MARGIN_RIGHT: i32 = 1474;
/// The type area is 225 mm high: 22 lines of 28.95 pt.
pub const LINE_PITCH: usize = 579;

/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
/// One 三号 character in twips, for indents of whole characters.
const CHAR: i32 = 320;

pub const TITLE_FONT: &str = "方正小标宋简体";
pub const BODY_FONT: &str = "仿宋_GB2312";
pub const HEADING1_FONT: &str = "黑体";
pub const HEADING2_FONT: &str = "楷体_GB2312";
pub const PAGE_NUMBER_FONT: &str = "宋体";

fn fonts(east_asia: &str) -> RunFonts {
    // Digits and Latin letters in the body are set in Times New Roman, as official
    // documents do; the CJK font goes in the eastAsia slot, or Word would fall back to
    // the theme font.
    RunFonts::new()
        .east_asia(east_asia)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs(east_asia)
        .hint("eastAsia")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact() -> LineSpacing {
    LineSpacing::new()
        .line(LINE_PITCH as i32)
        .line_rule(LineSpacingType::Exact)
}

fn body_paragraph() -> Paragraph {
    Paragraph::new()
        .line_spacing(exact())
        .indent(None, Some(SpecialIndentType::FirstLine(2 * CHAR)), None, None)
        .align(AlignmentType::Both)
}

fn body(text: &str) -> Paragraph {
    body_paragraph().add_run(run(text, BODY_FONT, SANHAO))
}

fn empty_line() -> Paragraph {
    Paragraph::new()
        .line_spacing(exact())
        .add_run(run("", BODY_FONT, SANHAO))
}

fn title(text: &str) -> Paragraph {
    // A 二号 title needs more than one grid line; let it take its natural height.
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().line(700).line_rule(LineSpacingType::Exact))
        .add_run(run(text, TITLE_FONT, ERHAO))
}

/// "— 1 —": the PAGE field between em dashes, at the outer edge one character in.
fn page_number(align: AlignmentType) -> Paragraph {
    let dash = |t: &str| run(t, PAGE_NUMBER_FONT, SIHAO);
    let field = |r: Run| r.fonts(fonts(PAGE_NUMBER_FONT)).size(SIHAO);
    let p = Paragraph::new()
        .align(align)
        .add_run(dash("— "))
        .add_run(field(Run::new().add_field_char(FieldCharType::Begin, false)))
        .add_run(field(Run::new().add_instr_text(InstrText::PAGE(InstrPAGE::new()))))
        .add_run(field(Run::new().add_field_char(FieldCharType::Separate, false)))
        .add_run(field(Run::new().add_text("1")))
        .add_run(field(Run::new().add_field_char(FieldCharType::End, false)))
        .add_run(dash(" —"));
    match align {
        AlignmentType::Right => p.indent(None, None, Some(280), None),
        _ => p.indent(Some(280), None, None, None),
    }
}

fn spans(report: &Report, p: &Para) -> String {
    report.plain(p)
}

fn cell(text: &str) -> TableCell {
    TableCell::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(text, BODY_FONT, SIHAO)),
    )
}

/// Writes the report; `appendix` lists the records behind each figure (佐证材料清单).
pub fn write(report: &Report, appendix: &[EvidenceLine]) -> Vec<u8> {
    let mut doc = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(1304),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(SANHAO)
        .footer(Footer::new().add_paragraph(page_number(AlignmentType::Right)))
        .even_footer(Footer::new().add_paragraph(page_number(AlignmentType::Left)));
    doc.document = doc.document.doc_grid(
        DocGrid::new()
            // A line grid only: 三号 characters at their natural width fill the 156 mm line
            // with 27–28 characters, while a character grid is laid out differently by Word
            // and LibreOffice (the latter spreads the characters of every line).
            .grid_type(DocGridType::Lines)
            .line_pitch(LINE_PITCH),
    );
    doc = doc
        .add_paragraph(empty_line())
        .add_paragraph(title(&report.title))
        .add_paragraph(empty_line());
    if !report.addressee.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().line_spacing(exact()).add_run(run(
            &report.addressee,
            BODY_FONT,
            SANHAO,
        )));
    }
    if !report.opening.is_empty() {
        doc = doc.add_paragraph(body(&spans(report, &report.opening)));
    }
    for s in &report.sections {
        let font = if s.level == 1 { HEADING1_FONT } else { HEADING2_FONT };
        doc = doc.add_paragraph(
            body_paragraph()
                .keep_next(true)
                .outline_lvl(s.level as usize - 1)
                .add_run(run(&s.heading, font, SANHAO)),
        );
        for p in &s.paragraphs {
            doc = doc.add_paragraph(body(&spans(report, p)));
        }
        if let Some(t) = &s.table {
            let mut rows = vec![TableRow::new(t.header.iter().map(|h| cell(h)).collect())];
            for r in &t.rows {
                rows.push(TableRow::new(
                    r.iter()
                        .map(|c| match c {
                            Cell::Text(t) => cell(t),
                            Cell::Figure(_) => cell(&report.cell_text(c)),
                        })
                        .collect(),
                ));
            }
            doc = doc.add_table(Table::new(rows).width(8844, WidthType::Dxa));
        }
        for p in &s.prose {
            doc = doc.add_paragraph(body(p));
        }
    }
    if !report.closing.is_empty() {
        doc = doc.add_paragraph(body(&report.closing));
    }
    // Signature and date: two blank lines, then the issuer and the date, the date four
    // characters in from the right (GB/T 9704-2012, 7.3.5.1).
    doc = doc.add_paragraph(empty_line()).add_paragraph(empty_line());
    let right = |text: &str, chars: i32| {
        Paragraph::new()
            .line_spacing(exact())
            .align(AlignmentType::Right)
            .indent(None, None, Some(chars * CHAR), None)
            .add_run(run(text, BODY_FONT, SANHAO))
    };
    doc = doc
        .add_paragraph(right(&report.signature, 2))
        .add_paragraph(right(&report.date_line, 4));
    if !appendix.is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .line_spacing(exact())
                .add_run(Run::new().add_break(BreakType::Page))
                .add_run(run("附件", HEADING1_FONT, SANHAO)),
        );
        doc = doc.add_paragraph(title("佐证材料清单")).add_paragraph(empty_line());
        for (i, line) in appendix.iter().enumerate() {
            doc = doc.add_paragraph(body(&format!("{}．{}", i + 1, line.figure)));
            let mut records = line.records.join("；");
            if line.total > line.records.len() {
                records.push_str(&format!("等，共{}条", line.total));
            }
            doc = doc.add_paragraph(body(&format!("佐证记录：{records}。")));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).expect("a .docx packs into memory");
    with_font_fallbacks(out.into_inner())
}

/// Names the fallbacks Word and LibreOffice try when a 公文 font is not installed, by adding
/// the CJK fonts with their alternative names to the font table.
fn with_font_fallbacks(docx: Vec<u8>) -> Vec<u8> {
    const FONTS: &[(&str, &str)] = &[
        (TITLE_FONT, "FZXiaoBiaoSong-B05S"),
        (BODY_FONT, "FangSong"),
        (HEADING1_FONT, "SimHei"),
        (HEADING2_FONT, "KaiTi"),
        (PAGE_NUMBER_FONT, "SimSun"),
    ];
    let entries: String = FONTS
        .iter()
        .map(|(name, alt)| {
            format!(
                r#"<w:font w:name="{name}"><w:altName w:val="{alt}" /><w:charset w:val="86" /><w:family w:val="auto" /><w:pitch w:val="variable" /></w:font>"#
            )
        })
        .collect();
    crate::zip_patch::replace_in_entry(
        &docx,
        "word/fontTable.xml",
        "</w:fonts>",
        &format!("{entries}</w:fonts>"),
    )
    .unwrap_or(docx)
}
