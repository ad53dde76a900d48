//! 审校: checks official documents for placeholders, scraped residue,
//! duplicated words, numbering, punctuation, canonical formulations,
//! confusable words, consistency and (for .docx) GB/T 9704 layout.

mod checker;
mod cli;
mod data;
mod document;
mod docx;
mod finding;
mod load;
pub mod output;
mod rules;
mod scan;

pub use checker::Checker;
pub use cli::run_check_cli;
pub use document::{DocGrid, Document, DocumentFormat, PageSetup, Paragraph};
pub use finding::{Finding, Severity};
pub use load::{LoadError, MAX_ENTRY_BYTES, MAX_FILE_BYTES, load_document, parse_document};
