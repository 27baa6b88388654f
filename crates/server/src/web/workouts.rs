//! The workout builder. A workout is written as text ([`paceline_domain::workouts::text`]):
//! steps, nested repeats, durations and targets, with a chart of its intensity drawn from
//! what was typed. It is saved to an athlete's session (a planned workout, through the
//! same rules as the Xhale API: a coach plans; a coached athlete does not), downloaded as
//! FIT, ZWO or ERG, or kept in the coach's library (`/library`) to plan again for anyone.

use super::{At, Id, Layout, Seen, Viewer, field, posted, see_other};
use crate::AppState;
use crate::api::xhale::workouts::{Format, encode};
use crate::pages::PageError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::calendar::{CalendarQuery, SessionId};
use paceline_domain::ids::UserId;
use paceline_domain::training::TrainingSettings;
use paceline_domain::workouts::library::{self, LibraryError, LibraryId, LibraryValues};
use paceline_domain::workouts::text::{self, Block, TextError};
use paceline_domain::workouts::{
    self, PlannedWorkout, SPORTS, WorkoutId, WorkoutPatch, WorkoutValues, WriteError,
};
use time::Duration;

/// Not a workout of this library or athlete.
const NO_WORKOUT: PageError = PageError::NotFound("There is no workout at this address.");

/// What a new workout's text starts as.
const EXAMPLE: &str = "15 min warm up @ 60-70% FTP\n4 x\n  5 min @ 100-105% FTP\n  3 min recovery @ 55% FTP\n10 min cool down @ Z1 power\n";

/// What a new running workout's text starts as.
const RUN_EXAMPLE: &str = "15 min warm up @ Z2 HR\n5 x\n  3 min @ Z4 HR\n  2 min easy @ Z1 HR\n10 min cool down @ Z1 HR\n";

/// One bar of the intensity chart.
pub(crate) struct Bar {
    pub(crate) x: String,
    pub(crate) width: String,
    pub(crate) y: String,
    pub(crate) height: String,
    pub(crate) class: &'static str,
    pub(crate) title: String,
}

/// A workout's intensity over time.
pub(crate) struct WorkoutChart {
    pub(crate) bars: Vec<Bar>,
    /// The whole time, as people read it.
    pub(crate) total: String,
    /// Whether part of it is estimated (distances, open steps).
    pub(crate) estimated: bool,
    /// The chart in words.
    pub(crate) summary: String,
    /// Where threshold (100%) is drawn.
    pub(crate) threshold_y: String,
}

/// The chart's size.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 150.0;
/// The most intense a bar is drawn (a fraction of threshold).
const CEILING: f64 = 1.6;

/// A step's time as people say it: `5 min`, `1 h 05 min`, or `1:30` when not whole minutes.
fn span(seconds: f64) -> String {
    if (seconds / 60.0).fract().abs() < 1e-9 {
        super::format::hours_minutes(seconds)
    } else {
        super::format::clock(seconds)
    }
}

fn band(intensity: Option<f64>) -> &'static str {
    match intensity {
        None => "unknown",
        Some(i) if i < 0.6 => "z1",
        Some(i) if i < 0.76 => "z2",
        Some(i) if i < 0.9 => "z3",
        Some(i) if i < 1.05 => "z4",
        Some(i) if i < 1.2 => "z5",
        Some(_) => "z6",
    }
}

impl WorkoutChart {
    pub(crate) fn of(blocks: &[Block]) -> Self {
        let total: f64 = blocks.iter().map(|b| b.seconds).sum();
        let scale = if total > 0.0 { WIDTH / total } else { 0.0 };
        let mut x = 0.0;
        let bars = blocks
            .iter()
            .map(|b| {
                let level = b.intensity.map_or(0.25, |i| i.clamp(0.15, CEILING));
                let height = level / CEILING * (HEIGHT - 10.0);
                let bar = Bar {
                    x: format!("{x:.1}"),
                    width: format!("{:.1}", (b.seconds * scale).max(0.5)),
                    y: format!("{:.1}", HEIGHT - height),
                    height: format!("{height:.1}"),
                    class: band(b.intensity),
                    title: match b.intensity {
                        Some(i) => format!(
                            "{}: {}, {:.0}% of threshold",
                            b.label,
                            span(b.seconds),
                            i * 100.0
                        ),
                        None => format!("{}: {}", b.label, span(b.seconds)),
                    },
                };
                x += b.seconds * scale;
                bar
            })
            .collect();
        let estimated = blocks.iter().any(|b| b.estimated);
        let hard = blocks
            .iter()
            .filter(|b| b.intensity.is_some_and(|i| i >= 0.9))
            .map(|b| b.seconds)
            .sum::<f64>();
        let total_text = span(total);
        Self {
            summary: format!(
                "{} steps, {}{}, of which {} at or above 90% of threshold.",
                blocks.len(),
                if estimated { "about " } else { "" },
                total_text,
                span(hard)
            ),
            bars,
            total: total_text,
            estimated,
            threshold_y: format!("{:.1}", HEIGHT - 1.0 / CEILING * (HEIGHT - 10.0)),
        }
    }
}

/// A choice of sport.
struct SportChoice {
    name: &'static str,
    label: String,
    chosen: bool,
}

/// `text` with its first letter capitalized.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A sport as people read it: `Cross country skiing`.
fn sport_label(name: &str) -> String {
    capitalized(&name.replace('_', " "))
}

fn sports(chosen: &str) -> Vec<SportChoice> {
    SPORTS
        .iter()
        .map(|s| SportChoice {
            name: s.name(),
            label: sport_label(s.name()),
            chosen: s.name() == chosen,
        })
        .collect()
}

fn by_pace(sport: &str) -> bool {
    matches!(sport, "running" | "walking" | "hiking")
}

#[derive(Template)]
#[template(path = "app/workout_builder.html")]
struct BuilderPage {
    layout: Layout,
    heading: String,
    action: String,
    name: String,
    sports: Vec<SportChoice>,
    description: String,
    text: String,
    /// Planning for an athlete: the sessions to choose from (id, label, chosen).
    sessions: Option<Vec<(i64, String, bool)>>,
    /// Offer to keep a copy in the viewer's library.
    offer_library: bool,
    keep: bool,
    chart: Option<WorkoutChart>,
    errors: Vec<String>,
    /// The file downloads of a saved planned workout: (label, address).
    downloads: Vec<(&'static str, String)>,
    delete: Option<String>,
    back: String,
}

impl BuilderPage {
    /// The builder showing what `typed` holds, posting to `action`; nothing of a saved or
    /// planned workout (sessions, downloads, delete) until the caller adds it.
    fn of(
        layout: Layout,
        heading: String,
        action: String,
        typed: &Typed,
        chart: Option<WorkoutChart>,
        errors: Vec<String>,
        back: String,
    ) -> Self {
        Self {
            layout,
            heading,
            action,
            name: typed.name.clone(),
            sports: sports(&typed.sport),
            description: typed.description.clone(),
            text: typed.text.clone(),
            sessions: None,
            offer_library: false,
            keep: false,
            chart,
            errors,
            downloads: Vec::new(),
            delete: None,
            back,
        }
    }
}

/// What the builder's form holds.
#[derive(Default)]
struct Typed {
    name: String,
    sport: String,
    description: String,
    text: String,
    session: Option<i64>,
    keep: bool,
}

impl Typed {
    fn from(pairs: &crate::oauth::form::Pairs) -> Self {
        let get = |name| field(pairs, name).unwrap_or_default().to_owned();
        Self {
            name: get("name"),
            sport: get("sport"),
            description: get("description"),
            text: get("text"),
            session: field(pairs, "session").and_then(|s| s.parse().ok()),
            keep: field(pairs, "keep") == Some("yes"),
        }
    }
}

/// The chart of what was typed, and what does not read.
fn preview(
    typed: &Typed,
    settings: Option<&TrainingSettings>,
) -> (Option<WorkoutChart>, Vec<String>) {
    let plan = match text::parse(&typed.text) {
        Ok(plan) => plan,
        Err(e) => return (None, vec![e.to_string()]),
    };
    // A library workout is drawn with typical thresholds when it has relative targets.
    let typical = library::typical_thresholds();
    let used = settings.or(plan.is_relative().then_some(&typical));
    match plan.steps(used) {
        Ok(steps) => (
            Some(WorkoutChart::of(&text::blocks(&steps, used))),
            Vec::new(),
        ),
        Err(e) => (None, vec![e.to_string()]),
    }
}

fn library_problem(error: &LibraryError) -> String {
    match error {
        LibraryError::Text(e) => e.to_string(),
        other => capitalized(&other.to_string()) + ".",
    }
}

// --- The library ---

/// One workout of the library list.
struct LibraryRow {
    name: String,
    sport: String,
    href: String,
    plan: String,
    total: String,
    chart: Option<WorkoutChart>,
}

#[derive(Template)]
#[template(path = "app/library.html")]
struct LibraryPage {
    layout: Layout,
    rows: Vec<LibraryRow>,
    /// The athletes the viewer plans for: (public id, name).
    athletes: Vec<(String, String)>,
    notice: Option<String>,
}

/// The athletes `viewer` may plan for, by name, once each.
async fn athletes_of(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(String, String)>, PageError> {
    let mut athletes: Vec<(String, String)> = state
        .store
        .athletes_of(viewer.id())
        .await?
        .into_iter()
        .map(|a| (a.user.id.public(), a.user.name))
        .collect();
    // By name, and one row per athlete (someone in two of the viewer's companies).
    athletes.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    athletes.dedup_by(|a, b| a.0 == b.0);
    Ok(athletes)
}

/// `GET /library`.
pub(crate) async fn get_library(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, "/library").await?;
    let deleted = raw.as_deref() == Some("deleted=1");
    let rows = state
        .store
        .library_of(viewer.id())
        .await?
        .into_iter()
        .map(|w| {
            let typed = Typed {
                text: w.values.text.clone(),
                ..Typed::default()
            };
            let (chart, _) = preview(&typed, None);
            LibraryRow {
                total: chart.as_ref().map(|c| c.total.clone()).unwrap_or_default(),
                chart,
                name: w.values.name,
                sport: sport_label(w.values.sport.name()),
                href: format!("/library/{}", w.id.0),
                plan: format!("/library/{}/plan", w.id.0),
            }
        })
        .collect();
    let page = LibraryPage {
        layout: viewer.layout("Workouts", "workouts"),
        rows,
        athletes: athletes_of(&state, &viewer).await?,
        notice: deleted.then(|| "The workout left your library.".to_owned()),
    };
    Ok(viewer.render(&page))
}

fn library_builder(
    viewer: &Viewer,
    id: Option<LibraryId>,
    typed: &Typed,
    errors: Vec<String>,
    chart: Option<WorkoutChart>,
) -> BuilderPage {
    let (heading, action, delete) = match id {
        Some(id) => (
            format!("Workout: {}", typed.name),
            format!("/library/{}", id.0),
            Some(format!("/library/{}/delete", id.0)),
        ),
        None => ("New workout".to_owned(), "/library".to_owned(), None),
    };
    BuilderPage {
        delete,
        ..BuilderPage::of(
            viewer.layout(heading.clone(), "workouts"),
            heading,
            action,
            typed,
            chart,
            errors,
            "/library".to_owned(),
        )
    }
}

/// `GET /library/new`.
pub(crate) async fn get_new_library(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, "/library/new").await?;
    let typed = Typed {
        sport: "cycling".into(),
        text: EXAMPLE.into(),
        ..Typed::default()
    };
    let (chart, _) = preview(&typed, None);
    Ok(viewer.render(&library_builder(&viewer, None, &typed, Vec::new(), chart)))
}

fn library_id(raw: &str) -> Result<LibraryId, PageError> {
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(LibraryId(id)),
        _ => Err(NO_WORKOUT),
    }
}

/// `GET /library/{id}`.
pub(crate) async fn get_library_workout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, &format!("/library/{raw}")).await?;
    let id = library_id(&raw)?;
    let kept = state
        .store
        .get_library_workout(viewer.id(), id)
        .await?
        .ok_or(NO_WORKOUT)?;
    let typed = Typed {
        name: kept.values.name,
        sport: kept.values.sport.name().to_owned(),
        description: kept.values.description,
        text: kept.values.text,
        ..Typed::default()
    };
    let (chart, errors) = preview(&typed, None);
    Ok(viewer.render(&library_builder(&viewer, Some(id), &typed, errors, chart)))
}

/// `POST /library` and `POST /library/{id}`: previews, or saves.
async fn save_library(
    state: AppState,
    headers: HeaderMap,
    id: Option<LibraryId>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let viewer = Viewer::of(&state, &headers, "/library").await?;
    if let Some(id) = id {
        state
            .store
            .get_library_workout(viewer.id(), id)
            .await?
            .ok_or(NO_WORKOUT)?;
    }
    let typed = Typed::from(&pairs);
    let (chart, mut errors) = preview(&typed, None);
    if field(&pairs, "action") == Some("save") && errors.is_empty() {
        let store = state.store.as_ref();
        let clock = state.clock.as_ref();
        let saved = match library::check(&typed.name, &typed.sport, &typed.description, &typed.text)
        {
            Ok(values) => match id {
                Some(id) => library::replace(store, clock, viewer.id(), id, &values)
                    .await
                    .map(|()| id),
                None => library::add(store, clock, viewer.id(), &values)
                    .await
                    .map(|w| w.id),
            },
            Err(e) => Err(e),
        };
        match saved {
            Ok(_) => return Ok(see_other("/library")),
            Err(LibraryError::Store(cause)) => return Err(cause.into()),
            Err(LibraryError::NotFound) => return Err(NO_WORKOUT),
            Err(other) => errors.push(library_problem(&other)),
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(viewer.render_with(status, &library_builder(&viewer, id, &typed, errors, chart)))
}

/// `POST /library`.
pub(crate) async fn post_new_library(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    save_library(state, headers, None, body).await
}

/// `POST /library/{id}`.
pub(crate) async fn post_library_workout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = library_id(&raw)?;
    save_library(state, headers, Some(id), body).await
}

/// `POST /library/{id}/delete`.
pub(crate) async fn post_delete_library(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let viewer = Viewer::of(&state, &headers, "/library").await?;
    let id = library_id(&raw)?;
    if field(&pairs, "confirm") != Some("yes") {
        return Ok(see_other(&format!("/library/{}", id.0)));
    }
    if state.store.delete_library_workout(viewer.id(), id).await? {
        Ok(see_other("/library?deleted=1"))
    } else {
        Err(NO_WORKOUT)
    }
}

/// `GET /library/{id}/plan?athlete=usr_…`: the builder for that athlete, filled in.
pub(crate) async fn get_plan_library(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, "/library").await?;
    let id = library_id(&raw)?;
    state
        .store
        .get_library_workout(viewer.id(), id)
        .await?
        .ok_or(NO_WORKOUT)?;
    let athlete = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "athlete")
        .and_then(|(_, v)| UserId::from_public(&v))
        .ok_or(PageError::NotFound(
            "Choose an athlete to plan the workout for.",
        ))?;
    Ok(see_other(&format!(
        "/athletes/{}/workouts/new?from={}",
        athlete.public(),
        id.0
    )))
}

// --- Planned workouts ---

/// The athlete's sessions a workout may be saved to: from a week ago to eight weeks on.
async fn session_choices(
    state: &AppState,
    seen: &Seen,
    chosen: Option<i64>,
) -> Result<Vec<(i64, String, bool)>, PageError> {
    let today = state.clock.now().date();
    let sessions = state
        .store
        .list_sessions(
            seen.athlete_id(),
            CalendarQuery {
                from: today - Duration::days(7),
                to: today + Duration::weeks(8),
                updated_since: None,
            },
        )
        .await?;
    Ok(sessions
        .into_iter()
        .filter(|s| !s.deleted)
        .map(|s| {
            (
                s.id.0,
                format!(
                    "{} · {}",
                    super::format::day_short(s.values.date),
                    super::home::session_title(&s)
                ),
                Some(s.id.0) == chosen,
            )
        })
        .collect())
}

/// The files of the planned workout at `address`: (label, address).
pub(super) fn files(address: &str) -> Vec<(&'static str, String)> {
    [("FIT", "fit"), ("ZWO (Zwift)", "zwo"), ("ERG", "erg")]
        .into_iter()
        .map(|(label, ext)| (label, format!("{address}/file.{ext}")))
        .collect()
}

async fn planned_builder(
    state: &AppState,
    seen: &Seen,
    existing: Option<&PlannedWorkout>,
    typed: &Typed,
    errors: Vec<String>,
    chart: Option<WorkoutChart>,
) -> Result<BuilderPage, PageError> {
    let (heading, action, delete, downloads) = match existing {
        Some(w) => (
            format!("Workout: {}", typed.name),
            seen.href(&format!("/workouts/{}", w.id.0)),
            Some(seen.href(&format!("/workouts/{}/delete", w.id.0))),
            files(&seen.href(&format!("/workouts/{}", w.id.0))),
        ),
        None => (
            "New workout".to_owned(),
            seen.href("/workouts"),
            None,
            Vec::new(),
        ),
    };
    let sessions = match existing {
        Some(_) => None,
        None => Some(session_choices(state, seen, typed.session).await?),
    };
    let back = match typed.session {
        Some(id) => format!("/session/{id}/"),
        None => seen.href("/calendar"),
    };
    Ok(BuilderPage {
        sessions,
        offer_library: existing.is_none() && seen.viewer.roles.coaches,
        keep: typed.keep,
        downloads,
        delete,
        ..BuilderPage::of(
            seen.layout(heading.clone(), "calendar"),
            heading,
            action,
            typed,
            chart,
            errors,
            back,
        )
    })
}

/// `GET /workouts/new?session=&from=` (an athlete's pages): the builder, for one of their
/// sessions, filled in from the viewer's library when `from` names one of its workouts.
pub(crate) async fn get_new_planned(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, "/workouts/new").await?;
    let mut typed = Typed {
        sport: "cycling".into(),
        text: EXAMPLE.into(),
        ..Typed::default()
    };
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "session" => typed.session = value.parse().ok(),
            "from" => {
                let id = library_id(&value)?;
                let kept = state
                    .store
                    .get_library_workout(seen.viewer.id(), id)
                    .await?
                    .ok_or(NO_WORKOUT)?;
                typed.name = kept.values.name;
                typed.sport = kept.values.sport.name().to_owned();
                typed.description = kept.values.description;
                typed.text = kept.values.text;
            }
            _ => {}
        }
    }
    // A workout for a run session is a running workout, unless the library said otherwise.
    if let Some(id) = typed.session.filter(|_| typed.name.is_empty())
        && let Some(session) = state
            .store
            .get_session(seen.athlete_id(), SessionId(id))
            .await?
    {
        let category = paceline_domain::disciplines::DISCIPLINES
            .iter()
            .find(|d| d.id == session.values.plan.discipline_id)
            .map(|d| d.category);
        match category {
            Some("run") => {
                typed.sport = "running".into();
                typed.text = RUN_EXAMPLE.into();
            }
            Some("swim") => typed.sport = "swimming".into(),
            Some("gym") => typed.sport = "training".into(),
            _ => {}
        }
    }
    let (chart, errors) = preview(&typed, Some(&seen.settings.training));
    let page = planned_builder(&state, &seen, None, &typed, errors, chart).await?;
    Ok(seen.render(&page))
}

/// The athlete's live workout `raw`.
async fn planned(state: &AppState, seen: &Seen, raw: &str) -> Result<PlannedWorkout, PageError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(NO_WORKOUT)?;
    state
        .store
        .get_workout(seen.athlete_id(), WorkoutId(id))
        .await?
        .filter(|w| !w.deleted)
        .ok_or(NO_WORKOUT)
}

fn typed_of(workout: &PlannedWorkout) -> Typed {
    let sport = workout.values.sport.name();
    Typed {
        name: workout.values.name.clone(),
        sport: sport.to_owned(),
        description: workout.values.description.clone(),
        text: text::to_text(&workout.values.steps, by_pace(sport)),
        session: workout.sessions.first().map(|s| s.id.0),
        keep: false,
    }
}

/// `GET /workouts/{id}` (an athlete's pages).
pub(crate) async fn get_planned(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw }): Path<Id>,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, &format!("/workouts/{raw}")).await?;
    let workout = planned(&state, &seen, &raw).await?;
    let typed = typed_of(&workout);
    let (chart, errors) = preview(&typed, Some(&seen.settings.training));
    let page = planned_builder(&state, &seen, Some(&workout), &typed, errors, chart).await?;
    Ok(seen.render(&page))
}

fn write_problem(error: &WriteError) -> Option<String> {
    Some(match error {
        WriteError::CoachPlans => {
            "Your coach plans your workouts: ask them for this one.".to_owned()
        }
        WriteError::UnknownSessions(_) => {
            "Choose one of the athlete's sessions to save the workout to.".to_owned()
        }
        WriteError::Steps(e) => e.to_string(),
        WriteError::Store(_)
        | WriteError::Contended
        | WriteError::NotFound
        | WriteError::TooManySessions => return None,
    })
}

/// Saves a planned workout (new, or `existing`), or shows the preview.
async fn save_planned(
    state: AppState,
    at: At,
    headers: HeaderMap,
    existing: Option<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar").await?;
    let current = match &existing {
        Some(raw) => Some(planned(&state, &seen, raw).await?),
        None => None,
    };
    let mut typed = Typed::from(&pairs);
    if let Some(workout) = &current {
        typed.session = workout.sessions.first().map(|s| s.id.0);
    }
    let settings = &seen.settings.training;
    let (chart, mut errors) = preview(&typed, Some(settings));
    if field(&pairs, "action") == Some("save") && errors.is_empty() {
        let values = library::check(&typed.name, &typed.sport, &typed.description, &typed.text)
            .map_err(|e| library_problem(&e))
            .and_then(|v| {
                text::parse(&v.text)
                    .and_then(|plan| plan.steps(Some(settings)))
                    .map(|steps| (v, steps))
                    .map_err(|e: TextError| e.to_string())
            });
        match values {
            Err(problem) => errors.push(problem),
            Ok((values, steps)) => {
                let store = state.store.as_ref();
                let clock = state.clock.as_ref();
                let written = match &current {
                    Some(workout) => {
                        workouts::edit_workout(
                            store,
                            clock,
                            &seen.subject,
                            workout.id,
                            &WorkoutPatch {
                                sport: Some(values.sport),
                                name: Some(values.name.clone()),
                                description: Some(values.description.clone()),
                                steps: Some(steps),
                                sessions: None,
                            },
                        )
                        .await
                    }
                    None => {
                        let sessions: Vec<SessionId> =
                            typed.session.map(SessionId).into_iter().collect();
                        if sessions.is_empty() {
                            Err(WriteError::UnknownSessions(Vec::new()))
                        } else {
                            workouts::create_workout(
                                store,
                                clock,
                                &seen.subject,
                                WorkoutValues {
                                    sport: values.sport,
                                    name: values.name.clone(),
                                    description: values.description.clone(),
                                    steps,
                                },
                                &sessions,
                            )
                            .await
                        }
                    }
                };
                match written {
                    Ok(workout) => {
                        if typed.keep && current.is_none() && seen.viewer.roles.coaches {
                            keep_in_library(&state, &seen, &values).await?;
                        }
                        let session = workout.sessions.first().map(|s| s.id.0);
                        return Ok(see_other(&match session {
                            Some(id) => format!("/session/{id}/"),
                            None => seen.href("/calendar"),
                        }));
                    }
                    Err(WriteError::Store(cause)) => return Err(cause.into()),
                    Err(WriteError::NotFound) => return Err(NO_WORKOUT),
                    Err(other) => match write_problem(&other) {
                        Some(problem) => errors.push(problem),
                        None => return Err(PageError::internal(other.to_string())),
                    },
                }
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = planned_builder(&state, &seen, current.as_ref(), &typed, errors, chart).await?;
    Ok(seen.render_with(status, &page))
}

async fn keep_in_library(
    state: &AppState,
    seen: &Seen,
    values: &LibraryValues,
) -> Result<(), PageError> {
    match library::add(
        state.store.as_ref(),
        state.clock.as_ref(),
        seen.viewer.id(),
        values,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(LibraryError::Store(cause)) => Err(cause.into()),
        Err(other) => Err(PageError::internal(other.to_string())),
    }
}

/// `POST /workouts` (an athlete's pages).
pub(crate) async fn post_new_planned(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    save_planned(state, at, headers, None, body).await
}

/// `POST /workouts/{id}` (an athlete's pages).
pub(crate) async fn post_planned(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    save_planned(state, at, headers, Some(raw), body).await
}

/// `POST /workouts/{id}/delete` (an athlete's pages).
pub(crate) async fn post_delete_planned(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar").await?;
    let workout = planned(&state, &seen, &raw).await?;
    if field(&pairs, "confirm") != Some("yes") {
        return Ok(see_other(
            &seen.href(&format!("/workouts/{}", workout.id.0)),
        ));
    }
    match workouts::delete_workout(
        state.store.as_ref(),
        state.clock.as_ref(),
        &seen.subject,
        workout.id,
    )
    .await
    {
        Ok(()) => Ok(see_other(&match workout.sessions.first() {
            Some(s) => format!("/session/{}/", s.id.0),
            None => seen.href("/calendar"),
        })),
        Err(WriteError::Store(cause)) => Err(cause.into()),
        Err(WriteError::NotFound) => Err(NO_WORKOUT),
        Err(other) => Err(PageError::NotFound(match other {
            WriteError::CoachPlans => "Your coach plans your workouts: only they delete one.",
            _ => "This workout cannot be deleted.",
        })),
    }
}

/// The file name's part of a download's path.
#[derive(serde::Deserialize)]
pub(crate) struct FileParams {
    id: String,
    file: String,
}

/// `GET /workouts/{id}/file.{fit,zwo,erg}` (an athlete's pages).
pub(crate) async fn get_planned_file(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(FileParams { id: raw, file }): Path<FileParams>,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, &format!("/workouts/{raw}")).await?;
    let format = file
        .strip_prefix("file.")
        .and_then(Format::of)
        .ok_or(NO_WORKOUT)?;
    let workout = planned(&state, &seen, &raw).await?;
    let bytes = encode(&state, &workout, format).await?.map_err(|e| {
        PageError::Unwritable(format!(
            "This workout cannot be written as a {} file: {e}. ZWO and ERG files take power from the athlete's cycling zones (FTP as the top of zone 4).",
            format.name()
        ))
    })?;
    Ok(super::activities::attachment(
        bytes,
        format.media_type(),
        &format!("workout{}.{}", workout.id.0, format.extension()),
    ))
}
