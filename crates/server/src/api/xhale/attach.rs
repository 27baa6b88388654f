//! `training_log_files_to_add`: uploaded files attached to a training session or a race in
//! the same write, for sessions recomputing the completed figures from them.

use crate::AppState;
use crate::api::xhale::auth::unavailable;
use crate::api::xhale::input::{FieldErrors, Fields};
use axum::response::{IntoResponse, Response};
use paceline_domain::calendar::{self, AttachedWork, Entry};
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;

/// The field that names files to attach.
pub(crate) const FILES_TO_ADD: &str = "training_log_files_to_add";

/// Reads the ids of files to attach.
pub(crate) fn read(fields: &mut Fields<'_>) -> Vec<FileId> {
    fields.ids(FILES_TO_ADD).into_iter().map(FileId).collect()
}

fn unknown(missing: &[FileId]) -> Response {
    let mut errors = FieldErrors::default();
    for id in missing {
        errors.add(
            FILES_TO_ADD,
            format!("Invalid pk \"{}\" - object does not exist.", id.0),
        );
    }
    errors.into_response()
}

/// Checks that every id names one of the athlete's files; 400 naming the others.
pub(crate) async fn check(
    state: &AppState,
    athlete: UserId,
    ids: &[FileId],
) -> Result<(), Response> {
    let mut missing = Vec::new();
    for id in ids {
        match state.store.get_file(athlete, *id).await {
            Ok(Some(_)) => {}
            Ok(None) => missing.push(*id),
            Err(cause) => return Err(unavailable(&cause)),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(unknown(&missing))
    }
}

/// Attaches the files to `to`, then answers what every file attached to it gives.
pub(crate) async fn attach(
    state: &AppState,
    athlete: UserId,
    ids: &[FileId],
    to: Entry,
) -> Result<AttachedWork, Response> {
    match state
        .store
        .attach_files(athlete, ids, to, state.clock.now())
        .await
    {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) => return Err(unknown(&missing)),
        Err(cause) => return Err(unavailable(&cause)),
    }
    calendar::attached_work(state.store.as_ref(), athlete, to)
        .await
        .map_err(|cause| unavailable(&cause))
}
