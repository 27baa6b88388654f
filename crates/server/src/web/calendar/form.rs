//! The session form: planning a session (the athlete their own, a coach their athlete's),
//! changing what the viewer may change of it, deleting it. The form writes through the
//! Xhale API's own field table and rules ([`crate::api::xhale::calendar::write`]).

use super::{NO_SESSION, View};
use crate::AppState;
use crate::api::xhale::input::{FieldErrors, Input};
use crate::pages::PageError;
use crate::web::home::session_title;
use crate::web::{At, Id, Layout, Seen, field, posted, see_other};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::calendar::{self, EditError, Part, SessionValues, TrainingSession};
use paceline_domain::disciplines::DISCIPLINES;

/// One field of a calendar form.
pub(super) struct FormField {
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    pub(super) value: String,
    /// `date`, `text`, `url`, `number`, `decimal` or `textarea`.
    pub(super) kind: &'static str,
    pub(super) editable: bool,
    pub(super) errors: Vec<String>,
}

/// The messages of a refused write, by field.
pub(super) struct Messages<'a>(pub(super) Option<&'a FieldErrors>);

impl Messages<'_> {
    /// What is wrong with field `name`.
    pub(super) fn of(&self, name: &str) -> Vec<String> {
        self.0
            .and_then(|e| {
                e.fields()
                    .find(|(n, _)| *n == name)
                    .map(|(_, m)| m.to_vec())
            })
            .unwrap_or_default()
    }

    /// What is wrong with fields the form does not show, named.
    pub(super) fn others(&self, fields: &[FormField]) -> Vec<String> {
        self.0
            .map(|e| {
                e.fields()
                    .filter(|(n, _)| !fields.iter().any(|f| f.name == *n))
                    .flat_map(|(n, m)| m.iter().map(move |m| format!("{n}: {m}")))
                    .collect()
            })
            .unwrap_or_default()
    }
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
    /// Whether the form shows what was done (not to a coach planning a new session).
    log: bool,
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
    errors: Option<&FieldErrors>,
) -> SessionForm {
    let planned_by = existing.and_then(|s| s.planned_by);
    let may = |part| calendar::may_change(&seen.subject, part, planned_by);
    let messages = Messages(errors);
    let int = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let number = |n: Option<f64>| n.map(|n| format!("{n}")).unwrap_or_default();
    let v = values;
    let field = |name, label, value, kind, part| FormField {
        name,
        label,
        value,
        kind,
        editable: may(part),
        errors: messages.of(name),
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
    // A coach planning a new session has nothing done or said to log yet.
    let log = existing.is_some() || !seen.by_coach();
    if !log {
        fields.retain(|f| {
            !matches!(
                f.name,
                "completed_minutes" | "completed_km" | "athlete_feedback"
            )
        });
    }
    if seen.by_coach() {
        fields.push(field(
            "coach_comments",
            "Your comments",
            v.coach_comments.clone(),
            "textarea",
            Part::Coach,
        ));
    }
    let general = messages.others(&fields);
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
        log,
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
        .and_then(|(_, v)| crate::web::activities::parse_day(&v))
        .unwrap_or_else(|| state.clock.now().date());
    let mut values = SessionValues::on(date);
    values.plan.discipline_id = 8;
    Ok(seen.render(&session_form(&seen, &values, None, None)))
}

/// The athlete's live session `raw_id`.
pub(super) async fn owned(
    state: &AppState,
    seen: &Seen,
    raw_id: &str,
) -> Result<TrainingSession, PageError> {
    super::live(state, seen, raw_id, NO_SESSION).await
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
pub(super) fn input_of(pairs: &crate::oauth::form::Pairs, boxes: &[&str]) -> Input {
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
    match super::create::<TrainingSession>(&state, &subject, &input, &mut values).await? {
        Ok(session) => Ok(see_other(&after_saving(&seen, &session))),
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
    let edited = super::patch::<TrainingSession>(&state, &subject, session.id, &input).await;
    match edited {
        Ok(saved) => Ok(see_other(&after_saving(&seen, &saved))),
        Err(EditError::Refused(errors)) => {
            let form = session_form(&seen, &session.values, Some(&session), Some(&errors));
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &form))
        }
        Err(other) => Err(super::edit_failed(other, NO_SESSION)),
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
    super::delete(&state, &seen, &session).await?;
    Ok(see_other(
        &seen.href(&View::Month(session.values.date).href()),
    ))
}
