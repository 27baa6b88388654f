//! [`FileStore`]: the rows of uploaded files, each recorded with the activity made from it.

use crate::activities::insert_activity;
use crate::activities::{ActivityRow, activity, select_activities};
use crate::calendar::{Forward, lock_athlete, move_forward, refigure};
use crate::db_time::DbTime;
use crate::detail::insert_detail;
use crate::error::{constraint, other};
use crate::{BeginWrite, SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::activities::{Activity, Detail, NewActivity};
use paceline_domain::calendar::{Entry, RaceId, SessionId};
use paceline_domain::files::{FileId, FileStore, KeptFile, NewFile};
use paceline_domain::ids::{ActivityId, UserId};
use time::OffsetDateTime;

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    user_id: i64,
    activity_id: Option<i64>,
    format: String,
    original_name: Option<String>,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    training_session_id: Option<i64>,
    race_id: Option<i64>,
    created_at: DbTime,
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
                format: row.format.parse().map_err(|_| corrupt("format"))?,
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
            created_at: row.created_at.0,
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
        let row = on_pool!(self, pool => sqlx::query_as::<_, FileRow>(GET)
            .bind(user.get())
            .bind(sha256)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
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
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let recorded = match insert_activity!(tx, &activity) {
                Ok(id) => match insert_detail!(tx, id, detail) {
                    Ok(()) => sqlx::query_scalar::<_, i64>(INSERT)
                    .bind(activity.user_id.get())
                    .bind(id)
                    .bind(file.format.as_str())
                    .bind(&file.original_name)
                    .bind(size)
                    .bind(&file.sha256)
                    .bind(&file.storage_key)
                    .bind(DbTime(activity.now))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(constraint("file", "user or activity"))
                    .map(|file_id| (ActivityId(id), FileId(file_id))),
                    Err(e) => Err(e),
                },
                // A file's source is keyed by the file's hash: the same source recorded
                // already is the same file uploaded already (a concurrent upload of it
                // meets this first).
                Err(StoreError::Conflict("source")) => Err(StoreError::Conflict("file")),
                Err(e) => Err(e),
            };
            match recorded {
                Ok(ids) => {
                    tx.commit().await.map_err(other)?;
                    Ok(ids)
                }
                Err(e) => {
                    tx.rollback().await.map_err(other)?;
                    Err(e)
                }
            }
        })
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
        let row = on_pool!(self, pool => sqlx::query_as::<_, FileRow>(GET)
            .bind(user.get())
            .bind(activity.get())
            .fetch_optional(pool)
            .await
            .map_err(other)?);
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
        let rows = on_pool!(self, pool => sqlx::query_as::<_, FileRow>(LIST)
            .bind(after.map_or(0, |id| id.0))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(other)?);
        rows.into_iter().map(KeptFile::try_from).collect()
    }

    async fn count_files_without_detail(&self) -> Result<u64, StoreError> {
        const COUNT: &str = "SELECT COUNT(*) FROM activity_files f \
             JOIN activities a ON a.id = f.activity_id AND a.deleted_at IS NULL \
             WHERE NOT EXISTS \
             (SELECT 1 FROM activity_streams s WHERE s.activity_id = f.activity_id)";
        let count = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(COUNT)
            .fetch_one(pool)
            .await
            .map_err(other)?);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn file_key_exists(&self, storage_key: &str) -> Result<bool, StoreError> {
        const EXISTS: &str = "SELECT COUNT(*) FROM activity_files WHERE storage_key = $1";
        let count = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(EXISTS)
            .bind(storage_key)
            .fetch_one(pool)
            .await
            .map_err(other)?);
        Ok(count > 0)
    }

    async fn file_owner(&self, id: FileId) -> Result<Option<UserId>, StoreError> {
        const OWNER: &str = "SELECT user_id FROM activity_files WHERE id = $1";
        let owner = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(OWNER)
            .bind(id.0)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(owner.map(UserId))
    }

    async fn get_file(&self, user: UserId, id: FileId) -> Result<Option<KeptFile>, StoreError> {
        const GET: &str = concat!(select_files!(), " WHERE f.user_id = $1 AND f.id = $2");
        let row = on_pool!(self, pool => sqlx::query_as::<_, FileRow>(GET)
            .bind(user.get())
            .bind(id.0)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        row.map(KeptFile::try_from).transpose()
    }

    async fn pending_files(&self, user: UserId) -> Result<Vec<KeptFile>, StoreError> {
        const LIST: &str = concat!(
            select_files!(),
            " WHERE f.user_id = $1 AND f.training_session_id IS NULL AND f.race_id IS NULL \
             ORDER BY f.id"
        );
        let rows = on_pool!(self, pool => sqlx::query_as::<_, FileRow>(LIST)
            .bind(user.get())
            .fetch_all(pool)
            .await
            .map_err(other)?);
        rows.into_iter().map(KeptFile::try_from).collect()
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
        let rows = on_pool!(self, pool => sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql))
            .bind(user.get())
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(other)?);
        let mut sources = self
            .sources_of(user, rows.iter().map(|r| r.id).collect())
            .await?;
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
        let lock = self.athlete_lock();
        let deleted = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            lock_athlete(&mut tx, lock, user).await?;
            let row = sqlx::query_as::<_, FileRow>(DELETE)
                .bind(user.get())
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            if let Some(row) = &row {
                if let Some(activity) = row.activity_id {
                    sqlx::query(DELETE_ACTIVITY)
                        .bind(user.get())
                        .bind(activity)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
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
            tx.commit().await.map_err(other)?;
            row
        });
        deleted.map(KeptFile::try_from).transpose()
    }
}
