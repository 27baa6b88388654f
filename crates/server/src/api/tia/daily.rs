//! Body metrics, sleep days, nutrition days and daily wellness (spec sections 5.3 to 5.6):
//! each a `GET` list and a `POST` upsert answering `{ id }`. The four share their handlers;
//! each resource says its body, scopes, key, values and item shape.

use crate::AppState;
use crate::api::tia::activities::home;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::body;
use crate::api::tia::error::TiaResult;
use crate::api::tia::fields::{BodySchema, EXTERNAL_ID, Field, Kind, RAW_PAYLOAD, Valid};
use crate::api::tia::list::BadQuery;
use crate::api::tia::{list, number, timestamp};
use crate::failure::Failure;
use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use paceline_domain::Store;
use paceline_domain::daily::{
    Attribution, BodyMetricValues, CIRCUMFERENCES, NewRecord, NutritionValues, Record, SleepValues,
    WellnessValues, WritingClient,
};
use paceline_domain::ids::{BodyMetricId, NutritionDayId, SleepDayId, UserId, WellnessDayId};
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::oauth::Scope;
use paceline_domain::store::StoreError;
use serde_json::{Map, Value, json};
use std::future::Future;
use time::{Date, OffsetDateTime};

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
pub(crate) async fn upsert<R: Resource>(
    State(state): State<AppState>,
    auth: TiaAuth,
    headers: HeaderMap,
    body: Body,
) -> TiaResult<Json<Value>> {
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
    Ok(Json(json!({ "id": R::public(&id) })))
}

/// `GET`: a page of the token's user's records, newest first.
pub(crate) async fn list<R: Resource>(
    State(state): State<AppState>,
    auth: TiaAuth,
    RawQuery(raw): RawQuery,
) -> TiaResult<Json<Value>> {
    let grant = auth.require(R::READ)?;
    let query = R::query(raw.as_deref())?;
    let page = R::list(state.store.as_ref(), grant.user_id, query).await?;
    let items = page.items.iter().map(item::<R>).collect();
    Ok(Json(list::answer(items, &query, page.has_next)))
}

/// A record as the spec's lists show it.
fn item<R: Resource>(record: &Record<R::Id, R::Key, R::Values>) -> Value {
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
    Value::Object(out)
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

/// Body metrics, unique per athlete and `measuredAt`.
pub(crate) struct BodyMetrics;

impl Resource for BodyMetrics {
    type Key = OffsetDateTime;
    type Values = BodyMetricValues;
    type Id = BodyMetricId;

    const WRITE: BodySchema = BodySchema {
        name: "BodyMetricWrite",
        fields: &[
            Field::of(
                "measuredAt",
                Kind::Instant,
                "When it was measured, ISO 8601 with a UTC offset; a second write at the same instant replaces the first.",
            )
            .required(),
            Field::number("weightKg", 1.0, 700.0, "Weight, kilograms."),
            Field::number("heightCm", 30.0, 300.0, "Height, centimetres."),
            Field::number("bodyFatPct", 0.0, 100.0, "Body fat, percent."),
            Field::number("muscleMassKg", 0.0, 700.0, "Muscle mass, kilograms."),
            Field::integer("restingHr", 20, 250, "Resting heart rate, beats per minute."),
            Field::number("sleepHours", 0.0, 24.0, "Hours slept the night before."),
            Field::text("notes", 10_000, "Free notes."),
            Field::of(
                "circumferences",
                Kind::Measures {
                    keys: &CIRCUMFERENCES,
                    max: 500.0,
                },
                "Circumferences in centimetres, e.g. { \"waistCm\": 82 }.",
            ),
            EXTERNAL_ID,
            RAW_PAYLOAD,
        ],
        checks: &[],
    };
    const READ: Scope = Scope::BodyMetricsRead;
    const WRITE_SCOPE: Scope = Scope::BodyMetricsWrite;
    const KEY: &'static str = "measuredAt";

    fn key(valid: &Valid) -> Option<OffsetDateTime> {
        valid.instant("measuredAt")
    }

    fn values(valid: &Valid) -> BodyMetricValues {
        BodyMetricValues {
            weight_kg: valid.number("weightKg"),
            height_cm: valid.number("heightCm"),
            body_fat_pct: valid.number("bodyFatPct"),
            muscle_mass_kg: valid.number("muscleMassKg"),
            resting_hr: valid.int32("restingHr"),
            sleep_hours: valid.number("sleepHours"),
            notes: valid.text("notes"),
            circumferences: valid.measures("circumferences"),
        }
    }

    fn key_json(key: OffsetDateTime) -> Value {
        timestamp(key).into()
    }

    fn values_json(v: &BodyMetricValues, out: &mut Map<String, Value>) {
        put_numbers(
            out,
            &[
                ("weightKg", v.weight_kg),
                ("heightCm", v.height_cm),
                ("bodyFatPct", v.body_fat_pct),
                ("muscleMassKg", v.muscle_mass_kg),
            ],
        );
        put_integers(out, &[("restingHr", v.resting_hr.map(i64::from))]);
        put_numbers(out, &[("sleepHours", v.sleep_hours)]);
        out.insert("notes".into(), json!(v.notes));
        let circumferences: Map<String, Value> = v
            .circumferences
            .iter()
            .map(|(k, cm)| (k.clone(), number(*cm)))
            .collect();
        out.insert("circumferences".into(), Value::Object(circumferences));
    }

    fn public(id: &BodyMetricId) -> String {
        id.public()
    }

    fn query(raw: Option<&str>) -> Result<RecordQuery<OffsetDateTime>, BadQuery> {
        list::instant_query(raw)
    }

    async fn upsert(
        store: &dyn Store,
        new: NewRecord<OffsetDateTime, BodyMetricValues>,
    ) -> Result<BodyMetricId, StoreError> {
        store.upsert_body_metric(new).await
    }

    async fn list(
        store: &dyn Store,
        user: UserId,
        query: RecordQuery<OffsetDateTime>,
    ) -> Result<Page<Record<BodyMetricId, OffsetDateTime, BodyMetricValues>>, StoreError> {
        store.list_body_metrics(user, query).await
    }
}

fn sleep_ends_after_it_starts(valid: &Valid) -> Option<(&'static str, &'static str)> {
    match (valid.instant("sleepStartAt"), valid.instant("sleepEndAt")) {
        (Some(start), Some(end)) if end <= start => {
            Some(("sleepEndAt", "sleepEndAt must be after sleepStartAt"))
        }
        _ => None,
    }
}

fn asleep_within_time_in_bed(valid: &Valid) -> Option<(&'static str, &'static str)> {
    match (
        valid.integer("sleepSeconds"),
        valid.integer("timeInBedSeconds"),
    ) {
        (Some(asleep), Some(in_bed)) if asleep > in_bed => Some((
            "sleepSeconds",
            "sleepSeconds must not exceed timeInBedSeconds",
        )),
        _ => None,
    }
}

/// Sleep days, unique per athlete, day and client.
pub(crate) struct SleepDays;

impl Resource for SleepDays {
    type Key = Date;
    type Values = SleepValues;
    type Id = SleepDayId;

    const WRITE: BodySchema = BodySchema {
        name: "SleepDayWrite",
        fields: &[
            Field::of(
                "day",
                Kind::Day,
                "The day the night ends, YYYY-MM-DD; one record per day and client.",
            )
            .required(),
            Field::of("sleepStartAt", Kind::Instant, "Fell asleep, ISO 8601."),
            Field::of(
                "sleepEndAt",
                Kind::Instant,
                "Woke up, ISO 8601; after sleepStartAt.",
            ),
            Field::integer("sleepSeconds", 0, DAY_SECONDS, "Time asleep, seconds."),
            Field::integer("timeInBedSeconds", 0, DAY_SECONDS, "Time in bed, seconds."),
            Field::integer("deepSeconds", 0, DAY_SECONDS, "Deep sleep, seconds."),
            Field::integer("lightSeconds", 0, DAY_SECONDS, "Light sleep, seconds."),
            Field::integer("remSeconds", 0, DAY_SECONDS, "REM sleep, seconds."),
            Field::integer("awakeSeconds", 0, DAY_SECONDS, "Awake in bed, seconds."),
            Field::integer("sleepScore", 0, 100, "The tracker's score, 0 to 100."),
            EXTERNAL_ID,
            RAW_PAYLOAD,
        ],
        checks: &[sleep_ends_after_it_starts, asleep_within_time_in_bed],
    };
    const READ: Scope = Scope::SleepRead;
    const WRITE_SCOPE: Scope = Scope::SleepWrite;
    const KEY: &'static str = "day";

    fn key(valid: &Valid) -> Option<Date> {
        valid.day("day")
    }

    fn values(valid: &Valid) -> SleepValues {
        SleepValues {
            sleep_start_at: valid.instant("sleepStartAt"),
            sleep_end_at: valid.instant("sleepEndAt"),
            sleep_seconds: valid.int32("sleepSeconds"),
            time_in_bed_seconds: valid.int32("timeInBedSeconds"),
            deep_seconds: valid.int32("deepSeconds"),
            light_seconds: valid.int32("lightSeconds"),
            rem_seconds: valid.int32("remSeconds"),
            awake_seconds: valid.int32("awakeSeconds"),
            sleep_score: valid.int32("sleepScore"),
        }
    }

    fn key_json(key: Date) -> Value {
        day_json(key)
    }

    fn values_json(v: &SleepValues, out: &mut Map<String, Value>) {
        out.insert(
            "sleepStartAt".into(),
            json!(v.sleep_start_at.map(timestamp)),
        );
        out.insert("sleepEndAt".into(), json!(v.sleep_end_at.map(timestamp)));
        put_integers(
            out,
            &[
                ("sleepSeconds", v.sleep_seconds.map(i64::from)),
                ("timeInBedSeconds", v.time_in_bed_seconds.map(i64::from)),
                ("deepSeconds", v.deep_seconds.map(i64::from)),
                ("lightSeconds", v.light_seconds.map(i64::from)),
                ("remSeconds", v.rem_seconds.map(i64::from)),
                ("awakeSeconds", v.awake_seconds.map(i64::from)),
                ("sleepScore", v.sleep_score.map(i64::from)),
            ],
        );
    }

    fn public(id: &SleepDayId) -> String {
        id.public()
    }

    fn query(raw: Option<&str>) -> Result<RecordQuery<Date>, BadQuery> {
        list::day_query(raw)
    }

    async fn upsert(
        store: &dyn Store,
        new: NewRecord<Date, SleepValues>,
    ) -> Result<SleepDayId, StoreError> {
        store.upsert_sleep_day(new).await
    }

    async fn list(
        store: &dyn Store,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<Record<SleepDayId, Date, SleepValues>>, StoreError> {
        store.list_sleep_days(user, query).await
    }
}

/// Nutrition days, unique per athlete and day: a write replaces the day, whoever wrote it.
pub(crate) struct NutritionDays;

impl Resource for NutritionDays {
    type Key = Date;
    type Values = NutritionValues;
    type Id = NutritionDayId;

    const WRITE: BodySchema = BodySchema {
        name: "NutritionDayWrite",
        fields: &[
            Field::of(
                "day",
                Kind::Day,
                "The day, YYYY-MM-DD; one record per day, a write replaces it.",
            )
            .required(),
            Field::of(
                "loggedAt",
                Kind::Instant,
                "When the day was logged, ISO 8601.",
            ),
            Field::number(
                "energyBreakfastKcal",
                0.0,
                MAX_KCAL,
                "Breakfast, kilocalories.",
            ),
            Field::number("energyLunchKcal", 0.0, MAX_KCAL, "Lunch, kilocalories."),
            Field::number("energyDinnerKcal", 0.0, MAX_KCAL, "Dinner, kilocalories."),
            Field::number("energySnackKcal", 0.0, MAX_KCAL, "Snacks, kilocalories."),
            Field::number(
                "energyTotalKcal",
                0.0,
                MAX_KCAL,
                "The day's total, kilocalories; when left out, the sum of the meals written.",
            ),
            Field::number(
                "goalEnergyKcal",
                0.0,
                MAX_KCAL,
                "Energy goal, kilocalories.",
            ),
            Field::number("carbTotalG", 0.0, MAX_GRAMS, "Carbohydrate, grams."),
            Field::number("proteinTotalG", 0.0, MAX_GRAMS, "Protein, grams."),
            Field::number("fatTotalG", 0.0, MAX_GRAMS, "Fat, grams."),
            Field::number("goalCarbG", 0.0, MAX_GRAMS, "Carbohydrate goal, grams."),
            Field::number("goalProteinG", 0.0, MAX_GRAMS, "Protein goal, grams."),
            Field::number("goalFatG", 0.0, MAX_GRAMS, "Fat goal, grams."),
            Field::number(
                "activityEnergyKcal",
                0.0,
                MAX_KCAL,
                "Energy spent in activity, kilocalories.",
            ),
            Field::integer("steps", 0, MAX_STEPS, "Steps."),
            Field::number("waterMl", 0.0, MAX_WATER_ML, "Water, millilitres."),
            EXTERNAL_ID,
            RAW_PAYLOAD,
        ],
        checks: &[],
    };
    const READ: Scope = Scope::NutritionRead;
    const WRITE_SCOPE: Scope = Scope::NutritionWrite;
    const KEY: &'static str = "day";

    fn key(valid: &Valid) -> Option<Date> {
        valid.day("day")
    }

    fn values(valid: &Valid) -> NutritionValues {
        NutritionValues {
            logged_at: valid.instant("loggedAt"),
            energy_breakfast_kcal: valid.number("energyBreakfastKcal"),
            energy_lunch_kcal: valid.number("energyLunchKcal"),
            energy_dinner_kcal: valid.number("energyDinnerKcal"),
            energy_snack_kcal: valid.number("energySnackKcal"),
            energy_total_kcal: valid.number("energyTotalKcal"),
            goal_energy_kcal: valid.number("goalEnergyKcal"),
            carb_total_g: valid.number("carbTotalG"),
            protein_total_g: valid.number("proteinTotalG"),
            fat_total_g: valid.number("fatTotalG"),
            goal_carb_g: valid.number("goalCarbG"),
            goal_protein_g: valid.number("goalProteinG"),
            goal_fat_g: valid.number("goalFatG"),
            activity_energy_kcal: valid.number("activityEnergyKcal"),
            steps: valid.integer("steps"),
            water_ml: valid.number("waterMl"),
        }
        .with_total()
    }

    fn key_json(key: Date) -> Value {
        day_json(key)
    }

    fn values_json(v: &NutritionValues, out: &mut Map<String, Value>) {
        out.insert("loggedAt".into(), json!(v.logged_at.map(timestamp)));
        put_numbers(
            out,
            &[
                ("energyBreakfastKcal", v.energy_breakfast_kcal),
                ("energyLunchKcal", v.energy_lunch_kcal),
                ("energyDinnerKcal", v.energy_dinner_kcal),
                ("energySnackKcal", v.energy_snack_kcal),
                ("energyTotalKcal", v.energy_total_kcal),
                ("goalEnergyKcal", v.goal_energy_kcal),
                ("carbTotalG", v.carb_total_g),
                ("proteinTotalG", v.protein_total_g),
                ("fatTotalG", v.fat_total_g),
                ("goalCarbG", v.goal_carb_g),
                ("goalProteinG", v.goal_protein_g),
                ("goalFatG", v.goal_fat_g),
                ("activityEnergyKcal", v.activity_energy_kcal),
                ("waterMl", v.water_ml),
            ],
        );
        put_integers(out, &[("steps", v.steps)]);
    }

    fn public(id: &NutritionDayId) -> String {
        id.public()
    }

    fn query(raw: Option<&str>) -> Result<RecordQuery<Date>, BadQuery> {
        list::day_query(raw)
    }

    async fn upsert(
        store: &dyn Store,
        new: NewRecord<Date, NutritionValues>,
    ) -> Result<NutritionDayId, StoreError> {
        store.upsert_nutrition_day(new).await
    }

    async fn list(
        store: &dyn Store,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<Record<NutritionDayId, Date, NutritionValues>>, StoreError> {
        store.list_nutrition_days(user, query).await
    }
}

/// Daily wellness, unique per athlete, day and client.
pub(crate) struct WellnessDays;

impl Resource for WellnessDays {
    type Key = Date;
    type Values = WellnessValues;
    type Id = WellnessDayId;

    const WRITE: BodySchema = BodySchema {
        name: "DailyWellnessWrite",
        fields: &[
            Field::of(
                "day",
                Kind::Day,
                "The day, YYYY-MM-DD; one record per day and client.",
            )
            .required(),
            Field::integer("steps", 0, MAX_STEPS, "Steps."),
            Field::number("waterMl", 0.0, MAX_WATER_ML, "Water, millilitres."),
            Field::number(
                "activityEnergyKcal",
                0.0,
                MAX_KCAL,
                "Energy spent in activity, kilocalories.",
            ),
            EXTERNAL_ID,
            RAW_PAYLOAD,
        ],
        checks: &[],
    };
    const READ: Scope = Scope::WellnessRead;
    const WRITE_SCOPE: Scope = Scope::WellnessWrite;
    const KEY: &'static str = "day";

    fn key(valid: &Valid) -> Option<Date> {
        valid.day("day")
    }

    fn values(valid: &Valid) -> WellnessValues {
        WellnessValues {
            steps: valid.integer("steps"),
            water_ml: valid.number("waterMl"),
            activity_energy_kcal: valid.number("activityEnergyKcal"),
        }
    }

    fn key_json(key: Date) -> Value {
        day_json(key)
    }

    fn values_json(v: &WellnessValues, out: &mut Map<String, Value>) {
        put_integers(out, &[("steps", v.steps)]);
        put_numbers(
            out,
            &[
                ("waterMl", v.water_ml),
                ("activityEnergyKcal", v.activity_energy_kcal),
            ],
        );
    }

    fn public(id: &WellnessDayId) -> String {
        id.public()
    }

    fn query(raw: Option<&str>) -> Result<RecordQuery<Date>, BadQuery> {
        list::day_query(raw)
    }

    async fn upsert(
        store: &dyn Store,
        new: NewRecord<Date, WellnessValues>,
    ) -> Result<WellnessDayId, StoreError> {
        store.upsert_wellness_day(new).await
    }

    async fn list(
        store: &dyn Store,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<Record<WellnessDayId, Date, WellnessValues>>, StoreError> {
        store.list_wellness_days(user, query).await
    }
}
