//! Every route of the server, registered in one place.

use crate::api::tia;
use crate::api::xhale;
use crate::oauth::{authorize, login, metadata, response, revoke, token};
use crate::{AppState, account, admin, health, metrics, middleware, pages};
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The whole application with `extra` routes served like its own, behind the same
/// middleware (the benchmarks' baselines use it, so that a ratio measures the work a route
/// adds, not the middleware around it).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        // OAuth 2.0 authorization server.
        .route(
            "/.well-known/oauth-authorization-server",
            get(metadata::get_metadata),
        )
        .route(
            "/oauth/authorize",
            get(authorize::get_authorize).post(authorize::post_authorize),
        )
        .route(
            "/api/oauth/token",
            post(token::post_token).fallback(response::method_not_allowed),
        )
        .route(
            "/api/oauth/revoke",
            post(revoke::post_revoke).fallback(response::method_not_allowed),
        )
        // Pages.
        .merge(crate::web::routes())
        .route("/login", get(login::get_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
        .route("/account/apps", get(account::get_apps))
        .route("/account/apps/revoke", post(account::post_revoke_app))
        .route("/static/paceline.css", get(pages::get_stylesheet))
        .route("/static/favicon.svg", get(pages::get_icon))
        .route("/static/paceline.js", get(pages::get_script))
        .route("/favicon.ico", get(pages::get_favicon))
        // Administration.
        .route(
            "/api/admin/clients",
            get(admin::list_clients).post(admin::create_client),
        )
        .route(
            "/api/admin/clients/{client_id}",
            get(admin::get_client)
                .patch(admin::update_client)
                .delete(admin::delete_client),
        )
        .route(
            "/api/admin/clients/{client_id}/rotate-secret",
            post(admin::rotate_client_secret),
        )
        // Train it All External API v1: its routes carry their documentation.
        .merge(tia::routes::routes().split_for_parts().0)
        .route(
            "/api/external/v1/openapi.json",
            get(tia::document::get_openapi).fallback(tia::error::read_only),
        )
        .route(
            "/api/external/v1/docs",
            get(tia::document::get_reference).fallback(tia::error::read_only),
        )
        // Xhale Athlete API: its routes carry their documentation.
        .merge(xhale::routes::routes().split_for_parts().0)
        .route(
            "/api/openapi.json",
            get(xhale::document::get_openapi).fallback(xhale::error::read_only),
        )
        .route(
            "/api/docs",
            get(xhale::document::get_reference).fallback(xhale::error::read_only),
        )
        .merge(extra)
        .fallback(not_found);
    // Metrics, when served: their route, and every request counted by the pattern it
    // matched (this layer runs after routing, where the pattern is known).
    let routes = if state.metrics.is_some() {
        routes.route("/metrics", get(metrics::get_metrics)).layer(
            axum::middleware::from_fn_with_state(state.clone(), metrics::record),
        )
    } else {
        routes
    };
    let routes = routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::transport::strict_transport,
        ))
        .with_state(state);
    middleware::wrap(routes)
}

/// A path no route has, answered in the format of the surface it is under: Train it All's
/// error body under `/api/external/v1`, Xhale's (with a trailing-slash redirect) under the
/// rest of `/api/`, and `{"error": "not found"}` elsewhere (the OAuth and admin endpoints
/// answer their own formats on their own paths); a page elsewhere, for people.
async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api/external/v1" || path.starts_with("/api/external/v1/") {
        return tia::error::unknown_path().into_response();
    }
    let elsewhere = ["/api/oauth/", "/api/admin/"];
    if path.starts_with("/api/") && !elsewhere.iter().any(|p| path.starts_with(p)) {
        return xhale::error::unknown_path(&uri);
    }
    if elsewhere.iter().any(|p| path.starts_with(p)) {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({ "error": "not found" })),
        )
            .into_response();
    }
    pages::PageError::NotFound("There is no page at this address.").into_response()
}
