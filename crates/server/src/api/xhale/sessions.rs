//! Training sessions: `/api/sessions/` (list, create), `/api/sessions/{id}/` (retrieve,
//! PUT, PATCH, DELETE), `/api/sessions/{id}/direct_access_token/` (a new token), and the
//! session page that the token opens without logging in, `/session/{id}/`.

use crate::AppState;
use crate::api::xhale::access::{self, ATHLETE};
use crate::api::xhale::attach;
use crate::api::xhale::auth::{XhaleAuth, not_found, unavailable};
use crate::api::xhale::input::{self, Fields};
use crate::api::xhale::params::Params;
use crate::api::xhale::record::{self, Field, Mode, Slot};
use crate::api::xhale::wire::datetime;
use crate::pages;
use askama::Template;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paceline_domain::activities::limits;
use paceline_domain::calendar::{
    self, CalendarQuery, EditError, Entry, NewSession, Part, SessionId, SessionValues,
    TrainingSession, Written,
};
use paceline_domain::coaching::Subject;
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::entities::{AthleteSettings, Season};
use paceline_domain::oauth::Scope;
use serde_json::{Map, Value, json};

const MINUTES: (i64, i64) = (0, 10_080);
const KM: (f64, f64) = (0.0, 5_000.0);
const HR: (i64, i64) = (*limits::HEART_RATE.start(), *limits::HEART_RATE.end());
const WATTS: (i64, i64) = (*limits::POWER.start(), *limits::POWER.end());
const CLIMB: (i64, i64) = (0, 50_000);
const LONG_TEXT: usize = limits::NOTES_CHARS;

macro_rules! int {
    ($name:literal, $part:expr, $($path:ident).+, $bounds:expr) => {
        Field {
            name: $name,
            part: $part,
            required: false,
            slot: |v: &mut SessionValues| Slot::Int(&mut v.$($path).+, $bounds.0, $bounds.1),
        }
    };
}

macro_rules! number {
    ($name:literal, $part:expr, $($path:ident).+, $bounds:expr) => {
        Field {
            name: $name,
            part: $part,
            required: false,
            slot: |v: &mut SessionValues| Slot::Number(&mut v.$($path).+, $bounds.0, $bounds.1),
        }
    };
}

/// Every writable field of a session, in the order the spec lists them.
pub(crate) const FIELDS: &[Field<SessionValues>] = &[
    Field {
        name: "date",
        part: Part::Shared,
        required: true,
        slot: |v| Slot::Date(&mut v.date),
    },
    Field {
        name: "order",
        part: Part::Shared,
        required: false,
        slot: |v| Slot::IntAsText(&mut v.order, 0, 9_999),
    },
    Field {
        name: "discipline_id",
        part: Part::Plan,
        required: true,
        slot: |v| Slot::RequiredInt(&mut v.plan.discipline_id, 0, i64::from(i32::MAX)),
    },
    int!("intensity", Part::Shared, intensity, (0, 5)),
    Field {
        name: "brief_description",
        part: Part::Plan,
        required: false,
        slot: |v| Slot::Text(&mut v.plan.brief_description, 255),
    },
    Field {
        name: "key_session",
        part: Part::Plan,
        required: false,
        slot: |v| Slot::Bool(&mut v.plan.key_session),
    },
    Field {
        name: "training_plan",
        part: Part::Plan,
        required: false,
        slot: |v| Slot::Text(&mut v.plan.training_plan, LONG_TEXT),
    },
    int!(
        "prescribed_minutes",
        Part::Plan,
        plan.prescribed_minutes.total,
        MINUTES
    ),
    int!(
        "prescribed_minutes_swim",
        Part::Plan,
        plan.prescribed_minutes.swim,
        MINUTES
    ),
    int!(
        "prescribed_minutes_bike",
        Part::Plan,
        plan.prescribed_minutes.bike,
        MINUTES
    ),
    int!(
        "prescribed_minutes_run",
        Part::Plan,
        plan.prescribed_minutes.run,
        MINUTES
    ),
    number!("prescribed_km", Part::Plan, plan.prescribed_km.total, KM),
    number!(
        "prescribed_km_swim",
        Part::Plan,
        plan.prescribed_km.swim,
        KM
    ),
    number!(
        "prescribed_km_bike",
        Part::Plan,
        plan.prescribed_km.bike,
        KM
    ),
    number!("prescribed_km_run", Part::Plan, plan.prescribed_km.run, KM),
    int!(
        "completed_minutes",
        Part::Shared,
        log.completed_minutes.total,
        MINUTES
    ),
    int!(
        "completed_minutes_swim",
        Part::Shared,
        log.completed_minutes.swim,
        MINUTES
    ),
    int!(
        "completed_minutes_bike",
        Part::Shared,
        log.completed_minutes.bike,
        MINUTES
    ),
    int!(
        "completed_minutes_run",
        Part::Shared,
        log.completed_minutes.run,
        MINUTES
    ),
    number!("completed_km", Part::Shared, log.completed_km.total, KM),
    number!("completed_km_swim", Part::Shared, log.completed_km.swim, KM),
    number!("completed_km_bike", Part::Shared, log.completed_km.bike, KM),
    number!("completed_km_run", Part::Shared, log.completed_km.run, KM),
    Field {
        name: "athlete_feedback",
        part: Part::Athlete,
        required: false,
        slot: |v| Slot::Text(&mut v.athlete_feedback, LONG_TEXT),
    },
    Field {
        name: "coach_comments",
        part: Part::Coach,
        required: false,
        slot: |v| Slot::Text(&mut v.coach_comments, LONG_TEXT),
    },
    number!(
        "bike_average_speed_kph",
        Part::Shared,
        log.bike_average_speed_kph,
        (0.0, 200.0)
    ),
    int!(
        "bike_average_power_watts",
        Part::Shared,
        log.bike_average_power_watts,
        WATTS
    ),
    int!(
        "bike_average_cadence_rpm",
        Part::Shared,
        log.bike_average_cadence_rpm,
        (0, 300)
    ),
    int!(
        "bike_average_heart_rate_bpm",
        Part::Shared,
        log.bike_average_heart_rate_bpm,
        HR
    ),
    int!(
        "bike_meters_climbed",
        Part::Shared,
        log.bike_meters_climbed,
        CLIMB
    ),
    int!(
        "run_average_heart_rate_bpm",
        Part::Shared,
        log.run_average_heart_rate_bpm,
        HR
    ),
    int!(
        "run_meters_climbed",
        Part::Shared,
        log.run_meters_climbed,
        CLIMB
    ),
    Field {
        name: "missed_session",
        part: Part::Shared,
        required: false,
        slot: |v| Slot::Bool(&mut v.log.missed_session),
    },
];

/// Fields a client may send back as it read them; they are not written.
const READ_ONLY: &[&str] = &[
    "id",
    "athlete",
    "datetime_added",
    "datetime_updated",
    "session_plan_editable",
    "deleted",
    "discipline_title",
    "discipline_category",
    "has_uploaded_training",
    "url",
    "direct_access_token",
];

/// Why a writer may not change a part.
fn refusal(part: Part) -> &'static str {
    match part {
        Part::Plan => "This field is read-only: the session was planned by the athlete's coach.",
        Part::Coach => "This field is read-only: only the athlete's coach writes it.",
        Part::Athlete => "This field is read-only: only the athlete writes it.",
        Part::Shared => "This field is read-only.",
    }
}

/// The session as the spec shows it.
pub(crate) fn session_json(state: &AppState, subject: &Subject, s: &TrainingSession) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(s.id.0));
    out.insert("athlete".into(), json!(s.user_id.get()));
    record::members(FIELDS, &s.values, &mut out);
    let discipline = DISCIPLINES
        .iter()
        .find(|d| d.id == s.values.plan.discipline_id);
    out.insert(
        "discipline_title".into(),
        json!(discipline.map(|d| d.title)),
    );
    out.insert(
        "discipline_category".into(),
        json!(discipline.map(|d| d.category)),
    );
    out.insert("datetime_added".into(), json!(datetime(s.created_at)));
    out.insert("datetime_updated".into(), json!(datetime(s.updated_at)));
    out.insert(
        "session_plan_editable".into(),
        json!(calendar::may_change(subject, Part::Plan, s.planned_by)),
    );
    out.insert("deleted".into(), json!(s.deleted));
    out.insert(
        "has_uploaded_training".into(),
        json!(s.has_uploaded_training),
    );
    out.insert(
        "url".into(),
        json!(format!("{}/session/{}/", state.oauth.issuer, s.id.0)),
    );
    out.insert("direct_access_token".into(), json!(s.direct_access_token));
    Value::Object(out)
}

/// The season a list covers by default: the athlete's current one.
async fn current_season(state: &AppState, subject: &Subject) -> Result<Season, Response> {
    let today = state.clock.now().date();
    match state.store.athlete_settings(subject.athlete).await {
        Ok(settings) => Ok(settings
            .unwrap_or_else(|| AthleteSettings::new_athlete(today))
            .current_season(today)
            .unwrap_or_else(|| Season::default_containing(today))),
        Err(cause) => Err(unavailable(&cause)),
    }
}

/// The calendar window of a list request, with its subject. Without any of
/// `start_date`, `end_date` and `updated_since_datetime` it is the athlete's current season
/// (the spec's default); with any of them, a bound not given is open, so that a client
/// syncing by `updated_since_datetime` learns of every change, whatever day it is on.
pub(crate) async fn list_query(
    state: &AppState,
    auth: &XhaleAuth,
    raw: Option<&str>,
) -> Result<(Subject, CalendarQuery), Response> {
    let grant = auth
        .require(&[Scope::Read])
        .map_err(IntoResponse::into_response)?;
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
    Ok((
        subject,
        CalendarQuery {
            from,
            to,
            updated_since: since,
        },
    ))
}

/// The open bounds of a window: days of four-digit years, which both engines compare.
const FIRST_DAY: time::Date = time::macros::date!(0001 - 01 - 01);
const LAST_DAY: time::Date = time::macros::date!(9999 - 12 - 31);

/// `GET /api/sessions/`. Scope `read`.
pub(crate) async fn list(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
) -> Response {
    let (subject, query) = match list_query(&state, &auth, raw.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.store.list_sessions(subject.athlete, query).await {
        Ok(sessions) => Json(
            sessions
                .iter()
                .map(|s| session_json(&state, &subject, s))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(cause) => unavailable(&cause),
    }
}

/// Checks a discipline written into `values`.
fn check_discipline(fields: &mut Fields<'_>, values: &SessionValues) {
    let id = values.plan.discipline_id;
    if !fields.errors.has("discipline_id") && !DISCIPLINES.iter().any(|d| d.id == id) {
        fields.errors.add(
            "discipline_id",
            format!("Invalid pk \"{id}\" - object does not exist."),
        );
    }
}

/// `POST /api/sessions/`. Scope `write`. A coach plans it for `?athlete=`.
pub(crate) async fn create(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let grant = match auth.require(&[Scope::Write]) {
        Ok(grant) => grant,
        Err(missing) => return missing.into_response(),
    };
    let subject = match access::subject_from_query(&state, grant.user_id, raw.as_deref()).await {
        Ok(subject) => subject,
        Err(response) => return response,
    };
    let input = match input::read(&headers, body).await {
        Ok(input) => input,
        Err(response) => return response,
    };
    let planned_by = subject.by_coach().then_some(subject.actor);
    let mut values = SessionValues::on(state.clock.now().date());
    let mut fields = Fields::new(&input);
    let files = write_fields(
        &mut fields,
        &input,
        Mode::Create,
        &mut values,
        &subject,
        planned_by,
    );
    if let Err(errors) = record::finish(fields) {
        return errors.into_response();
    }
    let new = NewSession {
        user_id: subject.athlete,
        planned_by,
        values,
        order_given: input.has("order"),
        direct_access_token: calendar::new_token(&mut rand::rng()),
        now: state.clock.now(),
    };
    match state.store.create_session(new, &files).await {
        Ok(Written::Saved(session)) => (
            StatusCode::CREATED,
            Json(session_json(&state, &subject, &session)),
        )
            .into_response(),
        Ok(Written::UnknownFiles(unknown)) => attach::unknown(&unknown),
        // A new record has no earlier version to be stale against.
        Ok(Written::Stale) => unavailable(&"a new session was refused as stale"),
        Err(cause) => unavailable(&cause),
    }
}

/// The subject of a request on session `raw_id`, and its id.
async fn reach(
    state: &AppState,
    auth: &XhaleAuth,
    scope: Scope,
    raw_id: &str,
) -> Result<(Subject, SessionId), Response> {
    access::reach(state, auth, scope, raw_id, |id| {
        (SessionId(id), Entry::Session(SessionId(id)))
    })
    .await
}

/// `GET /api/sessions/{id}/`. Scope `read`.
pub(crate) async fn retrieve(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> Response {
    let (subject, id) = match reach(&state, &auth, Scope::Read, &raw_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.store.get_session(subject.athlete, id).await {
        Ok(Some(session)) if !session.deleted => {
            Json(session_json(&state, &subject, &session)).into_response()
        }
        Ok(_) => not_found(),
        Err(cause) => unavailable(&cause),
    }
}

/// `PUT` and `PATCH /api/sessions/{id}/`. Scope `write`.
async fn update(
    state: AppState,
    auth: XhaleAuth,
    raw_id: String,
    mode: Mode,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (subject, id) = match reach(&state, &auth, Scope::Write, &raw_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let input = match input::read(&headers, body).await {
        Ok(input) => input,
        Err(response) => return response,
    };
    let write_into = |current: &TrainingSession| {
        let mut values = current.values.clone();
        let mut fields = Fields::new(&input);
        let files = write_fields(
            &mut fields,
            &input,
            mode,
            &mut values,
            &subject,
            current.planned_by,
        );
        record::finish(fields).map(|()| (values, files))
    };
    // The body is checked, and the files it names read, against the session as it is.
    let files = match state.store.get_session(subject.athlete, id).await {
        Ok(Some(current)) if !current.deleted => match write_into(&current) {
            Ok((_, files)) => files,
            Err(errors) => return errors.into_response(),
        },
        Ok(_) => return not_found(),
        Err(cause) => return unavailable(&cause),
    };
    let edited = calendar::edit(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        id,
        &files,
        |current: &TrainingSession| write_into(current).map(|(values, _)| values),
    )
    .await;
    edit_answer(&state, &subject, edited)
}

fn edit_answer(
    state: &AppState,
    subject: &Subject,
    edited: Result<TrainingSession, EditError<input::FieldErrors>>,
) -> Response {
    match edited {
        Ok(session) => Json(session_json(state, subject, &session)).into_response(),
        Err(EditError::NotFound) => not_found(),
        Err(EditError::Refused(errors)) => errors.into_response(),
        Err(EditError::UnknownFiles(unknown)) => attach::unknown(&unknown),
        Err(EditError::Contended) => crate::api::xhale::auth::detail(
            StatusCode::CONFLICT,
            "The session is being changed by others; try again.",
        ),
        Err(EditError::Store(cause)) => unavailable(&cause),
    }
}

/// Writes a body's fields into `values` as `subject`, for a session planned by
/// `planned_by`; answers the files to attach.
fn write_fields(
    fields: &mut Fields<'_>,
    input: &input::Input,
    mode: Mode,
    values: &mut SessionValues,
    subject: &Subject,
    planned_by: Option<paceline_domain::ids::UserId>,
) -> Vec<paceline_domain::files::FileId> {
    fields.ignore(READ_ONLY);
    record::write(
        FIELDS,
        fields,
        mode,
        values,
        |part| calendar::may_change(subject, part, planned_by),
        refusal,
    );
    if input.has("discipline_id") {
        check_discipline(fields, values);
    }
    attach::read(fields)
}

/// `PUT /api/sessions/{id}/`: the required fields must come again.
pub(crate) async fn replace(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    update(state, auth, raw_id, Mode::Replace, headers, body).await
}

/// `PATCH /api/sessions/{id}/`.
pub(crate) async fn patch(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    update(state, auth, raw_id, Mode::Patch, headers, body).await
}

/// `DELETE /api/sessions/{id}/`: soft; 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> Response {
    access::delete(&state, &auth, &raw_id, |id| Entry::Session(SessionId(id))).await
}

/// `POST /api/sessions/{id}/direct_access_token/`: a new token; the old one stops working.
/// Scope `write`.
pub(crate) async fn rotate_token(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> Response {
    let (subject, id) = match reach(&state, &auth, Scope::Write, &raw_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let token = calendar::new_token(&mut rand::rng());
    match state
        .store
        .set_session_token(subject.athlete, id, &token, state.clock.now())
        .await
    {
        Ok(true) => Json(json!({ "direct_access_token": token })).into_response(),
        Ok(false) => not_found(),
        Err(cause) => unavailable(&cause),
    }
}

/// `GET /session/{id}/?direct_access_token=...`: the session's summary, without logging in.
/// A wrong or missing token is not found, as an unknown session is.
pub(crate) async fn page(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let token = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "direct_access_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let Ok(id) = access::path_id(&raw_id) else {
        return page_not_found();
    };
    if token.len() != 32 {
        return page_not_found();
    }
    match state.store.session_by_token(SessionId(id), &token).await {
        Ok(Some(session)) => pages::render(StatusCode::OK, &SessionPage::of(&session)),
        Ok(None) => page_not_found(),
        Err(cause) => {
            tracing::error!(%cause, "storage failed");
            pages::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "The server cannot reach its database; try again later.",
                None,
            )
        }
    }
}

fn page_not_found() -> Response {
    pages::error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no session at this address, or its link has changed.",
        None,
    )
}

/// The session page: what was planned beside what was done.
#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    title: String,
    date: String,
    intensity: Option<i32>,
    description: String,
    rows: Vec<(&'static str, String, String)>,
    plan: String,
    feedback: String,
    comments: String,
}

impl SessionPage {
    fn of(s: &TrainingSession) -> Self {
        let v = &s.values;
        let show_int = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_else(|| "–".into());
        let show_km = |n: Option<f64>| n.map(|n| format!("{n:.2}")).unwrap_or_else(|| "–".into());
        let (pm, cm) = (&v.plan.prescribed_minutes, &v.log.completed_minutes);
        let (pk, ck) = (&v.plan.prescribed_km, &v.log.completed_km);
        let rows = vec![
            ("Minutes", show_int(pm.total), show_int(cm.total)),
            ("Kilometres", show_km(pk.total), show_km(ck.total)),
            ("Swim minutes", show_int(pm.swim), show_int(cm.swim)),
            ("Bike minutes", show_int(pm.bike), show_int(cm.bike)),
            ("Run minutes", show_int(pm.run), show_int(cm.run)),
        ];
        Self {
            title: DISCIPLINES
                .iter()
                .find(|d| d.id == v.plan.discipline_id)
                .map_or("Training session", |d| d.title)
                .to_owned(),
            date: v.date.to_string(),
            intensity: v.intensity,
            description: v.plan.brief_description.clone(),
            rows,
            plan: v.plan.training_plan.clone(),
            feedback: v.athlete_feedback.clone(),
            comments: v.coach_comments.clone(),
        }
    }
}
