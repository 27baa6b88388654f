//! Importing activity files: an uploaded FIT file becomes an activity, its bytes kept in
//! the [`BlobStore`] and its SHA-256 making a second upload of the same file by the same
//! user a duplicate.
//!
//! An upload is taken in as it arrives ([`Receiving`]): each chunk is hashed and decoded
//! right away, keeping the summary, the laps and the records only in their stored form
//! (about ten bytes a record, against the twenty to forty the FIT file spends), while the
//! caller spools the bytes to a temporary file, from which the [`BlobStore`] copies them.
//! The activity, its file's row, its laps and its record streams are then written in one
//! transaction: an activity is never without them.
//!
//! The order makes crashes harmless: the file is written before the row that points to it,
//! so no row is ever without its file; a file whose row never came is an orphan that
//! [`crate::files::remove_orphans`] removes.

use crate::activities::{
    ActivityOrigin, ActivityType, Detail, Leg, NewActivity, SourceEntry, StoredStreams, figures_of,
    instant,
};
use crate::daily::WritingClient;
use crate::entities::Membership;
use crate::files::{BlobError, BlobStore, FileFormat, NewFile, storage_key};
use crate::ids::{ActivityId, CROCKFORD};
use crate::oauth::secret::hex;
use crate::store::{Store, StoreError};
use paceline_activity::fit::{
    self, ActivityStream, ActivitySummary, DecodedActivity, FileId, FitError, FitTime, LapSummary,
    LegSummary, RecordStreams,
};
use paceline_activity::xml::XmlError;
use paceline_activity::{gpx, tcx};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use time::OffsetDateTime;

/// The provider of a source made from a FIT file.
pub const FIT_PROVIDER: &str = "FIT";

/// How many of a file's first bytes [`sniff`] needs to see.
pub const SNIFF_BYTES: usize = 4096;

/// The largest file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// An uploaded file.
#[derive(Debug)]
pub struct Upload {
    /// The athlete's membership it is filed under (and its user).
    pub membership: Membership,
    /// The client that uploaded it, if any.
    pub client: Option<WritingClient>,
    /// The name it came with.
    pub name: Option<String>,
    /// Its bytes.
    pub body: Body,
    /// What was learnt while they arrived.
    pub received: Received,
}

/// Where an upload's bytes are.
#[derive(Debug)]
pub enum Body {
    /// Spooled to this file while they arrived; the caller removes it afterwards.
    Spooled(PathBuf),
    /// In memory (files Paceline makes itself, such as the demo's).
    Memory(Vec<u8>),
}

/// An upload of `bytes`, already in memory: hashed and decoded at once.
pub fn received(bytes: &[u8]) -> Result<Received, TooLarge> {
    let mut receiving = Receiving::new();
    receiving.chunk(bytes)?;
    let mut received = receiving.finish();
    if matches!(received.decoded, Decoded::NeedsWholeFile) {
        received.decoded = Decoded::whole(bytes);
    }
    Ok(received)
}

/// The format of a file from its first bytes: FIT by its header's `.FIT` signature, TCX
/// and GPX by their root element.
pub fn sniff(head: &[u8]) -> Option<FileFormat> {
    if head.get(8..12) == Some(b".FIT".as_slice()) {
        return Some(FileFormat::Fit);
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('<') {
        return None;
    }
    // The root element: the first start tag that is not a declaration, comment or DTD.
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        rest = rest.get(at + 1..).unwrap_or_default();
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let local = name.rsplit(':').next().unwrap_or_default();
        return match local {
            "TrainingCenterDatabase" => Some(FileFormat::Tcx),
            "gpx" => Some(FileFormat::Gpx),
            _ => None,
        };
    }
    None
}

/// A whole file, already in memory, as an upload receives it: its format recognized by
/// [`sniff`], hashed and decoded. `None` when it is none of FIT, TCX and GPX.
///
/// # Errors
/// [`TooLarge`] past [`MAX_FILE_BYTES`].
pub fn received_file(bytes: &[u8]) -> Result<Option<(FileFormat, Received)>, TooLarge> {
    let Some(format) = sniff(bytes.get(..SNIFF_BYTES).unwrap_or(bytes)) else {
        return Ok(None);
    };
    let received = match format {
        FileFormat::Fit => received(bytes)?,
        FileFormat::Tcx | FileFormat::Gpx => {
            let mut receiving = Receiving::hash_only();
            receiving.chunk(bytes)?;
            let mut received = receiving.finish();
            received.decoded = Decoded::xml(format, bytes);
            received
        }
    };
    Ok(Some((format, received)))
}

/// The upload is larger than [`MAX_FILE_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the file is larger than {MAX_FILE_BYTES} bytes")]
pub struct TooLarge;

/// An upload as it arrives: hashed and decoded chunk by chunk.
pub struct Receiving {
    hasher: Sha256,
    size: usize,
    /// The decoder, until the file is refused.
    stream: Option<ActivityStream>,
    refused: Option<FitError>,
}

impl Default for Receiving {
    fn default() -> Self {
        Self::new()
    }
}

impl Receiving {
    /// Nothing received yet of a FIT file.
    pub fn new() -> Self {
        Self {
            hasher: Sha256::new(),
            size: 0,
            stream: Some(ActivityStream::new()),
            refused: None,
        }
    }

    /// Nothing received yet of a file decoded once it is whole (TCX and GPX): only hashed
    /// as it arrives.
    pub fn hash_only() -> Self {
        Self {
            hasher: Sha256::new(),
            size: 0,
            stream: None,
            refused: None,
        }
    }

    /// Takes the next chunk. A file the decoder refuses is still received to its end
    /// (hashed, so that a duplicate is recognized), but no longer decoded.
    ///
    /// # Errors
    /// [`TooLarge`] past [`MAX_FILE_BYTES`]: stop receiving.
    pub fn chunk(&mut self, bytes: &[u8]) -> Result<(), TooLarge> {
        if self.size + bytes.len() > MAX_FILE_BYTES {
            return Err(TooLarge);
        }
        self.size += bytes.len();
        self.hasher.update(bytes);
        if let Some(stream) = &mut self.stream
            && let Err(error) = stream.feed(bytes)
        {
            self.refused = Some(error);
            self.stream = None;
        }
        Ok(())
    }

    /// The bytes received so far.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The whole file has arrived.
    pub fn finish(self) -> Received {
        let decoded = match (self.refused, self.stream) {
            (Some(error), _) => Decoded::Refused(error),
            (None, Some(stream)) => match stream.finish_stored() {
                Ok(Some(streamed)) => Decoded::Activity {
                    streams: StoredStreams::from_stored(streamed.stored_streams, streamed.points),
                    decoded: Box::new(streamed.activity),
                },
                Ok(None) => Decoded::NeedsWholeFile,
                Err(error) => Decoded::Refused(error),
            },
            (None, None) => Decoded::NeedsWholeFile,
        };
        Received {
            sha256: hex(&self.hasher.finalize()),
            size: self.size as u64,
            decoded,
        }
    }
}

/// What was learnt of an upload while it arrived.
#[derive(Debug)]
pub struct Received {
    /// The SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// What the decoder made of it.
    pub decoded: Decoded,
}

/// What the decoder made of an upload.
#[derive(Debug)]
pub enum Decoded {
    /// A FIT activity, its record streams in their stored form (the decoded activity's own
    /// streams are empty when it was decoded as it arrived).
    Activity {
        /// The activity.
        decoded: Box<DecodedActivity>,
        /// Its records, stored.
        streams: StoredStreams,
    },
    /// Not a FIT activity file.
    Refused(FitError),
    /// A file whose heart rates a strap stored apart (swims): decode the whole file with
    /// [`Decoded::whole`].
    NeedsWholeFile,
    /// A TCX or GPX file, decoded whole ([`Decoded::xml`]) into the FIT model.
    Xml {
        /// Which.
        format: FileFormat,
        /// The activity with its streams, or why it is refused.
        decoded: Result<Box<DecodedActivity>, XmlError>,
    },
}

impl Decoded {
    /// Decodes a whole TCX or GPX file (a FIT file is decoded as it arrives).
    pub fn xml(format: FileFormat, bytes: &[u8]) -> Self {
        let decoded = match format {
            FileFormat::Tcx => tcx::decode_tcx_activity(bytes).map(|file| {
                let records = file.streams.len();
                as_decoded(file.summary, file.legs, file.laps, file.streams, records)
            }),
            FileFormat::Gpx => gpx::decode_gpx_activity(bytes).map(|file| {
                let records = file.streams.len();
                as_decoded(file.summary, Vec::new(), Vec::new(), file.streams, records)
            }),
            FileFormat::Fit => return Self::whole(bytes),
        };
        Self::Xml {
            format,
            decoded: decoded.map(Box::new),
        }
    }

    /// Decodes a whole file, for [`Decoded::NeedsWholeFile`].
    pub fn whole(bytes: &[u8]) -> Self {
        match fit::decode_activity(bytes) {
            Ok(activity) => Self::Activity {
                streams: StoredStreams::encode(&activity.streams),
                decoded: Box::new(activity),
            },
            Err(error) => Self::Refused(error),
        }
    }
}

/// A TCX or GPX file in the FIT model, which every import and encoder reads.
fn as_decoded(
    summary: ActivitySummary,
    legs: Vec<LegSummary>,
    laps: Vec<LapSummary>,
    streams: RecordStreams,
    records: usize,
) -> DecodedActivity {
    DecodedActivity {
        file_id: FileId::default(),
        contains_activity_file: true,
        fit_files: 0,
        summary,
        legs,
        laps,
        streams,
        devices: Vec::new(),
        rr_intervals_ms: Vec::new(),
        length_count: 0,
        record_messages: records,
        activity: None,
    }
}

/// The laps and streams of a kept file, decoded again (reprocessing, or a download of an
/// activity imported before they were kept); `None` for a file that no longer decodes.
pub fn detail_of_file(format: FileFormat, bytes: &[u8]) -> Option<Detail> {
    match Decoded::xml(format, bytes) {
        Decoded::Activity { decoded, streams } => Some(Detail::of(&decoded, streams)),
        Decoded::Xml {
            decoded: Ok(decoded),
            ..
        } => Some(Detail::of(
            &decoded,
            StoredStreams::encode(&decoded.streams),
        )),
        _ => None,
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A new activity, its file stored under `storage_key`.
    New {
        /// The activity.
        id: ActivityId,
        /// Where the file is.
        storage_key: String,
    },
    /// The user had uploaded this file before: that activity.
    Duplicate {
        /// The activity.
        id: ActivityId,
    },
}

/// Why an upload was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a readable FIT file (corrupt, truncated, not FIT at all).
    #[error("not a valid FIT file: {0}")]
    Invalid(FitError),
    /// Not a readable TCX or GPX file (malformed, hostile, too large).
    #[error("not a valid {} file: {error}", format.as_str().to_uppercase())]
    InvalidXml {
        /// Which format it claimed.
        format: FileFormat,
        /// What is wrong.
        error: XmlError,
    },
    /// A valid file of another kind: a FIT workout, settings or course, a TCX workout, a
    /// GPX file of routes...
    #[error("this is {file_type}, not an activity")]
    NotAnActivity {
        /// What it is: for FIT, its file type as the profile names it.
        file_type: String,
    },
    /// The file storage failed.
    #[error(transparent)]
    Files(#[from] BlobError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Random characters of a storage key: 16 of Crockford's base 32 (80 bits).
fn random_name(rng: &mut impl Rng) -> String {
    (0..16)
        .map(|_| {
            let i = rng.random_range(0..CROCKFORD.len());
            CROCKFORD.get(i).map_or('0', |b| char::from(*b))
        })
        .collect()
}

/// The activity a decoded file describes; `created` is the file's creation time, the start
/// when the summary has none.
fn activity_of(
    summary: &ActivitySummary,
    legs: &[LegSummary],
    created: Option<FitTime>,
    format: FileFormat,
    upload: &Upload,
    now: OffsetDateTime,
) -> NewActivity {
    let instant = |t: Option<FitTime>| t.and_then(instant);
    let started_at = instant(summary.start_time.or(created)).unwrap_or(now);
    let figures = figures_of(&summary.figures);
    NewActivity {
        user_id: upload.membership.user_id,
        membership_id: upload.membership.id,
        origin: match upload.client {
            Some(_) => ActivityOrigin::External,
            None => ActivityOrigin::Manual,
        },
        client: upload.client.as_ref().map(|c| c.key),
        activity_type: kind_of(summary.activity_type),
        title: None,
        started_at,
        timezone: None,
        figures,
        notes: None,
        source: Some(SourceEntry {
            provider: format.as_str().to_uppercase(),
            external_id: Some(upload.received.sha256.clone()),
            client_id: upload.client.as_ref().map(|c| c.client_id.clone()),
            raw_payload: None,
            received_at: now,
        }),
        // One sport needs no legs: the activity is its one leg.
        legs: if legs.len() > 1 {
            legs.iter()
                .map(|leg| Leg {
                    activity_type: kind_of(leg.activity_type),
                    started_at: instant(leg.start_time).unwrap_or(started_at),
                    figures: figures_of(&leg.figures),
                })
                .collect()
        } else {
            Vec::new()
        },
        now,
    }
}

/// Paceline's activity type of a decoded file's (or leg's).
fn kind_of(kind: fit::ActivityType) -> ActivityType {
    kind.as_str().parse().unwrap_or(ActivityType::Other)
}

/// Imports an uploaded activity file (FIT, TCX or GPX) as an activity of the upload's
/// athlete.
pub async fn import_file(
    store: &dyn Store,
    files: &dyn BlobStore,
    now: OffsetDateTime,
    rng: &mut (impl Rng + Send),
    mut upload: Upload,
) -> Result<Imported, ImportError> {
    let user = upload.membership.user_id;
    let sha256 = upload.received.sha256.clone();
    if let Some(id) = store
        .file_by_hash(user, &sha256)
        .await?
        .and_then(|kept| kept.activity_id)
    {
        return Ok(Imported::Duplicate { id });
    }
    // Taken out of the upload, so the stored streams move into the detail uncopied.
    let received = std::mem::replace(&mut upload.received.decoded, Decoded::NeedsWholeFile);
    let (decoded, streams, format) = match received {
        Decoded::Activity { decoded, streams } => (decoded, streams, FileFormat::Fit),
        Decoded::Xml {
            format,
            decoded: Ok(decoded),
        } => {
            let streams = StoredStreams::encode(&decoded.streams);
            (decoded, streams, format)
        }
        Decoded::Refused(FitError::NotAnActivity { file_type }) => {
            return Err(ImportError::NotAnActivity {
                file_type: format!("a FIT {file_type} file"),
            });
        }
        Decoded::Refused(other) => return Err(ImportError::Invalid(other)),
        Decoded::Xml {
            decoded: Err(XmlError::NotAnActivity { what }),
            ..
        } => {
            return Err(ImportError::NotAnActivity {
                file_type: what.to_owned(),
            });
        }
        Decoded::Xml {
            format,
            decoded: Err(error),
        } => return Err(ImportError::InvalidXml { format, error }),
        Decoded::NeedsWholeFile => {
            return Err(ImportError::Files(BlobError::Unavailable(
                "the upload was not decoded whole".into(),
            )));
        }
    };
    let detail = Detail::of(&decoded, streams);
    let (summary, legs, created) = (
        &decoded.summary,
        decoded.legs.as_slice(),
        decoded.file_id.time_created,
    );
    let activity = activity_of(summary, legs, created, format, &upload, now);
    let storage_key = storage_key(
        format,
        upload.membership.organization_id,
        upload.membership.id,
        activity.started_at.date(),
        &random_name(rng),
    );
    let file = NewFile {
        format,
        original_name: upload.name.clone(),
        size_bytes: upload.received.size,
        sha256: sha256.clone(),
        storage_key: storage_key.clone(),
    };
    let max_heart_rate = activity
        .figures
        .max_hr
        .and_then(|bpm| u16::try_from(bpm).ok());
    // The file first: a row never points to a missing file.
    match std::mem::replace(&mut upload.body, Body::Memory(Vec::new())) {
        Body::Spooled(path) => files.put_file(&storage_key, &path).await?,
        Body::Memory(bytes) => files.put(&storage_key, bytes).await?,
    }
    match store.record_file_activity(activity, file, &detail).await {
        Ok((id, _)) => {
            if let Some(bpm) = max_heart_rate {
                // An offer to the athlete, noted after the activity is kept: should noting it
                // fail, nothing they sent is lost.
                let _ = crate::settings::saw_heart_rate(store, now, user, bpm).await;
            }
            Ok(Imported::New { id, storage_key })
        }
        Err(error) => {
            // Nothing points to the file now. Should removing it fail, it is an orphan,
            // which remove_orphans deletes later.
            let _ = files.delete(&storage_key).await;
            match error {
                StoreError::Conflict("file") => {
                    // A concurrent upload of the same file won: answer its activity.
                    match store.file_by_hash(user, &sha256).await? {
                        Some(kept) => match kept.activity_id {
                            Some(id) => Ok(Imported::Duplicate { id }),
                            None => Err(ImportError::Store(error)),
                        },
                        None => Err(ImportError::Store(error)),
                    }
                }
                other => Err(ImportError::Store(other)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognized_by_their_content() {
        let mut fit = vec![14, 0x20, 0, 0, 0, 0, 0, 0];
        fit.extend_from_slice(b".FIT");
        assert_eq!(sniff(&fit), Some(FileFormat::Fit));
        assert_eq!(
            sniff(b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- c -->\n<TrainingCenterDatabase xmlns=\"x\">"),
            Some(FileFormat::Tcx)
        );
        assert_eq!(
            sniff(b"  <?xml version='1.0'?><gpx version=\"1.1\">"),
            Some(FileFormat::Gpx)
        );
        assert_eq!(sniff(b"<ns:gpx>"), Some(FileFormat::Gpx));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), None);
        assert_eq!(sniff(b"<html><body>"), None);
        assert_eq!(sniff(b"hello"), None);
    }
}
