//! A session's page: planned beside done with the charts of its attached activities, signed
//! in or by its token, and the token's rotation honoured.

use super::*;
use paceline_domain::calendar::{CalendarStore, NewSession, SessionValues};
use paceline_domain::files::FileStore;
use paceline_testkit::on_both_engines;

on_both_engines!(the_session_page_charts_its_files_for_the_athlete_and_the_link);

async fn the_session_page_charts_its_files_for_the_athlete_and_the_link(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let uploaded = upload(&mut browser, &[("ride.fit", paceline_testdata::file(RIDE))]).await;
    let href = activity_links(&uploaded.body).remove(0);
    let (user, _) = robins(&app).await;
    let pending = app.store.pending_files(user.id, 10).await.unwrap();
    let mut values = SessionValues::on(time::macros::date!(2020 - 05 - 29));
    values.plan.discipline_id = 4;
    values.plan.brief_description = "Sweet spot".into();
    values.plan.training_plan = "3 × 12 min at 90% <FTP>".into();
    values.plan.prescribed_minutes.total = Some(60);
    values.plan.prescribed_km.total = Some(30.0);
    let token = "k".repeat(32);
    let session = app
        .store
        .create_session(
            NewSession {
                user_id: user.id,
                planned_by: None,
                values,
                order_given: false,
                direct_access_token: token.clone(),
                now: time::OffsetDateTime::now_utc(),
            },
            &[pending[0].id],
        )
        .await
        .unwrap();
    let id = match session {
        paceline_domain::calendar::Written::Saved(s) => s.id.0,
        other => panic!("{other:?}"),
    };
    let path = format!("/session/{id}/");
    let signed = browser.get(&path).await;
    assert_eq!(signed.status, 200);
    let body = &signed.body;
    assert!(
        body.contains("<h1>Bike Intervals: Sweet spot</h1>"),
        "{body}"
    );
    assert!(body.contains(r#"<time datetime="2020-05-29">"#));
    assert!(
        body.contains("3 × 12 min at 90% &#60;FTP&#62;")
            || body.contains("3 × 12 min at 90% &lt;FTP&gt;")
    );
    // Every figure the session has, planned beside done: the file filled in the done side.
    assert!(
        body.contains("<th scope=\"row\">Time</th><td>1 h 00 min</td>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">Bike power</th><td>–</td><td>"),
        "{body}"
    );
    assert!(body.contains("<th scope=\"row\">Bike heart rate</th>"));
    assert!(body.contains(r#"class="line hr""#) && body.contains(r#"class="line power""#));
    assert!(
        body.contains(&format!(r#"<a href="{href}">"#)),
        "the athlete's link to the activity"
    );
    assert!(
        body.contains(r#"aria-label="Main""#),
        "signed in: the navigation"
    );
    // Logged out, the link with its token opens the same page, read-only.
    let link = format!("{path}?direct_access_token={token}");
    let public = app.get(&link).await;
    assert_eq!(public.status(), 200);
    let html = public.text().await.unwrap();
    assert!(
        html.contains(r#"class="line power""#),
        "the charts, for whoever has the link"
    );
    assert!(!html.contains(r#"aria-label="Main""#), "no navigation");
    assert!(!html.contains("<form"), "nothing to change");
    assert!(
        !html.contains("/calendar/sessions/"),
        "nor a way to edit it"
    );
    assert!(
        !html.contains(&href),
        "nor a way into the athlete's activities"
    );
    // A new token closes the old link.
    app.store
        .set_session_token(
            user.id,
            paceline_domain::calendar::SessionId(id),
            &"n".repeat(32),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    assert_eq!(app.get(&link).await.status(), 404);
    let renewed = format!("{path}?direct_access_token={}", "n".repeat(32));
    assert_eq!(app.get(&renewed).await.status(), 200);
    // Another athlete: not found, signed in or not.
    athlete(&app, "eve@example.com").await;
    let mut eve = signed_in(&app, "eve@example.com").await;
    assert_eq!(eve.get(&path).await.status, 404);
    app.stop().await;
}
