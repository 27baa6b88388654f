//! `paceline import --email E PATH`: an athlete's activity files from a folder, a zip, or a
//! Strava or Garmin Connect bulk-export archive (zips within zips, `.gz` files within them),
//! imported several at once as uploads are: recognized by content, deduplicated by content
//! against everything the athlete has (so a second run adds nothing), each bad file named
//! and skipped. A spinner counts them on standard error; a summary says what became of each.

use crate::Failure;
use crate::config::Settings;
use crate::serve::open_files;
use crate::store;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use paceline_domain::Store;
use paceline_domain::accounts::home_membership;
use paceline_domain::files::BlobStore;
use paceline_domain::imports::{
    Body, ImportError, Imported, MAX_FILE_BYTES, Upload, import_file, received_file,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

/// Zips within zips are opened this deep (Garmin's export holds zips of files).
const MAX_DEPTH: usize = 4;

/// What the walk found.
#[derive(Debug)]
enum Found {
    /// An activity file by its name: its bytes.
    File(String, Vec<u8>),
    /// An entry that could not be read, and why.
    Unreadable(String, String),
    /// Something that is not an activity file (a CSV, a photo, a folder of the export).
    Other,
}

/// What became of the files.
#[derive(Debug, Default)]
struct Tally {
    new: usize,
    duplicate: usize,
    other: usize,
    refused: Vec<(String, String)>,
    failed: Vec<(String, String)>,
}

pub(crate) async fn run(
    settings: &Settings,
    email: &str,
    path: &Path,
    parallel: usize,
) -> Result<(), Failure> {
    if !path.exists() {
        return Err(Failure::refused(
            "no-such-path",
            &format!("{} does not exist", path.display()),
        ));
    }
    let store = store::open(settings, 4)
        .await
        .map_err(|e| Failure::system(&e))?;
    let user = store::user_by_email(&store, email).await?;
    let membership = home_membership(&store, user.id)
        .await
        .map_err(|e| Failure::system(&e.into()))?
        .ok_or_else(|| {
            Failure::refused(
                "no-membership",
                &format!("{email} belongs to no organization"),
            )
        })?;
    let files = open_files(&settings.files)
        .await
        .map_err(|e| Failure::system(&e))?;

    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} files, {msg} ({elapsed})") {
        bar.set_style(style);
    }
    let tally = Mutex::new(Tally::default());
    // The walk reads entries on a thread of its own, a few ahead of the imports.
    let (send, receive) = tokio::sync::mpsc::channel::<Found>(parallel.max(1) * 2);
    let root = path.to_owned();
    let walker = tokio::task::spawn_blocking(move || {
        walk_path(&root, &mut |found| send.blocking_send(found).is_ok());
    });
    let found = futures::stream::unfold(receive, |mut receive| async move {
        receive.recv().await.map(|found| (found, receive))
    });
    let store: &dyn Store = &store;
    let files: &dyn BlobStore = &files;
    found
        .map(|found| {
            let membership = membership.clone();
            async move {
                match found {
                    Found::File(name, bytes) => {
                        let outcome = import_one(store, files, membership, &name, bytes).await;
                        (Some(name), outcome)
                    }
                    Found::Unreadable(name, why) => (Some(name), Outcome::Refused(why)),
                    Found::Other => (None, Outcome::Other),
                }
            }
        })
        .buffer_unordered(parallel.max(1))
        .for_each(|(name, outcome)| {
            let mut tally = tally
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let name = name.unwrap_or_default();
            match outcome {
                Outcome::New => tally.new += 1,
                Outcome::Duplicate => tally.duplicate += 1,
                Outcome::Other => tally.other += 1,
                Outcome::Refused(why) => tally.refused.push((name, why)),
                Outcome::Failed(why) => tally.failed.push((name, why)),
            }
            bar.set_position(
                (tally.new + tally.duplicate + tally.refused.len() + tally.failed.len()) as u64,
            );
            bar.set_message(format!(
                "{} new, {} already there, {} refused",
                tally.new,
                tally.duplicate,
                tally.refused.len()
            ));
            async {}
        })
        .await;
    walker
        .await
        .map_err(|e| Failure::system(&anyhow::anyhow!("{e}")))?;
    bar.finish_and_clear();
    let mut tally = tally
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    tally.refused.sort();
    tally.failed.sort();
    println!(
        "{} activity files: {} new, {} already there, {} refused, {} failed; {} other files \
         left alone.",
        tally.new + tally.duplicate + tally.refused.len() + tally.failed.len(),
        tally.new,
        tally.duplicate,
        tally.refused.len(),
        tally.failed.len(),
        tally.other
    );
    for (name, why) in &tally.refused {
        println!("refused {name}: {why}");
    }
    for (name, why) in &tally.failed {
        println!("failed {name}: {why}");
    }
    if tally.failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::system(&anyhow::anyhow!(
            "{} files could not be stored (named above); running the same import again tries them \
             again",
            tally.failed.len()
        )))
    }
}

/// What became of one entry.
enum Outcome {
    New,
    Duplicate,
    Other,
    Refused(String),
    Failed(String),
}

async fn import_one(
    store: &dyn Store,
    files: &dyn BlobStore,
    membership: paceline_domain::entities::Membership,
    name: &str,
    bytes: Vec<u8>,
) -> Outcome {
    // Decoding is the CPU's work: off the runtime's threads.
    let decoded = tokio::task::spawn_blocking(move || {
        let received = received_file(&bytes);
        (received, bytes)
    })
    .await;
    let (received, bytes) = match decoded {
        Ok(decoded) => decoded,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let received = match received {
        Ok(Some((_, received))) => received,
        Ok(None) => return Outcome::Refused("not a FIT, TCX or GPX file".into()),
        Err(too_large) => return Outcome::Refused(too_large.to_string()),
    };
    let upload = Upload {
        membership,
        client: None,
        name: Some(base_name(name).to_owned()),
        body: Body::Memory(bytes),
        received,
    };
    let now = time::OffsetDateTime::now_utc();
    match import_file(store, files, now, &mut StdRng::from_os_rng(), upload).await {
        Ok(Imported::New { .. }) => Outcome::New,
        Ok(Imported::Duplicate { .. }) => Outcome::Duplicate,
        Err(error @ (ImportError::Files(_) | ImportError::Store(_))) => {
            Outcome::Failed(error.to_string())
        }
        Err(refused) => Outcome::Refused(refused.to_string()),
    }
}

/// The last part of an entry's path.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Walks a folder (sorted, depth first), a zip, or one file; `emit` answers whether to go on.
fn walk_path(path: &Path, emit: &mut dyn FnMut(Found) -> bool) -> bool {
    let name = path.display().to_string();
    if path.is_dir() {
        let mut entries: Vec<_> = match std::fs::read_dir(path) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(error) => return emit(Found::Unreadable(name, error.to_string())),
        };
        entries.sort();
        return entries.iter().all(|entry| walk_path(entry, emit));
    }
    if !wanted(&name) {
        return emit(Found::Other);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".zip") {
        // Read where it lies, entry by entry: an export can be larger than memory.
        return match std::fs::File::open(path) {
            Ok(file) => zip_entries(&name, file, 0, emit),
            Err(error) => emit(Found::Unreadable(name, error.to_string())),
        };
    }
    if lower.ends_with(".zip.gz") {
        let inner = name.get(..name.len() - 3).unwrap_or(&name).to_owned();
        return match std::fs::File::open(path)
            .map_err(|e| e.to_string())
            .and_then(|file| spool(&mut flate2::read::GzDecoder::new(file)))
        {
            Ok(archive) => zip_entries(&inner, archive, 0, emit),
            Err(why) => emit(Found::Unreadable(name, why)),
        };
    }
    let read = std::fs::File::open(path).and_then(|file| {
        let mut bytes = Vec::new();
        file.take(READ_LIMIT).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    match read {
        Ok(bytes) => entry(&name, bytes, 0, emit),
        Err(error) => emit(Found::Unreadable(name, error.to_string())),
    }
}

/// Whether a name is one the walk opens: an activity file, a zip, or either gzipped.
fn wanted(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    [".fit", ".tcx", ".gpx", ".zip"]
        .iter()
        .any(|ending| lower.ends_with(ending))
}

/// The most bytes of an archive inside another unpacked to a temporary file (a bound on
/// the disk a hostile archive can take; real exports split theirs into parts well under it).
const MAX_INNER_ZIP_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// How many bytes of a file are read into memory: one past the largest accepted, so that a
/// larger one, or a compression bomb, is refused rather than held.
const READ_LIMIT: u64 = MAX_FILE_BYTES as u64 + 1;

/// Unpacks `reader` into an unnamed temporary file (removed when closed), at most
/// [`MAX_INNER_ZIP_BYTES`]; the file, rewound.
fn spool(reader: &mut dyn Read) -> Result<std::fs::File, String> {
    use std::io::{Seek, SeekFrom};
    let mut file = tempfile::tempfile().map_err(|e| format!("no room to unpack it: {e}"))?;
    let copied = std::io::copy(&mut reader.take(MAX_INNER_ZIP_BYTES + 1), &mut file)
        .map_err(|e| format!("not readable: {e}"))?;
    if copied > MAX_INNER_ZIP_BYTES {
        return Err(format!("larger than {MAX_INNER_ZIP_BYTES} bytes unpacked"));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| format!("not readable: {e}"))?;
    Ok(file)
}

/// One entry by name: a `.gz` is unpacked (at most one byte past the largest file accepted,
/// so a compression bomb is refused, not unpacked), a zip opened, an activity file emitted.
fn entry(name: &str, bytes: Vec<u8>, depth: usize, emit: &mut dyn FnMut(Found) -> bool) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".zip.gz") {
        let inner_name = name.get(..name.len() - 3).unwrap_or(name).to_owned();
        return match spool(&mut flate2::read::GzDecoder::new(bytes.as_slice())) {
            Ok(archive) => zip_entries(&inner_name, archive, depth, emit),
            Err(why) => emit(Found::Unreadable(name.to_owned(), why)),
        };
    }
    if let Some(inner) = lower.strip_suffix(".gz") {
        let inner_name = name.get(..inner.len()).unwrap_or(inner).to_owned();
        let mut unpacked = Vec::new();
        let limit = READ_LIMIT;
        return match flate2::read::GzDecoder::new(bytes.as_slice())
            .take(limit)
            .read_to_end(&mut unpacked)
        {
            Ok(_) => entry(&inner_name, unpacked, depth, emit),
            Err(error) => emit(Found::Unreadable(
                name.to_owned(),
                format!("not a readable gzip file: {error}"),
            )),
        };
    }

    if bytes.len() > MAX_FILE_BYTES {
        return emit(Found::Unreadable(
            name.to_owned(),
            format!("larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    emit(Found::File(name.to_owned(), bytes))
}

fn zip_entries(
    name: &str,
    reader: impl Read + std::io::Seek,
    depth: usize,
    emit: &mut dyn FnMut(Found) -> bool,
) -> bool {
    if depth >= MAX_DEPTH {
        return emit(Found::Unreadable(
            name.to_owned(),
            format!("zips nested more than {MAX_DEPTH} deep"),
        ));
    }
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(error) => {
            return emit(Found::Unreadable(
                name.to_owned(),
                format!("not a readable zip file: {error}"),
            ));
        }
    };
    for index in 0..archive.len() {
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(error) => {
                if !emit(Found::Unreadable(
                    format!("{name}#{index}"),
                    error.to_string(),
                )) {
                    return false;
                }
                continue;
            }
        };
        let inner = format!("{name}/{}", file.name());
        if file.is_dir() || !wanted(&inner) {
            if !file.is_dir() && !emit(Found::Other) {
                return false;
            }
            continue;
        }
        let lower = inner.to_ascii_lowercase();
        let go_on = if lower.ends_with(".zip") || lower.ends_with(".zip.gz") {
            // An archive inside: unpacked to a temporary file, never held in memory.
            let gzipped = lower.ends_with(".gz");
            let spooled = if gzipped {
                spool(&mut flate2::read::GzDecoder::new(&mut file))
            } else {
                spool(&mut file)
            };
            drop(file);
            match spooled {
                Ok(archive) => zip_entries(&inner, archive, depth + 1, emit),
                Err(why) => emit(Found::Unreadable(inner, why)),
            }
        } else {
            let mut bytes = Vec::new();
            let read = (&mut file).take(READ_LIMIT).read_to_end(&mut bytes);
            drop(file);
            match read {
                Ok(_) => entry(&inner, bytes, depth + 1, emit),
                Err(error) => emit(Found::Unreadable(inner, error.to_string())),
            }
        };
        if !go_on {
            return false;
        }
    }
    true
}
