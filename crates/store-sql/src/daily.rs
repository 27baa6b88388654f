//! [`DailyStore`]: body metrics, sleep days, nutrition days and daily wellness, one record
//! per athlete and key, each written by a single `INSERT ... ON CONFLICT DO UPDATE`.
//!
//! The four tables share their attribution columns (user, membership, source, client,
//! external id, raw payload, times); a [`Table`] names the rest, and the upsert and list
//! statements are written from it, so that the columns of each table are listed once.

use crate::SqlStore;
use crate::db::{Arg, Cols, DbError, Json, Named, first};
use crate::error::constraint;
use crate::listing::{Bound, Filters, Walk, split_page};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::activities::ActivityOrigin;
use paceline_domain::daily::{
    Attribution, BodyMetric, BodyMetricValues, DailyStore, NewRecord, NutritionDay,
    NutritionValues, Record, SleepDay, SleepValues, WellnessDay, WellnessValues,
};
use paceline_domain::ids::{
    BodyMetricId, MembershipId, NutritionDayId, OrgId, SleepDayId, UserId, WellnessDayId,
};
use paceline_domain::listing::{Page, RecordQuery};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};

/// The attribution columns an upsert replaces, besides the values.
const REPLACED: [&str; 7] = [
    "membership_id",
    "source",
    "source_name",
    "client_row_id",
    "external_id",
    "raw_payload",
    "updated_at",
];

/// What differs between the daily tables: the name, the key and the value columns.
struct Table {
    /// The table.
    name: &'static str,
    /// The column of the record's key, which lists are ordered and bounded by.
    key: &'static str,
    /// Whether the writing client is part of the key (`client_key`).
    by_client: bool,
    /// The value columns, in the order their values are bound.
    values: &'static [&'static str],
}

impl Table {
    /// The upsert. `$1` to `$8` are the attribution ([`Filed::args`]); then come the key,
    /// the client key when the table has one, and the values in the order of
    /// [`Table::values`].
    fn upsert_sql(&self) -> String {
        let mut unique = vec![self.key];
        if self.by_client {
            unique.push("client_key");
        }
        let inserted: Vec<&str> = unique.iter().chain(self.values).copied().collect();
        let placeholders: Vec<String> =
            (0..inserted.len()).map(|i| format!("${}", i + 9)).collect();
        let replaced: Vec<String> = REPLACED
            .iter()
            .chain(self.values)
            .map(|column| format!("{column} = excluded.{column}"))
            .collect();
        format!(
            "INSERT INTO {} (user_id, membership_id, source, source_name, client_row_id, \
             external_id, raw_payload, created_at, updated_at, {}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, {}) \
             ON CONFLICT (user_id, {}) DO UPDATE SET {} RETURNING id",
            self.name,
            inserted.join(", "),
            placeholders.join(", "),
            unique.join(", "),
            replaced.join(", ")
        )
    }

    /// The filters of `query` on a user's records (`$1`, the values bound after it), the
    /// change-time column written `updated` (SQLite keeps `+t.updated_at` off its index).
    fn filters<K: Copy + Into<Bound>>(&self, query: &RecordQuery<K>, updated: &str) -> Filters {
        Filters::new(&format!("t.{}", self.key), updated, query)
    }

    /// A page of a user's records (`$1`) with `filters` (bound after it), latest key
    /// first, found by `walk`.
    fn list_sql<K>(&self, query: &RecordQuery<K>, filters: &Filters, walk: Walk) -> String {
        let key = format!("t.{}", self.key);
        let values: Vec<String> = self.values.iter().map(|c| format!("t.{c}")).collect();
        let columns = format!(
            "t.id, t.user_id, t.membership_id, m.organization_id, t.source, t.source_name, \
             t.external_id, t.raw_payload, t.created_at, t.updated_at, {key}, {}",
            values.join(", ")
        );
        match walk {
            Walk::PageOrder => format!(
                "SELECT {columns} FROM {} t JOIN memberships m ON m.id = t.membership_id \
                 WHERE t.user_id = $1{}{}",
                self.name,
                filters.sql,
                Filters::page(&format!("{key} DESC, t.id DESC"), query)
            ),
            Walk::FewChanges => format!(
                "WITH changed AS MATERIALIZED (SELECT t.id, {key} FROM {name} t \
                 WHERE t.user_id = $1{}), page AS MATERIALIZED (SELECT id FROM changed{}) \
                 SELECT {columns} FROM page p JOIN {name} t ON t.id = p.id \
                 JOIN memberships m ON m.id = t.membership_id ORDER BY {key} DESC, t.id DESC",
                filters.sql,
                Filters::page(
                    &format!("changed.{} DESC, changed.id DESC", self.key),
                    query
                ),
                name = self.name,
            ),
        }
    }
}

/// The attribution of a record to write, bound to `$1` to `$8` of [`Table::upsert_sql`].
struct Filed<'a> {
    new: &'a Attribution,
    external_id: Option<&'a str>,
    raw_payload: Option<Box<RawValue>>,
    now: OffsetDateTime,
}

impl<'a> Filed<'a> {
    fn of<K, V>(new: &'a NewRecord<K, V>) -> Result<Self, StoreError> {
        let raw_payload = new
            .raw_payload
            .as_deref()
            .map(|text| RawValue::from_string(text.to_owned()))
            .transpose()
            .map_err(|e| StoreError::Other(format!("raw payload is not JSON: {e}")))?;
        Ok(Self {
            new: &new.by,
            external_id: new.external_id.as_deref(),
            raw_payload,
            now: new.now,
        })
    }

    /// `$1` to `$8`, followed by `rest` (`$9` on).
    fn args<'s>(&'s self, rest: &[Arg<'s>]) -> Vec<Arg<'s>> {
        let client = self.new.client.as_ref();
        let mut args = vec![
            Arg::from(self.new.user_id.get()),
            Arg::from(self.new.membership_id.get()),
            Arg::from(self.new.origin().as_str()),
            Arg::from(client.map(|c| c.client_id.as_str())),
            Arg::from(client.map(|c| c.key.0)),
            Arg::from(self.external_id),
            Arg::from(self.raw_payload.as_deref()),
            Arg::from(self.now),
        ];
        args.extend_from_slice(rest);
        args
    }
}

/// The writing client's public id, or empty for Paceline's own pages: part of the key of
/// the tables kept per client.
fn client_key(by: &Attribution) -> &str {
    by.client.as_ref().map_or("", |c| c.client_id.as_str())
}

/// An `INTEGER` column's value (PostgreSQL's 32 bits) from the domain's `i64`.
fn integer(value: Option<i64>, what: &str) -> Result<Option<i32>, StoreError> {
    value
        .map(i32::try_from)
        .transpose()
        .map_err(|_| StoreError::Other(format!("{what} out of range")))
}

/// Circumferences as a JSON object, or NULL when there are none.
fn circumferences(values: &BodyMetricValues) -> Result<Option<Box<RawValue>>, StoreError> {
    if values.circumferences.is_empty() {
        return Ok(None);
    }
    serde_json::value::to_raw_value(&values.circumferences)
        .map(Some)
        .map_err(|e| StoreError::Other(format!("circumferences: {e}")))
}

/// The columns every daily table has besides its key and values, as read.
struct Kept {
    id: i64,
    user_id: i64,
    membership_id: i64,
    organization_id: i64,
    source: Named<ActivityOrigin>,
    source_name: Option<String>,
    external_id: Option<String>,
    raw_payload: Option<Json>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl Kept {
    /// The first ten columns of [`Table::list_sql`].
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            membership_id: c.get()?,
            organization_id: c.get()?,
            source: c.get()?,
            source_name: c.get()?,
            external_id: c.get()?,
            raw_payload: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
        })
    }

    fn into_record<Id, K, V>(
        self,
        id: fn(i64) -> Id,
        key: K,
        values: V,
    ) -> Result<Record<Id, K, V>, StoreError> {
        Ok(Record {
            id: id(self.id),
            user_id: UserId(self.user_id),
            membership_id: MembershipId(self.membership_id),
            organization_id: OrgId(self.organization_id),
            origin: self.source.0,
            source_name: self.source_name,
            key,
            values,
            external_id: self.external_id,
            raw_payload: self.raw_payload.map(Json::into_string),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A row of one of the daily tables, as [`Table::list_sql`] selects it.
trait DailyRow: Sized {
    /// The record it becomes.
    type Record;
    /// Its table.
    const TABLE: Table;
    /// Reads the columns [`Table::list_sql`] selects: [`Kept`], the key, the values.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError>;
    /// The record, or `Other` for a corrupt row.
    fn into_record(self) -> Result<Self::Record, StoreError>;
}

struct BodyMetricRow {
    kept: Kept,
    measured_at: OffsetDateTime,
    weight_kg: Option<f64>,
    height_cm: Option<f64>,
    body_fat_pct: Option<f64>,
    muscle_mass_kg: Option<f64>,
    resting_hr: Option<i32>,
    sleep_hours: Option<f64>,
    notes: Option<String>,
    circumferences: Option<Json>,
}

impl DailyRow for BodyMetricRow {
    type Record = BodyMetric;
    const TABLE: Table = Table {
        name: "body_metrics",
        key: "measured_at",
        by_client: false,
        values: &[
            "weight_kg",
            "height_cm",
            "body_fat_pct",
            "muscle_mass_kg",
            "resting_hr",
            "sleep_hours",
            "notes",
            "circumferences",
        ],
    };

    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            kept: Kept::read(c)?,
            measured_at: c.get()?,
            weight_kg: c.get()?,
            height_cm: c.get()?,
            body_fat_pct: c.get()?,
            muscle_mass_kg: c.get()?,
            resting_hr: c.get()?,
            sleep_hours: c.get()?,
            notes: c.get()?,
            circumferences: c.get()?,
        })
    }

    fn into_record(self) -> Result<BodyMetric, StoreError> {
        let values = BodyMetricValues {
            weight_kg: self.weight_kg,
            height_cm: self.height_cm,
            body_fat_pct: self.body_fat_pct,
            muscle_mass_kg: self.muscle_mass_kg,
            resting_hr: self.resting_hr,
            sleep_hours: self.sleep_hours,
            notes: self.notes,
            circumferences: self
                .circumferences
                .map(|json| json.parse::<BTreeMap<String, f64>>())
                .transpose()?
                .unwrap_or_default(),
        };
        self.kept
            .into_record(BodyMetricId, self.measured_at, values)
    }
}

struct SleepRow {
    kept: Kept,
    day: Date,
    sleep_start_at: Option<OffsetDateTime>,
    sleep_end_at: Option<OffsetDateTime>,
    sleep_seconds: Option<i32>,
    time_in_bed_seconds: Option<i32>,
    deep_seconds: Option<i32>,
    light_seconds: Option<i32>,
    rem_seconds: Option<i32>,
    awake_seconds: Option<i32>,
    sleep_score: Option<i32>,
}

impl DailyRow for SleepRow {
    type Record = SleepDay;
    const TABLE: Table = Table {
        name: "sleep_days",
        key: "day",
        by_client: true,
        values: &[
            "sleep_start_at",
            "sleep_end_at",
            "sleep_seconds",
            "time_in_bed_seconds",
            "deep_seconds",
            "light_seconds",
            "rem_seconds",
            "awake_seconds",
            "sleep_score",
        ],
    };

    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            kept: Kept::read(c)?,
            day: c.get()?,
            sleep_start_at: c.get()?,
            sleep_end_at: c.get()?,
            sleep_seconds: c.get()?,
            time_in_bed_seconds: c.get()?,
            deep_seconds: c.get()?,
            light_seconds: c.get()?,
            rem_seconds: c.get()?,
            awake_seconds: c.get()?,
            sleep_score: c.get()?,
        })
    }

    fn into_record(self) -> Result<SleepDay, StoreError> {
        let values = SleepValues {
            sleep_start_at: self.sleep_start_at,
            sleep_end_at: self.sleep_end_at,
            sleep_seconds: self.sleep_seconds,
            time_in_bed_seconds: self.time_in_bed_seconds,
            deep_seconds: self.deep_seconds,
            light_seconds: self.light_seconds,
            rem_seconds: self.rem_seconds,
            awake_seconds: self.awake_seconds,
            sleep_score: self.sleep_score,
        };
        self.kept.into_record(SleepDayId, self.day, values)
    }
}

struct NutritionRow {
    kept: Kept,
    day: Date,
    logged_at: Option<OffsetDateTime>,
    energy_breakfast_kcal: Option<f64>,
    energy_lunch_kcal: Option<f64>,
    energy_dinner_kcal: Option<f64>,
    energy_snack_kcal: Option<f64>,
    energy_total_kcal: Option<f64>,
    goal_energy_kcal: Option<f64>,
    carb_total_g: Option<f64>,
    protein_total_g: Option<f64>,
    fat_total_g: Option<f64>,
    goal_carb_g: Option<f64>,
    goal_protein_g: Option<f64>,
    goal_fat_g: Option<f64>,
    activity_energy_kcal: Option<f64>,
    steps: Option<i32>,
    water_ml: Option<f64>,
}

impl DailyRow for NutritionRow {
    type Record = NutritionDay;
    const TABLE: Table = Table {
        name: "nutrition_days",
        key: "day",
        by_client: false,
        values: &[
            "logged_at",
            "energy_breakfast_kcal",
            "energy_lunch_kcal",
            "energy_dinner_kcal",
            "energy_snack_kcal",
            "energy_total_kcal",
            "goal_energy_kcal",
            "carb_total_g",
            "protein_total_g",
            "fat_total_g",
            "goal_carb_g",
            "goal_protein_g",
            "goal_fat_g",
            "activity_energy_kcal",
            "steps",
            "water_ml",
        ],
    };

    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            kept: Kept::read(c)?,
            day: c.get()?,
            logged_at: c.get()?,
            energy_breakfast_kcal: c.get()?,
            energy_lunch_kcal: c.get()?,
            energy_dinner_kcal: c.get()?,
            energy_snack_kcal: c.get()?,
            energy_total_kcal: c.get()?,
            goal_energy_kcal: c.get()?,
            carb_total_g: c.get()?,
            protein_total_g: c.get()?,
            fat_total_g: c.get()?,
            goal_carb_g: c.get()?,
            goal_protein_g: c.get()?,
            goal_fat_g: c.get()?,
            activity_energy_kcal: c.get()?,
            steps: c.get()?,
            water_ml: c.get()?,
        })
    }

    fn into_record(self) -> Result<NutritionDay, StoreError> {
        let values = NutritionValues {
            logged_at: self.logged_at,
            energy_breakfast_kcal: self.energy_breakfast_kcal,
            energy_lunch_kcal: self.energy_lunch_kcal,
            energy_dinner_kcal: self.energy_dinner_kcal,
            energy_snack_kcal: self.energy_snack_kcal,
            energy_total_kcal: self.energy_total_kcal,
            goal_energy_kcal: self.goal_energy_kcal,
            carb_total_g: self.carb_total_g,
            protein_total_g: self.protein_total_g,
            fat_total_g: self.fat_total_g,
            goal_carb_g: self.goal_carb_g,
            goal_protein_g: self.goal_protein_g,
            goal_fat_g: self.goal_fat_g,
            activity_energy_kcal: self.activity_energy_kcal,
            steps: self.steps.map(i64::from),
            water_ml: self.water_ml,
        };
        self.kept.into_record(NutritionDayId, self.day, values)
    }
}

struct WellnessRow {
    kept: Kept,
    day: Date,
    steps: Option<i32>,
    water_ml: Option<f64>,
    activity_energy_kcal: Option<f64>,
}

impl DailyRow for WellnessRow {
    type Record = WellnessDay;
    const TABLE: Table = Table {
        name: "daily_wellness",
        key: "day",
        by_client: true,
        values: &["steps", "water_ml", "activity_energy_kcal"],
    };

    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            kept: Kept::read(c)?,
            day: c.get()?,
            steps: c.get()?,
            water_ml: c.get()?,
            activity_energy_kcal: c.get()?,
        })
    }

    fn into_record(self) -> Result<WellnessDay, StoreError> {
        let values = WellnessValues {
            steps: self.steps.map(i64::from),
            water_ml: self.water_ml,
            activity_energy_kcal: self.activity_energy_kcal,
        };
        self.kept.into_record(WellnessDayId, self.day, values)
    }
}

/// What a foreign-key failure of an upsert means.
const MISSING: &str = "user or membership";

#[async_trait]
impl DailyStore for SqlStore {
    async fn upsert_body_metric(
        &self,
        new: NewRecord<OffsetDateTime, BodyMetricValues>,
    ) -> Result<BodyMetricId, StoreError> {
        static UPSERT: LazyLock<String> = LazyLock::new(|| BodyMetricRow::TABLE.upsert_sql());
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let circumferences = circumferences(v)?;
        let values = [
            Arg::from(new.key),
            Arg::from(v.weight_kg),
            Arg::from(v.height_cm),
            Arg::from(v.body_fat_pct),
            Arg::from(v.muscle_mass_kg),
            Arg::from(v.resting_hr),
            Arg::from(v.sleep_hours),
            Arg::from(&v.notes),
            Arg::from(circumferences.as_deref()),
        ];
        let id = self.upsert(&UPSERT, &filed, &values, "body metric").await?;
        Ok(BodyMetricId(id))
    }

    async fn list_body_metrics(
        &self,
        user: UserId,
        query: RecordQuery<OffsetDateTime>,
    ) -> Result<Page<BodyMetric>, StoreError> {
        self.list_daily::<BodyMetricRow, _>(user, query).await
    }

    async fn upsert_sleep_day(
        &self,
        new: NewRecord<Date, SleepValues>,
    ) -> Result<SleepDayId, StoreError> {
        static UPSERT: LazyLock<String> = LazyLock::new(|| SleepRow::TABLE.upsert_sql());
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let values = [
            Arg::from(new.key),
            Arg::from(client_key(&new.by)),
            Arg::from(v.sleep_start_at),
            Arg::from(v.sleep_end_at),
            Arg::from(v.sleep_seconds),
            Arg::from(v.time_in_bed_seconds),
            Arg::from(v.deep_seconds),
            Arg::from(v.light_seconds),
            Arg::from(v.rem_seconds),
            Arg::from(v.awake_seconds),
            Arg::from(v.sleep_score),
        ];
        let id = self.upsert(&UPSERT, &filed, &values, "sleep day").await?;
        Ok(SleepDayId(id))
    }

    async fn list_sleep_days(
        &self,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<SleepDay>, StoreError> {
        self.list_daily::<SleepRow, _>(user, query).await
    }

    async fn upsert_nutrition_day(
        &self,
        new: NewRecord<Date, NutritionValues>,
    ) -> Result<NutritionDayId, StoreError> {
        static UPSERT: LazyLock<String> = LazyLock::new(|| NutritionRow::TABLE.upsert_sql());
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let steps = integer(v.steps, "steps")?;
        let values = [
            Arg::from(new.key),
            Arg::from(v.logged_at),
            Arg::from(v.energy_breakfast_kcal),
            Arg::from(v.energy_lunch_kcal),
            Arg::from(v.energy_dinner_kcal),
            Arg::from(v.energy_snack_kcal),
            Arg::from(v.energy_total_kcal),
            Arg::from(v.goal_energy_kcal),
            Arg::from(v.carb_total_g),
            Arg::from(v.protein_total_g),
            Arg::from(v.fat_total_g),
            Arg::from(v.goal_carb_g),
            Arg::from(v.goal_protein_g),
            Arg::from(v.goal_fat_g),
            Arg::from(v.activity_energy_kcal),
            Arg::from(steps),
            Arg::from(v.water_ml),
        ];
        let id = self
            .upsert(&UPSERT, &filed, &values, "nutrition day")
            .await?;
        Ok(NutritionDayId(id))
    }

    async fn list_nutrition_days(
        &self,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<NutritionDay>, StoreError> {
        self.list_daily::<NutritionRow, _>(user, query).await
    }

    async fn upsert_wellness_day(
        &self,
        new: NewRecord<Date, WellnessValues>,
    ) -> Result<WellnessDayId, StoreError> {
        static UPSERT: LazyLock<String> = LazyLock::new(|| WellnessRow::TABLE.upsert_sql());
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let steps = integer(v.steps, "steps")?;
        let values = [
            Arg::from(new.key),
            Arg::from(client_key(&new.by)),
            Arg::from(steps),
            Arg::from(v.water_ml),
            Arg::from(v.activity_energy_kcal),
        ];
        let id = self
            .upsert(&UPSERT, &filed, &values, "wellness day")
            .await?;
        Ok(WellnessDayId(id))
    }

    async fn list_wellness_days(
        &self,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<WellnessDay>, StoreError> {
        self.list_daily::<WellnessRow, _>(user, query).await
    }
}

impl SqlStore {
    /// Runs a daily table's upsert with the attribution and the record's `values`; the
    /// record's key. `what` names the record in a conflict.
    async fn upsert(
        &self,
        sql: &'static str,
        filed: &Filed<'_>,
        values: &[Arg<'_>],
        what: &'static str,
    ) -> Result<i64, StoreError> {
        let args = filed.args(values);
        self.db
            .returning(sql, &args, first)
            .await
            .map_err(constraint(what, MISSING))
    }

    /// A page of `user`'s rows of `R`'s table, latest key first.
    async fn list_daily<R, K>(
        &self,
        user: UserId,
        query: RecordQuery<K>,
    ) -> Result<Page<R::Record>, StoreError>
    where
        R: DailyRow,
        K: Copy + Into<Bound> + Send + Sync,
    {
        let table = &R::TABLE;
        let filters = table.filters(&query, "t.updated_at");
        let since = query.updated_since.is_some();
        let walk = Walk::choose(
            &self.db,
            since,
            (
                &format!("{} t", table.name),
                &format!("t.user_id = $1{}", filters.sql),
                "t.updated_at",
            ),
            &filters.args(user),
        )
        .await?;
        let filters = if walk.keeps_change_time_off_its_index(&self.db, since) {
            table.filters(&query, "+t.updated_at")
        } else {
            filters
        };
        let sql = table.list_sql(&query, &filters, walk);
        let rows = self.db.all(sql, &filters.args(user), R::read).await?;
        let (rows, has_next) = split_page(rows, &query);
        let items = rows
            .into_iter()
            .map(R::into_record)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, has_next })
    }
}
