//! `GET` and `POST /api/external/v1/activities` (spec section 5.2).
//!
//! Writes take `durationMin` and `distanceKm`; reads give `durationSec` and `distanceM`.
//! `perceivedExertion` is written as RPE 1..10 and read back as the internal load score;
//! calories are written positive and read back negative. `externalId` and `rawPayload` live
//! in `sources[]`. A second write of the same `externalId` by the same client creates
//! nothing and answers the first activity's id with `duplicate: true`.

use crate::AppState;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::body;
use crate::api::tia::error::{TiaError, TiaResult};
use crate::api::tia::fields::{BodySchema, EXTERNAL_ID, Field, Kind, RAW_PAYLOAD, Valid};
use crate::api::tia::list;
use crate::api::tia::schemas::{self, Duplicate, Written};
use crate::api::tia::timestamp;
use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use paceline_domain::accounts;
use paceline_domain::activities::{
    Activity, ActivityOrigin, ActivityType, Figures, NewActivity, SourceEntry, limits, load_score,
};
use paceline_domain::entities::Membership;
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::AccessGrant;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// The provider of sources written as JSON by an OAuth client.
const EXTERNAL: &str = "EXTERNAL";

/// The body of `POST /activities`.
pub(crate) const WRITE: BodySchema = BodySchema {
    name: "ActivityWrite",
    fields: &[
        Field::text("title", limits::TITLE_CHARS, "A title, e.g. Evening Run."),
        Field::of(
            "type",
            Kind::Choice(ActivityType::NAMES),
            "The kind of activity.",
        )
        .required(),
        Field::of(
            "startedAt",
            Kind::Instant,
            "Start, ISO 8601 with a UTC offset.",
        )
        .required(),
        Field::of(
            "durationMin",
            Kind::Number {
                min: *limits::DURATION_MIN.start(),
                max: *limits::DURATION_MIN.end(),
                above_min: true,
            },
            "Elapsed time in minutes, more than 0 (read back as durationSec).",
        )
        .required(),
        Field::number(
            "distanceKm",
            *limits::DISTANCE_KM.start(),
            *limits::DISTANCE_KM.end(),
            "Distance in kilometres (read back as distanceM).",
        ),
        Field::number(
            "elevationGainM",
            *limits::ELEVATION_GAIN_M.start(),
            *limits::ELEVATION_GAIN_M.end(),
            "Ascent in metres.",
        ),
        Field::integer(
            "avgHr",
            *limits::HEART_RATE.start(),
            *limits::HEART_RATE.end(),
            "Average heart rate, beats per minute.",
        ),
        Field::integer(
            "maxHr",
            *limits::HEART_RATE.start(),
            *limits::HEART_RATE.end(),
            "Maximum heart rate, beats per minute; not below avgHr.",
        ),
        Field::integer(
            "avgPower",
            *limits::POWER.start(),
            *limits::POWER.end(),
            "Average power, watts.",
        ),
        Field::integer(
            "calories",
            *limits::CALORIES.start(),
            *limits::CALORIES.end(),
            "Energy in kilocalories, positive (read back negative).",
        ),
        Field::integer(
            "perceivedExertion",
            *limits::RPE.start(),
            *limits::RPE.end(),
            "RPE 1..10; read back as the internal load score, round(RPE * durationMin / 5).",
        ),
        Field::text("notes", limits::NOTES_CHARS, "Free notes."),
        Field::of(
            "timezone",
            Kind::Text {
                min_chars: 1,
                max_chars: 64,
            },
            "IANA time zone of the start, e.g. Europe/Berlin.",
        ),
        Field {
            description: "Your id for the activity; writing it again from the same client answers the existing activity.",
            ..EXTERNAL_ID
        },
        Field {
            description: "Anything else to keep with the activity (e.g. suffer_score), returned in sources[].rawPayload.payload.",
            ..RAW_PAYLOAD
        },
    ],
    checks: &[max_hr_not_below_average, timezone_is_a_zone_name],
};

fn max_hr_not_below_average(valid: &Valid) -> Option<(&'static str, &'static str)> {
    match (valid.integer("avgHr"), valid.integer("maxHr")) {
        (Some(avg), Some(max)) if max < avg => Some(("maxHr", "maxHr must not be below avgHr")),
        _ => None,
    }
}

/// IANA names are `Area/Location` (or `UTC`): letters, digits, `_`, `-`, `+` and `/`.
fn timezone_is_a_zone_name(valid: &Valid) -> Option<(&'static str, &'static str)> {
    let zone = valid.text("timezone")?;
    let fine = zone.split('/').all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
    }) && zone.starts_with(|c: char| c.is_ascii_alphabetic());
    (!fine).then_some((
        "timezone",
        "Invalid time zone: use an IANA name such as Europe/Berlin",
    ))
}

/// The membership a token's user files records under, or the answer when there is none.
pub(crate) async fn home(state: &AppState, grant: &AccessGrant) -> TiaResult<Membership> {
    accounts::home_membership(state.store.as_ref(), grant.user_id)
        .await?
        .ok_or_else(|| {
            TiaError::refused(
                StatusCode::CONFLICT,
                "This account belongs to no organization.",
                "no_membership",
                "Ask the administrator to add the account to an organization.",
            )
        })
}

/// `POST /activities`: 201 `{ id }` for a new activity, 200 `{ id, duplicate: true }` for an
/// `externalId` this client wrote before. Scope `activities:write`.
pub(crate) async fn create_activity(
    State(state): State<AppState>,
    auth: TiaAuth,
    headers: HeaderMap,
    body: Body,
) -> TiaResult {
    let grant = auth.require(Scope::ActivitiesWrite)?;
    let valid = body::read(&headers, body, &WRITE).await?;
    let membership = home(&state, grant).await?;
    let now = state.clock.now();
    let duration_sec = valid
        .number("durationMin")
        .map(|min| (min * 60_000.0).round() / 1000.0);
    let rpe = valid.int32("perceivedExertion");
    let calories = valid.int32("calories");
    let external_id = valid.text("externalId");
    let raw_payload = valid.object("rawPayload");
    let source = (external_id.is_some() || raw_payload.is_some()).then(|| SourceEntry {
        provider: EXTERNAL.to_owned(),
        external_id,
        client_id: Some(grant.client_id.clone()),
        raw_payload,
        received_at: now,
    });
    let new = NewActivity {
        user_id: grant.user_id,
        membership_id: membership.id,
        origin: ActivityOrigin::External,
        client: Some(grant.client),
        activity_type: valid
            .text("type")
            .and_then(|t| t.parse().ok())
            .unwrap_or(ActivityType::Other),
        title: valid.text("title"),
        started_at: valid.instant("startedAt").unwrap_or(now),
        timezone: valid.text("timezone"),
        figures: Figures {
            duration_sec,
            // Centimetres: 9.8 km is 9800 m, not 9800.000000000002.
            distance_m: valid
                .number("distanceKm")
                .map(|km| (km * 100_000.0).round() / 100.0),
            elevation_gain_m: valid.number("elevationGainM"),
            avg_hr: valid.int32("avgHr"),
            max_hr: valid.int32("maxHr"),
            avg_power: valid.int32("avgPower"),
            avg_cadence: None,
            calories,
            rpe,
            load_score: load_score(rpe, duration_sec, calories),
        },
        notes: valid.text("notes"),
        source,
        legs: Vec::new(),
        now,
    };
    let recorded = state.store.record_activity(new).await?;
    let id = recorded.id.public();
    Ok(if recorded.duplicate {
        (StatusCode::OK, Json(Duplicate::of(id))).into_response()
    } else {
        (StatusCode::CREATED, Json(Written { id })).into_response()
    })
}

/// `GET /activities`: the token's user's activities, newest start first. Scope
/// `activities:read`.
pub(crate) async fn list_activities(
    State(state): State<AppState>,
    auth: TiaAuth,
    RawQuery(raw): RawQuery,
) -> TiaResult {
    let grant = auth.require(Scope::ActivitiesRead)?;
    let query = list::instant_query(raw.as_deref())?;
    let page = state.store.list_activities(grant.user_id, query).await?;
    // About 500 bytes an item: one buffer, not one copied as it doubles.
    let capacity = 256 + 600 * page.items.len();
    list::json_sized(
        &schemas::ActivityPage {
            items: page.items.iter().map(ActivityItem::of).collect(),
            pagination: list::pagination(&query, page.has_next),
        },
        capacity,
    )
}

/// A figure that reads as an integer when it is whole (`9800`, not `9800.0`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Figure(pub(crate) f64);

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// A client's raw payload as a source shows it: wrapped with who sent it and when.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalPayload<'a> {
    kind: &'static str,
    external_provider_client_id: Option<&'a str>,
    received_at: String,
    payload: Option<&'a RawValue>,
}

/// A source's raw payload: wrapped for a client's JSON, as kept otherwise.
#[derive(Serialize)]
#[serde(untagged)]
enum SourcePayload<'a> {
    External(ExternalPayload<'a>),
    Kept(Option<&'a RawValue>),
}

/// Where an activity came from: a client's JSON (`EXTERNAL`) or a file (`FIT`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ActivitySource)]
pub(crate) struct SourceItem<'a> {
    provider: &'a str,
    /// The client's id for the activity, or a file's SHA-256.
    external_id: Option<&'a str>,
    /// For `EXTERNAL`: `{ kind, externalProviderClientId, receivedAt, payload }`, payload
    /// being the `rawPayload` written.
    #[schema(value_type = Option<Object>)]
    raw_payload: SourcePayload<'a>,
}

impl<'a> SourceItem<'a> {
    fn of(source: &'a SourceEntry) -> Self {
        let payload = source
            .raw_payload
            .as_deref()
            .and_then(|text| serde_json::from_str::<&RawValue>(text).ok());
        let raw_payload = if source.provider == EXTERNAL {
            SourcePayload::External(ExternalPayload {
                kind: "oauth_external",
                external_provider_client_id: source.client_id.as_deref(),
                received_at: timestamp(source.received_at),
                payload,
            })
        } else {
            SourcePayload::Kept(payload)
        };
        Self {
            provider: &source.provider,
            external_id: source.external_id.as_deref(),
            raw_payload,
        }
    }
}

/// An activity as the spec's list shows it, serialized straight from the record.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Activity)]
pub(crate) struct ActivityItem<'a> {
    id: String,
    organization_id: String,
    athlete_id: String,
    /// `EXTERNAL` (an OAuth client) or `MANUAL`.
    source: &'static str,
    /// The writing client's id.
    source_name: Option<&'a str>,
    r#type: &'static str,
    title: Option<&'a str>,
    started_at: String,
    /// Whole seconds.
    #[schema(value_type = Option<i64>)]
    duration_sec: Option<Figure>,
    #[schema(value_type = Option<f64>)]
    distance_m: Option<Figure>,
    #[schema(value_type = Option<f64>)]
    elevation_gain_m: Option<Figure>,
    avg_hr: Option<i32>,
    max_hr: Option<i32>,
    avg_power: Option<i32>,
    /// Kilocalories, negative (Train it All's convention).
    calories: Option<i32>,
    /// The internal load score (not the RPE written).
    perceived_exertion: Option<i32>,
    notes: Option<&'a str>,
    timezone: Option<&'a str>,
    created_at: String,
    updated_at: String,
    /// The `externalId` written by the client, if any.
    external_id: Option<&'a str>,
    sources: Vec<SourceItem<'a>>,
}

impl<'a> ActivityItem<'a> {
    /// The item of an activity.
    pub(crate) fn of(activity: &'a Activity) -> Self {
        let f = &activity.figures;
        Self {
            id: activity.id.public(),
            organization_id: activity.organization_id.public(),
            athlete_id: activity.membership_id.public(),
            source: activity.origin.as_str(),
            source_name: activity.source_name.as_deref(),
            r#type: activity.activity_type.as_str(),
            title: activity.title.as_deref(),
            started_at: timestamp(activity.started_at),
            duration_sec: f.duration_sec.map(|s| Figure(s.round())),
            distance_m: f.distance_m.map(Figure),
            elevation_gain_m: f.elevation_gain_m.map(Figure),
            avg_hr: f.avg_hr,
            max_hr: f.max_hr,
            avg_power: f.avg_power,
            calories: f.calories.map(|kcal| -kcal),
            perceived_exertion: f.load_score,
            notes: activity.notes.as_deref(),
            timezone: activity.timezone.as_deref(),
            created_at: timestamp(activity.created_at),
            updated_at: timestamp(activity.updated_at),
            external_id: activity
                .sources
                .iter()
                .find(|s| s.provider == EXTERNAL && s.external_id.is_some())
                .and_then(|s| s.external_id.as_deref()),
            sources: activity.sources.iter().map(SourceItem::of).collect(),
        }
    }
}
