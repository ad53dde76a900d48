//! The store suite of the core registers; see `common` for how each test runs on both backends.

mod common;

use common::*;

use chrono::{Duration, Utc};
use shoutu_domain::{FixedClock, NewPerson, NewUser, Person, Role, Scope, UnitId, UnitKind};
use shoutu_store::{AuditFilter, NewSession, PeopleFilter, StoreError, UserFilter};

#[tokio::test]
async fn a_subtree_is_one_query_and_reads_in_tree_order() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let all = f.store.unit_tree(&Scope::console(c.county.id)).await.unwrap();
        let names: Vec<&str> = all.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            names,
            ["云岭县", "河口镇", "河口村", "石桥镇", "石桥村", "县文化和旅游局"],
            "{}",
            f.name
        );
        let town = f.store.unit_tree(&scope_of(&c.town_a, &[Role::Staff])).await.unwrap();
        let ids: Vec<UnitId> = town.iter().map(|u| u.id).collect();
        assert_eq!(ids, [c.town_a.id, c.village_a.id], "{}", f.name);
        assert_eq!(town[1].depth, 1);
        let path = f
            .store
            .unit_path(&Scope::console(c.county.id), c.village_b.id)
            .await
            .unwrap();
        assert_eq!(
            path.iter().map(|u| u.id).collect::<Vec<_>>(),
            [c.county.id, c.town_b.id, c.village_b.id]
        );
    }
}

#[tokio::test]
async fn another_towns_records_are_not_found_for_reading_listing_or_writing() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::UnitAdmin]);
        assert!(
            matches!(f.store.unit(&a, c.town_b.id).await, Err(StoreError::NotFound)),
            "{}",
            f.name
        );
        assert!(matches!(
            f.store.person(&a, c.person_b.id).await,
            Err(StoreError::NotFound)
        ));
        let listed = f.store.people(&a, &PeopleFilter::default(), page()).await.unwrap();
        assert_eq!(listed.items.iter().map(|p| p.id).collect::<Vec<_>>(), [c.person_a.id]);
        let filter_b = PeopleFilter {
            unit: Some(c.town_b.id),
            ..Default::default()
        };
        assert!(matches!(
            f.store.people(&a, &filter_b, page()).await,
            Err(StoreError::NotFound)
        ));
        let edit = NewPerson::parse(c.town_b.id, "李秀英", "改掉", "", 0).unwrap();
        assert!(matches!(
            f.store.update_person(&a, c.person_b.id, edit.clone()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            f.store.create_person(&a, edit).await,
            Err(StoreError::NotFound)
        ));
        let rename = new_unit(Some(&c.county), UnitKind::Town, "改名镇", "b");
        assert!(matches!(
            f.store.update_unit(&a, c.town_b.id, rename).await,
            Err(StoreError::NotFound)
        ));
        // Moving one's own village under the other town is a write into the other town.
        assert!(matches!(
            f.store.move_unit(&a, c.village_a.id, c.town_b.id).await,
            Err(StoreError::NotFound)
        ));
        let untouched = f
            .store
            .person(&Scope::console(c.county.id), c.person_b.id)
            .await
            .unwrap();
        assert_eq!(untouched.post, "宣传委员");
    }
}

#[tokio::test]
async fn roles_limit_writes_even_inside_the_scope() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let leader = scope_of(&c.town_a, &[Role::Leader]);
        let p = NewPerson::parse(c.town_a.id, "赵六", "", "", 0).unwrap();
        assert!(
            matches!(f.store.create_person(&leader, p).await, Err(StoreError::Forbidden)),
            "{}",
            f.name
        );
        assert!(matches!(
            f.store.users(&leader, &UserFilter::default(), page()).await,
            Err(StoreError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn moving_a_unit_keeps_its_people_and_reshapes_the_subtree() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let console = Scope::console(c.county.id);
        f.store.move_unit(&console, c.village_a.id, c.town_b.id).await.unwrap();
        let b = scope_of(&c.town_b, &[Role::Staff]);
        let ids: Vec<UnitId> = f.store.unit_tree(&b).await.unwrap().iter().map(|u| u.id).collect();
        assert!(ids.contains(&c.village_a.id), "{}", f.name);
        let people = f.store.people(&b, &PeopleFilter::default(), page()).await.unwrap();
        assert!(
            people.items.iter().any(|p| p.id == c.person_a.id),
            "the village's people moved with it"
        );
        let a = scope_of(&c.town_a, &[Role::Staff]);
        assert!(
            f.store
                .people(&a, &PeopleFilter::default(), page())
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let into_own_child = f.store.move_unit(&console, c.town_b.id, c.village_a.id).await;
        assert!(matches!(into_own_child, Err(StoreError::Invalid(_))));
        let under_bureau = f.store.move_unit(&console, c.village_b.id, c.bureau.id).await;
        match under_bureau {
            Err(StoreError::Invalid(e)) => assert!(e.message.contains("不能设立村"), "{e}"),
            other => panic!("a village cannot sit under a bureau: {other:?}"),
        }
    }
}

#[tokio::test]
async fn unit_codes_are_unique_and_the_clash_names_the_field() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let dup = new_unit(Some(&c.county), UnitKind::Town, "重复镇", "a");
        match f.store.create_unit(&Scope::console(c.county.id), dup).await {
            Err(StoreError::Conflict(e)) => assert_eq!(e.field, "单位代码", "{}", f.name),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
}

async fn add_user(f: &Fixture, c: &County, username: &str, roles: &[Role]) -> shoutu_domain::User {
    let person = f
        .store
        .create_person(
            &Scope::console(c.county.id),
            NewPerson::parse(c.town_a.id, "用户", "", "", 0).unwrap(),
        )
        .await
        .unwrap();
    f.store
        .create_user(
            &Scope::console(c.county.id),
            NewUser {
                username: username.into(),
                person_id: person.id,
                roles: roles.to_vec(),
                password_hash: "$argon2id$placeholder".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn repeated_login_failures_lock_the_account_and_success_clears_the_count() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let user = add_user(&f, &c, "wangjg", &[Role::Staff]).await;
        for n in 1..=4 {
            let counted = f
                .store
                .count_login_attempt(user.id, 5, Duration::minutes(15))
                .await
                .unwrap();
            assert_eq!((counted.failed_logins, counted.locked_until), (n, None), "{}", f.name);
            let r = f
                .store
                .record_login_failure(user.id, 5, Duration::minutes(15))
                .await
                .unwrap();
            assert_eq!((r.failed_logins, r.locked_until), (n, None), "{}", f.name);
        }
        let counted = f
            .store
            .count_login_attempt(user.id, 5, Duration::minutes(15))
            .await
            .unwrap();
        assert_eq!(
            (counted.failed_logins, counted.locked_until),
            (5, None),
            "the fifth is still checked"
        );
        let r = f
            .store
            .record_login_failure(user.id, 5, Duration::minutes(15))
            .await
            .unwrap();
        assert_eq!(r.locked_until, Some(start_time() + Duration::minutes(15)));
        let account = f.store.login_account("WangJG").await.unwrap().unwrap();
        assert!(account.user.is_locked(f.clock.now_for_test()));
        f.clock.advance(Duration::minutes(16));
        assert!(!account.user.is_locked(f.clock.now_for_test()));
        let session = NewSession {
            token_hash: "t1".into(),
            user_id: user.id,
            csrf_token: "csrf".into(),
            unit_id: user.unit_id,
            expires_at: f.clock.now_for_test() + Duration::hours(8),
        };
        f.store.record_login_success(user.id, session).await.unwrap();
        let account = f.store.login_account("wangjg").await.unwrap().unwrap();
        assert_eq!((account.user.failed_logins, account.user.locked_until), (0, None));
    }
}

trait NowForTest {
    fn now_for_test(&self) -> chrono::DateTime<Utc>;
}

impl NowForTest for FixedClock {
    fn now_for_test(&self) -> chrono::DateTime<Utc> {
        shoutu_domain::Clock::now(self)
    }
}

#[tokio::test]
async fn sessions_expire_follow_locks_and_switch_only_within_reach() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let user = add_user(&f, &c, "liuxy", &[Role::Staff]).await;
        let session = NewSession {
            token_hash: "hash-1".into(),
            user_id: user.id,
            csrf_token: "csrf-1".into(),
            unit_id: user.unit_id,
            expires_at: start_time() + Duration::hours(8),
        };
        f.store.record_login_success(user.id, session).await.unwrap();
        let s = f.store.session("hash-1").await.unwrap().expect("fresh session");
        assert_eq!(
            (s.user.username.as_str(), s.unit_id, s.csrf_token.as_str()),
            ("liuxy", c.town_a.id, "csrf-1")
        );
        let own = scope_of(&c.town_a, &[Role::Staff]);
        f.store
            .switch_session_unit("hash-1", &own, c.village_a.id)
            .await
            .unwrap();
        assert_eq!(
            f.store.session("hash-1").await.unwrap().unwrap().unit_id,
            c.village_a.id,
            "{}",
            f.name
        );
        assert!(matches!(
            f.store.switch_session_unit("hash-1", &own, c.town_b.id).await,
            Err(StoreError::NotFound)
        ));
        f.store
            .set_lock(
                &Scope::console(c.county.id),
                user.id,
                Some(start_time() + Duration::hours(1)),
            )
            .await
            .unwrap();
        assert!(
            f.store.session("hash-1").await.unwrap().is_none(),
            "locking ends sessions"
        );
        f.store
            .set_lock(&Scope::console(c.county.id), user.id, None)
            .await
            .unwrap();
        let again = NewSession {
            token_hash: "hash-2".into(),
            user_id: user.id,
            csrf_token: "csrf-2".into(),
            unit_id: user.unit_id,
            expires_at: start_time() + Duration::hours(8),
        };
        f.store.record_login_success(user.id, again).await.unwrap();
        f.clock.advance(Duration::hours(9));
        assert!(f.store.session("hash-2").await.unwrap().is_none(), "expired");
    }
}

#[tokio::test]
async fn only_a_system_admin_grants_the_system_admin_role() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let user = add_user(&f, &c, "zhaoliu", &[Role::Staff]).await;
        let unit_admin = scope_of(&c.town_a, &[Role::UnitAdmin]);
        let err = f
            .store
            .set_roles(&unit_admin, user.id, &[Role::SystemAdmin])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("系统管理员"), "{}: {err}", f.name);
        let updated = f
            .store
            .set_roles(&unit_admin, user.id, &[Role::UnitAdmin, Role::Staff])
            .await
            .unwrap();
        assert_eq!(updated.roles, [Role::UnitAdmin, Role::Staff]);
    }
}

#[tokio::test]
async fn every_write_is_audited_with_before_and_after() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let admin = Scope::new(c.county.id, vec![Role::SystemAdmin], None, "管理员");
        let before = f
            .store
            .audit_entries(&admin, &AuditFilter::default(), page())
            .await
            .unwrap()
            .total;
        let edit = NewPerson::parse(c.village_a.id, "王建国", "村委会主任", "", 0).unwrap();
        f.store.update_person(&admin, c.person_a.id, edit).await.unwrap();
        let entries = f
            .store
            .audit_entries(&admin, &AuditFilter::default(), page())
            .await
            .unwrap();
        assert_eq!(entries.total, before + 1, "{}", f.name);
        let newest = &entries.items[0];
        assert_eq!(
            (newest.record_type.as_str(), newest.action.as_str()),
            ("person", "update")
        );
        assert_eq!(newest.actor_name, "管理员");
        assert!(newest.before.as_deref().unwrap().contains("村党支部书记"));
        assert!(newest.after.as_deref().unwrap().contains("村委会主任"));

        // Filters: by record type, by unit subtree (town B sees none of town A's entries), by date.
        let only_units = AuditFilter {
            record_type: Some("unit".into()),
            ..Default::default()
        };
        let units = f.store.audit_entries(&admin, &only_units, page()).await.unwrap();
        assert_eq!(units.total, 6);
        let in_b = AuditFilter {
            unit: Some(c.town_b.id),
            ..Default::default()
        };
        let b_entries = f.store.audit_entries(&admin, &in_b, page()).await.unwrap();
        assert!(
            b_entries
                .items
                .iter()
                .all(|e| [c.town_b.id.0, c.village_b.id.0].contains(&e.unit_id.unwrap()))
        );
        assert_eq!(b_entries.total, 3, "town B, its village and its person");
        let future = AuditFilter {
            from: Some(start_time() + Duration::days(1)),
            ..Default::default()
        };
        assert_eq!(f.store.audit_entries(&admin, &future, page()).await.unwrap().total, 0);
        let staff = scope_of(&c.town_a, &[Role::Staff]);
        assert!(matches!(
            f.store.audit_entries(&staff, &AuditFilter::default(), page()).await,
            Err(StoreError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn the_audit_table_refuses_updates_and_the_chain_names_a_tampered_row() {
    for f in fixtures().await {
        county(&*f.store).await;
        let report = f.store.verify_audit_chain().await.unwrap();
        assert_eq!((report.checked, report.broken), (8, None), "{}", f.name);
        assert!(
            f.raw_update_fails("UPDATE audit_log SET actor_name = '黑客' WHERE seq = 3")
                .await
        );
        f.tamper("UPDATE audit_log SET after_value = '{\"name\":\"篡改\"}' WHERE seq = 3")
            .await;
        let broken = f
            .store
            .verify_audit_chain()
            .await
            .unwrap()
            .broken
            .expect("tampering is detected");
        assert_eq!(broken.seq, 3, "{}", f.name);
        assert!(broken.to_string().contains("第 3 条"));
    }
}

#[tokio::test]
async fn removing_the_newest_audit_rows_is_detected() {
    for f in fixtures().await {
        county(&*f.store).await;
        f.tamper("DELETE FROM audit_log WHERE seq = 8").await;
        let broken = f
            .store
            .verify_audit_chain()
            .await
            .unwrap()
            .broken
            .expect("deletion is detected");
        assert_eq!(broken.seq, 8, "{}", f.name);
    }
}

#[tokio::test]
async fn concurrent_writes_queue_up_and_keep_one_chain() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = f.store.clone();
            let scope = Scope::console(c.county.id);
            let unit = if i % 2 == 0 { c.town_a.id } else { c.town_b.id };
            tasks.push(tokio::spawn(async move {
                let p = NewPerson::parse(unit, &format!("并发{i}"), "", "", i).unwrap();
                store.create_person(&scope, p).await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = f.store.verify_audit_chain().await.unwrap();
        assert_eq!((report.checked, report.broken), (8 + 16, None), "{}", f.name);
    }
}

#[tokio::test]
async fn stats_count_only_the_scope() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let stats = f.store.scope_stats(&scope_of(&c.town_a, &[Role::Staff])).await.unwrap();
        assert_eq!(stats.people, 1, "{}", f.name);
        assert_eq!(
            stats.units_by_kind,
            [("town".to_string(), 1), ("village".to_string(), 1)]
        );
    }
}

#[tokio::test]
async fn an_activity_is_filed_under_all_its_ledgers_within_the_scope() {
    use shoutu_store::ActivityFilter;
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let stored = f
            .store
            .create_activity(
                &a,
                meeting(
                    &c,
                    (2026, 3, 15),
                    &["first_topic", "ideology_topic"],
                    vec![c.person_a.id.0],
                ),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(stored.participants.len(), 1, "{}", f.name);
        assert!(
            stored.tags.contains(&"第一议题".to_string()) && stored.tags.contains(&"专题研究意识形态工作".to_string())
        );
        let by_tag = ActivityFilter {
            tag: Some("第一议题".into()),
            ..Default::default()
        };
        assert_eq!(f.store.activities(&a, &by_tag, page()).await.unwrap().total, 1);
        let other_tag = ActivityFilter {
            tag: Some("分析研判".into()),
            ..Default::default()
        };
        assert_eq!(f.store.activities(&a, &other_tag, page()).await.unwrap().total, 0);
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(matches!(
            f.store.activity(&b, stored.id).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            f.store
                .activities(&b, &ActivityFilter::default(), page())
                .await
                .unwrap()
                .total,
            0
        );
        let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let until = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let county_entries = f
            .store
            .ledger_entries(&Scope::console(c.county.id), from, until)
            .await
            .unwrap();
        assert_eq!(county_entries.len(), 1);
        assert_eq!(county_entries[0].unit_id, c.town_a.id);
        let later = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert!(f.store.ledger_entries(&a, later, until).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_participant_from_another_township_is_refused_and_nothing_is_stored() {
    use shoutu_store::ActivityFilter;
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let county_scope = Scope::console(c.county.id);
        let outsider = meeting(&c, (2026, 3, 15), &[], vec![c.person_a.id.0, c.person_b.id.0]);
        match f.store.create_activity(&county_scope, outsider, vec![]).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.field, "参加人员", "{}", f.name);
                assert!(e.message.contains("李秀英"), "{e}");
            }
            other => panic!("expected the outsider to be refused: {other:?}"),
        }
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let hidden = meeting(&c, (2026, 3, 15), &[], vec![c.person_b.id.0]);
        assert!(matches!(
            f.store.create_activity(&a, hidden, vec![]).await,
            Err(StoreError::NotFound)
        ));
        let all = f
            .store
            .activities(&county_scope, &ActivityFilter::default(), page())
            .await
            .unwrap();
        assert_eq!(all.total, 0, "nothing half-written");
    }
}

#[tokio::test]
async fn attachments_belong_to_a_record_and_are_read_within_the_scope() {
    use shoutu_domain::attachment::NewAttachment;
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let stored = f
            .store
            .create_activity(&a, meeting(&c, (2026, 5, 1), &[], vec![]), vec![])
            .await
            .unwrap();
        let file = NewAttachment {
            sha256: "ab".repeat(32),
            size: 2048,
            media_type: "image/jpeg".into(),
            file_name: "签到表.jpg".into(),
            record_type: "activity",
            record_id: stored.id.0,
        };
        let saved = f.store.add_attachment(&a, c.town_a.id, file.clone()).await.unwrap();
        assert_eq!(
            f.store.activity(&a, stored.id).await.unwrap().attachments,
            1,
            "{}",
            f.name
        );
        assert_eq!(
            f.store.attachments_of(&a, "activity", stored.id.0).await.unwrap().len(),
            1
        );
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(matches!(
            f.store.attachment(&b, saved.id).await,
            Err(StoreError::NotFound)
        ));
        let wrong_unit = f
            .store
            .add_attachment(&scope_of(&c.county, &[Role::Staff]), c.town_b.id, file)
            .await;
        assert!(
            matches!(wrong_unit, Err(StoreError::NotFound)),
            "the record is not town B's"
        );
    }
}

#[tokio::test]
async fn letters_go_from_issued_to_signed_and_coverage_counts_the_subtree() {
    use shoutu_domain::letter::{CopyStatus, Coverage, NewLetter};
    use shoutu_store::CopyChange;
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let county_scope = scope_of(&c.county, &[Role::Supervisor, Role::Staff]);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let new = NewLetter::parse(
            c.county.id,
            "2026",
            "2026年意识形态工作目标责任书",
            "落实主体责任",
            vec![c.town_a.id, c.town_b.id],
            today,
        )
        .unwrap();
        let letter = f.store.create_letter(&county_scope, new).await.unwrap();
        assert_eq!(letter.copies.len(), 2, "{}", f.name);
        assert!(letter.copies.iter().all(|c| c.status == CopyStatus::NotIssued));
        let copy_a = letter.copies.iter().find(|x| x.unit_id == c.town_a.id).unwrap().id;
        let copy_b = letter.copies.iter().find(|x| x.unit_id == c.town_b.id).unwrap().id;

        let a = scope_of(&c.town_a, &[Role::Staff]);
        let issue = CopyChange::Issue { on: today };
        assert!(
            matches!(
                f.store.update_copy(&a, copy_a, issue.clone()).await,
                Err(StoreError::Invalid(_))
            ),
            "only the issuer issues"
        );
        f.store.update_copy(&county_scope, copy_a, issue).await.unwrap();
        let sign = CopyChange::Sign {
            on: today,
            signer: "王建国".into(),
        };
        let signed = f.store.update_copy(&a, copy_a, sign.clone()).await.unwrap();
        assert_eq!((signed.status, signed.signer.as_str()), (CopyStatus::Signed, "王建国"));
        assert!(matches!(
            f.store.update_copy(&a, copy_a, sign.clone()).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(
            matches!(f.store.update_copy(&a, copy_b, sign).await, Err(StoreError::NotFound)),
            "B's copy is not A's"
        );

        let seen_by_a = f.store.letter(&a, letter.id).await.unwrap();
        assert_eq!(seen_by_a.copies.len(), 1, "a township sees its own copy only");
        let coverage = Coverage::of(&f.store.letter_copies(&county_scope, 2026).await.unwrap());
        assert_eq!(
            (coverage.total, coverage.signed, coverage.signed_rate()),
            (2, 1, Some(50.0))
        );
        assert_eq!(coverage.missing[0].unit_id, c.town_b.id);
        assert!(f.store.letter_copies(&county_scope, 2025).await.unwrap().is_empty());
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert_eq!(f.store.letters(&b, Some(2026)).await.unwrap().len(), 1);
        let outside = NewLetter::parse(c.town_a.id, "2026", "越级", "x", vec![c.town_b.id], today).unwrap();
        assert!(matches!(
            f.store
                .create_letter(&scope_of(&c.town_a, &[Role::Staff]), outside)
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn duty_history_answers_who_held_a_duty_on_a_given_day() {
    use shoutu_domain::duty::{DutyRole, NewDuty};
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let console = Scope::console(c.county.id);
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let first = f
            .store
            .create_person(
                &console,
                NewPerson::parse(c.town_a.id, "张书记", "党委书记", "", 0).unwrap(),
            )
            .await
            .unwrap();
        let second = f
            .store
            .create_person(
                &console,
                NewPerson::parse(c.town_a.id, "李书记", "党委书记", "", 0).unwrap(),
            )
            .await
            .unwrap();
        let appoint = |person: &Person, start: &str| {
            NewDuty::parse(c.town_a.id, person.id.0, "first_responsible", "", "", start).unwrap()
        };
        f.store
            .assign_duty(&console, appoint(&first, "2025-01-01"))
            .await
            .unwrap();
        f.store
            .assign_duty(&console, appoint(&second, "2026-05-01"))
            .await
            .unwrap();
        let holder = |day| {
            let store = f.store.clone();
            let console = console.clone();
            let unit = c.town_a.id;
            async move {
                store
                    .duties(&console, unit, Some(day))
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|x| x.role == DutyRole::FirstResponsible)
                    .map(|x| x.person_name)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(holder(d(2026, 4, 30)).await, ["张书记"], "{}", f.name);
        assert_eq!(holder(d(2026, 5, 1)).await, ["李书记"]);
        assert!(holder(d(2024, 12, 31)).await.is_empty());
        let history = f.store.duties(&console, c.town_a.id, None).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            history[1].end,
            Some(d(2026, 4, 30)),
            "the predecessor's term ended the day before"
        );
        let backdated = f.store.assign_duty(&console, appoint(&first, "2026-01-01")).await;
        assert!(
            matches!(backdated, Err(StoreError::Invalid(_))),
            "a new holder must start after the current one"
        );
        let outsider = NewDuty::parse(c.town_a.id, c.person_b.id.0, "group_member", "", "", "2026-01-01").unwrap();
        assert!(matches!(
            f.store.assign_duty(&console, outsider).await,
            Err(StoreError::Invalid(_))
        ));
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(matches!(
            f.store.duties(&b, c.town_a.id, None).await,
            Err(StoreError::NotFound)
        ));
        let member = NewDuty::parse(c.town_a.id, first.id.0, "group_member", "", "", "2026-01-01").unwrap();
        let m = f.store.assign_duty(&console, member).await.unwrap();
        let ended = f.store.end_duty(&console, m.id, d(2026, 6, 30)).await.unwrap();
        assert!(!ended.held_on(d(2026, 7, 1)) && ended.held_on(d(2026, 6, 30)));
        assert!(matches!(
            f.store.end_duty(&console, m.id, d(2026, 7, 30)).await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn plan_items_decompose_into_tasks_whose_states_follow_their_updates() {
    use shoutu_domain::plan::{NewPlanItem, NewTask, NewUpdate, TaskState};
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let county_scope = scope_of(&c.county, &[Role::Staff]);
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let item = NewPlanItem::parse(
            c.county.id,
            "2026",
            "开展党的创新理论宣讲",
            None,
            c.county.id,
            "2026-06-30",
            "宣讲30场",
        )
        .unwrap();
        let item = f.store.create_plan_item(&county_scope, item).await.unwrap();
        let task_a = f
            .store
            .add_task(
                &county_scope,
                NewTask::parse(&item, c.town_a.id, "河口镇宣讲10场", "2026-05-31").unwrap(),
            )
            .await
            .unwrap();
        f.store
            .add_task(
                &county_scope,
                NewTask::parse(&item, c.town_b.id, "石桥镇宣讲10场", "2026-05-31").unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(task_a.state(d(2026, 3, 1)), TaskState::NotStarted, "{}", f.name);

        let a = scope_of(&c.town_a, &[Role::Staff]);
        let seen = f.store.plan_items(&a, 2026).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].tasks.len(), 1, "a township sees its own task only");
        let progress = NewUpdate::parse("2026-03-10", "已宣讲4场", false, d(2026, 3, 10)).unwrap();
        let t = f.store.update_task(&a, task_a.id, progress).await.unwrap();
        assert_eq!(
            (t.state(d(2026, 3, 11)), t.last_note.as_deref()),
            (TaskState::InProgress, Some("已宣讲4场"))
        );
        assert_eq!(t.state(d(2026, 6, 1)), TaskState::Overdue);
        let overdue = f.store.open_tasks_due(&county_scope, d(2026, 6, 1)).await.unwrap();
        assert_eq!(overdue.len(), 2, "the county sees both townships' overdue tasks");
        let done = NewUpdate::parse("2026-05-20", "完成10场", true, d(2026, 5, 20)).unwrap();
        let t = f.store.update_task(&a, task_a.id, done.clone()).await.unwrap();
        assert_eq!(t.state(d(2026, 8, 1)), TaskState::Done);
        assert!(matches!(
            f.store.update_task(&a, task_a.id, done).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(f.store.open_tasks_due(&a, d(2026, 6, 1)).await.unwrap().len(), 0);

        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(matches!(f.store.task(&b, task_a.id).await, Err(StoreError::NotFound)));
        let sneaky = NewTask::parse(&item, c.town_b.id, "私自加任务", "2026-05-31").unwrap();
        assert!(
            matches!(f.store.add_task(&a, sneaky).await, Err(StoreError::NotFound)),
            "only the owner decomposes"
        );
    }
}

#[tokio::test]
async fn conduct_rules_bind_their_units_people_who_acknowledge_once() {
    use shoutu_domain::conduct::{NewConductRules, NewViolation};
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::UnitAdmin]);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let rules = NewConductRules::parse(
            c.town_a.id,
            "干部“十严禁”",
            "严禁在网上发表不当言论\n严禁泄露工作秘密",
            today,
        )
        .unwrap();
        let rules = f.store.publish_conduct_rules(&a, rules).await.unwrap();
        f.store
            .acknowledge_conduct_rules(&a, rules.id, c.person_a.id, today)
            .await
            .unwrap();
        let again = f
            .store
            .acknowledge_conduct_rules(&a, rules.id, c.person_a.id, today)
            .await;
        assert!(matches!(again, Err(StoreError::Invalid(_))), "{}", f.name);
        let village = scope_of(&c.village_a, &[Role::Staff]);
        assert_eq!(
            f.store.conduct_rules_list(&village).await.unwrap().len(),
            1,
            "a village is bound by its township's rules"
        );
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(f.store.conduct_rules_list(&b).await.unwrap().is_empty());
        assert!(matches!(
            f.store.conduct_rules(&b, rules.id).await,
            Err(StoreError::NotFound)
        ));
        let v = NewViolation::parse(c.person_a.id.0, "2026-02-01", "在工作群转发不实信息", "批评教育", today).unwrap();
        f.store.record_violation(&a, rules.id, v).await.unwrap();
        let seen = f.store.conduct_rules(&a, rules.id).await.unwrap();
        assert_eq!((seen.acknowledgements.len(), seen.violations.len()), (1, 1));
        let outsider = NewViolation::parse(c.person_b.id.0, "2026-02-01", "x", "", today).unwrap();
        assert!(matches!(
            f.store.record_violation(&a, rules.id, outsider).await,
            Err(StoreError::NotFound)
        ));
    }
}
