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
mod join;
mod messages;
mod organization;
mod roster;
mod session;
mod settings;
mod trend;
mod upload;
mod workouts;

use crate::AppState;
use crate::oauth::csrf::{self, CsrfToken};
use crate::oauth::form;
use crate::oauth::login::current_session;
use crate::pages::{self, PageError};
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use paceline_domain::accounts::{self, Roles};
use paceline_domain::coaching::{self, AccessError, Subject};
use paceline_domain::entities::{AthleteSettings, User};
use paceline_domain::ids::UserId;
use std::convert::Infallible;

/// The web app's routes: the athlete's pages at the root for the signed-in athlete and,
/// under `/athletes/{athlete}`, for whoever coaches them; the rest are the viewer's own.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(athlete_pages())
        .nest("/athletes/{athlete}", athlete_pages())
        .route("/athletes", get(roster::get_roster))
        .route(
            "/library",
            get(workouts::get_library).post(workouts::post_new_library),
        )
        .route("/library/new", get(workouts::get_new_library))
        .route(
            "/library/{id}",
            get(workouts::get_library_workout).post(workouts::post_library_workout),
        )
        .route("/library/{id}/delete", post(workouts::post_delete_library))
        .route("/library/{id}/plan", get(workouts::get_plan_library))
        .route(
            "/invite/{token}",
            get(join::get_invitation).post(join::post_invitation),
        )
        .route("/signup", get(join::get_signup).post(join::post_signup))
        .route("/forgot", get(join::get_forgot).post(join::post_forgot))
        .route(
            "/reset/{token}",
            get(join::get_reset).post(join::post_reset),
        )
        .route(
            "/organization",
            get(organization::get_organization).post(organization::post_organization),
        )
        .route(
            "/activities/{id}/delete",
            get(activities::get_delete_activity).post(activities::post_delete_activity),
        )
        .route("/calendar/attach", post(calendar::post_attach))
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

/// The pages of an athlete's training: the athlete's, and read (the calendar also planned)
/// by their coach.
fn athlete_pages() -> Router<AppState> {
    Router::new()
        .route("/", get(home::get_home))
        .route("/activities", get(activities::list_activities))
        .route("/activities/{id}", get(activity::get_activity))
        .route("/activities/{id}/original", get(activities::get_original))
        .route("/activities/{id}/fit", get(activities::get_fit))
        .route("/calendar", get(calendar::get_calendar))
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
        .route(
            "/calendar/sessions/{id}/move",
            post(calendar::post_move_session),
        )
        .route("/calendar/copy", post(calendar::post_copy_week))
        .route("/calendar/races", post(calendar::post_new_race))
        .route("/calendar/races/new", get(calendar::get_new_race))
        .route(
            "/calendar/races/{id}",
            get(calendar::get_edit_race).post(calendar::post_edit_race),
        )
        .route(
            "/calendar/races/{id}/delete",
            post(calendar::post_delete_race),
        )
        .route("/health", get(health::get_health))
        .route("/workouts", post(workouts::post_new_planned))
        .route("/workouts/new", get(workouts::get_new_planned))
        .route(
            "/workouts/{id}",
            get(workouts::get_planned).post(workouts::post_planned),
        )
        .route("/workouts/{id}/delete", post(workouts::post_delete_planned))
        .route("/workouts/{id}/{file}", get(workouts::get_planned_file))
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
    /// Whether they train, coach, own a company.
    pub(crate) roles: Roles,
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
        let roles = accounts::roles(state.store.as_ref(), user.id).await?;
        Ok(Some(Self {
            user,
            settings,
            csrf: csrf::ensure(state, headers),
            unread,
            roles,
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
            base: String::new(),
            athlete: None,
            trains: self.roles.trains,
            coaches: self.roles.coaches,
            owns: !self.roles.owns.is_empty(),
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
    /// Where the links of the athlete's pages start: empty for the viewer's own,
    /// `/athletes/{id}` for an athlete they coach.
    pub(crate) base: String,
    /// The athlete a coach is looking at.
    pub(crate) athlete: Option<Looked>,
    /// Whether the viewer keeps training of their own (the athlete's navigation).
    pub(crate) trains: bool,
    /// Whether the viewer coaches (the roster and the workout library).
    pub(crate) coaches: bool,
    /// Whether the viewer owns a coaching company (its page).
    pub(crate) owns: bool,
}

/// The athlete a coach is looking at, as the page's header names them.
pub(crate) struct Looked {
    /// Their name.
    pub(crate) name: String,
    /// Their public id.
    pub(crate) id: String,
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
            base: String::new(),
            athlete: None,
            trains: false,
            coaches: false,
            owns: false,
        }
    }

    /// Whether the page belongs to navigation entry `section` of the main navigation.
    pub(crate) fn is(&self, section: &str) -> bool {
        if self.athlete.is_some() {
            section == "athletes"
        } else {
            self.section == section
        }
    }

    /// Whether a coach's page of an athlete belongs to their tab `section`.
    pub(crate) fn tab(&self, section: &str) -> bool {
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

/// A record's id in a page's path (beside the athlete's, under `/athletes/{athlete}/`).
#[derive(serde::Deserialize)]
pub(crate) struct Id {
    /// The raw segment: each page reads it as its kind of id.
    pub(crate) id: String,
}

/// Whose pages a request asks for: the viewer's own, or under `/athletes/{athlete}/` those
/// of an athlete they coach (the raw path segment, checked by [`Seen::of`]).
pub(crate) struct At(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for At {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let athlete = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| {
                params
                    .iter()
                    .find(|(name, _)| *name == "athlete")
                    .map(|(_, value)| value.to_owned())
            });
        Ok(Self(athlete))
    }
}

/// Not someone the viewer may act for; worded as the APIs' not found.
const NOT_YOUR_ATHLETE: PageError =
    PageError::NotFound("There is no athlete of yours at this address.");

/// A page of an athlete's training, as the signed-in viewer sees it: their own, or (as
/// their coach or their company's owner) someone else's.
pub(crate) struct Seen {
    /// The signed-in person.
    pub(crate) viewer: Viewer,
    /// Whose training the page shows.
    pub(crate) athlete: User,
    /// The athlete's settings: their zones and training figures.
    pub(crate) settings: AthleteSettings,
    /// Who acts for whom: writes go through the same rules as the APIs'.
    pub(crate) subject: Subject,
}

impl Seen {
    /// The page at `here` (a path of the athlete's pages, without the `/athletes/{id}`
    /// prefix) for the signed-in viewer: a detour through the login page when nobody is
    /// signed in; not found when `at` names someone they may not act for.
    pub(crate) async fn of(
        state: &AppState,
        headers: &HeaderMap,
        at: At,
        here: &str,
    ) -> Result<Self, PageError> {
        let Some(raw) = at.0 else {
            let viewer = Viewer::of(state, headers, here).await?;
            let own = viewer.id();
            return Self::for_athlete(state, viewer, own).await;
        };
        let athlete = UserId::from_public(&raw).ok_or(NOT_YOUR_ATHLETE)?;
        let viewer = Viewer::of(
            state,
            headers,
            &format!("/athletes/{}{here}", athlete.public()),
        )
        .await?;
        if athlete == viewer.id() {
            // Their own pages have their own addresses.
            return Err(NOT_YOUR_ATHLETE);
        }
        Self::for_athlete(state, viewer, athlete).await
    }

    /// `athlete`'s pages for `viewer`: their own, or those of an athlete they act for
    /// (checked as the APIs check it); not found otherwise.
    pub(crate) async fn for_athlete(
        state: &AppState,
        viewer: Viewer,
        athlete: UserId,
    ) -> Result<Self, PageError> {
        if athlete == viewer.id() {
            return Ok(Self {
                athlete: viewer.user.clone(),
                settings: viewer.settings.clone(),
                subject: Subject::own(athlete),
                viewer,
            });
        }
        let store = state.store.as_ref();
        let subject = match coaching::subject(store, viewer.id(), Some(athlete)).await {
            Ok(subject) => subject,
            Err(AccessError::NotYourAthlete(_)) => return Err(NOT_YOUR_ATHLETE),
            Err(AccessError::Store(cause)) => return Err(cause.into()),
        };
        let user = store.get_user(athlete).await?.ok_or(NOT_YOUR_ATHLETE)?;
        let settings = store
            .athlete_settings(athlete)
            .await?
            .ok_or(NOT_YOUR_ATHLETE)?;
        Ok(Self {
            viewer,
            athlete: user,
            settings,
            subject,
        })
    }

    /// Whose records the page reads and writes.
    pub(crate) fn athlete_id(&self) -> UserId {
        self.athlete.id
    }

    /// Whether the viewer is the athlete's coach rather than the athlete.
    pub(crate) fn by_coach(&self) -> bool {
        self.subject.by_coach()
    }

    /// How the viewer wants figures shown.
    pub(crate) fn units(&self) -> format::Units {
        format::Units::of(&self.viewer.settings)
    }

    /// Where the links of the athlete's pages start: nowhere for the viewer's own,
    /// `/athletes/{id}` for an athlete they coach.
    fn base(&self) -> String {
        if self.by_coach() {
            format!("/athletes/{}", self.athlete.id.public())
        } else {
            String::new()
        }
    }

    /// The address of the athlete's page `path` (which starts with `/`).
    pub(crate) fn href(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// The layout of the page: the viewer's, with the athlete's tabs when a coach looks.
    pub(crate) fn layout(&self, title: impl Into<String>, section: &'static str) -> Layout {
        let mut layout = self.viewer.layout(title, section);
        layout.base = self.base();
        if self.by_coach() {
            layout.athlete = Some(Looked {
                name: self.athlete.name.clone(),
                id: self.athlete.id.public(),
            });
        }
        layout
    }

    /// [`Viewer::render`].
    pub(crate) fn render(&self, template: &impl Template) -> Response {
        self.viewer.render(template)
    }

    /// [`Viewer::render_with`].
    pub(crate) fn render_with(&self, status: StatusCode, template: &impl Template) -> Response {
        self.viewer.render_with(status, template)
    }
}
