//! Reports and ledgers as files: reports assembled from facts and written as .docx in the
//! official-document layout, the ledgers workbook, the yearly archive; and the search index
//! over records, attachments and reports.

pub mod archive;
pub mod assemble;
pub mod docx;
pub mod evidence;
pub mod figures;
pub mod ledger_xlsx;
pub mod ledgers;
pub mod model;
pub mod platform_xlsx;
pub mod problems;
pub mod render;
pub mod search;
pub mod table_xlsx;
pub mod template;
pub mod xlsx_read;
mod zip_patch;

pub use assemble::{Inputs, assemble};
pub use model::Report;
pub use template::{ReportTemplate, TemplateError, TemplateSet};
