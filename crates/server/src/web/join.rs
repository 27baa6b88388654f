//! Coming into Paceline without an operator: accepting an invitation (`/invite/{token}`),
//! signing up when the server allows it (`/signup`), and choosing a new password by a reset
//! link (`/forgot`, `/reset/{token}`). These pages are for people who are not signed in
//! (an invitation also offers a signed-in person to join with their account); each answers a
//! link that no longer works with a page saying so.

use super::{Viewer, field, posted};
use crate::AppState;
use crate::oauth::csrf;
use crate::oauth::login::signed_in_at;
use crate::oauth::request_rng;
use crate::pages::{self, PageError};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use paceline_domain::accounts::{self, AccountError, UserRequest};
use paceline_domain::email::Email;
use paceline_domain::entities::Role;
use paceline_domain::ids::UserId;
use paceline_domain::invitations::{self, Acceptance, Invitation, InvitationError};
use paceline_domain::oauth::sessions;
use paceline_domain::password::Password;
use paceline_domain::resets::{self, ResetError};

/// The page a dead link shows: gone, with what to do.
fn closed(what: &str, next: &str) -> Response {
    pages::error_page(
        StatusCode::GONE,
        "This link does not work any more",
        &format!("{what} {next}"),
        None,
    )
}

fn closed_invitation() -> Response {
    closed(
        "This invitation was used already, withdrawn, or it expired.",
        "Ask the person who invited you for a new one.",
    )
}

fn closed_reset() -> Response {
    closed(
        "This reset link was used already or it expired (a link works for an hour).",
        "Ask for a new one from the sign-in page.",
    )
}

/// A new account's form: an invitation's or the sign-up page's.
#[derive(Template)]
#[template(path = "new_account.html")]
struct NewAccountPage<'a> {
    heading: &'a str,
    intro: String,
    action: &'a str,
    csrf: &'a str,
    name: &'a str,
    email: &'a str,
    error: Option<String>,
    /// A signed-in person may join with their account instead: their name.
    signed_in_as: Option<String>,
}

fn render_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    fill: impl FnOnce(&str) -> Response,
) -> Response {
    let token = csrf::ensure(state, headers);
    let mut response = fill(&token.token);
    *response.status_mut() = status;
    if let Some(cookie) = token.set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::Owner => "an owner",
        Role::Coach => "a coach",
        Role::Athlete => "an athlete",
    }
}

/// What a new account's form says wrong, in a person's words.
fn account_problem(error: &AccountError) -> Option<String> {
    Some(match error {
        AccountError::InvalidEmail(_) => "That e-mail address does not read as one.".to_owned(),
        AccountError::WeakPassword(_) => {
            "Choose a password of at least 8 characters.".to_owned()
        }
        AccountError::InvalidName(_) => {
            "Your name may not be empty, longer than 200 characters or hold control characters."
                .to_owned()
        }
        AccountError::DuplicateEmail(_) => {
            "An account with this e-mail address exists: sign in with it, then open the link again to join with it."
                .to_owned()
        }
        _ => return None,
    })
}

async fn invitation_page(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    invitation: &Invitation,
    status: StatusCode,
    error: Option<String>,
    typed: (&str, &str),
) -> Result<Response, PageError> {
    let org = state
        .store
        .get_organization(invitation.organization_id)
        .await?
        .ok_or_else(|| PageError::internal("an invitation's organization is gone"))?;
    let inviter = match invitation.invited_by {
        Some(id) => state.store.get_user(id).await?.map(|u| u.name),
        None => None,
    };
    let intro = format!(
        "{} invites you to join {} as {}. Choose your name and password to start.",
        inviter.as_deref().unwrap_or("An owner"),
        org.name,
        role_words(invitation.role)
    );
    let signed_in_as = Viewer::signed_in(state, headers)
        .await?
        .map(|viewer| viewer.user.name);
    let email = if typed.1.is_empty() {
        invitation
            .email
            .as_ref()
            .map(Email::as_str)
            .unwrap_or_default()
            .to_owned()
    } else {
        typed.1.to_owned()
    };
    let action = format!("/invite/{token}");
    Ok(render_form(state, headers, status, |csrf| {
        pages::render(
            status,
            &NewAccountPage {
                heading: "Join Paceline",
                intro,
                action: &action,
                csrf,
                name: typed.0,
                email: &email,
                error,
                signed_in_as,
            },
        )
    }))
}

/// `GET /invite/{token}`.
pub(crate) async fn get_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match invitations::open_invitation(state.store.as_ref(), state.clock.as_ref(), &token).await {
        Ok(invitation) => {
            invitation_page(
                &state,
                &headers,
                &token,
                &invitation,
                StatusCode::OK,
                None,
                ("", ""),
            )
            .await
        }
        Err(InvitationError::Store(cause)) => Err(cause.into()),
        Err(_) => Ok(closed_invitation()),
    }
}

/// `POST /invite/{token}`: a new account (name, e-mail, password), or `join=1` with the
/// signed-in account; either signs in and goes home.
pub(crate) async fn post_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let store = state.store.as_ref();
    let clock = state.clock.as_ref();
    let invitation = match invitations::open_invitation(store, clock, &token).await {
        Ok(invitation) => invitation,
        Err(InvitationError::Store(cause)) => return Err(cause.into()),
        Err(_) => return Ok(closed_invitation()),
    };
    if field(&pairs, "join") == Some("1") {
        let viewer = Viewer::of(&state, &headers, &format!("/invite/{token}")).await?;
        return match invitations::join(store, clock, &token, &viewer.user).await {
            Ok(_) => Ok(super::see_other("/")),
            Err(InvitationError::AlreadyMember) => {
                let error = Some("You are a member of this organization already.".to_owned());
                invitation_page(
                    &state,
                    &headers,
                    &token,
                    &invitation,
                    StatusCode::CONFLICT,
                    error,
                    ("", ""),
                )
                .await
            }
            Err(InvitationError::Store(cause)) => Err(cause.into()),
            Err(_) => Ok(closed_invitation()),
        };
    }
    let name = field(&pairs, "name").unwrap_or_default();
    let email = field(&pairs, "email").unwrap_or_default();
    let acceptance = Acceptance {
        name: name.to_owned(),
        email: email.to_owned(),
        password: Password::new(field(&pairs, "password").unwrap_or_default()),
    };
    match invitations::accept(store, clock, &token, acceptance).await {
        Ok(created) => signed_in(&state, created.user.id, "/").await,
        Err(InvitationError::Account(error)) => match account_problem(&error) {
            Some(problem) => {
                invitation_page(
                    &state,
                    &headers,
                    &token,
                    &invitation,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(problem),
                    (name, email),
                )
                .await
            }
            None => Err(PageError::internal(error.to_string())),
        },
        Err(InvitationError::Store(cause)) => Err(cause.into()),
        Err(_) => Ok(closed_invitation()),
    }
}

/// Signs `user` in and sends them to `location`.
async fn signed_in(state: &AppState, user: UserId, location: &str) -> Result<Response, PageError> {
    let (cookie, _) = sessions::start(
        state.store.as_ref(),
        state.clock.as_ref(),
        &mut request_rng(),
        &state.oauth,
        user,
    )
    .await?;
    Ok(signed_in_at(state, location, &cookie))
}

/// Sign-up is off unless the operator turned it on.
const NO_SIGNUP: PageError = PageError::NotFound(
    "This server does not take sign-ups: ask its operator or a coaching company on it for an invitation.",
);

fn signup_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    typed: (&str, &str),
) -> Response {
    render_form(state, headers, status, |csrf| {
        pages::render(
            status,
            &NewAccountPage {
                heading: "Create your account",
                intro: "Keep your training in Paceline: your name, your e-mail address and a password are all it takes.".to_owned(),
                action: "/signup",
                csrf,
                name: typed.0,
                email: typed.1,
                error,
                signed_in_as: None,
            },
        )
    })
}

/// `GET /signup`.
pub(crate) async fn get_signup(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if !state.open_signup {
        return Err(NO_SIGNUP);
    }
    Ok(signup_page(
        &state,
        &headers,
        StatusCode::OK,
        None,
        ("", ""),
    ))
}

/// `POST /signup`: a self-coached athlete's account, signed in.
pub(crate) async fn post_signup(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    if !state.open_signup {
        return Err(NO_SIGNUP);
    }
    let pairs = posted(&state, &headers, &body)?;
    let name = field(&pairs, "name").unwrap_or_default();
    let email = field(&pairs, "email").unwrap_or_default();
    let request = UserRequest {
        email: email.to_owned(),
        password: Password::new(field(&pairs, "password").unwrap_or_default()),
        name: name.to_owned(),
        organization: None,
        role: None,
    };
    match accounts::create_user(state.store.as_ref(), state.clock.as_ref(), request).await {
        Ok(created) => signed_in(&state, created.user.id, "/").await,
        Err(AccountError::Store(cause)) => Err(cause.into()),
        Err(error) => match account_problem(&error) {
            Some(problem) => Ok(signup_page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(problem),
                (name, email),
            )),
            None => Err(PageError::internal(error.to_string())),
        },
    }
}

/// The forgot-password and reset pages.
#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage<'a> {
    /// `forgot`, `sent` or `reset`.
    step: &'a str,
    action: &'a str,
    csrf: &'a str,
    error: Option<&'a str>,
    /// Whether the server sends mail.
    mails: bool,
}

fn reset_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    step: &str,
    action: &str,
    error: Option<&str>,
) -> Response {
    render_form(state, headers, status, |csrf| {
        pages::render(
            status,
            &ResetPage {
                step,
                action,
                csrf,
                error,
                mails: state.mailer.is_some(),
            },
        )
    })
}

/// `GET /forgot`.
pub(crate) async fn get_forgot(State(state): State<AppState>, headers: HeaderMap) -> Response {
    reset_page(&state, &headers, StatusCode::OK, "forgot", "/forgot", None)
}

/// `POST /forgot`: e-mails a reset link when there is such an account and the server sends
/// mail; the answer is the same whether or not there is one.
pub(crate) async fn post_forgot(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    if let (Some(mailer), Ok(email)) = (
        &state.mailer,
        Email::parse(field(&pairs, "email").unwrap_or_default()),
    ) {
        let key = crate::throttle::hashed_key("reset", &[email.as_str()]);
        let allowed = crate::throttle::check(&state, &[(key, state.limits.login_per_account)])
            .await
            .is_ok();
        if allowed && let Some(user) = state.store.find_user_by_email(&email).await? {
            let token = resets::reset_link(
                state.store.as_ref(),
                state.clock.as_ref(),
                &mut request_rng(),
                user.id,
            )
            .await?;
            let link = format!("{}/reset/{}", state.oauth.issuer, token.expose());
            if let Err(cause) = mailer.send(crate::mail::reset(&user.email, &link)).await {
                tracing::warn!(%cause, "a reset link could not be e-mailed");
            }
        }
    }
    Ok(reset_page(
        &state,
        &headers,
        StatusCode::OK,
        "sent",
        "/forgot",
        None,
    ))
}

/// `GET /reset/{token}`.
pub(crate) async fn get_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match resets::open(state.store.as_ref(), state.clock.as_ref(), &token).await {
        Ok(_) => Ok(reset_page(
            &state,
            &headers,
            StatusCode::OK,
            "reset",
            &format!("/reset/{token}"),
            None,
        )),
        Err(ResetError::Store(cause)) => Err(cause.into()),
        Err(_) => Ok(closed_reset()),
    }
}

/// `POST /reset/{token}`: the new password; signs in.
pub(crate) async fn post_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let password = field(&pairs, "password").unwrap_or_default();
    match resets::reset(state.store.as_ref(), state.clock.as_ref(), &token, password).await {
        Ok(user) => signed_in(&state, user, "/").await,
        Err(ResetError::Account(AccountError::WeakPassword(_))) => Ok(reset_page(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset",
            &format!("/reset/{token}"),
            Some("Choose a password of at least 8 characters."),
        )),
        Err(ResetError::Store(cause)) => Err(cause.into()),
        Err(ResetError::Account(other)) => Err(PageError::internal(other.to_string())),
        Err(ResetError::Closed) => Ok(closed_reset()),
    }
}
