//! .docx reading and GB/T 9704 layout checks on documents built here.

use std::io::{Cursor, Write};

use shoutu_text::proofread::{Checker, DocumentFormat, LoadError, Severity, parse_document};

struct Para<'a> {
    text: &'a str,
    font: &'a str,
    size: u32,
    center: bool,
}

fn p<'a>(text: &'a str, font: &'a str, size: u32) -> Para<'a> {
    Para {
        text,
        font,
        size,
        center: false,
    }
}

fn docx(paras: &[Para], margins: (u32, u32, u32, u32), grid: bool) -> Vec<u8> {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for para in paras {
        let jc = if para.center { r#"<w:jc w:val="center"/>"# } else { "" };
        body.push_str(&format!(
            r#"<w:p><w:pPr>{jc}</w:pPr><w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="{}"/><w:sz w:val="{}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            para.font, para.size, para.text
        ));
    }
    let grid = if grid {
        r#"<w:docGrid w:type="lines" w:linePitch="579"/>"#
    } else {
        ""
    };
    body.push_str(&format!(
        r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="{}" w:bottom="{}" w:left="{}" w:right="{}"/>{grid}</w:sectPr></w:body></w:document>"#,
        margins.0, margins.1, margins.2, margins.3
    ));
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("[Content_Types].xml", opts).unwrap();
    w.write_all(b"<Types/>").unwrap();
    w.start_file("word/document.xml", opts).unwrap();
    w.write_all(body.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

const GB_MARGINS: (u32, u32, u32, u32) = (2098, 1984, 1587, 1474);

fn proper() -> Vec<Para<'static>> {
    vec![
        Para {
            text: "青山镇2024年意识形态工作情况报告",
            font: "方正小标宋简体",
            size: 44,
            center: true,
        },
        p("2024年以来，青山镇党委认真落实意识形态工作责任制。", "仿宋_GB2312", 32),
        p("一、工作开展情况", "黑体", 32),
        p("（一）抓实理论学习。全年召开中心组学习12次。", "楷体_GB2312", 32),
        p("二、下一步打算", "黑体", 32),
    ]
}

#[test]
fn a_gb9704_document_reads_and_passes_layout() {
    let doc = parse_document("报告.docx", &docx(&proper(), GB_MARGINS, true)).unwrap();
    assert_eq!(doc.format, DocumentFormat::Docx);
    assert_eq!(doc.paragraphs.len(), 5);
    assert!(doc.text.starts_with("青山镇2024年意识形态工作情况报告\n2024年以来"));
    assert_eq!(doc.paragraphs[2].east_asia_font.as_deref(), Some("黑体"));
    let findings = Checker::new().check_document(&doc);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn layout_deviations_are_warnings_naming_the_paragraph() {
    let mut paras = proper();
    paras[0].center = false;
    paras[0].font = "宋体";
    paras[1].font = "宋体";
    paras[2].font = "仿宋_GB2312";
    paras[3].size = 28;
    let doc = parse_document("a.docx", &docx(&paras, (1440, 1440, 1800, 1800), false)).unwrap();
    let findings = Checker::new().check_document(&doc);
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    for want in [
        "layout.margin",
        "layout.grid",
        "layout.title-font",
        "layout.title-align",
        "layout.body-font",
        "layout.heading-font",
        "layout.body-size",
    ] {
        assert!(rules.contains(&want), "missing {want} in {rules:?}");
    }
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    let margin = findings.iter().find(|f| f.rule == "layout.margin").unwrap();
    assert!(
        margin.message.contains("上边距 25.4 mm（应为 37 mm）"),
        "{}",
        margin.message
    );
    let body = findings.iter().find(|f| f.rule == "layout.body-font").unwrap();
    assert!(body.message.starts_with("第2段"), "{}", body.message);
    assert_eq!(body.text, "2024年以来，青山镇党委认真落实意识形态工作责任制。");
    let heading = findings.iter().find(|f| f.rule == "layout.heading-font").unwrap();
    assert!(heading.message.contains("黑体"), "{}", heading.message);
}

#[test]
fn text_rules_run_on_docx_with_offsets_into_its_text() {
    let paras = [
        Para {
            text: "关于做好工作的报告",
            font: "方正小标宋简体",
            size: 44,
            center: true,
        },
        p("要推动推动落实。", "仿宋_GB2312", 32),
    ];
    let doc = parse_document("a.docx", &docx(&paras, GB_MARGINS, true)).unwrap();
    let f = Checker::new().check_document(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].rule.as_str(), f[0].line, f[0].column, f[0].text.as_str()),
        ("dup.word", 2, 2, "推动推动")
    );
    let chars: Vec<char> = doc.text.chars().collect();
    assert_eq!(chars[f[0].start..f[0].end].iter().collect::<String>(), "推动推动");
}

#[test]
fn broken_files_give_clear_messages_not_panics() {
    let good = docx(&proper(), GB_MARGINS, true);
    for cut in [10, good.len() / 2, good.len() - 30] {
        let err = parse_document("截断.docx", &good[..cut]).unwrap_err();
        assert!(matches!(err, LoadError::BadDocx { .. }), "{err}");
        assert!(err.to_string().contains("截断.docx"));
    }
    let err = parse_document("random.docx", &[0x50, 0x4B, 0x03, 0x04, 1, 2, 3]).unwrap_err();
    assert!(err.to_string().contains("不是有效的 .docx"), "{err}");
    let err = parse_document("text.docx", "这其实是纯文本".as_bytes()).unwrap_err();
    assert!(matches!(err, LoadError::BadDocx { .. }), "{err}");
}

#[test]
fn fonts_and_sizes_come_from_the_style_chain_and_defaults() {
    let styles = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr></w:rPrDefault></w:docDefaults>
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>
    <w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/></w:rPr></w:style>
  <w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
    <w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style>
</w:styles>"#;
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>关于做好宣传工作的报告</w:t></w:r></w:p>
<w:p><w:r><w:t>按照要求</w:t></w:r><w:r><w:t xml:space="preserve">，现报告如下。</w:t></w:r><w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del></w:p>
<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>一、总体情况</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格中的文字&amp;符号</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:bottom="1984" w:left="1587" w:right="1474"/><w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="0"/></w:sectPr>
</w:body></w:document>"#;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("word/styles.xml", opts).unwrap();
    w.write_all(styles.as_bytes()).unwrap();
    w.start_file("word/document.xml", opts).unwrap();
    w.write_all(body.as_bytes()).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let doc = parse_document("styled.docx", &bytes).unwrap();
    assert_eq!(
        doc.text,
        "关于做好宣传工作的报告\n按照要求，现报告如下。\n一、总体情况\n表格中的文字&符号"
    );
    let title = &doc.paragraphs[0];
    assert_eq!(title.east_asia_font.as_deref(), Some("方正小标宋简体"));
    assert_eq!(
        (title.size_half_points, title.alignment.as_deref()),
        (Some(44), Some("center"))
    );
    assert_eq!(doc.paragraphs[1].east_asia_font.as_deref(), Some("仿宋_GB2312"));
    assert_eq!(doc.paragraphs[2].east_asia_font.as_deref(), Some("黑体"));
    assert_eq!(doc.paragraphs[2].style_name.as_deref(), Some("heading 1"));
    let findings = Checker::new().check_document(&doc);
    assert!(findings.is_empty(), "{findings:#?}");
}
