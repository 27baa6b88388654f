//! The web app's heaviest page: the activity page of a six-hour ride recorded every second
//! (21,600 records from the demo's model, imported as an upload is), its charts reduced to
//! what they can show, against the first page of the Train it All activities list (the
//! 1k-history athlete's 30 activities) measured just before it.

use crate::load::{Figures, load, report, thousands};
use paceline_domain::Store;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::demo::training::{self, Kind, Workout};
use paceline_domain::files::BlobStore;
use paceline_domain::imports::{self, Body, Imported, Upload};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::sessions;
use paceline_domain::password::Password;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Duration;

/// Six hours at one record a second.
const SECONDS: u32 = 6 * 3600;

pub(crate) async fn page_scenarios(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    base: &str,
    store: &dyn Store,
    files: &dyn BlobStore,
    list: &Figures,
) {
    let password = "a long enough password";
    let created = accounts::create_user(
        store,
        &SystemClock,
        UserRequest {
            email: "web-rider@example.com".into(),
            password: Password::new(password),
            name: "Web Rider".into(),
            organization: None,
            role: None,
        },
    )
    .await
    .unwrap();
    let mut rng = StdRng::seed_from_u64(6);
    let workout = Workout {
        kind: Kind::Ride,
        start: time::OffsetDateTime::now_utc() - time::Duration::days(1),
        seconds: SECONDS,
        effort: 0.68,
        intervals: true,
    };
    let bytes = training::recording(&workout, &mut rng);
    let fit_bytes = bytes.len();
    let upload = Upload {
        membership: created.membership.clone(),
        client: None,
        name: Some("six-hours.fit".into()),
        received: imports::received(&bytes).unwrap(),
        body: Body::Memory(bytes),
    };
    let now = time::OffsetDateTime::now_utc();
    let Imported::New { id, .. } = imports::import_file(store, files, now, &mut rng, upload)
        .await
        .unwrap()
    else {
        panic!("the ride was there already")
    };
    let (cookie, _) = sessions::login(
        store,
        &SystemClock,
        &mut rng,
        &OAuthSettings::new(base),
        "web-rider@example.com",
        Password::new(password),
    )
    .await
    .unwrap();
    let cookie = format!("pl_session={}", cookie.expose());
    let url = format!("{base}/activities/{}", id.public());
    let page = http
        .get(&url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"data-points="{SECONDS}""#)),
        "every record charted"
    );
    let figures = {
        let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
        load(connections, length, move |_| {
            let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
            async move {
                let response = http.get(url).header("cookie", cookie).send().await.unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap();
            }
        })
        .await
    };
    report(
        "GET activity page, 6 h ride at 1 s (vs list p.1)",
        &figures,
        list,
    );
    println!(
        "    the page: {} bytes for {} records ({} bytes of FIT), {} charts",
        thousands(html.len() as i64),
        thousands(i64::from(SECONDS)),
        thousands(fit_bytes as i64),
        html.matches("<figure class=\"chart\"").count()
    );
}
