//! Overlapping character pairs: the safety net under word segmentation.
//!
//! jieba sometimes cuts a phrase differently in a record than in the query ("研判会签到表"
//! becomes 研判/会签/到/表, so 签到表 is not among its words). Every text is also indexed as
//! overlapping pairs of characters with consecutive positions, and each query term may match
//! as a phrase of its pairs instead, which finds any substring of two characters or more.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Clone, Default)]
pub struct Bigrams;

pub struct BigramStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for Bigrams {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        let mut tokens = Vec::new();
        for run in runs(text) {
            for (offset, gram) in pairs(run.1) {
                let from = run.0 + offset;
                tokens.push(Token {
                    offset_from: from,
                    offset_to: from + gram.len(),
                    position: tokens.len(),
                    text: gram.to_lowercase(),
                    position_length: 1,
                });
            }
        }
        BigramStream { tokens, next: 0 }
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Stretches of letters and digits (Chinese characters included) with their byte offsets.
pub fn runs(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// The overlapping pairs of a run (the run itself when it is one character).
pub fn pairs(run: &str) -> Vec<(usize, &str)> {
    let starts: Vec<usize> = run
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(run.len()))
        .collect();
    if starts.len() <= 2 {
        return if run.is_empty() { Vec::new() } else { vec![(0, run)] };
    }
    starts.windows(3).map(|w| (w[0], &run[w[0]..w[2]])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_overlap_and_stop_at_punctuation() {
        let mut t = Bigrams;
        let mut s = t.token_stream("签到表.PNG");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(
            got,
            [
                ("签到".into(), 0),
                ("到表".into(), 1),
                ("pn".into(), 2),
                ("ng".into(), 3)
            ]
        );
    }

    #[test]
    fn a_single_character_is_its_own_token() {
        assert_eq!(pairs("镇"), vec![(0, "镇")]);
    }
}
