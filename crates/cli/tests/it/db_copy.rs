//! `paceline db copy`: the demo installation on SQLite (activities with their FIT files,
//! planned sessions, health days, messages) and the tokens and login session made for it,
//! copied to PostgreSQL and back, answers the same requests with the same bytes, keeps
//! the same session working, and hands out no id twice.

use crate::harness::{Server, paceline, run, start_server_with_env};
use paceline_domain::SystemClock;
use paceline_domain::accounts;
use paceline_domain::password::Password;
use paceline_store_sql::{Database, SqlStore};
use paceline_testkit::browser::Browser;
use paceline_testkit::{TestContext, api, on_postgres};
use serde_json::Value;

on_postgres!(an_installation_copied_to_postgresql_and_back_answers_the_same);

const ATHLETE: &str = "alex@demo.paceline.example";
const COACH: &str = "coach@demo.paceline.example";

/// The requests compared, each with the token it is made with (0: the athlete's, 1: the
/// coach's). The activity's, session's and conversation's paths are filled in once their
/// ids are known (`people`: the athlete's id and the coach's; `sent`: a message the coach
/// sent).
fn requests(activity: &str, session: i64, people: (i64, i64), sent: i64) -> Vec<(usize, String)> {
    let (athlete, coach) = people;
    [
        (0, "/api/external/v1/profile".to_owned()),
        (0, "/api/external/v1/activities?per_page=200".to_owned()),
        (0, format!("/api/external/v1/activities/{activity}/fit")),
        (0, "/api/external/v1/daily-wellness?per_page=200".to_owned()),
        (0, "/api/external/v1/sleep-days?per_page=200".to_owned()),
        (0, "/api/users/current/".to_owned()),
        (
            0,
            "/api/sessions/?updated_since_datetime=2000-01-01T00:00:00".to_owned(),
        ),
        (0, format!("/api/sessions/{session}/")),
        (
            0,
            "/api/races/?updated_since_datetime=2000-01-01T00:00:00".to_owned(),
        ),
        (
            0,
            "/api/workouts/?updated_since_datetime=2000-01-01T00:00:00".to_owned(),
        ),
        (0, "/api/contacts/".to_owned()),
        (1, "/api/contacts/".to_owned()),
        // Reading marks what its reader was sent as seen, once: the athlete has read theirs
        // before the first answers; the coach reads only a message of their own, so their
        // unseen count above must move as it was.
        (0, format!("/api/contacts/{coach}/messages/")),
        (0, format!("/api/contacts/{coach}/messages/?limit=3")),
        (1, format!("/api/contacts/{athlete}/messages/{sent}/")),
    ]
    .into()
}

/// Every answer (status and bytes) to `requests` from `server`.
async fn answers(
    server: &Server,
    tokens: &[String],
    requests: &[(usize, String)],
) -> Vec<(u16, Vec<u8>)> {
    let http = reqwest::Client::new();
    let mut all = Vec::new();
    for (who, path) in requests {
        let response = http
            .get(format!("{}{path}", server.base))
            .bearer_auth(&tokens[*who])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        all.push((status, response.bytes().await.unwrap().to_vec()));
    }
    all
}

/// The JSON of `GET path` on `server` with `token`.
async fn get_json(server: &Server, path: &str, token: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The JSON of a new session on `day`, made on `server` with `token`.
async fn new_session(server: &Server, token: &str, day: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/api/sessions/", server.base))
        .bearer_auth(token)
        .form(&[("date", day), ("discipline_id", "8")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn serve(db: &TestContext, url: &str) -> Server {
    start_server_with_env(
        db,
        &[
            ("PACELINE_DATABASE_URL", url),
            ("PACELINE_PUBLIC_URL", "http://paceline.test"),
        ],
    )
    .await
}

async fn copy(db: &TestContext, from: &str, to: &str) -> std::process::Output {
    run(db, &["db", "copy", "--from", from, "--to", to]).await
}

async fn an_installation_copied_to_postgresql_and_back_answers_the_same(db: TestContext) {
    let sqlite = format!("sqlite://{}", db.dir.join("source.sqlite3").display());
    let postgres = db.url.clone();
    let back = format!("sqlite://{}", db.dir.join("back.sqlite3").display());
    // The demo on SQLite, its files in the data folder.
    let seeded = paceline(&db)
        .env("PACELINE_DATABASE_URL", &sqlite)
        .arg("demo")
        .output()
        .await
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    // Tokens of an app for the athlete and the coach.
    let store = SqlStore::open(
        &Database::from_url(&sqlite).unwrap(),
        &paceline_store_sql::OpenOptions::default(),
    )
    .await
    .unwrap();
    for email in [ATHLETE, COACH] {
        accounts::set_password(&store, &SystemClock, email, Password::new(api::PASSWORD))
            .await
            .unwrap();
    }
    let client = api::client(&store, "copy-app").await;
    let scopes =
        "profile:read activities:read body-metrics:read sleep:read wellness:read read write";
    let tokens = vec![
        api::token_for(&store, ATHLETE, &client, scopes).await,
        api::token_for(&store, COACH, &client, scopes).await,
    ];
    store.close().await;

    let server = serve(&db, &sqlite).await;
    // A signed-in browser: its session must survive the move too.
    let mut browser = Browser::new(&server.base);
    let login = browser.get("/login").await;
    let signed_in = browser
        .post_form(
            "/login",
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", "/"),
                ("email", ATHLETE),
                ("password", api::PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let list = get_json(
        &server,
        "/api/external/v1/activities?per_page=1",
        &tokens[0],
    )
    .await;
    let activity = list["items"][0]["id"].as_str().unwrap().to_owned();
    let sessions = get_json(
        &server,
        "/api/sessions/?updated_since_datetime=2000-01-01T00:00:00",
        &tokens[0],
    )
    .await;
    let session = sessions[0]["id"].as_i64().unwrap();
    let athlete = get_json(&server, "/api/users/current/", &tokens[0]).await["id"]
        .as_i64()
        .unwrap();
    let coach = get_json(&server, "/api/contacts/", &tokens[0]).await[0]["id"]
        .as_i64()
        .unwrap();
    let conversation = get_json(
        &server,
        &format!("/api/contacts/{coach}/messages/"),
        &tokens[0],
    )
    .await;
    let messages = conversation.as_array().unwrap();
    assert!(
        messages.iter().any(|m| m["sender_user_id"] == athlete),
        "the demo's conversation goes both ways: {conversation}"
    );
    let sent = messages
        .iter()
        .find(|m| m["sender_user_id"] == coach)
        .and_then(|m| m["id"].as_i64())
        .unwrap();
    let requests = requests(&activity, session, (athlete, coach), sent);
    let before = answers(&server, &tokens, &requests).await;
    for ((status, body), (_, path)) in before.iter().zip(&requests) {
        assert_eq!(*status, 200, "{path}: {}", String::from_utf8_lossy(body));
    }
    let coach_contacts: Value = serde_json::from_slice(&before[11].1).unwrap();
    assert!(
        coach_contacts
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["unseen_messages_count"].as_u64() > Some(0)),
        "the coach has unread messages to carry over: {coach_contacts}"
    );
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");

    // To PostgreSQL.
    let copied = copy(&db, &sqlite, &postgres).await;
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(
        copied.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(
        said.contains("every table's row count and set of keys match"),
        "{said}"
    );
    let rows: u64 = said
        .strip_prefix("Copied ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(rows > 1000, "the demo is more than {rows} rows: {said}");
    // Into a database that now holds rows, never.
    let again = copy(&db, &sqlite, &postgres).await;
    assert_eq!(again.status.code(), Some(1));
    let refusal = String::from_utf8_lossy(&again.stderr);
    assert!(refusal.contains("the target is not empty"), "{refusal}");

    let server = serve(&db, &postgres).await;
    let after = answers(&server, &tokens, &requests).await;
    for ((one, two), (_, path)) in before.iter().zip(&after).zip(&requests) {
        assert_eq!(one.0, two.0, "{path}");
        assert!(
            one.1 == two.1,
            "{path} answers differently on PostgreSQL:\n{}\n{}",
            String::from_utf8_lossy(&one.1),
            String::from_utf8_lossy(&two.1)
        );
    }
    let page = browser.get(&format!("{}/settings", server.base)).await;
    assert_eq!(page.status, 200, "the login session moved with the data");
    // A new record gets an id after every id the source handed out.
    let highest = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .max()
        .unwrap();
    let created = new_session(&server, &tokens[0], "2026-12-07").await;
    let created_id = created["id"].as_i64().unwrap();
    assert!(created_id > highest, "{created_id} after {highest}");
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");

    // And back to a new SQLite file: the same answers, the new session among them.
    let copied = copy(&db, &postgres, &back).await;
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    let server = serve(&db, &back).await;
    let returned = answers(&server, &tokens, &requests).await;
    for (((status, body), (_, path)), original) in returned.iter().zip(&requests).zip(&before) {
        assert_eq!(*status, original.0, "{path}");
        if !path.starts_with("/api/sessions/?") {
            assert!(
                body == &original.1,
                "{path} answers differently after the way back"
            );
        }
    }
    let created_back = get_json(&server, &format!("/api/sessions/{created_id}/"), &tokens[0]).await;
    assert_eq!(created_back["id"], created_id);
    let next = new_session(&server, &tokens[0], "2026-12-08").await;
    assert!(next["id"].as_i64().unwrap() > created_id);
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");
}
