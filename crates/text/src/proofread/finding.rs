use serde::Serialize;

/// How bad a finding is. `Error` blocks publication (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// One problem found in a document. `line`/`column` are 1-based, the column
/// counted in characters; `start`/`end` are character offsets into the
/// document text, `end` exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub message: String,
    pub suggestion: Option<String>,
}

impl Finding {
    /// The rule family: the part of the rule id before the first dot.
    pub fn family(&self) -> &str {
        self.rule.split('.').next().unwrap_or(&self.rule)
    }
}

/// A finding as rules produce it: a span in character indices, before
/// line/column and the span text are filled in.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub rule: &'static str,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub suggestion: Option<String>,
}

impl Hit {
    pub fn new(rule: &'static str, severity: Severity, start: usize, end: usize, message: impl Into<String>) -> Self {
        Hit {
            rule,
            severity,
            start,
            end,
            message: message.into(),
            suggestion: None,
        }
    }

    pub fn suggest(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}
