//! OAuth state survives a crash (checklist CC03): refresh chains run against the server
//! when it is killed with SIGKILL. Afterwards, on a restarted server, every access token
//! whose response was delivered works, and every refresh token that a delivered rotation
//! spent stays spent.

use crate::harness::{kill9, start_server};
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::oauth::store::OAuthStore;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

on_both_engines!(sigkill_during_refreshes_keeps_oauth_state);

const CHAINS: usize = 6;

/// A refresh whose response reached the client: the token it spent and the pair it got.
struct Acknowledged {
    spent: String,
    access: String,
}

async fn sigkill_during_refreshes_keeps_oauth_state(db: TestContext) {
    let store = db.open().await;
    let client = api::client(&store, "crash-client").await;
    api::user(&store, "crash@example.com", None, &client, "profile:read").await;
    let mut chains = Vec::new();
    for _ in 0..CHAINS {
        let tokens = api::issue(&store, "crash@example.com", &client, "profile:read").await;
        chains.push(tokens.refresh_token.expose().to_owned());
    }
    store.close().await;

    let server = start_server(&db, &[]).await;
    let base = server.base.clone();
    let acknowledged = Arc::new(Mutex::new(Vec::<Acknowledged>::new()));
    let started = Instant::now();
    let mut workers = Vec::new();
    for first in chains {
        let (base, acknowledged) = (base.clone(), acknowledged.clone());
        let secret = client.secret.clone();
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut current = first;
            while started.elapsed() < Duration::from_millis(1500) {
                let response = http
                    .post(format!("{base}/api/oauth/token"))
                    .basic_auth("crash-client", Some(&secret))
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", current.as_str()),
                    ])
                    .send()
                    .await;
                let Ok(response) = response else { break };
                if response.status() != 200 {
                    break;
                }
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                let next = body["refresh_token"].as_str().unwrap().to_owned();
                acknowledged.lock().await.push(Acknowledged {
                    spent: current.clone(),
                    access: body["access_token"].as_str().unwrap().to_owned(),
                });
                current = next;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    kill9(&server.child);
    let (status, _) = server.wait().await;
    assert!(!status.success());
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await;
    assert!(
        acknowledged.len() >= CHAINS,
        "the burst ran before the kill: {}",
        acknowledged.len()
    );

    let restarted = start_server(&db, &[]).await;
    let http = reqwest::Client::new();
    for ack in acknowledged.iter() {
        let profile = http
            .get(format!("{}/api/external/v1/profile", restarted.base))
            .bearer_auth(&ack.access)
            .send()
            .await
            .unwrap();
        assert_eq!(
            profile.status(),
            200,
            "a delivered access token works after the crash"
        );
    }
    let store = db.open().await;
    for ack in acknowledged.iter() {
        let record = store
            .find_token(&SecretHash::of(&ack.spent))
            .await
            .unwrap()
            .unwrap();
        assert!(
            record.used_at.is_some(),
            "a delivered rotation's spent token stays spent"
        );
    }
    store.close().await;
    restarted.stop_with(15).await;
}
