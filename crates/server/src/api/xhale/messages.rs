//! Messaging: `GET /api/contacts/`, `GET` and `POST /api/contacts/{id}/messages/`, and
//! `GET /api/contacts/{id}/messages/{message_id}/`.
//!
//! A contact that is not the user's (or does not exist), a message outside the conversation
//! and an id that is not a positive integer all answer 404 `{"detail": "Not found."}`.
//! Reading as the recipient marks messages seen (`paceline_domain::messaging`).

use crate::AppState;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use crate::api::xhale::input::{self, FieldErrors, Fields, Input, Written};
use crate::api::xhale::wire;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::ids::UserId;
use paceline_domain::messaging::{
    self, ContentError, ConversationQuery, MAX_CONTENT_CHARS, MAX_CONVERSATION_PAGE, Message,
    MessageId, MessagingError, Reading,
};
use paceline_domain::oauth::Scope;
use serde::Serialize;
use utoipa::ToSchema;

/// The fields of a message that a client may send back as it got them; a write ignores them.
const READ_ONLY_FIELDS: [&str; 6] = [
    "id",
    "sender_user_id",
    "recipient_user_id",
    "datetime_sent",
    "datetime_updated",
    "datetime_seen",
];

/// An id in a path: a positive integer written in decimal digits only.
fn key(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A message as the spec shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = Message)]
pub(crate) struct MessageItem {
    id: i64,
    content: String,
    sender_user_id: i64,
    recipient_user_id: i64,
    /// UTC, e.g. 2015-06-18T02:03:14.513292
    datetime_sent: String,
    /// UTC, e.g. 2015-06-18T02:03:14.513292
    datetime_updated: String,
    /// When the recipient first read it.
    #[schema(required = true)]
    datetime_seen: Option<String>,
}

impl From<&Message> for MessageItem {
    fn from(message: &Message) -> Self {
        Self {
            id: message.id.get(),
            content: message.content.clone(),
            sender_user_id: message.sender.get(),
            recipient_user_id: message.recipient.get(),
            datetime_sent: wire::datetime(message.sent_at),
            datetime_updated: wire::datetime(message.updated_at),
            datetime_seen: message.seen_at.map(wire::datetime),
        }
    }
}

/// One of the user's contacts: a coach's athlete, an athlete's coach.
#[derive(Serialize, ToSchema)]
pub(crate) struct Contact {
    id: i64,
    first_name: String,
    last_name: String,
    /// The contact's messages the user has not seen.
    unseen_messages_count: u64,
}

/// What the client is told about a message's text that breaks a rule, in Django REST
/// framework's words.
fn content_message(error: ContentError) -> String {
    match error {
        ContentError::Blank => "This field may not be blank.".to_owned(),
        ContentError::TooLong => {
            format!("Ensure this field has no more than {MAX_CONTENT_CHARS} characters.")
        }
        ContentError::Nul => "Null characters are not allowed.".to_owned(),
    }
}

fn refused(error: MessagingError) -> XhaleError {
    match error {
        MessagingError::NotAContact | MessagingError::NoSuchMessage => XhaleError::NotFound,
        MessagingError::Content(error) => {
            let mut errors = FieldErrors::default();
            errors.add("content", content_message(error));
            XhaleError::Fields(errors)
        }
        MessagingError::Store(cause) => cause.into(),
    }
}

/// A `GET` reads (and marks seen); a `HEAD` shows nothing, so marks nothing.
fn reading(method: &Method) -> Reading {
    if method == Method::HEAD {
        Reading::Peeks
    } else {
        Reading::Marks
    }
}

/// `GET /api/contacts/`: the user's athletes (as a coach) and coaches (as an athlete), by
/// id, each with the number of their messages the user has not seen. Scope `read`.
pub(crate) async fn list_contacts(
    State(state): State<AppState>,
    auth: XhaleAuth,
) -> XhaleResult<Json<Vec<Contact>>> {
    let grant = auth.require(&[Scope::Read])?;
    let contacts = messaging::contacts_of(state.store.as_ref(), grant.user_id).await?;
    let body = contacts
        .iter()
        .map(|contact| Contact {
            id: contact.user.id.get(),
            first_name: contact.user.first_name().to_owned(),
            last_name: contact.user.last_name().to_owned(),
            unseen_messages_count: contact.unseen_messages,
        })
        .collect();
    Ok(Json(body))
}

/// The query of a conversation: `before_id` (only older messages) and `limit` (1 to
/// [`MAX_CONVERSATION_PAGE`]); other parameters are ignored, as Django REST framework does.
fn conversation_query(query: Option<&str>) -> Result<ConversationQuery, FieldErrors> {
    let input = Input::from_query(query.unwrap_or_default());
    let mut fields = Fields::new(&input);
    let before = fields.int("before_id", 1, i64::MAX).value().map(MessageId);
    let limit = fields
        .int("limit", 1, i64::from(MAX_CONVERSATION_PAGE))
        .value()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(MAX_CONVERSATION_PAGE);
    if fields.errors.is_empty() {
        Ok(ConversationQuery { before, limit })
    } else {
        Err(fields.errors)
    }
}

/// `GET /api/contacts/{id}/messages/`: the conversation with a contact, oldest first (the
/// latest [`MAX_CONVERSATION_PAGE`], or `limit`, messages; `before_id` reads further back).
/// The messages returned that the user was sent are now seen (by a `GET`; a `HEAD` shows
/// no message and marks none). Scope `read`.
///
/// The spec writes its "send a message" example as `curl -X GET -G ... -d content=...`: a
/// `GET` that carries `content` is refused, saying to `POST`, rather than answering the list
/// as if the message had gone.
pub(crate) async fn list_messages(
    State(state): State<AppState>,
    method: Method,
    auth: XhaleAuth,
    Path(contact): Path<String>,
    RawQuery(query): RawQuery,
) -> XhaleResult<Json<Vec<MessageItem>>> {
    let grant = auth.require(&[Scope::Read])?;
    let Some(contact) = key(&contact) else {
        return Err(XhaleError::NotFound);
    };
    if Input::from_query(query.as_deref().unwrap_or_default()).has("content") {
        return Err(XhaleError::detail(
            StatusCode::BAD_REQUEST,
            "A message is sent by POST to this URL, with its text in the field content; \
             a GET only reads the conversation, and nothing was sent.",
        ));
    }
    let query = conversation_query(query.as_deref())?;
    match messaging::conversation(
        state.store.as_ref(),
        state.clock.as_ref(),
        grant.user_id,
        UserId(contact),
        query,
        reading(&method),
    )
    .await
    {
        Ok(messages) => Ok(Json(messages.iter().map(MessageItem::from).collect())),
        Err(error) => Err(refused(error)),
    }
}

/// `GET /api/contacts/{id}/messages/{message_id}/`: one message of the conversation with a
/// contact; now seen if the user was sent it (by a `GET`, not a `HEAD`). Scope `read`.
pub(crate) async fn get_message(
    State(state): State<AppState>,
    method: Method,
    auth: XhaleAuth,
    Path((contact, message)): Path<(String, String)>,
) -> XhaleResult<Json<MessageItem>> {
    let grant = auth.require(&[Scope::Read])?;
    let (Some(contact), Some(message)) = (key(&contact), key(&message)) else {
        return Err(XhaleError::NotFound);
    };
    match messaging::read_message(
        state.store.as_ref(),
        state.clock.as_ref(),
        grant.user_id,
        UserId(contact),
        MessageId(message),
        reading(&method),
    )
    .await
    {
        Ok(message) => Ok(Json(MessageItem::from(&message))),
        Err(error) => Err(refused(error)),
    }
}

/// The text of a new message: `content`, required; the message's read-only fields are
/// ignored, any other field refused.
fn new_content(input: &Input) -> Result<String, FieldErrors> {
    let mut fields = Fields::new(input);
    fields.ignore(&READ_ONLY_FIELDS);
    // The domain holds the rules of a message's text (blank, length, NUL); this reads it.
    let content = match fields.text("content", usize::MAX) {
        Written::Value(text) => Some(text),
        Written::Null => {
            fields.errors.add("content", "This field may not be null.");
            None
        }
        Written::Absent => {
            if !fields.errors.has("content") {
                fields.errors.add("content", "This field is required.");
            }
            None
        }
    };
    fields.finish()?;
    // Without a value, an error was recorded above and `finish` answered it.
    Ok(content.unwrap_or_default())
}

/// `POST /api/contacts/{id}/messages/` with `content` (a form, as the spec's example, or
/// JSON): sends a message to a contact and answers it, 201. Scope `write`.
pub(crate) async fn create_message(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(contact): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> XhaleResult<Response> {
    let grant = auth.require(&[Scope::Write])?;
    let Some(contact) = key(&contact) else {
        return Err(XhaleError::NotFound);
    };
    let input = input::read(&headers, body).await?;
    let content = new_content(&input)?;
    match messaging::send(
        state.store.as_ref(),
        state.clock.as_ref(),
        grant.user_id,
        UserId(contact),
        &content,
    )
    .await
    {
        Ok(message) => {
            let mut response =
                (StatusCode::CREATED, Json(MessageItem::from(&message))).into_response();
            let location = format!("/api/contacts/{contact}/messages/{}/", message.id.get());
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(response)
        }
        Err(error) => Err(refused(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ids_are_positive_decimal_integers() {
        assert_eq!(key("3"), Some(3));
        assert_eq!(key("3225"), Some(3225));
        for bad in [
            "",
            "0",
            "-3",
            "+3",
            "3.0",
            "abc",
            " 3",
            "99999999999999999999",
        ] {
            assert_eq!(key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn conversation_queries_take_before_id_and_limit() {
        assert_eq!(
            conversation_query(None).ok(),
            Some(ConversationQuery::default())
        );
        assert_eq!(
            conversation_query(Some("before_id=17&limit=20&format=json")).ok(),
            Some(ConversationQuery {
                before: Some(MessageId(17)),
                limit: 20
            })
        );
        assert!(conversation_query(Some("before_id=x")).is_err());
        assert!(conversation_query(Some("limit=0")).is_err());
        assert!(conversation_query(Some("limit=1001")).is_err());
    }

    #[test]
    fn content_is_required_and_unknown_fields_refused() {
        let missing = Input::from_query("");
        assert!(new_content(&missing).unwrap_err().has("content"));
        let unknown = Input::from_query("content=hi&colour=red");
        assert!(new_content(&unknown).unwrap_err().has("colour"));
        let echoed = Input::from_query("content=hi&id=4&recipient_user_id=5");
        assert_eq!(new_content(&echoed).unwrap(), "hi");
    }
}
