//! `/messages`: the conversations with the people a user works with (an athlete's coaches),
//! the messages not yet read marked, and a form to write; the same store and rules as the
//! Xhale messages API.

use super::{Layout, Viewer, field, posted, see_other};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::ids::UserId;
use paceline_domain::messaging::{self, ConversationQuery, MessagingError, Reading, contacts_of};

/// Not a contact of the viewer: as if there were nobody there.
const NOBODY: PageError = PageError::NotFound("You have no conversation at this address.");

/// One person to talk to.
struct Person {
    href: String,
    name: String,
    unread: u64,
    current: bool,
}

/// One message as shown.
struct Shown {
    mine: bool,
    text: String,
    when: String,
    new: bool,
}

#[derive(Template)]
#[template(path = "app/messages.html")]
struct MessagesPage {
    layout: Layout,
    people: Vec<Person>,
    with: Option<(String, String)>,
    messages: Vec<Shown>,
    problem: Option<String>,
    draft: String,
}

impl From<MessagingError> for PageError {
    fn from(error: MessagingError) -> Self {
        match error {
            MessagingError::Store(cause) => cause.into(),
            MessagingError::NotAContact | MessagingError::NoSuchMessage => NOBODY,
            MessagingError::Content(_) => NOBODY,
        }
    }
}

/// The `with` of a query string.
fn with_of(raw: Option<&str>) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "with")
        .map(|(_, v)| v.into_owned())
}

/// `GET /messages?with=usr_…`: the people, and the conversation with one of them (the
/// first when none is asked for).
pub(crate) async fn get_messages(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let asked = with_of(raw.as_deref());
    let here = match &asked {
        Some(with) => format!("/messages?with={with}"),
        None => "/messages".to_owned(),
    };
    let viewer = Viewer::of(&state, &headers, &here).await?;
    let page = page(&state, &viewer, asked.as_deref(), None, String::new()).await?;
    Ok(viewer.render(&page))
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    asked: Option<&str>,
    problem: Option<String>,
    draft: String,
) -> Result<MessagesPage, PageError> {
    let store = state.store.as_ref();
    let contacts = contacts_of(store, viewer.id()).await?;
    let with = match asked {
        Some(text) => Some(UserId::from_public(text).ok_or(NOBODY)?),
        None => contacts.first().map(|c| c.user.id),
    };
    let mut messages = Vec::new();
    let mut partner = None;
    if let Some(with) = with {
        let contact = contacts.iter().find(|c| c.user.id == with).ok_or(NOBODY)?;
        let opened = state.clock.now();
        let read = messaging::conversation(
            store,
            state.clock.as_ref(),
            viewer.id(),
            with,
            ConversationQuery::default(),
            Reading::Marks,
        )
        .await?;
        messages = read
            .into_iter()
            .map(|m| Shown {
                mine: m.sender == viewer.id(),
                new: m.recipient == viewer.id() && m.seen_at.is_some_and(|at| at >= opened),
                when: super::format::moment(m.sent_at),
                text: m.content,
            })
            .collect();
        partner = Some((with.public(), contact.user.name.clone()));
    }
    let current = with;
    let mut layout = viewer.layout("Messages", "messages");
    // The messages just read are read: the count beside the navigation says so.
    let just_read = messages.iter().filter(|m| m.new).count() as u64;
    layout.unread = layout.unread.saturating_sub(just_read);
    Ok(MessagesPage {
        layout,
        people: contacts
            .iter()
            .map(|c| Person {
                href: format!("/messages?with={}", c.user.id.public()),
                name: c.user.name.clone(),
                // Opening the conversation just read them.
                unread: if Some(c.user.id) == current {
                    0
                } else {
                    c.unseen_messages
                },
                current: Some(c.user.id) == current,
            })
            .collect(),
        with: partner,
        messages,
        problem,
        draft,
    })
}

/// `POST /messages`: sends `content` to `to`, then back to the conversation.
pub(crate) async fn post_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let to_text = field(&pairs, "to").unwrap_or_default().to_owned();
    let viewer = Viewer::of(&state, &headers, "/messages").await?;
    let to = UserId::from_public(&to_text).ok_or(NOBODY)?;
    let content = field(&pairs, "content").unwrap_or_default();
    match messaging::send(
        state.store.as_ref(),
        state.clock.as_ref(),
        viewer.id(),
        to,
        content,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/messages?with={to_text}#latest"))),
        Err(MessagingError::Content(why)) => {
            let problem = format!("Not sent: {why}.");
            let page = page(
                &state,
                &viewer,
                Some(&to_text),
                Some(problem),
                content.to_owned(),
            )
            .await?;
            Ok(viewer.render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}
