/// Where a document came from; layout rules only apply to Word files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    PlainText,
    Docx,
}

/// A document ready to be checked: its text (paragraphs joined by `\n`) and,
/// for .docx, the formatting the layout rules look at.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub format: DocumentFormat,
    pub text: String,
    /// One entry per paragraph of a .docx (empty for plain text).
    pub paragraphs: Vec<Paragraph>,
    pub page: Option<PageSetup>,
}

impl Document {
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            name: name.into(),
            format: DocumentFormat::PlainText,
            text: text.into(),
            paragraphs: Vec::new(),
            page: None,
        }
    }
}

/// A .docx paragraph with its effective formatting (direct formatting of its
/// first text run, else its style chain, else the document defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paragraph {
    /// Character offset of the paragraph in `Document::text`.
    pub start: usize,
    /// Length in characters.
    pub len: usize,
    pub style_id: Option<String>,
    pub style_name: Option<String>,
    /// `w:jc` value: "center", "both", "left"…
    pub alignment: Option<String>,
    /// East Asian font name (`w:rFonts/@w:eastAsia`).
    pub east_asia_font: Option<String>,
    /// Font size in half-points (`w:sz`), e.g. 32 for 三号 (16 pt).
    pub size_half_points: Option<u32>,
}

/// Page geometry in twips (1/1440 inch, 1 mm ≈ 56.7 twips).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageSetup {
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub margin_top: Option<i64>,
    pub margin_bottom: Option<i64>,
    pub margin_left: Option<i64>,
    pub margin_right: Option<i64>,
    pub grid: Option<DocGrid>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocGrid {
    /// `w:type`: "lines", "linesAndChars", "snapToChars" or absent.
    pub kind: Option<String>,
    /// Line pitch in twips.
    pub line_pitch: Option<i64>,
    pub char_space: Option<i64>,
}
