//! Signing in and coming back, uploading files, an activity's page with its charts, laps and
//! route, the list's filters, downloads, deleting; another athlete's activities are not
//! found, and a form without its CSRF token changes nothing.

use super::*;
use paceline_activity::fit;
use paceline_domain::listing::RecordQuery;
use paceline_testkit::on_both_engines;

on_both_engines!(
    pages_ask_for_a_login_and_come_back_after_it,
    an_athlete_uploads_files_and_sees_what_became_of_each,
    the_activity_page_draws_the_activitys_records,
    the_list_filters_by_sport_dates_and_title,
    another_athlete_finds_none_of_the_pages,
    deleting_asks_first_and_needs_the_forms_token,
);

async fn pages_ask_for_a_login_and_come_back_after_it(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    athlete(&app, "robin@example.com").await;
    let mut browser = Browser::new(&app.base);
    let asked = browser.get("/activities?sport=RIDE").await;
    assert_eq!(asked.status, 303);
    assert_eq!(
        asked.location(),
        "/login?return_to=%2Factivities%3Fsport%3DRIDE"
    );
    let login = browser.get(asked.location()).await;
    assert_eq!(login.field("return_to"), "/activities?sport=RIDE");
    let after = browser
        .post_form(
            "/login",
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", &login.field("return_to")),
                ("email", "robin@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(after.status, 303);
    assert_eq!(after.location(), "/activities?sport=RIDE");
    let list = browser.get("/activities?sport=RIDE").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("<h1>Activities</h1>"));
    // Every page names its navigation, and the page a person is on.
    assert!(
        list.body
            .contains(r#"<a href="/activities" aria-current="page">Activities</a>"#)
    );
    // A login without a destination lands on the athlete's home.
    let mut fresh = Browser::new(&app.base);
    let login = fresh.get("/login").await;
    let home = fresh
        .post_form(
            "/login",
            &[
                ("csrf", &login.field("csrf")),
                ("email", "robin@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(home.location(), "/");
    app.stop().await;
}

async fn an_athlete_uploads_files_and_sees_what_became_of_each(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let ride = paceline_testdata::file(RIDE);
    let page = upload(
        &mut browser,
        &[
            ("ride.fit", ride.clone()),
            (
                "route.gpx",
                paceline_testdata::file("gpx/gpxpy__korita-zbevnica.gpx"),
            ),
            (
                "settings.fit",
                paceline_testdata::file("fit/muktihari__Settings.fit"),
            ),
            ("notes.txt", b"not an activity".to_vec()),
            (
                "broken.fit",
                paceline_testdata::file("fit/pyfitparse__activity-unexpected-eof.fit"),
            ),
        ],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("5 files: 2 added, 0 already there, 3 refused"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("This is a FIT settings file, not an activity"),
        "{}",
        page.body
    );
    assert!(page.body.contains("This is not a FIT, TCX or GPX file."));
    assert!(
        page.body.contains("This FIT file cannot be read"),
        "{}",
        page.body
    );
    let added = activity_links(&page.body);
    assert_eq!(added.len(), 2, "each new activity is linked");
    // The same ride again is recognized, and links to the activity it made.
    let again = upload(&mut browser, &[("ride-copy.fit", ride)]).await;
    assert!(
        again
            .body
            .contains("1 file: 0 added, 1 already there, 0 refused")
    );
    assert_eq!(activity_links(&again.body), added[..1]);
    // Nothing chosen is said so.
    let none = upload(&mut browser, &[]).await;
    assert!(none.body.contains("No file was chosen."), "{}", none.body);
    let list = browser.get("/activities").await;
    assert_eq!(activity_links(&list.body).len(), 2);
    // The form's token comes first; without it nothing is read or kept.
    let form = Form::new().part(
        "file",
        Part::bytes(paceline_testdata::file(RUN)).file_name("run.fit"),
    );
    let forged = browser.post_multipart("/upload", form).await;
    assert_eq!(forged.status, 403);
    let list = browser.get("/activities").await;
    assert_eq!(
        activity_links(&list.body).len(),
        2,
        "the forged upload kept nothing"
    );
    app.stop().await;
}

async fn the_activity_page_draws_the_activitys_records(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let ride = paceline_testdata::file(RIDE);
    let decoded = fit::decode_activity(&ride).unwrap();
    let heart_rates = decoded.streams.heart_rate.iter().flatten().count();
    assert!(
        heart_rates > 1000,
        "the fixture has a heart rate chart to draw"
    );
    let page = upload(&mut browser, &[("ride.fit", ride.clone())]).await;
    let href = activity_links(&page.body).remove(0);
    let page = browser.get(&href).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    // A chart of every channel the file has, each with every one of its points reduced to
    // what the chart can show, and a sentence for those who do not look.
    assert!(
        body.contains(r#"class="line hr""#)
            && body.contains(&format!(r#"data-points="{heart_rates}""#)),
        "the heart rate chart carries the file's {heart_rates} heart rates"
    );
    for chart in ["power", "speed", "cadence", "altitude"] {
        let has = match chart {
            "power" => decoded.streams.power_w.iter().flatten().next().is_some(),
            "speed" => decoded.streams.speed_mps.iter().flatten().next().is_some(),
            "cadence" => decoded.streams.cadence.iter().flatten().next().is_some(),
            _ => decoded.streams.altitude_m.iter().flatten().next().is_some(),
        };
        assert_eq!(
            body.contains(&format!(r#"class="line {chart}""#)),
            has,
            "a {chart} chart exactly when the file records {chart}"
        );
    }
    let drawn = body.matches(['M', 'L']).count();
    assert!(
        drawn < 6 * 2 * 600 + 2_000,
        "reduced: {drawn} path commands"
    );
    assert!(body.contains("Heart rate: average"));
    // The laps table has a row per lap.
    let laps = decoded.laps.len();
    let rows = body.matches("<tr><th scope=\"row\">").count();
    assert!(rows >= laps && laps > 0, "{rows} rows for {laps} laps");
    // Without positions, no route, and the page says why.
    assert!(body.contains("recorded no positions"), "{body}");
    // With them, the route drawn from them.
    let outdoors = paceline_testdata::file(OUTDOORS);
    let positions = fit::decode_activity(&outdoors)
        .unwrap()
        .streams
        .position
        .iter()
        .flatten()
        .count();
    let uploaded = upload(&mut browser, &[("outdoors.fit", outdoors)]).await;
    let outside = browser.get(&activity_links(&uploaded.body)[0]).await;
    assert!(
        outside
            .body
            .contains(&format!("Drawn from {positions} positions"))
    );
    assert!(outside.body.contains(r#"<path class="track" d="M"#));
    // Against distance as well.
    let by_distance = browser.get(&format!("{href}?x=distance")).await;
    assert!(by_distance.body.contains(r#"data-axis="km""#));
    // The downloads: the original as uploaded, and a FIT.
    let (status, original) = browser.download(&format!("{href}/original")).await;
    assert_eq!(status, 200);
    assert!(original == ride, "the original is the file as uploaded");
    let fit = browser.get(&format!("{href}/fit")).await;
    assert_eq!(fit.status, 200);
    assert_eq!(fit.headers["content-type"], "application/vnd.ant.fit");
    app.stop().await;
}

async fn the_list_filters_by_sport_dates_and_title(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    upload(
        &mut browser,
        &[
            ("ride.fit", paceline_testdata::file(RIDE)),
            ("run.fit", paceline_testdata::file(RUN)),
        ],
    )
    .await;
    let all = browser.get("/activities").await;
    assert_eq!(activity_links(&all.body).len(), 2);
    let rides = browser.get("/activities?sport=RIDE").await;
    assert_eq!(activity_links(&rides.body).len(), 1);
    assert!(rides.body.contains(r#"<option value="RIDE" selected>"#));
    let titled = browser.get("/activities?q=run+on").await;
    assert_eq!(
        activity_links(&titled.body).len(),
        0,
        "uploads have no title yet"
    );
    let future = browser.get("/activities?from=2100-01-01").await;
    assert!(future.body.contains("No activity matches these filters."));
    let bad = browser.get("/activities?from=yesterday&sport=DANCE").await;
    assert_eq!(bad.status, 200);
    assert!(
        bad.body
            .contains("The from date “yesterday” is not a date like 2026-11-03")
    );
    assert!(bad.body.contains("“DANCE” is not a sport Paceline knows"));
    assert_eq!(
        activity_links(&bad.body).len(),
        2,
        "a filter that does not read narrows nothing"
    );
    app.stop().await;
}

async fn another_athlete_finds_none_of_the_pages(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    athlete(&app, "robin@example.com").await;
    athlete(&app, "eve@example.com").await;
    let mut robin = signed_in(&app, "robin@example.com").await;
    let page = upload(&mut robin, &[("ride.fit", paceline_testdata::file(RIDE))]).await;
    let href = activity_links(&page.body).remove(0);
    let mut eve = signed_in(&app, "eve@example.com").await;
    for path in [
        href.clone(),
        format!("{href}?x=distance"),
        format!("{href}/original"),
        format!("{href}/fit"),
        format!("{href}/delete"),
        "/activities/act_nonsense".to_owned(),
        "/activities/ses_0000000000000".to_owned(),
    ] {
        let page = eve.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.body.contains("You have no activity at this address."),
            "{path}"
        );
    }
    let list = eve.get("/activities").await;
    assert!(activity_links(&list.body).is_empty());
    let form = eve.get("/upload").await;
    let deleted = eve
        .post_form(
            &format!("{href}/delete"),
            &[("csrf", &form.field("csrf")), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 404);
    assert_eq!(robin.get(&href).await.status, 200, "still there");
    app.stop().await;
}

async fn deleting_asks_first_and_needs_the_forms_token(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let page = upload(&mut browser, &[("ride.fit", paceline_testdata::file(RIDE))]).await;
    let href = activity_links(&page.body).remove(0);
    let ask = browser.get(&format!("{href}/delete")).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Delete this activity?"));
    assert!(ask.body.contains("with the file it was made from"));
    let forged = browser
        .post_form(&format!("{href}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(browser.get(&href).await.status, 200, "nothing changed");
    let unconfirmed = browser
        .post_form(&format!("{href}/delete"), &[("csrf", &ask.field("csrf"))])
        .await;
    assert_eq!(
        unconfirmed.location(),
        format!("{href}/delete"),
        "asked again"
    );
    let done = browser
        .post_form(
            &format!("{href}/delete"),
            &[("csrf", &ask.field("csrf")), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(browser.get(&href).await.status, 404);
    assert_eq!(browser.get(&format!("{href}/original")).await.status, 404);
    // An activity a client wrote without a file goes as well.
    let (user, _) = robins(&app).await;
    let id = written(
        &app,
        ActivityType::Run,
        "Easy run",
        datetime!(2026-11-30 07:00 UTC),
        Figures {
            duration_sec: Some(1800.0),
            ..Figures::default()
        },
    )
    .await;
    let href = format!("/activities/{}", id.public());
    let page = browser.get(&href).await;
    assert!(page.body.contains("came without records"), "{}", page.body);
    let ask = browser.get(&format!("{href}/delete")).await;
    assert!(!ask.body.contains("with the file it was made from"));
    let done = browser
        .post_form(
            &format!("{href}/delete"),
            &[("csrf", &ask.field("csrf")), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, 303);
    let listed = app
        .store
        .list_activities(user.id, RecordQuery::page(1, 30))
        .await
        .unwrap();
    assert!(listed.items.is_empty());
    app.stop().await;
}
