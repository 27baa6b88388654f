//! [`FileStore`]: the rows of uploaded files, each recorded with the activity made from it.

use crate::activities::insert_activity;
use crate::db_time::DbTime;
use crate::error::{constraint, other};
use crate::{BeginWrite, SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::activities::NewActivity;
use paceline_domain::files::{FileId, FileStore, KeptFile, NewFile};
use paceline_domain::ids::{ActivityId, UserId};

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
    created_at: DbTime,
}

/// The columns of a [`FileRow`], from `activity_files f`.
macro_rules! select_files {
    () => {
        "SELECT f.id, f.user_id, f.activity_id, f.format, f.original_name, f.size_bytes, \
         f.sha256, f.storage_key, f.created_at FROM activity_files f"
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
    ) -> Result<(ActivityId, FileId), StoreError> {
        const INSERT: &str = "INSERT INTO activity_files (user_id, activity_id, format, \
             original_name, size_bytes, sha256, storage_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let size = i64::try_from(file.size_bytes)
            .map_err(|_| StoreError::Other(format!("file too large: {}", file.size_bytes)))?;
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let recorded = match insert_activity!(tx, &activity) {
                Ok(id) => sqlx::query_scalar::<_, i64>(INSERT)
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

    async fn file_key_exists(&self, storage_key: &str) -> Result<bool, StoreError> {
        const EXISTS: &str = "SELECT COUNT(*) FROM activity_files WHERE storage_key = $1";
        let count = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(EXISTS)
            .bind(storage_key)
            .fetch_one(pool)
            .await
            .map_err(other)?);
        Ok(count > 0)
    }
}
