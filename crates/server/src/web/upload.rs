//! `/upload`: several FIT, TCX or GPX files at once, each imported as the APIs import one,
//! and each file's outcome shown: new, already there, or refused with the reason in words.

use super::{Layout, Viewer};
use crate::AppState;
use crate::extract::upload::{self, Accept, Fault, multipart_fault};
use crate::oauth::csrf;
use crate::pages::PageError;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use paceline_domain::accounts;
use paceline_domain::imports::{ImportError, Imported, MAX_FILE_BYTES};

/// The most files one form takes.
pub(crate) const MAX_FILES: usize = 50;
/// The most bytes one form sends: several files of up to [`MAX_FILE_BYTES`] each.
pub(crate) const MAX_FORM_BYTES: usize = 256 * 1024 * 1024;

/// What became of one file.
pub(super) struct Outcome {
    name: String,
    /// `new`, `duplicate` or `refused`.
    kind: &'static str,
    href: Option<String>,
    message: String,
}

#[derive(Template)]
#[template(path = "app/upload.html")]
struct UploadPage {
    layout: Layout,
    outcomes: Vec<Outcome>,
    problem: Option<String>,
    max_files: usize,
    max_megabytes: usize,
}

impl UploadPage {
    fn new(viewer: &Viewer, outcomes: Vec<Outcome>, problem: Option<String>) -> Self {
        Self {
            layout: viewer.layout("Upload", "upload"),
            outcomes,
            problem,
            max_files: MAX_FILES,
            max_megabytes: MAX_FILE_BYTES / (1024 * 1024),
        }
    }

    fn count(&self, kind: &str) -> usize {
        self.outcomes.iter().filter(|o| o.kind == kind).count()
    }
}

/// `GET /upload`.
pub(crate) async fn get_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, "/upload").await?;
    Ok(viewer.render(&UploadPage::new(&viewer, Vec::new(), None)))
}

/// Why a file was refused, in words.
fn refusal(fault: &Fault) -> String {
    match fault {
        Fault::NoFile | Fault::Empty => "The file is empty.".to_owned(),
        Fault::TooLarge => format!(
            "The file is larger than {} MB, or the files together are larger than {} MB: upload fewer at once.",
            MAX_FILE_BYTES / (1024 * 1024),
            MAX_FORM_BYTES / (1024 * 1024)
        ),
        Fault::NotFitName | Fault::Unrecognized => "This is not a FIT, TCX or GPX file.".to_owned(),
        Fault::Multipart(_) => "The upload was cut short; try this file again.".to_owned(),
        Fault::Spool(_) => "The server could not take this file just now; try again.".to_owned(),
    }
}

/// `POST /upload`: the CSRF token first, then the `file` fields.
pub(crate) async fn post_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, "/upload").await?;
    let Ok(mut multipart) = multipart else {
        let problem = "Choose the files with the form below and send them with its button.";
        return Ok(viewer.render(&UploadPage::new(
            &viewer,
            Vec::new(),
            Some(problem.to_owned()),
        )));
    };
    // The form puts its token before the files, so nothing is read before it is checked.
    let token = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => field.text().await.ok(),
        _ => None,
    };
    if !csrf::verify(&state, &headers, token.as_deref()) {
        upload::drain(&mut multipart).await;
        return Err(PageError::ExpiredForm);
    }
    let membership = accounts::home_membership(state.store.as_ref(), viewer.id())
        .await?
        .ok_or(PageError::NotFound(
            "Your account has no place to keep activities.",
        ))?;
    let mut outcomes = Vec::new();
    let mut problem = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(failure) => {
                problem = Some(refusal(&multipart_fault(&failure)));
                break;
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        if outcomes.len() == MAX_FILES {
            problem = Some(format!(
                "One upload takes at most {MAX_FILES} files: the rest were not read. Upload them next."
            ));
            break;
        }
        let outcome = match upload::receive_field(field, &state, Accept::ActivityFiles).await {
            // A form sent with no file chosen carries one empty, nameless part.
            Err(Fault::Empty) if name.is_empty() => continue,
            Err(fault) => Outcome {
                name,
                kind: "refused",
                href: None,
                message: refusal(&fault),
            },
            Ok(spooled) => import(&state, &membership, spooled).await,
        };
        outcomes.push(outcome);
    }
    if outcomes.is_empty() && problem.is_none() {
        problem = Some("No file was chosen.".to_owned());
    }
    Ok(viewer.render(&UploadPage::new(&viewer, outcomes, problem)))
}

/// Imports one received file.
async fn import(
    state: &AppState,
    membership: &paceline_domain::entities::Membership,
    spooled: upload::Spooled,
) -> Outcome {
    let name = spooled.name.clone();
    let imported = upload::import(state, membership.clone(), None, spooled).await;
    let href = |id: paceline_domain::ids::ActivityId| Some(format!("/activities/{}", id.public()));
    let refused = |message: String| Outcome {
        name: name.clone(),
        kind: "refused",
        href: None,
        message,
    };
    match imported {
        Ok(Imported::New { id, .. }) => Outcome {
            name,
            kind: "new",
            href: href(id),
            message: "Added.".to_owned(),
        },
        Ok(Imported::Duplicate { id }) => Outcome {
            name,
            kind: "duplicate",
            href: href(id),
            message: "Already there: you uploaded this file before.".to_owned(),
        },
        Err(ImportError::Invalid(why)) => refused(format!("This FIT file cannot be read: {why}.")),
        Err(ImportError::InvalidXml { format, error }) => refused(format!(
            "This {} file cannot be read: {error}.",
            format.as_str().to_uppercase()
        )),
        Err(ImportError::NotAnActivity { file_type }) => refused(format!(
            "This is {file_type}, not an activity: upload what your device recorded."
        )),
        Err(failure @ (ImportError::Files(_) | ImportError::Store(_))) => {
            tracing::error!(error = %failure, "an upload from the web app failed");
            refused("The server could not keep this file just now; try again.".to_owned())
        }
    }
}
