//! Public opinion (舆情): event severity, incident handling with deadlines and escalation,
//! risk points and contingency plans. Pure rules; the store keeps the records.

pub mod incident;
pub mod risk;
pub mod severity;

pub use incident::{
    Checklist, ChecklistItem, ContingencyPlan, DeadlinePolicy, Deadlines, Incident, IncidentStep, NewContingencyPlan,
    NewIncident, NewStep, Overdue, Stage,
};
pub use risk::{Grievance, NewGrievance, NewRiskPoint, RiskLevel, RiskPoint, RiskStatus};
pub use severity::{
    DEFAULT_SEVERITY_TOML, Severity, SeverityConfig, SeverityConfigError, SeverityInput, SeverityLevel,
};
