//! Body metrics, sleep days, nutrition days and daily wellness (spec sections 5.3 to 5.6):
//! each a `GET` list and a `POST` upsert answering `{ id }`. The four share their handlers;
//! each resource says its body, scopes, key, values and item shape.

use crate::AppState;
use crate::api::tia::activities::home;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::body;
use crate::api::tia::error::TiaResult;
use crate::api::tia::fields::{BodySchema, Valid};
use crate::api::tia::list::BadQuery;
use crate::api::tia::schemas::{DailyItem, PageOf, Written};
use crate::api::tia::{list, number, timestamp};
use crate::failure::Failure;
use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use paceline_domain::Store;
use paceline_domain::daily::{Attribution, NewRecord, Record, WritingClient};
use paceline_domain::ids::UserId;
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::oauth::Scope;
use paceline_domain::store::StoreError;
use serde_json::{Map, Value, json};
use std::future::Future;
use time::Date;

/// A page of a resource's records.
pub(crate) type Records<R> =
    Page<Record<<R as Resource>::Id, <R as Resource>::Key, <R as Resource>::Values>>;

/// One of the daily resources.
pub(crate) trait Resource: Send + Sync + 'static {
    /// What records are unique and ordered by (with the athlete).
    type Key: Copy + Send + Sync + 'static;
    /// The record's values.
    type Values: Send + 'static;
    /// The record's id.
    type Id: Send;

    /// The write body.
    const WRITE: BodySchema;
    /// The scope of the list.
    const READ: Scope;
    /// The scope of the upsert.
    const WRITE_SCOPE: Scope;
    /// The key's field in bodies and items.
    const KEY: &'static str;

    /// The key of a valid body (its required field).
    fn key(valid: &Valid) -> Option<Self::Key>;
    /// The values of a valid body.
    fn values(valid: &Valid) -> Self::Values;
    /// The key as JSON.
    fn key_json(key: Self::Key) -> Value;
    /// The values as the spec's item fields.
    fn values_json(values: &Self::Values, out: &mut Map<String, Value>);
    /// The public id.
    fn public(id: &Self::Id) -> String;
    /// A list's query.
    fn query(raw: Option<&str>) -> Result<RecordQuery<Self::Key>, BadQuery>;

    /// Writes the record.
    fn upsert(
        store: &dyn Store,
        new: NewRecord<Self::Key, Self::Values>,
    ) -> impl Future<Output = Result<Self::Id, StoreError>> + Send;

    /// A page of the user's records.
    fn list(
        store: &dyn Store,
        user: UserId,
        query: RecordQuery<Self::Key>,
    ) -> impl Future<Output = Result<Records<Self>, StoreError>> + Send;
}

/// `POST`: validates, then upserts the record of the token's user and client: `{ id }`.
pub(crate) async fn upsert_record<R: Resource>(
    State(state): State<AppState>,
    auth: TiaAuth,
    headers: HeaderMap,
    body: Body,
) -> TiaResult<Json<Written>> {
    let grant = auth.require(R::WRITE_SCOPE)?;
    let valid = body::read(&headers, body, &R::WRITE).await?;
    let Some(key) = R::key(&valid) else {
        // The key is a required field: validation has made sure it is there.
        return Err(Failure::internal("a validated body without its key").into());
    };
    let membership = home(&state, grant).await?;
    let new = NewRecord {
        by: Attribution {
            user_id: grant.user_id,
            membership_id: membership.id,
            client: Some(WritingClient {
                key: grant.client,
                client_id: grant.client_id.clone(),
            }),
        },
        key,
        values: R::values(&valid),
        external_id: valid.text("externalId"),
        raw_payload: valid.object("rawPayload"),
        now: state.clock.now(),
    };
    let id = R::upsert(state.store.as_ref(), new).await?;
    Ok(Json(Written { id: R::public(&id) }))
}

/// `GET`: a page of the token's user's records, newest first.
pub(crate) async fn list_records<R: Resource>(
    State(state): State<AppState>,
    auth: TiaAuth,
    RawQuery(raw): RawQuery,
) -> TiaResult<Json<PageOf<DailyItem<R>>>> {
    let grant = auth.require(R::READ)?;
    let query = R::query(raw.as_deref())?;
    let page = R::list(state.store.as_ref(), grant.user_id, query).await?;
    let items = page.items.iter().map(item::<R>).collect();
    Ok(Json(PageOf {
        items,
        pagination: list::pagination(&query, page.has_next),
    }))
}

/// A record as the spec's lists show it.
fn item<R: Resource>(record: &Record<R::Id, R::Key, R::Values>) -> DailyItem<R> {
    let raw_payload: Value = record
        .raw_payload
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    let mut out = Map::new();
    out.insert("id".into(), R::public(&record.id).into());
    out.insert(
        "organizationId".into(),
        record.organization_id.public().into(),
    );
    out.insert("athleteId".into(), record.membership_id.public().into());
    out.insert(R::KEY.into(), R::key_json(record.key));
    out.insert("source".into(), record.origin.as_str().into());
    out.insert("sourceName".into(), json!(record.source_name));
    R::values_json(&record.values, &mut out);
    out.insert("externalId".into(), json!(record.external_id));
    out.insert("rawPayload".into(), raw_payload);
    out.insert("createdAt".into(), timestamp(record.created_at).into());
    out.insert("updatedAt".into(), timestamp(record.updated_at).into());
    DailyItem::new(out)
}

fn day_json(day: Date) -> Value {
    Value::String(day.to_string())
}

fn put_numbers(out: &mut Map<String, Value>, fields: &[(&str, Option<f64>)]) {
    for (name, value) in fields {
        out.insert((*name).into(), value.map(number).into());
    }
}

fn put_integers(out: &mut Map<String, Value>, fields: &[(&str, Option<i64>)]) {
    for (name, value) in fields {
        out.insert((*name).into(), (*value).into());
    }
}

const MAX_KCAL: f64 = 20_000.0;
const MAX_GRAMS: f64 = 5_000.0;
const MAX_WATER_ML: f64 = 20_000.0;
const MAX_STEPS: i64 = 300_000;
const DAY_SECONDS: i64 = 86_400;

mod body_metrics;
mod nutrition;
mod sleep;
mod wellness;

pub(crate) use body_metrics::BodyMetrics;
pub(crate) use nutrition::NutritionDays;
pub(crate) use sleep::SleepDays;
pub(crate) use wellness::WellnessDays;
