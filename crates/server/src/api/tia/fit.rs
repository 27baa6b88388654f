//! `POST /api/external/v1/fit-files` (spec 5.2.1) and `GET
//! /api/external/v1/activities/<id>/fit` (spec 5.2.2).
//!
//! An upload is `multipart/form-data` with the file in the field `file`, named `*.fit`
//! (any case), at most 25 MB. While its bytes arrive they are hashed (SHA-256), decoded and
//! spooled to a temporary file in `AppState::spool`, from which the file storage copies
//! them: memory per upload stays small whatever the file's size. A new import
//! answers 201 `{ id, storageKey }`; a file the user uploaded before answers 200
//! `{ id, duplicate: true }`. A download answers the uploaded FIT file, or a FIT written
//! from what is kept of the activity (`activities::fit_file`): the legs, laps and records
//! of a TCX or GPX file, or the figures of an activity that came without a file.

use crate::AppState;
use crate::api::tia::activities::home;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::error::{TiaError, TiaResult};
use crate::api::tia::schemas::{Duplicate, Uploaded};
use crate::extract::upload::{self, Accept, Fault, drain};
use crate::failure::Failure;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use paceline_domain::activities::fit_file::{FitFileError, fit_file};
use paceline_domain::daily::WritingClient;
use paceline_domain::ids::ActivityId;
use paceline_domain::imports::{ImportError, Imported};
use paceline_domain::oauth::Scope;

fn too_large() -> TiaError {
    TiaError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "The file is larger than 25 MB.",
        "payload_too_large",
        "Upload FIT files of at most 25 MB.",
    )
}

fn bad_upload(message: impl Into<String>, hint: &str) -> TiaError {
    TiaError::refused(StatusCode::BAD_REQUEST, message, "invalid_upload", hint)
}

/// An upload not received, in this surface's words.
fn refused(fault: Fault) -> TiaError {
    match fault {
        Fault::NoFile => bad_upload(
            "The upload has no `file` field.",
            "Send the file as the multipart field `file` (curl -F \"file=@activity.fit\").",
        ),
        Fault::Empty => bad_upload(
            "The file is empty.",
            "Upload the FIT file the device wrote.",
        ),
        Fault::TooLarge => too_large(),
        Fault::NotFitName | Fault::Unrecognized => bad_upload(
            "The file name must end with .fit.",
            "Name the file activity.fit (the extension may be in any case).",
        ),
        Fault::Multipart(why) => bad_upload(
            format!("The multipart body could not be read: {why}."),
            "Send multipart/form-data with the file in the field `file`.",
        ),
        Fault::Spool(cause) => {
            Failure::Unavailable(format!("cannot spool the upload: {cause}")).into()
        }
    }
}

/// `POST /fit-files`. Scope `activities:write`.
pub(crate) async fn upload_fit_file(
    State(state): State<AppState>,
    auth: Result<TiaAuth, TiaError>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> TiaResult {
    let Ok(mut multipart) = multipart else {
        return Err(TiaError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported content type: the upload must be multipart/form-data.",
            "unsupported_media_type",
            "Send multipart/form-data with the file in the field `file`.",
        ));
    };
    // A refused request still reads the body it was sent, so the client sees the answer.
    let grant = match auth.and_then(|auth| auth.require(Scope::ActivitiesWrite).cloned()) {
        Ok(grant) => grant,
        Err(refusal) => {
            drain(&mut multipart).await;
            return Err(refusal);
        }
    };
    let spooled = match upload::receive(&mut multipart, &state, Accept::FitNamed).await {
        Ok(spooled) => spooled,
        Err(fault) => {
            drain(&mut multipart).await;
            return Err(refused(fault));
        }
    };
    let membership = home(&state, &grant).await?;
    let client = WritingClient {
        key: grant.client,
        client_id: grant.client_id.clone(),
    };
    let imported = upload::import(&state, membership, Some(client), spooled).await;
    match imported {
        Ok(Imported::New { id, storage_key }) => {
            let uploaded = Uploaded {
                id: id.public(),
                storage_key,
            };
            Ok((StatusCode::CREATED, Json(uploaded)).into_response())
        }
        Ok(Imported::Duplicate { id }) => {
            Ok((StatusCode::OK, Json(Duplicate::of(id.public()))).into_response())
        }
        Err(ImportError::Invalid(why)) => Err(TiaError::refused(
            StatusCode::BAD_REQUEST,
            format!("This is not a valid FIT file: {why}."),
            "invalid_fit",
            "Upload the .fit file exactly as the device wrote it.",
        )),
        Err(ImportError::InvalidXml { .. }) => Err(TiaError::refused(
            StatusCode::BAD_REQUEST,
            "This is not a FIT file.",
            "invalid_fit",
            "Upload the .fit file exactly as the device wrote it.",
        )),
        Err(ImportError::NotAnActivity { file_type }) => Err(TiaError::refused(
            StatusCode::BAD_REQUEST,
            format!("This is {file_type}, not an activity."),
            "not_an_activity",
            "Upload an activity file (FIT file type `activity`).",
        )),
        Err(ImportError::Files(cause)) => Err(cause.into()),
        Err(ImportError::Store(cause)) => Err(cause.into()),
    }
}

fn not_found() -> TiaError {
    TiaError::refused(
        StatusCode::NOT_FOUND,
        "Not found.",
        "not_found",
        "No activity of yours has this id.",
    )
}

/// `GET /activities/<id>/fit`: exactly one FIT per activity. Scope `activities:read`.
pub(crate) async fn get_activity_fit(
    State(state): State<AppState>,
    auth: TiaAuth,
    Path(id): Path<String>,
) -> TiaResult {
    let grant = auth.require(Scope::ActivitiesRead)?;
    // A malformed id, another kind's id and another user's activity all answer alike.
    let id = ActivityId::from_public(&id).ok_or_else(not_found)?;
    let bytes = fit_file(
        state.store.as_ref(),
        state.files.as_ref(),
        grant.user_id,
        id,
    )
    .await
    .map_err(|error| match error {
        FitFileError::Files(cause) => TiaError::from(cause),
        FitFileError::Store(cause) => cause.into(),
        // A lost file, or stored streams that no longer read back: nothing the client
        // can change.
        missing @ FitFileError::Missing(_) => Failure::internal(missing.to_string()).into(),
        FitFileError::Detail(cause) => Failure::internal(cause.to_string()).into(),
    })?
    .ok_or_else(not_found)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}.fit\"", id.public()))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_lowercase_hex() {
        use paceline_domain::oauth::secret::hex;
        use sha2::{Digest, Sha256};
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
