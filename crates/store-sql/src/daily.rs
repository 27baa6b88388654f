//! [`DailyStore`]: body metrics, sleep days, nutrition days and daily wellness, one record
//! per athlete and key, each written by a single `INSERT ... ON CONFLICT DO UPDATE`.
//!
//! The four tables share their attribution columns (user, membership, source, client,
//! external id, raw payload, times); a [`Table`] names the rest, and the upsert and list
//! statements are written from it, so that the columns of each table are listed once.

use crate::activities::payload;
use crate::db_time::DbTime;
use crate::error::{constraint, other};
use crate::listing::{Bound, Filters, bind_filters, split_page};
use crate::{SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::daily::{
    Attribution, BodyMetric, BodyMetricValues, DailyStore, NewRecord, NutritionDay,
    NutritionValues, Record, SleepDay, SleepValues, WellnessDay, WellnessValues,
};
use paceline_domain::ids::{
    BodyMetricId, MembershipId, NutritionDayId, OrgId, SleepDayId, UserId, WellnessDayId,
};
use paceline_domain::listing::{Page, RecordQuery};
use serde_json::value::RawValue;
use sqlx::postgres::PgRow;
use sqlx::query::QueryScalar;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Database, Encode, FromRow, Type};
use std::collections::BTreeMap;
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
    /// The upsert. `$1` to `$8` are the attribution ([`Filed::bind`]); then come the key,
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

    /// A page of a user's records (`$1`) with the filters of `query` (bound after it),
    /// latest key first.
    fn list_sql<K: Copy + Into<Bound>>(&self, query: &RecordQuery<K>) -> (String, Filters) {
        let key = format!("t.{}", self.key);
        let values: Vec<String> = self.values.iter().map(|c| format!("t.{c}")).collect();
        let filters = Filters::new(&key, "t.updated_at", query);
        let sql = format!(
            "SELECT t.id, t.user_id, t.membership_id, m.organization_id, t.source, \
             t.source_name, t.external_id, t.raw_payload, t.created_at, t.updated_at, {key}, {} \
             FROM {} t JOIN memberships m ON m.id = t.membership_id WHERE t.user_id = $1{}{}",
            values.join(", "),
            self.name,
            filters.sql,
            Filters::page(&format!("{key} DESC, t.id DESC"), query)
        );
        (sql, filters)
    }
}

/// The attribution of a record to write, bound to `$1` to `$8` of [`Table::upsert_sql`].
struct Filed {
    user_id: i64,
    membership_id: i64,
    source: String,
    source_name: Option<String>,
    client_row_id: Option<i64>,
    external_id: Option<String>,
    raw_payload: Option<Json<Box<RawValue>>>,
    now: DbTime,
}

impl Filed {
    fn of<K, V>(new: &NewRecord<K, V>) -> Result<Self, StoreError> {
        let client = new.by.client.as_ref();
        Ok(Self {
            user_id: new.by.user_id.get(),
            membership_id: new.by.membership_id.get(),
            source: new.by.origin().as_str().to_owned(),
            source_name: client.map(|c| c.client_id.clone()),
            client_row_id: client.map(|c| c.key.0),
            external_id: new.external_id.clone(),
            raw_payload: payload(new.raw_payload.as_deref())?,
            now: DbTime(new.now),
        })
    }

    fn bind<'q, DB>(
        self,
        query: QueryScalar<'q, DB, i64, DB::Arguments>,
    ) -> QueryScalar<'q, DB, i64, DB::Arguments>
    where
        DB: Database,
        i64: Encode<'q, DB> + Type<DB>,
        String: Encode<'q, DB> + Type<DB>,
        Option<String>: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        Option<Json<Box<RawValue>>>: Encode<'q, DB> + Type<DB>,
        DbTime: Encode<'q, DB> + Type<DB>,
    {
        query
            .bind(self.user_id)
            .bind(self.membership_id)
            .bind(self.source)
            .bind(self.source_name)
            .bind(self.client_row_id)
            .bind(self.external_id)
            .bind(self.raw_payload)
            .bind(self.now)
    }
}

/// The writing client's public id, or empty for Paceline's own pages: part of the key of
/// the tables kept per client.
fn client_key(by: &Attribution) -> String {
    by.client
        .as_ref()
        .map(|c| c.client_id.clone())
        .unwrap_or_default()
}

/// An `INTEGER` column's value (PostgreSQL's 32 bits) from the domain's `i64`.
fn integer(value: Option<i64>, what: &str) -> Result<Option<i32>, StoreError> {
    value
        .map(i32::try_from)
        .transpose()
        .map_err(|_| StoreError::Other(format!("{what} out of range")))
}

/// Circumferences as a JSON object, or NULL when there are none.
fn circumferences(values: &BodyMetricValues) -> Option<Json<BTreeMap<String, f64>>> {
    (!values.circumferences.is_empty()).then(|| Json(values.circumferences.clone()))
}

/// The columns every daily table has besides its key and values, as read.
#[derive(sqlx::FromRow)]
struct Kept {
    id: i64,
    user_id: i64,
    membership_id: i64,
    organization_id: i64,
    source: String,
    source_name: Option<String>,
    external_id: Option<String>,
    raw_payload: Option<Json<Box<RawValue>>>,
    created_at: DbTime,
    updated_at: DbTime,
}

impl Kept {
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
            origin: self
                .source
                .parse()
                .map_err(|_| StoreError::Other(format!("corrupt daily row {}: source", self.id)))?,
            source_name: self.source_name,
            key,
            values,
            external_id: self.external_id,
            raw_payload: self.raw_payload.map(|Json(raw)| raw.get().to_owned()),
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        })
    }
}

/// A row of one of the daily tables, as [`Table::list_sql`] selects it.
trait DailyRow: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {
    /// The record it becomes.
    type Record;
    /// Its table.
    const TABLE: Table;
    /// The record, or `Other` for a corrupt row.
    fn into_record(self) -> Result<Self::Record, StoreError>;
}

#[derive(sqlx::FromRow)]
struct BodyMetricRow {
    #[sqlx(flatten)]
    kept: Kept,
    measured_at: DbTime,
    weight_kg: Option<f64>,
    height_cm: Option<f64>,
    body_fat_pct: Option<f64>,
    muscle_mass_kg: Option<f64>,
    resting_hr: Option<i32>,
    sleep_hours: Option<f64>,
    notes: Option<String>,
    circumferences: Option<Json<BTreeMap<String, f64>>>,
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

    fn into_record(self) -> Result<BodyMetric, StoreError> {
        let values = BodyMetricValues {
            weight_kg: self.weight_kg,
            height_cm: self.height_cm,
            body_fat_pct: self.body_fat_pct,
            muscle_mass_kg: self.muscle_mass_kg,
            resting_hr: self.resting_hr,
            sleep_hours: self.sleep_hours,
            notes: self.notes,
            circumferences: self.circumferences.map(|Json(c)| c).unwrap_or_default(),
        };
        self.kept
            .into_record(BodyMetricId, self.measured_at.0, values)
    }
}

#[derive(sqlx::FromRow)]
struct SleepRow {
    #[sqlx(flatten)]
    kept: Kept,
    day: Date,
    sleep_start_at: Option<DbTime>,
    sleep_end_at: Option<DbTime>,
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

    fn into_record(self) -> Result<SleepDay, StoreError> {
        let values = SleepValues {
            sleep_start_at: self.sleep_start_at.map(|at| at.0),
            sleep_end_at: self.sleep_end_at.map(|at| at.0),
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

#[derive(sqlx::FromRow)]
struct NutritionRow {
    #[sqlx(flatten)]
    kept: Kept,
    day: Date,
    logged_at: Option<DbTime>,
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

    fn into_record(self) -> Result<NutritionDay, StoreError> {
        let values = NutritionValues {
            logged_at: self.logged_at.map(|at| at.0),
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

#[derive(sqlx::FromRow)]
struct WellnessRow {
    #[sqlx(flatten)]
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
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let sql = BodyMetricRow::TABLE.upsert_sql();
        let id = on_writer!(self, pool => filed
            .bind(sqlx::query_scalar(AssertSqlSafe(sql)))
            .bind(DbTime(new.key))
            .bind(v.weight_kg)
            .bind(v.height_cm)
            .bind(v.body_fat_pct)
            .bind(v.muscle_mass_kg)
            .bind(v.resting_hr)
            .bind(v.sleep_hours)
            .bind(v.notes.clone())
            .bind(circumferences(v))
            .fetch_one(pool)
            .await
            .map_err(constraint("body metric", MISSING))?);
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
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let sql = SleepRow::TABLE.upsert_sql();
        let id = on_writer!(self, pool => filed
            .bind(sqlx::query_scalar(AssertSqlSafe(sql)))
            .bind(new.key)
            .bind(client_key(&new.by))
            .bind(v.sleep_start_at.map(DbTime))
            .bind(v.sleep_end_at.map(DbTime))
            .bind(v.sleep_seconds)
            .bind(v.time_in_bed_seconds)
            .bind(v.deep_seconds)
            .bind(v.light_seconds)
            .bind(v.rem_seconds)
            .bind(v.awake_seconds)
            .bind(v.sleep_score)
            .fetch_one(pool)
            .await
            .map_err(constraint("sleep day", MISSING))?);
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
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let steps = integer(v.steps, "steps")?;
        let sql = NutritionRow::TABLE.upsert_sql();
        let id = on_writer!(self, pool => filed
            .bind(sqlx::query_scalar(AssertSqlSafe(sql)))
            .bind(new.key)
            .bind(v.logged_at.map(DbTime))
            .bind(v.energy_breakfast_kcal)
            .bind(v.energy_lunch_kcal)
            .bind(v.energy_dinner_kcal)
            .bind(v.energy_snack_kcal)
            .bind(v.energy_total_kcal)
            .bind(v.goal_energy_kcal)
            .bind(v.carb_total_g)
            .bind(v.protein_total_g)
            .bind(v.fat_total_g)
            .bind(v.goal_carb_g)
            .bind(v.goal_protein_g)
            .bind(v.goal_fat_g)
            .bind(v.activity_energy_kcal)
            .bind(steps)
            .bind(v.water_ml)
            .fetch_one(pool)
            .await
            .map_err(constraint("nutrition day", MISSING))?);
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
        let (filed, v) = (Filed::of(&new)?, &new.values);
        let steps = integer(v.steps, "steps")?;
        let sql = WellnessRow::TABLE.upsert_sql();
        let id = on_writer!(self, pool => filed
            .bind(sqlx::query_scalar(AssertSqlSafe(sql)))
            .bind(new.key)
            .bind(client_key(&new.by))
            .bind(steps)
            .bind(v.water_ml)
            .bind(v.activity_energy_kcal)
            .fetch_one(pool)
            .await
            .map_err(constraint("wellness day", MISSING))?);
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
        let (sql, filters) = R::TABLE.list_sql(&query);
        let rows = on_pool!(self, pool => {
            let q = sqlx::query_as::<_, R>(AssertSqlSafe(sql.clone()));
            bind_filters!(q, user, filters).fetch_all(pool).await.map_err(other)?
        });
        let (rows, has_next) = split_page(rows, &query);
        let items = rows
            .into_iter()
            .map(R::into_record)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, has_next })
    }
}
