//! `/health`: body metrics, sleep, nutrition and daily wellness over the last weeks or
//! months, each as charts and as a table of the days.

use super::chart::LineChart;
use super::format;
use super::trend::{self, Figure};
use super::{At, Layout, Seen};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use paceline_domain::StoreError;
use paceline_domain::daily::{BodyMetric, NutritionDay, SleepDay, WellnessDay};
use paceline_domain::ids::UserId;
use paceline_domain::listing::{MAX_PER_PAGE, Page, RecordQuery};
use paceline_domain::store::Store;
use std::future::Future;
use time::{Date, Duration, Time};

/// The spans a person may look at, in days.
const SPANS: [(i64, &str); 3] = [(30, "30 days"), (90, "90 days"), (365, "A year")];
/// Rows in each table: the latest days.
const TABLE_ROWS: usize = 14;

/// A span choice.
struct Span {
    days: i64,
    label: &'static str,
    current: bool,
}

/// One table: its heading, columns and rows.
struct Table {
    caption: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

/// One section: charts and a table.
struct Section {
    id: &'static str,
    title: &'static str,
    charts: Vec<LineChart>,
    table: Table,
    empty: &'static str,
}

#[derive(Template)]
#[template(path = "app/health.html")]
struct HealthPage {
    layout: Layout,
    spans: Vec<Span>,
    sections: Vec<Section>,
}

/// Every record of a daily kind keyed from `from` on, latest first: `list` answers a page of
/// a query.
async fn since<K: Copy, T, F, Fut>(from: K, list: F) -> Result<Vec<T>, StoreError>
where
    F: Fn(RecordQuery<K>) -> Fut,
    Fut: Future<Output = Result<Page<T>, StoreError>>,
{
    let mut all = Vec::new();
    for page in 1..=20 {
        let found = list(RecordQuery {
            from: Some(from),
            ..RecordQuery::page(page, MAX_PER_PAGE)
        })
        .await?;
        all.extend(found.items);
        if !found.has_next {
            break;
        }
    }
    Ok(all)
}

/// A value, or a dash.
fn shown(value: Option<String>) -> String {
    value.unwrap_or_else(|| "–".to_owned())
}

/// `GET /health?days=90`.
pub(crate) async fn get_health(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let days = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "days")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|d| SPANS.iter().any(|(s, _)| s == d))
        .unwrap_or(90);
    let seen = Seen::of(&state, &headers, at, &format!("/health?days={days}")).await?;
    let user = seen.athlete_id();
    let store = state.store.as_ref();
    let first = state.clock.now().date() - Duration::days(days);
    let sections = vec![
        body(store, user, first).await?,
        sleep(store, user, first).await?,
        nutrition(store, user, first).await?,
        wellness(store, user, first).await?,
    ];
    let page = HealthPage {
        layout: seen.layout("Health", "health"),
        spans: SPANS
            .iter()
            .map(|(d, label)| Span {
                days: *d,
                label,
                current: *d == days,
            })
            .collect(),
        sections,
    };
    Ok(seen.render(&page))
}

fn one(v: f64) -> String {
    format!("{v:.1}")
}

fn whole(v: f64) -> String {
    format!("{v:.0}")
}

/// The charts of `figures`, each a series of (day, value) drawn from `first` on.
fn charts(first: Date, figures: Vec<(Figure<'_>, Vec<(Date, f64)>)>) -> Vec<LineChart> {
    figures
        .iter()
        .filter_map(|(figure, points)| trend::by_day(figure, first, points))
        .collect()
}

async fn body(store: &dyn Store, user: UserId, first: Date) -> Result<Section, PageError> {
    let from = first.with_time(Time::MIDNIGHT).assume_utc();
    let metrics: Vec<BodyMetric> = since(from, |q| store.list_body_metrics(user, q)).await?;
    let series = |value: &dyn Fn(&BodyMetric) -> Option<f64>| -> Vec<(Date, f64)> {
        metrics
            .iter()
            .filter_map(|m| Some((m.key.date(), value(m)?)))
            .collect()
    };
    let charts = charts(
        first,
        vec![
            (
                figure("weight", "Weight", "kg", &one),
                series(&|m| m.values.weight_kg),
            ),
            (
                figure("fat", "Body fat", "%", &one),
                series(&|m| m.values.body_fat_pct),
            ),
            (
                figure("resting", "Resting heart rate", "bpm", &whole),
                series(&|m| m.values.resting_hr.map(f64::from)),
            ),
        ],
    );
    let rows = metrics
        .iter()
        .filter(|m| m.values.weight_kg.is_some() || m.values.body_fat_pct.is_some())
        .take(TABLE_ROWS)
        .map(|m| {
            let v = &m.values;
            vec![
                format::day(m.key.date()),
                shown(v.weight_kg.map(|w| format!("{w:.1} kg"))),
                shown(v.body_fat_pct.map(|f| format!("{f:.1}%"))),
                shown(v.muscle_mass_kg.map(|w| format!("{w:.1} kg"))),
                shown(v.resting_hr.map(|hr| format!("{hr} bpm"))),
            ]
        })
        .collect();
    Ok(Section {
        id: "body",
        title: "Body",
        charts,
        table: Table {
            caption: "The latest measurements",
            columns: vec!["Day", "Weight", "Body fat", "Muscle", "Resting HR"],
            rows,
        },
        empty: "No body measurements in this span. Apps that read a scale write them here.",
    })
}

fn figure<'a>(
    key: &'static str,
    title: &'static str,
    unit: &'a str,
    value: &'a dyn Fn(f64) -> String,
) -> Figure<'a> {
    Figure {
        key,
        title,
        unit,
        value,
    }
}

async fn sleep(store: &dyn Store, user: UserId, first: Date) -> Result<Section, PageError> {
    let days: Vec<SleepDay> = since(first, |q| store.list_sleep_days(user, q)).await?;
    let hours = |s: Option<i32>| s.map(|s| f64::from(s) / 3600.0);
    let charts = charts(
        first,
        vec![
            (
                figure("sleep", "Sleep", "h", &one),
                days.iter()
                    .filter_map(|d| Some((d.key, hours(d.values.sleep_seconds)?)))
                    .collect(),
            ),
            (
                figure("score", "Sleep score", "", &whole),
                days.iter()
                    .filter_map(|d| Some((d.key, f64::from(d.values.sleep_score?))))
                    .collect(),
            ),
        ],
    );
    let clock = |s: Option<i32>| shown(s.map(|s| format::hours_minutes(f64::from(s))));
    let rows = days
        .iter()
        .take(TABLE_ROWS)
        .map(|d| {
            let v = &d.values;
            vec![
                format::day(d.key),
                clock(v.sleep_seconds),
                clock(v.deep_seconds),
                clock(v.light_seconds),
                clock(v.rem_seconds),
                clock(v.awake_seconds),
                shown(v.sleep_score.map(|s| s.to_string())),
            ]
        })
        .collect();
    Ok(Section {
        id: "sleep",
        title: "Sleep",
        charts,
        table: Table {
            caption: "The latest nights",
            columns: vec![
                "Night to", "Asleep", "Deep", "Light", "REM", "Awake", "Score",
            ],
            rows,
        },
        empty: "No sleep recorded in this span.",
    })
}

async fn nutrition(store: &dyn Store, user: UserId, first: Date) -> Result<Section, PageError> {
    let days: Vec<NutritionDay> = since(first, |q| store.list_nutrition_days(user, q)).await?;
    let charts = charts(
        first,
        vec![(
            figure("energy", "Energy eaten", "kcal", &whole),
            days.iter()
                .filter_map(|d| Some((d.key, d.values.energy_total_kcal?)))
                .collect(),
        )],
    );
    let grams = |g: Option<f64>| shown(g.map(|g| format!("{g:.0} g")));
    let rows = days
        .iter()
        .take(TABLE_ROWS)
        .map(|d| {
            let v = &d.values;
            vec![
                format::day(d.key),
                shown(v.energy_total_kcal.map(|k| format!("{k:.0} kcal"))),
                shown(v.goal_energy_kcal.map(|k| format!("{k:.0} kcal"))),
                grams(v.carb_total_g),
                grams(v.protein_total_g),
                grams(v.fat_total_g),
                shown(v.water_ml.map(|w| format!("{:.1} l", w / 1000.0))),
            ]
        })
        .collect();
    Ok(Section {
        id: "nutrition",
        title: "Nutrition",
        charts,
        table: Table {
            caption: "The latest days",
            columns: vec!["Day", "Eaten", "Goal", "Carbs", "Protein", "Fat", "Water"],
            rows,
        },
        empty: "No meals logged in this span.",
    })
}

async fn wellness(store: &dyn Store, user: UserId, first: Date) -> Result<Section, PageError> {
    let days: Vec<WellnessDay> = since(first, |q| store.list_wellness_days(user, q)).await?;
    let charts = charts(
        first,
        vec![(
            figure("steps", "Steps", "", &whole),
            days.iter()
                .filter_map(|d| Some((d.key, d.values.steps? as f64)))
                .collect(),
        )],
    );
    let rows = days
        .iter()
        .take(TABLE_ROWS)
        .map(|d| {
            let v = &d.values;
            vec![
                format::day(d.key),
                shown(v.steps.map(|s| s.to_string())),
                shown(v.water_ml.map(|w| format!("{:.1} l", w / 1000.0))),
                shown(v.activity_energy_kcal.map(|k| format!("{k:.0} kcal"))),
            ]
        })
        .collect();
    Ok(Section {
        id: "wellness",
        title: "Daily activity",
        charts,
        table: Table {
            caption: "The latest days",
            columns: vec!["Day", "Steps", "Water", "Active energy"],
            rows,
        },
        empty: "No steps or water recorded in this span.",
    })
}
