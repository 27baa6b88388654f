//! `training_log_files_to_add`: uploaded files attached to a training session or a race in
//! the same write (the store attaches them in the write's transaction, and recomputes the
//! completed figures of every session they touch).

use crate::api::xhale::error::XhaleError;
use crate::api::xhale::input::{FieldErrors, Fields};
use paceline_domain::files::FileId;

/// The field that names files to attach.
pub(crate) const FILES_TO_ADD: &str = "training_log_files_to_add";

/// Reads the ids of files to attach.
pub(crate) fn read(fields: &mut Fields<'_>) -> Vec<FileId> {
    fields.ids(FILES_TO_ADD).into_iter().map(FileId).collect()
}

/// 400 naming each id that is not one of the athlete's files.
pub(crate) fn unknown(missing: &[FileId]) -> XhaleError {
    let mut errors = FieldErrors::default();
    for id in missing {
        errors.add(
            FILES_TO_ADD,
            format!("Invalid pk \"{}\" - object does not exist.", id.0),
        );
    }
    XhaleError::Fields(errors)
}
