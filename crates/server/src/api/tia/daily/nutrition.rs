//! Nutrition days (spec section 5.5): unique per athlete and day.

use super::{MAX_GRAMS, MAX_KCAL, MAX_STEPS, MAX_WATER_ML};
use super::{Resource, day_json, put_integers, put_numbers};
use crate::api::tia::fields::{BodySchema, EXTERNAL_ID, Field, Kind, RAW_PAYLOAD, Valid};
use crate::api::tia::list::BadQuery;
use crate::api::tia::{list, timestamp};
use paceline_domain::Store;
use paceline_domain::daily::{NewRecord, NutritionValues, Record};
use paceline_domain::ids::{NutritionDayId, UserId};
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::oauth::Scope;
use paceline_domain::store::StoreError;
use serde_json::{Map, Value, json};
use time::Date;

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
