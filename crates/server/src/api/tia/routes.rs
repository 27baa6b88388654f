//! Every route of the Train it All surface, each registered with the [`Endpoint`] that
//! documents it: the document at `/api/external/v1/openapi.json` is what this file
//! registers.

use crate::AppState;
use crate::api::document::{self, Answer, Content, Route, refer};
use crate::api::tia::activities::{self, ActivityItem};
use crate::api::tia::daily::{self, Resource};
use crate::api::tia::document::{Body, Bounds, Endpoint, error, header};
use crate::api::tia::profile::{self, Profile};
use crate::api::tia::schemas::{
    ActivityWrite, DailyItem, DailyWrite, Duplicate, PageOf, Uploaded, Written,
};
use crate::api::tia::{error as refusal, fit};
use crate::extract::upload::MAX_UPLOAD_BYTES;
use paceline_domain::oauth::Scope;
use utoipa::openapi::path::HttpMethod;
use utoipa_axum::router::OpenApiRouter;

const BAD_PARAMETER: Answer = error(400, "A malformed or unknown query parameter.");
const BAD_BODY: Answer = error(
    400,
    "The body breaks a rule: the details say which fields and why.",
);
const TOO_LARGE: Answer = error(413, "The body is larger than 1 MiB.");
const NOT_JSON: Answer = error(415, "The body is not application/json.");

/// Every route of the surface.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    let mut all = vec![profile(), activities(), fit_upload(), fit_download()];
    all.push(daily::<daily::BodyMetrics>(
        "/api/external/v1/body-metrics",
        "body_metrics",
        "Body metrics (from/to bound measuredAt; upsert by measuredAt).",
    ));
    all.push(daily::<daily::SleepDays>(
        "/api/external/v1/sleep-days",
        "sleep_days",
        "Sleep days (from/to bound day; upsert per day and client).",
    ));
    all.push(daily::<daily::NutritionDays>(
        "/api/external/v1/nutrition-days",
        "nutrition_days",
        "Nutrition days (from/to bound day; upsert per day, a write replaces the day).",
    ));
    all.push(daily::<daily::WellnessDays>(
        "/api/external/v1/daily-wellness",
        "daily_wellness",
        "Daily wellness (from/to bound day; upsert per day and client).",
    ));
    document::gather(header(), all)
}

fn profile() -> Route {
    Route::new("/api/external/v1/profile")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "get_profile".into(),
                summary: "The token's user.",
                scope: Scope::ProfileRead,
                list: None,
                body: None,
                answers: vec![Answer::json(200, "The user.", refer::<Profile>)],
            }
            .describe(),
            profile::get_profile,
        )
        .fallback(refusal::read_only)
}

fn activities() -> Route {
    Route::new("/api/external/v1/activities")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "list_activities".into(),
                summary: "List activities, newest start first (from/to bound startedAt).",
                scope: Scope::ActivitiesRead,
                list: Some(Bounds::Instants),
                body: None,
                answers: vec![
                    Answer::json(
                        200,
                        "A page, newest first.",
                        refer::<PageOf<ActivityItem<'static>>>,
                    ),
                    BAD_PARAMETER,
                ],
            }
            .describe(),
            activities::list_activities,
        )
        .on(
            HttpMethod::Post,
            Endpoint {
                id: "create_activity".into(),
                summary: "Create an activity; the same externalId from the same client answers the existing one.",
                scope: Scope::ActivitiesWrite,
                list: None,
                body: Some(Body::Json(refer::<ActivityWrite>)),
                answers: vec![
                    Answer::json(201, "Created: { id }.", refer::<Written>),
                    Answer::json(
                        200,
                        "This client wrote this externalId before: the existing activity.",
                        refer::<Duplicate>,
                    ),
                    BAD_BODY,
                    TOO_LARGE,
                    NOT_JSON,
                ],
            }
            .describe(),
            activities::create_activity,
        )
        .fallback(refusal::list_and_write_only)
}

fn fit_upload() -> Route {
    Route::new("/api/external/v1/fit-files")
        .on(
            HttpMethod::Post,
            Endpoint {
                id: "upload_fit_file".into(),
                summary: "Upload a .fit file as an activity: multipart/form-data, field `file`, at most 25 MB; the same file again answers the existing activity.",
                scope: Scope::ActivitiesWrite,
                list: None,
                body: Some(Body::File),
                answers: vec![
                    Answer::json(201, "Imported: { id, storageKey }.", refer::<Uploaded>),
                    Answer::json(
                        200,
                        "The user uploaded this file before (same SHA-256): the existing activity.",
                        refer::<Duplicate>,
                    ),
                    error(
                        400,
                        "No `file` field, an empty file, a name not ending in .fit, not a valid FIT file, or a FIT file that is not an activity (the error names its type).",
                    ),
                    error(413, "The file is larger than 25 MB."),
                    error(415, "The body is not multipart/form-data."),
                ],
            }
            .describe(),
            fit::upload_fit_file,
        )
        .fallback(refusal::write_only)
        .body_limit(MAX_UPLOAD_BYTES)
}

fn fit_download() -> Route {
    Route::new("/api/external/v1/activities/{id}/fit")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "get_activity_fit".into(),
                summary: "Download exactly one FIT file for an activity: the uploaded original, or one encoded from the activity.",
                scope: Scope::ActivitiesRead,
                list: None,
                body: None,
                answers: vec![
                    Answer {
                        status: 200,
                        meaning: "The FIT file: as uploaded, or encoded from the activity's figures.",
                        content: Content::File(&["application/octet-stream"]),
                    },
                    error(404, "No activity of the token's user has this id."),
                ],
            }
            .describe(),
            fit::get_activity_fit,
        )
        .fallback(refusal::read_only)
}

/// A daily resource at `path`: its list and its upsert.
fn daily<R: Resource>(path: &'static str, name: &str, summary: &'static str) -> Route {
    let bounds = if R::KEY == "day" {
        Bounds::Days
    } else {
        Bounds::Instants
    };
    Route::new(path)
        .on(
            HttpMethod::Get,
            Endpoint {
                id: format!("list_{name}"),
                summary,
                scope: R::READ,
                list: Some(bounds),
                body: None,
                answers: vec![
                    Answer::json(200, "A page, newest first.", refer::<PageOf<DailyItem<R>>>),
                    BAD_PARAMETER,
                ],
            }
            .describe(),
            daily::list_records::<R>,
        )
        .on(
            HttpMethod::Post,
            Endpoint {
                id: format!("upsert_{name}"),
                summary,
                scope: R::WRITE_SCOPE,
                list: None,
                body: Some(Body::Json(refer::<DailyWrite<R>>)),
                answers: vec![
                    Answer::json(
                        200,
                        "Written (created or replaced): { id }.",
                        refer::<Written>,
                    ),
                    BAD_BODY,
                    TOO_LARGE,
                    NOT_JSON,
                ],
            }
            .describe(),
            daily::upsert_record::<R>,
        )
        .fallback(refusal::list_and_write_only)
}
