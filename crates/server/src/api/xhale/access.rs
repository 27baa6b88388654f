//! Whose records an Xhale request reaches. Lists and creates act for the token's user, or
//! with `?athlete=ID` for an athlete the user coaches; a record named by id is reached when
//! it is the user's own or their athlete's, and is otherwise not found, whoever owns it.

use crate::AppState;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use axum::http::StatusCode;
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
) -> XhaleResult<Subject> {
    match coaching::subject(state.store.as_ref(), actor, athlete).await {
        Ok(subject) => Ok(subject),
        Err(AccessError::NotYourAthlete(id)) => Err(XhaleError::detail(
            StatusCode::FORBIDDEN,
            format!(
                "You do not have permission to perform this action: you do not coach athlete {id}."
            ),
        )),
        Err(AccessError::Store(cause)) => Err(cause.into()),
    }
}

/// The subject of a list or create whose query may name `?athlete=` (and nothing else).
pub(crate) async fn subject_from_query(
    state: &AppState,
    actor: UserId,
    raw: Option<&str>,
) -> XhaleResult<Subject> {
    let mut params = crate::api::xhale::params::Params::parse(raw, &[ATHLETE]);
    let athlete = params.athlete();
    params.finish()?;
    subject(state, actor, athlete).await
}

/// The subject of a request on one session or race: its owner, when the token's user is
/// the owner or their coach; 404 otherwise.
pub(crate) async fn owner_of(
    state: &AppState,
    actor: UserId,
    entry: Entry,
) -> XhaleResult<Subject> {
    owned_by(state, actor, state.store.entry_owner(entry).await).await
}

/// The subject of a request on a record whose owner was looked up as `owner`: the owner,
/// when the token's user is the owner or their coach; 404 otherwise, and for no record.
pub(crate) async fn owned_by(
    state: &AppState,
    actor: UserId,
    owner: Result<Option<UserId>, StoreError>,
) -> XhaleResult<Subject> {
    let owner = owner?.ok_or(XhaleError::NotFound)?;
    match coaching::subject(state.store.as_ref(), actor, Some(owner)).await {
        Ok(subject) => Ok(subject),
        Err(AccessError::NotYourAthlete(_)) => Err(XhaleError::NotFound),
        Err(AccessError::Store(cause)) => Err(cause.into()),
    }
}

/// A path id: a positive integer; anything else is not found.
pub(crate) fn path_id(raw: &str) -> XhaleResult<i64> {
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(XhaleError::NotFound),
    }
}

/// The subject of a request with `scope` on the session or race `raw_id` (which `entry`
/// makes from the id), and the id.
pub(crate) async fn reach(
    state: &AppState,
    auth: &XhaleAuth,
    scope: Scope,
    raw_id: &str,
    entry: impl Fn(i64) -> Entry,
) -> XhaleResult<(Subject, i64)> {
    let grant = auth.require(&[scope])?;
    let id = path_id(raw_id)?;
    let subject = owner_of(state, grant.user_id, entry(id)).await?;
    Ok((subject, id))
}
