//! The athlete's home.

use super::*;
use paceline_testkit::on_both_engines;

on_both_engines!(home_shows_the_week_what_comes_next_and_the_trends);

async fn home_shows_the_week_what_comes_next_and_the_trends(db: TestContext) {
    use paceline_domain::calendar::{CalendarStore, NewSession, SessionValues};
    use paceline_domain::daily::{Attribution, BodyMetricValues, DailyStore, NewRecord};
    let (app, mut browser) = robin(&db).await;
    let empty = browser.get("/").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("<h1>Hello, Robin</h1>"));
    assert!(empty.body.contains("Nothing recorded yet this week."));
    assert!(empty.body.contains("Nothing planned."));
    let (user, membership) = robins(&app).await;
    let now = time::OffsetDateTime::now_utc();
    written(
        &app,
        ActivityType::Ride,
        "Coffee ride",
        now,
        Figures {
            duration_sec: Some(5400.0),
            distance_m: Some(45_000.0),
            load_score: Some(90),
            ..Figures::default()
        },
    )
    .await;
    let mut plan = SessionValues::on(now.date() + time::Duration::days(1));
    plan.plan.discipline_id = 11;
    plan.plan.brief_description = "Tempo intervals".into();
    plan.plan.prescribed_minutes.total = Some(60);
    app.store
        .create_session(
            NewSession {
                user_id: user.id,
                planned_by: None,
                values: plan,
                order_given: false,
                direct_access_token: "t".repeat(32),
                now,
            },
            &[],
        )
        .await
        .unwrap();
    for (days, kg) in [(30, 72.4), (15, 71.9), (1, 71.2)] {
        app.store
            .upsert_body_metric(NewRecord {
                by: Attribution {
                    user_id: user.id,
                    membership_id: membership.id,
                    client: None,
                },
                key: now - time::Duration::days(days),
                values: BodyMetricValues {
                    weight_kg: Some(kg),
                    ..BodyMetricValues::default()
                },
                external_id: None,
                raw_payload: None,
                now,
            })
            .await
            .unwrap();
    }
    let home = browser.get("/").await;
    let body = &home.body;
    assert!(body.contains("<strong>1 h 30 min</strong> done"), "{body}");
    assert!(body.contains("45.00 km"));
    assert!(
        body.contains("Tempo intervals"),
        "the next session is listed"
    );
    assert!(
        body.contains("Coffee ride"),
        "the latest activity is listed"
    );
    assert!(
        body.contains("Weight: 71.2 kg on") && body.contains("down 1.2 kg since"),
        "the weight trend in words: {body}"
    );
    assert!(body.contains(r#"class="line weight""#));
    assert_eq!(
        body.matches("<circle class=\"dot\"").count(),
        3,
        "each weighing marked"
    );
    assert!(body.contains("The weeks as a table"));
    assert!(
        body.contains("<td>45.00 km</td><td>90</td></tr>"),
        "each week's time, plan, distance and load: {body}"
    );
    app.stop().await;
}
