//! Coaching companies: an owner acts as coach for every athlete of the company, an assigned
//! coach for theirs, nobody outside it; `GET /api/athletes/` lists whom each may act for;
//! an assignment ended takes effect on the next request.

use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::Role;
use paceline_domain::password::Password;
use paceline_testkit::api::{self, ApiClient};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(owners_act_for_every_athlete_of_their_company);

struct Member {
    id: i64,
    token: String,
}

async fn member(app: &TestApp, client: &ApiClient, email: &str, org: &str, role: Role) -> Member {
    let store = app.store.as_ref();
    let request = UserRequest {
        email: email.into(),
        password: Password::new("a long enough password"),
        name: format!("{role} {email}"),
        organization: Some(org.into()),
        role: Some(role),
    };
    let user = accounts::create_user(store, &SystemClock, request)
        .await
        .unwrap()
        .user;
    let token = api::token_for(store, email, client, "read write").await;
    Member {
        id: user.id.get(),
        token,
    }
}

/// A request with the form of a new session (which reads ignore), and its answer.
pub(super) async fn status(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
) -> (u16, Value) {
    let response = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(token)
        .form(&[("date", "2015-01-14"), ("discipline_id", "6")])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn athletes(app: &TestApp, who: &Member) -> Vec<(i64, Vec<i64>)> {
    let (code, list) = status(app, &who.token, reqwest::Method::GET, "/api/athletes/").await;
    assert_eq!(code, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let coaches = a["coach_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_i64().unwrap())
                .collect();
            (a["id"].as_i64().unwrap(), coaches)
        })
        .collect()
}

async fn owners_act_for_every_athlete_of_their_company(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let store = app.store.as_ref();
    for team in ["Company A", "Company B"] {
        accounts::create_organization(store, &SystemClock, team)
            .await
            .unwrap();
    }
    let client = api::client(store, "company-app").await;
    let owner = member(&app, &client, "owner@a.example", "Company A", Role::Owner).await;
    let coach = member(&app, &client, "coach@a.example", "Company A", Role::Coach).await;
    let other_coach = member(&app, &client, "other@a.example", "Company A", Role::Coach).await;
    let athlete = member(&app, &client, "ath@a.example", "Company A", Role::Athlete).await;
    let uncoached = member(&app, &client, "solo@a.example", "Company A", Role::Athlete).await;
    let owner_b = member(&app, &client, "owner@b.example", "Company B", Role::Owner).await;
    let athlete_b = member(&app, &client, "ath@b.example", "Company B", Role::Athlete).await;
    accounts::assign_coach(
        store,
        &SystemClock,
        "coach@a.example",
        "ath@a.example",
        None,
    )
    .await
    .unwrap();

    // Lists and creates for an athlete, by who asks.
    use reqwest::Method;
    let for_athlete = |id: i64, route: &str| format!("{route}?athlete={id}");
    let routes = [
        "/api/sessions/",
        "/api/races/",
        "/api/workouts/",
        "/api/uploads/pending/",
    ];
    for route in routes {
        let path = for_athlete(athlete.id, route);
        for (who, expected) in [
            (&owner, 200),
            (&coach, 200),
            (&other_coach, 403),
            (&uncoached, 403),
            (&owner_b, 403),
        ] {
            let (code, body) = status(&app, &who.token, Method::GET, &path).await;
            assert_eq!(code, expected, "GET {path}: {body}");
        }
        let path = for_athlete(uncoached.id, route);
        assert_eq!(
            status(&app, &owner.token, Method::GET, &path).await.0,
            200,
            "{path}"
        );
        assert_eq!(
            status(&app, &coach.token, Method::GET, &path).await.0,
            403,
            "{path}"
        );
        let path = for_athlete(athlete_b.id, route);
        assert_eq!(
            status(&app, &owner.token, Method::GET, &path).await.0,
            403,
            "{path}"
        );
        // An owner does not reach a coach's own training.
        let path = for_athlete(coach.id, route);
        assert_eq!(
            status(&app, &owner.token, Method::GET, &path).await.0,
            403,
            "{path}"
        );
    }

    // The owner plans a session; it is reached by id by those who may, 404 for the rest.
    let (code, session) = status(
        &app,
        &owner.token,
        Method::POST,
        &for_athlete(athlete.id, "/api/sessions/"),
    )
    .await;
    assert_eq!(code, 201, "{session}");
    let one = format!("/api/sessions/{}/", session["id"]);
    for (who, expected) in [
        (&owner, 200),
        (&coach, 200),
        (&athlete, 200),
        (&other_coach, 404),
        (&owner_b, 404),
    ] {
        assert_eq!(
            status(&app, &who.token, Method::GET, &one).await.0,
            expected
        );
    }
    assert_eq!(session["session_plan_editable"], true);

    // Whom each may act for.
    let mut listed = athletes(&app, &owner).await;
    listed.sort();
    let mut expected = vec![(athlete.id, vec![coach.id]), (uncoached.id, vec![])];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(athletes(&app, &coach).await, [(athlete.id, vec![coach.id])]);
    assert!(athletes(&app, &other_coach).await.is_empty());
    assert!(athletes(&app, &athlete).await.is_empty());
    assert_eq!(athletes(&app, &owner_b).await, [(athlete_b.id, vec![])]);

    // The assignment ends: the coach's next request is refused.
    accounts::unassign_coach(store, "coach@a.example", "ath@a.example", None)
        .await
        .unwrap();
    let path = for_athlete(athlete.id, "/api/sessions/");
    assert_eq!(status(&app, &coach.token, Method::GET, &path).await.0, 403);
    assert_eq!(status(&app, &coach.token, Method::GET, &one).await.0, 404);
    assert!(athletes(&app, &coach).await.is_empty());
    assert_eq!(status(&app, &owner.token, Method::GET, &path).await.0, 200);
    app.stop().await;
}
