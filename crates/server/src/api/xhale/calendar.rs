//! The training calendar's handlers, written once for sessions and races: list, create,
//! retrieve, PUT, PATCH and DELETE over any [`Resource`]. What differs between the two (their
//! fields, their JSON, how a new one is made) is the [`Resource`] implementation in
//! `sessions.rs` and `races.rs`.

use crate::AppState;
use crate::api::xhale::access::{self, ATHLETE};
use crate::api::xhale::attach;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use crate::api::xhale::input::{self, FieldErrors, Fields, Input};
use crate::api::xhale::params::Params;
use crate::api::xhale::record::{self, Field, Mode};
use crate::api::xhale::schemas::Item;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use paceline_domain::StoreError;
use paceline_domain::calendar::{self, CalendarQuery, EditError, Part, Record, Written};
use paceline_domain::coaching::Subject;
use paceline_domain::entities::{AthleteSettings, Season};
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::Scope;
use std::future::Future;
use time::Date;
use utoipa::openapi::Schema;

/// A kind of calendar record as the Xhale surface serves it.
pub(crate) trait Resource: Record {
    /// The key of a record from its path id.
    fn key(id: i64) -> Self::Id;

    /// The record's name in the document (`Session`, `Race`).
    const SCHEMA: &'static str;

    /// The record as the spec shows it to `subject`.
    fn answer(&self, state: &AppState, subject: &Subject) -> Item<Self>;

    /// The schemas of the members an answer has besides its fields, in its order.
    fn read_only_schemas() -> Vec<(&'static str, Schema)>;

    /// Who plans a record `subject` creates (a coach's sessions are theirs).
    fn planner(subject: &Subject) -> Option<UserId>;

    /// Who planned this record.
    fn planned_by(&self) -> Option<UserId>;

    /// The values of a new record on `date`.
    fn new_values(date: Date) -> Self::Values;

    /// The record's writable fields, in the spec's order.
    const FIELDS: &'static [Field<Self::Values>];

    /// Fields a client may send back as it read them; they are not written.
    const READ_ONLY: &'static [&'static str];

    /// Why a writer may not change a part.
    fn refusal(part: Part) -> &'static str;

    /// Checks what the fields alone cannot (a discipline that exists, a URL's form).
    fn check(input: &Input, fields: &mut Fields<'_>, values: &Self::Values);

    /// The athlete's records of `query`.
    fn list(
        state: &AppState,
        athlete: UserId,
        query: CalendarQuery,
    ) -> impl Future<Output = Result<Vec<Self>, StoreError>> + Send;

    /// Creates a record with these values and files, in one transaction.
    fn create(
        state: &AppState,
        subject: &Subject,
        input: &Input,
        values: Self::Values,
        files: &[FileId],
    ) -> impl Future<Output = Result<Written<Self>, StoreError>> + Send;
}

/// Writes a body into `values` as `subject`, for a record planned by `planned_by`; answers
/// the files to attach, or every bad field. The web app's forms write through it too, so
/// that a person and an app meet the same rules.
pub(crate) fn write<R: Resource>(
    input: &Input,
    mode: Mode,
    subject: &Subject,
    planned_by: Option<UserId>,
    values: &mut R::Values,
) -> Result<Vec<FileId>, FieldErrors> {
    let mut fields = Fields::new(input);
    fields.ignore(R::READ_ONLY);
    record::write(
        R::FIELDS,
        &mut fields,
        mode,
        values,
        |part| calendar::may_change(subject, part, planned_by),
        R::refusal,
    );
    R::check(input, &mut fields, values);
    let files = attach::read(&mut fields);
    record::finish(fields).map(|()| files)
}

/// The season a list covers by default: the athlete's current one.
async fn current_season(state: &AppState, subject: &Subject) -> XhaleResult<Season> {
    let today = state.clock.now().date();
    let settings = state.store.athlete_settings(subject.athlete).await?;
    Ok(settings
        .unwrap_or_else(|| AthleteSettings::new_athlete(today))
        .current_season(today)
        .unwrap_or_else(|| Season::default_containing(today)))
}

/// The open bounds of a window: days of four-digit years, which both engines compare.
const FIRST_DAY: Date = time::macros::date!(0001 - 01 - 01);
const LAST_DAY: Date = time::macros::date!(9999 - 12 - 31);

/// The calendar window of a list request, with its subject. Without any of
/// `start_date`, `end_date` and `updated_since_datetime` it is the athlete's current season
/// (the spec's default); with any of them, a bound not given is open, so that a client
/// syncing by `updated_since_datetime` learns of every change, whatever day it is on.
async fn list_query(
    state: &AppState,
    auth: &XhaleAuth,
    raw: Option<&str>,
) -> XhaleResult<(Subject, CalendarQuery)> {
    let grant = auth.require(&[Scope::Read])?;
    let mut params = Params::parse(
        raw,
        &["updated_since_datetime", "start_date", "end_date", ATHLETE],
    );
    let since = params.datetime("updated_since_datetime");
    let start = params.date("start_date");
    let end = params.date("end_date");
    let athlete = params.athlete();
    params.finish()?;
    let subject = access::subject(state, grant.user_id, athlete).await?;
    let (from, to) = if since.is_none() && start.is_none() && end.is_none() {
        let season = current_season(state, &subject).await?;
        (season.start, season.end)
    } else {
        (start.unwrap_or(FIRST_DAY), end.unwrap_or(LAST_DAY))
    };
    let query = CalendarQuery {
        from,
        to,
        updated_since: since,
    };
    Ok((subject, query))
}

/// `GET /api/sessions/`, `GET /api/races/`. Scope `read`; a coach lists an athlete's with
/// `?athlete=`.
pub(crate) async fn list_records<R: Resource>(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
) -> XhaleResult<Json<Vec<Item<R>>>> {
    let (subject, query) = list_query(&state, &auth, raw.as_deref()).await?;
    let records = R::list(&state, subject.athlete, query).await?;
    Ok(Json(
        records.iter().map(|r| r.answer(&state, &subject)).collect(),
    ))
}

/// `POST /api/sessions/`, `POST /api/races/`. Scope `write`; a coach creates one for
/// `?athlete=`.
pub(crate) async fn create_record<R: Resource>(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<(StatusCode, Json<Item<R>>)> {
    let grant = auth.require(&[Scope::Write])?;
    let subject = access::subject_from_query(&state, grant.user_id, raw.as_deref()).await?;
    let input = input::read(&headers, body).await?;
    let mut values = R::new_values(state.clock.now().date());
    let files = write::<R>(
        &input,
        Mode::Create,
        &subject,
        R::planner(&subject),
        &mut values,
    )?;
    match R::create(&state, &subject, &input, values, &files).await? {
        Written::Saved(record) => Ok((StatusCode::CREATED, Json(record.answer(&state, &subject)))),
        Written::UnknownFiles(unknown) => Err(attach::unknown(&unknown)),
        // A new record has no earlier version to be stale against.
        Written::Stale => Err(XhaleError::Failure(crate::failure::Failure::internal(
            format!("a new {} was refused as stale", R::NAME),
        ))),
    }
}

/// `GET /api/sessions/{id}/`, `GET /api/races/{id}/`. Scope `read`.
pub(crate) async fn get_record<R: Resource>(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> XhaleResult<Json<Item<R>>> {
    let (subject, id) = access::reach(&state, &auth, Scope::Read, &raw_id, entry::<R>).await?;
    match R::get(state.store.as_ref(), subject.athlete, R::key(id)).await? {
        Some(record) if !record.deleted() => Ok(Json(record.answer(&state, &subject))),
        _ => Err(XhaleError::NotFound),
    }
}

fn entry<R: Resource>(id: i64) -> calendar::Entry {
    R::entry(R::key(id))
}

/// `PUT`: the required fields must come again.
pub(crate) async fn replace_record<R: Resource>(
    state: State<AppState>,
    auth: XhaleAuth,
    raw_id: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<Json<Item<R>>> {
    update::<R>(state, auth, raw_id, Mode::Replace, headers, body).await
}

/// `PATCH`: only the fields sent change.
pub(crate) async fn patch_record<R: Resource>(
    state: State<AppState>,
    auth: XhaleAuth,
    raw_id: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<Json<Item<R>>> {
    update::<R>(state, auth, raw_id, Mode::Patch, headers, body).await
}

/// `PUT` and `PATCH`. Scope `write`. The body is checked against the record as it is, then
/// written by compare-and-swap with its files in one transaction.
async fn update<R: Resource>(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
    mode: Mode,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<Json<Item<R>>> {
    let (subject, id) = access::reach(&state, &auth, Scope::Write, &raw_id, entry::<R>).await?;
    let input = input::read(&headers, body).await?;
    // The files a body names do not depend on the record; a malformed list is refused by
    // the write below, with the body's other faults.
    let files = attach::read(&mut Fields::new(&input));
    let edited = calendar::edit(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        R::key(id),
        &files,
        |current: &R| {
            let mut values = current.values().clone();
            write::<R>(&input, mode, &subject, current.planned_by(), &mut values).map(|_| values)
        },
    )
    .await;
    match edited {
        Ok(record) => Ok(Json(record.answer(&state, &subject))),
        Err(EditError::NotFound) => Err(XhaleError::NotFound),
        Err(EditError::Refused(errors)) => Err(errors.into()),
        Err(EditError::UnknownFiles(unknown)) => Err(attach::unknown(&unknown)),
        Err(EditError::Contended) => Err(XhaleError::detail(
            StatusCode::CONFLICT,
            format!("The {} is being changed by others; try again.", R::NAME),
        )),
        Err(EditError::Store(cause)) => Err(cause.into()),
    }
}

/// `DELETE`: soft; 204. Scope `write`.
pub(crate) async fn delete_record<R: Resource>(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> XhaleResult<StatusCode> {
    let (subject, id) = access::reach(&state, &auth, Scope::Write, &raw_id, entry::<R>).await?;
    let entry = entry::<R>(id);
    let now = state.clock.now();
    if state
        .store
        .delete_entry(subject.athlete, entry, now)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(XhaleError::NotFound)
    }
}
