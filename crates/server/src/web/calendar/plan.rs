//! Planning in the calendar beyond one form: moving a session to another day (the
//! calendar's drag and drop, or its move form) and copying a week's plan onto another week.
//! A move is the Xhale API's patch of `date`; a copy creates each session and workout as
//! the API creates them.

use super::{NO_SESSION, View, calendar_page, edit_failed, input_of, owned};
use crate::AppState;
use crate::oauth::request_rng;
use crate::pages::PageError;
use crate::web::activities::parse_day;
use crate::web::{At, Id, Seen, field, posted, see_other};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::calendar::{self, CopyError, EditError, TrainingSession};

/// Where a planner goes back to after a change: the calendar view they came from (one of
/// the athlete's calendar addresses), else the week of `date`.
fn back(seen: &Seen, pairs: &crate::oauth::form::Pairs, date: time::Date) -> String {
    let calendar = seen.href("/calendar?");
    match field(pairs, "back") {
        Some(back) if back.starts_with(&calendar) && !back.contains(['\r', '\n']) => {
            back.to_owned()
        }
        _ => seen.href(&View::Week(date).href()),
    }
}

/// `POST /calendar/sessions/{id}/move`: the session on another day (`date`).
pub(crate) async fn post_move_session(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar").await?;
    let session = owned(&state, &seen, &raw_id).await?;
    let subject = seen.subject;
    let only_date: crate::oauth::form::Pairs =
        pairs.iter().filter(|(k, _)| k == "date").cloned().collect();
    let input = input_of(&only_date, &[]);
    let moved = super::patch::<TrainingSession>(&state, &subject, session.id, &input).await;
    match moved {
        Ok(saved) => Ok(see_other(&back(&seen, &pairs, saved.values.date))),
        Err(EditError::Refused(_)) => {
            let today = state.clock.now().date();
            let page = calendar_page(
                &state,
                &seen,
                View::Week(session.values.date),
                today,
                Some("That is not a day: the session stays where it was.".to_owned()),
            )
            .await?;
            Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(edit_failed(other, NO_SESSION)),
    }
}

/// `POST /calendar/copy`: the plan of the week of `from` copied onto the week of `to`.
pub(crate) async fn post_copy_week(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let seen = Seen::of(&state, &headers, at, "/calendar").await?;
    let today = state.clock.now().date();
    let from = field(&pairs, "from").and_then(parse_day);
    let to = field(&pairs, "to").and_then(parse_day);
    let problem = match (from, to) {
        (Some(from), Some(to)) => {
            let copied = calendar::copy_week(
                state.store.as_ref(),
                state.clock.as_ref(),
                &mut request_rng(),
                &seen.subject,
                from,
                to,
            )
            .await;
            match copied {
                Ok(copied) => {
                    let week = calendar::week_of(to);
                    let mut href =
                        seen.href(&format!("/calendar?week={week}&copied={}", copied.sessions));
                    if copied.workouts_left > 0 {
                        href.push_str(&format!("&left={}", copied.workouts_left));
                    }
                    return Ok(see_other(&href));
                }
                Err(CopyError::SameWeek) => "Choose a day of another week to copy this week to.",
                Err(CopyError::Store(cause)) => return Err(cause.into()),
            }
        }
        (Some(_), None) => "Choose the week to copy to: a day of it, as YYYY-MM-DD.",
        _ => "The week to copy is missing; copy it from its week view.",
    };
    let view = View::Week(from.unwrap_or(today));
    let page = calendar_page(&state, &seen, view, today, Some(problem.to_owned())).await?;
    Ok(seen.render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
