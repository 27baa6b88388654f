//! `/`: the athlete's home: this week and the last twelve, planned against done; what comes
//! next; the latest activities; and how weight, sleep and resting heart rate are trending.

use super::activities::Row;
use super::chart::{BarChart, LineChart};
use super::format;
use super::trend::{self, Figure};
use super::{At, Layout, Seen};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use paceline_domain::StoreError;
use paceline_domain::activities::Activity;
use paceline_domain::calendar::{CalendarQuery, TrainingSession};
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::ids::UserId;
use paceline_domain::listing::{MAX_PER_PAGE, RecordQuery};
use paceline_domain::store::Store;
use std::collections::BTreeMap;
use time::{Date, Duration, Time};

/// Weeks in the volume chart.
const WEEKS: i64 = 12;
/// Days in the health trends.
const TREND_DAYS: i64 = 90;

/// The families of sports the volume is split into, in the chart's stacking order.
const FAMILIES: [(&str, &str); 4] = [
    ("ride", "Cycling"),
    ("run", "Running"),
    ("swim", "Swimming and paddling"),
    ("other", "Other"),
];

/// This week's figures of one family of sports.
struct WeekRow {
    family: &'static str,
    class: &'static str,
    time: String,
    distance: String,
    load: String,
}

/// One planned entry to come.
struct Upcoming {
    day: String,
    title: String,
    detail: String,
    href: String,
}

/// One week of the volume table.
struct WeekLine {
    label: String,
    done: String,
    planned: String,
    distance: String,
    load: String,
}

#[derive(Template)]
#[template(path = "app/home.html")]
struct HomePage {
    layout: Layout,
    first_name: String,
    today: String,
    week_rows: Vec<WeekRow>,
    week_done: String,
    week_planned: Option<String>,
    sessions_done: usize,
    sessions_planned: usize,
    volume: BarChart,
    volume_caption: String,
    weeks: Vec<WeekLine>,
    upcoming: Vec<Upcoming>,
    latest: Vec<Row>,
    trends: Vec<LineChart>,
}

/// Monday of the week of `day`.
pub(crate) fn monday(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

/// Every activity of `user` starting on `from` or later, newest first.
pub(super) async fn activities_since(
    store: &dyn Store,
    user: UserId,
    from: Date,
) -> Result<Vec<Activity>, StoreError> {
    let mut all = Vec::new();
    for page in 1.. {
        let query = RecordQuery {
            from: Some(from.with_time(Time::MIDNIGHT).assume_utc()),
            ..RecordQuery::page(page, MAX_PER_PAGE)
        };
        let found = store.list_activities(user, query).await?;
        all.extend(found.items);
        if !found.has_next || page >= 50 {
            break;
        }
    }
    Ok(all)
}

/// Planned minutes of a session.
pub(super) fn planned_minutes(session: &TrainingSession) -> Option<f64> {
    session.values.plan.prescribed_minutes.total.map(f64::from)
}

/// The title people know a session by.
pub(crate) fn session_title(session: &TrainingSession) -> String {
    let plan = &session.values.plan;
    let discipline = DISCIPLINES
        .iter()
        .find(|d| d.id == plan.discipline_id)
        .map_or("Training session", |d| d.title);
    if plan.brief_description.trim().is_empty() {
        discipline.to_owned()
    } else {
        format!("{discipline}: {}", plan.brief_description.trim())
    }
}

/// `GET /`.
pub(crate) async fn get_home(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, "/").await?;
    if !seen.by_coach() && !seen.viewer.roles.trains && seen.viewer.roles.coaches {
        // A coach without training of their own starts at their athletes.
        return Ok(super::see_other("/athletes"));
    }
    let store = state.store.as_ref();
    let user = seen.athlete_id();
    let units = seen.units();
    let today = state.clock.now().date();
    let this_monday = monday(today);
    let first_monday = this_monday - Duration::weeks(WEEKS - 1);
    let activities = activities_since(store, user, first_monday).await?;
    let sessions: Vec<TrainingSession> = store
        .list_sessions(
            user,
            CalendarQuery {
                from: first_monday,
                to: today + Duration::days(21),
                updated_since: None,
            },
        )
        .await?
        .into_iter()
        .filter(|s| !s.deleted)
        .collect();
    let races = store
        .list_races(
            user,
            CalendarQuery {
                from: today,
                to: today + Duration::days(365),
                updated_since: None,
            },
        )
        .await?;

    // Seconds, metres and load by week and family.
    let mut by_week: BTreeMap<(Date, &'static str), (f64, f64, f64)> = BTreeMap::new();
    for activity in &activities {
        let week = monday(activity.started_at.date());
        let family = format::sport_class(activity.activity_type);
        let slot = by_week.entry((week, family)).or_default();
        let f = &activity.figures;
        slot.0 += f.duration_sec.unwrap_or(0.0);
        slot.1 += f.distance_m.unwrap_or(0.0);
        slot.2 += f64::from(f.load_score.unwrap_or(0));
    }
    let mut planned_by_week: BTreeMap<Date, f64> = BTreeMap::new();
    for session in &sessions {
        if let Some(minutes) = planned_minutes(session) {
            *planned_by_week
                .entry(monday(session.values.date))
                .or_default() += minutes * 60.0;
        }
    }
    let mondays: Vec<Date> = (0..WEEKS)
        .map(|w| first_monday + Duration::weeks(w))
        .collect();
    let hours = |seconds: f64| seconds / 3600.0;
    let bars = mondays
        .iter()
        .map(|week| {
            let parts = FAMILIES
                .iter()
                .map(|(class, name)| {
                    let seconds = by_week.get(&(*week, *class)).map_or(0.0, |v| v.0);
                    (
                        *class,
                        format!("{name}: {}", format::hours_minutes(seconds)),
                        hours(seconds),
                    )
                })
                .collect();
            let label = format!("{} {}", week.day(), format::short_month(*week));
            (label, parts, planned_by_week.get(week).map(|s| hours(*s)))
        })
        .collect();
    let volume = BarChart::of(bars, &|h| {
        if h.fract() == 0.0 {
            format!("{h:.0} h")
        } else {
            format!("{h:.1} h")
        }
    });
    let weeks: Vec<WeekLine> = mondays
        .iter()
        .map(|week| {
            let (done, metres, load) = FAMILIES
                .iter()
                .filter_map(|(class, _)| by_week.get(&(*week, *class)))
                .fold((0.0, 0.0, 0.0), |(t, d, l), v| (t + v.0, d + v.1, l + v.2));
            WeekLine {
                label: format!("Week of {}", format::day_short(*week)),
                done: format::hours_minutes(done),
                planned: planned_by_week
                    .get(week)
                    .map(|s| format::hours_minutes(*s))
                    .unwrap_or_else(|| "–".to_owned()),
                distance: if metres > 0.0 {
                    units.distance(metres)
                } else {
                    "–".to_owned()
                },
                load: format!("{load:.0}"),
            }
        })
        .collect();
    let done_seconds: f64 = by_week.values().map(|v| v.0).sum();
    let volume_caption = format!(
        "Training time per week for the last {WEEKS} weeks, by sport: {} in all; dashes mark the time planned.",
        format::hours_minutes(done_seconds)
    );

    // This week.
    let week_rows: Vec<WeekRow> = FAMILIES
        .iter()
        .filter_map(|(class, name)| {
            let (seconds, metres, load) = by_week.get(&(this_monday, *class))?;
            Some(WeekRow {
                family: name,
                class,
                time: format::hours_minutes(*seconds),
                distance: if *metres > 0.0 {
                    units.distance(*metres)
                } else {
                    String::new()
                },
                load: format!("{load:.0}"),
            })
        })
        .collect();
    let week_done: f64 = FAMILIES
        .iter()
        .filter_map(|(class, _)| by_week.get(&(this_monday, *class)))
        .map(|v| v.0)
        .sum();
    let this_week: Vec<&TrainingSession> = sessions
        .iter()
        .filter(|s| monday(s.values.date) == this_monday)
        .collect();
    let sessions_done = this_week
        .iter()
        .filter(|s| s.values.log.completed_minutes.total.is_some() || s.has_uploaded_training)
        .count();

    // What comes next.
    let mut upcoming: Vec<(Date, Upcoming)> = sessions
        .iter()
        .filter(|s| s.values.date >= today && !s.has_uploaded_training)
        .take(6)
        .map(|s| {
            let mut detail = Vec::new();
            if let Some(minutes) = planned_minutes(s) {
                detail.push(format::hours_minutes(minutes * 60.0));
            }
            if let Some(km) = s.values.plan.prescribed_km.total {
                detail.push(units.distance(km * 1000.0));
            }
            if let Some(intensity) = s.values.intensity {
                detail.push(format!("intensity {intensity} of 5"));
            }
            (
                s.values.date,
                Upcoming {
                    day: format::day_short(s.values.date),
                    title: session_title(s),
                    detail: detail.join(" · "),
                    href: format!("/session/{}/", s.id.0),
                },
            )
        })
        .collect();
    for race in races.iter().filter(|r| !r.deleted).take(2) {
        upcoming.push((
            race.values.date,
            Upcoming {
                day: format::day_short(race.values.date),
                title: format!("Race: {}", race.values.race_name),
                detail: race
                    .values
                    .race_priority
                    .map(|p| format!("priority {}", p.as_str().to_uppercase()))
                    .unwrap_or_default(),
                href: seen.href(&format!("/calendar?month={}", race.values.date)),
            },
        ));
    }
    upcoming.sort_by_key(|(day, _)| *day);

    let latest = activities
        .iter()
        .take(5)
        .map(|a| Row::of(a, units, &seen))
        .collect();
    let trends = trends(store, user, today).await?;
    let page = HomePage {
        layout: seen.layout(
            if seen.by_coach() {
                seen.athlete.name.clone()
            } else {
                "Home".to_owned()
            },
            "home",
        ),
        first_name: seen.athlete.first_name().to_owned(),
        today: format::day(today),
        week_rows,
        week_done: format::hours_minutes(week_done),
        week_planned: planned_by_week
            .get(&this_monday)
            .map(|s| format::hours_minutes(*s)),
        sessions_done,
        sessions_planned: this_week.len(),
        volume,
        volume_caption,
        weeks,
        upcoming: upcoming.into_iter().map(|(_, u)| u).collect(),
        latest,
        trends,
    };
    Ok(seen.render(&page))
}

/// Weight, sleep and resting heart rate over the last [`TREND_DAYS`] days.
async fn trends(
    store: &dyn Store,
    user: UserId,
    today: Date,
) -> Result<Vec<LineChart>, StoreError> {
    let first = today - Duration::days(TREND_DAYS);
    let metrics = store
        .list_body_metrics(
            user,
            RecordQuery {
                from: Some(first.with_time(Time::MIDNIGHT).assume_utc()),
                ..RecordQuery::page(1, MAX_PER_PAGE)
            },
        )
        .await?
        .items;
    let sleep = store
        .list_sleep_days(
            user,
            RecordQuery {
                from: Some(first),
                ..RecordQuery::page(1, MAX_PER_PAGE)
            },
        )
        .await?
        .items;
    let one = |v: f64| format!("{v:.1}");
    let whole = |v: f64| format!("{v:.0}");
    let weight: Vec<(Date, f64)> = metrics
        .iter()
        .filter_map(|m| Some((m.key.date(), m.values.weight_kg?)))
        .collect();
    let resting: Vec<(Date, f64)> = metrics
        .iter()
        .filter_map(|m| Some((m.key.date(), f64::from(m.values.resting_hr?))))
        .collect();
    let slept: Vec<(Date, f64)> = sleep
        .iter()
        .filter_map(|s| Some((s.key, f64::from(s.values.sleep_seconds?) / 3600.0)))
        .collect();
    let charts = [
        (
            Figure {
                key: "weight",
                title: "Weight",
                unit: "kg",
                value: &one,
            },
            weight,
        ),
        (
            Figure {
                key: "sleep",
                title: "Sleep",
                unit: "h",
                value: &one,
            },
            slept,
        ),
        (
            Figure {
                key: "resting",
                title: "Resting heart rate",
                unit: "bpm",
                value: &whole,
            },
            resting,
        ),
    ];
    Ok(charts
        .iter()
        .filter_map(|(figure, points)| trend::by_day(figure, first, points))
        .collect())
}
