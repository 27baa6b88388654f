//! Body metrics (spec section 5.3): unique per athlete and `measuredAt`.

use super::{Resource, put_integers, put_numbers};
use crate::api::tia::fields::{BodySchema, EXTERNAL_ID, Field, Kind, RAW_PAYLOAD, Valid};
use crate::api::tia::list::BadQuery;
use crate::api::tia::{list, number, timestamp};
use paceline_domain::Store;
use paceline_domain::daily::{BodyMetricValues, CIRCUMFERENCES, NewRecord, Record};
use paceline_domain::ids::{BodyMetricId, UserId};
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::oauth::Scope;
use paceline_domain::store::StoreError;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

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
