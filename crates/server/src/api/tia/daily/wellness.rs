//! Daily wellness (spec section 5.6): unique per athlete, day and client.

use super::{MAX_KCAL, MAX_STEPS, MAX_WATER_ML};
use super::{Resource, day_json, put_integers, put_numbers};
use crate::api::tia::fields::{BodySchema, EXTERNAL_ID, Field, Kind, RAW_PAYLOAD, Valid};
use crate::api::tia::list;
use crate::api::tia::list::BadQuery;
use paceline_domain::Store;
use paceline_domain::daily::{NewRecord, Record, WellnessValues};
use paceline_domain::ids::{UserId, WellnessDayId};
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::oauth::Scope;
use paceline_domain::store::StoreError;
use serde_json::{Map, Value};
use time::Date;

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
