//! Domain types and rules of shoutu. Pure: no I/O, no clocks read behind the caller's back.

pub mod assessment;
pub mod attachment;
pub mod audit;
pub mod clock;
pub mod conduct;
pub mod coverage;
pub mod duty;
pub mod fact;
pub mod field;
pub mod grant;
pub mod inspection;
pub mod ledger;
pub mod letter;
pub mod opinion;
pub mod password;
pub mod person;
pub mod plan;
pub mod platform;
pub mod rectification;
pub mod report;
pub mod review;
pub mod role;
pub mod scope;
pub mod team;
pub mod unit;
pub mod user;

pub use clock::{Clock, FixedClock, SystemClock};
pub use field::FieldError;
pub use person::{NewPerson, Person, PersonId};
pub use role::{Action, Role};
pub use scope::Scope;
pub use unit::{NewUnit, Unit, UnitId, UnitKind};
pub use user::{NewUser, User, UserId};

/// One page of a listing; `total` counts every row that matched, not just this page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.total == 0 {
            1
        } else {
            (self.total + self.per_page - 1) / self.per_page
        }
    }
}

/// Which page of a listing to fetch. Pages are 1-based, as users count them.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub const MAX_PER_PAGE: i64 = 200;

    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// Saturates rather than overflowing: a page number from a URL may be anything.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

#[cfg(test)]
mod page_tests {
    use super::PageRequest;

    #[test]
    fn a_page_far_out_gives_an_offset_past_every_row_without_overflow() {
        assert_eq!(PageRequest::new(Some(3), Some(10)).offset(), 20);
        assert_eq!(PageRequest::new(Some(i64::MAX), None).offset(), i64::MAX);
        assert_eq!(PageRequest::new(Some(i64::MIN), None).offset(), 0);
    }
}
