//! Receiving an uploaded activity file, for both surfaces: the multipart field `file`,
//! spooled to a temporary file while it is hashed (and, for FIT, decoded) chunk by chunk, so
//! memory per upload stays small whatever the file's size. Each surface words the faults in
//! its own format.

use crate::AppState;
use axum::extract::Multipart;
use axum::extract::multipart::Field;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use paceline_domain::daily::WritingClient;
use paceline_domain::entities::Membership;
use paceline_domain::files::FileFormat;
use paceline_domain::imports::{
    self, Body, Decoded, ImportError, Imported, MAX_FILE_BYTES, Received, Receiving, SNIFF_BYTES,
    Upload,
};
use tokio::io::AsyncWriteExt;

/// The request body limit of an upload: the file and the multipart framing around it.
pub(crate) const MAX_UPLOAD_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

/// The bytes of an upload gathered before each write to its spool file.
const SPOOL_BUFFER_BYTES: usize = 256 * 1024;

/// Which files a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accept {
    /// FIT files named `*.fit` in any case (Train it All).
    FitNamed,
    /// FIT, TCX or GPX, recognized by their content (Xhale).
    ActivityFiles,
}

/// The `file` field, spooled to a temporary file (removed when this is dropped, on every
/// path) while it was hashed and decoded.
pub(crate) struct Spooled {
    /// The name it came with.
    pub(crate) name: String,
    /// The spooled bytes.
    pub(crate) file: tempfile::NamedTempFile,
    /// What was learnt of it.
    pub(crate) received: Received,
}

/// Why an upload was not received.
#[derive(Debug)]
pub(crate) enum Fault {
    /// No `file` field.
    NoFile,
    /// The file is empty.
    Empty,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// The name does not end with `.fit` ([`Accept::FitNamed`]).
    NotFitName,
    /// Neither FIT, TCX nor GPX ([`Accept::ActivityFiles`]).
    Unrecognized,
    /// The multipart body is malformed or was cut short.
    Multipart(String),
    /// The spool folder failed: the server's fault.
    Spool(std::io::Error),
}

pub(crate) fn multipart_fault(failure: &MultipartError) -> Fault {
    if failure.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Fault::TooLarge
    } else {
        Fault::Multipart(failure.body_text())
    }
}

/// Receives the `file` field of an upload into `state`'s spool folder.
pub(crate) async fn receive(
    multipart: &mut Multipart,
    state: &AppState,
    accept: Accept,
) -> Result<Spooled, Fault> {
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break field,
            Ok(Some(_)) => {}
            Ok(None) => return Err(Fault::NoFile),
            Err(failure) => return Err(multipart_fault(&failure)),
        }
    };
    receive_field(field, state, accept).await
}

/// Receives one file field of an upload into `state`'s spool folder (and counts its bytes
/// in the metrics).
pub(crate) async fn receive_field(
    mut field: Field<'_>,
    state: &AppState,
    accept: Accept,
) -> Result<Spooled, Fault> {
    let spool: &std::path::Path = &state.spool;
    let name = field.file_name().unwrap_or_default().to_owned();
    if accept == Accept::FitNamed
        && (!name.to_ascii_lowercase().ends_with(".fit") || name.len() <= 4)
    {
        return Err(Fault::NotFitName);
    }
    // The first bytes say what the file is.
    let mut head: Vec<u8> = Vec::new();
    let mut ended = false;
    while head.len() < SNIFF_BYTES {
        match field.chunk().await {
            Ok(Some(chunk)) => head.extend_from_slice(&chunk),
            Ok(None) => {
                ended = true;
                break;
            }
            Err(failure) => return Err(multipart_fault(&failure)),
        }
    }
    if head.is_empty() {
        return Err(Fault::Empty);
    }
    let format = match accept {
        Accept::FitNamed => FileFormat::Fit,
        Accept::ActivityFiles => imports::sniff(&head).ok_or(Fault::Unrecognized)?,
    };
    let file = tempfile::Builder::new()
        .prefix("upload-")
        .suffix(&format!(".{}", format.as_str()))
        .tempfile_in(spool)
        .map_err(Fault::Spool)?;
    let mut writer = tokio::io::BufWriter::with_capacity(
        SPOOL_BUFFER_BYTES,
        tokio::fs::File::from_std(file.as_file().try_clone().map_err(Fault::Spool)?),
    );
    let mut receiving = match format {
        FileFormat::Fit => Receiving::new(),
        FileFormat::Tcx | FileFormat::Gpx => Receiving::hash_only(),
    };
    let mut take = |bytes: &[u8]| receiving.chunk(bytes).map_err(|_| Fault::TooLarge);
    take(&head)?;
    writer.write_all(&head).await.map_err(Fault::Spool)?;
    while !ended {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                take(&chunk)?;
                writer.write_all(&chunk).await.map_err(Fault::Spool)?;
            }
            Ok(None) => ended = true,
            Err(failure) => return Err(multipart_fault(&failure)),
        }
    }
    writer.flush().await.map_err(Fault::Spool)?;
    let mut received = receiving.finish();
    if let Some(metrics) = &state.metrics {
        metrics.uploaded(received.size);
    }
    match format {
        FileFormat::Fit if matches!(received.decoded, Decoded::NeedsWholeFile) => {
            // A swim whose strap stored its beats apart: merging them needs every record.
            let bytes = tokio::fs::read(file.path()).await.map_err(Fault::Spool)?;
            received.decoded = Decoded::whole(&bytes);
        }
        FileFormat::Fit => {}
        FileFormat::Tcx | FileFormat::Gpx => {
            // The XML readers take the whole document (at most MAX_FILE_BYTES).
            let bytes = tokio::fs::read(file.path()).await.map_err(Fault::Spool)?;
            received.decoded = Decoded::xml(format, &bytes);
        }
    }
    Ok(Spooled {
        name,
        file,
        received,
    })
}

/// Imports a received file as an activity of `membership`'s athlete, written by `client`
/// (none for the web app), and removes the spooled copy whatever the outcome.
pub(crate) async fn import(
    state: &AppState,
    membership: Membership,
    client: Option<WritingClient>,
    spooled: Spooled,
) -> Result<Imported, ImportError> {
    let upload = Upload {
        membership,
        client,
        name: Some(spooled.name).filter(|n| !n.is_empty()),
        body: Body::Spooled(spooled.file.path().to_owned()),
        received: spooled.received,
    };
    let imported = imports::import_file(
        state.store.as_ref(),
        state.files.as_ref(),
        state.clock.now(),
        &mut crate::oauth::request_rng(),
        upload,
    )
    .await;
    drop(spooled.file);
    imported
}

/// Reads what is left of an upload that is refused, within the body limit, so that a
/// client still sending receives the answer rather than a reset connection.
pub(crate) async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}
