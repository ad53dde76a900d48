//! Monitoring-scheme rules (监测方案规则): boolean expressions over keywords.
//!
//! ```text
//! rule     := or
//! or       := and ( "|" and )*
//! and      := near ( "&" near )*
//! near     := unary ( "NEAR/" n unary )*
//! unary    := "!" unary | primary
//! primary  := "(" or ")" | keyword | "\"" phrase "\""
//! ```
//!
//! Precedence, tightest first: `!`, `NEAR/n`, `&`, `|`. A keyword is a run of
//! characters without spaces or operator characters; a quoted phrase may contain
//! them. Full-width operators typed with a Chinese input method (（）｜＆！“”) are
//! accepted as well. Keywords are normalised like the texts (see
//! [`super::normalize`]), so `拆遷` and `拆迁` are the same keyword.
//!
//! `a NEAR/n b` holds when an occurrence of `a` and one of `b` are at most `n`
//! characters apart (characters strictly between them, counted in the normalised
//! text, i.e. not counting spaces and punctuation; overlapping occurrences are 0
//! apart). Its operands must be positional: keywords, phrases, `|` groups of them, or
//! another NEAR (whose occurrence is the stretch covering both of its parts).
//!
//! Rules are typed by any staff user, so the parser bounds what it takes: at most
//! [`MAX_RULE_CHARS`] characters and [`MAX_RULE_DEPTH`] levels of `(`, `!` and `NEAR`
//! nested in one another. The parser counts the levels as it descends, so its own
//! recursion is bounded whatever the length, and every recursive walk over the
//! parsed [`Expr`] (here, and compiling and evaluating in [`super::ruleset`]) is
//! bounded by the same depth: a tree never nests deeper than about three nodes per
//! counted level (`|`, `&`, then the counted node).

use std::fmt;

use super::normalize::normalize;

/// A parsed rule. Keywords are numbered in order of first appearance; `keywords[i]`
/// is the normalised text of keyword `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub expr: Expr,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Index into [`Rule::keywords`].
    Keyword(usize),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Near {
        left: Box<Expr>,
        right: Box<Expr>,
        distance: usize,
    },
}

impl Expr {
    /// Whether occurrences (positions) can be computed for this expression, as NEAR needs.
    pub fn is_positional(&self) -> bool {
        match self {
            Expr::Keyword(_) | Expr::Near { .. } => true,
            Expr::Or(items) => items.iter().all(Expr::is_positional),
            Expr::Not(_) | Expr::And(_) => false,
        }
    }

    /// Evaluates with every keyword absent: a rule true here would flag every post.
    fn holds_on_empty_text(&self) -> bool {
        match self {
            Expr::Keyword(_) | Expr::Near { .. } => false,
            Expr::Not(e) => !e.holds_on_empty_text(),
            Expr::And(items) => items.iter().all(Expr::holds_on_empty_text),
            Expr::Or(items) => items.iter().any(Expr::holds_on_empty_text),
        }
    }
}

/// What the parser wanted at the position of a syntax error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A keyword, a quoted phrase, `!` or `(`.
    Operand,
    /// `&`, `|`, `NEAR/n`, `)` or the end of the rule.
    Operator,
    CloseParen,
    CloseQuote,
    NearDistance,
    /// A keyword, phrase, `|` group or NEAR on either side of NEAR.
    PositionalOperand,
}

impl Expected {
    fn describe(self) -> &'static str {
        match self {
            Expected::Operand => "关键词、带引号的短语、「!」或「(」",
            Expected::Operator => "运算符「&」「|」「NEAR/n」、「)」或规则结尾",
            Expected::CloseParen => "右括号「)」",
            Expected::CloseQuote => "右引号「\"」",
            Expected::NearDistance => "NEAR/ 后的距离数字（如 NEAR/20）",
            Expected::PositionalOperand => "关键词、短语或由「|」连接的关键词组（NEAR 两侧不能用「!」或「&」）",
        }
    }
}

/// Why a rule was refused. Positions are 1-based character positions in the rule as
/// typed, which is how users count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("规则第 {position} 个字符处有语法错误：此处应为{}，实际为{}", .expected.describe(), found_text(.found))]
    Syntax {
        position: usize,
        expected: Expected,
        found: Option<String>,
    },
    #[error("规则第 {position} 个字符处的关键词「{keyword}」去掉空格和标点后为空，无法匹配")]
    EmptyKeyword { position: usize, keyword: String },
    #[error("规则在不含任何关键词的文本上也成立（例如只有「!」条件），会命中所有信息，请加上至少一个必须出现的关键词")]
    MatchesEverything,
    #[error("NEAR 的距离 {distance} 太大，最多 {max}")]
    DistanceTooLarge { distance: usize, max: usize },
    #[error("规则过长：共 {length} 个字符，最多 {max} 个字符（从第 {} 个字符起超出），请拆分为多个监测方案", .max + 1)]
    TooLong { length: usize, max: usize },
    #[error("规则第 {position} 个字符处嵌套过深：括号「(」、「!」和 NEAR 相互嵌套最多 {max} 层")]
    TooDeep { position: usize, max: usize },
}

fn found_text(found: &Option<String>) -> String {
    match found {
        Some(t) => format!("「{t}」"),
        None => "规则结尾".to_string(),
    }
}

impl RuleError {
    /// The 1-based character position the error points at, if any.
    pub fn position(&self) -> Option<usize> {
        match self {
            RuleError::Syntax { position, .. }
            | RuleError::EmptyKeyword { position, .. }
            | RuleError::TooDeep { position, .. } => Some(*position),
            RuleError::TooLong { max, .. } => Some(max + 1),
            _ => None,
        }
    }
}

/// The largest NEAR distance accepted; beyond it "near" means nothing in a post.
pub const MAX_NEAR_DISTANCE: usize = 10_000;

/// The longest rule accepted, in characters. A county-wide scheme listing every
/// township, village and street with their variants runs to a few hundred keywords
/// of two to six characters, well under this; anything longer is better split into
/// several schemes, and the bound keeps tokenising and compiling one rule cheap.
pub const MAX_RULE_CHARS: usize = 4_000;

/// The deepest nesting of `(`, `!` and `NEAR` accepted. Hand-written rules nest two
/// or three levels; 32 leaves ample room while keeping the recursive descent and
/// every walk over the tree a few hundred stack frames at most.
pub const MAX_RULE_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(String),
    And,
    Or,
    Not,
    Open,
    Close,
    Near(usize),
    End,
}

impl Token {
    fn shown(&self) -> Option<String> {
        Some(match self {
            Token::Word(w) => w.clone(),
            Token::Phrase(p) => format!("\"{p}\""),
            Token::And => "&".into(),
            Token::Or => "|".into(),
            Token::Not => "!".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::Near(n) => format!("NEAR/{n}"),
            Token::End => return None,
        })
    }
}

fn operator_char(c: char) -> Option<Token> {
    Some(match c {
        '&' | '＆' => Token::And,
        '|' | '｜' => Token::Or,
        '!' | '！' => Token::Not,
        '(' | '（' => Token::Open,
        ')' | '）' => Token::Close,
        _ => return None,
    })
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂')
}

/// Splits the rule into tokens with their 1-based character positions.
fn tokenize(src: &str) -> Result<Vec<(Token, usize)>, RuleError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if let Some(t) = operator_char(c) {
            out.push((t, pos));
            i += 1;
        } else if is_quote(c) {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && !is_quote(chars[j]) {
                j += 1;
            }
            if j == chars.len() {
                return Err(RuleError::Syntax {
                    position: chars.len() + 1,
                    expected: Expected::CloseQuote,
                    found: None,
                });
            }
            out.push((Token::Phrase(chars[start..j].iter().collect()), pos));
            i = j + 1;
        } else if is_near_at(&chars, i) {
            let mut j = i + 5;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let digits: String = chars[i + 5..j].iter().collect();
            let Ok(distance) = digits.parse::<usize>() else {
                return Err(RuleError::Syntax {
                    position: i + 6,
                    expected: Expected::NearDistance,
                    found: chars.get(i + 5).map(|c| c.to_string()),
                });
            };
            if distance > MAX_NEAR_DISTANCE {
                return Err(RuleError::DistanceTooLarge {
                    distance,
                    max: MAX_NEAR_DISTANCE,
                });
            }
            out.push((Token::Near(distance), pos));
            i = j;
        } else {
            let mut j = i;
            // A keyword ends at an operator, also at a NEAR/ written without spaces (拆迁NEAR/5补偿).
            while j < chars.len()
                && !chars[j].is_whitespace()
                && operator_char(chars[j]).is_none()
                && !is_quote(chars[j])
                && (j == i || !is_near_at(&chars, j))
            {
                j += 1;
            }
            out.push((Token::Word(chars[i..j].iter().collect()), pos));
            i = j;
        }
    }
    out.push((Token::End, chars.len() + 1));
    Ok(out)
}

/// `NEAR/` (any case) at a token start.
fn is_near_at(chars: &[char], i: usize) -> bool {
    chars.len() >= i + 5
        && chars[i..i + 4].iter().collect::<String>().eq_ignore_ascii_case("near")
        && chars[i + 4] == '/'
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    keywords: Vec<String>,
    /// Levels of `(`, `!` and `NEAR` currently open, at most [`MAX_RULE_DEPTH`].
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at].0
    }

    fn error(&self, expected: Expected) -> RuleError {
        let (token, position) = &self.tokens[self.at];
        RuleError::Syntax {
            position: *position,
            expected,
            found: token.shown(),
        }
    }

    /// Opens one nesting level at the current token, refusing past [`MAX_RULE_DEPTH`].
    /// The caller closes it by decrementing `depth`.
    fn descend(&mut self) -> Result<(), RuleError> {
        if self.depth >= MAX_RULE_DEPTH {
            return Err(RuleError::TooDeep {
                position: self.tokens[self.at].1,
                max: MAX_RULE_DEPTH,
            });
        }
        self.depth += 1;
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, RuleError> {
        let mut items = vec![self.and()?];
        while *self.peek() == Token::Or {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Or(vec![]))
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, RuleError> {
        let mut items = vec![self.near()?];
        while *self.peek() == Token::And {
            self.at += 1;
            items.push(self.near()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::And(vec![]))
        } else {
            Expr::And(items)
        })
    }

    fn near(&mut self) -> Result<Expr, RuleError> {
        let left_at = self.at;
        let mut left = self.unary()?;
        // Each NEAR of a chain nests the chain so far one level deeper in the tree.
        let outer = self.depth;
        while let Token::Near(distance) = *self.peek() {
            if !left.is_positional() {
                self.at = left_at;
                return Err(self.error(Expected::PositionalOperand));
            }
            self.descend()?;
            self.at += 1;
            let right_at = self.at;
            let right = self.unary()?;
            if !right.is_positional() {
                self.at = right_at;
                return Err(self.error(Expected::PositionalOperand));
            }
            left = Expr::Near {
                left: Box::new(left),
                right: Box::new(right),
                distance,
            };
        }
        self.depth = outer;
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, RuleError> {
        if *self.peek() == Token::Not {
            self.descend()?;
            self.at += 1;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, RuleError> {
        let (token, position) = self.tokens[self.at].clone();
        match token {
            Token::Open => {
                self.descend()?;
                self.at += 1;
                let inner = self.or()?;
                if *self.peek() != Token::Close {
                    return Err(self.error(Expected::CloseParen));
                }
                self.at += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Token::Word(text) | Token::Phrase(text) => {
                self.at += 1;
                let normalised = normalize(&text);
                if normalised.is_empty() {
                    return Err(RuleError::EmptyKeyword {
                        position,
                        keyword: text,
                    });
                }
                let index = match self.keywords.iter().position(|k| *k == normalised) {
                    Some(i) => i,
                    None => {
                        self.keywords.push(normalised);
                        self.keywords.len() - 1
                    }
                };
                Ok(Expr::Keyword(index))
            }
            _ => Err(self.error(Expected::Operand)),
        }
    }
}

/// Parses and checks one rule.
pub fn parse_rule(src: &str) -> Result<Rule, RuleError> {
    if src.chars().nth(MAX_RULE_CHARS).is_some() {
        return Err(RuleError::TooLong {
            length: src.chars().count(),
            max: MAX_RULE_CHARS,
        });
    }
    parse_unbounded_length(src)
}

/// [`parse_rule`] without the length bound; the depth bound alone keeps it safe.
fn parse_unbounded_length(src: &str) -> Result<Rule, RuleError> {
    let tokens = tokenize(src)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        keywords: Vec::new(),
        depth: 0,
    };
    let expr = parser.or()?;
    if *parser.peek() != Token::End {
        return Err(parser.error(Expected::Operator));
    }
    if expr.holds_on_empty_text() {
        return Err(RuleError::MatchesEverything);
    }
    Ok(Rule {
        expr,
        keywords: parser.keywords,
    })
}

impl fmt::Display for Rule {
    /// Writes the rule back in canonical form (normalised keywords, full parentheses).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn write(e: &Expr, k: &[String], f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match e {
                Expr::Keyword(i) => write!(f, "\"{}\"", k[*i]),
                Expr::Not(inner) => {
                    f.write_str("!")?;
                    write(inner, k, f)
                }
                Expr::And(items) | Expr::Or(items) => {
                    let op = if matches!(e, Expr::And(_)) { " & " } else { " | " };
                    f.write_str("(")?;
                    for (n, item) in items.iter().enumerate() {
                        if n > 0 {
                            f.write_str(op)?;
                        }
                        write(item, k, f)?;
                    }
                    f.write_str(")")
                }
                Expr::Near { left, right, distance } => {
                    f.write_str("(")?;
                    write(left, k, f)?;
                    write!(f, " NEAR/{distance} ")?;
                    write(right, k, f)?;
                    f.write_str(")")
                }
            }
        }
        write(&self.expr, &self.keywords, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(src: &str) -> String {
        parse_rule(src).map(|r| r.to_string()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn precedence_not_near_and_or() {
        assert_eq!(shown("a | b & c"), r#"("a" | ("b" & "c"))"#);
        assert_eq!(shown("a & b NEAR/3 c"), r#"("a" & ("b" NEAR/3 "c"))"#);
        assert_eq!(shown("!a & b"), r#"(!"a" & "b")"#);
        assert_eq!(shown("(a | b) NEAR/5 c"), r#"(("a" | "b") NEAR/5 "c")"#);
        assert_eq!(shown("拆迁NEAR/5补偿"), r#"("拆迁" NEAR/5 "补偿")"#);
    }

    #[test]
    fn full_width_operators_and_quotes() {
        assert_eq!(
            shown("（呼和镇｜呼和诺尔镇）＆！招聘"),
            r#"(("呼和镇" | "呼和诺尔镇") & !"招聘")"#
        );
        assert_eq!(shown("“拆 迁” & a"), r#"("拆迁" & "a")"#);
    }

    /// A nested rule of the given depth: `((…(a)…))`, `!!…!a & b`, `a NEAR/1 a NEAR/1 …`.
    fn nested(kind: &str, depth: usize) -> String {
        match kind {
            "(" => format!("{}a{}", "(".repeat(depth), ")".repeat(depth)),
            "!" => format!("b & {}a", "!".repeat(depth)),
            "（！" => format!("b & {}a{}", "（！".repeat(depth), "）".repeat(depth)),
            "near" => format!("a{}", " NEAR/1 a".repeat(depth)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn hostile_nesting_is_refused_without_overflowing_the_stack() {
        // Each of these overflowed the stack of the recursive descent before the bound.
        for kind in ["(", "!", "（！"] {
            let src = nested(kind, 100_000);
            let e = parse_unbounded_length(&src).unwrap_err();
            assert!(
                matches!(
                    e,
                    RuleError::TooDeep {
                        max: MAX_RULE_DEPTH,
                        ..
                    }
                ),
                "{kind}: {e:?}"
            );
            assert!(e.to_string().contains("嵌套过深"), "{e}");
            // Through the public entry point the length bound answers first.
            let e = parse_rule(&src).unwrap_err();
            assert!(matches!(e, RuleError::TooLong { .. }), "{kind}: {e:?}");
            assert!(e.to_string().contains("规则过长"), "{e}");
        }
        // A long NEAR chain (tree depth, not parser recursion) is bounded the same way.
        let e = parse_unbounded_length(&nested("near", 100_000)).unwrap_err();
        assert!(matches!(e, RuleError::TooDeep { .. }), "{e:?}");
    }

    #[test]
    fn depth_limit_is_exact_and_names_the_position() {
        for kind in ["(", "!", "near"] {
            let at_limit = nested(kind, MAX_RULE_DEPTH);
            assert!(
                parse_rule(&at_limit).is_ok(),
                "{kind} at the limit: {:?}",
                parse_rule(&at_limit)
            );
            let e = parse_rule(&nested(kind, MAX_RULE_DEPTH + 1)).unwrap_err();
            assert!(matches!(e, RuleError::TooDeep { .. }), "{kind}: {e:?}");
        }
        // `((…(` : the 33rd parenthesis is character 33.
        let e = parse_rule(&nested("(", MAX_RULE_DEPTH + 1)).unwrap_err();
        assert_eq!(e.position(), Some(MAX_RULE_DEPTH + 1));
        assert_eq!(
            e.to_string(),
            format!(
                "规则第 {} 个字符处嵌套过深：括号「(」、「!」和 NEAR 相互嵌套最多 32 层",
                MAX_RULE_DEPTH + 1
            )
        );
        // Mixed `(` and `!` count together; siblings do not add up.
        assert!(parse_rule(&format!("{} | {}", nested("(", 30), nested("(", 30))).is_ok());
        assert!(parse_rule(&nested("（！", 16)).is_ok());
        assert!(parse_rule(&nested("（！", 17)).is_err());
    }

    #[test]
    fn length_limit() {
        let long = vec!["拆迁"; MAX_RULE_CHARS / 5 + 1].join(" | ");
        assert!(long.chars().count() > MAX_RULE_CHARS);
        let e = parse_rule(&long).unwrap_err();
        assert_eq!(e.position(), Some(MAX_RULE_CHARS + 1));
        assert!(e.to_string().starts_with("规则过长"), "{e}");
        let fits: String = long.chars().take(MAX_RULE_CHARS).collect();
        let fits = fits.trim_end_matches([' ', '|']);
        assert!(parse_rule(fits).is_ok(), "{:?}", parse_rule(fits));
    }

    /// Found by the rule fuzzer: a rule using all 32 levels is accepted, and its canonical
    /// form, which adds a bracket around the `&`, is one level deeper. The canonical form
    /// is only shown, never stored or parsed again, so this is how it stays.
    #[test]
    fn a_rule_at_the_limit_parses_though_its_canonical_form_is_deeper() {
        let src =
            "fff&c\u{0}\u{0}\u{0}fb0ffz&!!!!!!!ff&fffz&!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!ff&fffz&!!!!!!!!a补偿\u{8}";
        let rule = parse_rule(src).unwrap();
        let e = parse_rule(&rule.to_string()).unwrap_err();
        assert!(matches!(e, RuleError::TooDeep { .. }), "{e:?}");
    }

    #[test]
    fn repeated_keyword_is_one_keyword() {
        let r = parse_rule("拆迁 & (拆遷 | 补偿)").unwrap();
        assert_eq!(r.keywords, vec!["拆迁".to_string(), "补偿".to_string()]);
    }
}
