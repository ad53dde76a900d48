//! Reports and ledgers as files (the ledgers workbook, the yearly archive) and the search index
//! over records, attachments and reports.

pub mod archive;
pub mod ledger_xlsx;
pub mod ledgers;
pub mod search;
pub mod table_xlsx;
