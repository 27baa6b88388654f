//! Graceful shutdown: a request in flight when shutdown begins is answered in full.

use axum::Router;
use axum::routing::get;
use paceline_server::serve;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[tokio::test]
async fn requests_in_flight_finish_before_the_server_stops() {
    let (entered_tx, entered) = oneshot::channel::<()>();
    let entered_tx = std::sync::Arc::new(std::sync::Mutex::new(Some(entered_tx)));
    let app = Router::new().route(
        "/slow",
        get(move || {
            if let Some(tx) = entered_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            async {
                tokio::time::sleep(Duration::from_millis(400)).await;
                "finished"
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));

    let request = tokio::spawn(async move { reqwest::get(url).await });
    entered.await.unwrap();
    stop.send(()).unwrap();

    let response = request.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "finished");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
