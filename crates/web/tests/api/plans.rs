//! 年度工作实施方案: decomposition, progress, overdue tasks on dashboards.

use crate::helpers::spawn_app;
use chrono::Datelike;
use reqwest::StatusCode;

#[tokio::test]
async fn tasks_are_decomposed_reported_on_and_flagged_when_overdue() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let year = crate::helpers::today().year().to_string();
    let past = format!("{year}-01-31");
    let res = app
        .post_form(
            &admin,
            "/plans/new",
            "/plans",
            &[
                ("year", &year),
                ("title", "开展党的创新理论宣讲"),
                ("responsible", &app.county.id.to_string()),
                ("deadline", &past),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let item = res.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    for (unit, title) in [(app.town_a.id, "河口镇宣讲任务"), (app.town_b.id, "石桥镇宣讲任务")] {
        let res = app
            .post_form(
                &admin,
                &item,
                &format!("{item}/tasks"),
                &[("unit", &unit.to_string()), ("title", title), ("deadline", &past)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let too_late = app
        .post_form(
            &admin,
            &item,
            &format!("{item}/tasks"),
            &[
                ("unit", &app.town_a.id.to_string()),
                ("title", "太晚"),
                ("deadline", &format!("{year}-12-31")),
            ],
        )
        .await;
    assert_eq!(too_late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_late.text().await.unwrap().contains("不能晚于事项的时限"));

    let (_, dashboard) = app.text(&admin, "/").await;
    let overdue = dashboard
        .split("逾期任务")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        overdue.contains("河口镇宣讲任务") && overdue.contains("石桥镇宣讲任务"),
        "{overdue}"
    );

    let staff = app.login("a_staff").await;
    let (_, mine) = app.text(&staff, &item).await;
    assert!(mine.contains("河口镇宣讲任务") && !mine.contains("石桥镇宣讲任务"));
    let task = mine
        .split("/tasks/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let today = crate::helpers::today().to_string();
    let task = task.split('?').next().unwrap().to_string();
    let csrf = crate::helpers::csrf_of(&mine);
    let png = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 7,
    ];
    let form = reqwest::multipart::Form::new()
        .text("date", today.clone())
        .text("note", "已完成全部宣讲")
        .text("done", "1")
        .part("file", reqwest::multipart::Part::bytes(png).file_name("宣讲现场.png"));
    let res = staff
        .post(app.url(&format!("/tasks/{task}/updates?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, after) = app.text(&staff, &item).await;
    assert!(
        after.contains("已完成") && after.contains("已完成全部宣讲") && after.contains("宣讲现场.png"),
        "{after}"
    );
    let (_, staff_dash) = app.text(&staff, "/").await;
    assert!(staff_dash.contains("没有逾期未完成的任务"));

    let other = app.login("b_admin").await;
    let csrf_b = crate::helpers::csrf_of(&app.text(&other, "/plans").await.1);
    let form = reqwest::multipart::Form::new()
        .text("date", today.clone())
        .text("note", "冒报");
    let res = other
        .post(app.url(&format!("/tasks/{task}/updates?_csrf={csrf_b}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let bad_year = app
        .post_form(
            &admin,
            "/plans/new",
            "/plans",
            &[("year", &year), ("title", "跨年事项"), ("deadline", "2099-01-01")],
        )
        .await;
    assert_eq!(bad_year.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_year.text().await.unwrap().contains("「完成时限」应在"));
}
