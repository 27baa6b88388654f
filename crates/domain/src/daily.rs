//! Body metrics, sleep days, nutrition days and daily wellness: one record per athlete and
//! key, written by upsert.
//!
//! The keys (PRODUCT.md, "Upserts"): a body metric is unique per athlete and `measured_at`;
//! a sleep day and a wellness day per athlete, day and writing client; a nutrition day per
//! athlete and day, whoever writes it. An upsert replaces the record's values with the ones
//! written (a value left out becomes unknown) and keeps its id and creation time.

use crate::activities::ActivityOrigin;
use crate::ids::{
    BodyMetricId, MembershipId, NutritionDayId, OrgId, SleepDayId, UserId, WellnessDayId,
};
use crate::listing::{Page, RecordQuery};
use crate::oauth::client::ClientKey;
use crate::store::StoreError;
use async_trait::async_trait;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// The OAuth client writing a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritingClient {
    /// Its row.
    pub key: ClientKey,
    /// Its public id: the record's `sourceName`.
    pub client_id: String,
}

/// Who writes a record and where it is filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The athlete.
    pub user_id: UserId,
    /// The athlete's membership the record is filed under.
    pub membership_id: MembershipId,
    /// The client, for writes through the API (`source` `EXTERNAL`); none for Paceline's own
    /// pages (`MANUAL`).
    pub client: Option<WritingClient>,
}

impl Attribution {
    /// `EXTERNAL` for a client's write, `MANUAL` otherwise.
    pub fn origin(&self) -> ActivityOrigin {
        match self.client {
            Some(_) => ActivityOrigin::External,
            None => ActivityOrigin::Manual,
        }
    }
}

/// A record to write: its key, its values and what the client sent along.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord<K, V> {
    /// Who writes it.
    pub by: Attribution,
    /// The key it is unique by (with the athlete, and for some kinds the client).
    pub key: K,
    /// Its values.
    pub values: V,
    /// The client's id for the record.
    pub external_id: Option<String>,
    /// What the client sent besides the values, as JSON text.
    pub raw_payload: Option<String>,
    /// The time of the write.
    pub now: OffsetDateTime,
}

/// A record as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<Id, K, V> {
    /// Its key.
    pub id: Id,
    /// The athlete.
    pub user_id: UserId,
    /// The membership it is filed under.
    pub membership_id: MembershipId,
    /// That membership's organization.
    pub organization_id: OrgId,
    /// Where the last write came from.
    pub origin: ActivityOrigin,
    /// The public id of the client of the last write, if any.
    pub source_name: Option<String>,
    /// The key it is unique by.
    pub key: K,
    /// Its values.
    pub values: V,
    /// The client's id for the record.
    pub external_id: Option<String>,
    /// What the client sent besides the values, as JSON text.
    pub raw_payload: Option<String>,
    /// First written.
    pub created_at: OffsetDateTime,
    /// Last written.
    pub updated_at: OffsetDateTime,
}

/// A body measurement's values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyMetricValues {
    /// Weight, kilograms.
    pub weight_kg: Option<f64>,
    /// Height, centimetres.
    pub height_cm: Option<f64>,
    /// Body fat, percent.
    pub body_fat_pct: Option<f64>,
    /// Muscle mass, kilograms.
    pub muscle_mass_kg: Option<f64>,
    /// Resting heart rate, beats per minute.
    pub resting_hr: Option<i32>,
    /// Hours slept the night before.
    pub sleep_hours: Option<f64>,
    /// Free notes.
    pub notes: Option<String>,
    /// Circumferences in centimetres, by name (one of [`CIRCUMFERENCES`]).
    pub circumferences: BTreeMap<String, f64>,
}

/// The circumferences a body metric may carry, as the Train it All surface names them.
pub const CIRCUMFERENCES: [&str; 14] = [
    "neckCm",
    "shouldersCm",
    "chestCm",
    "waistCm",
    "abdomenCm",
    "hipsCm",
    "leftBicepsCm",
    "rightBicepsCm",
    "leftForearmCm",
    "rightForearmCm",
    "leftThighCm",
    "rightThighCm",
    "leftCalfCm",
    "rightCalfCm",
];

/// A night's sleep, filed under the day it ends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SleepValues {
    /// Fell asleep.
    pub sleep_start_at: Option<OffsetDateTime>,
    /// Woke up.
    pub sleep_end_at: Option<OffsetDateTime>,
    /// Time asleep, seconds.
    pub sleep_seconds: Option<i32>,
    /// Time in bed, seconds.
    pub time_in_bed_seconds: Option<i32>,
    /// Deep sleep, seconds.
    pub deep_seconds: Option<i32>,
    /// Light sleep, seconds.
    pub light_seconds: Option<i32>,
    /// REM sleep, seconds.
    pub rem_seconds: Option<i32>,
    /// Awake in bed, seconds.
    pub awake_seconds: Option<i32>,
    /// The tracker's score, 0 to 100.
    pub sleep_score: Option<i32>,
}

/// A day's eating and drinking.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NutritionValues {
    /// When the day was logged.
    pub logged_at: Option<OffsetDateTime>,
    /// Breakfast, kilocalories.
    pub energy_breakfast_kcal: Option<f64>,
    /// Lunch, kilocalories.
    pub energy_lunch_kcal: Option<f64>,
    /// Dinner, kilocalories.
    pub energy_dinner_kcal: Option<f64>,
    /// Snacks, kilocalories.
    pub energy_snack_kcal: Option<f64>,
    /// The day's total, kilocalories; see [`NutritionValues::with_total`].
    pub energy_total_kcal: Option<f64>,
    /// Energy goal, kilocalories.
    pub goal_energy_kcal: Option<f64>,
    /// Carbohydrate, grams.
    pub carb_total_g: Option<f64>,
    /// Protein, grams.
    pub protein_total_g: Option<f64>,
    /// Fat, grams.
    pub fat_total_g: Option<f64>,
    /// Carbohydrate goal, grams.
    pub goal_carb_g: Option<f64>,
    /// Protein goal, grams.
    pub goal_protein_g: Option<f64>,
    /// Fat goal, grams.
    pub goal_fat_g: Option<f64>,
    /// Energy spent in activity, kilocalories.
    pub activity_energy_kcal: Option<f64>,
    /// Steps.
    pub steps: Option<i64>,
    /// Water, millilitres.
    pub water_ml: Option<f64>,
}

impl NutritionValues {
    /// The values with the total filled in: when no total was written, the sum of the meals
    /// that were (PRODUCT.md: 450 + 650 + 800 = 1900); unknown when no meal was.
    pub fn with_total(mut self) -> Self {
        if self.energy_total_kcal.is_none() {
            let meals = [
                self.energy_breakfast_kcal,
                self.energy_lunch_kcal,
                self.energy_dinner_kcal,
                self.energy_snack_kcal,
            ];
            self.energy_total_kcal = meals.into_iter().flatten().reduce(|sum, meal| sum + meal);
        }
        self
    }
}

/// A day's steps, water and activity energy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WellnessValues {
    /// Steps.
    pub steps: Option<i64>,
    /// Water, millilitres.
    pub water_ml: Option<f64>,
    /// Energy spent in activity, kilocalories.
    pub activity_energy_kcal: Option<f64>,
}

/// A body measurement as kept.
pub type BodyMetric = Record<BodyMetricId, OffsetDateTime, BodyMetricValues>;
/// A sleep day as kept.
pub type SleepDay = Record<SleepDayId, Date, SleepValues>;
/// A nutrition day as kept.
pub type NutritionDay = Record<NutritionDayId, Date, NutritionValues>;
/// A wellness day as kept.
pub type WellnessDay = Record<WellnessDayId, Date, WellnessValues>;

/// Storage for the daily records. Each upsert is one statement: concurrent writes of the
/// same key leave one record, and every writer gets its id.
#[async_trait]
pub trait DailyStore: Send + Sync {
    /// Writes the body metric of the athlete at `measured_at` (the key).
    async fn upsert_body_metric(
        &self,
        new: NewRecord<OffsetDateTime, BodyMetricValues>,
    ) -> Result<BodyMetricId, StoreError>;

    /// A page of a user's body metrics, latest `measured_at` first.
    async fn list_body_metrics(
        &self,
        user: UserId,
        query: RecordQuery<OffsetDateTime>,
    ) -> Result<Page<BodyMetric>, StoreError>;

    /// Writes the sleep day of the athlete and client.
    async fn upsert_sleep_day(
        &self,
        new: NewRecord<Date, SleepValues>,
    ) -> Result<SleepDayId, StoreError>;

    /// A page of a user's sleep days (every client's), latest day first.
    async fn list_sleep_days(
        &self,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<SleepDay>, StoreError>;

    /// Writes the nutrition day of the athlete, replacing whoever wrote it before. Callers
    /// fill in the total first ([`NutritionValues::with_total`]).
    async fn upsert_nutrition_day(
        &self,
        new: NewRecord<Date, NutritionValues>,
    ) -> Result<NutritionDayId, StoreError>;

    /// A page of a user's nutrition days, latest day first.
    async fn list_nutrition_days(
        &self,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<NutritionDay>, StoreError>;

    /// Writes the wellness day of the athlete and client.
    async fn upsert_wellness_day(
        &self,
        new: NewRecord<Date, WellnessValues>,
    ) -> Result<WellnessDayId, StoreError>;

    /// A page of a user's wellness days (every client's), latest day first.
    async fn list_wellness_days(
        &self,
        user: UserId,
        query: RecordQuery<Date>,
    ) -> Result<Page<WellnessDay>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_the_sum_of_the_meals_written() {
        let day = NutritionValues {
            energy_breakfast_kcal: Some(450.0),
            energy_lunch_kcal: Some(650.0),
            energy_dinner_kcal: Some(800.0),
            ..NutritionValues::default()
        }
        .with_total();
        assert_eq!(day.energy_total_kcal, Some(1900.0));
    }

    #[test]
    fn a_written_total_is_kept() {
        let day = NutritionValues {
            energy_breakfast_kcal: Some(450.0),
            energy_total_kcal: Some(2000.0),
            ..NutritionValues::default()
        }
        .with_total();
        assert_eq!(day.energy_total_kcal, Some(2000.0));
    }

    #[test]
    fn without_meals_the_total_is_unknown() {
        assert_eq!(
            NutritionValues::default().with_total().energy_total_kcal,
            None
        );
    }
}
