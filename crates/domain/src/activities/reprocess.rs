//! Reprocessing: the activities imported before laps and record streams were kept get them
//! from their kept files.
//!
//! Resumable by construction: what is done has its streams row, and only activities
//! without one are read, in file order, so a run stopped at any point (a crash included:
//! each activity's laps and streams are one transaction) is finished by running it again.

use crate::files::{BlobStore, FileId, KeptFile};
use crate::imports::detail_of_file;
use crate::store::{Store, StoreError};

/// How many files are read per page.
const PAGE: u32 = 100;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its activity now has its laps and streams.
    Done {
        /// The number of records kept.
        points: u32,
        /// The number of laps kept.
        laps: usize,
    },
    /// Left as it was, and why (it stays to do: a later run tries again).
    Skipped(String),
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Activities that got their laps and streams.
    pub done: u64,
    /// Records kept, over all of them.
    pub points: u64,
    /// Files left as they were, with why.
    pub skipped: Vec<(FileId, String)>,
}

/// How many activities are to do now.
///
/// # Errors
/// The database failed.
pub async fn pending(store: &dyn Store) -> Result<u64, StoreError> {
    store.count_files_without_detail().await
}

/// Gives every activity without laps and streams those of its kept file, calling `each`
/// after each file.
///
/// # Errors
/// The database failed; what was done before stays done.
pub async fn reprocess(
    store: &dyn Store,
    files: &dyn BlobStore,
    mut each: impl FnMut(&KeptFile, &Outcome) + Send,
) -> Result<Summary, StoreError> {
    let mut summary = Summary::default();
    let mut after = None;
    loop {
        let page = store.files_without_detail(after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(summary);
        };
        after = Some(last.id);
        for kept in &page {
            let outcome = one(store, files, kept).await?;
            match &outcome {
                Outcome::Done { points, .. } => {
                    summary.done += 1;
                    summary.points += u64::from(*points);
                }
                Outcome::Skipped(why) => summary.skipped.push((kept.id, why.clone())),
            }
            each(kept, &outcome);
        }
    }
}

async fn one(
    store: &dyn Store,
    files: &dyn BlobStore,
    kept: &KeptFile,
) -> Result<Outcome, StoreError> {
    let Some(activity) = kept.activity_id else {
        return Ok(Outcome::Skipped("the file has no activity".into()));
    };
    let key = &kept.file.storage_key;
    let bytes = match files.get(key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Outcome::Skipped(format!("file {key} is missing"))),
        Err(error) => return Ok(Outcome::Skipped(format!("file {key}: {error}"))),
    };
    let Some(detail) = detail_of_file(kept.file.format, &bytes) else {
        return Ok(Outcome::Skipped(format!("file {key} no longer decodes")));
    };
    match store.replace_activity_detail(activity, &detail).await {
        Ok(()) => Ok(Outcome::Done {
            points: detail.streams.points,
            laps: detail.laps.len(),
        }),
        // Deleted meanwhile: nothing to do.
        Err(StoreError::NotFound(_)) => Ok(Outcome::Skipped("the activity was deleted".into())),
        Err(error) => Err(error),
    }
}
