//! The race form: adding a race to an athlete's calendar, changing it, deleting it. Like
//! the session form it writes through the Xhale API's field table for races, so the athlete
//! writes their plan and feedback, the coach theirs, and either the race itself.

use super::View;
use super::form::{FormField, Messages, input_of};
use crate::AppState;
use crate::api::xhale::input::FieldErrors;
use crate::pages::PageError;
use crate::web::activities::parse_day;
use crate::web::{At, Id, Layout, Seen, field, posted, see_other};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::calendar::{self, EditError, Part, Race, RacePriority, RaceValues};

/// Not one of the athlete's races.
const NO_RACE: PageError = PageError::NotFound("There is no race at this address.");

#[derive(Template)]
#[template(path = "app/race_form.html")]
struct RaceForm {
    layout: Layout,
    heading: String,
    action: String,
    fields: Vec<FormField>,
    /// (value, label, chosen) of the priority choice.
    priorities: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<String>,
    delete: Option<String>,
}

fn race_form(
    seen: &Seen,
    values: &RaceValues,
    existing: Option<&Race>,
    errors: Option<&FieldErrors>,
) -> RaceForm {
    let may = |part| calendar::may_change(&seen.subject, part, None);
    let messages = Messages(errors);
    let int = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let field = |name, label, value, kind, part| FormField {
        name,
        label,
        value,
        kind,
        editable: may(part),
        errors: messages.of(name),
    };
    let v = values;
    let fields = vec![
        field(
            "race_name",
            "Race",
            v.race_name.clone(),
            "text",
            Part::Shared,
        ),
        field("date", "Day", v.date.to_string(), "date", Part::Shared),
        field(
            "race_priority",
            "Priority",
            String::new(),
            "priority",
            Part::Shared,
        ),
        field(
            "event_url",
            "Event page",
            v.event_url.clone(),
            "url",
            Part::Shared,
        ),
        field(
            "taper_days",
            "Days of taper",
            int(v.taper_days),
            "number",
            Part::Shared,
        ),
        field(
            "attendance_probability",
            "How likely to start (%)",
            int(v.attendance_probability),
            "number",
            Part::Shared,
        ),
        field(
            "athletes_plan",
            if seen.by_coach() {
                "The athlete's plan"
            } else {
                "Your plan"
            },
            v.athletes_plan.clone(),
            "textarea",
            Part::Athlete,
        ),
        field(
            "coach_plan",
            if seen.by_coach() {
                "Your plan"
            } else {
                "Your coach's plan"
            },
            v.coach_plan.clone(),
            "textarea",
            Part::Coach,
        ),
        field(
            "position_overall",
            "Place overall",
            int(v.position_overall),
            "number",
            Part::Shared,
        ),
        field(
            "position_age_group",
            "Place in age group",
            int(v.position_age_group),
            "number",
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
        field(
            "coach_comments",
            if seen.by_coach() {
                "Your comments"
            } else {
                "Your coach's comments"
            },
            v.coach_comments.clone(),
            "textarea",
            Part::Coach,
        ),
    ];
    let errors = messages.others(&fields);
    let (heading, action, delete) = match existing {
        Some(r) => (
            format!("Race: {}", r.values.race_name),
            seen.href(&format!("/calendar/races/{}", r.id.0)),
            Some(seen.href(&format!("/calendar/races/{}/delete", r.id.0))),
        ),
        None => ("New race".to_owned(), seen.href("/calendar/races"), None),
    };
    RaceForm {
        layout: seen.layout(heading.clone(), "calendar"),
        heading,
        action,
        fields,
        priorities: [
            ("", "Not set"),
            ("a", "A: the goal"),
            ("b", "B: important"),
            ("c", "C: for training"),
        ]
        .into_iter()
        .map(|(value, label)| {
            let chosen = v.race_priority.map_or("", RacePriority::as_str) == value;
            (value, label, chosen)
        })
        .collect(),
        errors,
        delete,
    }
}

/// `GET /calendar/races/new?date=`.
pub(crate) async fn get_new_race(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, "/calendar/races/new").await?;
    let date = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "date")
        .and_then(|(_, v)| parse_day(&v))
        .unwrap_or_else(|| state.clock.now().date());
    Ok(seen.render(&race_form(&seen, &RaceValues::on(date), None, None)))
}

/// The athlete's live race `raw_id`.
async fn owned(state: &AppState, seen: &Seen, raw_id: &str) -> Result<Race, PageError> {
    super::live(state, seen, raw_id, NO_RACE).await
}

/// `GET /calendar/races/{id}`.
pub(crate) async fn get_edit_race(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
) -> Result<Response, PageError> {
    let seen = Seen::of(&state, &headers, at, &format!("/calendar/races/{raw_id}")).await?;
    let race = owned(&state, &seen, &raw_id).await?;
    Ok(seen.render(&race_form(&seen, &race.values, Some(&race), None)))
}

/// `POST /calendar/races`: adds one.
pub(crate) async fn post_new_race(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar/races/new").await?;
    let subject = seen.subject;
    let input = input_of(&pairs, &[]);
    let mut values = RaceValues::on(state.clock.now().date());
    match super::create::<Race>(&state, &subject, &input, &mut values).await? {
        Ok(race) => Ok(see_other(&seen.href(&View::Month(race.values.date).href()))),
        Err(errors) => {
            let form = race_form(&seen, &values, None, Some(&errors));
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &form))
        }
    }
}

/// `POST /calendar/races/{id}`: changes what the viewer may change of it.
pub(crate) async fn post_edit_race(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, &format!("/calendar/races/{raw_id}")).await?;
    let race = owned(&state, &seen, &raw_id).await?;
    let subject = seen.subject;
    let input = input_of(&pairs, &[]);
    let edited = super::patch::<Race>(&state, &subject, race.id, &input).await;
    match edited {
        Ok(saved) => Ok(see_other(
            &seen.href(&View::Month(saved.values.date).href()),
        )),
        Err(EditError::Refused(errors)) => {
            let form = race_form(&seen, &race.values, Some(&race), Some(&errors));
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &form))
        }
        Err(other) => Err(super::edit_failed(other, NO_RACE)),
    }
}

/// `POST /calendar/races/{id}/delete`.
pub(crate) async fn post_delete_race(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar").await?;
    let race = owned(&state, &seen, &raw_id).await?;
    if field(&pairs, "confirm") != Some("yes") {
        return Ok(see_other(
            &seen.href(&format!("/calendar/races/{}", race.id.0)),
        ));
    }
    super::delete(&state, &seen, &race).await?;
    Ok(see_other(&seen.href(&View::Month(race.values.date).href())))
}
