//! Messages between coaches and their athletes (the Xhale surface's "Messaging").
//!
//! A user's contacts are the athletes they coach and the coaches who coach them
//! ([`AccountStore::contacts`](crate::store::AccountStore::contacts)). Only contacts write to
//! each other, and only the two people of a conversation read it: anyone else, an unknown
//! user and oneself are "not a contact", which the surfaces answer like an unknown record.
//!
//! Reading is what marks a message seen: when its recipient lists the conversation or
//! fetches the message, each unseen message they were sent in what they got back takes the
//! time of reading as `seen_at`, once. Seeing a message changes nothing else: `updated_at`
//! records changes to the message itself (there are none yet, so it equals `sent_at`).
//!
//! A conversation is read oldest first, in the order the messages were stored (by id), at
//! most [`MAX_CONVERSATION_PAGE`] messages at a time: the latest ones, or the latest before
//! a given message, so that a long history is read backwards in pages of bounded cost.

use crate::clock::Clock;
use crate::entities::User;
use crate::ids::UserId;
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use time::OffsetDateTime;

/// The most characters a message may hold, after trimming.
pub const MAX_CONTENT_CHARS: usize = 10_000;

/// The most messages one read of a conversation returns.
pub const MAX_CONVERSATION_PAGE: u32 = 1_000;

/// The key of a message (shown by integer only: messages exist on the Xhale surface alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub i64);

impl MessageId {
    /// The integer key, as the Xhale surface shows it.
    pub const fn get(self) -> i64 {
        self.0
    }
}

/// Why a message's text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// Nothing but white space.
    #[error("a message may not be blank")]
    Blank,
    /// More than [`MAX_CONTENT_CHARS`] characters once trimmed.
    #[error("a message holds at most {MAX_CONTENT_CHARS} characters")]
    TooLong,
    /// A NUL character, which PostgreSQL cannot keep in text.
    #[error("a message may not contain NUL characters")]
    Nul,
}

/// A message's text: trimmed of surrounding white space, not blank, at most
/// [`MAX_CONTENT_CHARS`] characters, no NUL. Line breaks and everything else are kept as
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent(String);

impl MessageContent {
    /// Checks a message's text as written.
    pub fn parse(text: &str) -> Result<Self, ContentError> {
        if text.contains('\0') {
            return Err(ContentError::Nul);
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(ContentError::Blank);
        }
        if text.chars().count() > MAX_CONTENT_CHARS {
            return Err(ContentError::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its key.
    pub id: MessageId,
    /// Who wrote it.
    pub sender: UserId,
    /// Who it was written to.
    pub recipient: UserId,
    /// The text.
    pub content: String,
    /// When it was sent.
    pub sent_at: OffsetDateTime,
    /// When the message itself last changed; its being seen does not count.
    pub updated_at: OffsetDateTime,
    /// When its recipient first read it; `None` while unseen.
    pub seen_at: Option<OffsetDateTime>,
}

/// A message to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Who writes it.
    pub sender: UserId,
    /// To whom.
    pub recipient: UserId,
    /// The text.
    pub content: MessageContent,
    /// The time of sending.
    pub now: OffsetDateTime,
}

/// Which part of a conversation to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationQuery {
    /// Only messages older than this one (by id); the latest ones when `None`.
    pub before: Option<MessageId>,
    /// The most messages to return, 1 to [`MAX_CONVERSATION_PAGE`].
    pub limit: u32,
}

impl Default for ConversationQuery {
    /// The latest [`MAX_CONVERSATION_PAGE`] messages.
    fn default() -> Self {
        Self {
            before: None,
            limit: MAX_CONVERSATION_PAGE,
        }
    }
}

/// A contact with the number of their messages the user has not seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// The contact.
    pub user: User,
    /// Messages from them to the user not yet seen.
    pub unseen_messages: u64,
}

/// Why a messaging operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    /// The other user is not a contact of the user, does not exist, or is the user.
    #[error("not a contact")]
    NotAContact,
    /// No such message in this conversation.
    #[error("no such message")]
    NoSuchMessage,
    /// The text breaks a rule.
    #[error(transparent)]
    Content(#[from] ContentError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Persistence of messages. Conversations are addressed by their two users, in either
/// order; these methods do not check who may read what (the functions of this module do).
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message, unseen. `NotFound("user")` when either user does not exist.
    async fn insert_message(&self, new: &NewMessage) -> Result<Message, StoreError>;

    /// Messages between `a` and `b` (either way), oldest first: the latest `query.limit`
    /// of those older than `query.before`, if given.
    async fn conversation(
        &self,
        a: UserId,
        b: UserId,
        query: ConversationQuery,
    ) -> Result<Vec<Message>, StoreError>;

    /// One message between `a` and `b` (either way).
    async fn message_between(
        &self,
        a: UserId,
        b: UserId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError>;

    /// Sets `seen_at` to `now`, in one statement, on the messages of `ids` sent to
    /// `recipient` that have none (ids of other messages are passed over), and answers the
    /// `seen_at` of every message of `ids` sent to `recipient`: `now`, or the earlier time a
    /// concurrent reader set.
    async fn mark_seen(
        &self,
        recipient: UserId,
        ids: &[MessageId],
        now: OffsetDateTime,
    ) -> Result<Vec<(MessageId, OffsetDateTime)>, StoreError>;

    /// How many unseen messages each sender has sent to `recipient`; senders without any
    /// are left out.
    async fn unseen_counts(&self, recipient: UserId) -> Result<Vec<(UserId, u64)>, StoreError>;
}

/// Whether `a` and `b` are contacts: one coaches the other.
pub async fn are_contacts(store: &dyn Store, a: UserId, b: UserId) -> Result<bool, StoreError> {
    if a == b {
        return Ok(false);
    }
    Ok(store.coaches(a, b).await? || store.coaches(b, a).await?)
}

async fn require_contact(
    store: &dyn Store,
    me: UserId,
    other: UserId,
) -> Result<(), MessagingError> {
    if are_contacts(store, me, other).await? {
        Ok(())
    } else {
        Err(MessagingError::NotAContact)
    }
}

/// The user's contacts, by id, each with the number of their messages the user has not
/// seen. Unseen messages from people who are no longer contacts are not counted.
pub async fn contacts_of(store: &dyn Store, user: UserId) -> Result<Vec<Contact>, StoreError> {
    let contacts = store.contacts(user).await?;
    let unseen: HashMap<UserId, u64> = store.unseen_counts(user).await?.into_iter().collect();
    Ok(contacts
        .into_iter()
        .map(|contact| Contact {
            unseen_messages: unseen.get(&contact.id).copied().unwrap_or(0),
            user: contact,
        })
        .collect())
}

/// Sends `content` from `from` to their contact `to`.
pub async fn send(
    store: &dyn Store,
    clock: &dyn Clock,
    from: UserId,
    to: UserId,
    content: &str,
) -> Result<Message, MessagingError> {
    let content = MessageContent::parse(content)?;
    require_contact(store, from, to).await?;
    let new = NewMessage {
        sender: from,
        recipient: to,
        content,
        now: clock.now(),
    };
    Ok(store.insert_message(&new).await?)
}

/// Marks as seen, at `now`, the messages of `messages` sent to `me` and still unseen, and
/// writes the result into them.
async fn see(
    store: &dyn Store,
    now: OffsetDateTime,
    me: UserId,
    messages: &mut [Message],
) -> Result<(), StoreError> {
    let unseen: Vec<MessageId> = messages
        .iter()
        .filter(|m| m.recipient == me && m.seen_at.is_none())
        .map(|m| m.id)
        .collect();
    if unseen.is_empty() {
        return Ok(());
    }
    let seen: HashMap<MessageId, OffsetDateTime> = store
        .mark_seen(me, &unseen, now)
        .await?
        .into_iter()
        .collect();
    for message in messages.iter_mut() {
        if let Some(at) = seen.get(&message.id) {
            message.seen_at = Some(*at);
        }
    }
    Ok(())
}

/// Whether a read marks the messages the reader was sent as seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The reader reads them (an HTTP `GET`): they are seen now.
    Marks,
    /// The reader only asks about them (an HTTP `HEAD`, which shows no message): nothing
    /// changes.
    Peeks,
}

/// The conversation of `me` with their contact `contact`, oldest first (see
/// [`ConversationQuery`]). Reading it ([`Reading::Marks`]) marks the messages returned that
/// `me` was sent as seen.
pub async fn conversation(
    store: &dyn Store,
    clock: &dyn Clock,
    me: UserId,
    contact: UserId,
    query: ConversationQuery,
    reading: Reading,
) -> Result<Vec<Message>, MessagingError> {
    require_contact(store, me, contact).await?;
    let query = ConversationQuery {
        limit: query.limit.clamp(1, MAX_CONVERSATION_PAGE),
        ..query
    };
    let mut messages = store.conversation(me, contact, query).await?;
    if reading == Reading::Marks {
        see(store, clock.now(), me, &mut messages).await?;
    }
    Ok(messages)
}

/// One message of the conversation of `me` with their contact `contact`. Reading it
/// ([`Reading::Marks`]) as its recipient marks it seen.
pub async fn read_message(
    store: &dyn Store,
    clock: &dyn Clock,
    me: UserId,
    contact: UserId,
    id: MessageId,
    reading: Reading,
) -> Result<Message, MessagingError> {
    require_contact(store, me, contact).await?;
    let message = store
        .message_between(me, contact, id)
        .await?
        .ok_or(MessagingError::NoSuchMessage)?;
    let mut messages = [message];
    if reading == Reading::Marks {
        see(store, clock.now(), me, &mut messages).await?;
    }
    let [message] = messages;
    Ok(message)
}

#[cfg(test)]
mod tests;
