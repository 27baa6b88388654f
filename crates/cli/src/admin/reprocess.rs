//! `paceline admin reprocess`: the activities imported before laps and record streams were
//! kept get them from their kept files, with a progress bar on a terminal. Stopped at any
//! point, it is finished by running it again (`activities::reprocess`).

use super::{Output, stored};
use crate::Failure;
use crate::config::Settings;
use crate::serve::open_files;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use paceline_domain::Store;
use paceline_domain::activities::reprocess::{self, Outcome};
use serde_json::json;

pub(super) async fn run(
    settings: &Settings,
    store: &dyn Store,
    json: bool,
) -> Result<Output, Failure> {
    let files = open_files(&settings.files)
        .await
        .map_err(|e| Failure::system(&e))?;
    let total = reprocess::pending(store).await.map_err(stored)?;
    // Drawn on standard error, and only on a terminal; never with --json.
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} activities, {elapsed} so far, about {eta} left",
    ) {
        bar.set_style(style);
    }
    let summary = reprocess::reprocess(store, &files, |kept, outcome| {
        bar.inc(1);
        if let Outcome::Skipped(why) = outcome {
            bar.println(format!("skipped file {}: {why}", kept.id.0));
        }
    })
    .await
    .map_err(stored)?;
    bar.finish_and_clear();
    let skipped: Vec<_> = summary
        .skipped
        .iter()
        .map(|(file, why)| json!({ "file_id": file.0, "reason": why }))
        .collect();
    let mut text = format!(
        "Reprocessed {} activities ({} records).",
        summary.done, summary.points
    );
    if !summary.skipped.is_empty() {
        text.push_str(&format!(
            " {} skipped; running again tries them again.",
            summary.skipped.len()
        ));
    }
    Ok(Output {
        text,
        json: json!({
            "reprocessed": summary.done,
            "records": summary.points,
            "skipped": skipped,
        }),
    })
}
