//! People of a unit and their posts (职务). A person exists whether or not they have a login.

use crate::field::{self, FieldError};
use crate::unit::UnitId;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub name: String,
    pub post: String,
    pub phone: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPerson {
    pub unit_id: UnitId,
    pub name: String,
    pub post: String,
    pub phone: String,
    pub sort_order: i64,
}

pub const NAME_MAX: usize = 20;
pub const POST_MAX: usize = 40;
pub const PHONE_MAX: usize = 20;

impl NewPerson {
    pub fn parse(unit_id: UnitId, name: &str, post: &str, phone: &str, sort_order: i64) -> Result<Self, FieldError> {
        let name = field::text("姓名", name, true, NAME_MAX)?;
        let post = field::text("职务", post, false, POST_MAX)?;
        let phone = field::text("联系电话", phone, false, PHONE_MAX)?;
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+')
        {
            return Err(FieldError::new("联系电话", "只能包含数字、空格、“-”和“+”"));
        }
        Ok(NewPerson {
            unit_id,
            name,
            post,
            phone,
            sort_order,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_fields_are_checked_with_their_labels() {
        let p = NewPerson::parse(UnitId(1), " 王建国 ", "党委委员、宣传委员", "0358-1234567", 0).unwrap();
        assert_eq!(p.name, "王建国");
        assert_eq!(NewPerson::parse(UnitId(1), "", "", "", 0).unwrap_err().field, "姓名");
        assert_eq!(
            NewPerson::parse(UnitId(1), "李四", "", "call me", 0).unwrap_err().field,
            "联系电话"
        );
    }
}
