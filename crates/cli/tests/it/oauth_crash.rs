//! OAuth state survives a crash (checklist CC03): refresh chains run against the server
//! when it is killed with SIGKILL. Afterwards, on a restarted server, every access token
//! whose response was delivered works, and every refresh token that a delivered rotation
//! spent stays spent.

use crate::harness::{kill9, start_server};
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::authorize;
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::oauth::secret::{Secret, SecretHash};
use paceline_domain::oauth::sessions;
use paceline_domain::oauth::store::OAuthStore;
use paceline_domain::oauth::token::{self, CodeExchange};
use paceline_domain::password::Password;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

on_both_engines!(sigkill_during_refreshes_keeps_oauth_state);

const CHAINS: usize = 6;
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://crash.example/cb";
const SECRET: &str = "crash-test-secret-0123456789-abcdefghijkl";

/// A refresh whose response reached the client: the token it spent and the pair it got.
struct Acknowledged {
    spent: String,
    access: String,
}

async fn sigkill_during_refreshes_keeps_oauth_state(db: TestContext) {
    let store = db.open().await;
    let clock = SystemClock;
    let mut rng = StdRng::from_os_rng();
    let oauth = OAuthSettings::new("http://127.0.0.1");
    let user = UserRequest {
        email: "crash@example.com".into(),
        password: Password::new("crash test password"),
        name: "Crash".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(&store, &clock, user).await.unwrap();
    let registration = Registration {
        name: "Crash".into(),
        redirect_uris: vec![REDIRECT.into()],
        scopes: "profile:read".into(),
        public: false,
        client_id: Some("crash-client".into()),
        secret: Some(Secret::new(SECRET)),
    };
    let (client, _) = clients::register(&store, &clock, &mut rng, registration)
        .await
        .unwrap();
    let (_, session) = sessions::login(
        &store,
        &clock,
        &mut rng,
        &oauth,
        "crash@example.com",
        Password::new("crash test password"),
    )
    .await
    .unwrap();
    let pairs: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", "crash-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "profile:read"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let mut chains = Vec::new();
    for _ in 0..CHAINS {
        let request = authorize::validate(&store, &pairs).await.unwrap();
        let code = authorize::approve(&store, &clock, &mut rng, &oauth, &request, &session)
            .await
            .unwrap();
        let exchange = CodeExchange {
            code: code.expose(),
            redirect_uri: Some(REDIRECT),
            code_verifier: Some(VERIFIER),
        };
        let tokens = token::exchange_code(&store, &clock, &mut rng, &oauth, &client, exchange)
            .await
            .unwrap();
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
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut current = first;
            while started.elapsed() < Duration::from_millis(1500) {
                let response = http
                    .post(format!("{base}/api/oauth/token"))
                    .basic_auth("crash-client", Some(SECRET))
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
