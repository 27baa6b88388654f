//! Whose records an Xhale request reaches. Lists and creates act for the token's user, or
//! with `?athlete=ID` for an athlete the user coaches; a record named by id is reached when
//! it is the user's own or their athlete's, and is otherwise not found, whoever owns it.

use crate::AppState;
use crate::api::xhale::auth::{XhaleAuth, detail, not_found, unavailable};
use crate::api::xhale::input::FieldErrors;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paceline_domain::StoreError;
use paceline_domain::calendar::Entry;
use paceline_domain::coaching::{self, AccessError, Subject};
use paceline_domain::ids::UserId;
use paceline_domain::oauth::Scope;

/// The query parameter that names the athlete a coach acts for.
pub(crate) const ATHLETE: &str = "athlete";

/// The subject of a list or a create: the token's user, or the athlete they coach.
pub(crate) async fn subject(
    state: &AppState,
    actor: UserId,
    athlete: Option<UserId>,
) -> Result<Subject, Response> {
    match coaching::subject(state.store.as_ref(), actor, athlete).await {
        Ok(subject) => Ok(subject),
        Err(AccessError::NotYourAthlete(id)) => Err(detail(
            StatusCode::FORBIDDEN,
            &format!(
                "You do not have permission to perform this action: you do not coach athlete {id}."
            ),
        )),
        Err(AccessError::Store(cause)) => Err(unavailable(&cause)),
    }
}

/// The subject of a list or create whose query may name `?athlete=` (and nothing else).
pub(crate) async fn subject_from_query(
    state: &AppState,
    actor: UserId,
    raw: Option<&str>,
) -> Result<Subject, Response> {
    let mut params = crate::api::xhale::params::Params::parse(raw, &[ATHLETE]);
    let athlete = params.athlete();
    params.finish().map_err(IntoResponse::into_response)?;
    subject(state, actor, athlete).await
}

/// The subject of a request on one session or race: its owner, when the token's user is
/// the owner or their coach; 404 otherwise.
pub(crate) async fn owner_of(
    state: &AppState,
    actor: UserId,
    entry: Entry,
) -> Result<Subject, Response> {
    owned_by(state, actor, state.store.entry_owner(entry).await).await
}

/// The subject of a request on a record whose owner was looked up as `owner`: the owner,
/// when the token's user is the owner or their coach; 404 otherwise, and for no record.
pub(crate) async fn owned_by(
    state: &AppState,
    actor: UserId,
    owner: Result<Option<UserId>, StoreError>,
) -> Result<Subject, Response> {
    let owner = match owner {
        Ok(Some(owner)) => owner,
        Ok(None) => return Err(not_found()),
        Err(cause) => return Err(unavailable(&cause)),
    };
    match coaching::subject(state.store.as_ref(), actor, Some(owner)).await {
        Ok(subject) => Ok(subject),
        Err(AccessError::NotYourAthlete(_)) => Err(not_found()),
        Err(AccessError::Store(cause)) => Err(unavailable(&cause)),
    }
}

/// A path id that is not a positive integer: not found.
pub(crate) struct BadId;

impl IntoResponse for BadId {
    fn into_response(self) -> Response {
        not_found()
    }
}

/// A path id: a positive integer.
pub(crate) fn path_id(raw: &str) -> Result<i64, BadId> {
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(BadId),
    }
}

impl From<FieldErrors> for Response {
    fn from(errors: FieldErrors) -> Self {
        errors.into_response()
    }
}

/// The subject of a request with `scope` on the record `raw_id` (a session's or race's id,
/// which `entry` makes), and the id.
pub(crate) async fn reach<I: Copy>(
    state: &AppState,
    auth: &XhaleAuth,
    scope: Scope,
    raw_id: &str,
    entry: impl Fn(i64) -> (I, Entry),
) -> Result<(Subject, I), Response> {
    let grant = auth
        .require(&[scope])
        .map_err(IntoResponse::into_response)?;
    let (id, entry) = entry(path_id(raw_id).map_err(IntoResponse::into_response)?);
    let subject = owner_of(state, grant.user_id, entry).await?;
    Ok((subject, id))
}

/// `DELETE` of a session or race: soft; 204. Scope `write`.
pub(crate) async fn delete(
    state: &AppState,
    auth: &XhaleAuth,
    raw_id: &str,
    entry: fn(i64) -> Entry,
) -> Response {
    let make = |id| (entry(id), entry(id));
    let (subject, entry) = match reach(state, auth, Scope::Write, raw_id, make).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state
        .store
        .delete_entry(subject.athlete, entry, state.clock.now())
        .await
    {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => not_found(),
        Err(cause) => unavailable(&cause),
    }
}
