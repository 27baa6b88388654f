//! `paceline backup DIR` and `paceline restore DIR`: a SQLite installation's database and
//! files, copied while the server runs, and put back into a new installation.
//!
//! A backup copies the stored files into `DIR/files`, takes a snapshot of the database
//! (`DIR/paceline.sqlite3`: everything committed before it began), copies the files stored
//! meanwhile, and checks that every file the snapshot's rows point to is in the backup.
//! Files are written before the rows that point to them, so the snapshot never points to a
//! file that did not exist when it was taken. `DIR/backup.json` says what was taken.

use crate::Failure;
use crate::config::Settings;
use crate::durable::write_synced;
use crate::progress::copy_with_bar;
use crate::serve::open_files;
use paceline_domain::files::list_all;
use paceline_domain::files::{BlobError, BlobStore, StoredFile};
use paceline_files::ObjectFiles;
use paceline_store_sql::Database;
use paceline_store_sql::backup::{BackupError, check_sqlite, place_sqlite, snapshot_sqlite};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const DATABASE: &str = "paceline.sqlite3";
const FILES: &str = "files";
const MANIFEST: &str = "backup.json";
/// Files copied at once.
const PARALLEL: usize = 8;

fn system(error: impl std::fmt::Display) -> Failure {
    Failure::system(&anyhow::anyhow!("{error}"))
}

fn blob(error: BlobError) -> Failure {
    system(error)
}

fn backup_failed(error: BackupError) -> Failure {
    system(error)
}

/// The keys of every file `files` holds.
async fn keys_of(files: &dyn BlobStore) -> Result<HashSet<String>, Failure> {
    Ok(list_all(files)
        .await
        .map_err(blob)?
        .into_iter()
        .map(|f| f.key)
        .collect())
}

/// The SQLite file of the configured database, or a refusal naming what to use instead.
fn sqlite_path(settings: &Settings, what: &str) -> Result<PathBuf, Failure> {
    match &settings.database {
        Database::Sqlite(path) => Ok(path.clone()),
        Database::Postgres(_) => Err(Failure::refused(
            "postgres",
            &format!(
                "{what} is for SQLite installations; on PostgreSQL use pg_dump and pg_restore \
                 (or the server's own backups) for the database and `paceline files copy --to \
                 DIR` for the files (README: Backups)"
            ),
        )),
    }
}

/// Copies `files` from `from` to `to` with a progress bar; fails if any file failed.
async fn copy_all(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    files: Vec<StoredFile>,
    what: &str,
) -> Result<usize, Failure> {
    let summary = copy_with_bar(from, to, files, PARALLEL, what)
        .await
        .map_err(blob)?;
    if summary.failed.is_empty() {
        Ok(summary.written + summary.replaced + summary.already_there)
    } else {
        Err(system(format_args!(
            "{} files were not copied (named above)",
            summary.failed.len()
        )))
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(system)?
        .map_err(backup_failed)
}

pub(crate) async fn backup(settings: &Settings, dir: &Path) -> Result<(), Failure> {
    let database = sqlite_path(settings, "paceline backup")?;
    if !database.is_file() {
        return Err(Failure::refused(
            "no-database",
            &format!("there is no database at {}", database.display()),
        ));
    }
    if dir.exists() && std::fs::read_dir(dir).map_err(system)?.next().is_some() {
        return Err(Failure::refused(
            "not-empty",
            &format!("{} is not empty; back up into a new folder", dir.display()),
        ));
    }
    std::fs::create_dir_all(dir).map_err(system)?;
    let stored = open_files(&settings.files)
        .await
        .map_err(|e| Failure::system(&e))?;
    let kept = ObjectFiles::local(&dir.join(FILES)).map_err(blob)?;
    // The files there now; then the snapshot; then the files stored while these were copied.
    let first = list_all(&stored).await.map_err(blob)?;
    copy_all(&stored, &kept, first, "files").await?;
    let taken_at = time::OffsetDateTime::now_utc();
    let target = dir.join(DATABASE);
    let snapshot = blocking(move || snapshot_sqlite(&database, &target)).await?;
    let present: HashSet<String> = keys_of(&kept).await?;
    let since: Vec<StoredFile> = list_all(&stored)
        .await
        .map_err(blob)?
        .into_iter()
        .filter(|f| !present.contains(&f.key))
        .collect();
    copy_all(&stored, &kept, since, "files stored meanwhile").await?;
    let held: HashSet<String> = keys_of(&kept).await?;
    let missing: Vec<&String> = snapshot
        .file_keys
        .iter()
        .filter(|key| !held.contains(*key))
        .collect();
    if let Some(first) = missing.first() {
        return Err(system(format_args!(
            "{} files the database points to were removed from the storage while the backup \
             ran (first: {first}); take the backup again",
            missing.len(),
        )));
    }
    let manifest = serde_json::json!({
        "format": 1,
        "paceline": env!("CARGO_PKG_VERSION"),
        "taken_at": taken_at
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(system)?,
        "database": DATABASE,
        "database_bytes": snapshot.bytes,
        "files": held.len(),
    });
    write_synced(
        &dir.join(MANIFEST),
        &serde_json::to_vec_pretty(&manifest).map_err(system)?,
    )
    .map_err(system)?;
    println!(
        "Backed up the database ({} bytes) and {} files into {}.",
        snapshot.bytes,
        held.len(),
        dir.display()
    );
    Ok(())
}

pub(crate) async fn restore(settings: &Settings, dir: &Path) -> Result<(), Failure> {
    let database = sqlite_path(settings, "paceline restore")?;
    let manifest = dir.join(MANIFEST);
    if !manifest.is_file() {
        return Err(Failure::refused(
            "not-a-backup",
            &format!("{} holds no {MANIFEST}: not a backup", dir.display()),
        ));
    }
    if database.exists() {
        return Err(Failure::refused(
            "database-exists",
            &format!(
                "{} exists; restore into a new data folder (or move it away first)",
                database.display()
            ),
        ));
    }
    let copy = dir.join(DATABASE);
    let checked = copy.clone();
    let snapshot = blocking(move || check_sqlite(&checked)).await?;
    let kept = ObjectFiles::local(&dir.join(FILES)).map_err(blob)?;
    // Every file the database points to must be in the backup before anything is put back.
    let held: HashSet<String> = keys_of(&kept).await?;
    if let Some(missing) = snapshot.file_keys.iter().find(|key| !held.contains(*key)) {
        return Err(Failure::refused(
            "incomplete-backup",
            &format!(
                "the backup's database points to {missing}, which its files/ folder lacks; \
                 nothing was restored"
            ),
        ));
    }
    let stored = open_files(&settings.files)
        .await
        .map_err(|e| Failure::system(&e))?;
    let files = list_all(&kept).await.map_err(blob)?;
    let count = copy_all(&kept, &stored, files, "files").await?;
    let target = database.clone();
    blocking(move || place_sqlite(&copy, &target)).await?;
    println!(
        "Restored the database ({} bytes, {} files its rows point to) to {} and {count} files.",
        snapshot.bytes,
        snapshot.file_keys.len(),
        database.display()
    );
    Ok(())
}
