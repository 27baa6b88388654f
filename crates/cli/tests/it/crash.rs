//! No acknowledged write is lost when processes die: a burst of `paceline admin` writes runs
//! beside the server; the server and some writers are killed with SIGKILL mid-burst. Every
//! write that was reported done must be there afterwards, whole, and the restarted server
//! must be ready.

use crate::harness::{admin_json, kill9, paceline, start_server};
use paceline_domain::store::AccountStore;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

on_both_engines!(
    sigkill_mid_burst_loses_no_acknowledged_write,
    sigkill_during_migrations_leaves_a_database_that_starts,
);

const WRITERS: usize = 48;
const PARALLEL: usize = 6;

async fn sigkill_mid_burst_loses_no_acknowledged_write(db: TestContext) {
    admin_json(&db, &["org", "create", "--name", "Crash Club"]).await;
    let server = start_server(&db, &[]).await;
    let mut server = Some(server);

    let mut acknowledged: BTreeMap<String, i64> = BTreeMap::new();
    let mut killed_writers = 0;
    for wave in 0..WRITERS / PARALLEL {
        let mut children = Vec::new();
        for i in 0..PARALLEL {
            let email = format!("w{wave}-{i}@example.com");
            let mut command = paceline(&db);
            command
                .args([
                    "admin",
                    "user",
                    "create",
                    "--email",
                    &email,
                    "--password",
                    "long enough",
                ])
                .args(["--name", "Writer", "--json"])
                .args(if i % 2 == 0 {
                    vec!["--org", "Crash Club"]
                } else {
                    vec![]
                })
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            children.push((email, command.spawn().unwrap()));
        }
        // Mid-burst: kill the server, and kill one writer of every other wave at a moment
        // that varies from wave to wave.
        if wave == 2
            && let Some(server) = server.take()
        {
            kill9(&server.child);
            let (status, _) = server.wait().await;
            assert!(!status.success(), "the server was killed");
        }
        if wave % 2 == 1 {
            tokio::time::sleep(Duration::from_millis(20 * wave as u64)).await;
            kill9(&children[wave % PARALLEL].1);
            killed_writers += 1;
        }
        for (email, child) in children {
            let output = child.wait_with_output().await.unwrap();
            if output.status.success() {
                let created: Value = serde_json::from_slice(&output.stdout).unwrap();
                acknowledged.insert(email, created["id"].as_i64().unwrap());
            }
        }
    }
    assert!(killed_writers > 0);
    assert!(
        acknowledged.len() >= WRITERS - killed_writers,
        "{} acknowledged",
        acknowledged.len()
    );

    // A fresh server starts on the same database and is ready.
    let restarted = start_server(&db, &[]).await;
    let ready = reqwest::get(format!("{}/readyz", restarted.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    // Every acknowledged user is there with the id it was given, and every user present,
    // acknowledged or not, is whole: it has its membership.
    let listed = admin_json(&db, &["user", "list"]).await;
    let present: BTreeMap<String, i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap().to_owned(),
                u["id"].as_i64().unwrap(),
            )
        })
        .collect();
    for (email, id) in &acknowledged {
        assert_eq!(
            present.get(email),
            Some(id),
            "acknowledged {email} is missing or changed"
        );
    }
    let store = db.open().await;
    for user in store.list_users().await.unwrap() {
        assert_eq!(
            store.memberships_of_user(user.id).await.unwrap().len(),
            1,
            "{}",
            user.email
        );
    }
    if db.engine == paceline_testkit::Engine::Sqlite {
        assert_eq!(
            store
                .query_scalar_text("PRAGMA integrity_check")
                .await
                .unwrap(),
            "ok"
        );
    }
    store.close().await;
    restarted.stop_with(15).await;
}

/// CC04: `paceline migrate` killed at different moments (on SQLite, each time on a fresh
/// file, so that the kill lands inside the migrations) leaves a database that migrates and
/// serves; each migration is one transaction.
async fn sigkill_during_migrations_leaves_a_database_that_starts(db: TestContext) {
    let sqlite = db.engine == paceline_testkit::Engine::Sqlite;
    let mut urls = Vec::new();
    for (i, delay) in [0u64, 2, 5, 10, 20, 40].into_iter().enumerate() {
        let url = if sqlite {
            format!(
                "sqlite://{}",
                db.dir.join(format!("m{i}.sqlite3")).display()
            )
        } else {
            db.url.clone()
        };
        let mut command = paceline(&db);
        command
            .env("PACELINE_DATABASE_URL", &url)
            .args(["migrate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(delay)).await;
        kill9(&child);
        let _ = child.wait().await;
        urls.push(url);
    }
    for url in urls {
        let output = paceline(&db)
            .env("PACELINE_DATABASE_URL", &url)
            .args(["migrate"])
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{url}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if sqlite {
            let path = url.trim_start_matches("sqlite://");
            let store = paceline_store_sql::SqlStore::open(
                &paceline_store_sql::Database::Sqlite(path.into()),
                &paceline_store_sql::OpenOptions::default(),
            )
            .await
            .unwrap();
            assert_eq!(
                store
                    .query_scalar_text("PRAGMA integrity_check")
                    .await
                    .unwrap(),
                "ok"
            );
            store.close().await;
        }
    }
    let server = start_server(&db, &[]).await;
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    server.stop_with(15).await;
}
