use crate::harness::{
    admin_json, paceline, run, start_server, start_server_in, start_server_with_env,
};
use paceline_domain::email::Email;
use paceline_domain::password::Password;
use paceline_domain::store::AccountStore;
use paceline_testkit::{Engine, TestContext, on_both_engines, with_database};
use serde_json::Value;

const SIGTERM: i32 = 15;

on_both_engines!(
    serve_demo_seeds_logins_that_work,
    sigterm_stops_the_server_cleanly,
    logs_never_carry_credentials,
    an_administrator_token_opens_the_admin_api,
);

/// A fresh folder, no configuration at all: `paceline serve` creates its SQLite database
/// under ./paceline-data, migrates it and answers.
#[tokio::test]
async fn serve_runs_on_embedded_defaults() {
    with_database(
        Engine::Sqlite,
        "serve_runs_on_embedded_defaults",
        |db| async move {
            let fresh = db.dir.join("fresh");
            std::fs::create_dir(&fresh).unwrap();
            let server = start_server_in(&db, &fresh, &[], false).await;
            let ready: Value = reqwest::get(format!("{}/readyz", server.base))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(
                ready,
                serde_json::json!({ "status": "ready", "database": "sqlite", "files": "local" })
            );
            assert!(fresh.join("paceline-data/paceline.sqlite3").is_file());
            assert!(fresh.join("paceline-data/files").is_dir());
            let (status, log) = server.stop_with(SIGTERM).await;
            assert!(status.success(), "{log}");
        },
    )
    .await;
}

async fn sigterm_stops_the_server_cleanly(db: TestContext) {
    let server = start_server(&db, &[]).await;
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let (status, log) = server.stop_with(SIGTERM).await;
    assert!(status.success(), "{log}");
    assert!(log.contains("shutdown signal received"), "{log}");
    assert!(log.contains("shutdown complete"), "{log}");
}

async fn serve_demo_seeds_logins_that_work(db: TestContext) {
    let server = start_server(&db, &["--demo"]).await;
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let (status, output) = server.stop_with(SIGTERM).await;
    assert!(status.success(), "{output}");
    assert!(
        output.contains("Created the demo organization \"Paceline Demo Coaching\""),
        "{output}"
    );

    let logins = parse_logins(&output);
    assert_eq!(logins.len(), 3, "{output}");
    let store = db.open().await;
    assert_logins_work(&store, &logins).await;
    let coach = store
        .find_user_by_email(&Email::parse(&logins[0].0).unwrap())
        .await
        .unwrap()
        .unwrap();
    let membership = store
        .memberships_of_user(coach.id)
        .await
        .unwrap()
        .remove(0)
        .membership;
    assert_eq!(
        store
            .assignments_of_coach(membership.id)
            .await
            .unwrap()
            .len(),
        2
    );

    // Each athlete has a season: recorded training with its streams, health days, the
    // coach's plan and a conversation.
    assert!(
        output.contains("Alex Athlete: ") && output.contains("activities from the last 6 weeks"),
        "{output}"
    );
    let season = season_of(&store, &logins[1].0).await;
    assert!(season.0 >= 15, "{season:?} activities");
    assert!(season.1, "the latest activity keeps its records");
    assert!(season.2 >= 50, "{season:?} sleep days");
    assert!(season.3 >= 1, "{season:?} messages");

    // Seeding again keeps the people and gives them new passwords that work.
    let again = run(&db, &["demo"]).await;
    assert!(again.status.success());
    let again = String::from_utf8(again.stdout).unwrap();
    assert!(again.contains("Refreshed the demo organization"), "{again}");
    assert!(!again.contains("activities from the last"), "{again}");
    assert_eq!(
        season_of(&store, &logins[1].0).await,
        season,
        "nothing added twice"
    );
    let new_logins = parse_logins(&again);
    assert_ne!(new_logins, logins);
    assert_logins_work(&store, &new_logins).await;
    assert_eq!(
        admin_json(&db, &["user", "list"])
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn assert_logins_work(store: &paceline_store_sql::SqlStore, logins: &[(String, String)]) {
    for (email, password) in logins {
        let user = store
            .find_user_by_email(&Email::parse(email).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(
            user.password_hash.verify(&Password::new(password.as_str())),
            "{email}"
        );
    }
}

/// An athlete's activities, whether the latest has record streams, sleep days and messages.
async fn season_of(
    store: &paceline_store_sql::SqlStore,
    email: &str,
) -> (usize, bool, usize, usize) {
    use paceline_domain::activities::ActivityStore;
    use paceline_domain::daily::DailyStore;
    use paceline_domain::listing::RecordQuery;
    use paceline_domain::messaging::MessageStore;
    let user = store
        .find_user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let activities = store
        .list_activities(user.id, RecordQuery::page(1, 200))
        .await
        .unwrap()
        .items;
    let detail = store
        .activity_detail(user.id, activities[0].id)
        .await
        .unwrap()
        .unwrap();
    let sleep = store
        .list_sleep_days(user.id, RecordQuery::page(1, 200))
        .await
        .unwrap()
        .items
        .len();
    let messages: u64 = store
        .unseen_counts(user.id)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    (
        activities.len(),
        detail.streams.points > 1000,
        sleep,
        messages as usize,
    )
}

/// `(email, password)` from the demo's printout.
fn parse_logins(output: &str) -> Vec<(String, String)> {
    output
        .lines()
        .filter_map(|line| {
            let (left, password) = line.split_once("password: ")?;
            let email = left.split_whitespace().find(|w| w.contains('@'))?;
            Some((email.to_owned(), password.trim().to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn config_check_redacts_secrets() {
    with_database(
        Engine::Sqlite,
        "config_check_redacts_secrets",
        |db| async move {
            let output = paceline(&db)
                .env(
                    "PACELINE_DATABASE_URL",
                    "postgres://paceline:hunter2@db.internal/pl",
                )
                .args(["config", "check"])
                .output()
                .await
                .unwrap();
            assert!(output.status.success());
            let text = String::from_utf8(output.stdout).unwrap();
            assert!(
                text.contains("database.url = \"postgres://paceline:***@db.internal/pl\""),
                "{text}"
            );
            assert!(!text.contains("hunter2"));
        },
    )
    .await;
}

/// Requests are logged by method, path and id; query strings (authorization codes), tokens,
/// cookies and the database password never reach the log, even at debug level.
async fn logs_never_carry_credentials(db: TestContext) {
    let server = start_server(&db, &["--log", "debug"]).await;
    let response = reqwest::Client::new()
        .get(format!(
            "{}/readyz?code=SECRET-CODE-123&state=s",
            server.base
        ))
        .header("authorization", "Bearer tia_at_SECRET-TOKEN")
        .header("cookie", "session=SECRET-COOKIE")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, log) = server.stop_with(SIGTERM).await;
    assert!(status.success(), "{log}");
    assert!(log.contains("\"path\":\"/readyz\""), "{log}");
    assert!(log.contains("request done"), "{log}");
    assert!(!log.contains("SECRET"), "{log}");
    if let Some(password) = db
        .url
        .split('@')
        .next()
        .and_then(|userinfo| userinfo.split(':').nth(2))
    {
        assert!(!log.contains(password), "the database password leaked");
    }
}

async fn an_administrator_token_opens_the_admin_api(db: TestContext) {
    let token = "0123456789abcdef0123456789abcdef-admin";
    let server = start_server_with_env(&db, &[("PACELINE_ADMIN_TOKEN", token)]).await;
    let client = reqwest::Client::new();
    let listed = client
        .get(format!("{}/api/admin/clients", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let (status, log) = server.stop_with(SIGTERM).await;
    assert!(status.success(), "{log}");
    assert!(!log.contains(token), "the token never reaches the log");

    let short = paceline(&db)
        .env("PACELINE_ADMIN_TOKEN", "short")
        .args(["config", "check"])
        .output()
        .await
        .unwrap();
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32"));
}
