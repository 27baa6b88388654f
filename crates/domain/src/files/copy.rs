//! Every stored file copied from one [`BlobStore`] to another (a local folder to a bucket,
//! or back), checked by SHA-256 once written, and resumable: a file the target already
//! holds with the same bytes is left as it is, so a copy stopped at any point is finished by
//! running it again.

use super::{BlobError, BlobStore, StoredFile, list_all};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copied {
    /// Written to the target and read back the same.
    Written,
    /// The target already held the same bytes.
    AlreadyThere,
    /// The target held other bytes under the key; they were replaced.
    Replaced,
    /// Listed, then removed from the source before its turn (an activity deleted meanwhile):
    /// nothing to copy.
    Gone,
}

/// A whole copy's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopySummary {
    /// Files written (new to the target).
    pub written: usize,
    /// Files the target already held, byte for byte.
    pub already_there: usize,
    /// Files whose bytes in the target differed and were replaced.
    pub replaced: usize,
    /// Files removed from the source between the listing and their turn.
    pub gone: usize,
    /// Bytes read from the source.
    pub bytes: u64,
    /// Files that could not be copied, with why; running again tries them again.
    pub failed: Vec<(String, String)>,
}

/// Copies `files` (from [`list_all`]) from `from` to `to`, `parallel` at a time,
/// telling `done` of each as it ends. One file that fails does not stop the others.
pub async fn copy_files(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    files: Vec<StoredFile>,
    parallel: usize,
    done: &(dyn Fn(&StoredFile, &Result<Copied, BlobError>) + Sync),
) -> Result<CopySummary, BlobError> {
    use futures::StreamExt;
    // What the target holds already, by key: one listing instead of a look-up per file.
    let present: HashMap<String, u64> = list_all(to)
        .await?
        .into_iter()
        .map(|f| (f.key, f.size))
        .collect();
    let present = &present;
    let mut outcomes = futures::stream::iter(files)
        .map(|file| async move {
            let outcome = copy_one(from, to, &file, present.get(&file.key).copied()).await;
            done(&file, &outcome);
            (file, outcome)
        })
        .buffer_unordered(parallel.max(1));
    let mut summary = CopySummary::default();
    while let Some((file, outcome)) = outcomes.next().await {
        match outcome {
            Ok(copied) => {
                if copied != Copied::Gone {
                    summary.bytes += file.size;
                }
                match copied {
                    Copied::Written => summary.written += 1,
                    Copied::AlreadyThere => summary.already_there += 1,
                    Copied::Replaced => summary.replaced += 1,
                    Copied::Gone => summary.gone += 1,
                }
            }
            Err(error) => summary.failed.push((file.key, error.to_string())),
        }
    }
    summary.failed.sort();
    Ok(summary)
}

async fn copy_one(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    file: &StoredFile,
    present_size: Option<u64>,
) -> Result<Copied, BlobError> {
    let Some(bytes) = from.get(&file.key).await? else {
        return Ok(Copied::Gone);
    };
    let digest = Sha256::digest(&bytes);
    let mut outcome = Copied::Written;
    if present_size == Some(bytes.len() as u64) {
        // Same size: the same bytes, or a copy to replace.
        match to.get(&file.key).await? {
            Some(there) if Sha256::digest(&there) == digest => return Ok(Copied::AlreadyThere),
            Some(_) => outcome = Copied::Replaced,
            None => {}
        }
    } else if present_size.is_some() {
        outcome = Copied::Replaced;
    }
    to.put(&file.key, bytes).await?;
    let written = to.get(&file.key).await?.ok_or_else(|| {
        BlobError::Unavailable(format!("{} was not there once written", file.key))
    })?;
    if Sha256::digest(&written) != digest {
        return Err(BlobError::Unavailable(format!(
            "{} reads back with other bytes than were written",
            file.key
        )));
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::MemoryFiles;

    async fn copy(from: &MemoryFiles, to: &MemoryFiles) -> CopySummary {
        let files = list_all(from).await.unwrap();
        copy_files(from, to, files, 4, &|_, _| {}).await.unwrap()
    }

    #[tokio::test]
    async fn every_file_is_copied_once_and_a_second_run_adds_nothing() {
        let from = MemoryFiles::new();
        let to = MemoryFiles::new();
        for (key, bytes) in [
            ("fit/org_1/mem_1/2026-01-01/a.fit", vec![1u8; 100]),
            ("tcx/org_1/mem_1/2026-01-02/b.tcx", vec![2u8; 50]),
            ("gpx/org_2/mem_3/2026-01-03/c.gpx", vec![3u8; 10]),
        ] {
            from.put(key, bytes).await.unwrap();
        }
        let first = copy(&from, &to).await;
        assert_eq!(
            (first.written, first.already_there, first.replaced),
            (3, 0, 0)
        );
        assert_eq!(first.bytes, 160);
        for key in [
            "fit/org_1/mem_1/2026-01-01/a.fit",
            "tcx/org_1/mem_1/2026-01-02/b.tcx",
            "gpx/org_2/mem_3/2026-01-03/c.gpx",
        ] {
            assert_eq!(to.get(key).await.unwrap(), from.get(key).await.unwrap());
        }
        let second = copy(&from, &to).await;
        assert_eq!(
            (second.written, second.already_there, second.replaced),
            (0, 3, 0)
        );
    }

    #[tokio::test]
    async fn other_bytes_under_a_key_are_replaced_whatever_their_size() {
        let from = MemoryFiles::new();
        let to = MemoryFiles::new();
        from.put("fit/a/1.fit", vec![1, 2, 3]).await.unwrap();
        from.put("fit/a/2.fit", vec![4, 5, 6]).await.unwrap();
        // A copy cut off half-way, and one with the same size but other bytes.
        to.put("fit/a/1.fit", vec![1]).await.unwrap();
        to.put("fit/a/2.fit", vec![4, 5, 7]).await.unwrap();
        let summary = copy(&from, &to).await;
        assert_eq!((summary.written, summary.replaced), (0, 2));
        assert_eq!(to.get("fit/a/1.fit").await.unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(to.get("fit/a/2.fit").await.unwrap(), Some(vec![4, 5, 6]));
    }

    #[tokio::test]
    async fn a_file_removed_before_its_turn_is_counted_gone_and_the_rest_copied() {
        let from = MemoryFiles::new();
        let to = MemoryFiles::new();
        from.put("fit/a/1.fit", vec![1]).await.unwrap();
        from.put("fit/a/2.fit", vec![2]).await.unwrap();
        let mut files = list_all(&from).await.unwrap();
        // Listed, then removed from the source before its turn.
        from.delete("fit/a/1.fit").await.unwrap();
        files.sort_by(|a, b| a.key.cmp(&b.key));
        let summary = copy_files(&from, &to, files, 1, &|_, _| {}).await.unwrap();
        assert_eq!((summary.written, summary.gone), (1, 1), "{summary:?}");
        assert!(summary.failed.is_empty(), "{summary:?}");
        assert_eq!(to.get("fit/a/1.fit").await.unwrap(), None);
        assert_eq!(to.get("fit/a/2.fit").await.unwrap(), Some(vec![2]));
    }
}
