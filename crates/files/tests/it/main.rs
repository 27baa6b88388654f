//! One behaviour suite for every file-storage backend: each test runs against a local
//! folder and against an S3-compatible server (moto, started per test; see
//! `paceline_testkit::s3`), so that the orphan sweep, uploads and downloads can rely on the
//! same semantics whichever is configured.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use paceline_domain::files::{BlobError, BlobStore, ORPHAN_AGE, remove_orphans};
use paceline_files::{ObjectFiles, S3Config};
use paceline_testkit::s3::{self as moto, S3Server};
use time::OffsetDateTime;

/// What a test holds on to while it runs: the folder or the server behind its files.
enum Backing {
    Local(#[allow(dead_code)] tempfile::TempDir),
    S3(#[allow(dead_code)] Box<S3Server>),
}

fn local() -> (Backing, ObjectFiles) {
    let dir = tempfile::tempdir().unwrap();
    let files = ObjectFiles::local(&dir.path().join("files")).unwrap();
    (Backing::Local(dir), files)
}

fn s3_config(server: &S3Server, prefix: Option<&str>) -> S3Config {
    S3Config {
        bucket: server.bucket.clone(),
        endpoint: Some(server.endpoint.clone()),
        region: None,
        access_key_id: Some(moto::ACCESS_KEY_ID.into()),
        secret_access_key: Some(paceline_domain::oauth::secret::Secret::new(
            moto::SECRET_ACCESS_KEY,
        )),
        virtual_hosted_style: false,
        prefix: prefix.map(str::to_owned),
        allow_http: true,
    }
}

/// A bucket name of the test's own: S3 wants 3 to 63 lowercase letters, digits and dashes.
fn bucket(test: &str) -> String {
    let name = format!("pl-{}", test.replace('_', "-"));
    name.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

async fn s3_files(test: &str) -> Option<(Backing, ObjectFiles)> {
    let server = moto::start(&bucket(test)).await?;
    let files = ObjectFiles::s3(&s3_config(&server, Some("installation-1"))).unwrap();
    files.check().await.unwrap();
    Some((Backing::S3(Box::new(server)), files))
}

/// Runs each named `async fn(ObjectFiles)` once on a local folder and once on S3.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (_backing, files) = super::local();
                    super::$name(files).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some((_backing, files)) = super::s3_files(stringify!($name)).await {
                        super::$name(files).await;
                    }
                }
            )*
        }
    };
}

on_every_backend!(
    files_round_trip_and_are_removed,
    keys_cannot_leave_their_folder,
    listing_is_by_folder_with_sizes_and_times,
    orphans_older_than_an_hour_are_removed,
    readers_never_see_half_a_file,
    files_are_stored_from_disk_in_parts,
);

async fn files_round_trip_and_are_removed(files: ObjectFiles) {
    let key = "fit/org_a/mem_b/2026-01-17/x1.fit";
    assert_eq!(files.get(key).await.unwrap(), None, "nothing there yet");
    files.put(key, b"FIT bytes".to_vec()).await.unwrap();
    assert_eq!(files.get(key).await.unwrap(), Some(b"FIT bytes".to_vec()));
    // Writing again replaces the file.
    files.put(key, b"other bytes".to_vec()).await.unwrap();
    assert_eq!(files.get(key).await.unwrap(), Some(b"other bytes".to_vec()));
    files.delete(key).await.unwrap();
    assert_eq!(files.get(key).await.unwrap(), None);
    // Removing again, and removing what never was, are not errors.
    files.delete(key).await.unwrap();
    files.delete("fit/never/was.fit").await.unwrap();
    assert_eq!(files.list("fit").await.unwrap(), Vec::new());
}

async fn keys_cannot_leave_their_folder(files: ObjectFiles) {
    for key in [
        "",
        "/",
        "/fit/x.fit",
        "fit/x.fit/",
        "../x.fit",
        "fit/../../x.fit",
        "fit//x.fit",
        "fit/./x.fit",
        "..",
        "a\\b",
    ] {
        let refused = |r: Result<(), BlobError>| matches!(r, Err(BlobError::InvalidKey(_)));
        assert!(refused(files.put(key, vec![1]).await), "put {key:?}");
        assert!(refused(files.delete(key).await), "delete {key:?}");
        assert!(
            matches!(files.get(key).await, Err(BlobError::InvalidKey(_))),
            "get {key:?}"
        );
        assert!(
            matches!(files.list(key).await, Err(BlobError::InvalidKey(_))),
            "list {key:?}"
        );
    }
    assert_eq!(files.list("fit").await.unwrap(), Vec::new());
}

async fn listing_is_by_folder_with_sizes_and_times(files: ObjectFiles) {
    let before = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    for (key, size) in [
        ("fit/a/1.fit", 3),
        ("fit/a/day/2.fit", 5),
        ("fit/ab/3.fit", 7),
        ("other/4.fit", 11),
    ] {
        files.put(key, vec![7; size]).await.unwrap();
    }
    let mut listed = files.list("fit/a").await.unwrap();
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    let keys: Vec<(&str, u64)> = listed.iter().map(|f| (f.key.as_str(), f.size)).collect();
    // `fit/a` is a folder: `fit/ab` is not in it.
    assert_eq!(keys, [("fit/a/1.fit", 3), ("fit/a/day/2.fit", 5)]);
    let after = OffsetDateTime::now_utc() + time::Duration::minutes(5);
    for file in &listed {
        assert!(
            file.written_at > before && file.written_at < after,
            "{file:?}"
        );
    }
    assert_eq!(files.list("fit").await.unwrap().len(), 3);
    assert_eq!(files.list("nothing").await.unwrap(), Vec::new());
}

async fn orphans_older_than_an_hour_are_removed(files: ObjectFiles) {
    for key in ["fit/a/kept.fit", "fit/a/orphan.fit", "other/left.fit"] {
        files.put(key, vec![0; 4]).await.unwrap();
    }
    let now = OffsetDateTime::now_utc();
    // Fresh files are left alone: their rows may still be on the way.
    let removed = remove_orphans(&files, "fit", now, |_| async { Ok(false) }).await;
    assert_eq!(removed.unwrap(), 0);
    let later = now + ORPHAN_AGE + time::Duration::minutes(1);
    let removed = remove_orphans(&files, "fit", later, |key| async move {
        Ok(key.ends_with("kept.fit"))
    })
    .await;
    assert_eq!(removed.unwrap(), 1);
    let left: Vec<String> = files
        .list("fit")
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(left, ["fit/a/kept.fit"]);
    assert!(files.get("other/left.fit").await.unwrap().is_some());
}

/// Every read while a file is being replaced sees one version whole.
async fn readers_never_see_half_a_file(files: ObjectFiles) {
    const SIZE: usize = 3 * 1024 * 1024;
    let key = "fit/a/replaced.fit";
    files.put(key, vec![b'a'; SIZE]).await.unwrap();
    let writer = {
        let files = files.clone();
        tokio::spawn(async move {
            for round in 0..6u8 {
                let fill = if round % 2 == 0 { b'b' } else { b'a' };
                files.put(key, vec![fill; SIZE]).await.unwrap();
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() || reads < 3 {
        let bytes = files.get(key).await.unwrap().expect("always there");
        assert_eq!(bytes.len(), SIZE, "a partial file was read");
        let first = bytes[0];
        assert!(bytes.iter().all(|b| *b == first), "two versions mixed");
        reads += 1;
    }
    writer.await.unwrap();
}

#[tokio::test]
async fn s3_keys_stay_under_the_prefix() {
    let Some(server) = moto::start("pl-prefix").await else {
        return;
    };
    let prefixed = ObjectFiles::s3(&s3_config(&server, Some("/paceline/eu/"))).unwrap();
    let whole = ObjectFiles::s3(&s3_config(&server, None)).unwrap();
    prefixed.put("fit/a/1.fit", vec![1, 2]).await.unwrap();
    let keys: Vec<String> = prefixed
        .list("fit")
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(keys, ["fit/a/1.fit"]);
    assert_eq!(
        whole.get("paceline/eu/fit/a/1.fit").await.unwrap(),
        Some(vec![1, 2])
    );
    assert_eq!(whole.list("fit").await.unwrap(), Vec::new());
}

#[tokio::test]
async fn a_wrong_bucket_or_key_is_reported() {
    let Some(server) = moto::start("pl-wrong").await else {
        return;
    };
    let mut config = s3_config(&server, None);
    config.bucket = "pl-no-such-bucket".into();
    let missing = ObjectFiles::s3(&config).unwrap();
    let error = missing.check().await.unwrap_err().to_string();
    assert!(error.contains("file storage failed"), "{error}");

    let mut config = s3_config(&server, None);
    config.allow_http = false;
    let refused = ObjectFiles::s3(&config).unwrap_err().to_string();
    assert!(refused.contains("allow_http"), "{refused}");
    let mut config = s3_config(&server, None);
    config.secret_access_key = None;
    assert!(
        ObjectFiles::s3(&config).is_err(),
        "a key id without its secret"
    );
}

/// `put_file` stores a file from disk whatever its size: in one request below the part
/// size, in parts above it (6 MiB is two parts on S3, six locally), byte for byte.
async fn files_are_stored_from_disk_in_parts(files: ObjectFiles) {
    let dir = tempfile::tempdir().unwrap();
    for (name, size) in [
        ("empty", 0),
        ("small", 1000),
        ("large", 6 * 1024 * 1024 + 3),
    ] {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let key = format!("fit/a/{name}.fit");
        files.put_file(&key, &path).await.unwrap();
        let stored = files.get(&key).await.unwrap().expect("stored");
        assert!(stored == bytes, "{name}: not the same bytes");
        assert!(path.is_file(), "the source is left in place");
    }
    let missing = files
        .put_file("fit/a/missing.fit", &dir.path().join("nothing"))
        .await;
    assert!(
        matches!(missing, Err(BlobError::Unavailable(_))),
        "{missing:?}"
    );
    assert_eq!(files.get("fit/a/missing.fit").await.unwrap(), None);
    let path = dir.path().join("small");
    assert!(matches!(
        files.put_file("../escape.fit", &path).await,
        Err(BlobError::InvalidKey(_))
    ));
}

#[tokio::test]
async fn a_probe_tells_a_local_folder_that_went_away() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    let files = ObjectFiles::local(&root).unwrap();
    assert_eq!(files.backend(), "local");
    files.probe().await.unwrap();
    files.put("fit/a/1.fit", vec![1]).await.unwrap();
    files.probe().await.unwrap();
    std::fs::remove_dir_all(&root).unwrap();
    let error = files.probe().await.unwrap_err().to_string();
    assert!(error.contains("cannot reach"), "{error}");
    std::fs::write(&root, b"not a folder").unwrap();
    let error = files.probe().await.unwrap_err().to_string();
    assert!(error.contains("is not a folder"), "{error}");
}

#[tokio::test]
async fn a_probe_tells_a_bucket_that_went_away() {
    let Some(server) = moto::start("pl-probe").await else {
        return;
    };
    let files = ObjectFiles::s3(&s3_config(&server, None)).unwrap();
    assert_eq!(files.backend(), "s3");
    files.probe().await.unwrap();
    files.put("fit/a/1.fit", vec![1]).await.unwrap();
    files.probe().await.unwrap();
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let error = tokio::time::timeout(std::time::Duration::from_secs(60), files.probe())
        .await
        .expect("a probe of a stopped server ends")
        .unwrap_err()
        .to_string();
    assert!(error.contains("file storage failed"), "{error}");
}
