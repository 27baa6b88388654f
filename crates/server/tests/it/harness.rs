//! `TestApp`: the server on 127.0.0.1 and a random port, over the test's own database.

use paceline_domain::Store;
use paceline_domain::oauth::OAuthSettings;
use paceline_server::{AppState, router, serve};
use paceline_store_sql::SqlStore;
use paceline_testkit::TestContext;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<SqlStore>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn spawn(db: &TestContext) -> Self {
        Self::spawn_with(db, |state| state).await
    }

    /// Spawns the server with its state adjusted by `configure`.
    pub async fn spawn_with(
        db: &TestContext,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> Self {
        let store = Arc::new(db.open().await);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let settings = OAuthSettings::new(base.clone());
        let app = router(configure(AppState::new(
            store.clone() as Arc<dyn Store>,
            settings,
        )));
        let task = tokio::spawn(serve(listener, app, async {
            let _ = stopped.await;
        }));
        Self {
            base,
            client: reqwest::Client::new(),
            store,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// Sends each operation of an OpenAPI `document` without a token (path parameters filled
/// with `1`, or `1.fit` for a workout file) and checks the server serves it: refused for
/// want of a token or a body, never as unknown (404) or of another method (405). Answers
/// how many operations there were.
pub async fn served_operations(app: &TestApp, document: &serde_json::Value) -> usize {
    let mut count = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        let concrete = path.replace("{file}", "1.fit");
        let concrete = fill_parameters(&concrete);
        for method in ["get", "post", "put", "patch", "delete"] {
            if !item[method].is_object() {
                continue;
            }
            count += 1;
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert!(
                status == 401 || status == 415,
                "{method} {path} answered {status}"
            );
        }
    }
    count
}

/// A path with each `{parameter}` replaced by `1`.
fn fill_parameters(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => inside = true,
            '}' => {
                inside = false;
                out.push('1');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}
