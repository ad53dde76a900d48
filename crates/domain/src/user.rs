//! User accounts: a login for a person, with roles.

use crate::field::{self, FieldError};
use crate::person::PersonId;
use crate::role::Role;
use crate::unit::UnitId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub roles: Vec<Role>,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

impl User {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }

    pub fn roles_label(&self) -> String {
        self.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub person_id: PersonId,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub must_change_password: bool,
}

pub const USERNAME_MAX: usize = 32;

pub fn parse_username(username: &str) -> Result<String, FieldError> {
    let username = field::text("用户名", username, true, USERNAME_MAX)?;
    if username.chars().count() < 2 {
        return Err(FieldError::new("用户名", "至少 2 个字符"));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        return Err(FieldError::new("用户名", "只能由字母、数字、“_”“-”“.”组成"));
    }
    Ok(username.to_ascii_lowercase())
}

pub fn parse_roles<'a>(roles: impl IntoIterator<Item = &'a str>) -> Result<Vec<Role>, FieldError> {
    let mut parsed = roles
        .into_iter()
        .filter(|r| !r.trim().is_empty())
        .map(str::parse)
        .collect::<Result<Vec<Role>, _>>()?;
    parsed.sort();
    parsed.dedup();
    if parsed.is_empty() {
        return Err(FieldError::new("角色", "至少选择一个角色"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_ascii_and_case_insensitive() {
        assert_eq!(parse_username(" WangJG ").unwrap(), "wangjg");
        assert!(parse_username("王建国").is_err());
        assert!(parse_username("a").is_err());
    }

    #[test]
    fn roles_need_at_least_one() {
        assert!(parse_roles(["", " "]).is_err());
        assert_eq!(
            parse_roles(["staff", "录入员", "leader"]).unwrap(),
            vec![Role::Staff, Role::Leader]
        );
    }
}
