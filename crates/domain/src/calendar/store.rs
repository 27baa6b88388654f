//! [`CalendarStore`]: how sessions and races are kept.
//!
//! A write is one transaction with everything it implies: the record's values, the files
//! attached to it in the same request, and the completed figures of every session those
//! files touch, the ones they leave included. A refused or failed write leaves nothing.

use super::{CalendarQuery, Entry, NewSession, Race, RaceId, RaceValues, SessionId};
use super::{SessionValues, TrainingSession};
use crate::files::FileId;
use crate::ids::UserId;
use crate::store::StoreError;
use async_trait::async_trait;
use time::OffsetDateTime;

/// What a calendar write did.
#[derive(Debug, Clone, PartialEq)]
pub enum Written<R> {
    /// Saved, with its files attached and the figures they give recomputed.
    Saved(R),
    /// A replacement only: the record changed since it was read, was deleted, or never
    /// existed. Nothing was written.
    Stale,
    /// These files are not the athlete's. Nothing was written.
    UnknownFiles(Vec<FileId>),
}

impl<R> Written<R> {
    /// The record, when it was saved.
    pub fn saved(self) -> Option<R> {
        match self {
            Self::Saved(record) => Some(record),
            Self::Stale | Self::UnknownFiles(_) => None,
        }
    }
}

/// A compare-and-swap replacement of a live session's or race's values.
#[derive(Debug)]
pub struct Replacement<'a, I, V> {
    /// The athlete.
    pub user: UserId,
    /// The record.
    pub id: I,
    /// Its `updated_at` as last read: the write happens only if it is still that.
    pub seen: OffsetDateTime,
    /// The new values.
    pub values: &'a V,
    /// Files of the athlete's to attach to it (moved from wherever they are attached).
    pub files: &'a [FileId],
    /// The instant the change records (see [`super::next_update`]).
    pub now: OffsetDateTime,
}

// Copied whatever the values are: it holds them by reference.
impl<I: Copy, V> Clone for Replacement<'_, I, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: Copy, V> Copy for Replacement<'_, I, V> {}

/// Storage for sessions and races.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Creates a session and attaches `files` to it, in one transaction. Without a given
    /// order it goes after the day's last session. With files, its completed figures are the
    /// files', and the sessions the files leave have theirs recomputed.
    async fn create_session(
        &self,
        new: NewSession,
        files: &[FileId],
    ) -> Result<Written<TrainingSession>, StoreError>;

    /// One of the athlete's sessions, deleted or not.
    async fn get_session(
        &self,
        user: UserId,
        id: SessionId,
    ) -> Result<Option<TrainingSession>, StoreError>;

    /// The athlete's sessions of `query`, by day, order and key.
    async fn list_sessions(
        &self,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<TrainingSession>, StoreError>;

    /// Replaces a live session's values if it was last changed at `seen`, attaching the
    /// files as [`CalendarStore::create_session`] does, in one transaction.
    async fn replace_session(
        &self,
        change: Replacement<'_, SessionId, SessionValues>,
    ) -> Result<Written<TrainingSession>, StoreError>;

    /// Gives a live session a new direct-access token; `false` when there is no such live
    /// session.
    async fn set_session_token(
        &self,
        user: UserId,
        id: SessionId,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// A live session by key and direct-access token (the token compared in full).
    async fn session_by_token(
        &self,
        id: SessionId,
        token: &str,
    ) -> Result<Option<TrainingSession>, StoreError>;

    /// Creates a race and attaches `files` to it, in one transaction; the sessions the
    /// files leave have their figures recomputed.
    async fn create_race(
        &self,
        user: UserId,
        values: &RaceValues,
        files: &[FileId],
        now: OffsetDateTime,
    ) -> Result<Written<Race>, StoreError>;

    /// One of the athlete's races, deleted or not.
    async fn get_race(&self, user: UserId, id: RaceId) -> Result<Option<Race>, StoreError>;

    /// The athlete's races of `query`, by day and key.
    async fn list_races(&self, user: UserId, query: CalendarQuery)
    -> Result<Vec<Race>, StoreError>;

    /// Replaces a live race's values if it was last changed at `seen`, as
    /// [`CalendarStore::replace_session`].
    async fn replace_race(
        &self,
        change: Replacement<'_, RaceId, RaceValues>,
    ) -> Result<Written<Race>, StoreError>;

    /// Whose session or race this is, deleted or not.
    async fn entry_owner(&self, entry: Entry) -> Result<Option<UserId>, StoreError>;

    /// Deletes a live session or race softly; `false` when there is no such live record.
    async fn delete_entry(
        &self,
        user: UserId,
        entry: Entry,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}
