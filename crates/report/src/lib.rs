//! Reports and ledgers as files: the ledgers workbook, the yearly archive; .docx reports come
//! with their issue.

pub mod archive;
pub mod ledger_xlsx;
pub mod ledgers;
pub mod table_xlsx;
