//! Who may hand out which role, and whose account one may manage.
//!
//! The grant table (what a holder of each role may grant to others):
//!
//! | the actor holds | may grant                                  |
//! |-----------------|--------------------------------------------|
//! | 系统管理员       | every role                                 |
//! | 单位管理员       | 录入员, 单位管理员                           |
//! | 录入员           | nothing                                    |
//! | 审核员           | nothing                                    |
//! | 领导             | nothing                                    |
//! | 上级督查         | nothing                                    |
//!
//! An actor holding several roles may grant the union of what each grants.
//!
//! Why a unit administrator grants only 录入员 and 单位管理员: 审核员, 领导 and 上级督查 are
//! the separation-of-duty roles. 三审三校 needs three different people to approve a draft,
//! and a unit administrator both creates accounts and sees their one-time passwords; if it
//! could also make those accounts (or itself) reviewers or leaders, it could approve all
//! three stages through accounts it controls. 上级督查 scores and inspects units, so the
//! inspected side must not be able to hand it out. These roles are therefore granted by a
//! system administrator only. 单位管理员 may be granted by a unit administrator because it
//! carries no more than the granter already holds, and only within the granter's subtree.
//!
//! Managing an account (changing its roles, resetting its password, locking or unlocking
//! it) is allowed only to someone who could grant every role the account holds, and never
//! to the account's own holder: otherwise a unit administrator could reset the password of
//! a reviewer, leader or system administrator in its subtree and sign in as them.

use crate::role::Role;
use crate::scope::Scope;
use crate::user::UserId;
use std::collections::BTreeSet;
use std::fmt;

/// The roles a holder of `role` may grant.
pub fn grants(role: Role) -> &'static [Role] {
    match role {
        Role::SystemAdmin => &Role::ALL,
        Role::UnitAdmin => &[Role::UnitAdmin, Role::Staff],
        Role::Staff | Role::Reviewer | Role::Leader | Role::Supervisor => &[],
    }
}

/// Everything an actor holding `actor` may grant: the union over its roles.
pub fn grantable_roles(actor: &[Role]) -> BTreeSet<Role> {
    actor.iter().flat_map(|r| grants(*r).iter().copied()).collect()
}

pub fn may_grant(actor: &[Role], role: Role) -> bool {
    actor.iter().any(|r| grants(*r).contains(&role))
}

/// Why an account change was refused; its `Display` is the message the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRefusal {
    /// Asked to hand out roles the actor may not grant.
    CannotGrant(Vec<Role>),
    /// The account holds roles the actor may not grant, so the actor may not manage it.
    AccountHolds(Vec<Role>),
    /// Nobody changes their own roles, resets or locks their own account.
    OwnAccount,
}

fn labels(roles: &[Role]) -> String {
    roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")
}

/// The roles whose holders may grant `roles`, for telling the user whom to ask.
fn granters(roles: &[Role]) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|g| roles.iter().all(|r| grants(*g).contains(r)))
        .collect()
}

impl fmt::Display for GrantRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantRefusal::CannotGrant(roles) => write!(
                f,
                "您不能授予{}角色：只有{}可以授予",
                labels(roles),
                labels(&granters(roles))
            ),
            GrantRefusal::AccountHolds(roles) => write!(
                f,
                "无权修改此账号：该账号持有您不能授予的角色（{}），请由{}办理",
                labels(roles),
                labels(&granters(roles))
            ),
            GrantRefusal::OwnAccount => f.write_str(
                "不能修改自己账号的角色、重置自己的密码或锁定自己：请由其他管理员办理（修改自己的密码请到“修改密码”页面）",
            ),
        }
    }
}

impl std::error::Error for GrantRefusal {}

/// May an actor holding `actor` hand out every one of `roles`?
pub fn check_grant(actor: &[Role], roles: &[Role]) -> Result<(), GrantRefusal> {
    let refused: Vec<Role> = roles.iter().copied().filter(|r| !may_grant(actor, *r)).collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(GrantRefusal::CannotGrant(refused))
    }
}

/// May the scope's actor change the roles of, reset, lock or unlock the account `target`,
/// which holds `target_roles`? The console (no actor) is a system administrator.
pub fn may_manage_account(actor: &Scope, target: UserId, target_roles: &[Role]) -> Result<(), GrantRefusal> {
    if actor.actor == Some(target) {
        return Err(GrantRefusal::OwnAccount);
    }
    match check_grant(&actor.roles, target_roles) {
        Ok(()) => Ok(()),
        Err(GrantRefusal::CannotGrant(roles)) => Err(GrantRefusal::AccountHolds(roles)),
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitId;

    /// The whole table, one row per actor role: (actor, target, may grant).
    fn expected(actor: Role, target: Role) -> bool {
        use Role::*;
        match actor {
            SystemAdmin => true,
            UnitAdmin => matches!(target, UnitAdmin | Staff),
            Staff | Reviewer | Leader | Supervisor => false,
        }
    }

    #[test]
    fn every_role_pair_follows_the_table() {
        for actor in Role::ALL {
            for target in Role::ALL {
                assert_eq!(
                    may_grant(&[actor], target),
                    expected(actor, target),
                    "{actor:?} → {target:?}"
                );
                let scope = Scope::new(UnitId(1), vec![actor], Some(UserId(1)), "甲");
                assert_eq!(
                    may_manage_account(&scope, UserId(2), &[target]).is_ok(),
                    expected(actor, target),
                    "{actor:?} manages {target:?}"
                );
            }
        }
    }

    #[test]
    fn separation_of_duty_roles_are_granted_by_system_admins_only() {
        for role in [Role::Reviewer, Role::Leader, Role::Supervisor, Role::SystemAdmin] {
            let who: Vec<Role> = Role::ALL.into_iter().filter(|a| may_grant(&[*a], role)).collect();
            assert_eq!(who, [Role::SystemAdmin], "{role:?}");
        }
    }

    #[test]
    fn several_roles_grant_the_union_and_roles_that_manage_nobody_add_nothing() {
        let actor = [Role::UnitAdmin, Role::Reviewer];
        assert_eq!(grantable_roles(&actor), BTreeSet::from([Role::UnitAdmin, Role::Staff]));
        assert!(grantable_roles(&[Role::Leader, Role::Supervisor]).is_empty());
        assert_eq!(grantable_roles(&[Role::SystemAdmin]).len(), Role::ALL.len());
    }

    #[test]
    fn an_account_is_managed_only_by_whoever_could_grant_all_its_roles() {
        let unit_admin = Scope::new(UnitId(1), vec![Role::UnitAdmin], Some(UserId(1)), "甲");
        assert!(may_manage_account(&unit_admin, UserId(2), &[Role::Staff, Role::UnitAdmin]).is_ok());
        let refused = may_manage_account(&unit_admin, UserId(2), &[Role::Staff, Role::Reviewer]).unwrap_err();
        assert_eq!(refused, GrantRefusal::AccountHolds(vec![Role::Reviewer]));
        assert_eq!(
            refused.to_string(),
            "无权修改此账号：该账号持有您不能授予的角色（审核员），请由系统管理员办理"
        );
        let err = may_manage_account(&unit_admin, UserId(2), &[Role::SystemAdmin]).unwrap_err();
        assert!(err.to_string().contains("系统管理员"), "{err}");
    }

    #[test]
    fn nobody_manages_their_own_account_but_the_console_manages_all() {
        let admin = Scope::new(UnitId(1), vec![Role::SystemAdmin], Some(UserId(7)), "甲");
        assert_eq!(
            may_manage_account(&admin, UserId(7), &[Role::SystemAdmin]),
            Err(GrantRefusal::OwnAccount)
        );
        let console = Scope::console(UnitId(1));
        for role in Role::ALL {
            assert!(may_manage_account(&console, UserId(7), &[role]).is_ok());
        }
    }

    #[test]
    fn refusing_to_grant_names_the_roles_and_who_may() {
        let err = check_grant(&[Role::UnitAdmin], &[Role::Staff, Role::Leader, Role::Reviewer]).unwrap_err();
        assert_eq!(err, GrantRefusal::CannotGrant(vec![Role::Leader, Role::Reviewer]));
        assert_eq!(err.to_string(), "您不能授予领导、审核员角色：只有系统管理员可以授予");
        assert!(check_grant(&[Role::UnitAdmin], &[Role::Staff, Role::UnitAdmin]).is_ok());
    }
}
