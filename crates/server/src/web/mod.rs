//! The web app: a signed-in athlete's own pages (home, activities, upload), rendered by the
//! server from the same domain services both APIs call. Every page needs a login session and
//! shows only its owner's records: another person's record is not found, as in the APIs.
//! Every form carries the CSRF token the OAuth pages use.

mod activities;
mod activity;
mod calendar;
mod chart;
mod format;
mod health;
mod home;
mod messages;
mod session;
mod settings;
mod trend;
mod upload;

use crate::AppState;
use crate::oauth::csrf::{self, CsrfToken};
use crate::oauth::form;
use crate::oauth::login::current_session;
use crate::pages::{self, PageError};
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use paceline_domain::entities::{AthleteSettings, User};
use paceline_domain::ids::UserId;

/// The web app's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::get_home))
        .route("/activities", get(activities::list_activities))
        .route("/activities/{id}", get(activity::get_activity))
        .route(
            "/activities/{id}/delete",
            get(activities::get_delete_activity).post(activities::post_delete_activity),
        )
        .route("/activities/{id}/original", get(activities::get_original))
        .route("/activities/{id}/fit", get(activities::get_fit))
        .route("/calendar", get(calendar::get_calendar))
        .route("/calendar/attach", post(calendar::post_attach))
        .route("/calendar/sessions", post(calendar::post_new_session))
        .route("/calendar/sessions/new", get(calendar::get_new_session))
        .route(
            "/calendar/sessions/{id}",
            get(calendar::get_edit_session).post(calendar::post_edit_session),
        )
        .route(
            "/calendar/sessions/{id}/delete",
            post(calendar::post_delete_session),
        )
        .route("/health", get(health::get_health))
        .route("/session/{id}/", get(session::get_session_page))
        .route(
            "/settings",
            get(settings::get_settings).post(settings::post_settings),
        )
        .route(
            "/messages",
            get(messages::get_messages).post(messages::post_message),
        )
        .route(
            "/upload",
            get(upload::get_upload)
                .post(upload::post_upload)
                .layer(DefaultBodyLimit::max(upload::MAX_FORM_BYTES)),
        )
}

/// The signed-in person a page is for.
pub(crate) struct Viewer {
    /// Who they are.
    pub(crate) user: User,
    /// Their settings: units and zones.
    pub(crate) settings: AthleteSettings,
    /// The token their forms carry.
    csrf: CsrfToken,
    /// Messages sent to them and not yet read.
    unread: u64,
}

impl Viewer {
    /// The signed-in user, or a detour through the login page back to `here`.
    pub(crate) async fn of(
        state: &AppState,
        headers: &HeaderMap,
        here: &str,
    ) -> Result<Self, PageError> {
        Self::signed_in(state, headers)
            .await?
            .ok_or_else(|| PageError::SignIn(here.to_owned()))
    }

    /// The signed-in user, if there is one.
    pub(crate) async fn signed_in(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<Self>, PageError> {
        let Some(session) = current_session(state, headers).await? else {
            return Ok(None);
        };
        let Some(user) = state.store.get_user(session.user_id).await? else {
            return Ok(None);
        };
        let Some(settings) = state.store.athlete_settings(user.id).await? else {
            return Ok(None);
        };
        let unread = state
            .store
            .unseen_counts(user.id)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum();
        Ok(Some(Self {
            user,
            settings,
            csrf: csrf::ensure(state, headers),
            unread,
        }))
    }

    /// The viewer's user id.
    pub(crate) fn id(&self) -> UserId {
        self.user.id
    }

    /// The layout of a page of `section` titled `title`.
    pub(crate) fn layout(&self, title: impl Into<String>, section: &'static str) -> Layout {
        Layout {
            title: title.into(),
            section,
            name: self.user.name.clone(),
            csrf: self.csrf.token.clone(),
            unread: self.unread,
            public: false,
        }
    }

    /// `template` as the viewer's page, with the CSRF cookie when the browser had none.
    pub(crate) fn render(&self, template: &impl Template) -> Response {
        self.render_with(StatusCode::OK, template)
    }

    /// [`Self::render`] with `status`: a form sent back with what is wrong says so in its
    /// status too.
    pub(crate) fn render_with(&self, status: StatusCode, template: &impl Template) -> Response {
        let mut response = pages::render(status, template);
        if let Some(cookie) = &self.csrf.set_cookie {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie.clone());
        }
        response
    }
}

/// What every page of the app shows around its content.
pub(crate) struct Layout {
    /// The page's title.
    pub(crate) title: String,
    /// The navigation entry it belongs to.
    pub(crate) section: &'static str,
    /// The viewer's name.
    pub(crate) name: String,
    /// The token the page's forms carry.
    pub(crate) csrf: String,
    /// Messages not yet read.
    pub(crate) unread: u64,
    /// Shown without a login (a session's page opened by its token): no navigation, no
    /// forms.
    pub(crate) public: bool,
}

impl Layout {
    /// The layout of a page shown without a login.
    pub(crate) fn public(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            section: "",
            name: String::new(),
            csrf: String::new(),
            unread: 0,
            public: true,
        }
    }

    /// Whether the page belongs to navigation entry `section`.
    pub(crate) fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

/// A page shown without a login.
pub(crate) fn render_public(template: &impl Template) -> Response {
    pages::render(StatusCode::OK, template)
}

/// The fields of a form post, once its CSRF token is right.
pub(crate) fn posted(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<form::Pairs, PageError> {
    let pairs = form::parse(body);
    let token = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    if csrf::verify(state, headers, token) {
        Ok(pairs)
    } else {
        Err(PageError::ExpiredForm)
    }
}

/// A form field's value, if sent.
pub(crate) fn field<'a>(pairs: &'a form::Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// After a form post: see `location` (303).
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = crate::oauth::authorize::redirect(location);
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}
