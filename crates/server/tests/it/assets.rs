//! The files the pages load, all from Paceline itself: the stylesheet and the icon, which
//! every page names (`/favicon.ico` answers too, for whatever asks the conventional path
//! instead of a 404 on every page).

use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};

on_both_engines!(the_stylesheet_and_the_icon_are_served_and_named);

async fn the_stylesheet_and_the_icon_are_served_and_named(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    for (path, content_type, starts) in [
        (
            "/static/paceline.css",
            "text/css; charset=utf-8",
            &b":root"[..],
        ),
        ("/static/favicon.svg", "image/svg+xml", &b"<svg"[..]),
        // An icon directory (reserved 0, type 1) holding PNG images.
        ("/favicon.ico", "image/x-icon", &[0, 0, 1, 0][..]),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], content_type, "{path}");
        assert_eq!(headers["cache-control"], "public, max-age=3600", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let body = response.bytes().await.unwrap();
        assert!(body.starts_with(starts), "{path}");
    }
    let ico = app.get("/favicon.ico").await.bytes().await.unwrap();
    assert_eq!(u16::from_le_bytes([ico[4], ico[5]]), 2, "16 and 32 px");
    assert!(ico.windows(4).any(|w| w == b"\x89PNG"));

    for page in ["/login", "/api/external/v1/docs", "/api/docs"] {
        let html = app.get(page).await.text().await.unwrap();
        assert!(
            html.contains(r#"<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">"#),
            "{page}"
        );
    }
    app.stop().await;
}
