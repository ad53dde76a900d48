//! The text prepared once for all rules: characters, their byte offsets and
//! the line table, so that no rule decodes UTF-8 again.

pub(crate) struct Scan<'a> {
    pub text: &'a str,
    pub chars: Vec<char>,
    /// Byte offset of every character, plus one entry for the end of text.
    byte_at: Vec<u32>,
    /// Character ranges of the lines, without the line terminator.
    pub lines: Vec<(usize, usize)>,
}

impl<'a> Scan<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut chars = Vec::with_capacity(text.len() / 2);
        let mut byte_at = Vec::with_capacity(text.len() / 2 + 1);
        let mut lines = Vec::new();
        let mut line_start = 0;
        for (b, c) in text.char_indices() {
            if c == '\n' {
                let mut end = chars.len();
                if end > line_start && chars[end - 1] == '\r' {
                    end -= 1;
                }
                lines.push((line_start, end));
                line_start = chars.len() + 1;
            }
            chars.push(c);
            byte_at.push(b as u32);
        }
        byte_at.push(text.len() as u32);
        let mut end = chars.len();
        if end > line_start && chars[end - 1] == '\r' {
            end -= 1;
        }
        lines.push((line_start, end));
        Scan {
            text,
            chars,
            byte_at,
            lines,
        }
    }

    /// Character index of a byte offset that falls on a character boundary.
    pub fn char_index(&self, byte: usize) -> usize {
        self.byte_at.partition_point(|&b| (b as usize) < byte)
    }

    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        let s = self.byte_at[start.min(self.chars.len())] as usize;
        let e = self.byte_at[end.min(self.chars.len())] as usize;
        &self.text[s..e]
    }

    pub fn char_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// Index of the line holding character `i` (0-based).
    pub fn line_of(&self, i: usize) -> usize {
        self.lines.partition_point(|&(s, _)| s <= i).saturating_sub(1)
    }

    /// Whether the characters starting at `i` spell `word`.
    pub fn starts_with_at(&self, i: usize, word: &str) -> bool {
        (i..).zip(word.chars()).all(|(k, w)| self.chars.get(k) == Some(&w))
    }

    /// Whether the characters ending just before `end` spell `word`.
    pub fn ends_with_at(&self, end: usize, word: &str) -> bool {
        let n = word.chars().count();
        end >= n && self.starts_with_at(end - n, word)
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x3007)
}

/// Full-width punctuation of running Chinese text.
pub(crate) fn is_cn_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '【'
            | '】'
            | '…'
            | '—'
            | '·'
            | '「'
            | '」'
            | '『'
            | '』'
    )
}

/// Punctuation that ends a clause or an enumeration item.
pub(crate) fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '、' | '；' | '：' | '？' | '！' | ',' | ';' | ':' | '?' | '!' | '\n' | '\r'
    )
}

pub(crate) fn is_line_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}' | '\u{a0}' | '\u{feff}')
}

/// Chinese numeral up to 99 (一 … 九十九), the numbering of level-1 and
/// level-2 headings.
pub(crate) fn parse_cn_number(s: &[char]) -> Option<u32> {
    fn digit(c: char) -> Option<u32> {
        Some(match c {
            '一' => 1,
            '二' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    }
    match s {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a),
        ['十', b] => Some(10 + digit(*b)?),
        [a, '十'] => Some(digit(*a)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

pub(crate) fn cn_number(n: u32) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n - 10) as usize]),
        _ if n.is_multiple_of(10) && n < 100 => format!("{}十", D[(n / 10) as usize]),
        _ if n < 100 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_offsets_count_characters() {
        let s = Scan::new("一、总体\r\n（一）甲\n");
        assert_eq!(s.lines, vec![(0, 4), (6, 10), (11, 11)]);
        assert_eq!(s.slice(6, 10), "（一）甲");
        assert_eq!(s.char_index("一、".len()), 2);
        assert_eq!(s.line_of(7), 1);
    }

    #[test]
    fn chinese_numbers_round_trip() {
        for n in 1..100 {
            let s: Vec<char> = cn_number(n).chars().collect();
            assert_eq!(parse_cn_number(&s), Some(n), "{n}");
        }
        assert_eq!(parse_cn_number(&['十', '十']), None);
    }
}
