//! Public opinion (舆情): event severity, incident handling with deadlines and escalation,
//! risk points and contingency plans, and the posts and batches that monitoring ingests.
//! Pure rules; the store keeps the records.

pub mod incident;
pub mod ingest;
pub mod post;
pub mod risk;
pub mod scheme;
pub mod severity;

pub use incident::{
    Checklist, ChecklistItem, ContingencyPlan, DeadlinePolicy, Deadlines, Incident, IncidentStep, NewContingencyPlan,
    NewIncident, NewStep, Overdue, Stage,
};
pub use ingest::{BatchPost, EventGrowth, EventSlot, IngestBatch, NewEvent};
pub use post::{Post, dedup_key_of};
pub use risk::{Grievance, NewGrievance, NewRiskPoint, RiskLevel, RiskPoint, RiskStatus};
pub use scheme::{MonitoredScheme, NewScheme, SchemeSnapshot};
pub use severity::{
    DEFAULT_SEVERITY_TOML, Severity, SeverityConfig, SeverityConfigError, SeverityInput, SeverityLevel,
};
