//! Roles and what each may do. Scope (which units) comes from the user's unit; the role
//! says which actions are allowed inside it.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    UnitAdmin,
    Staff,
    Reviewer,
    Leader,
    Supervisor,
}

/// Things a user may try to do; each handler names the one it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the records of the scope.
    Read,
    /// Enter or change records (meetings, people…).
    Write,
    /// Create, edit and move units.
    ManageUnits,
    /// Create users, reset passwords, lock accounts.
    ManageUsers,
    /// Approve drafts at a review stage.
    Review,
    /// Sign off reports as a leader.
    SignOff,
    /// Score and inspect subordinate units.
    Score,
    /// Read the audit trail.
    ViewAudit,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::SystemAdmin,
        Role::UnitAdmin,
        Role::Staff,
        Role::Reviewer,
        Role::Leader,
        Role::Supervisor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::UnitAdmin => "unit_admin",
            Role::Staff => "staff",
            Role::Reviewer => "reviewer",
            Role::Leader => "leader",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::UnitAdmin => "单位管理员",
            Role::Staff => "录入员",
            Role::Reviewer => "审核员",
            Role::Leader => "领导",
            Role::Supervisor => "上级督查",
        }
    }

    pub fn permits(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::SystemAdmin => true,
            Role::UnitAdmin => matches!(action, Read | Write | ManageUnits | ManageUsers | ViewAudit),
            Role::Staff => matches!(action, Read | Write),
            Role::Reviewer => matches!(action, Read | Review),
            Role::Leader => matches!(action, Read | SignOff),
            Role::Supervisor => matches!(action, Read | Score),
        }
    }
}

impl FromStr for Role {
    type Err = crate::FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label() == s)
            .ok_or_else(|| crate::FieldError::new("角色", format!("「{s}」不是已知的角色")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaders_read_and_sign_but_do_not_enter_records() {
        assert!(Role::Leader.permits(Action::Read));
        assert!(Role::Leader.permits(Action::SignOff));
        assert!(!Role::Leader.permits(Action::Write));
    }

    #[test]
    fn only_admins_manage_users() {
        for role in Role::ALL {
            let expected = matches!(role, Role::SystemAdmin | Role::UnitAdmin);
            assert_eq!(role.permits(Action::ManageUsers), expected, "{role:?}");
        }
    }

    #[test]
    fn roles_parse_from_code_or_label() {
        assert_eq!("上级督查".parse::<Role>().unwrap(), Role::Supervisor);
        assert_eq!("staff".parse::<Role>().unwrap(), Role::Staff);
        assert!("超级用户".parse::<Role>().is_err());
    }
}
