//! What a user sees for typical slips: rule, flagged text and suggestion.

use shoutu_text::proofread::{Checker, Finding, Severity};

fn check(text: &str) -> Vec<Finding> {
    Checker::new().check_text(text)
}

fn only(text: &str) -> Finding {
    let f = check(text);
    assert_eq!(f.len(), 1, "{f:#?}");
    f.into_iter().next().unwrap()
}

#[test]
fn wrong_member_names_the_canonical_set() {
    let f = only("坚定道路自信、理论自信、制度自信、文明自信。");
    assert_eq!((f.rule.as_str(), f.text.as_str()), ("formulation.member", "文明自信"));
    assert_eq!(f.suggestion.as_deref(), Some("文化自信"));
    assert!(
        f.message.contains("道路自信、理论自信、制度自信、文化自信"),
        "{}",
        f.message
    );
}

#[test]
fn outdated_first_member_of_four_comprehensives_is_explained() {
    let f = only("统筹推进全面建成小康社会、全面深化改革、全面依法治国、全面从严治党。");
    assert_eq!(f.rule, "formulation.member");
    assert_eq!(f.suggestion.as_deref(), Some("全面建设社会主义现代化国家"));
    assert!(f.message.contains("2020年"), "{}", f.message);
}

#[test]
fn incomplete_listing_is_a_warning() {
    let f = only("增强政治意识、大局意识、核心意识。");
    assert_eq!(
        (f.rule.as_str(), f.severity),
        ("formulation.incomplete", Severity::Warning)
    );
    assert!(f.message.contains("看齐意识"));
}

#[test]
fn congress_placeholder_suggests_the_current_congress() {
    let f = only("学习贯彻党的XX大精神。");
    assert_eq!(f.rule, "placeholder.xx");
    assert!(f.suggestion.unwrap().contains("党的二十大"));
}

#[test]
fn numbering_gap_suggests_the_missing_number() {
    let f = only("一、总体情况\n（一）学习\n（三）宣传");
    assert_eq!(
        (f.rule.as_str(), f.line, f.column, f.text.as_str()),
        ("numbering.gap", 3, 1, "（三）")
    );
    assert_eq!(f.suggestion.as_deref(), Some("（二）"));
}

#[test]
fn half_width_heading_marker_is_one_finding_with_full_width_suggestion() {
    let f = only("(一)加强学习。");
    assert_eq!((f.rule.as_str(), f.text.as_str()), ("punct.halfwidth", "(一)"));
    assert_eq!(f.suggestion.as_deref(), Some("（一）"));
}

#[test]
fn columns_count_characters_not_bytes() {
    let f = only("第一行\n落实落实责任");
    assert_eq!((f.line, f.column, f.start, f.end), (2, 1, 4, 8));
}

#[test]
fn copy_pasted_unit_name_points_at_the_subject() {
    let text = "青山镇2023年工作报告\n我镇高度重视，全镇上下齐心。青山镇党委牵头，推动青山镇发展，促进绿水镇经济繁荣。";
    let f = only(text);
    assert_eq!((f.rule.as_str(), f.text.as_str()), ("consistency.unit-name", "绿水镇"));
    assert_eq!(f.suggestion.as_deref(), Some("青山镇"));
}

#[test]
fn body_year_contradicting_the_title_is_flagged() {
    let f = only("青山镇2023年工作报告\n现将我镇2022年工作情况报告如下。");
    assert_eq!(
        (f.rule.as_str(), f.text.as_str(), f.severity),
        ("consistency.year", "2022年", Severity::Error)
    );
}

#[test]
fn residue_lines_swallow_findings_inside_them() {
    // The banner line has a half-width comma and a quote, but the user only
    // needs to delete the line.
    let f = check("正文。\n预览阅读已结束,若您需要全文“请联系");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule, "residue.preview");
}

#[test]
fn reduplication_is_never_a_duplicate() {
    for text in [
        "层层压实责任，一级抓一级。",
        "时时念、事事抓、处处严。",
        "常常提醒，人人参与，家家户户受益，方方面面到位。",
        "实实在在办事，认认真真学习，明明白白交底。",
        "讨论讨论再定，研究研究再办。",
    ] {
        assert!(check(text).is_empty(), "{text}: {:#?}", check(text));
    }
}
