//! Three `paceline serve` processes on one PostgreSQL database and one S3 bucket (moto's,
//! started per test), each with a data folder of its own, as three machines behind a load
//! balancer would be: requests go to one instance after another, and the three answer as one
//! server. Nothing is configured for it but the database, the bucket and the public URL; in
//! particular the rate limits are not set to `shared`, which PostgreSQL makes the default.
//! Background work on what they share (the sweep of orphaned files) runs on one of them.

use crate::harness::{Server, start_server_with_env};
use futures::future::join_all;
use paceline_testkit::browser::{Browser, Page};
use paceline_testkit::s3::{self, S3Server};
use paceline_testkit::{TestContext, api, on_postgres};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

on_postgres!(
    an_authorization_moves_between_instances_and_its_end_reaches_all,
    a_password_change_on_one_instance_ends_the_sessions_of_all,
    a_rate_limit_counts_the_requests_of_every_instance,
    one_file_sent_to_every_instance_at_once_is_one_activity,
    changes_through_one_instance_reach_a_sync_through_another_once,
);

/// The origin the instances are reached at, as behind a load balancer.
const PUBLIC_URL: &str = "http://paceline.test";
const EMAIL: &str = "max@example.com";

/// The instances and the bucket they share.
struct Instances {
    servers: Vec<Server>,
    http: reqwest::Client,
    _bucket: S3Server,
}

impl Instances {
    /// Three instances; `config` is the text of a configuration file they all read.
    async fn start(db: &TestContext, config: &str) -> Option<Self> {
        let bucket = s3::start("paceline-instances").await?;
        let config_file = db.dir.join("paceline.toml");
        std::fs::write(&config_file, config).unwrap();
        let mut servers = Vec::new();
        for n in 0..3 {
            let data = db.dir.join(format!("instance-{n}"));
            let data = data.to_str().unwrap();
            let config_file = config_file.to_str().unwrap();
            servers.push(
                start_server_with_env(
                    db,
                    &[
                        ("PACELINE_DATA_DIR", data),
                        ("PACELINE_CONFIG", config_file),
                        ("PACELINE_PUBLIC_URL", PUBLIC_URL),
                        ("PACELINE_S3_BUCKET", &bucket.bucket),
                        ("PACELINE_S3_ENDPOINT", &bucket.endpoint),
                        ("PACELINE_S3_ALLOW_HTTP", "true"),
                        ("PACELINE_S3_ACCESS_KEY_ID", s3::ACCESS_KEY_ID),
                        ("PACELINE_S3_SECRET_ACCESS_KEY", s3::SECRET_ACCESS_KEY),
                    ],
                )
                .await,
            );
        }
        Some(Self {
            servers,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _bucket: bucket,
        })
    }

    /// `path` on instance `n` (of any number: they take turns).
    fn url(&self, n: usize, path: &str) -> String {
        let path = path.strip_prefix(PUBLIC_URL).unwrap_or(path);
        format!("{}{path}", self.servers[n % self.servers.len()].base)
    }

    async fn get(&self, n: usize, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(n, path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A form sent with a bearer token (a body for every method but GET and DELETE).
    async fn send(
        &self,
        n: usize,
        method: reqwest::Method,
        path: &str,
        token: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method.clone(), self.url(n, path))
            .bearer_auth(token);
        if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
            request = request.form(form);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, body)
    }

    /// The token endpoint on instance `n`, the client authenticated with its secret.
    async fn token(
        &self,
        n: usize,
        client: &api::ApiClient,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(n, "/api/oauth/token"))
            .basic_auth(&client.client_id, Some(&client.secret))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// The status of a list of activities read with `token` on every instance.
    async fn read_everywhere(&self, token: &str) -> Vec<u16> {
        let mut statuses = Vec::new();
        for n in 0..self.servers.len() {
            let response = self.get(n, "/api/external/v1/activities", token).await;
            statuses.push(response.status().as_u16());
        }
        statuses
    }

    /// Stops every instance and checks that each ended cleanly, and that the sweep of the
    /// shared files, which each offers to run as it starts, ran on exactly one.
    async fn stop(self) {
        let mut sweeps = 0;
        for server in self.servers {
            let (status, log) = server.stop_with(15).await;
            assert!(status.success(), "{log}");
            sweeps += log
                .lines()
                .filter(|line| line.contains("background job ran") && line.contains("orphan-sweep"))
                .count();
        }
        assert_eq!(sweeps, 1, "the orphan sweep ran on {sweeps} instances");
    }
}

/// A client, and the athlete `EMAIL` (password [`api::PASSWORD`]) with a token for
/// `scopes` of another client (so that the first has no grant yet).
async fn seed(db: &TestContext, scopes: &str) -> (api::ApiClient, api::ApiUser) {
    let store = db.open().await;
    let client = api::client(&store, "instances-app").await;
    let other = api::client(&store, "instances-other-app").await;
    let athlete = api::user(&store, EMAIL, None, &other, scopes).await;
    store.close().await;
    (client, athlete)
}

fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Signs `EMAIL` in through instance `n`'s login form.
async fn signed_in(instances: &Instances, n: usize) -> Browser {
    let mut browser = Browser::new(&instances.url(n, ""));
    let login = browser.get(&instances.url(n, "/login")).await;
    let after = browser
        .post_form(
            &instances.url(n + 1, "/login"),
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", "/"),
                ("email", EMAIL),
                ("password", api::PASSWORD),
            ],
        )
        .await;
    assert_eq!(after.status, 303, "{}", after.body);
    browser
}

async fn an_authorization_moves_between_instances_and_its_end_reaches_all(db: TestContext) {
    let (client, _) = seed(&db, "activities:read").await;
    let Some(instances) = Instances::start(&db, "").await else {
        return;
    };
    // The browser's part: the authorization request on the first instance, the login on
    // the second, the consent page from the third, the decision back on the first.
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.client_id)
        .append_pair("redirect_uri", api::REDIRECT)
        .append_pair("scope", "activities:read")
        .append_pair("state", "st4te")
        .append_pair("code_challenge", api::CHALLENGE)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let mut browser = Browser::new(&instances.url(0, ""));
    let login = browser
        .get(&instances.url(0, &format!("/oauth/authorize?{query}")))
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert!(login.body.contains("<h1>Sign in</h1>"), "{}", login.body);
    let after = browser
        .post_form(
            &instances.url(1, "/login"),
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", &login.field("return_to")),
                ("email", EMAIL),
                ("password", api::PASSWORD),
            ],
        )
        .await;
    assert_eq!(after.status, 303, "{}", after.body);
    let consent: Page = browser.get(&instances.url(2, after.location())).await;
    assert_eq!(consent.status, 200, "{}", consent.body);
    let decision = browser
        .post_form(
            &instances.url(0, "/oauth/authorize"),
            &[
                ("csrf", &consent.field("csrf")),
                ("request", &consent.field("request")),
                ("ticket", &consent.field("ticket")),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(decision.status, 303, "{}", decision.body);
    assert!(decision.location().starts_with(api::REDIRECT));
    let redirect = query_of(decision.location());
    assert_eq!(redirect["state"], "st4te");

    // The client's part: the code exchanged on the second instance, once.
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", redirect["code"].as_str()),
        ("redirect_uri", api::REDIRECT),
        ("code_verifier", api::VERIFIER),
    ];
    let (status, first) = instances.token(1, &client, &exchange).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = instances.token(2, &client, &exchange).await;
    assert_eq!(status, 400, "a code is spent on every instance: {again}");
    assert_eq!(again["error"], "invalid_grant");
    let access1 = first["access_token"].as_str().unwrap();
    let refresh1 = first["refresh_token"].as_str().unwrap();
    // The reused code revoked what it produced, on every instance (RFC 6749 §4.1.2).
    assert_eq!(instances.read_everywhere(access1).await, [401, 401, 401]);

    // A second authorization, approved without a page (the grant is remembered).
    let store = db.open().await;
    let issued = api::issue(&store, EMAIL, &client, "activities:read").await;
    store.close().await;
    let access1 = issued.access_token.expose().to_owned();
    let refresh1_again = issued.refresh_token.expose().to_owned();
    assert_ne!(refresh1, refresh1_again);
    let refresh1 = refresh1_again;
    assert_eq!(instances.read_everywhere(&access1).await, [200, 200, 200]);

    // Rotation: refreshed on the third instance, the old token reused on the first.
    let (status, second) = instances
        .token(
            2,
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh1),
            ],
        )
        .await;
    assert_eq!(status, 200, "{second}");
    let access2 = second["access_token"].as_str().unwrap();
    let refresh2 = second["refresh_token"].as_str().unwrap();
    assert_eq!(instances.read_everywhere(access2).await, [200, 200, 200]);
    let (status, reuse) = instances
        .token(
            0,
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh1),
            ],
        )
        .await;
    assert_eq!(status, 400, "{reuse}");
    assert_eq!(reuse["error"], "invalid_grant");
    // Reuse revoked the whole family, seen at once by every instance.
    let (status, after_reuse) = instances
        .token(
            1,
            &client,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh2)],
        )
        .await;
    assert_eq!(status, 400, "{after_reuse}");
    assert_eq!(instances.read_everywhere(access2).await, [401, 401, 401]);
    assert_eq!(instances.read_everywhere(&access1).await, [401, 401, 401]);

    // Revocation on one instance ends the token on every other, with no delay.
    let store = db.open().await;
    let issued = api::issue(&store, EMAIL, &client, "activities:read").await;
    store.close().await;
    let access3 = issued.access_token.expose().to_owned();
    assert_eq!(instances.read_everywhere(&access3).await, [200, 200, 200]);
    let revoked = instances
        .http
        .post(instances.url(1, "/api/oauth/revoke"))
        .basic_auth(&client.client_id, Some(&client.secret))
        .form(&[("token", access3.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(instances.read_everywhere(&access3).await, [401, 401, 401]);
    instances.stop().await;
}

async fn a_password_change_on_one_instance_ends_the_sessions_of_all(db: TestContext) {
    seed(&db, "activities:read").await;
    let Some(instances) = Instances::start(&db, "").await else {
        return;
    };
    let mut here = signed_in(&instances, 0).await;
    let mut elsewhere = signed_in(&instances, 1).await;
    for n in 0..3 {
        assert_eq!(
            elsewhere.get(&instances.url(n, "/settings")).await.status,
            200
        );
    }
    let page = here.get(&instances.url(2, "/settings")).await;
    let changed = here
        .post_form(
            &instances.url(0, "/settings"),
            &[
                ("csrf", &page.field("csrf")),
                ("form", "password"),
                ("current", api::PASSWORD),
                ("new", "a brand new password"),
                ("repeat", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    for n in 0..3 {
        let settings = elsewhere.get(&instances.url(n, "/settings")).await;
        assert_eq!(
            settings.status, 303,
            "instance {n} still knows the old session"
        );
        assert!(
            settings.location().contains("/login"),
            "{}",
            settings.location()
        );
        assert_eq!(
            here.get(&instances.url(n, "/settings")).await.status,
            200,
            "the browser that changed it stays signed in on instance {n}"
        );
    }
    instances.stop().await;
}

async fn a_rate_limit_counts_the_requests_of_every_instance(db: TestContext) {
    const LIMIT: usize = 30;
    let (_, athlete) = seed(&db, "profile:read").await;
    let config = format!("[rate_limit]\napi_per_token = {LIMIT}\n");
    let Some(instances) = Instances::start(&db, &config).await else {
        return;
    };
    // Three times the limit, one instance after another, as fast as they answer.
    let started = std::time::Instant::now();
    let mut admitted = 0;
    let mut refused = Vec::new();
    for n in 0..3 * LIMIT {
        let response = instances
            .get(n, "/api/external/v1/profile", &athlete.access_token)
            .await;
        match response.status() {
            StatusCode::OK => admitted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let wait: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                refused.push((n % 3, wait));
            }
            other => panic!("request {n}: {other}"),
        }
    }
    // GCRA over 60 s: a burst of the limit, then one more every 60 s / limit; the burst
    // above took `elapsed`, in which at most elapsed / 2 s + 1 further requests came due.
    let interval = 60.0 / LIMIT as f64;
    let refill = (started.elapsed().as_secs_f64() / interval).floor() as usize + 1;
    assert!(
        (LIMIT..=LIMIT + refill).contains(&admitted),
        "{admitted} admitted by three instances with a limit of {LIMIT} (refill {refill})"
    );
    for instance in 0..3 {
        assert!(
            refused.iter().any(|(n, _)| *n == instance),
            "instance {instance} never refused"
        );
    }
    // Each refusal says when the next request is due: no later than one interval.
    for (n, wait) in &refused {
        assert!(
            (1..=interval.ceil() as u64).contains(wait),
            "instance {n}: Retry-After {wait}"
        );
    }
    // Waiting as long as the last refusal said, a request passes on another instance; the
    // one after it is refused again everywhere.
    let (last, wait) = *refused.last().unwrap();
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let next = instances
        .get(last + 1, "/api/external/v1/profile", &athlete.access_token)
        .await;
    assert_eq!(next.status(), 200, "after Retry-After: {wait} s");
    let again = instances
        .get(last + 2, "/api/external/v1/profile", &athlete.access_token)
        .await;
    assert_eq!(again.status(), 429);
    instances.stop().await;
}

/// A multipart form with `bytes` as the file `name`.
fn file_form(name: &str, bytes: &[u8]) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    )
}

/// `bytes` posted as the file `name` to `path` on every instance at once: each answer's
/// status and JSON body.
async fn to_every_instance(
    instances: &Instances,
    path: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> Vec<(u16, Value)> {
    let sends = (0..instances.servers.len()).map(|n| {
        let request = instances
            .http
            .post(instances.url(n, path))
            .bearer_auth(token)
            .multipart(file_form(name, bytes));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    });
    join_all(sends).await
}

async fn one_file_sent_to_every_instance_at_once_is_one_activity(db: TestContext) {
    let (_, athlete) = seed(&db, "activities:read activities:write read write upload").await;
    let Some(instances) = Instances::start(&db, "").await else {
        return;
    };
    let token = athlete.access_token.as_str();
    // Train it All: the same FIT to the three at once.
    let fit = paceline_testdata::file("fit/fitsdkjs__Activity.fit");
    let answers = to_every_instance(
        &instances,
        "/api/external/v1/fit-files",
        token,
        "ride.fit",
        &fit,
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 201], "{answers:?}");
    let id = answers.iter().find(|(s, _)| *s == 201).unwrap().1["id"].clone();
    for (status, body) in &answers {
        assert_eq!(body["id"], id, "{body}");
        assert_eq!(body["duplicate"] == true, *status == 200, "{body}");
    }
    // Xhale: another FIT to the three at once.
    let other = paceline_testdata::file("fit/pyfitparse__garmin-fenix-5-run.fit");
    let answers = to_every_instance(&instances, "/api/uploads/", token, "run.fit", &other).await;
    let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 201], "{answers:?}");
    let xhale_id = answers[0].1["id"].clone();
    assert!(
        answers.iter().all(|(_, body)| body["id"] == xhale_id),
        "{answers:?}"
    );
    // Two activities, whichever instance lists them, and each file downloads whole from
    // every instance.
    for n in 0..3 {
        let (status, list) = instances
            .send(
                n,
                reqwest::Method::GET,
                "/api/external/v1/activities",
                token,
                &[],
            )
            .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
        let id = id.as_str().unwrap();
        let download = instances
            .get(n, &format!("/api/external/v1/activities/{id}/fit"), token)
            .await;
        assert_eq!(download.status(), 200);
        assert!(download.bytes().await.unwrap().as_ref() == fit.as_slice());
    }
    instances.stop().await;
}

async fn changes_through_one_instance_reach_a_sync_through_another_once(db: TestContext) {
    let (_, athlete) = seed(&db, "read write").await;
    let Some(instances) = Instances::start(&db, "").await else {
        return;
    };
    let token = athlete.access_token.as_str();
    let post = reqwest::Method::POST;
    let mut made = Vec::new();
    for (n, day) in ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"]
        .iter()
        .enumerate()
    {
        let (status, session) = instances
            .send(
                n,
                post.clone(),
                "/api/sessions/",
                token,
                &[("date", day), ("discipline_id", "8")],
            )
            .await;
        assert_eq!(status, 201, "{session}");
        made.push(session["id"].as_i64().unwrap());
    }
    // The client's sync point: the time of its last full sync, through the third instance.
    let since = first_sync(&instances, token, &made).await;
    let patch = reqwest::Method::PATCH;
    let (status, _) = instances
        .send(
            0,
            patch,
            &format!("/api/sessions/{}/", made[1]),
            token,
            &[("completed_minutes", "40")],
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = instances
        .send(
            1,
            reqwest::Method::DELETE,
            &format!("/api/sessions/{}/", made[2]),
            token,
            &[],
        )
        .await;
    assert_eq!(status, 204);
    let (status, added) = instances
        .send(
            0,
            post,
            "/api/sessions/",
            token,
            &[("date", "2026-12-11"), ("discipline_id", "14")],
        )
        .await;
    assert_eq!(status, 201);
    let added = added["id"].as_i64().unwrap();
    // Every instance gives the same changes, each once.
    for n in 0..3 {
        let (status, changes) = instances
            .send(
                n + 2,
                reqwest::Method::GET,
                &format!("/api/sessions/?updated_since_datetime={since}"),
                token,
                &[],
            )
            .await;
        assert_eq!(status, 200, "{changes}");
        let mut ids: Vec<i64> = changes
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        let mut expected = vec![made[1], made[2], added];
        expected.sort_unstable();
        assert_eq!(ids, expected, "instance {}", (n + 2) % 3);
        for session in changes.as_array().unwrap() {
            let id = session["id"].as_i64().unwrap();
            assert_eq!(session["deleted"], id == made[2], "{session}");
            if id == made[1] {
                assert_eq!(session["completed_minutes"], 40, "{session}");
            }
        }
    }
    instances.stop().await;
}

/// Lists everything changed since before the sessions were made, through the third
/// instance; returns the next sync's starting point. `updated_since_datetime` includes its
/// instant, so a client resumes a microsecond after the newest `datetime_updated` it saw
/// (a point taken from its own clock, or from one instance's, would not do across
/// machines).
async fn first_sync(instances: &Instances, token: &str, made: &[i64]) -> String {
    let (status, all) = instances
        .send(
            2,
            reqwest::Method::GET,
            "/api/sessions/?updated_since_datetime=2000-01-01T00:00:00",
            token,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{all}");
    let sessions = all.as_array().unwrap();
    assert_eq!(sessions.len(), made.len(), "{all}");
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]"
    );
    let newest = sessions
        .iter()
        .map(|s| {
            time::PrimitiveDateTime::parse(s["datetime_updated"].as_str().unwrap(), format).unwrap()
        })
        .max()
        .unwrap();
    (newest + time::Duration::microseconds(1))
        .format(format)
        .unwrap()
}
