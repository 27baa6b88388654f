//! Where uploaded files are kept: behind [`BlobStore`], a local folder by default or
//! S3-compatible object storage. A file is written before the database row that points to
//! it; files that no row points to are orphans, removed by [`remove_orphans`].

use crate::activities::Activity;
use crate::activities::{Detail, NewActivity};
use crate::calendar::Entry;
use crate::entities::text_enum;
use crate::ids::{ActivityId, MembershipId, OrgId, UserId};
use crate::store::StoreError;
use async_trait::async_trait;
use std::future::Future;
use time::{Date, Duration, OffsetDateTime};

pub mod copy;

/// What can go wrong with file storage.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The key is not a valid storage key.
    #[error("invalid storage key: {0}")]
    InvalidKey(String),
    /// The storage cannot be reached or refused the operation.
    #[error("file storage failed: {0}")]
    Unavailable(String),
}

/// A stored file: its key and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Its key.
    pub key: String,
    /// When it was last written.
    pub written_at: OffsetDateTime,
    /// Its size in bytes.
    pub size: u64,
}

/// Files by key. Keys are `/`-separated paths of plain segments (no `..`, no empty segment).
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key`, durably, before returning; a reader sees all of it or
    /// nothing.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError>;

    /// Stores the content of the local file `file` under `key`, as [`BlobStore::put`] does,
    /// reading it piece by piece so that memory stays small whatever its size. The file
    /// itself is left where it is, and must not be written to afterwards: a store on the
    /// same file system may link to it rather than copy it.
    async fn put_file(&self, key: &str, file: &std::path::Path) -> Result<(), BlobError>;

    /// The file under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError>;

    /// Removes the file under `key`; removing a missing file is not an error.
    async fn delete(&self, key: &str) -> Result<(), BlobError>;

    /// The files whose keys start with the folder `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<StoredFile>, BlobError>;

    /// What keeps the files, for logs and probes: `local`, `s3` or `memory`.
    fn backend(&self) -> &'static str;

    /// Answers when the storage answers, by one small request whatever the number of
    /// files: for a readiness probe, and at start.
    async fn probe(&self) -> Result<(), BlobError>;
}

/// Files in memory: for tests, and a server without file storage configured.
#[derive(Debug, Default)]
pub struct MemoryFiles {
    files: std::sync::Mutex<std::collections::BTreeMap<String, (Vec<u8>, OffsetDateTime)>>,
}

impl MemoryFiles {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    fn locked(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, (Vec<u8>, OffsetDateTime)>>
    {
        // A panic while holding the lock leaves the map whole: every change is one insert
        // or remove.
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl BlobStore for MemoryFiles {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.locked()
            .insert(key.to_owned(), (bytes, OffsetDateTime::now_utc()));
        Ok(())
    }

    async fn put_file(&self, key: &str, file: &std::path::Path) -> Result<(), BlobError> {
        let path = file.to_owned();
        let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?
            .map_err(|e| BlobError::Unavailable(format!("cannot read {}: {e}", file.display())))?;
        self.put(key, bytes).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        Ok(self.locked().get(key).map(|(bytes, _)| bytes.clone()))
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        self.locked().remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<StoredFile>, BlobError> {
        let folder = format!("{}/", prefix.trim_end_matches('/'));
        Ok(self
            .locked()
            .iter()
            .filter(|(key, _)| key.starts_with(&folder))
            .map(|(key, (bytes, at))| StoredFile {
                key: key.clone(),
                written_at: *at,
                size: bytes.len() as u64,
            })
            .collect())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn probe(&self) -> Result<(), BlobError> {
        Ok(())
    }
}

/// The key of an uploaded file, shaped as the Train it All spec shows it for FIT files:
/// `fit/<orgId>/<athleteId>/YYYY-MM-DD/<random>.fit` (TCX and GPX files the same under
/// `tcx/` and `gpx/`).
pub fn storage_key(
    format: FileFormat,
    org: OrgId,
    athlete: MembershipId,
    day: Date,
    random: &str,
) -> String {
    let ext = format.as_str();
    format!(
        "{ext}/{}/{}/{day}/{random}.{ext}",
        org.public(),
        athlete.public()
    )
}

/// How long a file may stay without a row before it counts as an orphan: longer than any
/// upload takes between writing its file and committing its row.
pub const ORPHAN_AGE: Duration = Duration::hours(1);

/// The most files a list of pending files holds: the newest ones. An athlete whose watch
/// sends every activity through the other API and who attaches none to a session would
/// otherwise be sent their whole history on every look at what is waiting.
pub const MAX_PENDING_FILES: u32 = 500;

/// Every stored file: the files under each of the storage's folders.
pub async fn list_all(blobs: &dyn BlobStore) -> Result<Vec<StoredFile>, BlobError> {
    let mut all = Vec::new();
    for prefix in FileFormat::NAMES {
        all.extend(blobs.list(prefix).await?);
    }
    Ok(all)
}

/// Removes the files under `prefix` written before `now - ORPHAN_AGE` for which `is_kept`
/// says no row points to them; answers how many were removed.
pub async fn remove_orphans<F, Fut>(
    blobs: &dyn BlobStore,
    prefix: &str,
    now: OffsetDateTime,
    is_kept: F,
) -> Result<usize, BlobError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<bool, BlobError>>,
{
    let mut removed = 0;
    for file in blobs.list(prefix).await? {
        if file.written_at < now - ORPHAN_AGE && !is_kept(file.key.clone()).await? {
            blobs.delete(&file.key).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn fit_keys_look_like_the_spec() {
        let key = storage_key(
            FileFormat::Fit,
            OrgId(1),
            MembershipId(2),
            date!(2026 - 01 - 17),
            "k3x9",
        );
        let parts: Vec<&str> = key.split('/').collect();
        assert_eq!(parts.len(), 5);
        assert_eq!(parts.first(), Some(&"fit"));
        assert!(parts.get(1).is_some_and(|p| p.starts_with("org_")));
        assert!(parts.get(2).is_some_and(|p| p.starts_with("mem_")));
        assert_eq!(parts.get(3), Some(&"2026-01-17"));
        assert_eq!(parts.get(4), Some(&"k3x9.fit"));
    }
}

text_enum!(
    /// The formats of activity files.
    FileFormat {
        /// Garmin's Flexible and Interoperable Data Transfer.
        Fit = "fit",
        /// Garmin Training Center XML.
        Tcx = "tcx",
        /// GPS Exchange Format.
        Gpx = "gpx",
    }
);

/// The key of an uploaded file's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub i64);

/// An uploaded file to record, already written to the [`BlobStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Its format.
    pub format: FileFormat,
    /// The name it was uploaded with.
    pub original_name: Option<String>,
    /// Its size.
    pub size_bytes: u64,
    /// Its SHA-256, lowercase hex: unique per user.
    pub sha256: String,
    /// Where it is stored.
    pub storage_key: String,
}

/// An uploaded file as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFile {
    /// Its key.
    pub id: FileId,
    /// The owner.
    pub user_id: UserId,
    /// The activity made from it.
    pub activity_id: Option<ActivityId>,
    /// The file itself.
    pub file: NewFile,
    /// The training session or race it is attached to; `None` while it is pending.
    pub attached_to: Option<Entry>,
    /// When it was recorded.
    pub created_at: OffsetDateTime,
}

/// Storage for the rows of uploaded files.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// The user's file with this SHA-256, if any.
    async fn file_by_hash(
        &self,
        user: UserId,
        sha256: &str,
    ) -> Result<Option<KeptFile>, StoreError>;

    /// Records an activity (with its source, laps and record streams) and the file it was
    /// made from, in one transaction. `Conflict("file")` when the user has a file of that
    /// SHA-256 already (another upload of it won a race); nothing is recorded then.
    async fn record_file_activity(
        &self,
        activity: NewActivity,
        file: NewFile,
        detail: &Detail,
    ) -> Result<(ActivityId, FileId), StoreError>;

    /// Files whose live activity has no record streams kept (imported before they were),
    /// in id order after `after`, at most `limit`: what reprocessing reads.
    async fn files_without_detail(
        &self,
        after: Option<FileId>,
        limit: u32,
    ) -> Result<Vec<KeptFile>, StoreError>;

    /// How many files [`FileStore::files_without_detail`] would go through.
    async fn count_files_without_detail(&self) -> Result<u64, StoreError>;

    /// The file the user's activity was made from; `None` for an activity without a file,
    /// and for another user's or an unknown activity.
    async fn file_of_activity(
        &self,
        user: UserId,
        activity: ActivityId,
    ) -> Result<Option<KeptFile>, StoreError>;

    /// Whether a row points to `storage_key` (a file without one is an orphan).
    async fn file_key_exists(&self, storage_key: &str) -> Result<bool, StoreError>;

    /// Whose file this is.
    async fn file_owner(&self, id: FileId) -> Result<Option<UserId>, StoreError>;

    /// One of the user's files.
    async fn get_file(&self, user: UserId, id: FileId) -> Result<Option<KeptFile>, StoreError>;

    /// The newest `limit` of the user's files attached to no session or race, oldest
    /// first.
    async fn pending_files(&self, user: UserId, limit: u32) -> Result<Vec<KeptFile>, StoreError>;

    /// The live activities made from the files attached to a session or race, by start.
    async fn attached_activities(
        &self,
        user: UserId,
        to: Entry,
    ) -> Result<Vec<Activity>, StoreError>;

    /// Deletes one of the user's files: its row and the activity made from it, in one
    /// transaction with what follows from it: the record it was attached to moves its
    /// `updated_at` forward, and a session has its completed figures recomputed from the
    /// files it keeps. Answers the file as it was (its bytes are the caller's to remove),
    /// `None` when unknown.
    async fn delete_file(
        &self,
        user: UserId,
        id: FileId,
        now: OffsetDateTime,
    ) -> Result<Option<KeptFile>, StoreError>;
}
