//! File names that every file system and zip tool accepts.

/// Replaces path separators, characters Windows forbids and control characters with `_`,
/// trims dots and spaces at the ends and shortens very long names, keeping the extension.
pub fn sanitize_file_name(name: &str) -> String {
    const MAX_CHARS: usize = 120;
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    let cleaned = if cleaned.is_empty() {
        "未命名".to_string()
    } else {
        cleaned
    };
    if cleaned.chars().count() <= MAX_CHARS {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rfind('.') {
        Some(dot) if cleaned.len() - dot <= 10 => (&cleaned[..dot], &cleaned[dot..]),
        _ => (cleaned.as_str(), ""),
    };
    let keep = MAX_CHARS.saturating_sub(ext.chars().count());
    format!("{}{}", stem.chars().take(keep).collect::<String>(), ext)
}

/// Percent-encodes a relative path for an `href`, keeping the slashes.
pub(crate) fn href(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_traversal_are_defused() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize_file_name("a\\b:c?.docx"), "a_b_c_.docx");
        assert_eq!(sanitize_file_name("  "), "未命名");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.docx", "长".repeat(300));
        let s = sanitize_file_name(&long);
        assert!(s.ends_with(".docx") && s.chars().count() == 120);
    }

    #[test]
    fn links_are_percent_encoded() {
        assert_eq!(href("附件/a b.jpg"), "%E9%99%84%E4%BB%B6/a%20b.jpg");
    }
}
