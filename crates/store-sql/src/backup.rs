//! A consistent copy of a SQLite database taken while the server writes to it: `VACUUM
//! INTO` reads one snapshot (a read transaction, which WAL lets run beside the writer) and
//! writes it as a new, compact database file. Every transaction committed before it began
//! is in the copy; none that commits later is. The copy is synced before it is named.

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the snapshot waits for a lock (a checkpoint under way).
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// Why a backup or a restore of a SQLite database failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// SQLite refused.
    #[error("{path}: {message}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// The copy is not a sound database.
    #[error("{path} fails SQLite's integrity check: {message}")]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// The check's first complaint.
        message: String,
    },
}

fn sqlite_error(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |e| BackupError::Sqlite {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// What a database copy holds, as far as a backup needs to know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqliteCopy {
    /// The storage keys of the files its rows point to.
    pub file_keys: Vec<String>,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Writes a snapshot of the database `source` to `target` (which must not exist), synced,
/// then checks it. Blocking: call it from a blocking thread.
pub fn snapshot_sqlite(source: &Path, target: &Path) -> Result<SqliteCopy, BackupError> {
    let part = target.with_extension("part");
    let _ = std::fs::remove_file(&part);
    let conn = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error(source))?;
    conn.busy_timeout(BUSY_WAIT).map_err(sqlite_error(source))?;
    let part_text = part.to_str().ok_or_else(|| BackupError::Io {
        path: part.clone(),
        message: "the path is not UTF-8".into(),
    })?;
    conn.execute("VACUUM INTO ?1", [part_text])
        .map_err(sqlite_error(source))?;
    drop(conn);
    std::fs::File::open(&part)
        .and_then(|file| file.sync_all())
        .map_err(io_error(&part))?;
    let copy = check_sqlite(&part)?;
    if target.exists() {
        return Err(BackupError::Io {
            path: target.to_owned(),
            message: "already exists".into(),
        });
    }
    std::fs::rename(&part, target).map_err(io_error(target))?;
    sync_folder_of(target)?;
    Ok(copy)
}

/// Checks that `path` is a sound database (SQLite's integrity check) and reads what a
/// backup needs from it. Blocking.
pub fn check_sqlite(path: &Path) -> Result<SqliteCopy, BackupError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error(path))?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))
        .map_err(sqlite_error(path))?;
    if verdict != "ok" {
        return Err(BackupError::Damaged {
            path: path.to_owned(),
            message: verdict,
        });
    }
    let mut keys = conn
        .prepare("SELECT storage_key FROM activity_files ORDER BY storage_key")
        .map_err(sqlite_error(path))?;
    let file_keys = keys
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(sqlite_error(path))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sqlite_error(path))?;
    let bytes = std::fs::metadata(path).map_err(io_error(path))?.len();
    Ok(SqliteCopy { file_keys, bytes })
}

/// Copies the database file `source` (a snapshot, not a live database) to `target`, which
/// must not exist, synced before it is named. Blocking.
pub fn place_sqlite(source: &Path, target: &Path) -> Result<(), BackupError> {
    if target.exists() {
        return Err(BackupError::Io {
            path: target.to_owned(),
            message: "already exists".into(),
        });
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    let part = target.with_extension("part");
    std::fs::copy(source, &part).map_err(io_error(&part))?;
    std::fs::File::open(&part)
        .and_then(|file| file.sync_all())
        .map_err(io_error(&part))?;
    std::fs::rename(&part, target).map_err(io_error(target))?;
    sync_folder_of(target)
}

fn sync_folder_of(path: &Path) -> Result<(), BackupError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    std::fs::File::open(folder)
        .and_then(|dir| dir.sync_all())
        .map_err(io_error(folder))
}
