//! `paceline db copy --from URL --to URL`: a whole installation's database into a new,
//! empty one of the other engine, with a progress bar on standard error, and a summary of
//! what was copied and checked.

use crate::Failure;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use paceline_store_sql::Database;
use paceline_store_sql::copy::{CopyError, CopyProgress, copy_database};

pub(crate) async fn run(from: &str, to: &str) -> Result<(), Failure> {
    let parse = |url: &str, which: &str| {
        Database::from_url(url.trim())
            .with_context(|| format!("{which} is not a database URL"))
            .map_err(|e| Failure::refused("bad-url", &format!("{e:#}")))
    };
    let (source, target) = (parse(from, "--from")?, parse(to, "--to")?);
    if source == target {
        return Err(Failure::refused(
            "same-database",
            "--from and --to name the same database",
        ));
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} rows, {msg}, {elapsed} so far, about {eta} left",
    ) {
        bar.set_style(style);
    }
    let progress = |event: CopyProgress| match event {
        CopyProgress::Counted { rows, .. } => bar.set_length(rows),
        CopyProgress::Table { name, .. } => bar.set_message(name),
        CopyProgress::Rows(rows) => bar.inc(rows),
        CopyProgress::Verifying => bar.set_message("checking the copy"),
    };
    let copied = copy_database(&source, &target, &progress).await;
    bar.finish_and_clear();
    match copied {
        Ok(report) => {
            println!(
                "Copied {} rows in {} tables from {} to {}; every table's row count and set of keys match.",
                report.rows(),
                report.tables.len(),
                source.redacted(),
                target.redacted()
            );
            Ok(())
        }
        Err(error @ CopyError::TargetNotEmpty { .. }) => {
            Err(Failure::refused("target-not-empty", &error.to_string()))
        }
        Err(error @ CopyError::NoPostgres) => {
            Err(Failure::refused("no-postgres", &error.to_string()))
        }
        Err(error @ CopyError::NoSource(_)) => {
            Err(Failure::refused("no-source", &error.to_string()))
        }
        Err(error @ CopyError::OtherVersion { .. }) => {
            Err(Failure::refused("other-version", &error.to_string()))
        }
        Err(error) => Err(Failure::system(&anyhow::Error::new(error))),
    }
}
