//! The domain's [`BlobStore`] over the `object_store` crate: files in a local folder (the
//! default) or in an S3-compatible bucket, with the same behaviour on both: a reader sees a
//! whole file or none, a file acknowledged is stored durably, reading a missing key answers
//! `None`, removing one is not an error, and keys that would leave their folder (`..`,
//! `.`, empty or absolute segments) are refused before any backend sees them.
//!
//! A local file is written to a temporary name, synced and renamed into place; a file stored
//! from disk into a local folder on the same file system is not copied but linked (synced,
//! then given its name in one step). An S3 object appears whole when its `PUT` (or the
//! completion of its multipart upload) succeeds.
//!
//! Nothing of object_store leaves this crate: errors become [`BlobError`].

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use paceline_domain::files::{BlobError, BlobStore, StoredFile};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;

mod s3;

pub use s3::S3Config;

/// Parts of a file stored from disk to a local folder: small, since a local multipart
/// upload has no minimum part size.
const LOCAL_PART_BYTES: usize = 1024 * 1024;
/// Parts of a file stored from disk to S3: the protocol's smallest part (but the last).
const S3_PART_BYTES: usize = 5 * 1024 * 1024;

/// Files kept by an `object_store` backend.
#[derive(Debug, Clone)]
pub struct ObjectFiles {
    store: Arc<dyn ObjectStore>,
    /// The most bytes [`BlobStore::put_file`] holds in memory at once; files up to this
    /// size are stored in one request.
    part_bytes: usize,
    /// The folder of a local store, where [`BlobStore::put_file`] links files in.
    local_root: Option<std::path::PathBuf>,
}

impl ObjectFiles {
    /// Files in the folder `root`, created when missing.
    pub fn local(root: &std::path::Path) -> Result<Self, BlobError> {
        std::fs::create_dir_all(root).map_err(|e| {
            BlobError::Unavailable(format!("cannot create {}: {e}", root.display()))
        })?;
        let local = LocalFileSystem::new_with_prefix(root)
            .map_err(unavailable)?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(Self {
            store: Arc::new(local),
            part_bytes: LOCAL_PART_BYTES,
            // The folder as object_store resolved it, whatever the working folder later is.
            local_root: Some(std::fs::canonicalize(root).map_err(|e| {
                BlobError::Unavailable(format!("cannot resolve {}: {e}", root.display()))
            })?),
        })
    }

    /// Files in an S3-compatible bucket. Nothing is sent yet: a wrong endpoint or key shows
    /// at the first operation ([`ObjectFiles::check`] makes one).
    pub fn s3(config: &S3Config) -> Result<Self, BlobError> {
        s3::install_tls_provider();
        let bucket = config.builder()?.build().map_err(unavailable)?;
        let store: Arc<dyn ObjectStore> =
            match config.prefix.as_deref().map(|p| p.trim_matches('/')) {
                Some(prefix) if !prefix.is_empty() => {
                    Arc::new(PrefixStore::new(bucket, path(prefix)?))
                }
                _ => Arc::new(bucket),
            };
        Ok(Self {
            store,
            part_bytes: S3_PART_BYTES,
            local_root: None,
        })
    }

    /// Reaches the storage once ([`BlobStore::probe`]), so that a wrong endpoint, bucket or
    /// key is reported at start rather than at the first upload.
    pub async fn check(&self) -> Result<(), BlobError> {
        self.probe().await
    }
}

fn unavailable(error: object_store::Error) -> BlobError {
    BlobError::Unavailable(error.to_string())
}

/// A key as an object path; refuses empty, `.` and `..` segments rather than normalizing
/// them.
fn path(key: &str) -> Result<Path, BlobError> {
    let plain = !key.is_empty()
        && key
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
    if !plain {
        return Err(BlobError::InvalidKey(key.to_owned()));
    }
    Path::parse(key).map_err(|e| BlobError::InvalidKey(format!("{key}: {e}")))
}

/// Whether `key` is one `link_into` may store: made of these characters only, it names
/// `root.join(key)`, the file `object_store`'s local layout reads for it.
fn linkable(key: &str) -> bool {
    key.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'))
}

/// Stores the file `source` under `key` in the folder `root` without copying it: its bytes
/// are synced, then a link to them appears under the key in one step (a new name directly,
/// or over a file already there by a rename), then the key's folder and every folder above
/// it up to `root` are synced, so that the name, and any folder made for it by this call or
/// a concurrent one, lasts. The file gets the mode a file written there would (the root
/// folder's, without execute bits). The source keeps its own name; it must not be written
/// to afterwards. Fails with `CrossesDevices`, before any work, when the source is on
/// another file system.
#[cfg(unix)]
fn link_into(root: &std::path::Path, key: &str, source: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let target = root.join(key);
    let folder = target
        .parent()
        .ok_or_else(|| std::io::Error::other("a key names a file in a folder"))?;
    let root_meta = std::fs::metadata(root)?;
    if std::fs::metadata(source)?.dev() != root_meta.dev() {
        return Err(std::io::ErrorKind::CrossesDevices.into());
    }
    let file = std::fs::File::open(source)?;
    file.set_permissions(std::fs::Permissions::from_mode(
        root_meta.permissions().mode() & 0o666,
    ))?;
    file.sync_all()?;
    std::fs::create_dir_all(folder)?;
    match std::fs::hard_link(source, &target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let name = target
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("file");
            static LINKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = LINKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let temporary = folder.join(format!(".{name}.{}.{n}.link", std::process::id()));
            std::fs::hard_link(source, &temporary)?;
            if let Err(e) = std::fs::rename(&temporary, &target) {
                let _ = std::fs::remove_file(&temporary);
                return Err(e);
            }
        }
        Err(e) => return Err(e),
    }
    for dir in folder.ancestors().take_while(|dir| dir.starts_with(root)) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Elsewhere files are copied.
#[cfg(not(unix))]
fn link_into(_: &std::path::Path, _: &str, _: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Reads up to `limit` bytes of `file` (fewer only at its end).
async fn read_part(file: &mut tokio::fs::File, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut part = Vec::with_capacity(limit);
    while part.len() < limit {
        let before = part.len();
        (&mut *file)
            .take((limit - before) as u64)
            .read_to_end(&mut part)
            .await?;
        if part.len() == before {
            break;
        }
    }
    Ok(part)
}

#[async_trait]
impl BlobStore for ObjectFiles {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.store
            .put(&path(key)?, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn put_file(&self, key: &str, file: &std::path::Path) -> Result<(), BlobError> {
        let location = path(key)?;
        if let Some(root) = self.local_root.clone().filter(|_| linkable(key)) {
            let (key, source) = (key.to_owned(), file.to_owned());
            let linked = tokio::task::spawn_blocking(move || link_into(&root, &key, &source))
                .await
                .map_err(|e| BlobError::Unavailable(e.to_string()))?;
            match linked {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !file.exists() => {
                    return Err(BlobError::Unavailable(format!(
                        "cannot read {}: {e}",
                        file.display()
                    )));
                }
                // Another file system, or one without links: copy it below.
                Err(_) => {}
            }
        }
        let failed = |e: std::io::Error| {
            BlobError::Unavailable(format!("cannot read {}: {e}", file.display()))
        };
        let mut source = tokio::fs::File::open(file).await.map_err(failed)?;
        let first = read_part(&mut source, self.part_bytes)
            .await
            .map_err(failed)?;
        if first.len() < self.part_bytes {
            // The whole file in one part: one request, no multipart bookkeeping.
            return self.put(key, first).await;
        }
        // Part by part: the object appears, whole, when the upload completes; until then
        // readers see the previous version or nothing.
        let mut upload = self
            .store
            .put_multipart(&location)
            .await
            .map_err(unavailable)?;
        let mut part = first;
        let outcome = loop {
            if let Err(e) = upload.put_part(PutPayload::from(part)).await {
                break Err(unavailable(e));
            }
            part = match read_part(&mut source, self.part_bytes).await {
                Ok(next) if next.is_empty() => break Ok(()),
                Ok(next) => next,
                Err(e) => break Err(failed(e)),
            };
        };
        match outcome {
            Ok(()) => upload.complete().await.map(|_| ()).map_err(unavailable),
            Err(error) => {
                // Leaves no part behind; should that fail too, the first error says why.
                let _ = upload.abort().await;
                Err(error)
            }
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        match self.store.get(&path(key)?).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(unavailable)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<StoredFile>, BlobError> {
        let prefix = path(prefix)?;
        let found: Vec<object_store::ObjectMeta> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(unavailable)?;
        Ok(found
            .into_iter()
            .map(|meta| StoredFile {
                key: meta.location.to_string(),
                written_at: OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(meta.last_modified.timestamp_micros()) * 1000,
                )
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                size: meta.size,
            })
            .collect())
    }

    fn backend(&self) -> &'static str {
        if self.local_root.is_some() {
            "local"
        } else {
            "s3"
        }
    }

    /// The first entry of a listing of `fit/` (one request to a bucket, whose answer says
    /// whether the endpoint, the bucket and the key are right; a missing key alone would
    /// not tell a missing bucket); a local folder must also still be there, since listing a
    /// missing one finds nothing rather than failing.
    async fn probe(&self) -> Result<(), BlobError> {
        if let Some(root) = &self.local_root {
            let meta = tokio::fs::metadata(root).await.map_err(|e| {
                BlobError::Unavailable(format!("cannot reach {}: {e}", root.display()))
            })?;
            if !meta.is_dir() {
                return Err(BlobError::Unavailable(format!(
                    "{} is not a folder",
                    root.display()
                )));
            }
        }
        match self.store.list(Some(&Path::from("fit"))).next().await {
            None | Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(unavailable(e)),
        }
    }
}

#[cfg(test)]
mod tests;
