//! Planned workouts: `/api/workouts/` (list, create), `/api/workouts/{id}/` (retrieve,
//! PATCH, DELETE), and their files, `/api/sessions/{sid}/workouts/{wid}.fit` (and `.zwo`,
//! `.erg`), reached through a session the workout is attached to.

use crate::AppState;
use crate::api::xhale::access::{self, ATHLETE};
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use crate::api::xhale::input::{self, FieldErrors, Fields, Input, Written};
use crate::api::xhale::params::Params;
use crate::api::xhale::wire::datetime;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_activity::workout::ExportError;
use paceline_activity::{erg, fit, zwo};
use paceline_domain::StoreError;
use paceline_domain::activities::limits;
use paceline_domain::calendar::{Entry, SessionId};
use paceline_domain::coaching::Subject;
use paceline_domain::oauth::Scope;
use paceline_domain::workouts::{
    self, PlannedWorkout, SPORT_NAMES, WorkoutId, WorkoutPatch, WorkoutQuery, WorkoutSport,
    WorkoutValues, WriteError, steps,
};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The longest workout name, in characters.
const NAME_CHARS: usize = 255;

/// Fields a client may send back as it read them; they are not written.
const READ_ONLY: &[&str] = &[
    "workout_id",
    "athlete",
    "last_updated_datetime",
    "datetime_added",
    "training_sessions",
    "editable",
    "deleted",
];

/// The list's parameters: the spec's four, and `athlete` for coaches.
const LIST_PARAMETERS: &[&str] = &[
    "sport",
    "updated_since_datetime",
    "scheduled_date_earliest",
    "scheduled_date_latest",
    ATHLETE,
];

/// The workout as the spec's list shows it (`workout_id`, `sport`, `last_updated_datetime`,
/// `training_sessions`), with everything else a client needs to show or edit it.
#[derive(Serialize, ToSchema)]
#[schema(as = Workout)]
pub(crate) struct WorkoutItem {
    workout_id: i64,
    athlete: i64,
    sport: &'static str,
    name: String,
    description: String,
    /// The steps, as written (see the write body).
    #[schema(value_type = Vec<Object>)]
    steps: Value,
    training_sessions: Vec<SessionRef>,
    /// UTC, e.g. 2015-06-18T02:03:14.513292
    last_updated_datetime: String,
    /// UTC, e.g. 2015-06-18T02:03:14.513292
    datetime_added: String,
    /// Whether the token's user may change it.
    editable: bool,
    deleted: bool,
}

/// A session a workout is attached to.
#[derive(Serialize, ToSchema)]
pub(crate) struct SessionRef {
    id: i64,
    /// Its day, YYYY-MM-DD.
    date: String,
    /// Its discipline's title.
    name: &'static str,
}

impl WorkoutItem {
    fn new(w: &PlannedWorkout, editable: bool) -> Self {
        Self {
            workout_id: w.id.0,
            athlete: w.user_id.get(),
            sport: w.values.sport.name(),
            name: w.values.name.clone(),
            description: w.values.description.clone(),
            steps: steps::to_json(&w.values.steps),
            training_sessions: w
                .sessions
                .iter()
                .map(|s| SessionRef {
                    id: s.id.0,
                    date: s.date.to_string(),
                    name: s.name(),
                })
                .collect(),
            last_updated_datetime: datetime(w.last_changed),
            datetime_added: datetime(w.created_at),
            editable,
            deleted: w.deleted,
        }
    }
}

/// 403 for a coached athlete's write.
fn coach_plans() -> XhaleError {
    XhaleError::detail(
        StatusCode::FORBIDDEN,
        "You do not have permission to perform this action: a coached athlete's workouts are planned by their coach, who alone may create, change or delete them.",
    )
}

fn too_many_sessions() -> String {
    format!(
        "Ensure this field has no more than {} elements.",
        workouts::MAX_SESSIONS
    )
}

fn write_error(error: WriteError) -> XhaleError {
    match error {
        WriteError::CoachPlans => coach_plans(),
        WriteError::UnknownSessions(ids) => {
            let mut errors = FieldErrors::default();
            for id in ids {
                errors.add(
                    "training_session_ids",
                    format!("Invalid pk \"{id}\" - object does not exist."),
                );
            }
            XhaleError::Fields(errors)
        }
        WriteError::TooManySessions => {
            let mut errors = FieldErrors::default();
            errors.add("training_session_ids", too_many_sessions());
            XhaleError::Fields(errors)
        }
        WriteError::Steps(e) => {
            let mut errors = FieldErrors::default();
            errors.add("steps", e.to_string());
            XhaleError::Fields(errors)
        }
        WriteError::NotFound => XhaleError::NotFound,
        WriteError::Contended => XhaleError::detail(
            StatusCode::CONFLICT,
            "The workout is being changed by others; try again.",
        ),
        WriteError::Store(cause) => cause.into(),
    }
}

/// Whether the subject may write the athlete's workouts.
async fn editable(state: &AppState, subject: &Subject) -> XhaleResult<bool> {
    Ok(workouts::may_write(state.store.as_ref(), subject).await?)
}

/// The subject's write, refused with 403 when a coach plans the athlete's workouts.
async fn may_write(state: &AppState, subject: &Subject) -> XhaleResult<()> {
    if editable(state, subject).await? {
        Ok(())
    } else {
        Err(coach_plans())
    }
}

/// `GET /api/workouts/`. Scope `read`. Every workout of the athlete unless a filter is
/// given: `sport`, `updated_since_datetime` (deleted ones then included),
/// `scheduled_date_earliest` and `scheduled_date_latest` (a session it is attached to lies
/// within them).
pub(crate) async fn list_workouts(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
) -> XhaleResult<Json<Vec<WorkoutItem>>> {
    let grant = auth.require(&[Scope::Read])?;
    let mut params = Params::parse(raw.as_deref(), LIST_PARAMETERS);
    let sport = match params.raw("sport") {
        None => None,
        Some(name) => {
            let sport = WorkoutSport::from_name(name);
            if sport.is_none() {
                let message = format!("\"{name}\" is not a valid choice.");
                params.errors.add("sport", message);
            }
            sport
        }
    };
    let query = WorkoutQuery {
        sport,
        updated_since: params.datetime("updated_since_datetime"),
        scheduled_from: params.date("scheduled_date_earliest"),
        scheduled_to: params.date("scheduled_date_latest"),
    };
    let athlete = params.athlete();
    params.finish()?;
    let subject = access::subject(&state, grant.user_id, athlete).await?;
    let editable = editable(&state, &subject).await?;
    let list = state.store.list_workouts(subject.athlete, &query).await?;
    Ok(Json(
        list.iter().map(|w| WorkoutItem::new(w, editable)).collect(),
    ))
}

/// Reads a write body: every field given, the required ones demanded when `create`.
fn read_body(input: &Input, create: bool) -> Result<WorkoutPatch, FieldErrors> {
    const NOT_NULL: &str = "This field may not be null.";
    let mut fields = Fields::new(input);
    fields.ignore(READ_ONLY);
    let mut patch = WorkoutPatch::default();
    for name in ["sport", "name", "steps"] {
        if create && !fields.sent(name) {
            fields.errors.add(name, "This field is required.");
        }
    }
    match fields.choice("sport", &SPORT_NAMES) {
        Written::Value(name) => patch.sport = WorkoutSport::from_name(name),
        Written::Null => fields.errors.add("sport", NOT_NULL),
        Written::Absent => {}
    }
    match fields.text("name", NAME_CHARS) {
        Written::Value(name) if name.is_empty() => {
            fields.errors.add("name", "This field may not be blank.");
        }
        Written::Value(name) => patch.name = Some(name),
        Written::Null => fields.errors.add("name", NOT_NULL),
        Written::Absent => {}
    }
    match fields.text("description", limits::NOTES_CHARS) {
        Written::Value(text) => patch.description = Some(text),
        Written::Null => patch.description = Some(String::new()),
        Written::Absent => {}
    }
    match fields.json("steps") {
        Written::Value(value) => match steps::from_json(&value) {
            Ok(steps) => patch.steps = Some(steps),
            Err(e) => fields.errors.add("steps", e.to_string()),
        },
        Written::Null => fields.errors.add("steps", NOT_NULL),
        Written::Absent => {}
    }
    if fields.sent("training_session_ids") {
        let ids = fields.ids("training_session_ids");
        if ids.len() > workouts::MAX_SESSIONS {
            fields
                .errors
                .add("training_session_ids", too_many_sessions());
        }
        patch.sessions = Some(ids.into_iter().map(SessionId).collect());
    }
    fields.finish()?;
    Ok(patch)
}

/// `POST /api/workouts/`. Scope `write`. A coach plans it for `?athlete=`; a self-coached
/// athlete for themselves. Answers 201 with the workout.
pub(crate) async fn create_workout(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<(StatusCode, Json<WorkoutItem>)> {
    let grant = auth.require(&[Scope::Write])?;
    let subject = access::subject_from_query(&state, grant.user_id, raw.as_deref()).await?;
    may_write(&state, &subject).await?;
    let input = input::read(&headers, body).await?;
    let patch = read_body(&input, true)?;
    let (Some(sport), Some(name), Some(steps)) = (patch.sport, patch.name, patch.steps) else {
        // read_body demands all three: a body without them was answered above.
        return Err(FieldErrors::non_field("sport, name and steps are required.".into()).into());
    };
    let values = WorkoutValues {
        sport,
        name,
        description: patch.description.unwrap_or_default(),
        steps,
    };
    let sessions = patch.sessions.unwrap_or_default();
    let workout = workouts::create_workout(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        values,
        &sessions,
    )
    .await
    .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(WorkoutItem::new(&workout, true))))
}

/// The subject of a request on workout `raw_id`, and its id; 404 unless the token's user
/// is its athlete or their coach.
async fn reach(
    state: &AppState,
    auth: &XhaleAuth,
    scope: Scope,
    raw_id: &str,
) -> XhaleResult<(Subject, WorkoutId)> {
    let grant = auth.require(&[scope])?;
    let id = WorkoutId(access::path_id(raw_id)?);
    let owner = state.store.workout_owner(id).await;
    let subject = access::owned_by(state, grant.user_id, owner).await?;
    Ok((subject, id))
}

/// `GET /api/workouts/{id}/`. Scope `read`.
pub(crate) async fn get_workout(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> XhaleResult<Json<WorkoutItem>> {
    let (subject, id) = reach(&state, &auth, Scope::Read, &raw_id).await?;
    let editable = editable(&state, &subject).await?;
    match state.store.get_workout(subject.athlete, id).await? {
        Some(workout) if !workout.deleted => Ok(Json(WorkoutItem::new(&workout, editable))),
        _ => Err(XhaleError::NotFound),
    }
}

/// `PATCH /api/workouts/{id}/`. Scope `write`. Changes what it is sent; `training_session_ids`
/// replaces the sessions the workout is attached to.
pub(crate) async fn update_workout(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<Json<WorkoutItem>> {
    let (subject, id) = reach(&state, &auth, Scope::Write, &raw_id).await?;
    may_write(&state, &subject).await?;
    let input = input::read(&headers, body).await?;
    let patch = read_body(&input, false)?;
    let workout = workouts::edit_workout(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        id,
        &patch,
    )
    .await
    .map_err(write_error)?;
    Ok(Json(WorkoutItem::new(&workout, true)))
}

/// `DELETE /api/workouts/{id}/`. Scope `write`. Soft; 204.
pub(crate) async fn delete_workout(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> XhaleResult<StatusCode> {
    let (subject, id) = reach(&state, &auth, Scope::Write, &raw_id).await?;
    workouts::delete_workout(state.store.as_ref(), state.clock.as_ref(), &subject, id)
        .await
        .map_err(write_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The formats a workout downloads in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Fit,
    Zwo,
    Erg,
}

impl Format {
    /// The format of a file extension.
    pub(crate) fn of(extension: &str) -> Option<Self> {
        match extension {
            "fit" => Some(Self::Fit),
            "zwo" => Some(Self::Zwo),
            "erg" => Some(Self::Erg),
            _ => None,
        }
    }

    /// Its file extension.
    pub(crate) const fn extension(self) -> &'static str {
        match self {
            Self::Fit => "fit",
            Self::Zwo => "zwo",
            Self::Erg => "erg",
        }
    }

    /// Its media type.
    pub(crate) const fn media_type(self) -> &'static str {
        match self {
            Self::Fit => "application/vnd.ant.fit",
            Self::Zwo => "application/xml; charset=utf-8",
            Self::Erg => "text/plain; charset=utf-8",
        }
    }

    /// Its name, as people know it.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Fit => "FIT",
            Self::Zwo => "ZWO",
            Self::Erg => "ERG",
        }
    }
}

/// A workout the format cannot hold: 409 when it needs a figure of the athlete's that is
/// not set (it would succeed once it is), 422 otherwise.
fn unwritable(format: Format, error: &ExportError) -> XhaleError {
    match error {
        ExportError::Needs { .. } => XhaleError::detail(
            StatusCode::CONFLICT,
            format!(
                "This workout cannot be written as a {} file yet: {error}. Paceline takes power zones from the athlete's cycling zones, and FTP as the top of zone 4.",
                format.name()
            ),
        ),
        _ => XhaleError::detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "This workout cannot be written as a {} file: {error}.",
                format.name()
            ),
        ),
    }
}

/// A planned workout as a file of `format`: ZWO and ERG take the athlete's power reference
/// from their cycling zones. The web app's downloads write them here too.
pub(crate) async fn encode(
    state: &AppState,
    workout: &PlannedWorkout,
    format: Format,
) -> Result<Result<Vec<u8>, ExportError>, StoreError> {
    let model = workout.values.workout();
    Ok(match format {
        Format::Fit => fit::encode_workout(&model).map_err(ExportError::from),
        Format::Zwo | Format::Erg => {
            let settings = state.store.athlete_settings(workout.user_id).await?;
            let reference = settings
                .as_ref()
                .map(workouts::power_reference)
                .unwrap_or_default();
            let description = &workout.values.description;
            if format == Format::Zwo {
                zwo::encode_workout(&model, description, &reference)
            } else {
                erg::encode_workout(&model, description, &reference).map(String::into_bytes)
            }
        }
    })
}

/// `GET /api/sessions/{sid}/workouts/{wid}.fit` (or `.zwo`, `.erg`). Scope `read`. The
/// workout's file, when it is attached to that live session and the token's user is the
/// athlete or their coach; 404 otherwise.
pub(crate) async fn download_workout(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path((raw_session, file)): Path<(String, String)>,
) -> XhaleResult<Response> {
    let grant = auth.require(&[Scope::Read])?;
    let Some((raw_workout, format)) = file
        .rsplit_once('.')
        .and_then(|(id, extension)| Some((id, Format::of(extension)?)))
    else {
        return Err(XhaleError::NotFound);
    };
    let (Ok(session), Ok(workout)) = (access::path_id(&raw_session), access::path_id(raw_workout))
    else {
        return Err(XhaleError::NotFound);
    };
    let session = SessionId(session);
    let subject = access::owner_of(&state, grant.user_id, Entry::Session(session)).await?;
    let workout = match state
        .store
        .get_workout(subject.athlete, WorkoutId(workout))
        .await?
    {
        Some(w) if !w.deleted && w.sessions.iter().any(|s| s.id == session) => w,
        _ => return Err(XhaleError::NotFound),
    };
    let bytes = encode(&state, &workout, format)
        .await?
        .map_err(|e| unwritable(format, &e))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"workout{}.{}\"",
        workout.id.0,
        format.extension()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
