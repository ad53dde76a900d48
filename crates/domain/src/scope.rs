//! A scope is the subtree of units a request may see, with the roles that say what it may do
//! there. The store takes one with every query; nothing reads or writes without it.

use crate::role::{Action, Role};
use crate::unit::UnitId;
use crate::user::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The unit whose subtree is visible: the user's own unit, or a unit below it that the
    /// user switched to.
    pub root: UnitId,
    pub roles: Vec<Role>,
    /// Who acts, for the audit trail. `None` for the command line and the system itself.
    pub actor: Option<UserId>,
    pub actor_name: String,
}

impl Scope {
    pub fn new(root: UnitId, roles: Vec<Role>, actor: Option<UserId>, actor_name: impl Into<String>) -> Self {
        Scope {
            root,
            roles,
            actor,
            actor_name: actor_name.into(),
        }
    }

    /// The operator at the console: full rights over the given subtree.
    pub fn console(root: UnitId) -> Self {
        Scope::new(root, vec![Role::SystemAdmin], None, "命令行")
    }

    pub fn permits(&self, action: Action) -> bool {
        self.roles.iter().any(|r| r.permits(action))
    }

    /// The same user looking at a narrower subtree (the unit switcher).
    pub fn narrowed_to(&self, root: UnitId) -> Scope {
        Scope { root, ..self.clone() }
    }
}
