//! `paceline files copy --from DIR | --to DIR`: every stored file between a folder and the
//! configured storage (`[files.s3]`, or the data folder's `files`), with a progress bar over
//! the bytes, SHA-256 checks, and a summary; resumable by running it again.

use crate::Failure;
use crate::config::{FileStorage, Settings};
use crate::progress::copy_with_bar;
use crate::serve::open_files;
use paceline_domain::files::BlobStore;
use paceline_domain::files::list_all;
use paceline_files::ObjectFiles;
use std::path::{Path, PathBuf};

fn storage_failed(error: paceline_domain::files::BlobError) -> Failure {
    Failure::system(&anyhow::Error::new(error))
}

fn same_folder(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    resolve(a) == resolve(b)
}

pub(crate) async fn run(
    settings: &Settings,
    from: Option<&Path>,
    to: Option<&Path>,
    parallel: usize,
) -> Result<(), Failure> {
    let folder: PathBuf = from
        .or(to)
        .map(Path::to_path_buf)
        .ok_or_else(|| Failure::refused("missing-folder", "give --from DIR or --to DIR"))?;
    if let FileStorage::Local(configured) = &settings.files
        && same_folder(configured, &folder)
    {
        return Err(Failure::refused(
            "same-storage",
            &format!(
                "{} is the configured storage itself; configure the other side ([files.s3] or PACELINE_S3_*) first",
                folder.display()
            ),
        ));
    }
    if from.is_some() && !folder.is_dir() {
        return Err(Failure::refused(
            "no-such-folder",
            &format!("{} is not a folder", folder.display()),
        ));
    }
    let configured = open_files(&settings.files)
        .await
        .map_err(|e| Failure::system(&e))?;
    let local = ObjectFiles::local(&folder).map_err(storage_failed)?;
    let (source, target): (&dyn BlobStore, &dyn BlobStore) = if from.is_some() {
        (&local, &configured)
    } else {
        (&configured, &local)
    };
    let files = list_all(source).await.map_err(storage_failed)?;
    let total: u64 = files.iter().map(|f| f.size).sum();
    let count = files.len();
    let summary = copy_with_bar(source, target, files, parallel, "files")
        .await
        .map_err(storage_failed)?;
    println!(
        "{count} files ({total} bytes): {} copied, {} already there, {} replaced, {} failed, {} \
         removed meanwhile.",
        summary.written,
        summary.already_there,
        summary.replaced,
        summary.failed.len(),
        summary.gone
    );
    if summary.failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::system(&anyhow::anyhow!(
            "{} files were not copied (named above); running the same command again tries them again",
            summary.failed.len()
        )))
    }
}
