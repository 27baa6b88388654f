//! Races: `/api/races/` (list, create) and `/api/races/{id}/` (retrieve, PUT, PATCH,
//! DELETE).

use crate::AppState;
use crate::api::xhale::access;
use crate::api::xhale::attach;
use crate::api::xhale::auth::{XhaleAuth, detail, not_found, unavailable};
use crate::api::xhale::input::{self, Fields};
use crate::api::xhale::record::{self, Field, Mode, Slot};
use crate::api::xhale::sessions::list_query;
use crate::api::xhale::wire::datetime;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paceline_domain::activities::limits;
use paceline_domain::calendar::{self, EditError, Entry, Part, Race, RaceId, RaceValues, Written};
use paceline_domain::coaching::Subject;
use paceline_domain::files::FileId;
use paceline_domain::oauth::Scope;
use serde_json::{Map, Value, json};

const LONG_TEXT: usize = limits::NOTES_CHARS;

macro_rules! int {
    ($name:literal, $field:ident, $max:expr) => {
        Field {
            name: $name,
            part: Part::Shared,
            required: false,
            slot: |v: &mut RaceValues| Slot::Int(&mut v.$field, 0, $max),
        }
    };
}

macro_rules! text {
    ($name:literal, $part:expr, $field:ident) => {
        Field {
            name: $name,
            part: $part,
            required: false,
            slot: |v: &mut RaceValues| Slot::Text(&mut v.$field, LONG_TEXT),
        }
    };
}

/// Every writable field of a race, in the order the spec shows them.
pub(crate) const FIELDS: &[Field<RaceValues>] = &[
    Field {
        name: "date",
        part: Part::Shared,
        required: true,
        slot: |v| Slot::Date(&mut v.date),
    },
    Field {
        name: "race_name",
        part: Part::Shared,
        required: true,
        slot: |v| Slot::RequiredText(&mut v.race_name, 255),
    },
    int!("distance", distance, 1_000_000),
    int!("taper_days", taper_days, 365),
    int!("attendance_probability", attendance_probability, 100),
    text!("athletes_plan", Part::Athlete, athletes_plan),
    text!("coach_plan", Part::Coach, coach_plan),
    text!("athlete_feedback", Part::Athlete, athlete_feedback),
    text!("coach_comments", Part::Coach, coach_comments),
    Field {
        name: "event_url",
        part: Part::Shared,
        required: false,
        slot: |v| Slot::Text(&mut v.event_url, 2_000),
    },
    int!("position_overall", position_overall, 1_000_000),
    int!("position_age_group", position_age_group, 1_000_000),
    Field {
        name: "race_priority",
        part: Part::Shared,
        required: false,
        slot: |v| Slot::Priority(&mut v.race_priority),
    },
];

/// Fields a client may send back as it read them; they are not written.
const READ_ONLY: &[&str] = &[
    "id",
    "athlete",
    "deleted",
    "datetime_added",
    "datetime_updated",
    "has_uploaded_training",
];

fn refusal(part: Part) -> &'static str {
    match part {
        Part::Coach => "This field is read-only: only the athlete's coach writes it.",
        Part::Athlete => "This field is read-only: only the athlete writes it.",
        Part::Plan | Part::Shared => "This field is read-only.",
    }
}

/// The race as the spec shows it.
fn race_json(race: &Race) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(race.id.0));
    out.insert("athlete".into(), json!(race.user_id.get()));
    record::members(FIELDS, &race.values, &mut out);
    out.insert("deleted".into(), json!(race.deleted));
    out.insert("datetime_added".into(), json!(datetime(race.created_at)));
    out.insert("datetime_updated".into(), json!(datetime(race.updated_at)));
    out.insert(
        "has_uploaded_training".into(),
        json!(race.has_uploaded_training),
    );
    Value::Object(out)
}

/// An event URL: empty, or an absolute http(s) URL.
fn check_url(fields: &mut Fields<'_>, values: &RaceValues) {
    let url = values.event_url.as_str();
    let valid = url.is_empty()
        || ((url.starts_with("http://") || url.starts_with("https://"))
            && url.len() > "https://".len()
            && !url.chars().any(|c| c.is_whitespace() || c.is_control()));
    if !valid {
        fields.errors.add("event_url", "Enter a valid URL.");
    }
}

/// Writes the body into `values` for `subject`; answers the files to attach.
fn write(
    input: &input::Input,
    mode: Mode,
    subject: &Subject,
    values: &mut RaceValues,
) -> Result<Vec<FileId>, input::FieldErrors> {
    let mut fields = Fields::new(input);
    fields.ignore(READ_ONLY);
    record::write(
        FIELDS,
        &mut fields,
        mode,
        values,
        |part| calendar::may_change(subject, part, None),
        refusal,
    );
    check_url(&mut fields, values);
    let files = attach::read(&mut fields);
    record::finish(fields).map(|()| files)
}

/// `GET /api/races/`. Scope `read`.
pub(crate) async fn list(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
) -> Response {
    let (subject, query) = match list_query(&state, &auth, raw.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.store.list_races(subject.athlete, query).await {
        Ok(races) => Json(races.iter().map(race_json).collect::<Vec<_>>()).into_response(),
        Err(cause) => unavailable(&cause),
    }
}

/// `POST /api/races/`. Scope `write`; a coach adds one for `?athlete=`.
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
    let now = state.clock.now();
    let mut values = RaceValues::on(now.date());
    let files = match write(&input, Mode::Create, &subject, &mut values) {
        Ok(files) => files,
        Err(errors) => return errors.into_response(),
    };
    match state
        .store
        .create_race(subject.athlete, &values, &files, now)
        .await
    {
        Ok(Written::Saved(race)) => (StatusCode::CREATED, Json(race_json(&race))).into_response(),
        Ok(Written::UnknownFiles(unknown)) => attach::unknown(&unknown),
        // A new record has no earlier version to be stale against.
        Ok(Written::Stale) => unavailable(&"a new race was refused as stale"),
        Err(cause) => unavailable(&cause),
    }
}

async fn reach(
    state: &AppState,
    auth: &XhaleAuth,
    scope: Scope,
    raw_id: &str,
) -> Result<(Subject, RaceId), Response> {
    access::reach(state, auth, scope, raw_id, |id| {
        (RaceId(id), Entry::Race(RaceId(id)))
    })
    .await
}

/// `GET /api/races/{id}/`. Scope `read`.
pub(crate) async fn retrieve(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> Response {
    let (subject, id) = match reach(&state, &auth, Scope::Read, &raw_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.store.get_race(subject.athlete, id).await {
        Ok(Some(race)) if !race.deleted => Json(race_json(&race)).into_response(),
        Ok(_) => not_found(),
        Err(cause) => unavailable(&cause),
    }
}

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
    // The body is checked, and the files it names read, against the race as it is.
    let files = match state.store.get_race(subject.athlete, id).await {
        Ok(Some(current)) if !current.deleted => {
            match write(&input, mode, &subject, &mut current.values.clone()) {
                Ok(files) => files,
                Err(errors) => return errors.into_response(),
            }
        }
        Ok(_) => return not_found(),
        Err(cause) => return unavailable(&cause),
    };
    let edited = calendar::edit(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        id,
        &files,
        |current: &Race| {
            let mut values = current.values.clone();
            write(&input, mode, &subject, &mut values).map(|_| values)
        },
    )
    .await;
    match edited {
        Ok(race) => Json(race_json(&race)).into_response(),
        Err(EditError::NotFound) => not_found(),
        Err(EditError::Refused(errors)) => errors.into_response(),
        Err(EditError::UnknownFiles(unknown)) => attach::unknown(&unknown),
        Err(EditError::Contended) => detail(
            StatusCode::CONFLICT,
            "The race is being changed by others; try again.",
        ),
        Err(EditError::Store(cause)) => unavailable(&cause),
    }
}

/// `PUT /api/races/{id}/`: the required fields must come again.
pub(crate) async fn replace(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    update(state, auth, raw_id, Mode::Replace, headers, body).await
}

/// `PATCH /api/races/{id}/`.
pub(crate) async fn patch(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    update(state, auth, raw_id, Mode::Patch, headers, body).await
}

/// `DELETE /api/races/{id}/`: soft; 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> Response {
    access::delete(&state, &auth, &raw_id, |id| Entry::Race(RaceId(id))).await
}
