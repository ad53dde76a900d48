//! HTTP tests of the real server: one binary, as zero-to-production arranges them.

mod accounts;
mod assessment;
mod auth;
mod bombs;
mod check;
mod conduct;
mod duties;
mod edges;
mod excel;
mod facts;
mod helpers;
mod hidden;
mod hostile;
mod hostile_parsers;
mod ingest_scope;
mod ledger;
mod letters;
mod matrix;
mod opinion;
mod pages;
mod plans;
mod platforms;
mod reports;
mod scope;
mod search;
