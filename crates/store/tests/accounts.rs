//! Accounts, roles and logins: the grant rule of `shoutu_domain::grant` enforced by the store
//! itself, moves of people with accounts, atomic lock-out counting and own password changes.

mod common;

use common::*;

use chrono::Duration;
use shoutu_domain::review::Stage;
use shoutu_domain::{NewPerson, NewUser, Person, Role, Scope, Unit, User};
use shoutu_store::{NewSession, Store, StoreError};

async fn account(store: &dyn Store, c: &County, unit: &Unit, username: &str, roles: &[Role]) -> (Person, User) {
    let console = Scope::console(c.county.id);
    let person = store
        .create_person(
            &console,
            NewPerson::parse(unit.id, &format!("{username}本人"), "", "", 0).unwrap(),
        )
        .await
        .unwrap();
    let user = store
        .create_user(
            &console,
            NewUser {
                username: username.into(),
                person_id: person.id,
                roles: roles.to_vec(),
                password_hash: "$argon2id$placeholder".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    (person, user)
}

/// The scope a signed-in user gets: their unit, roles and id.
fn signed_in(user: &User) -> Scope {
    Scope::new(user.unit_id, user.roles.clone(), Some(user.id), user.username.clone())
}

fn denied_naming<T: std::fmt::Debug>(result: Result<T, StoreError>, role: &str) -> bool {
    matches!(&result, Err(StoreError::Denied(m)) if m.contains(role))
}

#[tokio::test]
async fn a_unit_admin_cannot_raise_itself_or_take_over_accounts_it_could_not_grant() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let store = &*f.store;
        let (_, admin) = account(store, &c, &c.town_a, "a_admin", &[Role::UnitAdmin]).await;
        let (_, staff) = account(store, &c, &c.town_a, "a_staff", &[Role::Staff]).await;
        let (_, leader) = account(store, &c, &c.town_a, "a_leader", &[Role::Leader]).await;
        let (_, reviewer) = account(store, &c, &c.village_a, "a_rev", &[Role::Staff, Role::Reviewer]).await;
        let (_, sysadmin) = account(store, &c, &c.village_a, "a_sys", &[Role::SystemAdmin]).await;
        let (person, _) = account(store, &c, &c.town_a, "spare", &[Role::Staff]).await;
        let a = signed_in(&admin);

        // Its own roles: never, not even to roles it may grant.
        for roles in [
            &[Role::UnitAdmin, Role::Reviewer][..],
            &[Role::UnitAdmin, Role::Leader],
            &[Role::Staff],
        ] {
            let r = store.set_roles(&a, admin.id, roles).await;
            assert!(matches!(r, Err(StoreError::Denied(_))), "{}: {roles:?} {r:?}", f.name);
        }
        // Separation-of-duty roles to an account it manages: a form error naming them.
        for role in [Role::Reviewer, Role::Leader, Role::Supervisor, Role::SystemAdmin] {
            let err = store.set_roles(&a, staff.id, &[Role::Staff, role]).await.unwrap_err();
            assert!(
                matches!(&err, StoreError::Invalid(e) if e.message.contains(role.label())),
                "{}: {role:?} {err}",
                f.name
            );
        }
        // Accounts holding roles it could not grant: no re-role, reset, lock or unlock.
        for (target, label) in [(&leader, "领导"), (&reviewer, "审核员"), (&sysadmin, "系统管理员")] {
            assert!(
                denied_naming(store.set_roles(&a, target.id, &[Role::Staff]).await, label),
                "{}",
                f.name
            );
            assert!(denied_naming(
                store.set_password(&a, target.id, "$argon2id$x", true).await,
                label
            ));
            let until = start_time() + Duration::days(1);
            assert!(denied_naming(store.set_lock(&a, target.id, Some(until)).await, label));
            assert!(denied_naming(store.set_lock(&a, target.id, None).await, label));
            let after = store.user(&Scope::console(c.county.id), target.id).await.unwrap();
            assert_eq!(
                (after.roles, after.locked_until),
                (target.roles.clone(), None),
                "unchanged"
            );
        }
        let account = store.login_account("a_sys").await.unwrap().unwrap();
        assert_eq!(
            account.password_hash, "$argon2id$placeholder",
            "the reset did not happen"
        );
        // Nor create one with such roles.
        let new = |roles: Vec<Role>| NewUser {
            username: "newbie".into(),
            person_id: person.id,
            roles,
            password_hash: "$argon2id$placeholder".into(),
            must_change_password: true,
        };
        let other = store
            .create_person(&a, NewPerson::parse(c.town_a.id, "新人", "", "", 0).unwrap())
            .await
            .unwrap();
        let mut ask = new(vec![Role::Staff, Role::Reviewer]);
        ask.person_id = other.id;
        assert!(matches!(store.create_user(&a, ask).await, Err(StoreError::Invalid(_))));
        // What it may do: manage staff and unit admins of its subtree.
        let mut ask = new(vec![Role::Staff, Role::UnitAdmin]);
        ask.person_id = other.id;
        store.create_user(&a, ask).await.unwrap();
        store
            .set_roles(&a, staff.id, &[Role::Staff, Role::UnitAdmin])
            .await
            .unwrap();
        store.set_password(&a, staff.id, "$argon2id$y", true).await.unwrap();
        store
            .set_lock(&a, staff.id, Some(start_time() + Duration::days(1)))
            .await
            .unwrap();
        store.set_lock(&a, staff.id, None).await.unwrap();
        // The console and a system administrator may do everything, to others.
        let console = Scope::console(c.county.id);
        store
            .set_roles(&console, leader.id, &[Role::Leader, Role::Reviewer])
            .await
            .unwrap();
        let sys = signed_in(&sysadmin);
        store
            .set_password(&sys, reviewer.id, "$argon2id$z", true)
            .await
            .unwrap();
        assert!(matches!(
            store.set_roles(&sys, sysadmin.id, &[Role::Staff]).await,
            Err(StoreError::Denied(_))
        ));
    }
}

#[tokio::test]
async fn moving_a_person_with_an_account_needs_the_rights_over_that_account() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let store = &*f.store;
        let (_, admin) = account(store, &c, &c.town_a, "a_admin", &[Role::UnitAdmin]).await;
        let (_, staff) = account(store, &c, &c.town_a, "a_staff", &[Role::Staff]).await;
        let (clerk, _) = account(store, &c, &c.town_a, "a_clerk", &[Role::Staff]).await;
        let (boss, _) = account(store, &c, &c.town_a, "a_leader", &[Role::Leader]).await;
        let move_to = |p: &Person, unit: &Unit| NewPerson::parse(unit.id, &p.name, "调动", "", 0).unwrap();

        let s = signed_in(&staff);
        let r = store.update_person(&s, clerk.id, move_to(&clerk, &c.village_a)).await;
        assert!(matches!(r, Err(StoreError::Denied(_))), "{}: {r:?}", f.name);
        let still = store.person(&Scope::console(c.county.id), clerk.id).await.unwrap();
        assert_eq!(still.unit_id, c.town_a.id);
        // Staff still edit such a person where they are, and move people without accounts.
        store
            .update_person(
                &s,
                clerk.id,
                NewPerson::parse(c.town_a.id, &clerk.name, "科员", "", 0).unwrap(),
            )
            .await
            .unwrap();
        store
            .update_person(&s, c.person_a.id, move_to(&c.person_a, &c.village_a))
            .await
            .unwrap();

        let a = signed_in(&admin);
        let moved = store
            .update_person(&a, clerk.id, move_to(&clerk, &c.village_a))
            .await
            .unwrap();
        assert_eq!(moved.unit_id, c.village_a.id);
        let r = store.update_person(&a, boss.id, move_to(&boss, &c.village_a)).await;
        assert!(denied_naming(r, "领导"), "{}", f.name);
    }
}

#[tokio::test]
async fn parallel_login_attempts_are_each_counted_and_lock_before_any_password_is_checked() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let (_, user) = account(&*f.store, &c, &c.town_a, "target", &[Role::Staff]).await;
        let attempts = (0..20).map(|_| {
            let store = f.store.clone();
            tokio::spawn(async move { store.count_login_attempt(user.id, 5, Duration::minutes(15)).await })
        });
        let mut counts = Vec::new();
        let mut checked = 0;
        for attempt in attempts {
            let counted = attempt.await.unwrap().unwrap();
            counts.push(counted.failed_logins);
            if counted.locked_until.is_none() {
                checked += 1;
            }
        }
        counts.sort();
        assert_eq!(counts, (1..=20).collect::<Vec<i64>>(), "{}: no attempt lost", f.name);
        assert_eq!(checked, 5, "only the first five reach a password check");
        let account = f.store.login_account("target").await.unwrap().unwrap();
        assert_eq!(account.user.failed_logins, 20);
        assert_eq!(account.user.locked_until, Some(start_time() + Duration::minutes(15)));
        // Once the lock has run out the count starts again.
        f.clock.advance(Duration::minutes(16));
        let again = f
            .store
            .count_login_attempt(user.id, 5, Duration::minutes(15))
            .await
            .unwrap();
        assert_eq!((again.failed_logins, again.locked_until), (1, None), "{}", f.name);
    }
}

#[tokio::test]
async fn changing_ones_own_password_ends_every_session_but_the_new_one() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let (_, user) = account(&*f.store, &c, &c.town_a, "wangjg", &[Role::Staff]).await;
        let session = |token: &str| NewSession {
            token_hash: token.into(),
            user_id: user.id,
            csrf_token: format!("csrf-{token}"),
            unit_id: user.unit_id,
            expires_at: start_time() + Duration::hours(8),
        };
        f.store.record_login_success(user.id, session("office")).await.unwrap();
        f.store.record_login_success(user.id, session("home")).await.unwrap();
        f.store
            .change_own_password(&signed_in(&user), "$argon2id$new", session("office-2"))
            .await
            .unwrap();
        assert!(f.store.session("office").await.unwrap().is_none(), "{}", f.name);
        assert!(f.store.session("home").await.unwrap().is_none());
        assert!(f.store.session("office-2").await.unwrap().is_some());
        let account = f.store.login_account("wangjg").await.unwrap().unwrap();
        assert_eq!(account.password_hash, "$argon2id$new");
        // Only for oneself: another user's id in the session is refused.
        let (_, other) = account_of(&*f.store, &c).await;
        let mut foreign = session("x");
        foreign.user_id = other.id;
        assert!(matches!(
            f.store
                .change_own_password(&signed_in(&user), "$argon2id$evil", foreign)
                .await,
            Err(StoreError::Forbidden)
        ));
    }
}

async fn account_of(store: &dyn Store, c: &County) -> (Person, User) {
    account(store, c, &c.town_a, "other", &[Role::Staff]).await
}

#[tokio::test]
async fn a_reviewer_from_another_unit_is_answered_like_one_that_does_not_exist() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let (_, admin) = account(&*f.store, &c, &c.town_a, "a_admin", &[Role::UnitAdmin]).await;
        let (_, foreign) = account(&*f.store, &c, &c.town_b, "b_rev", &[Role::Reviewer]).await;
        let a = signed_in(&admin);
        let probe = f
            .store
            .assign_reviewer(&a, c.town_a.id, Stage::First, foreign.id)
            .await
            .unwrap_err()
            .to_string();
        let missing = f
            .store
            .assign_reviewer(&a, c.town_a.id, Stage::First, shoutu_domain::UserId(999_999))
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(probe, missing, "{}", f.name);
        assert!(!probe.contains("b_rev") && !probe.contains("石桥镇"), "{probe}");
    }
}
