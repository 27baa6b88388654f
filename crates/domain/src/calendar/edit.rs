//! The one edit path of the calendar: sessions and races are both [`Record`]s, and [`edit`]
//! changes either by compare-and-swap on `updated_at`.

use super::next_update;
use super::store::{Replacement, Written};
use super::{Entry, Race, RaceId, RaceValues, SessionId, SessionValues, TrainingSession};
use crate::clock::Clock;
use crate::coaching::Subject;
use crate::files::FileId;
use crate::ids::UserId;
use crate::store::{Store, StoreError};
use std::future::Future;
use time::OffsetDateTime;

/// A kind of calendar record, as the edit path and the surfaces see it.
pub trait Record: Sized + Send + Sync + 'static {
    /// Its key.
    type Id: Copy + Send + Sync + 'static;
    /// What its writers set.
    type Values: Clone + Send + Sync + 'static;
    /// The record's name in messages: `session`, `race`.
    const NAME: &'static str;

    /// The entry a key names, for files and deletion.
    fn entry(id: Self::Id) -> Entry;
    /// Its key.
    fn id(&self) -> Self::Id;
    /// Its values.
    fn values(&self) -> &Self::Values;
    /// Its last change.
    fn updated_at(&self) -> OffsetDateTime;
    /// Whether it was deleted.
    fn deleted(&self) -> bool;

    /// One of the athlete's records, deleted or not.
    fn get(
        store: &dyn Store,
        user: UserId,
        id: Self::Id,
    ) -> impl Future<Output = Result<Option<Self>, StoreError>> + Send;

    /// Replaces a live record's values by compare-and-swap, attaching files, in one
    /// transaction.
    fn replace(
        store: &dyn Store,
        change: Replacement<'_, Self::Id, Self::Values>,
    ) -> impl Future<Output = Result<Written<Self>, StoreError>> + Send;
}

impl Record for TrainingSession {
    type Id = SessionId;
    type Values = SessionValues;
    const NAME: &'static str = "session";

    fn entry(id: SessionId) -> Entry {
        Entry::Session(id)
    }

    fn id(&self) -> SessionId {
        self.id
    }

    fn values(&self) -> &SessionValues {
        &self.values
    }

    fn updated_at(&self) -> OffsetDateTime {
        self.updated_at
    }

    fn deleted(&self) -> bool {
        self.deleted
    }

    async fn get(
        store: &dyn Store,
        user: UserId,
        id: SessionId,
    ) -> Result<Option<Self>, StoreError> {
        store.get_session(user, id).await
    }

    async fn replace(
        store: &dyn Store,
        change: Replacement<'_, SessionId, SessionValues>,
    ) -> Result<Written<Self>, StoreError> {
        store.replace_session(change).await
    }
}

impl Record for Race {
    type Id = RaceId;
    type Values = RaceValues;
    const NAME: &'static str = "race";

    fn entry(id: RaceId) -> Entry {
        Entry::Race(id)
    }

    fn id(&self) -> RaceId {
        self.id
    }

    fn values(&self) -> &RaceValues {
        &self.values
    }

    fn updated_at(&self) -> OffsetDateTime {
        self.updated_at
    }

    fn deleted(&self) -> bool {
        self.deleted
    }

    async fn get(store: &dyn Store, user: UserId, id: RaceId) -> Result<Option<Self>, StoreError> {
        store.get_race(user, id).await
    }

    async fn replace(
        store: &dyn Store,
        change: Replacement<'_, RaceId, RaceValues>,
    ) -> Result<Written<Self>, StoreError> {
        store.replace_race(change).await
    }
}

/// Why an edit failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError<E> {
    /// No such live record of this athlete.
    #[error("not found")]
    NotFound,
    /// The edit was refused.
    #[error("refused")]
    Refused(E),
    /// Files to attach that are not the athlete's; nothing was written.
    #[error("unknown files")]
    UnknownFiles(Vec<FileId>),
    /// Others kept changing the record: every attempt met a newer version.
    #[error("the record keeps changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Attempts before an edit gives up on a record others keep changing.
const EDIT_ATTEMPTS: usize = 8;

/// Edits a live session or race: reads it, asks `edit` for its new values (or a refusal),
/// and writes them with `files` attached if nobody changed it meanwhile, reading again
/// otherwise.
pub async fn edit<R: Record, E>(
    store: &dyn Store,
    clock: &dyn Clock,
    subject: &Subject,
    id: R::Id,
    files: &[FileId],
    edit: impl Fn(&R) -> Result<R::Values, E>,
) -> Result<R, EditError<E>> {
    for _ in 0..EDIT_ATTEMPTS {
        let current = match R::get(store, subject.athlete, id).await? {
            Some(record) if !record.deleted() => record,
            _ => return Err(EditError::NotFound),
        };
        let values = edit(&current).map_err(EditError::Refused)?;
        let change = Replacement {
            user: subject.athlete,
            id,
            seen: current.updated_at(),
            values: &values,
            files,
            now: next_update(current.updated_at(), clock.now()),
        };
        match R::replace(store, change).await? {
            Written::Saved(saved) => return Ok(saved),
            Written::UnknownFiles(unknown) => return Err(EditError::UnknownFiles(unknown)),
            Written::Stale => {}
        }
    }
    Err(EditError::Contended)
}
