//! The .docx at XML level: GB/T 9704-2012 page size, margins, grid, fonts by paragraph kind
//! (eastAsia slot), page-number field in odd and even footers; and, where LibreOffice is
//! installed, that it renders to PDF.

use chrono::NaiveDate;
use shoutu_domain::UnitId;
use shoutu_domain::fact::RecordRef;
use shoutu_report::docx;
use shoutu_report::evidence::EvidenceLine;
use shoutu_report::model::{Figure, Paragraph, Report, Section, Span};
use std::io::Read;

fn sample() -> Report {
    Report {
        kind: "annual".into(),
        kind_name: "年度意识形态工作责任制落实情况报告".into(),
        title: "河口镇2025年意识形态工作责任制落实情况报告".into(),
        addressee: "中共云岭县委员会：".into(),
        unit_id: UnitId(2),
        unit_name: "河口镇".into(),
        period_label: "2025年".into(),
        from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        until: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        opening: Paragraph::text("2025年，河口镇党委认真落实意识形态工作责任制。"),
        sections: vec![
            Section {
                key: "工作开展情况".into(),
                level: 1,
                heading: "一、工作开展情况".into(),
                paragraphs: vec![],
                table: None,
                prose: vec![],
                editable: true,
            },
            Section {
                key: "理论武装".into(),
                level: 2,
                heading: "（一）理论武装".into(),
                paragraphs: vec![Paragraph {
                    spans: vec![
                        Span::Text("召开党委理论学习中心组学习".into()),
                        Span::Figure(0),
                        Span::Text("次。".into()),
                    ],
                }],
                table: None,
                prose: vec!["围绕党的创新理论开展集体学习。".into()],
                editable: true,
            },
        ],
        closing: "特此报告。".into(),
        signature: "中共河口镇委员会".into(),
        date_line: "2026年1月10日".into(),
        figures: vec![Figure {
            key: "activity.type:center_group".into(),
            label: "活动次数（按类型）".into(),
            unit_id: UnitId(2),
            unit_name: "河口镇".into(),
            value: Some(12.0),
            display: "12".into(),
            evidence: vec![RecordRef::new("activity", 7)],
        }],
        gaps: vec![],
    }
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The paragraph (`<w:p>…</w:p>`) whose text contains `needle`.
fn paragraph_with<'a>(xml: &'a str, needle: &str) -> &'a str {
    let at = xml.find(needle).unwrap_or_else(|| panic!("{needle} not in document"));
    let start = xml[..at].rfind("<w:p>").or_else(|| xml[..at].rfind("<w:p ")).unwrap();
    let end = at + xml[at..].find("</w:p>").unwrap();
    &xml[start..end]
}

fn appendix() -> Vec<EvidenceLine> {
    vec![EvidenceLine {
        figure: "活动次数（按类型）（河口镇）：12".into(),
        records: vec!["2025-03-05 学习党的二十届四中全会精神（河口镇）".into()],
        total: 1,
    }]
}

#[test]
fn the_document_follows_gbt_9704_at_xml_level() {
    let bytes = docx::write(&sample(), &appendix());
    let doc = part(&bytes, "word/document.xml");
    // A4, margins 37/35/28/26 mm, 22 lines × 28 characters.
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "{doc}");
    for m in [
        r#"w:top="2098""#,
        r#"w:bottom="1984""#,
        r#"w:left="1587""#,
        r#"w:right="1474""#,
    ] {
        assert!(doc.contains(m), "margin {m}");
    }
    assert!(doc.contains(r#"w:type="lines" w:linePitch="579""#), "grid: {doc}");

    let title = paragraph_with(&doc, "河口镇2025年意识形态工作责任制落实情况报告");
    assert!(title.contains(r#"w:eastAsia="方正小标宋简体""#), "{title}");
    assert!(title.contains(r#"<w:sz w:val="44" />"#), "二号: {title}");
    assert!(title.contains(r#"<w:jc w:val="center" />"#), "{title}");
    let h1 = paragraph_with(&doc, "一、工作开展情况");
    assert!(h1.contains(r#"w:eastAsia="黑体""#), "{h1}");
    let h2 = paragraph_with(&doc, "（一）理论武装");
    assert!(h2.contains(r#"w:eastAsia="楷体_GB2312""#), "{h2}");
    let body = paragraph_with(&doc, "召开党委理论学习中心组学习12次");
    assert!(body.contains(r#"w:eastAsia="仿宋_GB2312""#), "{body}");
    assert!(body.contains(r#"<w:sz w:val="32" />"#), "三号: {body}");
    assert!(body.contains(r#"w:firstLine="640""#), "two-character indent: {body}");
    let date = paragraph_with(&doc, "2026年1月10日");
    assert!(date.contains(r#"<w:jc w:val="right" />"#), "{date}");
    assert!(doc.contains("佐证材料清单"));
    assert!(doc.contains("2025-03-05 学习党的二十届四中全会精神"));

    // Odd pages: number at the right; even pages: at the left; both a PAGE field in 4号 宋体.
    let settings = part(&bytes, "word/settings.xml");
    assert!(settings.contains("w:evenAndOddHeaders"), "{settings}");
    let rels = part(&bytes, "word/_rels/document.xml.rels");
    let footers: Vec<String> = rels
        .split("Target=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|t| t.starts_with("footer"))
        .map(|t| part(&bytes, &format!("word/{t}")))
        .collect();
    assert_eq!(footers.len(), 2, "{rels}");
    for footer in &footers {
        assert!(footer.contains("PAGE"), "{footer}");
        assert!(footer.contains(r#"w:fldCharType="begin""#), "{footer}");
        assert!(footer.contains("— "), "{footer}");
        assert!(footer.contains(r#"w:eastAsia="宋体""#), "{footer}");
        assert!(footer.contains(r#"<w:sz w:val="28" />"#), "{footer}");
    }
    assert!(footers.iter().any(|f| f.contains(r#"<w:jc w:val="right" />"#)));
    assert!(footers.iter().any(|f| f.contains(r#"<w:jc w:val="left" />"#)));
    assert!(
        doc.contains(r#"w:type="even""#) && doc.contains(r#"w:type="default""#),
        "footer references"
    );

    let fonts = part(&bytes, "word/fontTable.xml");
    assert!(
        fonts.contains(r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="FangSong" />"#),
        "{fonts}"
    );
}

#[tokio::test]
async fn it_renders_to_pdf_where_libreoffice_is_installed() {
    if !shoutu_report::render::soffice_available() {
        println!("soffice 未安装：跳过 PDF 转换测试");
        return;
    }
    let bytes = docx::write(&sample(), &appendix());
    let pdf = shoutu_report::render::pdf_from_docx(&bytes).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
}
