//! The whole OAuth flow driven by real client libraries that nobody here wrote:
//! oauth4webapi and openid-client (Node.js, `tests/interop/node`), Authlib and
//! requests-oauthlib (Python, `tests/interop/python`), each with a confidential and a public
//! client. `.ci/run` installs
//! them at pinned versions; without them this test says loudly that it was skipped, unless
//! `PACELINE_TEST_REQUIRE_INTEROP=1` makes that a failure. The same goes for the pages in
//! headless Chromium (Debian's `chromium`, driven by playwright-core).

use crate::harness::TestApp;
use crate::oauth::PASSWORD;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::password::Password;
use paceline_domain::ratelimit::{Limit, Limits, MemoryLimiter};
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;

on_both_engines!(
    real_client_libraries_complete_the_flow,
    the_pages_work_in_a_real_browser,
    the_web_app_works_in_a_real_browser,
    the_coaching_pages_work_in_a_real_browser,
    the_openapi_document_passes_a_validator,
    schemathesis_finds_no_server_errors_on_the_xhale_surface,
    schemathesis_finds_no_server_errors_and_no_undocumented_answers
);

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SCOPE: &str = "profile:read activities:read";
const EMAIL: &str = "interop@example.com";

fn interop_dir() -> PathBuf {
    paceline_testdata::in_repository("tests/interop")
}

fn required() -> bool {
    std::env::var("PACELINE_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

fn skip(what: &str) {
    assert!(
        !required(),
        "{what} is required (PACELINE_TEST_REQUIRE_INTEROP=1) but missing"
    );
    paceline_testdata::skipped(
        "an interop test",
        &format!("{what} is not installed (scripts/test installs what it can; see tests/interop)"),
    );
}

fn python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PACELINE_TEST_PYTHON").map(PathBuf::from),
        std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".cache/paceline/venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

async fn run(mut command: Command, library: &str, label: &str) {
    command.kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .unwrap_or_else(|_| panic!("{label} timed out"))
        .unwrap_or_else(|e| panic!("{label} could not start: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{label} failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("ok: {library} ")),
        "{label}: {stdout}"
    );
}

async fn real_client_libraries_complete_the_flow(db: TestContext) {
    let node_ready = interop_dir()
        .join("node/node_modules/openid-client")
        .is_dir();
    let python = python();
    if !node_ready {
        skip("the Node.js client libraries (npm ci in tests/interop/node)");
    }
    if python.is_none() {
        skip("Authlib (a venv at ~/.cache/paceline/venv or PACELINE_TEST_PYTHON)");
    }
    let app = TestApp::spawn(&db).await;
    let request = UserRequest {
        email: EMAIL.into(),
        password: Password::new(PASSWORD),
        name: "Interop User".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(app.store.as_ref(), &SystemClock, request)
        .await
        .unwrap();

    let mut runs: Vec<(Command, &str, String)> = Vec::new();
    let mut libraries: Vec<&str> = Vec::new();
    if node_ready {
        libraries.extend(["oauth4webapi", "openid-client"]);
    }
    if python.is_some() {
        libraries.extend(["authlib", "requests-oauthlib"]);
    }
    for (i, library) in libraries.iter().enumerate() {
        for public in [false, true] {
            // Every confidential client's secret holds the characters libraries encode
            // differently in HTTP Basic credentials.
            let secret = (!public)
                .then(|| Secret::new(format!("Sec-ret_with.tilde~{i}-0123456789abcdefghij")));
            let registration = Registration {
                name: format!("{library} app"),
                redirect_uris: vec![REDIRECT.into()],
                scopes: SCOPE.into(),
                public,
                client_id: None,
                secret: secret.clone(),
            };
            let (client, _) = clients::register(
                app.store.as_ref(),
                &SystemClock,
                &mut StdRng::from_os_rng(),
                registration,
            )
            .await
            .unwrap();
            let mut command = if let Some(script) = match *library {
                "authlib" => Some("python/flow.py"),
                "requests-oauthlib" => Some("python/flow_requests_oauthlib.py"),
                _ => None,
            } {
                let mut c = Command::new(python.as_ref().unwrap());
                c.arg(interop_dir().join(script));
                c
            } else {
                let mut c = Command::new("node");
                c.arg(interop_dir().join("node/flow.mjs"))
                    .env("LIBRARY", library);
                c
            };
            command
                .env("PACELINE_URL", &app.base)
                .env("CLIENT_ID", &client.client_id)
                .env("CLIENT_SECRET", secret.as_ref().map_or("", |s| s.expose()))
                .env("REDIRECT_URI", REDIRECT)
                .env("SCOPE", SCOPE)
                .env("EMAIL", EMAIL)
                .env("PASSWORD", PASSWORD);
            let kind = if public { "public" } else { "confidential" };
            runs.push((command, library, format!("{library} with a {kind} client")));
        }
    }
    for (command, library, label) in runs {
        run(command, library, &label).await;
    }
    app.stop().await;
}

async fn the_pages_work_in_a_real_browser(db: TestContext) {
    let Some(chromium) = chromium() else {
        skip(
            "headless Chromium with playwright-core (apt-get install chromium; npm ci in tests/interop/node)",
        );
        return;
    };
    let app = TestApp::spawn(&db).await;
    let request = UserRequest {
        email: EMAIL.into(),
        password: Password::new(PASSWORD),
        name: "Browser User".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(app.store.as_ref(), &SystemClock, request)
        .await
        .unwrap();
    let registration = Registration {
        name: "<img src=x onerror=alert(2)> App".into(),
        redirect_uris: vec!["https://your.app/callback".into()],
        scopes: SCOPE.into(),
        public: false,
        client_id: None,
        secret: None,
    };
    let (client, _) = clients::register(
        app.store.as_ref(),
        &SystemClock,
        &mut StdRng::from_os_rng(),
        registration,
    )
    .await
    .unwrap();
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.client_id)
        .append_pair("redirect_uri", "https://your.app/callback")
        .append_pair("scope", SCOPE)
        .append_pair("state", "\"><script>window.__pwned=1;alert(1)</script>")
        .append_pair("code_challenge", crate::oauth::CHALLENGE)
        .append_pair("code_challenge_method", "S256")
        .finish();
    // Kept where PACELINE_TEST_SCREENSHOTS says, to be looked at; else with the test's files.
    let screenshots =
        std::env::var_os("PACELINE_TEST_SCREENSHOTS").map_or_else(|| db.dir.clone(), PathBuf::from);
    let mut command = Command::new("node");
    command
        .arg(interop_dir().join("node/pages.mjs"))
        .env("PACELINE_URL", &app.base)
        .env("AUTHORIZE_PATH", format!("/oauth/authorize?{query}"))
        .env("EMAIL", EMAIL)
        .env("PASSWORD", PASSWORD)
        .env("REDIRECT_ORIGIN", "https://your.app")
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT", screenshots.join("framed.png"))
        .env("PHONE_SCREENSHOT", screenshots.join("sign-in-390.png"));
    run(command, "pages", "the pages in Chromium").await;
    app.stop().await;
}

/// Headless Chromium's path, when it and playwright-core are there.
fn chromium() -> Option<PathBuf> {
    let node_ready = interop_dir()
        .join("node/node_modules/playwright-core")
        .is_dir();
    let chromium = std::env::var_os("PACELINE_TEST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    (node_ready && chromium.is_file()).then_some(chromium)
}

/// The web app walked in Chromium as a demo athlete (`tests/interop/node/webapp.mjs`), over
/// the demo's season: every page at 1280 and 390 px, screenshots kept where
/// `PACELINE_TEST_SCREENSHOTS` says (CI keeps them as artifacts), else with the test's files.
async fn the_web_app_works_in_a_real_browser(db: TestContext) {
    use paceline_domain::calendar::{CalendarQuery, CalendarStore};
    use paceline_domain::demo::{self, season};
    use paceline_domain::files::MemoryFiles;
    let Some(chromium) = chromium() else {
        skip(
            "headless Chromium with playwright-core (apt-get install chromium; npm ci in tests/interop/node)",
        );
        return;
    };
    let files = Arc::new(MemoryFiles::new());
    let shared = files.clone();
    let app = TestApp::spawn_with(&db, move |state| state.with_files(shared)).await;
    let seeded = demo::seed(app.store.as_ref(), &SystemClock, &mut StdRng::from_os_rng())
        .await
        .unwrap();
    let (_, alex, _) = demo::PEOPLE[1];
    season::seed_athlete(
        app.store.as_ref(),
        files.as_ref(),
        &SystemClock,
        &mut StdRng::from_os_rng(),
        alex,
        demo::PEOPLE[0].1,
        false,
    )
    .await
    .unwrap();
    let login = seeded.logins.iter().find(|l| l.email == alex).unwrap();
    let user = accounts::user_by_email(app.store.as_ref(), alex)
        .await
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let session = app
        .store
        .list_sessions(
            user.id,
            CalendarQuery {
                from: today,
                to: today + time::Duration::days(14),
                updated_since: None,
            },
        )
        .await
        .unwrap()
        .remove(0);
    let engine = match db.engine {
        paceline_testkit::Engine::Sqlite => "sqlite",
        paceline_testkit::Engine::Postgres => "postgres",
    };
    let screenshots = std::env::var_os("PACELINE_TEST_SCREENSHOTS")
        .map_or_else(|| db.dir.clone(), PathBuf::from)
        .join(format!("webapp-{engine}"));
    let mut command = Command::new("node");
    command
        .arg(interop_dir().join("node/webapp.mjs"))
        .env("PACELINE_URL", &app.base)
        .env("EMAIL", alex)
        .env("PASSWORD", login.password.expose())
        .env(
            "UPLOAD_FILE",
            paceline_testdata::carried().join("fit/muktihari__activity_lowbattery.fit"),
        )
        .env(
            "SESSION_LINK",
            format!(
                "/session/{}/?direct_access_token={}",
                session.id.0, session.direct_access_token
            ),
        )
        .env("SCREENSHOTS", &screenshots)
        .env("CHROMIUM", &chromium);
    run(command, "webapp", "the web app in Chromium").await;
    app.stop().await;
}

/// The web app for coaches and organizations walked in Chromium
/// (`tests/interop/node/coaching.mjs`): the demo company's owner plans, builds a workout,
/// moves a session and invites an athlete, while the athlete's own Xhale client (a token from
/// the OAuth flow) syncs and downloads the workout's FIT, which Garmin's SDK then reads;
/// outsiders meet 404 on every page of the athlete.
async fn the_coaching_pages_work_in_a_real_browser(db: TestContext) {
    use paceline_domain::demo::{self, season};
    use paceline_domain::entities::Role;
    use paceline_domain::files::MemoryFiles;
    use paceline_domain::invitations::{InvitationStore, NewInvitation};
    let Some(chromium) = chromium() else {
        skip(
            "headless Chromium with playwright-core (apt-get install chromium; npm ci in tests/interop/node)",
        );
        return;
    };
    let files = Arc::new(MemoryFiles::new());
    let shared = files.clone();
    let app = TestApp::spawn_with(&db, move |state| state.with_files(shared)).await;
    let store = app.store.as_ref();
    let seeded = demo::seed(store, &SystemClock, &mut StdRng::from_os_rng())
        .await
        .unwrap();
    let (_, owner_email, _) = demo::PEOPLE[0];
    let (_, alex, _) = demo::PEOPLE[1];
    let (_, sam, _) = demo::PEOPLE[2];
    season::seed_athlete(
        store,
        files.as_ref(),
        &SystemClock,
        &mut StdRng::from_os_rng(),
        alex,
        owner_email,
        false,
    )
    .await
    .unwrap();
    let password = |email: &str| {
        seeded
            .logins
            .iter()
            .find(|l| l.email == email)
            .unwrap()
            .password
            .expose()
            .to_owned()
    };
    // Outsiders: a coach of the company who does not coach Alex, another company's owner.
    let org = seeded.organization.id.public();
    accounts::create_organization(store, &SystemClock, "Rival Coaching")
        .await
        .unwrap();
    for (email, organization, role) in [
        ("unassigned@example.com", org.as_str(), Role::Coach),
        ("rival@example.com", "Rival Coaching", Role::Owner),
    ] {
        accounts::create_user(
            store,
            &SystemClock,
            UserRequest {
                email: email.into(),
                password: Password::new(PASSWORD),
                name: "Outsider".into(),
                organization: Some(organization.into()),
                role: Some(role),
            },
        )
        .await
        .unwrap();
    }
    let outsiders = serde_json::json!([
        {"who": "a coach of the company not assigned to Alex", "email": "unassigned@example.com", "password": PASSWORD},
        {"who": "another company's owner", "email": "rival@example.com", "password": PASSWORD},
        {"who": "another athlete", "email": sam, "password": password(sam)},
    ]);
    // The athlete's own app: a public client asking for `read`.
    let (client, _) = clients::register(
        store,
        &SystemClock,
        &mut StdRng::from_os_rng(),
        Registration {
            name: "Alex's training app".into(),
            redirect_uris: vec![REDIRECT.into()],
            scopes: "read".into(),
            public: true,
            client_id: None,
            secret: None,
        },
    )
    .await
    .unwrap();
    // An invitation that expired last month.
    let owner = accounts::user_by_email(store, owner_email).await.unwrap();
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(40);
    store
        .create_invitation(&NewInvitation {
            token_hash: Secret::new("pli_expired-last-month").hash(),
            organization_id: seeded.organization.id,
            role: Role::Athlete,
            email: None,
            invited_by: owner.id,
            now: long_ago,
            expires_at: long_ago + time::Duration::days(7),
        })
        .await
        .unwrap();
    let engine = match db.engine {
        paceline_testkit::Engine::Sqlite => "sqlite",
        paceline_testkit::Engine::Postgres => "postgres",
    };
    let screenshots = std::env::var_os("PACELINE_TEST_SCREENSHOTS")
        .map_or_else(|| db.dir.clone(), PathBuf::from)
        .join(format!("coaching-{engine}"));
    let out = db.dir.join("coaching-files");
    let mut command = Command::new("node");
    command
        .arg(interop_dir().join("node/coaching.mjs"))
        .env("PACELINE_URL", &app.base)
        .env("OWNER_EMAIL", owner_email)
        .env("OWNER_PASSWORD", password(owner_email))
        .env("ATHLETE_EMAIL", alex)
        .env("ATHLETE_PASSWORD", password(alex))
        .env("CLIENT_ID", &client.client_id)
        .env("REDIRECT_URI", REDIRECT)
        .env("OUTSIDERS", outsiders.to_string())
        .env("EXPIRED_INVITE", "/invite/pli_expired-last-month")
        .env("OUT_DIR", &out)
        .env("SCREENSHOTS", &screenshots)
        .env("CHROMIUM", &chromium);
    run(command, "coaching", "the coaching pages in Chromium").await;
    // The workout the client downloaded, read by Garmin's SDK.
    let planned = out.join("planned.fit");
    assert!(planned.is_file(), "the walk saved the workout's FIT");
    if let Some(python) = crate::garmin_sdk::python_or_skip() {
        let json = crate::garmin_sdk::check_dir(&python, &out);
        let file = &json["files"][planned.display().to_string()];
        assert_eq!(file["ok"], true, "{file}");
        assert_eq!(file["errors"], serde_json::json!([]));
        assert_eq!(
            file["messages"]["workout_mesgs"][0]["wkt_name"],
            "Threshold 3x8"
        );
        assert_eq!(
            file["messages"]["workout_step_mesgs"]
                .as_array()
                .unwrap()
                .len(),
            5,
            "warm up, the repeat's two steps and its closing step, cool down"
        );
    }
    app.stop().await;
}

/// The Train it All OpenAPI document passes openapi-spec-validator (OpenAPI 3.1 rules and
/// JSON Schema 2020-12).
async fn the_openapi_document_passes_a_validator(db: TestContext) {
    let Some(python) = python() else {
        skip("openapi-spec-validator (a venv at ~/.cache/paceline/venv or PACELINE_TEST_PYTHON)");
        return;
    };
    let app = TestApp::spawn(&db).await;
    // Both surfaces' documents: Train it All's and Xhale's.
    for document in ["/api/external/v1/openapi.json", "/api/openapi.json"] {
        let mut command = Command::new(&python);
        command
            .arg(interop_dir().join("python/openapi_check.py"))
            .arg(app.url(document));
        run(command, "openapi-spec-validator", "openapi-spec-validator").await;
    }
    app.stop().await;
}

/// Generative testing (checklist I13): schemathesis derives requests from the OpenAPI
/// document (valid ones, and ones that break the schemas), sends them with a token holding
/// every scope, and checks that no answer is a 5xx and every answer has a documented status,
/// content type and shape.
async fn schemathesis_finds_no_server_errors_and_no_undocumented_answers(db: TestContext) {
    schemathesis_run(db, "/api/external/v1/openapi.json", crate::tia::ALL_SCOPES).await;
}

/// The same for the Xhale surface's document.
async fn schemathesis_finds_no_server_errors_on_the_xhale_surface(db: TestContext) {
    schemathesis_run(db, "/api/openapi.json", "read write upload").await;
}

async fn schemathesis_run(db: TestContext, document: &str, scopes: &str) {
    let Some(schemathesis) = python()
        .and_then(|p| p.parent().map(|bin| bin.join("schemathesis")))
        .filter(|p| p.is_file())
    else {
        skip("schemathesis (a venv at ~/.cache/paceline/venv or PACELINE_TEST_PYTHON)");
        return;
    };
    // Limits out of the way: the run sends a few thousand requests a minute.
    let app = TestApp::spawn_with(&db, |state| {
        let unlimited = Limits {
            api_per_token: Limit::per_minute(u32::MAX),
            api_per_client: Limit::per_minute(u32::MAX),
            ..Limits::default()
        };
        state.with_limits(unlimited, Arc::new(MemoryLimiter::new()))
    })
    .await;
    let client = paceline_testkit::api::client(app.store.as_ref(), "fuzz-app").await;
    let user = paceline_testkit::api::user(
        app.store.as_ref(),
        "fuzz@example.com",
        None,
        &client,
        scopes,
    )
    .await;
    // PACELINE_TEST_FUZZ_EXAMPLES and _SEED widen a local run; CI keeps the defaults.
    let examples = std::env::var("PACELINE_TEST_FUZZ_EXAMPLES").unwrap_or_else(|_| "40".into());
    let seed = std::env::var("PACELINE_TEST_FUZZ_SEED").unwrap_or_else(|_| "1".into());
    let mut command = Command::new(schemathesis);
    command
        .arg("run")
        .arg(app.url(document))
        .arg("--url")
        .arg(&app.base)
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", user.access_token))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance",
            "--max-examples",
            &examples,
            "--seed",
            &seed,
            "--generation-database",
            "none",
            "--no-color",
        ])
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(600), command.output())
        .await
        .unwrap_or_else(|_| panic!("schemathesis timed out"))
        .unwrap_or_else(|e| panic!("schemathesis could not start: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{stdout}\n{stderr}"
    );
    app.stop().await;
}
