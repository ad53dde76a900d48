//! The feeds the search index and the yearly archive read: the audit log in order, and the
//! attachments of a subtree's records by year. Both backends.

mod common;
use common::*;

use shoutu_domain::Role;
use shoutu_domain::attachment::NewAttachment;
use shoutu_store::StoreError;

fn photo(record_id: i64, name: &str) -> NewAttachment {
    NewAttachment {
        sha256: "cd".repeat(32),
        size: 10,
        media_type: "image/jpeg".into(),
        file_name: name.into(),
        record_type: "activity",
        record_id,
    }
}

#[tokio::test]
async fn the_feed_returns_entries_after_a_seq_in_order_up_to_the_head() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let head = f.store.search_feed_head().await.unwrap();
        assert!(head > 5, "{}: the county's writes are audited", f.name);
        let all = f.store.search_feed_after(0, 10_000).await.unwrap();
        assert_eq!(all.len() as i64, head, "{}", f.name);
        assert!(
            all.windows(2).all(|w| w[0].seq + 1 == w[1].seq),
            "{}: in seq order",
            f.name
        );
        let tail = f.store.search_feed_after(head - 2, 1).await.unwrap();
        assert_eq!(tail.len(), 1, "{}: the limit holds", f.name);
        assert_eq!(tail[0].seq, head - 1, "{}", f.name);

        let a = scope_of(&c.town_a, &[Role::Staff]);
        f.store
            .create_activity(&a, meeting(&c, (2026, 2, 10), &[], vec![]), vec![])
            .await
            .unwrap();
        let newer = f.store.search_feed_after(head, 100).await.unwrap();
        assert_eq!(newer.len(), 1, "{}", f.name);
        assert_eq!(newer[0].record_type, "activity", "{}", f.name);
        assert_eq!(newer[0].unit_id, Some(c.town_a.id.0), "{}", f.name);
        assert!(
            newer[0].after.as_deref().unwrap_or("").contains("研究意识形态工作"),
            "{}: the entry carries the record's state",
            f.name
        );
        assert_eq!(f.store.search_feed_head().await.unwrap(), head + 1, "{}", f.name);
    }
}

#[tokio::test]
async fn the_archive_files_a_subtrees_attachments_by_the_records_year() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let this_year = f
            .store
            .create_activity(&a, meeting(&c, (2025, 11, 3), &[], vec![]), vec![])
            .await
            .unwrap();
        let next_year = f
            .store
            .create_activity(&a, meeting(&c, (2026, 1, 5), &[], vec![]), vec![])
            .await
            .unwrap();
        f.store
            .add_attachment(&a, c.town_a.id, photo(this_year.id.0, "签到表.jpg"))
            .await
            .unwrap();
        f.store
            .add_attachment(&a, c.town_a.id, photo(next_year.id.0, "会议记录.jpg"))
            .await
            .unwrap();

        let filed = f.store.archive_attachments(&a, c.town_a.id, 2025).await.unwrap();
        assert_eq!(filed.len(), 1, "{}: only the 2025 record's file", f.name);
        assert_eq!(filed[0].attachment.file_name, "签到表.jpg", "{}", f.name);
        assert_eq!(
            filed[0].date,
            chrono::NaiveDate::from_ymd_opt(2025, 11, 3).unwrap(),
            "{}",
            f.name
        );

        let county_scope = scope_of(&c.county, &[Role::Staff]);
        assert_eq!(
            f.store
                .archive_attachments(&county_scope, c.county.id, 2026)
                .await
                .unwrap()
                .len(),
            1,
            "{}: the county sees its towns' files",
            f.name
        );
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(
            f.store
                .archive_attachments(&b, c.town_b.id, 2025)
                .await
                .unwrap()
                .is_empty(),
            "{}: another town's files are not filed",
            f.name
        );
        assert!(
            matches!(
                f.store.archive_attachments(&b, c.town_a.id, 2025).await,
                Err(StoreError::NotFound)
            ),
            "{}: a unit outside the scope is not found",
            f.name
        );
    }
}
