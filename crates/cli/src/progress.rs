//! Progress shown on standard error while a command copies stored files.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use paceline_domain::files::copy::{CopySummary, copy_files};
use paceline_domain::files::{BlobError, BlobStore, StoredFile};

/// Copies `files` from `from` to `to`, `parallel` at once, with a bar of the bytes done
/// labelled `what`; a file that fails is named above the bar and counted in the summary.
pub(crate) async fn copy_with_bar(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    files: Vec<StoredFile>,
    parallel: usize,
    what: &str,
) -> Result<CopySummary, BlobError> {
    let total: u64 = files.iter().map(|f| f.size).sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}, about {eta} left")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    let done = |file: &StoredFile, outcome: &Result<_, BlobError>| {
        bar.inc(file.size);
        if let Err(error) = outcome {
            bar.println(format!("not copied: {}: {error}", file.key));
        }
    };
    let summary = copy_files(from, to, files, parallel, &done).await;
    bar.finish_and_clear();
    summary
}
