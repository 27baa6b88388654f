//! `/calendar`: a month or a week of sessions, races and the activities done, planned beside
//! completed; the session form (create, edit, delete), and attaching the files waiting for
//! a session. The forms write through the Xhale API's own field table and rules
//! ([`crate::api::xhale::calendar::write`]): an athlete edits the sessions they planned, and
//! of a session their coach planned writes only their feedback and the log, seeing the plan
//! read-only.

use super::format;
use super::home::{monday, session_title};
use super::{At, Id, Layout, Seen, field, posted, see_other};
use crate::AppState;
use crate::api::xhale::calendar::{Resource, write};
use crate::api::xhale::input::Input;
use crate::api::xhale::record::Mode;
use crate::pages::PageError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::activities::Activity;
use paceline_domain::calendar::{
    self, CalendarQuery, EditError, Part, SessionId, SessionValues, TrainingSession,
};
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::files::FileId;
use paceline_domain::listing::{MAX_PER_PAGE, RecordQuery};
use paceline_domain::workouts::WorkoutQuery;
use std::collections::BTreeMap;
use time::{Date, Duration, Month, Time};

/// Files waiting for a session shown at once, the latest first.
const PENDING_SHOWN: usize = 8;

/// Not one of the viewer's sessions.
const NO_SESSION: PageError = PageError::NotFound("You have no session at this address.");

/// A session in a day of the calendar.
struct SessionChip {
    title: String,
    href: String,
    edit: String,
    class: &'static str,
    planned: String,
    done: String,
    missed: bool,
    /// The planned workouts attached to it, by name.
    workouts: Vec<String>,
}

/// An activity in a day of the calendar.
struct ActivityChip {
    title: String,
    href: String,
    class: &'static str,
    figures: String,
}

/// One day of the calendar.
struct Day {
    date: String,
    number: u8,
    label: String,
    in_range: bool,
    today: bool,
    sessions: Vec<SessionChip>,
    races: Vec<String>,
    activities: Vec<ActivityChip>,
}

impl Day {
    fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.races.is_empty() && self.activities.is_empty()
    }
}

/// One week of the calendar, with its totals.
struct Week {
    days: Vec<Day>,
    planned: String,
    done: String,
}

/// A file waiting to be attached.
struct Pending {
    id: i64,
    name: String,
    activity: Option<String>,
}

#[derive(Template)]
#[template(path = "app/calendar.html")]
struct CalendarPage {
    layout: Layout,
    heading: String,
    month_view: bool,
    weeks: Vec<Week>,
    previous: String,
    next: String,
    today_href: String,
    other_view: String,
    new_href: String,
    pending: Vec<Pending>,
    more_pending: usize,
    targets: Vec<(i64, String)>,
    problem: Option<String>,
}

/// Which span the calendar shows.
#[derive(Debug, Clone, Copy)]
enum View {
    Month(Date),
    Week(Date),
}

impl View {
    fn parse(raw: Option<&str>, today: Date) -> Self {
        let mut view = Self::Month(today);
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let day = super::activities::parse_day(&value);
            match (name.as_ref(), day) {
                ("month", Some(day)) => view = Self::Month(day),
                ("week", Some(day)) => view = Self::Week(day),
                _ => {}
            }
        }
        view
    }

    /// The first and last day shown: whole weeks.
    fn span(self) -> (Date, Date, Date, Date) {
        match self {
            Self::Month(day) => {
                let first = day.replace_day(1).unwrap_or(day);
                let last = first
                    .replace_day(first.month().length(first.year()))
                    .unwrap_or(first);
                let start = monday(first);
                let end = monday(last) + Duration::days(6);
                (start, end, first, last)
            }
            Self::Week(day) => {
                let start = monday(day);
                let end = start + Duration::days(6);
                (start, end, start, end)
            }
        }
    }

    fn href(self) -> String {
        match self {
            Self::Month(day) => format!("/calendar?month={day}"),
            Self::Week(day) => format!("/calendar?week={day}"),
        }
    }
}

fn month_name(month: Month) -> &'static str {
    use Month::*;
    match month {
        January => "January",
        February => "February",
        March => "March",
        April => "April",
        May => "May",
        June => "June",
        July => "July",
        August => "August",
        September => "September",
        October => "October",
        November => "November",
        December => "December",
    }
}

/// A discipline's colour class.
fn category_class(discipline_id: i32) -> &'static str {
    match DISCIPLINES
        .iter()
        .find(|d| d.id == discipline_id)
        .map(|d| d.category)
    {
        Some("run") => "run",
        Some("bike") | Some("brick") => "ride",
        Some("swim") => "swim",
        _ => "other",
    }
}

/// `GET /calendar?month=YYYY-MM-DD` or `?week=YYYY-MM-DD`.
pub(crate) async fn get_calendar(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let today = state.clock.now().date();
    let view = View::parse(raw.as_deref(), today);
    let seen = Seen::of(&state, &headers, at, &view.href()).await?;
    let page = calendar_page(&state, &seen, view, today, None).await?;
    Ok(seen.render(&page))
}

async fn calendar_page(
    state: &AppState,
    seen: &Seen,
    view: View,
    today: Date,
    problem: Option<String>,
) -> Result<CalendarPage, PageError> {
    let store = state.store.as_ref();
    let user = seen.athlete_id();
    let units = seen.units();
    let (start, end, first, last) = view.span();
    let query = CalendarQuery {
        from: start,
        to: end,
        updated_since: None,
    };
    let sessions: Vec<TrainingSession> = store
        .list_sessions(user, query)
        .await?
        .into_iter()
        .filter(|s| !s.deleted)
        .collect();
    let races = store.list_races(user, query).await?;
    // The planned workouts of the span, by the session they are attached to.
    let mut workouts: std::collections::HashMap<i64, Vec<String>> = Default::default();
    let scheduled = WorkoutQuery {
        scheduled_from: Some(start),
        scheduled_to: Some(end),
        ..WorkoutQuery::default()
    };
    for workout in store.list_workouts(user, &scheduled).await? {
        for session in &workout.sessions {
            workouts
                .entry(session.id.0)
                .or_default()
                .push(workout.values.name.clone());
        }
    }
    let mut activities: Vec<Activity> = Vec::new();
    for page in 1..=10 {
        let found = store
            .list_activities(
                user,
                RecordQuery {
                    from: Some(start.with_time(Time::MIDNIGHT).assume_utc()),
                    to: Some(end.with_time(Time::MAX).assume_utc()),
                    ..RecordQuery::page(page, MAX_PER_PAGE)
                },
            )
            .await?;
        activities.extend(found.items);
        if !found.has_next {
            break;
        }
    }
    activities.sort_by_key(|a| a.started_at);
    let mut days: BTreeMap<Date, Day> = BTreeMap::new();
    let mut date = start;
    while date <= end {
        days.insert(
            date,
            Day {
                date: date.to_string(),
                number: date.day(),
                label: format::day(date),
                in_range: first <= date && date <= last,
                today: date == today,
                sessions: Vec::new(),
                races: Vec::new(),
                activities: Vec::new(),
            },
        );
        date = date.next_day().unwrap_or(end + Duration::days(1));
    }
    let minutes = |m: Option<i32>| m.map(|m| format::hours_minutes(f64::from(m) * 60.0));
    let mut planned_week: BTreeMap<Date, f64> = BTreeMap::new();
    let mut done_week: BTreeMap<Date, f64> = BTreeMap::new();
    for s in &sessions {
        let v = &s.values;
        if let Some(m) = v.plan.prescribed_minutes.total {
            *planned_week.entry(monday(v.date)).or_default() += f64::from(m) * 60.0;
        }
        if let Some(day) = days.get_mut(&v.date) {
            day.sessions.push(SessionChip {
                title: session_title(s),
                href: format!("/session/{}/", s.id.0),
                edit: seen.href(&format!("/calendar/sessions/{}", s.id.0)),
                class: category_class(v.plan.discipline_id),
                planned: minutes(v.plan.prescribed_minutes.total).unwrap_or_default(),
                done: minutes(v.log.completed_minutes.total).unwrap_or_default(),
                missed: v.log.missed_session,
                workouts: workouts.remove(&s.id.0).unwrap_or_default(),
            });
        }
    }
    for r in races.iter().filter(|r| !r.deleted) {
        if let Some(day) = days.get_mut(&r.values.date) {
            day.races.push(r.values.race_name.clone());
        }
    }
    for a in &activities {
        let date = a.started_at.date();
        *done_week.entry(monday(date)).or_default() += a.figures.duration_sec.unwrap_or(0.0);
        if let Some(day) = days.get_mut(&date) {
            let mut figures = Vec::new();
            if let Some(t) = a.figures.duration_sec {
                figures.push(format::hours_minutes(t));
            }
            if let Some(d) = a.figures.distance_m.filter(|d| *d > 0.0) {
                figures.push(units.distance(d));
            }
            day.activities.push(ActivityChip {
                title: super::activities::title_of(a),
                href: seen.href(&format!("/activities/{}", a.id.public())),
                class: format::sport_class(a.activity_type),
                figures: figures.join(" · "),
            });
        }
    }
    let mut weeks: Vec<Week> = Vec::new();
    for (date, day) in days {
        match weeks.last_mut() {
            Some(week) if week.days.len() < 7 => week.days.push(day),
            _ => {
                let hours = |map: &BTreeMap<Date, f64>| {
                    map.get(&date)
                        .map(|s| format::hours_minutes(*s))
                        .unwrap_or_else(|| "–".to_owned())
                };
                weeks.push(Week {
                    planned: hours(&planned_week),
                    done: hours(&done_week),
                    days: vec![day],
                });
            }
        }
    }
    let (heading, previous, next, other_view) = match view {
        View::Month(day) => {
            let first = day.replace_day(1).unwrap_or(day);
            let before = first - Duration::days(1);
            let after = last + Duration::days(1);
            (
                format!("{} {}", month_name(first.month()), first.year()),
                seen.href(&View::Month(before).href()),
                seen.href(&View::Month(after).href()),
                seen.href(
                    &View::Week(if first <= today && today <= last {
                        today
                    } else {
                        first
                    })
                    .href(),
                ),
            )
        }
        View::Week(_) => (
            format!("Week of {}", format::day(start)),
            seen.href(&View::Week(start - Duration::days(7)).href()),
            seen.href(&View::Week(start + Duration::days(7)).href()),
            seen.href(&View::Month(start).href()),
        ),
    };
    // The latest files first: the ones a person has just uploaded. Only the athlete
    // attaches their files.
    let waiting = if seen.by_coach() {
        Vec::new()
    } else {
        store.pending_files(user).await?
    };
    let more_pending = waiting.len().saturating_sub(PENDING_SHOWN);
    let pending = waiting
        .into_iter()
        .rev()
        .take(PENDING_SHOWN)
        .map(|f| Pending {
            id: f.id.0,
            name: f
                .file
                .original_name
                .clone()
                .unwrap_or_else(|| format!("File {}", f.id.0)),
            activity: f.activity_id.map(|a| format!("/activities/{}", a.public())),
        })
        .collect();
    // The sessions of the last two weeks and the next one, to attach a file to.
    let near = if seen.by_coach() {
        Vec::new()
    } else {
        store
            .list_sessions(
                user,
                CalendarQuery {
                    from: today - Duration::days(14),
                    to: today + Duration::days(7),
                    updated_since: None,
                },
            )
            .await?
    };
    let targets = near
        .iter()
        .filter(|s| !s.deleted)
        .map(|s| {
            (
                s.id.0,
                format!(
                    "{} · {}",
                    format::day_short(s.values.date),
                    session_title(s)
                ),
            )
        })
        .collect();
    Ok(CalendarPage {
        layout: seen.layout(heading.clone(), "calendar"),
        heading,
        month_view: matches!(view, View::Month(_)),
        weeks,
        previous,
        next,
        today_href: seen.href(&match view {
            View::Month(_) => View::Month(today).href(),
            View::Week(_) => View::Week(today).href(),
        }),
        other_view,
        new_href: seen.href(&format!(
            "/calendar/sessions/new?date={}",
            if first <= today && today <= last {
                today
            } else {
                first
            }
        )),
        pending,
        more_pending,
        targets,
        problem,
    })
}

/// One field of the session form.
struct FormField {
    name: &'static str,
    label: &'static str,
    value: String,
    kind: &'static str,
    editable: bool,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "app/session_form.html")]
struct SessionForm {
    layout: Layout,
    heading: String,
    action: String,
    fields: Vec<FormField>,
    disciplines: Vec<(i32, &'static str, bool)>,
    discipline_editable: bool,
    key_session: bool,
    missed: bool,
    coach_comments: String,
    coached: bool,
    errors: Vec<String>,
    delete: Option<String>,
    page: Option<String>,
}

fn session_form(
    seen: &Seen,
    values: &SessionValues,
    existing: Option<&TrainingSession>,
    errors: Option<&crate::api::xhale::input::FieldErrors>,
) -> SessionForm {
    let planned_by = existing.and_then(|s| s.planned_by);
    let may = |part| calendar::may_change(&seen.subject, part, planned_by);
    let messages = |name: &str| -> Vec<String> {
        errors
            .and_then(|e| {
                e.fields()
                    .find(|(n, _)| *n == name)
                    .map(|(_, m)| m.to_vec())
            })
            .unwrap_or_default()
    };
    let int = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let number = |n: Option<f64>| n.map(|n| format!("{n}")).unwrap_or_default();
    let v = values;
    let field = |name, label, value, kind, part| FormField {
        name,
        label,
        value,
        kind,
        editable: may(part),
        errors: messages(name),
    };
    let mut fields = vec![
        field("date", "Day", v.date.to_string(), "date", Part::Shared),
        field(
            "brief_description",
            "In a few words",
            v.plan.brief_description.clone(),
            "text",
            Part::Plan,
        ),
        field(
            "intensity",
            "Intensity (0 to 5)",
            int(v.intensity),
            "number",
            Part::Shared,
        ),
        field(
            "prescribed_minutes",
            "Planned minutes",
            int(v.plan.prescribed_minutes.total),
            "number",
            Part::Plan,
        ),
        field(
            "prescribed_km",
            "Planned kilometres",
            number(v.plan.prescribed_km.total),
            "decimal",
            Part::Plan,
        ),
        field(
            "training_plan",
            "Plan",
            v.plan.training_plan.clone(),
            "textarea",
            Part::Plan,
        ),
        field(
            "completed_minutes",
            "Minutes done",
            int(v.log.completed_minutes.total),
            "number",
            Part::Shared,
        ),
        field(
            "completed_km",
            "Kilometres done",
            number(v.log.completed_km.total),
            "decimal",
            Part::Shared,
        ),
        field(
            "athlete_feedback",
            if seen.by_coach() {
                "The athlete's feedback"
            } else {
                "Your feedback"
            },
            v.athlete_feedback.clone(),
            "textarea",
            Part::Athlete,
        ),
    ];
    if seen.by_coach() {
        fields.push(field(
            "coach_comments",
            "Your comments",
            v.coach_comments.clone(),
            "textarea",
            Part::Coach,
        ));
    }
    let general: Vec<String> = errors
        .map(|e| {
            e.fields()
                .filter(|(n, _)| !fields.iter().any(|f| f.name == *n))
                .flat_map(|(n, m)| m.iter().map(move |m| format!("{n}: {m}")))
                .collect()
        })
        .unwrap_or_default();
    let (heading, action, delete, page) = match existing {
        Some(s) => (
            format!("Edit: {}", session_title(s)),
            seen.href(&format!("/calendar/sessions/{}", s.id.0)),
            may(Part::Plan).then(|| seen.href(&format!("/calendar/sessions/{}/delete", s.id.0))),
            Some(format!("/session/{}/", s.id.0)),
        ),
        None => (
            "New session".to_owned(),
            seen.href("/calendar/sessions"),
            None,
            None,
        ),
    };
    SessionForm {
        layout: seen.layout(heading.clone(), "calendar"),
        heading,
        action,
        fields,
        disciplines: DISCIPLINES
            .iter()
            .map(|d| (d.id, d.title, d.id == v.plan.discipline_id))
            .collect(),
        discipline_editable: may(Part::Plan),
        key_session: v.plan.key_session,
        missed: v.log.missed_session,
        coach_comments: v.coach_comments.clone(),
        coached: !may(Part::Plan),
        errors: general,
        delete,
        page,
    }
}

/// `GET /calendar/sessions/new?date=`.
pub(crate) async fn get_new_session(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, "/calendar/sessions/new").await?;
    let date = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "date")
        .and_then(|(_, v)| super::activities::parse_day(&v))
        .unwrap_or_else(|| state.clock.now().date());
    let mut values = SessionValues::on(date);
    values.plan.discipline_id = 8;
    Ok(seen.render(&session_form(&seen, &values, None, None)))
}

/// The athlete's live session `raw_id`.
async fn owned(state: &AppState, seen: &Seen, raw_id: &str) -> Result<TrainingSession, PageError> {
    let id = match raw_id.parse::<i64>() {
        Ok(id) if id > 0 => SessionId(id),
        _ => return Err(NO_SESSION),
    };
    state
        .store
        .get_session(seen.athlete_id(), id)
        .await?
        .filter(|s| !s.deleted)
        .ok_or(NO_SESSION)
}

/// `GET /calendar/sessions/{id}`: the edit form.
pub(crate) async fn get_edit_session(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
) -> Result<Response, PageError> {
    let seen = Seen::of(
        &state,
        &headers,
        at,
        &format!("/calendar/sessions/{raw_id}"),
    )
    .await?;
    let session = owned(&state, &seen, &raw_id).await?;
    Ok(seen.render(&session_form(&seen, &session.values, Some(&session), None)))
}

/// Where a saved session sends its planner: the athlete to the session's page; a coach,
/// planning a week, back to that week of the athlete's calendar.
fn after_saving(seen: &Seen, session: &TrainingSession) -> String {
    if seen.by_coach() {
        seen.href(&View::Week(session.values.date).href())
    } else {
        format!("/session/{}/", session.id.0)
    }
}

/// The form's fields as the API's input: the token left out, and an unticked box sent as
/// `false` when the viewer may change it.
fn input_of(pairs: &crate::oauth::form::Pairs, boxes: &[&str]) -> Input {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(k, _)| k != "csrf") {
        query.append_pair(name, value);
    }
    for name in boxes {
        if !pairs.iter().any(|(k, _)| k == name) {
            query.append_pair(name, "false");
        }
    }
    Input::from_query(&query.finish())
}

/// `POST /calendar/sessions`: creates one.
pub(crate) async fn post_new_session(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar/sessions/new").await?;
    let subject = seen.subject;
    let input = input_of(&pairs, &["key_session", "missed_session"]);
    let mut values = SessionValues::on(state.clock.now().date());
    match write::<TrainingSession>(&input, Mode::Create, &subject, None, &mut values) {
        Ok(files) => match TrainingSession::create(&state, &subject, &input, values, &files).await?
        {
            calendar::Written::Saved(s) => Ok(see_other(&after_saving(&seen, &s))),
            _ => Err(PageError::internal("a new session was not saved")),
        },
        Err(errors) => {
            let form = session_form(&seen, &values, None, Some(&errors));
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &form))
        }
    }
}

/// `POST /calendar/sessions/{id}`: changes what the viewer may change of it.
pub(crate) async fn post_edit_session(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(
        &state,
        &headers,
        at,
        &format!("/calendar/sessions/{raw_id}"),
    )
    .await?;
    let session = owned(&state, &seen, &raw_id).await?;
    let subject = seen.subject;
    let mut boxes = vec!["missed_session"];
    if calendar::may_change(&subject, Part::Plan, session.planned_by) {
        boxes.push("key_session");
    }
    let input = input_of(&pairs, &boxes);
    let edited = calendar::edit(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        session.id,
        &[],
        |current: &TrainingSession| {
            let mut values = current.values.clone();
            write::<TrainingSession>(
                &input,
                Mode::Patch,
                &subject,
                current.planned_by,
                &mut values,
            )
            .map(|_| values)
        },
    )
    .await;
    match edited {
        Ok(saved) => Ok(see_other(&after_saving(&seen, &saved))),
        Err(EditError::Refused(errors)) => {
            let form = session_form(&seen, &session.values, Some(&session), Some(&errors));
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &form))
        }
        Err(other) => Err(edit_failed(other)),
    }
}

/// What an edit's other outcomes are for a page: a session gone (or files not the
/// viewer's) is not found; the rest the server's failure.
fn edit_failed<E>(error: EditError<E>) -> PageError {
    match error {
        EditError::NotFound | EditError::UnknownFiles(_) | EditError::Refused(_) => NO_SESSION,
        EditError::Contended => PageError::internal("the session kept changing"),
        EditError::Store(cause) => cause.into(),
    }
}

/// `POST /calendar/sessions/{id}/delete`: the sessions the viewer planned.
pub(crate) async fn post_delete_session(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar").await?;
    let session = owned(&state, &seen, &raw_id).await?;
    if !calendar::may_change(&seen.subject, Part::Plan, session.planned_by)
        || field(&pairs, "confirm") != Some("yes")
    {
        return Ok(see_other(
            &seen.href(&format!("/calendar/sessions/{}", session.id.0)),
        ));
    }
    state
        .store
        .delete_entry(
            seen.athlete_id(),
            calendar::Entry::Session(session.id),
            state.clock.now(),
        )
        .await?;
    Ok(see_other(
        &seen.href(&View::Month(session.values.date).href()),
    ))
}

/// `POST /calendar/attach`: attaches a waiting file to a session.
pub(crate) async fn post_attach(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, At(None), "/calendar").await?;
    let file = field(&pairs, "file")
        .and_then(|f| f.parse::<i64>().ok())
        .map(FileId);
    let session = owned(&state, &seen, field(&pairs, "session").unwrap_or_default()).await?;
    let Some(file) = file else {
        return Err(PageError::NotFound("You have no such file waiting."));
    };
    let subject = seen.subject;
    let attached = calendar::edit(
        state.store.as_ref(),
        state.clock.as_ref(),
        &subject,
        session.id,
        &[file],
        |current: &TrainingSession| Ok::<_, ()>(current.values.clone()),
    )
    .await;
    match attached {
        Ok(saved) => Ok(see_other(&format!("/session/{}/", saved.id.0))),
        Err(EditError::UnknownFiles(_)) => {
            let today = state.clock.now().date();
            let page = calendar_page(
                &state,
                &seen,
                View::Month(today),
                today,
                Some("That file is not one of yours waiting to be attached.".to_owned()),
            )
            .await?;
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(edit_failed(other)),
    }
}
