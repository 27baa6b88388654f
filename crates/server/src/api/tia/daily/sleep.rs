//! Sleep days (spec section 5.4): unique per athlete, day and client.

use super::DAY_SECONDS;
use super::{Resource, day_json, put_integers};
use crate::api::tia::fields::{BodySchema, EXTERNAL_ID, Field, Kind, RAW_PAYLOAD, Valid};
use crate::api::tia::list::BadQuery;
use crate::api::tia::{list, timestamp};
use paceline_domain::Store;
use paceline_domain::daily::{NewRecord, Record, SleepValues};
use paceline_domain::ids::{SleepDayId, UserId};
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::oauth::Scope;
use paceline_domain::store::StoreError;
use serde_json::{Map, Value, json};
use time::Date;

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
