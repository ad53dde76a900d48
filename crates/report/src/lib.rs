//! Reports and ledgers as files: .xlsx today; .docx reports come with their issue.

pub mod ledger_xlsx;
pub mod platform_xlsx;
pub mod table_xlsx;
