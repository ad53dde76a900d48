//! The work ledger (工作台账): activity types as data, reporting periods, and the
//! requirements (规定动作) that say how often each kind of activity is due.

pub mod activity;
pub mod activity_type;
pub mod period;
pub mod requirement;

pub use activity::{Activity, ActivityId, ActivityInput, NewActivity};
pub use activity_type::{ActivityType, Catalogue};
pub use period::{Granularity, Period};
pub use requirement::{Requirement, RequirementSet, Status};

/// A data file that does not parse or breaks a rule, named with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}：{message}")]
pub struct DataError {
    pub file: String,
    pub message: String,
}
