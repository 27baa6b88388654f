//! Training sessions: `/api/sessions/` (list, create), `/api/sessions/{id}/` (retrieve,
//! PUT, PATCH, DELETE), `/api/sessions/{id}/direct_access_token/` (a new token, which the
//! session's page, `/session/{id}/` in the web app, opens without logging in).

use crate::AppState;
use crate::api::xhale::access;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::calendar::Resource;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use crate::api::xhale::input::{Fields, Input};
use crate::api::xhale::record::{self, Field, Slot};
use crate::api::xhale::schemas::{Item, datetime_schema, plain};
use crate::api::xhale::wire::datetime;
use axum::Json;
use axum::extract::{Path, State};
use paceline_domain::StoreError;
use paceline_domain::activities::limits;
use paceline_domain::calendar::{
    self, CalendarQuery, Entry, NewSession, Part, SessionId, SessionValues, TrainingSession,
    Written,
};
use paceline_domain::coaching::Subject;
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::Scope;
use serde_json::{Map, json};
use time::Date;
use utoipa::openapi::Schema;
use utoipa::openapi::schema::Type;

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
fn session_answer(
    state: &AppState,
    subject: &Subject,
    s: &TrainingSession,
) -> Item<TrainingSession> {
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
    Item::new(out)
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

impl Resource for TrainingSession {
    fn key(id: i64) -> SessionId {
        SessionId(id)
    }

    const SCHEMA: &'static str = "Session";

    fn answer(&self, state: &AppState, subject: &Subject) -> Item<Self> {
        session_answer(state, subject, self)
    }

    fn read_only_schemas() -> Vec<(&'static str, Schema)> {
        vec![
            ("id", plain(Type::Integer, false)),
            ("athlete", plain(Type::Integer, false)),
            ("discipline_title", plain(Type::String, true)),
            ("discipline_category", plain(Type::String, true)),
            ("datetime_added", datetime_schema()),
            ("datetime_updated", datetime_schema()),
            ("session_plan_editable", plain(Type::Boolean, false)),
            ("deleted", plain(Type::Boolean, false)),
            ("has_uploaded_training", plain(Type::Boolean, false)),
            ("url", plain(Type::String, false)),
            ("direct_access_token", plain(Type::String, false)),
        ]
    }

    fn planner(subject: &Subject) -> Option<UserId> {
        calendar::planner(subject)
    }

    fn planned_by(&self) -> Option<UserId> {
        self.planned_by
    }

    fn new_values(date: Date) -> SessionValues {
        SessionValues::on(date)
    }

    const FIELDS: &'static [Field<SessionValues>] = FIELDS;
    const READ_ONLY: &'static [&'static str] = READ_ONLY;

    fn refusal(part: Part) -> &'static str {
        refusal(part)
    }

    fn check(input: &Input, fields: &mut Fields<'_>, values: &SessionValues) {
        if input.has("discipline_id") {
            check_discipline(fields, values);
        }
    }

    async fn list(
        state: &AppState,
        athlete: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<Self>, StoreError> {
        state.store.list_sessions(athlete, query).await
    }

    async fn create(
        state: &AppState,
        subject: &Subject,
        input: &Input,
        values: SessionValues,
        files: &[FileId],
    ) -> Result<Written<Self>, StoreError> {
        let new = NewSession {
            user_id: subject.athlete,
            planned_by: Self::planner(subject),
            values,
            order_given: input.has("order"),
            direct_access_token: calendar::new_token(&mut rand::rng()),
            now: state.clock.now(),
        };
        state.store.create_session(new, files).await
    }
}

/// A session's new direct-access token.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct DirectAccessToken {
    direct_access_token: String,
}

/// `POST /api/sessions/{id}/direct_access_token/`: a new token; the old one stops working.
/// Scope `write`.
pub(crate) async fn rotate_session_token(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> XhaleResult<Json<DirectAccessToken>> {
    let to_entry = |id| Entry::Session(SessionId(id));
    let (subject, id) = access::reach(&state, &auth, Scope::Write, &raw_id, to_entry).await?;
    let id = SessionId(id);
    let token = calendar::new_token(&mut rand::rng());
    let now = state.clock.now();
    if state
        .store
        .set_session_token(subject.athlete, id, &token, now)
        .await?
    {
        Ok(Json(DirectAccessToken {
            direct_access_token: token,
        }))
    } else {
        Err(XhaleError::NotFound)
    }
}
