//! Training files: `POST /api/uploads/` (FIT, TCX or GPX, recognized by content),
//! `DELETE /api/uploads/{id}/` and `GET /api/uploads/pending/` (files attached to no
//! session or race). An upload is the same activity on the Train it All surface.

use crate::AppState;
use crate::api::xhale::access;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use crate::api::xhale::input::FieldErrors;
use crate::api::xhale::wire::datetime;
use crate::extract::upload::{self, Accept, Fault, drain};
use crate::failure::Failure;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use paceline_domain::accounts;
use paceline_domain::calendar::Entry;
use paceline_domain::daily::WritingClient;
use paceline_domain::files::{FileId, KeptFile, MAX_PENDING_FILES};
use paceline_domain::imports::{ImportError, Imported, MAX_FILE_BYTES};
use paceline_domain::oauth::Scope;
use serde::Serialize;
use utoipa::ToSchema;

/// An uploaded file as this surface shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = Upload)]
pub(crate) struct UploadItem {
    id: i64,
    athlete: i64,
    /// The file's name as uploaded.
    #[schema(required = true)]
    filename: Option<String>,
    #[schema(value_type = FileType, inline)]
    file_type: &'static str,
    /// Bytes.
    size: u64,
    sha256: String,
    /// UTC, e.g. 2015-06-18T02:03:14.513292
    datetime_uploaded: String,
    /// The activity made from it, on the Train it All surface.
    #[schema(required = true)]
    activity_id: Option<String>,
    /// The session it is attached to.
    #[schema(required = true)]
    training_session: Option<i64>,
    /// The race it is attached to.
    #[schema(required = true)]
    race: Option<i64>,
}

/// The kinds of file an upload may be.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum FileType {
    Fit,
    Tcx,
    Gpx,
}

impl From<&KeptFile> for UploadItem {
    fn from(kept: &KeptFile) -> Self {
        let (session, race) = match kept.attached_to {
            Some(Entry::Session(id)) => (Some(id.0), None),
            Some(Entry::Race(id)) => (None, Some(id.0)),
            None => (None, None),
        };
        Self {
            id: kept.id.0,
            athlete: kept.user_id.get(),
            filename: kept.file.original_name.clone(),
            file_type: kept.file.format.as_str(),
            size: kept.file.size_bytes,
            sha256: kept.file.sha256.clone(),
            datetime_uploaded: datetime(kept.created_at),
            activity_id: kept.activity_id.map(|id| id.public()),
            training_session: session,
            race,
        }
    }
}

fn file_error(message: String) -> XhaleError {
    let mut errors = FieldErrors::default();
    errors.add("file", message);
    XhaleError::Fields(errors)
}

/// An upload not received, in this surface's words.
fn refused(fault: Fault) -> XhaleError {
    match fault {
        Fault::NoFile => file_error("No file was submitted.".into()),
        Fault::Empty => file_error("The submitted file is empty.".into()),
        Fault::TooLarge => XhaleError::detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The file is larger than {MAX_FILE_BYTES} bytes (25 MB)."),
        ),
        Fault::NotFitName | Fault::Unrecognized => XhaleError::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported file type: upload a FIT, TCX or GPX activity file.",
        ),
        Fault::Multipart(why) => XhaleError::detail(
            StatusCode::BAD_REQUEST,
            format!("Multipart form parse error - {why}"),
        ),
        Fault::Spool(cause) => XhaleError::Failure(Failure::Unavailable(format!(
            "cannot spool the upload: {cause}"
        ))),
    }
}

/// `POST /api/uploads/`: 201 with the new file, 200 with the one uploaded before when the
/// same bytes come again, 415 for a file that is not an activity file. Scopes `write` and
/// `upload`.
pub(crate) async fn create_upload(
    State(state): State<AppState>,
    auth: Result<XhaleAuth, XhaleError>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> XhaleResult<(StatusCode, Json<UploadItem>)> {
    let Ok(mut multipart) = multipart else {
        return Err(XhaleError::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type: send multipart/form-data with the file in the field `file`.",
        ));
    };
    let ready = async {
        let auth = auth?;
        let grant = auth.require(&[Scope::Write, Scope::Upload])?.clone();
        let subject = access::subject_from_query(&state, grant.user_id, raw.as_deref()).await?;
        Ok::<_, XhaleError>((grant, subject))
    };
    let (grant, subject) = match ready.await {
        Ok(ready) => ready,
        Err(refusal) => {
            drain(&mut multipart).await;
            return Err(refusal);
        }
    };
    let spooled = match upload::receive(&mut multipart, &state, Accept::ActivityFiles).await {
        Ok(spooled) => spooled,
        Err(fault) => {
            drain(&mut multipart).await;
            return Err(refused(fault));
        }
    };
    let membership = accounts::home_membership(state.store.as_ref(), subject.athlete)
        .await?
        .ok_or(XhaleError::NotFound)?;
    let sha256 = spooled.received.sha256.clone();
    let client = WritingClient {
        key: grant.client,
        client_id: grant.client_id.clone(),
    };
    let imported = upload::import(&state, membership, Some(client), spooled).await;
    let status = match imported {
        Ok(Imported::New { .. }) => StatusCode::CREATED,
        Ok(Imported::Duplicate { .. }) => StatusCode::OK,
        Err(ImportError::Invalid(why)) => {
            return Err(file_error(format!("Not a valid FIT file: {why}.")));
        }
        Err(ImportError::InvalidXml { format, error }) => {
            return Err(file_error(format!(
                "Not a valid {} file: {error}.",
                format.as_str().to_uppercase()
            )));
        }
        Err(ImportError::NotAnActivity { file_type }) => {
            return Err(XhaleError::detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("This is {file_type}, not an activity: upload an activity file."),
            ));
        }
        Err(ImportError::Files(cause)) => return Err(cause.into()),
        Err(ImportError::Store(cause)) => return Err(cause.into()),
    };
    let kept = state
        .store
        .file_by_hash(subject.athlete, &sha256)
        .await?
        .ok_or(XhaleError::NotFound)?;
    Ok((status, Json(UploadItem::from(&kept))))
}

/// `GET /api/uploads/pending/`: the files attached to no session or race, the newest
/// [`MAX_PENDING_FILES`] of them, oldest first. Scope `read`.
pub(crate) async fn list_pending_uploads(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
) -> XhaleResult<Json<Vec<UploadItem>>> {
    let grant = auth.require(&[Scope::Read])?;
    let subject = access::subject_from_query(&state, grant.user_id, raw.as_deref()).await?;
    let files = state
        .store
        .pending_files(subject.athlete, MAX_PENDING_FILES)
        .await?;
    Ok(Json(files.iter().map(UploadItem::from).collect()))
}

/// `DELETE /api/uploads/{id}/`: the file, its activity, and what they gave the session they
/// were attached to; 204. Scopes `write` and `upload`.
pub(crate) async fn delete_upload(
    State(state): State<AppState>,
    auth: XhaleAuth,
    Path(raw_id): Path<String>,
) -> XhaleResult<StatusCode> {
    let grant = auth.require(&[Scope::Write, Scope::Upload])?;
    let id = FileId(access::path_id(&raw_id)?);
    let owner = state.store.file_owner(id).await;
    let subject = access::owned_by(&state, grant.user_id, owner).await?;
    let kept = state
        .store
        .delete_file(subject.athlete, id, state.clock.now())
        .await?
        .ok_or(XhaleError::NotFound)?;
    // No row points to the bytes now; should removing them fail, the orphan sweep will.
    if let Err(cause) = state.files.delete(&kept.file.storage_key).await {
        tracing::warn!(%cause, "an uploaded file's bytes were left to the orphan sweep");
    }
    Ok(StatusCode::NO_CONTENT)
}
