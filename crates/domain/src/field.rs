//! Validation of what users type into forms. Every error names the field in Chinese,
//! because that is what the user sees next to the form.

use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's label as shown on the form, e.g. "单位名称"; owned when the label comes
    /// from data (the extra fields of an activity type).
    pub field: Cow<'static, str>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "「{}」{}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Classification marks as printed on classified documents. Material bearing one must
/// never enter a networked system (涉密不上网).
const CLASSIFIED_LEVELS: [&str; 3] = ["绝密", "机密", "秘密"];
const STARS: [char; 2] = ['★', '☆'];

/// Finds a classification mark such as "秘密★", "机密 ★ 1年" or "★绝密" and returns it.
pub fn classification_mark(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for level in CLASSIFIED_LEVELS {
        let level_chars: Vec<char> = level.chars().collect();
        let mut i = 0;
        while i + level_chars.len() <= chars.len() {
            if chars[i..i + level_chars.len()] == level_chars[..] {
                let after = chars[i + level_chars.len()..].iter().find(|c| !c.is_whitespace());
                let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
                if after.is_some_and(|c| STARS.contains(c)) || before.is_some_and(|c| STARS.contains(c)) {
                    return Some(format!("{level}★"));
                }
            }
            i += 1;
        }
    }
    None
}

/// Trims, checks presence, length (in characters, as users count them) and classification marks.
pub fn text(
    field: impl Into<Cow<'static, str>>,
    value: &str,
    required: bool,
    max_chars: usize,
) -> Result<String, FieldError> {
    let field = field.into();
    let value = value.trim();
    if required && value.is_empty() {
        return Err(FieldError::new(field.clone(), "不能为空"));
    }
    let len = value.chars().count();
    if len > max_chars {
        return Err(FieldError::new(
            field,
            format!("过长：最多 {max_chars} 个字符，现有 {len} 个"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(FieldError::new(field.clone(), "含有不可见的控制字符"));
    }
    if let Some(mark) = classification_mark(value) {
        return Err(FieldError::new(
            field,
            format!("含有密级标志「{mark}」：涉密内容不得录入本系统（涉密不上网）"),
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_marks_are_found_in_their_printed_forms() {
        assert_eq!(classification_mark("秘密★1年").as_deref(), Some("秘密★"));
        assert_eq!(classification_mark("文件 机密 ★ 十年").as_deref(), Some("机密★"));
        assert_eq!(classification_mark("★绝密").as_deref(), Some("绝密★"));
        assert_eq!(classification_mark("保守秘密是每个党员的义务"), None);
        assert_eq!(classification_mark("五星★好评"), None);
    }

    #[test]
    fn text_rejects_overlong_values_naming_the_field() {
        let err = text("单位名称", &"镇".repeat(61), true, 60).unwrap_err();
        assert_eq!(err.field, "单位名称");
        assert!(err.to_string().contains("最多 60 个字符"), "{err}");
        assert_eq!(
            text("单位名称", &"镇".repeat(60), true, 60).unwrap().chars().count(),
            60
        );
    }

    #[test]
    fn text_refuses_classified_and_empty_values() {
        assert!(
            text("备注", "机密★ 会议纪要", false, 100)
                .unwrap_err()
                .message
                .contains("涉密")
        );
        assert!(text("姓名", "   ", true, 20).unwrap_err().message.contains("不能为空"));
        assert_eq!(text("备注", "  ", false, 20).unwrap(), "");
    }
}
