//! Normalisation before keyword matching and hashing.
//!
//! Posts dodge keyword filters by writing full-width letters, mixing case, inserting
//! spaces, zero-width characters or punctuation between the characters of a word
//! (拆 迁, 拆*迁, 拆\u{200B}迁) and by switching to traditional characters (拆遷).
//! Keywords and texts go through the same fold, so a keyword matches every such
//! disguise. Every normalised character comes from exactly one original character,
//! and that origin is kept so hits can be highlighted in the text the user sees.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Traditional → simplified pairs, reviewed by hand (see the file's header).
const TRADITIONAL: &str = include_str!("../../data/monitor/traditional.txt");

/// Parses the traditional-character table: whitespace-separated two-character tokens,
/// `#` starts a comment line. Panics on a malformed table because it is compiled in
/// and checked by the tests.
pub fn traditional_pairs() -> Vec<(char, char)> {
    let mut pairs = Vec::new();
    for line in TRADITIONAL.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for token in line.split_whitespace() {
            let mut cs = token.chars();
            match (cs.next(), cs.next(), cs.next()) {
                (Some(t), Some(s), None) => pairs.push((t, s)),
                _ => panic!("traditional.txt: bad token {token:?}"),
            }
        }
    }
    pairs
}

/// What happens to one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Keep,
    Drop,
    To(char),
}

/// Precomputed fold for the Basic Multilingual Plane. Two 8 KB bitsets keep the
/// common cases (an ordinary simplified character: keep; punctuation: drop) in L1
/// cache; only the rare rewritten characters go to the hash map.
struct FoldTable {
    keep: Box<[u64; 1024]>,
    drop: Box<[u64; 1024]>,
    to: HashMap<char, char>,
}

static TABLE: LazyLock<FoldTable> = LazyLock::new(FoldTable::build);

impl FoldTable {
    fn build() -> Self {
        let traditional: HashMap<char, char> = traditional_pairs().into_iter().collect();
        let mut keep = Box::new([0u64; 1024]);
        let mut drop = Box::new([0u64; 1024]);
        let mut to = HashMap::new();
        for code in 0u32..=0xFFFF {
            let Some(c) = char::from_u32(code) else { continue };
            let bit = 1u64 << (code % 64);
            let word = (code / 64) as usize;
            match slow_fold(c, &traditional) {
                Fold::Keep => keep[word] |= bit,
                Fold::Drop => drop[word] |= bit,
                Fold::To(t) => {
                    to.insert(c, t);
                }
            }
        }
        FoldTable { keep, drop, to }
    }

    #[inline(always)]
    fn fold(&self, c: char) -> Fold {
        let code = c as u32;
        if code <= 0xFFFF {
            let bit = 1u64 << (code % 64);
            let word = (code / 64) as usize;
            if self.keep[word] & bit != 0 {
                return Fold::Keep;
            }
            if self.drop[word] & bit != 0 {
                return Fold::Drop;
            }
            return self.to.get(&c).map_or(Fold::Keep, |&t| Fold::To(t));
        }
        // Outside the BMP: emoji and symbols are dodging noise, rare ideographs are kept.
        if c.is_alphanumeric() { Fold::Keep } else { Fold::Drop }
    }
}

/// The definition of the fold, applied once per BMP character when the table is built.
fn slow_fold(original: char, traditional: &HashMap<char, char>) -> Fold {
    let mut c = original;
    // Full-width ASCII variants (Ａ, １, ！) fold to ASCII; the ideographic space is a space.
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        c = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    } else if c == '\u{3000}' {
        c = ' ';
    }
    // Everything that is not a letter, digit or ideograph carries no meaning for a
    // keyword: spaces, zero-width and format characters, punctuation, symbols, emoji.
    if !c.is_alphanumeric() {
        return Fold::Drop;
    }
    let mut lower = c.to_lowercase();
    if let (Some(l), None) = (lower.next(), lower.next()) {
        c = l;
    }
    if let Some(&s) = traditional.get(&c) {
        c = s;
    }
    if c == original { Fold::Keep } else { Fold::To(c) }
}

/// Folds one character: `None` when it is dropped.
#[inline]
pub fn fold_char(c: char) -> Option<char> {
    match TABLE.fold(c) {
        Fold::Keep => Some(c),
        Fold::Drop => None,
        Fold::To(t) => Some(t),
    }
}

/// Folds `text` character by character, calling `each` with the folded character or
/// `None` for a dropped one, with the fold table looked up once for the whole text.
#[inline(always)]
pub(crate) fn fold_each(text: &str, mut each: impl FnMut(Option<char>)) {
    let table = &*TABLE;
    for c in text.chars() {
        each(match table.fold(c) {
            Fold::Keep => Some(c),
            Fold::Drop => None,
            Fold::To(t) => Some(t),
        });
    }
}

/// A folded copy of a text with its offsets kept compactly: runs of unchanged
/// characters are copied as byte slices, and instead of one origin per character only
/// the dropped characters are recorded (`dropped_before` gets, per dropped character,
/// the count of normalised characters before it, as matching records them);
/// [`origin_of`] recovers an origin from that.
pub fn fold_compact(text: &str, out: &mut String, dropped_before: &mut Vec<u32>) {
    let table = &*TABLE;
    let mut run_start = 0;
    let mut n = 0u32;
    for (at, c) in text.char_indices() {
        match table.fold(c) {
            Fold::Keep => {
                n += 1;
                continue;
            }
            Fold::Drop => dropped_before.push(n),
            Fold::To(t) => {
                out.push_str(&text[run_start..at]);
                out.push(t);
                n += 1;
                run_start = at + c.len_utf8();
                continue;
            }
        }
        out.push_str(&text[run_start..at]);
        run_start = at + c.len_utf8();
    }
    out.push_str(&text[run_start..]);
}

/// The original character offset of normalised character `n` (see [`fold_compact`]).
#[inline]
pub fn origin_of(dropped_before: &[u32], n: u32) -> u32 {
    n + dropped_before.partition_point(|&d| d <= n) as u32
}

/// Normalises a keyword or a short string; no offsets kept.
pub fn normalize(text: &str) -> String {
    text.chars().filter_map(fold_char).collect()
}

/// A normalised text with, for each of its characters, the character offset in the
/// original text it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    pub chars: Vec<char>,
    /// `origin[i]` is the 0-based character offset in the original of `chars[i]`.
    pub origin: Vec<u32>,
}

impl Normalized {
    pub fn new(text: &str) -> Self {
        let mut n = Normalized::default();
        n.fill(text);
        n
    }

    /// Reuses the buffers (for callers that normalise many texts).
    pub fn fill(&mut self, text: &str) {
        self.chars.clear();
        self.origin.clear();
        let table = &*TABLE;
        for (i, c) in text.chars().enumerate() {
            let f = match table.fold(c) {
                Fold::Keep => c,
                Fold::Drop => continue,
                Fold::To(t) => t,
            };
            self.chars.push(f);
            self.origin.push(i as u32);
        }
    }

    pub fn as_string(&self) -> String {
        self.chars.iter().collect()
    }

    /// Maps a span `[start, end)` of normalised characters back to the original
    /// character span that covers it (dodging characters in between included, so the
    /// highlight shows "拆*迁" whole).
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= self.origin.len());
        (self.origin[start] as usize, self.origin[end - 1] as usize + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dodges_fold_away() {
        assert_eq!(normalize("拆 迁"), "拆迁");
        assert_eq!(normalize("拆*迁"), "拆迁");
        assert_eq!(normalize("拆\u{200B}迁"), "拆迁");
        assert_eq!(normalize("拆遷補償"), "拆迁补偿");
        assert_eq!(normalize("ＣＯＶＩＤ－１９"), "covid19");
        assert_eq!(normalize("拆😀迁"), "拆迁");
        assert_eq!(normalize("呼和鎮，上訪！"), "呼和镇上访");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let n = Normalized::new("某村 拆-迁 补偿");
        let s = n.as_string();
        assert_eq!(s, "某村拆迁补偿");
        // "拆迁" is normalised chars 2..4, original chars 3..6 ("拆-迁").
        assert_eq!(n.original_span(2, 4), (3, 6));
    }

    #[test]
    fn compact_fold_agrees_with_the_plain_one() {
        for text in ["某村 拆-迁 补偿", "，，拆遷！！", "ＡＢ c\u{200B}d。", "", "。。。"] {
            let plain = Normalized::new(text);
            let (mut out, mut dropped) = (String::new(), Vec::new());
            fold_compact(text, &mut out, &mut dropped);
            assert_eq!(out, plain.as_string(), "{text}");
            for (n, &o) in plain.origin.iter().enumerate() {
                assert_eq!(origin_of(&dropped, n as u32), o, "{text} @{n}");
            }
        }
    }

    #[test]
    fn traditional_table_is_consistent() {
        let pairs = traditional_pairs();
        assert!(pairs.len() > 250);
        let keys: std::collections::HashSet<char> = pairs.iter().map(|p| p.0).collect();
        assert_eq!(keys.len(), pairs.len(), "duplicate traditional character");
        for (t, s) in &pairs {
            assert_ne!(t, s);
            // A simplified target must not itself be rewritten, or folding would depend on order.
            assert!(!keys.contains(s), "{t}→{s}: {s} is also a key");
        }
    }
}
