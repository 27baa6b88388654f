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
