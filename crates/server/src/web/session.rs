//! `/session/{id}/`: a training session's page: what was planned beside what was done, with
//! every figure the Xhale API keeps (time, distance and each sport's part, power, cadence,
//! heart rate, climb), the plan and the words on it, and the charts of the activities
//! attached to it. Signed in, the athlete and whoever acts for them (their coach, their
//! company's owner) reach it; anyone with the session's `direct_access_token` reaches it
//! read-only without logging in ("a token that allows access to session charts page when
//! logged out"); a rotated token no longer opens it.

use super::activity::{Axis, charts, streams_of};
use super::chart::LineChart;
use super::format::{self, Units};
use super::home::session_title;
use super::workouts::WorkoutChart;
use super::{Layout, Seen, Viewer};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use paceline_domain::StoreError;
use paceline_domain::calendar::{Entry, SessionId, TrainingSession};
use paceline_domain::coaching::{self, AccessError};
use paceline_domain::entities::AthleteSettings;
use paceline_domain::ids::UserId;
use paceline_domain::workouts::{self, WorkoutQuery, text};

/// A wrong or missing token is not found, as an unknown session is.
const GONE: PageError =
    PageError::NotFound("There is no session at this address, or its link has changed.");

/// One row of the planned-against-done table.
struct Row {
    label: &'static str,
    planned: String,
    done: String,
}

/// A planned workout attached to the session.
struct PlannedWorkout {
    name: String,
    sport: String,
    description: String,
    /// Its intensity over time.
    chart: WorkoutChart,
    /// The builder, for those signed in: the athlete and their coach.
    edit: Option<String>,
    /// Its files: (label, address), for those signed in.
    files: Vec<(&'static str, String)>,
}

/// One attached activity, with its charts.
struct Attached {
    title: String,
    href: Option<String>,
    when: String,
    charts: Vec<LineChart>,
}

#[derive(Template)]
#[template(path = "app/session.html")]
struct SessionPage {
    layout: Layout,
    /// The builder for a new workout of this session, for those signed in.
    new_workout: Option<String>,
    title: String,
    date: String,
    day: String,
    intensity: Option<i32>,
    key_session: bool,
    rows: Vec<Row>,
    missed: bool,
    plan: String,
    feedback: String,
    comments: String,
    attached: Vec<Attached>,
    workouts: Vec<PlannedWorkout>,
    x_unit: &'static str,
    signed_in: bool,
    /// The edit form, for the athlete whose session it is and their coach.
    edit: Option<String>,
}

/// `GET /session/{id}/?direct_access_token=...`.
pub(crate) async fn get_session_page(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let token = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "direct_access_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let id = match raw_id.parse::<i64>() {
        Ok(id) if id > 0 => SessionId(id),
        _ => return Err(GONE),
    };
    if let Some(viewer) = Viewer::signed_in(&state, &headers).await?
        && let Some(session) = reached(&state, viewer.id(), id).await?
    {
        // For a coach, the page sits among the athlete's pages.
        let seen = Seen::for_athlete(&state, viewer, session.user_id).await?;
        // A coached athlete's workouts are their coach's to plan (and to change).
        let plans = workouts::may_write(state.store.as_ref(), &seen.subject).await?;
        let layout = seen.layout(session_title(&session), "calendar");
        let reader = Reader::SignedIn { plans };
        let mut page = SessionPage::of(&state, &session, &seen.settings, layout, reader).await?;
        page.edit = Some(seen.href(&format!("/calendar/sessions/{}", session.id.0)));
        return Ok(seen.render(&page));
    }
    if token.len() != 32 {
        return Err(GONE);
    }
    let session = state
        .store
        .session_by_token(id, &token)
        .await?
        .ok_or(GONE)?;
    let settings = state
        .store
        .athlete_settings(session.user_id)
        .await?
        .ok_or(GONE)?;
    let layout = Layout::public(session_title(&session));
    let page = SessionPage::of(&state, &session, &settings, layout, Reader::ByToken).await?;
    Ok(super::render_public(&page))
}

/// The live session `id`, when `user` is its athlete or acts for them.
pub(super) async fn reached(
    state: &AppState,
    user: UserId,
    id: SessionId,
) -> Result<Option<TrainingSession>, StoreError> {
    let Some(athlete) = state.store.entry_owner(Entry::Session(id)).await? else {
        return Ok(None);
    };
    match coaching::subject(state.store.as_ref(), user, Some(athlete)).await {
        Ok(subject) => Ok(state
            .store
            .get_session(subject.athlete, id)
            .await?
            .filter(|session| !session.deleted)),
        Err(AccessError::NotYourAthlete(_)) => Ok(None),
        Err(AccessError::Store(cause)) => Err(cause),
    }
}

/// Who reads the page.
#[derive(Debug, Clone, Copy)]
enum Reader {
    /// Someone holding its link, signed out: read-only, no navigation.
    ByToken,
    /// The athlete or someone who acts for them; `plans` when they may write its workouts.
    SignedIn { plans: bool },
}

impl SessionPage {
    async fn of(
        state: &AppState,
        s: &TrainingSession,
        settings: &AthleteSettings,
        layout: Layout,
        reader: Reader,
    ) -> Result<Self, PageError> {
        let signed_in = matches!(reader, Reader::SignedIn { .. });
        let plans = matches!(reader, Reader::SignedIn { plans: true });
        let units = Units::of(settings);
        let v = &s.values;
        let (plan, log) = (&v.plan, &v.log);
        let minutes = |n: Option<i32>| {
            n.map(|n| format::hours_minutes(f64::from(n) * 60.0))
                .unwrap_or_default()
        };
        let km = |n: Option<f64>| n.map(|km| units.distance(km * 1000.0)).unwrap_or_default();
        let int = |n: Option<i32>, unit: &str| n.map(|n| format!("{n} {unit}")).unwrap_or_default();
        let (pm, cm) = (&plan.prescribed_minutes, &log.completed_minutes);
        let (pk, ck) = (&plan.prescribed_km, &log.completed_km);
        let mut rows = vec![
            Row {
                label: "Time",
                planned: minutes(pm.total),
                done: minutes(cm.total),
            },
            Row {
                label: "Distance",
                planned: km(pk.total),
                done: km(ck.total),
            },
            Row {
                label: "Swim time",
                planned: minutes(pm.swim),
                done: minutes(cm.swim),
            },
            Row {
                label: "Swim distance",
                planned: km(pk.swim),
                done: km(ck.swim),
            },
            Row {
                label: "Bike time",
                planned: minutes(pm.bike),
                done: minutes(cm.bike),
            },
            Row {
                label: "Bike distance",
                planned: km(pk.bike),
                done: km(ck.bike),
            },
            Row {
                label: "Run time",
                planned: minutes(pm.run),
                done: minutes(cm.run),
            },
            Row {
                label: "Run distance",
                planned: km(pk.run),
                done: km(ck.run),
            },
        ];
        let done_only = [
            (
                "Bike speed",
                log.bike_average_speed_kph
                    .map(|kph| units.speed(kph / 3.6))
                    .unwrap_or_default(),
            ),
            ("Bike power", int(log.bike_average_power_watts, "W")),
            ("Bike cadence", int(log.bike_average_cadence_rpm, "rpm")),
            (
                "Bike heart rate",
                int(log.bike_average_heart_rate_bpm, "bpm"),
            ),
            (
                "Bike climb",
                log.bike_meters_climbed
                    .map(|m| units.height(f64::from(m)))
                    .unwrap_or_default(),
            ),
            ("Run heart rate", int(log.run_average_heart_rate_bpm, "bpm")),
            (
                "Run climb",
                log.run_meters_climbed
                    .map(|m| units.height(f64::from(m)))
                    .unwrap_or_default(),
            ),
        ];
        rows.extend(done_only.into_iter().map(|(label, done)| Row {
            label,
            planned: String::new(),
            done,
        }));
        // A row with nothing planned or done says nothing: left out.
        rows.retain(|r| !(r.planned.is_empty() && r.done.is_empty()));
        let mut attached = Vec::new();
        for activity in state
            .store
            .attached_activities(s.user_id, Entry::Session(s.id))
            .await?
        {
            let detail = state.store.activity_detail(s.user_id, activity.id).await?;
            let streams = streams_of(detail.as_ref())?;
            attached.push(Attached {
                title: super::activities::title_of(&activity),
                // The activity's page is for the athlete and their coach; the charts are
                // here for all.
                href: (signed_in && activity.user_id == s.user_id)
                    .then(|| format!("{}/activities/{}", layout.base, activity.id.public())),
                when: format::moment(activity.started_at),
                charts: charts(&streams, activity.activity_type, units, Axis::Time),
            });
        }
        let day = WorkoutQuery {
            scheduled_from: Some(v.date),
            scheduled_to: Some(v.date),
            ..WorkoutQuery::default()
        };
        let workouts = state
            .store
            .list_workouts(s.user_id, &day)
            .await?
            .into_iter()
            .filter(|w| w.sessions.iter().any(|a| a.id == s.id))
            .map(|w| {
                let base = format!("{}/workouts/{}", layout.base, w.id.0);
                PlannedWorkout {
                    sport: w.values.sport.name().replace('_', " "),
                    chart: WorkoutChart::of(&text::blocks(
                        &w.values.steps,
                        Some(&settings.training),
                    )),
                    edit: plans.then(|| base.clone()),
                    files: if signed_in {
                        super::workouts::files(&base)
                    } else {
                        Vec::new()
                    },
                    description: w.values.description,
                    name: w.values.name,
                }
            })
            .collect();
        let new_workout = plans.then(|| format!("{}/workouts/new?session={}", layout.base, s.id.0));
        Ok(Self {
            workouts,
            new_workout,
            layout,
            title: session_title(s),
            date: v.date.to_string(),
            day: format::day(v.date),
            intensity: v.intensity,
            key_session: plan.key_session,
            rows,
            missed: log.missed_session,
            plan: plan.training_plan.clone(),
            feedback: v.athlete_feedback.clone(),
            comments: v.coach_comments.clone(),
            attached,
            x_unit: "time",
            signed_in,
            edit: None,
        })
    }
}
