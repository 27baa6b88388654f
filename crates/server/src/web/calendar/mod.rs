//! `/calendar`: a month or a week of sessions, races and the activities done, planned beside
//! completed, for the athlete and (under `/athletes/{id}`) their coach; attaching the files
//! waiting for a session (the athlete's own). The forms live beside it: `form` (a
//! session), `race` (a race), `plan` (moving a session, copying a week); every one writes
//! through the Xhale API's field tables and rules, so a person and an app meet the same
//! ones.

mod form;
mod plan;
mod race;

use super::format;
use super::home::{monday, session_title};
use super::{At, Layout, Seen, field, posted, see_other};
use crate::AppState;
use crate::api::xhale::calendar::{Resource, write};
use crate::api::xhale::input::{FieldErrors, Input};
use crate::api::xhale::record::Mode;
use crate::pages::PageError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
pub(crate) use form::{
    get_edit_session, get_new_session, post_delete_session, post_edit_session, post_new_session,
};
use form::{input_of, owned};
use paceline_domain::activities::Activity;
use paceline_domain::calendar::{self, CalendarQuery, EditError, TrainingSession};
use paceline_domain::coaching::Subject;
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::files::FileId;
use paceline_domain::listing::{MAX_PER_PAGE, RecordQuery};
use paceline_domain::workouts::WorkoutQuery;
pub(crate) use plan::{post_copy_week, post_move_session};
pub(crate) use race::{
    get_edit_race, get_new_race, post_delete_race, post_edit_race, post_new_race,
};
use std::collections::BTreeMap;
use time::{Date, Duration, Month, Time};

/// The athlete's live record (a session or a race) `raw_id`, or `missing`.
async fn live<R: Resource>(
    state: &AppState,
    seen: &Seen,
    raw_id: &str,
    missing: PageError,
) -> Result<R, PageError> {
    let Some(id) = raw_id.parse::<i64>().ok().filter(|id| *id > 0) else {
        return Err(missing);
    };
    match R::get(state.store.as_ref(), seen.athlete_id(), R::key(id)).await? {
        Some(record) if !record.deleted() => Ok(record),
        _ => Err(missing),
    }
}

/// Writes `input` over record `id` as the API's PATCH does: only what it names, under the
/// same rules, by the one compare-and-swap edit path.
async fn patch<R: Resource>(
    state: &AppState,
    subject: &Subject,
    id: R::Id,
    input: &Input,
) -> Result<R, EditError<FieldErrors>> {
    calendar::edit(
        state.store.as_ref(),
        state.clock.as_ref(),
        subject,
        id,
        &[],
        |current: &R| {
            let mut values = current.values().clone();
            write::<R>(
                input,
                Mode::Patch,
                subject,
                current.planned_by(),
                &mut values,
            )
            .map(|_| values)
        },
    )
    .await
}

/// What an edit's other outcomes are for a page: a record gone (or files not the
/// athlete's) is `missing`; the rest the server's failure.
fn edit_failed<E>(error: EditError<E>, missing: PageError) -> PageError {
    match error {
        EditError::NotFound | EditError::UnknownFiles(_) | EditError::Refused(_) => missing,
        EditError::Contended => PageError::internal("the record kept changing"),
        EditError::Store(cause) => cause.into(),
    }
}

/// Creates a record from a form's `input` as the API's POST does: the record, or what is
/// wrong with the input (`values` then holding what was typed, for the form again).
async fn create<R: Resource>(
    state: &AppState,
    subject: &Subject,
    input: &Input,
    values: &mut R::Values,
) -> Result<Result<R, FieldErrors>, PageError> {
    match write::<R>(input, Mode::Create, subject, None, values) {
        Ok(files) => match R::create(state, subject, input, values.clone(), &files).await? {
            calendar::Written::Saved(record) => Ok(Ok(record)),
            _ => Err(PageError::internal(format!(
                "a new {} was not saved",
                R::NAME
            ))),
        },
        Err(errors) => Ok(Err(errors)),
    }
}

/// Deletes one of the athlete's records as the API's DELETE does.
async fn delete<R: Resource>(state: &AppState, seen: &Seen, record: &R) -> Result<(), PageError> {
    state
        .store
        .delete_entry(seen.athlete_id(), R::entry(record.id()), state.clock.now())
        .await?;
    Ok(())
}

/// Files waiting for a session shown at once, the latest first.
const PENDING_SHOWN: usize = 8;
/// Files waiting for a session counted past those shown: beyond it the page says "more
/// than".
const PENDING_COUNTED: u32 = 100;

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
    /// Where moving it to another day is posted.
    moves: String,
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
    /// Each race's name and form.
    races: Vec<(String, String)>,
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
    /// Whether `more_pending` is all of them, not the count's cap.
    more_pending_counted: bool,
    targets: Vec<(i64, String)>,
    problem: Option<String>,
    /// What the last change did, said once.
    notice: Option<String>,
    /// This view's address, where a move comes back to.
    here: String,
    /// The form adding a race.
    new_race: String,
    /// Where a week's copy is posted, and the week it copies (week view only).
    copy_action: String,
    week_start: String,
    next_week: String,
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
    let mut page = calendar_page(&state, &seen, view, today, None).await?;
    page.notice = copied_notice(raw.as_deref());
    Ok(seen.render(&page))
}

/// The sentence after a week was copied (`copied=N`, `left=M` in the query).
fn copied_notice(raw: Option<&str>) -> Option<String> {
    let mut copied = None;
    let mut left = 0;
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "copied" => copied = value.parse::<u32>().ok(),
            "left" => left = value.parse::<u32>().unwrap_or(0),
            _ => {}
        }
    }
    let copied = copied?;
    let mut text = match copied {
        0 => "The week had nothing planned: nothing was copied.".to_owned(),
        1 => "Copied 1 session to this week.".to_owned(),
        n => format!("Copied {n} sessions to this week."),
    };
    if left > 0 {
        text.push_str(&format!(
            " {left} planned workout{} stayed behind: your coach plans your workouts.",
            if left == 1 { "" } else { "s" }
        ));
    }
    Some(text)
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
                moves: seen.href(&format!("/calendar/sessions/{}/move", s.id.0)),
            });
        }
    }
    for r in races.iter().filter(|r| !r.deleted) {
        if let Some(day) = days.get_mut(&r.values.date) {
            day.races.push((
                r.values.race_name.clone(),
                seen.href(&format!("/calendar/races/{}", r.id.0)),
            ));
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
        // One past the count, to know whether there are more.
        store.pending_files(user, PENDING_COUNTED + 1).await?
    };
    let more_pending_counted = u32::try_from(waiting.len()).is_ok_and(|n| n <= PENDING_COUNTED);
    let counted = waiting
        .len()
        .min(usize::try_from(PENDING_COUNTED).unwrap_or(usize::MAX));
    let more_pending = counted.saturating_sub(PENDING_SHOWN);
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
        more_pending_counted,
        targets,
        problem,
        notice: None,
        here: seen.href(&view.href()),
        new_race: seen.href(&format!(
            "/calendar/races/new?date={}",
            if first <= today && today <= last {
                today
            } else {
                first
            }
        )),
        copy_action: seen.href("/calendar/copy"),
        week_start: start.to_string(),
        next_week: (start + Duration::days(7)).to_string(),
    })
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
        Err(other) => Err(edit_failed(other, NO_SESSION)),
    }
}
