//! Every route of the server, registered in one place.

use crate::api::tia;
use crate::api::tia::daily;
use crate::api::xhale;
use crate::api::xhale::calendar;
use crate::oauth::{authorize, login, metadata, response, revoke, token};
use crate::{AppState, account, admin, health, middleware, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::{MethodRouter, delete, get, post};
use paceline_domain::calendar::{Race, TrainingSession};

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
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
        .route("/", get(|| async { Redirect::to("/account/apps") }))
        .route("/login", get(login::get_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
        .route("/account/apps", get(account::get_apps))
        .route("/account/apps/revoke", post(account::post_revoke_app))
        .route("/static/paceline.css", get(pages::get_stylesheet))
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
        // Train it All External API v1.
        .route(
            "/api/external/v1/profile",
            get(tia::profile::get_profile).fallback(tia::error::read_only),
        )
        .route(
            "/api/external/v1/openapi.json",
            get(tia::openapi::get_openapi).fallback(tia::error::read_only),
        )
        .route(
            "/api/external/v1/docs",
            get(tia::openapi::get_reference).fallback(tia::error::read_only),
        )
        .route(
            "/api/external/v1/activities",
            get(tia::activities::list_activities)
                .post(tia::activities::create_activity)
                .fallback(tia::error::list_and_write_only),
        )
        .route(
            "/api/external/v1/fit-files",
            post(tia::fit::upload_fit_file)
                .fallback(tia::error::write_only)
                .layer(DefaultBodyLimit::max(
                    crate::extract::upload::MAX_UPLOAD_BYTES,
                )),
        )
        .route(
            "/api/external/v1/activities/{id}/fit",
            get(tia::fit::get_activity_fit).fallback(tia::error::read_only),
        )
        .route(
            "/api/external/v1/body-metrics",
            daily_routes::<daily::BodyMetrics>(),
        )
        .route(
            "/api/external/v1/sleep-days",
            daily_routes::<daily::SleepDays>(),
        )
        .route(
            "/api/external/v1/nutrition-days",
            daily_routes::<daily::NutritionDays>(),
        )
        .route(
            "/api/external/v1/daily-wellness",
            daily_routes::<daily::WellnessDays>(),
        )
        // Xhale Athlete API.
        .route(
            "/api/users/current/",
            get(xhale::users::get_current_user).fallback(xhale::error::read_only),
        )
        .route(
            "/api/sessions/",
            get(calendar::list_records::<TrainingSession>)
                .post(calendar::create_record::<TrainingSession>)
                .fallback(xhale::error::list_methods),
        )
        .route(
            "/api/sessions/{id}/",
            get(calendar::get_record::<TrainingSession>)
                .put(calendar::replace_record::<TrainingSession>)
                .patch(calendar::patch_record::<TrainingSession>)
                .delete(calendar::delete_record::<TrainingSession>)
                .fallback(xhale::error::record_methods),
        )
        .route(
            "/api/sessions/{id}/direct_access_token/",
            post(xhale::sessions::rotate_session_token).fallback(xhale::error::post_only),
        )
        .route(
            "/api/races/",
            get(calendar::list_records::<Race>)
                .post(calendar::create_record::<Race>)
                .fallback(xhale::error::list_methods),
        )
        .route(
            "/api/races/{id}/",
            get(calendar::get_record::<Race>)
                .put(calendar::replace_record::<Race>)
                .patch(calendar::patch_record::<Race>)
                .delete(calendar::delete_record::<Race>)
                .fallback(xhale::error::record_methods),
        )
        .route(
            "/api/openapi.json",
            get(xhale::openapi::get_openapi).fallback(xhale::error::read_only),
        )
        .route(
            "/api/docs",
            get(xhale::openapi::get_reference).fallback(xhale::error::read_only),
        )
        .route(
            "/api/uploads/",
            post(xhale::uploads::create_upload)
                .layer(DefaultBodyLimit::max(
                    crate::extract::upload::MAX_UPLOAD_BYTES,
                ))
                .fallback(xhale::error::post_only),
        )
        .route(
            "/api/uploads/pending/",
            get(xhale::uploads::list_pending_uploads).fallback(xhale::error::read_only),
        )
        .route(
            "/api/uploads/{id}/",
            delete(xhale::uploads::delete_upload).fallback(xhale::error::delete_only),
        )
        .route(
            "/api/sessions/{id}/workouts/{file}",
            get(xhale::workouts::download_workout).fallback(xhale::error::read_only),
        )
        .route(
            "/api/workouts/",
            get(xhale::workouts::list_workouts)
                .post(xhale::workouts::create_workout)
                .fallback(xhale::error::list_methods),
        )
        .route(
            "/api/workouts/{id}/",
            get(xhale::workouts::get_workout)
                .patch(xhale::workouts::update_workout)
                .delete(xhale::workouts::delete_workout)
                .fallback(xhale::error::patch_record_methods),
        )
        .route("/session/{id}/", get(xhale::sessions::get_session_page))
        .route(
            "/api/contacts/",
            get(xhale::messages::list_contacts).fallback(xhale::error::read_only),
        )
        .route(
            "/api/contacts/{contact_id}/messages/",
            get(xhale::messages::list_messages)
                .post(xhale::messages::create_message)
                .fallback(xhale::error::list_methods),
        )
        .route(
            "/api/contacts/{contact_id}/messages/{message_id}/",
            get(xhale::messages::get_message).fallback(xhale::error::read_only),
        )
        .fallback(not_found)
        .with_state(state);
    middleware::wrap(routes)
}

/// The list and the upsert of a daily resource.
fn daily_routes<R: daily::Resource>() -> MethodRouter<AppState> {
    get(daily::list_records::<R>)
        .post(daily::upsert_record::<R>)
        .fallback(tia::error::list_and_write_only)
}

async fn not_found() -> (StatusCode, axum::Json<serde_json::Value>) {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "error": "not found" })),
    )
}
