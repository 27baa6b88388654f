//! [`FileStore`]: the rows of uploaded files, each recorded with the activity made from it.

use crate::SqlStore;
use crate::activities::{ActivityRow, activity, insert_activity, select_activities};
use crate::calendar::{Forward, move_forward, refigure};
use crate::db::{Cols, DbError, Named, first};
use crate::detail::insert_detail;
use crate::error::constraint;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::activities::{Activity, Detail, NewActivity};
use paceline_domain::calendar::{Entry, RaceId, SessionId};
use paceline_domain::files::{FileFormat, FileId, FileStore, KeptFile, NewFile};
use paceline_domain::ids::{ActivityId, UserId};
use time::OffsetDateTime;

struct FileRow {
    id: i64,
    user_id: i64,
    activity_id: Option<i64>,
    format: Named<FileFormat>,
    original_name: Option<String>,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    training_session_id: Option<i64>,
    race_id: Option<i64>,
    created_at: OffsetDateTime,
}

impl FileRow {
    /// Reads the columns of [`select_files!`], in its order.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            activity_id: c.get()?,
            format: c.get()?,
            original_name: c.get()?,
            size_bytes: c.get()?,
            sha256: c.get()?,
            storage_key: c.get()?,
            training_session_id: c.get()?,
            race_id: c.get()?,
            created_at: c.get()?,
        })
    }
}

/// The columns of a [`FileRow`], from `activity_files f`.
macro_rules! select_files {
    () => {
        "SELECT f.id, f.user_id, f.activity_id, f.format, f.original_name, f.size_bytes, \
         f.sha256, f.storage_key, f.training_session_id, f.race_id, f.created_at \
         FROM activity_files f"
    };
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("corrupt file row: {what}"))
}

impl TryFrom<FileRow> for KeptFile {
    type Error = StoreError;

    fn try_from(row: FileRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: FileId(row.id),
            user_id: UserId(row.user_id),
            activity_id: row.activity_id.map(ActivityId),
            file: NewFile {
                format: row.format.0,
                original_name: row.original_name,
                size_bytes: u64::try_from(row.size_bytes).map_err(|_| corrupt("size"))?,
                sha256: row.sha256,
                storage_key: row.storage_key,
            },
            attached_to: match (row.training_session_id, row.race_id) {
                (Some(id), _) => Some(Entry::Session(SessionId(id))),
                (None, Some(id)) => Some(Entry::Race(RaceId(id))),
                (None, None) => None,
            },
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl FileStore for SqlStore {
    async fn file_by_hash(
        &self,
        user: UserId,
        sha256: &str,
    ) -> Result<Option<KeptFile>, StoreError> {
        const GET: &str = concat!(select_files!(), " WHERE f.user_id = $1 AND f.sha256 = $2");
        let row = self
            .db
            .optional(GET, &[user.get().into(), sha256.into()], FileRow::read)
            .await?;
        row.map(KeptFile::try_from).transpose()
    }

    async fn record_file_activity(
        &self,
        activity: NewActivity,
        file: NewFile,
        detail: &Detail,
    ) -> Result<(ActivityId, FileId), StoreError> {
        const INSERT: &str = "INSERT INTO activity_files (user_id, activity_id, format, \
             original_name, size_bytes, sha256, storage_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let size = i64::try_from(file.size_bytes)
            .map_err(|_| StoreError::Other(format!("file too large: {}", file.size_bytes)))?;
        let mut tx = self.db.begin().await?;
        let id = match insert_activity(&mut tx, &activity).await {
            Ok(id) => id,
            // A file's source is keyed by the file's hash: the same source recorded already
            // is the same file uploaded already (a concurrent upload of it meets this first,
            // and reads it once it is durable).
            Err(StoreError::Conflict("source")) => {
                tx.rollback().await?;
                return Err(StoreError::Conflict("file"));
            }
            Err(e) => return Err(e),
        };
        insert_detail(&mut tx, id, detail).await?;
        let file_id: i64 = tx
            .one(
                INSERT,
                &[
                    activity.user_id.get().into(),
                    id.into(),
                    file.format.as_str().into(),
                    (&file.original_name).into(),
                    size.into(),
                    file.sha256.as_str().into(),
                    file.storage_key.as_str().into(),
                    activity.now.into(),
                ],
                first,
            )
            .await
            .map_err(constraint("file", "user or activity"))?;
        tx.commit().await?;
        Ok((ActivityId(id), FileId(file_id)))
    }

    async fn file_of_activity(
        &self,
        user: UserId,
        activity: ActivityId,
    ) -> Result<Option<KeptFile>, StoreError> {
        const GET: &str = concat!(
            select_files!(),
            " JOIN activities a ON a.id = f.activity_id AND a.user_id = f.user_id \
             WHERE f.user_id = $1 AND f.activity_id = $2 ORDER BY f.id LIMIT 1"
        );
        let row = self
            .db
            .optional(
                GET,
                &[user.get().into(), activity.get().into()],
                FileRow::read,
            )
            .await?;
        row.map(KeptFile::try_from).transpose()
    }

    async fn files_without_detail(
        &self,
        after: Option<FileId>,
        limit: u32,
    ) -> Result<Vec<KeptFile>, StoreError> {
        const LIST: &str = concat!(
            select_files!(),
            " JOIN activities a ON a.id = f.activity_id AND a.deleted_at IS NULL \
             WHERE f.id > $1 AND NOT EXISTS \
             (SELECT 1 FROM activity_streams s WHERE s.activity_id = f.activity_id) \
             ORDER BY f.id LIMIT $2"
        );
        let args = [after.map_or(0, |id| id.0).into(), i64::from(limit).into()];
        let rows = self.db.all(LIST, &args, FileRow::read).await?;
        rows.into_iter().map(KeptFile::try_from).collect()
    }

    async fn count_files_without_detail(&self) -> Result<u64, StoreError> {
        const COUNT: &str = "SELECT COUNT(*) FROM activity_files f \
             JOIN activities a ON a.id = f.activity_id AND a.deleted_at IS NULL \
             WHERE NOT EXISTS \
             (SELECT 1 FROM activity_streams s WHERE s.activity_id = f.activity_id)";
        let count: i64 = self.db.one(COUNT, &[], first).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn file_key_exists(&self, storage_key: &str) -> Result<bool, StoreError> {
        const EXISTS: &str = "SELECT COUNT(*) FROM activity_files WHERE storage_key = $1";
        let count: i64 = self.db.one(EXISTS, &[storage_key.into()], first).await?;
        Ok(count > 0)
    }

    async fn file_owner(&self, id: FileId) -> Result<Option<UserId>, StoreError> {
        const OWNER: &str = "SELECT user_id FROM activity_files WHERE id = $1";
        let owner: Option<i64> = self.db.optional(OWNER, &[id.0.into()], first).await?;
        Ok(owner.map(UserId))
    }

    async fn get_file(&self, user: UserId, id: FileId) -> Result<Option<KeptFile>, StoreError> {
        const GET: &str = concat!(select_files!(), " WHERE f.user_id = $1 AND f.id = $2");
        let row = self
            .db
            .optional(GET, &[user.get().into(), id.0.into()], FileRow::read)
            .await?;
        row.map(KeptFile::try_from).transpose()
    }

    async fn pending_files(&self, user: UserId, limit: u32) -> Result<Vec<KeptFile>, StoreError> {
        // Walks `activity_files_pending_idx` from its newest entry.
        const LIST: &str = concat!(
            select_files!(),
            " WHERE f.user_id = $1 AND f.training_session_id IS NULL AND f.race_id IS NULL \
             ORDER BY f.id DESC LIMIT $2"
        );
        let rows = self
            .db
            .all(
                LIST,
                &[user.get().into(), i64::from(limit).into()],
                FileRow::read,
            )
            .await?;
        rows.into_iter().rev().map(KeptFile::try_from).collect()
    }

    async fn attached_activities(
        &self,
        user: UserId,
        to: Entry,
    ) -> Result<Vec<Activity>, StoreError> {
        let column = match to {
            Entry::Session(_) => "training_session_id",
            Entry::Race(_) => "race_id",
        };
        let (_, id) = crate::calendar::Table::of(to);
        let sql = format!(
            "{} AND a.id IN (SELECT activity_id FROM activity_files WHERE user_id = $1 \
             AND {column} = $2) ORDER BY a.started_at, a.id",
            select_activities!()
        );
        let rows = self
            .db
            .all(sql, &[user.get().into(), id.into()], ActivityRow::read)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut sources = self.sources_of(user, &ids).await?;
        rows.into_iter()
            .map(|row| {
                let own = sources.remove(&row.id).unwrap_or_default();
                activity(row, own)
            })
            .collect()
    }

    async fn delete_file(
        &self,
        user: UserId,
        id: FileId,
        now: OffsetDateTime,
    ) -> Result<Option<KeptFile>, StoreError> {
        const DELETE: &str = "DELETE FROM activity_files WHERE user_id = $1 AND id = $2 \
             RETURNING id, user_id, activity_id, format, original_name, size_bytes, sha256, \
             storage_key, training_session_id, race_id, created_at";
        // The activity goes with its file: nothing else refers to it, and its source (the
        // file's hash) must not make a later upload of the same file a duplicate of nothing.
        const DELETE_ACTIVITY: &str = "DELETE FROM activities WHERE user_id = $1 AND id = $2";
        let forward = Forward {
            microsecond: self.one_microsecond(),
            now,
        };
        let mut tx = self.db.begin().await?;
        tx.lock_user(user.get()).await?;
        let row = tx
            .optional(DELETE, &[user.get().into(), id.0.into()], FileRow::read)
            .await?;
        if let Some(row) = &row {
            if let Some(activity) = row.activity_id {
                tx.execute(DELETE_ACTIVITY, &[user.get().into(), activity.into()])
                    .await?;
            }
            // The record it leaves counts what its other files give, from now on.
            let held = match (row.training_session_id, row.race_id) {
                (Some(session), _) => Some(Entry::Session(SessionId(session))),
                (None, Some(race)) => Some(Entry::Race(RaceId(race))),
                (None, None) => None,
            };
            if let Some(entry) = held {
                if let Entry::Session(session) = entry {
                    refigure(&mut tx, user, session).await?;
                }
                move_forward(&mut tx, user, entry, forward).await?;
            }
        }
        tx.commit().await?;
        row.map(KeptFile::try_from).transpose()
    }
}
